"""cli.py: every command's options, output and errors; bad input in-process through
``main(argv)``, one line on stderr and exit code 2, nothing half-written."""

import json
import os

from conftest import run_cli

from fmstudy import __version__
from fmstudy.cli.main import main
from fmstudy.report.write import MARKER


def one_line(args, tmp_path, capsys, monkeypatch) -> str:
    """Run ``fmstudy ARGS`` in-process; it must fail with one line and exit code 2."""
    monkeypatch.setenv("FMSTUDY_DATA_DIR", str(tmp_path / "d"))
    capsys.readouterr()
    rc = main([str(a) for a in args])
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert rc == 2 and len(lines) == 1 and lines[0].startswith("fmstudy: error:"), err
    return lines[0]


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"fmstudy {__version__}"


def test_help_explains_every_option_with_default():
    out = run_cli("data", "--help", timeout=120).stdout
    for opt in ("--dataset", "--surname", "--classes", "--data-dir", "--json", "--list"):
        assert opt in out
    assert "default: fashion-mnist" in out and "FMSTUDY_DATA_DIR" in out


def test_data_json_on_synthetic(synthetic, capsys):
    _, data_dir = synthetic
    rc = main(
        [
            "data",
            "--dataset",
            "synth",
            "--classes",
            "coat,shirt",
            "--data-dir",
            str(data_dir),
            "--json",
        ]
    )
    assert rc == 0
    v = json.loads(capsys.readouterr().out)
    assert v["classes"] == [4, 6] and v["class_names"] == ["Coat", "Shirt"]
    assert v["hashes_ok"] and v["splits"]["train"]["kept"] == 40


def test_data_dir_from_environment(synthetic, capsys, monkeypatch):
    _, data_dir = synthetic
    monkeypatch.setenv("FMSTUDY_DATA_DIR", str(data_dir))
    assert main(["data", "--dataset", "synth", "--surname", "Lind", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["classes"] == [4, 5, 6, 7]


def test_list_shows_availability(synthetic, capsys):
    _, data_dir = synthetic
    assert main(["data", "--list", "--json", "--data-dir", str(data_dir)]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["fashion-mnist"]["available"] == "shipped"
    assert rows["synth"]["available"] == "cached"
    assert rows["kmnist"]["available"] == "download" and "CC BY-SA" in rows["kmnist"]["license"]


def test_a_shell_sees_one_line_too(tmp_path):
    """The installed entry point in a subprocess: what a user's shell sees."""
    env = {**os.environ, "FMSTUDY_DATA_DIR": str(tmp_path)}
    proc = run_cli("data", "--dataset", "cifar", env=env, timeout=120)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
    assert "unknown data set" in proc.stderr


def test_refuses_foreign_non_empty_out(tmp_path, capsys, monkeypatch):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    args = ["run", "--classes", "4-7", "--out", out]
    assert "not an fmstudy report" in one_line(args, tmp_path, capsys, monkeypatch)
    assert (out / "thesis.tex").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_force_replaces_a_foreign_folder_and_a_report_is_replaced_without_it(tmp_path, real_data):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("x")
    args = [
        "run",
        "--classes",
        "4-7",
        "--tasks",
        "1",
        "--out",
        str(out),
        "--data-dir",
        str(tmp_path / "d"),
    ]
    assert main([*args, "--force"]) == 0
    assert not (out / "notes.txt").exists() and (out / MARKER).is_file()
    assert main(args) == 0  # an earlier report may be replaced without --force
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_missing_and_corrupted_files_are_one_line(synthetic, capsys):
    spec, data_dir = synthetic
    (data_dir / "synth" / "train-labels-idx1-ubyte.gz").write_bytes(b"\x1f\x8b garbage")
    args = ["data", "--dataset", "synth", "--classes", "4-7", "--data-dir", str(data_dir)]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "gzip" in err[0]
    (data_dir / "synth" / "train-labels-idx1-ubyte.gz").unlink()
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "missing train-labels-idx1-ubyte.gz" in err[0]
    assert not list((data_dir / "decoded").rglob("train-labels*"))


def test_evaluate_takes_the_spec_json_and_its_recorded_data_set(synthetic, tmp_path, capsys):
    """``fmstudy evaluate DIR/spec.json`` tests on the data set the network was trained on
    (it used to fall back to fashion-mnist for a file path)."""
    _, data_dir = synthetic
    out = tmp_path / "nn"
    args = ["nn", "--arch", "16", "--dataset", "synth", "--classes", "4-7", "--epochs", "1"]
    assert main([*args, "--out", str(out), "--data-dir", str(data_dir)]) == 0
    trained = json.loads((out / "metrics.json").read_text())["models"]["nn-custom"]
    capsys.readouterr()
    for target in (out / "models" / "custom", out / "models" / "custom" / "spec.json"):
        assert main(["evaluate", str(target), "--json", "--data-dir", str(data_dir)]) == 0
        ev = json.loads(capsys.readouterr().out)
        assert ev["dataset"] == "synth" and ev["accuracy"] == trained["accuracy"]
        assert ev["confusion"] == trained["confusion"]


def test_rich_markup_in_valid_input_is_printed_as_typed(synthetic, tmp_path, capsys):
    """A name or folder with Rich markup is valid input: shown as typed, not parsed."""
    _, data_dir = synthetic
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"layers": [{"kind": "dense", "width": 8}], "name": "n[bold]x"}))
    out = tmp_path / "rep[/x]"
    args = ["nn", "--arch", str(spec), "--dataset", "synth", "--classes", "4-7", "--epochs", "1"]
    assert main([*args, "--out", str(out), "--data-dir", str(data_dir)]) == 0
    printed = capsys.readouterr().out
    assert "n[bold]x" in printed and str(out / "index.html") in printed.replace("\n", "")
    assert (
        main(["data", "--dataset", "synth", "--surname", "L[/b]ind", "--data-dir", str(data_dir)])
        == 0
    )
    assert "L[/b]ind" in capsys.readouterr().out


def test_progress_without_a_terminal_is_one_flushed_line_per_step(synthetic, tmp_path, capsys):
    """Output to a log file or pipe: plain lines as each step and epoch ends, no bars."""
    _, data_dir = synthetic
    args = ["nn", "--arch", "8", "--dataset", "synth", "--classes", "4-7", "--epochs", "2"]
    assert main([*args, "--out", str(tmp_path / "nn"), "--data-dir", str(data_dir)]) == 0
    out = capsys.readouterr().out
    assert "Task 1: load and verify data: done in" in out
    assert "Task 5: custom seed 0 epoch 1/2 val acc" in out and "epoch 2/2" in out
    progress = out.split("fmstudy: classes")[0]
    assert "\x1b[" not in progress and "━" not in progress  # no terminal codes, no bar
    again = main([*args, "--out", str(tmp_path / "nn"), "--data-dir", str(data_dir)])
    assert again == 0 and "cached" in capsys.readouterr().out  # reused fits are marked
