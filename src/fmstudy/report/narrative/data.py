"""Task 1's sentences: where the data came from, how it was split and checked, and
whether the classes are even."""

from __future__ import annotations

from fmstudy.data.subsets import UNEVEN
from fmstudy.i18n import gettext as _
from fmstudy.i18n import ngettext, num, pct


def data_source(t1: dict) -> str:
    """How the data was read, split and verified (task 1's verification)."""
    split = t1.get("split", {"kind": "official"})
    if split["kind"] == "official":
        return _(
            "The data are the official split, verified by the SHA-256 of each decompressed file"
        )
    if split["kind"] == "given":
        text = _("The split as given (train and test folders or files)")
    else:
        text = _(
            "No official split: {share} of each class's images were drawn at random as test "
            "images (stratified, seed {seed}), the rest are the training images"
        ).format(share=pct(split["test_share"], 0), seed=split["seed"])
    return (
        text
        + "; "
        + _(
            "the SHA-256 of the data as loaded is recorded (there is no published checksum to "
            "verify it against)"
        )
    )


def duplicates_note(t1: dict) -> str:
    """A warning when test images are identical to training images; '' otherwise."""
    n = t1.get("duplicates") or 0
    if not n:
        return ""
    return ngettext(
        "{n} test image of the data set is identical, pixel for pixel, to a training image: "
        "where it falls in the chosen classes, the test accuracy may overstate the accuracy "
        "on new images.",
        "{n} test images of the data set are identical, pixel for pixel, to training images: "
        "where they fall in the chosen classes, the test accuracy may overstate the accuracy "
        "on new images.",
        n,
    ).format(n=n)


def uneven_note(t1: dict) -> str:
    """When the classes differ in size: what balanced accuracy adds; '' otherwise."""
    if not t1.get("uneven"):
        return ""
    split, counts = max(
        ((k, list(s["per_class"].values())) for k, s in t1["splits"].items()),
        key=lambda kv: max(kv[1]) / max(1, min(kv[1])),
    )
    return _(
        "The classes are uneven (from {low} to {high} images per class in the {split} split; "
        "more than {ratio}× between the largest and the smallest counts as uneven here), so "
        "the summary adds balanced accuracy, the mean of the per-class recalls: a model that "
        "favours the large classes scores lower on it than on accuracy."
    ).format(low=min(counts), high=max(counts), split=_(split), ratio=num(UNEVEN, 2))
