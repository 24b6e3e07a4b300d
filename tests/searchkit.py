"""Helpers shared by the search tests: settings, a study URL, one worker, the CLI."""

from __future__ import annotations

from conftest import run_cli

from fmstudy.search.run import Objective
from fmstudy.search.settings import SearchSettings
from fmstudy.search.workers import join_study, open_storage, run_worker


def settings(**kw) -> SearchSettings:
    base = {"classes": (0, 1, 2, 3), "dataset": "synth", "trials": 3, "max_epochs": 2}
    return SearchSettings(**{**base, **kw})


def sqlite(tmp_path, name="search.db") -> str:
    return f"sqlite:///{tmp_path / name}"


def one_worker(url, s, sub, on_epoch=None):
    study, worker = join_study(open_storage(url), url, s)
    run_worker(study, url, Objective(sub, s, threads=1, on_epoch=on_epoch), s, worker)
    return study


def search_cli(*args, **popen):
    """``fmstudy search --classes 4-7 ARGS`` running in a subprocess (a Popen)."""
    return run_cli("search", "--classes", "4-7", *args, wait=False, **popen)
