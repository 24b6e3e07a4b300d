"""The sentences a study notebook prints from the numbers its cells just computed (the
rest of its words are the report's, from :mod:`.models` and :mod:`.networks`)."""

from __future__ import annotations

from fmstudy.i18n import gettext as _
from fmstudy.i18n import grouped, num, pct
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
