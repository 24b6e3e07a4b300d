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


def near_duplicates_note(t1: dict) -> str:
    """The near-duplicate check of task 1 (own data, digits): how many test images have a
    near-copy among the training images, by what rule, with the closest pairs (file names
    for image folders, row numbers otherwise); '' where it was not made."""
    found = t1.get("near_duplicates")
    if not found or "stands_out" not in found:
        return ""
    rule = _(
        "compared at 32×32 grey over the part they share when shifted by up to {shift} of "
        "the side, their patterns correlate at {r} or more, and at most {share} times as far "
        "from a perfect 1 as with the next closest training image; identical images included"
    ).format(
        shift=pct(found["max_shift"], 0),
        r=num(found["min_correlation"], 2),
        share=num(found["stands_out"], 1),
    )
    limits = _(
        "Flipped, rotated or rescaled copies, crops shifted further, and images with several "
        "near-copies among the training images are not found this way."
    )
    n = found["count"]
    if not n:
        text = _("No test image of the chosen classes is a near-copy of a training image ({rule}).")
        return text.format(rule=rule) + " " + limits
    pairs = ", ".join(
        _("test {test} ~ train {train}").format(test=e["test"], train=e["train"])
        for e in found["examples"]
    )
    named = isinstance(found["examples"][0]["test"], str)
    where = (
        _("files relative to the data folder")
        if named
        else _("image numbers within the chosen classes' test and training images")
    )
    return (
        ngettext(
            "{n} test image of the chosen classes is a near-copy of a training image ({rule}): "
            "the test accuracy may overstate the accuracy on new images. Closest pairs ({where}): "
            "{pairs}.",
            "{n} test images of the chosen classes are near-copies of training images ({rule}): "
            "the test accuracy may overstate the accuracy on new images. Closest pairs ({where}): "
            "{pairs}.",
            n,
        ).format(n=n, rule=rule, where=where, pairs=pairs)
        + " "
        + limits
    )


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
