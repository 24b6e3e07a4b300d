"""Task 2 read in words: what the PC1-PC2 scatter and the pictures of the axes show,
and that the pixels were not scaled, from the record :func:`fmstudy.evaluation.pca.
class_reading` made (metrics.json's ``pca.reading``).

    pca_reading_text(metrics.pca, {0: "T-shirt/top", ...})   # [] for a 0.1 record
"""

from __future__ import annotations

import math
import sys

from fmstudy.i18n import gettext as _
from fmstudy.i18n import grouped, joined, ngettext, num, pct


def variance_digits(checks: dict) -> int:
    """Decimals for every variance of Task 2: four significant digits of PC1's variance,
    none from 1,000 up (1,871,027), so each variance is printed one way."""
    v = abs(checks["pc1_variance_sklearn"])
    return max(0, 3 - math.floor(math.log10(v))) if v > 0 else 0


def score_digits(checks: dict) -> int:
    """Decimals for every score (a mean, sd or distance on PC1/PC2): as
    :func:`variance_digits`, for PC1's standard deviation."""
    return variance_digits({"pc1_variance_sklearn": math.sqrt(abs(checks["pc1_variance_sklearn"]))})


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
    digits = score_digits(pca["checks"])
    text = route_text(pca.get("route")) + [_scale_text(pca, r["input"])]
    if r.get("pc1_groups"):
        text.append(_groups_text(r, names))
    if r["pc1_apart"] is not None:
        text.append(_apart_text(r, by_label, names, digits))
        text.append(_overlap_text(r["plane_overlap"], names, digits, len(by_label) == 2))
    text.append(_pictures_text(r, names))
    if r.get("pc1_image") or r.get("pc2_image"):
        text.append(_images_text(r, names))
    return text


def _size(nbytes: int) -> str:
    """Bytes in MiB below 1 GiB, else in GiB, one decimal."""
    if nbytes < 2**30:
        return _("{n} MiB").format(n=num(nbytes / 2**20, 1))
    return _("{n} GiB").format(n=num(nbytes / 2**30, 1))


def route_text(route: dict | None) -> list[str]:
    """How the components were computed where the covariance matrix was not built
    (metrics.json's ``pca.route``, :func:`fmstudy.evaluation.pca_route.choose_route`):
    by an exact or a randomized SVD, and whether the computed components reach 90 %.
    Nothing for the covariance route, which the explanation already describes."""
    if not route or route["solver"] == "covariance":
        return []
    d, n, k = grouped(route["pixels"]), grouped(route["rows"]), route["components"]
    size = _size(route["covariance_bytes"])
    if route["solver"] == "svd":
        return [
            _(
                "With {d} pixels the {d} × {d} covariance matrix would take {size}, so it was "
                "not built: the components are scikit-learn's exact SVD of the {n} × {d} "
                "centred images, which costs less than a randomized SVD for {n} images, and "
                "the covariance matrix's eigenvectors compared with them above come from "
                "Lanczos iteration on Xᵀ(Xv) / (n − 1), which never forms the matrix."
            ).format(d=d, n=n, size=size)
        ]
    text = [
        ngettext(
            "With {d} pixels the {d} × {d} covariance matrix would take {size}, so it was not "
            "built: scikit-learn's randomized SVD of the {n} × {d} centred images computed "
            "the first {k} component, which explains {share} of the total variance. The "
            "total is summed pixel by pixel, so each component's share is exact; the "
            "covariance matrix's eigenvectors compared with the components above come from "
            "Lanczos iteration on Xᵀ(Xv) / (n − 1), which never forms the matrix.",
            "With {d} pixels the {d} × {d} covariance matrix would take {size}, so it was not "
            "built: scikit-learn's randomized SVD of the {n} × {d} centred images computed "
            "the first {k} components, which explain {share} of the total variance. The "
            "total is summed pixel by pixel, so each component's share is exact; the "
            "covariance matrix's eigenvectors compared with the components above come from "
            "Lanczos iteration on Xᵀ(Xv) / (n − 1), which never forms the matrix.",
            k,
        ).format(d=d, n=n, size=size, k=grouped(k), share=pct(route["computed_share"]))
    ]
    if not route["reached_90pct"]:
        text.append(
            _(
                "They explain less than 90 %, so how many components 90 % needs is not known "
                "from them."
            )
        )
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
        pc1=num(pca["checks"]["pc1_variance_sklearn"], variance_digits(pca["checks"])),
        total=num(pca["checks"]["total_variance_numpy"], variance_digits(pca["checks"])),
        sd_min=num(inp["pixel_sd_min"], 2),
        sd_max=num(inp["pixel_sd_max"], 2),
    )


def _sep(x: float) -> str:
    """A distance in pooled sds; the record's float max (classes with no spread) as ∞."""
    return (
        "∞" if x >= sys.float_info.max else num(x, 2)
    )  # distances in pooled sds: 2 decimals everywhere in Task 2


def _groups_text(r: dict, names: dict | None) -> str:
    """The groups along PC1 and PC2 (:func:`fmstudy.evaluation.pca.axis_groups`), and
    how far PC2 sets apart the classes inside PC1's groups."""
    parts = [
        _(
            "Along each axis, sort the class means and split them at the largest gap between "
            "neighbours, where that gap is more than {rule} pooled sd (pooled standard "
            "deviation of the two neighbours)."
        ).format(rule=num(r["pc1_groups"]["threshold"], 0))
    ]
    for axis in ("PC1", "PC2"):
        g = r[f"{axis.lower()}_groups"]
        if g["low"] is None:
            parts.append(
                _("{axis} shows no such gap (the largest is {gap} pooled sd).").format(
                    axis=axis, gap=_sep(max(g["gaps"]))
                )
            )
            continue
        parts.append(
            _(
                "{axis} separates {low} from {high}: a gap of {gap} pooled sd, between {a} and {b}."
            ).format(
                axis=axis,
                low=joined([_name(names, c) for c in g["low"]]),
                high=joined([_name(names, c) for c in g["high"]]),
                gap=_sep(max(g["gaps"])),
                a=_name(names, g["low"][-1]),
                b=_name(names, g["high"][0]),
            )
        )
        pairs = joined(
            [
                _("{a}–{b} {sep}").format(
                    a=_name(names, w["a"]), b=_name(names, w["b"]), sep=_sep(w["separation"])
                )
                for w in g["within"]
            ]
        )
        if pairs and g["tight"]:
            parts.append(
                _(
                    "Within the groups the means are close: neighbours are {pairs} pooled sd apart."
                ).format(pairs=pairs)
            )
        elif pairs:
            parts.append(
                _(
                    "Within the groups, too, some neighbours are more than {rule} pooled sd "
                    "apart ({pairs}); the split is at the largest gap."
                ).format(pairs=pairs, rule=num(g["threshold"], 0))
            )
    inside = r.get("pc2_in_pc1_groups") or []
    if inside:
        pairs = [
            _("{a} and {b} {sep} pooled sd apart").format(
                a=_name(names, p["low"]), b=_name(names, p["high"]), sep=_sep(p["separation"])
            )
            for p in inside
        ]
        parts.append(_("Within PC1's groups, PC2 sets {pairs}.").format(pairs="; ".join(pairs)))
    return " ".join(parts)


def _apart_text(r: dict, by_label: dict, names: dict | None, digits: int) -> str:
    args = {}
    for axis in ("pc1", "pc2"):
        pair = r[f"{axis}_apart"]
        low, high = by_label[pair["low"]], by_label[pair["high"]]
        args |= {
            f"{axis}_low": _name(names, pair["low"]),
            f"{axis}_low_mean": num(low[f"{axis}_mean"], digits),
            f"{axis}_low_sd": num(low[f"{axis}_sd"], digits),
            f"{axis}_high": _name(names, pair["high"]),
            f"{axis}_high_mean": num(high[f"{axis}_mean"], digits),
            f"{axis}_high_sd": num(high[f"{axis}_sd"], digits),
            f"{axis}_d": _sep(pair["separation"]),
        }
    if len(by_label) == 2:  # the only pair: neither furthest nor nearest
        return _(
            "In the scatter, PC1 sets {pc1_low} (mean score {pc1_low_mean}, standard "
            "deviation {pc1_low_sd}) and {pc1_high} ({pc1_high_mean}, sd {pc1_high_sd}) "
            "{pc1_d} pooled standard deviations apart; PC2 sets {pc2_low} ({pc2_low_mean}, "
            "sd {pc2_low_sd}) and {pc2_high} ({pc2_high_mean}, sd {pc2_high_sd}) {pc2_d} "
            "pooled standard deviations apart."
        ).format(**args)
    return _(
        "In the scatter, PC1 pulls {pc1_low} (mean score {pc1_low_mean}, standard "
        "deviation {pc1_low_sd}) and {pc1_high} ({pc1_high_mean}, sd {pc1_high_sd}) "
        "furthest apart: their means are {pc1_d} pooled standard deviations apart. PC2 "
        "pulls {pc2_low} ({pc2_low_mean}, sd {pc2_low_sd}) and {pc2_high} "
        "({pc2_high_mean}, sd {pc2_high_sd}) furthest apart, {pc2_d} pooled standard "
        "deviations."
    ).format(**args)


def _overlap_text(pair: dict, names: dict | None, digits: int, two: bool = False) -> str:
    """The closest pair in the plane (``two``: the only pair), and whether (the record's
    ``overlaps``) their points lie on top of each other."""
    if two and pair["overlaps"]:
        text = _(
            "The two classes {a} and {b} overlap in the PC1-PC2 plane: their means are "
            "{distance} apart, {sep} times their pooled spread ({spread}), so their points lie "
            "on top of each other and these two components alone cannot tell them apart."
        )
    elif two:
        text = _(
            "In the PC1-PC2 plane the means of the two classes {a} and {b} are {distance} "
            "apart, {sep} times their pooled spread ({spread}), more than one spread, so "
            "their points overlap only in part."
        )
    elif pair["overlaps"]:
        text = _(
            "{a} and {b} overlap most in the PC1-PC2 plane: their means are {distance} apart, "
            "{sep} times their pooled spread ({spread}), so their points lie on top of each "
            "other and these two components alone cannot tell them apart."
        )
    else:
        text = _(
            "The pair nearest each other in the PC1-PC2 plane is {a} and {b}: their means are "
            "{distance} apart, {sep} times their pooled spread ({spread}), more than one "
            "spread, so even their points overlap only in part."
        )
    return text.format(
        a=_name(names, pair["a"]),
        b=_name(names, pair["b"]),
        distance=num(pair["distance"], digits),
        sep=_sep(pair["separation"]),
        spread=num(pair["spread"], digits),
    )


def _pictures_text(r: dict, names: dict | None) -> str:
    return _(
        "In the pictures of the principal axes, an image bright where an axis is red and "
        "dark where it is blue scores high on it: the {pc1_high} images have the highest "
        "mean score on PC1 and the {pc1_low} images the lowest; on PC2 the {pc2_high} "
        "images the highest and the {pc2_low} images the lowest."
    ).format(
        pc1_high=_name(names, r["pc1_ends"]["high"]),
        pc1_low=_name(names, r["pc1_ends"]["low"]),
        pc2_high=_name(names, r["pc2_ends"]["high"]),
        pc2_low=_name(names, r["pc2_ends"]["low"]),
    )


def _images_text(r: dict, names: dict | None) -> str:
    """Which class mean images each axis's picture correlates with most and least
    (:func:`fmstudy.evaluation.pca.image_reading`)."""
    parts = [
        _(
            "the picture of {axis} correlates most with the {high} mean (r = {high_r}) and "
            "least with the {low} mean (r = {low_r})"
        ).format(
            axis=axis,
            high=_name(names, im["high"]),
            high_r=num(im["high_r"], 2),
            low=_name(names, im["low"]),
            low_r=num(im["low_r"], 2),
        )
        for axis in ("PC1", "PC2")
        if (im := r.get(f"{axis.lower()}_image"))
    ]
    return _(
        "Compared with each class's mean image minus the mean of all images (Pearson's r), {parts}."
    ).format(parts="; ".join(parts))
