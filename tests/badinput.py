"""The one check every bad-input case shares: run ``fmstudy ARGV`` in-process and assert
exit code 2, one line on stderr that starts ``fmstudy: error:`` and holds ``words``, no
traceback, and nothing written under ``tmp_path``."""

from __future__ import annotations

from pathlib import Path

from fmstudy.cli.main import main


def names(tmp_path: Path) -> set[str]:
    """Every path under ``tmp_path``, relative, to compare before and after a run."""
    return {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")}


def fifo(name: str):
    """A case's file builder: a FIFO called ``name`` (it would hang a reader that opens it)."""

    def make(p: Path) -> Path:
        import os

        os.mkfifo(p / name)
        return p / name

    return make


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


def deny_access(monkeypatch, target: Path) -> None:
    """Make ``target`` (and what is under it) unreadable as ``chmod 0`` would for a user
    who is not root: opening or listing it raises PermissionError, as it does there (the
    tests run as root in CI, where a chmod changes nothing)."""
    import builtins
    import os

    target = Path(os.path.realpath(target))

    def denied(path) -> bool:
        try:
            real = Path(os.path.realpath(os.fspath(path)))
        except TypeError:  # a file descriptor
            return False
        return real == target or target in real.parents

    def guard(real_call):
        def call(path, *args, **kwargs):
            if not isinstance(path, int) and denied(path):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real_call(path, *args, **kwargs)

        return call

    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(os, "open", guard(os.open))
    monkeypatch.setattr(os, "scandir", guard(os.scandir))
    monkeypatch.setattr(os, "listdir", guard(os.listdir))
