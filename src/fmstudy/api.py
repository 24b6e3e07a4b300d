"""The public facade: what README, notebooks and the CLI call; the one import generated
notebooks use, kept stable while the stages beneath it move.

    from fmstudy import api
    result = api.run_study(api.StudyConfig(classes=(4, 5, 6, 7), profile="quick"))
    result.save("study-out")                  # the report folder
    api.run_report(config, Path("study-out")) # what 'fmstudy run' does: run, then save
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

from fmstudy import checks
from fmstudy.data.groups import classes_for_surname, parse_classes
from fmstudy.data.loading import Dataset, load_dataset
from fmstudy.data.own import DataOptions
from fmstudy.data.subsets import Subset, select_classes
from fmstudy.errors import FmstudyError
from fmstudy.models.saved import SAVE_CHOICES
from fmstudy.report.write import check_out_dir, write_report
from fmstudy.search.settings import SearchSettings
from fmstudy.study import run
from fmstudy.study.config import StudyConfig

__all__ = [
    "DataOptions",
    "Dataset",
    "FmstudyError",
    "SearchSettings",
    "StudyConfig",
    "StudyResult",
    "Subset",
    "classes_for_surname",
    "load_dataset",
    "parse_classes",
    "run_report",
    "run_study",
    "select_classes",
]


@dataclass
class StudyResult(run.StudyRecord):
    """One study's typed results, which can write their report."""

    def save(self, out: str | Path, *, force: bool = False) -> Path:
        """Write the report folder (via a temporary folder renamed into place)."""
        return write_report(self, Path(out), force=force)

    @classmethod
    def of(cls, record: run.StudyRecord) -> StudyResult:
        return cls(**{f.name: getattr(record, f.name) for f in fields(record)})


def run_study(config: StudyConfig, **options) -> StudyResult:
    """Run the study of ``config`` (see :func:`fmstudy.study.run.run_study` for the
    options: data_dir, jobs, fresh, device, save_models, progress...)."""
    return StudyResult.of(run.run_study(config, **options))


def run_report(
    config: StudyConfig,
    out: Path,
    *,
    force: bool = False,
    storage: str | None = None,
    search_db: Path | None = None,
    **options,
) -> StudyResult:
    """Check ``out``, run the study, write its report into ``out``; the CLI's one call.

    The search's trials go to ``storage``, else to SQLite at ``search_db`` (default
    ``OUT.search.db`` beside the report folder, which a rerun replaces)."""
    from fmstudy.search.workers import check_storage_url, search_storage_url

    if "search" in config.tasks and storage is not None:
        check_storage_url(storage)  # before anything is made on disk
    checks.device(options.get("device", "auto"))  # a bad --device before anything is made
    checks.choice(options.get("save_models", "small"), "--save-models", SAVE_CHOICES)
    check_out_dir(out, force=force, data_dir=options.get("data_dir"))
    url = None
    if "search" in config.tasks:
        url = search_storage_url(storage, search_db or Path(f"{out.resolve()}.search.db"))
    result = run_study(config, progress=True, search_storage=url, **options)
    result.save(out, force=force)
    return result
