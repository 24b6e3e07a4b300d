"""Task 5's overfitting sentence: the verdict :func:`fmstudy.overfitting.overfitting`
stored on a network's record (``NetworkResult.overfit_*``), in words."""

from __future__ import annotations

from fmstudy.i18n import gettext as _
from fmstudy.i18n import ngettext, num
from fmstudy.results import NetworkResult


def seeds_counted(n: int) -> str:
    return ngettext("{n} seed", "{n} seeds", n).format(n=n)


def overfitting_sentence(name: str, n: NetworkResult) -> str:
    """The stored overfitting verdict (fmstudy.overfitting): where the mean validation loss is
    lowest (the figure's line), each seed's lowest epoch, its rise and typical epoch-to-epoch
    change, how many overfit; without a verdict of overfitting, how many seeds' curves are
    lowest at their last epoch (still falling: more epochs could show it)."""
    ran = min(len(h["val_loss"]) for h in n.histories)
    if max(len(h["val_loss"]) for h in n.histories) > ran:
        low = _(
            "the mean validation loss over {seeds} is lowest at epoch {epoch} of the {ran} that "
            "every seed ran (the dotted line in its figure)"
        )
    else:
        low = _(
            "the mean validation loss over {seeds} is lowest at epoch {epoch} of {ran} (the "
            "dotted line in its figure)"
        )
    low = low.format(seeds=seeds_counted(len(n.seeds)), epoch=n.marked_epoch, ran=ran)
    stop = ""
    if n.early_stopping:
        stop = " " + _(
            "Early stopping (patience {patience}) kept each seed's weights from its own best epoch."
        ).format(patience=n.spec["patience"])
    if not n.overfit_seeds:  # a metrics.json written before the per-seed verdicts
        return _("{name}: {low}; no overfitting verdict stored.").format(name=name, low=low) + stop
    lengths = [len(h["val_loss"]) for h in n.histories]
    lows = [
        _("seed {seed} at epoch {epoch}, its last (still falling)").format(seed=seed, epoch=e)
        if e == last
        else _(
            "seed {seed} at epoch {epoch}, ending {rise} above it (typical change {noise})"
        ).format(seed=seed, epoch=e, rise=num(rise, 3), noise=num(noise, 3))
        for seed, e, rise, noise, last in zip(
            n.seeds, n.overfit_epochs, n.overfit_rises, n.overfit_noise, lengths, strict=True
        )
    ]
    k, total = sum(n.overfit_seeds), len(n.overfit_seeds)
    falling = sum(e == last for e, last in zip(n.overfit_epochs, lengths, strict=True))
    if n.overfits:
        verdict = ngettext(
            "{k} of its {n} seed: it overfits", "{k} of its {n} seeds: it overfits", total
        )
    elif falling:
        verdict = ngettext(
            "{k} of its {n} seed: no overfitting seen {within}{most}; the validation loss was "
            "still falling at its last epoch in {falling} of {n} seed, so more epochs could "
            "still show it",
            "{k} of its {n} seeds: no overfitting seen {within}{most}; the validation loss was "
            "still falling at its last epoch in {falling} of {n} seeds, so more epochs could "
            "still show it",
            total,
        )
    else:
        verdict = ngettext(
            "{k} of its {n} seed: no overfitting{most}",
            "{k} of its {n} seeds: no overfitting{most}",
            total,
        )
    within = (
        ngettext("in {epochs} epoch", "in {epochs} epochs", ran).format(epochs=ran)
        if max(lengths) == ran
        else _("in the epochs run")
    )
    most = _(" (that needs more than half of the seeds)") if k else ""
    text = _(
        "{name}: {low}. Each seed's own validation loss is lowest for {lows}. A seed overfits "
        "when its validation "
        "loss at its last epoch lies more than twice its typical epoch-to-epoch change (the "
        "median) above its minimum; this happens in {verdict}."
    )
    lows = "; ".join(lows)
    verdict = verdict.format(k=k, n=total, within=within, most=most, falling=falling)
    return text.format(name=name, low=low, lows=lows, verdict=verdict) + stop
