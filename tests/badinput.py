"""The one check every bad-input case shares: run ``fmstudy ARGV`` in-process and assert
exit code 2, one line on stderr that starts ``fmstudy: error:`` and holds ``words``, no
traceback, and nothing written under ``tmp_path``."""

from __future__ import annotations

from pathlib import Path

from fmstudy.cli import main


def names(tmp_path: Path) -> set[str]:
    """Every path under ``tmp_path``, relative, to compare before and after a run."""
    return {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")}


def check_bad_input(args, words, tmp_path, capsys, monkeypatch) -> str:
    """Run one case (callables in ``args`` make their file under ``tmp_path`` first);
    returns the error line."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FMSTUDY_DATA_DIR", str(tmp_path / "d"))
    argv = [str(a(tmp_path)) if callable(a) else a for a in args]
    before = names(tmp_path)
    capsys.readouterr()
    rc = main(argv)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert rc == 2 and len(lines) == 1 and lines[0].startswith("fmstudy: error:"), err
    assert "Traceback" not in err and words in lines[0], lines[0]
    assert names(tmp_path) == before  # nothing written: no report, no cache, no database
    return lines[0]
