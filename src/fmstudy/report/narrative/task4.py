"""Task 4 answered in words: which input form of the logistic regression did better, by
how much and how surely, and the measured evidence for why, from the record
:func:`fmstudy.evaluation.input_forms.task4_record` made (metrics.json's ``task4``).

    task4_text(metrics.task4, {"logreg_raw": "Logistic regression (pixels / 255)", ...})
"""

from __future__ import annotations

from fmstudy.i18n import gettext as _
from fmstudy.i18n import grouped, ngettext, num, pct, pvalue

FORMS = ("logreg_raw", "logreg_std")


def task4_text(t4: dict | None, labels: dict[str, str], budget: dict | None = None) -> list[str]:
    """The answer's paragraphs: the verdict (with both forms), each fit's iterations and
    training against test accuracy, and the nearly constant pixels; [] without a record.
    ``budget`` (metrics.json's, fmstudy.study.budget) says whether a reduced profile cut
    the iteration cap, which a verdict against an unconverged fit then names."""
    if not t4:
        return []
    forms = t4["forms"]
    cap = (budget or {}).get("logreg_max_iter")
    text = [_only(forms, labels) if len(forms) == 1 else _verdict(t4, labels, cap)]
    text.append(" ".join(_fit(forms[k], labels[k]) for k in FORMS if k in forms))
    if t4["larger_gap"] is not None:  # set with both forms
        text.append(_gap(t4, labels))
    if t4.get("pixels"):
        text.append(_pixels(t4["pixels"], t4))
    return [t for t in text if t]


def _only(forms: dict, labels: dict) -> str:
    (key,) = forms
    return _("Only {label} was run, so this study does not compare the two input forms.").format(
        label=labels[key]
    )


def _verdict(t4: dict, labels: dict, cap: int | None) -> str:
    acc = {k: t4["forms"][k]["test_accuracy"] for k in FORMS}
    if t4["better"] is None:
        return _(
            "Both input forms got the same test accuracy, {acc}: indistinguishable here."
        ).format(acc=num(acc[FORMS[0]]))
    better = t4["better"]
    other = FORMS[1] if better == FORMS[0] else FORMS[0]
    d, lo, hi = (100 * v for v in t4["difference"])
    args = {
        "better": labels[better],
        "other": labels[other],
        "a": pct(acc[better], 2),
        "b": pct(acc[other], 2),
        "d": num(d, 2),
        "lo": num(lo, 2, sign=True),
        "hi": num(hi, 2, sign=True),
    }
    head = _(
        "{better} got {a} of the test images right and {other} {b}: {d} points more "
        "(95 % paired bootstrap interval of the difference {lo} to {hi} points)."
    ).format(**args)
    unfinished = ""
    if cap is not None and t4["forms"][other]["converged"] is False:
        unfinished = " " + ngettext(
            "Under this profile's cap of {cap} iteration the fit of {other} did not finish; "
            "with the full budget this verdict may differ.",
            "Under this profile's cap of {cap} iterations the fit of {other} did not finish; "
            "with the full budget this verdict may differ.",
            cap,
        ).format(cap=grouped(cap), other=labels[other])
    if t4["distinguishable"] is None:
        return head + unfinished
    p = pvalue(t4["p_holm"])
    if t4["distinguishable"]:
        tail = _(
            "McNemar's test on the same images calls the difference real at 0.05 "
            "(Holm-corrected p {p}): here {better} is the better input form."
        ).format(p=p, better=labels[better])
    else:
        tail = _(
            "McNemar's test on the same images does not call it a difference at 0.05 "
            "(Holm-corrected p {p}): the two input forms are indistinguishable here."
        ).format(p=p)
    return f"{head} {tail}{unfinished}"


def _fit(f: dict, label: str) -> str:
    if f["converged"] is None:
        return ""
    if f["converged"]:
        return ngettext(
            "{label} converged in {n} iteration (cap {cap}).",
            "{label} converged in {n} iterations (cap {cap}).",
            f["n_iter"],
        ).format(label=label, n=grouped(f["n_iter"]), cap=grouped(f["max_iter"]))
    return ngettext(
        "{label} stopped at its cap of {cap} iteration without converging: its weights "
        "are those of an unfinished optimisation.",
        "{label} stopped at its cap of {cap} iterations without converging: its weights "
        "are those of an unfinished optimisation.",
        f["max_iter"],
    ).format(label=label, cap=grouped(f["max_iter"]))


def _gap(t4: dict, labels: dict) -> str:
    forms = t4["forms"]
    wide = t4["larger_gap"]
    narrow = FORMS[1] if wide == FORMS[0] else FORMS[0]
    args = {
        "wide": labels[wide],
        "narrow": labels[narrow],
        "wtr": num(forms[wide]["train_accuracy"]),
        "wte": num(forms[wide]["test_accuracy"]),
        "wgap": num(100 * forms[wide]["gap"], 2),
        "ntr": num(forms[narrow]["train_accuracy"]),
        "nte": num(forms[narrow]["test_accuracy"]),
        "ngap": num(100 * forms[narrow]["gap"], 2),
    }
    text = _(
        "Training against test accuracy: {wide} {wtr} against {wte} (a gap of {wgap} "
        "points), {narrow} {ntr} against {nte} ({ngap} points)."
    ).format(**args)
    if t4["better"] == narrow:
        text += " " + _(
            "{wide} fits its own training rows more closely but does worse on new images, "
            "consistent with it overfitting more."
        ).format(**args)
    return text


def _pixels(px: dict, t4: dict) -> str:
    args = {
        "n": grouped(px["near_constant"]),
        "of": grouped(px["pixels"]),
        "rows": grouped(px["rows"]),
        "thr": num(px["sd_threshold"], 2),
        "range": num(px["value_range"], 0),
        "const": grouped(px["constant"]),
    }
    if px["near_constant"] == 0:
        return _(
            "No pixel is nearly constant on the {rows} training rows the logistic "
            "regressions learnt from (standard deviation below {thr}, 1 % of the pixel value range {range}): "
            "standardizing blows up no pixel here."
        ).format(**args)
    if px["constant"]:
        const = ngettext(
            "{const} of them is exactly constant",
            "{const} of them are exactly constant",
            px["constant"],
        ).format(**args)
    else:
        const = _("none is exactly constant")
    text = ngettext(
        "{n} of the {of} pixels is nearly constant on the {rows} training rows the logistic "
        "regressions learnt from (standard deviation below {thr}, 1 % of the pixel value range "
        "{range}); {constant}.",
        "{n} of the {of} pixels are nearly constant on the {rows} training rows the logistic "
        "regressions learnt from (standard deviation below {thr}, 1 % of the pixel value range "
        "{range}); {constant}.",
        px["near_constant"],
    ).format(**args, constant=const)
    values, images = px["test_values_over"], px["test_images_over"]
    z = {
        "z": num(px["max_abs_z"], 1),
        "zt": num(px["z_threshold"], 0),
        "values": ngettext("{n} value", "{n} values", values).format(n=grouped(values)),
        "images": ngettext("{n} test image", "{n} test images", images).format(n=grouped(images)),
    }
    if px["test_values_over"] == 0:
        return (
            text
            + " "
            + _(
                "In these pixels no standardized test value lies beyond {zt} standard "
                "deviations from the training mean (the largest is {z})."
            ).format(**z)
        )
    text += " " + _(
        "Standardizing divides each pixel by its standard deviation, so a test image "
        "that differs from the training mean there is blown up: in these pixels the test "
        "images reach {z} standard deviations from the mean, with {values} in {images} "
        "beyond {zt} standard deviations."
    ).format(**z)
    if t4.get("better") == "logreg_raw":
        text += " " + _(
            "Weights learnt where the training rows hardly vary then meet values far "
            "outside them: consistent with the standardized form's lower test accuracy, "
            "though these numbers do not show it is the cause."
        )
    return text
