"""The public facade: what README, notebooks and the CLI call; the one import generated
notebooks use (``from fmstudy.api import ...``), kept stable while the stages beneath it
move.  The names a notebook needs that bring in torch are imported when first used.

    from fmstudy import api
    result = api.run_study(api.StudyConfig(classes=(4, 5, 6, 7), profile="quick"))
    result.save("study-out")                  # the report folder, in the config's language
    result.save("studie", lang="sv")          # the same numbers, in Swedish
    result.figures["pca_scatter"]             # a matplotlib Figure, drawn when asked for
    api.run_report(config, Path("study-out")) # what 'fmstudy run' does: run, then save
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import cached_property
from pathlib import Path

from fmstudy import checks
from fmstudy.data.groups import classes_for_surname, parse_classes
from fmstudy.data.loading import Dataset, load_dataset
from fmstudy.data.own import DataOptions
from fmstudy.data.subsets import Subset, select_classes
from fmstudy.errors import FmstudyError
from fmstudy.evaluation.compare import (
    accuracy_interval,
    bootstrap_accuracy,
    compare_results,
    model_result,
    representative,
)
from fmstudy.evaluation.pca import run_pca
from fmstudy.i18n import language
from fmstudy.models.saved import SAVE_CHOICES
from fmstudy.nets.presets import get_preset
from fmstudy.nets.spec import NetSpec, with_overrides
from fmstudy.overfitting import overfitting
from fmstudy.plots import evaluation as eval_plots
from fmstudy.plots import figures
from fmstudy.report import narrative
from fmstudy.report.figures import Figures
from fmstudy.report.narrative.notebook import curves_text
from fmstudy.report.write import check_out_dir, write_report
from fmstudy.results import network_key
from fmstudy.search.settings import SearchSettings
from fmstudy.study import run
from fmstudy.study.config import StudyConfig

_TORCH = {  # name -> the module that has it; imported on first use
    "train_subset": "fmstudy.nets.training",
    "network_summary": "fmstudy.study.train_networks",
}
__all__ = [
    *_TORCH,
    "DataOptions",
    "Dataset",
    "FmstudyError",
    "NetSpec",
    "SearchSettings",
    "StudyConfig",
    "StudyResult",
    "Subset",
    "accuracy_interval",
    "bootstrap_accuracy",
    "classes_for_surname",
    "compare_results",
    "curves_text",
    "eval_plots",
    "figures",
    "get_preset",
    "language",
    "load_dataset",
    "model_result",
    "narrative",
    "network_key",
    "overfitting",
    "parse_classes",
    "representative",
    "run_pca",
    "run_report",
    "run_study",
    "select_classes",
    "with_overrides",
]


def __getattr__(name: str):
    if name in _TORCH:
        import importlib

        return getattr(importlib.import_module(_TORCH[name]), name)
    raise AttributeError(f"module 'fmstudy.api' has no attribute {name!r}")


@dataclass
class StudyResult(run.StudyRecord):
    """One study's typed results, which can write their report and draw its figures."""

    def save(self, out: str | Path, *, force: bool = False, lang: str | None = None) -> Path:
        """Write the report folder (via a temporary folder renamed into place) in ``lang``
        (default: the config's): its sentences, figures and config.json's language; every
        number is the same in each language."""
        result = self if lang is None else replace(self, config=replace(self.config, lang=lang))
        return write_report(result, Path(out), force=force)

    @cached_property
    def figures(self) -> Figures:
        """The report's figures by key (e.g. ``"pca_scatter"``), in the config's language;
        each matplotlib Figure is drawn when it is asked for."""
        return Figures(self)

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
