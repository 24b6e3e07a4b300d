import json
import os
import subprocess
import sys

import pytest

from fmstudy import __version__
from fmstudy.cli import main


def run_cli(*args, env=None):
    """The installed entry point in a subprocess: what a user's shell sees."""
    return subprocess.run(
        [sys.executable, "-m", "fmstudy", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"fmstudy {__version__}"


def test_help_explains_every_option_with_default():
    out = run_cli("data", "--help").stdout
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


def one_line_error(result):
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("fmstudy: error:"), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "args, words",
    [
        (["data", "--dataset", "cifar"], "unknown data set"),
        (["data", "--classes", "4"], "at least two"),
        (["data", "--classes", "coat-shirt"], "numbers only"),
        (["data", "--surname", ""], "empty"),
        (["data", "--surname", "123"], "--classes"),
        (["data", "--no-such-flag"], "No such option"),
        (["data", "--surname"], "requires an argument"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, words, tmp_path):
    line = one_line_error(run_cli(*args, env={"FMSTUDY_DATA_DIR": str(tmp_path)}))
    assert words in line


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
