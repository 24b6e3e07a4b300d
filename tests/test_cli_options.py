"""The CLI's options as a whole: one help meaning per option name across commands, help
that names only options its command has, one --out replace rule, --workers for search
processes, and the saved networks listed beside the classical models."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
import typer

from fmstudy.cli import options as opts
from fmstudy.cli import study
from fmstudy.cli.console import print_summary
from fmstudy.cli.main import app, main

COMMANDS = typer.main.get_command(app).commands

# Shared names whose help may differ between commands: each help must open with the
# given words (the one meaning), and the reason says why the rest differs.
OPENINGS = {
    "--groups": (opts.GROUPS_HELP, "run adds that --all-groups reads it too"),
    "--seed": (opts.SEED_HELP, "says what is random in the command"),
    "--json": ("Print JSON, not tables: ", "what is printed differs per command"),
    "--list": ("List the ", "what is listed differs per command"),
    "--storage": (opts.STORAGE_HELP, "the default file lies beside run's report, in search's"),
    "--dataset": ("Data set to ", "evaluate tests on it, by default the model's own"),
    "--force": (
        "Write over --out even when it holds what fmstudy did not write there (",
        "search keeps search.db and what is not its own; the others replace their --out",
    ),
    "--lang": ("Language of the ", "the report's or the notebook's"),
    "--out": ("", "what --out is differs (a report, a search folder, a notebook file)"),
}


def helps() -> dict[str, dict[str, str]]:
    """Each option name's help per command, hidden options left out."""
    found: dict[str, dict[str, str]] = {}
    for name, cmd in COMMANDS.items():
        for p in cmd.params:
            if getattr(p, "hidden", False) or not getattr(p, "help", None):
                continue
            for flag in p.opts:
                found.setdefault(flag, {})[name] = " ".join(p.help.split())
    return found


def test_every_shared_option_name_has_one_meaning():
    shared = {flag: by for flag, by in helps().items() if len(by) > 1}
    assert {"--jobs", "--seed", "--out", "--force", "--groups"} <= set(shared)
    for flag, by in shared.items():
        if flag in OPENINGS:
            opening = OPENINGS[flag][0]
            assert all(h.startswith(opening) for h in by.values()), (flag, by)
        else:
            assert len(set(by.values())) == 1, (flag, by)


def test_help_names_only_options_of_its_own_command():
    for name, cmd in COMMANDS.items():
        own = {f for p in cmd.params for f in (*p.opts, *getattr(p, "secondary_opts", []))}
        texts = [p.help or "" for p in cmd.params] + [cmd.help or ""]
        # 'fmstudy search --help' and the like point at another command on purpose
        named = {f for t in texts for f in re.findall(r"(?<![\w'])--[a-z][a-z-]*", t)}
        assert named <= own, (name, named - own)


def test_groups_help_mentions_all_groups_only_where_it_exists():
    by = helps()["--groups"]
    assert "--all-groups" in by["run"]
    assert all("--all-groups" not in h for c, h in by.items() if c != "run")


def test_jobs_counts_cores_and_search_processes_are_workers():
    by = helps()["--jobs"]
    assert set(by) == {"run", "nn"} and len(set(by.values())) == 1
    assert "cores" in by["run"]
    assert "Worker processes" in helps()["--workers"]["search"]


@pytest.mark.parametrize("cmd", ["run", "nn", "search", "notebook"])
def test_every_out_says_the_one_replace_rule(cmd):
    assert opts.OUT_RULE in helps()["--out"][cmd]


def test_old_search_jobs_still_counts_workers_and_says_so(capsys):
    assert study._workers(1, 3) == 3
    assert "--workers" in capsys.readouterr().err
    assert study._workers(2, None) == 2
    assert capsys.readouterr().err == ""


def test_old_search_jobs_out_of_range_is_one_line(capsys):
    assert main(["search", "--classes", "4-7", "--jobs", "0"]) == 2
    assert "--jobs" in capsys.readouterr().err


def test_search_out_with_foreign_files_needs_force(tmp_path, capsys):
    out = tmp_path / "s"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    assert main(["search", "--classes", "4-7", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "thesis.tex" in err[0] and "--force" in err[0]
    assert (out / "thesis.tex").read_text() == "precious"
    study._check_search_out(out, force=True)  # --force writes beside it


def test_search_out_holding_only_an_earlier_search_is_reused(tmp_path):
    out = tmp_path / "s"
    (out / "report").mkdir(parents=True)
    for name in ("search.db", "search.db-journal", "search.db.lock", ".report.tmp-1.lock"):
        (out / name).write_text("")
    study._check_search_out(out, force=False)
    study._check_search_out(tmp_path / "new", force=False)


def test_a_file_as_search_out_is_one_line(tmp_path, capsys):
    (tmp_path / "f").write_text("")
    assert main(["search", "--classes", "4-7", "--out", str(tmp_path / "f")]) == 2
    assert "is a file" in capsys.readouterr().err


def test_nn_out_with_foreign_files_needs_force(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FMSTUDY_DATA_DIR", str(tmp_path / "d"))
    out = tmp_path / "n"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    assert main(["nn", "--arch", "64", "--classes", "4-7", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert (out / "thesis.tex").read_text() == "precious"


def test_saved_models_line_lists_the_networks_too(capsys):
    saved = SimpleNamespace(saved=True, size=1000, policy="small")
    result = SimpleNamespace(
        config=SimpleNamespace(classes=[4, 5]),
        metrics=SimpleNamespace(models={}, ranked=list),
        saved_models={"forest": saved},
        saved_networks={"notebook-1": Path("x")},
        timings={"total_seconds": 1.0},
    )
    print_summary(result, Path("rep"))
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("Saved models"))
    assert "forest, notebook-1" in line and "fmstudy evaluate" in line


def test_search_workers_and_its_old_name_together_are_refused(capsys):
    assert main(["search", "--classes", "4-7", "--workers", "2", "--jobs", "3"]) == 2
    err = capsys.readouterr().err
    assert "give --workers only" in err and len(err.strip().splitlines()) == 1
