"""The sentences a study notebook prints from the numbers its cells just computed (the
rest of its words are the report's, from :mod:`.models` and :mod:`.networks`)."""

from __future__ import annotations

from fmstudy.i18n import gettext as _
from fmstudy.i18n import grouped, ngettext, num, pct
from fmstudy.results import ModelResult


def kept_text(kept: dict, total: dict) -> str:
    """Task 1b's check: rows kept per split (``{"train": n, "test": n}``) of all rows."""
    return _(
        "Kept {train} of {train_all} training rows ({train_share}) and {test} of {test_all} "
        "test rows ({test_share})."
    ).format(
        train=grouped(kept["train"]),
        train_all=grouped(total["train"]),
        train_share=pct(kept["train"] / total["train"]),
        test=grouped(kept["test"]),
        test_all=grouped(total["test"]),
        test_share=pct(kept["test"] / total["test"]),
    )


def accuracy_text(ev: ModelResult, ci95: tuple[float, float]) -> str:
    """One model's test accuracy with its Wilson interval, and its macro F1."""
    return _(
        "Test accuracy {acc} (95 % Wilson interval {low}–{high}: test-set sampling "
        "only), macro F1 {f1}."
    ).format(acc=num(ev.accuracy), low=num(ci95[0]), high=num(ci95[1]), f1=num(ev.macro_f1))


def curves_text(verdict: dict) -> str:
    """Task 5's overfitting verdict (:func:`fmstudy.overfitting.overfitting`) in words: where
    the mean validation loss is lowest and how many seeds' curves rise clearly after it."""
    seeds = len(verdict["overfit_seeds"])
    low = _("The mean validation loss is lowest at epoch {epoch} (the dotted line).").format(
        epoch=verdict["marked_epoch"]
    )
    rising = sum(verdict["overfit_seeds"])
    if verdict["overfits"]:
        said = ngettext(
            "{n} of {seeds} seed's validation loss ends clearly above its lowest point "
            "(more than twice its epoch-to-epoch change): overfitting.",
            "{n} of {seeds} seeds' validation losses end clearly above their lowest point "
            "(more than twice their epoch-to-epoch change): overfitting.",
            seeds,
        )
    else:
        said = ngettext(
            "{n} of {seeds} seed's validation loss ends clearly above its lowest point: no "
            "overfitting shown in these epochs.",
            "{n} of {seeds} seeds' validation losses end clearly above their lowest point: no "
            "overfitting shown in these epochs.",
            seeds,
        )
    return low + " " + said.format(n=rising, seeds=seeds)
