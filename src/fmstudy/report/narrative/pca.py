"""Task 2 read in words: what the PC1-PC2 scatter and the pictures of the axes show,
and that the pixels were not scaled, from the record :func:`fmstudy.evaluation.pca.
class_reading` made (metrics.json's ``pca.reading``).

    pca_reading_text(metrics.pca, {0: "T-shirt/top", ...})   # [] for a 0.1 record
"""

from __future__ import annotations

from fmstudy.i18n import gettext as _
from fmstudy.i18n import num


def _name(names: dict | None, label: int) -> str:
    """A class's shown name, or its label where the names are not known."""
    if names and label in names:
        return names[label]
    return _("class {label}").format(label=label)


def pca_reading_text(pca: dict, names: dict | None = None) -> list[str]:
    """The scatter's and the axes' pictures' reading and the input's scale, worded; no
    sentence where the record has no reading (metrics written by 0.1)."""
    r = pca.get("reading")
    if not r:
        return []
    by_label = {c["label"]: c for c in r["classes"]}
    text = [_scale_text(pca, r["input"])]
    if r["pc1_apart"] is not None:
        text.append(_apart_text(r, by_label, names))
        text.append(_overlap_text(r["plane_overlap"], names))
    text.append(_pictures_text(r, names))
    return text


def _scale_text(pca: dict, inp: dict) -> str:
    return _(
        "The PCA ran on the pixel values as loaded, from {lo} to {hi}, neither scaled nor "
        "standardized: a variance is in squared pixel values, which is why PC1's is "
        "{pc1} and the total {total}. Standardizing every pixel to mean 0 and standard "
        "deviation 1 would weigh each pixel equally: the pixels' standard deviations here "
        "run from {sd_min} to {sd_max}, so nearly constant border pixels would be blown "
        "up to the same weight as the pixels where the images differ, and the components "
        "would change."
    ).format(
        lo=num(inp["min"], 0),
        hi=num(inp["max"], 0),
        pc1=num(pca["checks"]["pc1_variance_sklearn"], 0),
        total=num(pca["checks"]["total_variance_numpy"], 0),
        sd_min=num(inp["pixel_sd_min"], 2),
        sd_max=num(inp["pixel_sd_max"], 2),
    )


def _apart_text(r: dict, by_label: dict, names: dict | None) -> str:
    args = {}
    for axis in ("pc1", "pc2"):
        pair = r[f"{axis}_apart"]
        low, high = by_label[pair["low"]], by_label[pair["high"]]
        args |= {
            f"{axis}_low": _name(names, pair["low"]),
            f"{axis}_low_mean": num(low[f"{axis}_mean"], 0),
            f"{axis}_low_sd": num(low[f"{axis}_sd"], 0),
            f"{axis}_high": _name(names, pair["high"]),
            f"{axis}_high_mean": num(high[f"{axis}_mean"], 0),
            f"{axis}_high_sd": num(high[f"{axis}_sd"], 0),
            f"{axis}_d": num(pair["separation"], 1),
        }
    return _(
        "In the scatter, PC1 pulls {pc1_low} (mean score {pc1_low_mean}, standard "
        "deviation {pc1_low_sd}) and {pc1_high} ({pc1_high_mean}, sd {pc1_high_sd}) "
        "furthest apart: their means are {pc1_d} pooled standard deviations apart. PC2 "
        "pulls {pc2_low} ({pc2_low_mean}, sd {pc2_low_sd}) and {pc2_high} "
        "({pc2_high_mean}, sd {pc2_high_sd}) furthest apart, {pc2_d} pooled standard "
        "deviations."
    ).format(**args)


def _overlap_text(pair: dict, names: dict | None) -> str:
    return _(
        "{a} and {b} overlap most in the PC1-PC2 plane: their means are {distance} apart, "
        "{sep} times their pooled spread ({spread}), so their points lie on top of each "
        "other and these two components alone cannot tell them apart."
    ).format(
        a=_name(names, pair["a"]),
        b=_name(names, pair["b"]),
        distance=num(pair["distance"], 1),
        sep=num(pair["separation"], 2),
        spread=num(pair["spread"], 1),
    )


def _pictures_text(r: dict, names: dict | None) -> str:
    return _(
        "In the pictures of the principal axes, an image bright where an axis is red and "
        "dark where it is blue scores high on it: PC1's red end is where {pc1_high} lie "
        "(the highest mean score) and its blue end where {pc1_low} lie; PC2's red end is "
        "{pc2_high}, its blue end {pc2_low}."
    ).format(
        pc1_high=_name(names, r["pc1_ends"]["high"]),
        pc1_low=_name(names, r["pc1_ends"]["low"]),
        pc2_high=_name(names, r["pc2_ends"]["high"]),
        pc2_low=_name(names, r["pc2_ends"]["low"]),
    )
