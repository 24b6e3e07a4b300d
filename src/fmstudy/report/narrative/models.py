"""The study's sentences: PCA, each classical model, the comparison, the budget banner.

Every message is a gettext message (:mod:`fmstudy.i18n`) with named placeholders, and
every number is formatted for the current language.  The verdicts they word (which
pairs are worth discussing, a forest's seed statistics, what a budget cut) are in the
records."""

from __future__ import annotations

from fmstudy.evaluation.compare import MIN_PAIR_MISTAKES
from fmstudy.i18n import gettext as _
from fmstudy.i18n import grouped, ngettext, num, pct, sig
from fmstudy.models import registry
from fmstudy.report.narrative.pca import pca_reading_text, variance_digits
from fmstudy.report.narrative.zoo import kind_note
from fmstudy.results import CLASSICAL_TASKS, ModelResult, StudyMetrics, network_name, seed_summary

__all__ = ["CLASSICAL_TASKS", "MIN_PAIR_MISTAKES"]  # re-exported: where they are defined


def label_of(ev) -> str:
    """A model's name in the current language (metrics.json keeps the English one)."""
    if getattr(ev, "label_id", ""):
        return _(ev.label_id).format(**ev.label_args)
    return ev.label


def short_label(key: str, ev) -> str:
    """A model's name in the pair tables: a network's own name (its label says the rest),
    the search's best, a classical model's full label, so that it reads as everywhere
    else in the report."""
    if network_name(key) is not None:
        return network_name(key)
    if key == "search-best":
        return _("search best")
    registry.for_key(key)  # an unknown kind is a bug, said as such
    return label_of(ev)


def listed(items) -> str:
    """Items joined with commas."""
    return ", ".join(items)


def pca_text(pca: dict, names: dict | None = None) -> list[str]:
    """The explanation of PCA and variance, backed by this data's numbers, and its reading
    (:mod:`.pca`; classes by ``names``, label -> shown name, or by label)."""
    c = pca["checks"]
    var = variance_digits(c)  # one precision for every variance of the task
    explained = [
        _(
            "PCA looks for the directions in pixel space along which the images differ most. "
            "Each image is a point in {n} dimensions; after subtracting the mean image, the "
            "first principal component (PC1) is the unit vector w that maximises the variance "
            "of the projections x·w, PC2 the one that does so among the directions orthogonal "
            "to PC1, and so on. These directions are the eigenvectors of the covariance "
            "matrix, and the variance along each is its eigenvalue."
        ).format(n=grouped(c["n_features"])),
        _(
            "Variance is the mean squared deviation from the mean: var(z) = Σ(zᵢ − z̄)² / (n − 1). "
            "On these {rows} training images the variance along PC1 computed by hand is "
            "{hand}; numpy's np.var(ddof=1) gives {np} and scikit-learn's explained_variance_ "
            "{sk}. The total variance (sum over pixels) is {total_hand} by hand and "
            "{total_np} by numpy."
        ).format(
            rows=grouped(c["n_samples"]),
            hand=num(c["pc1_variance_by_hand"], var),
            np=num(c["pc1_variance_numpy"], var),
            sk=num(c["pc1_variance_sklearn"], var),
            total_hand=num(c["total_variance_by_hand"], var),
            total_np=num(c["total_variance_numpy"], var),
        ),
        (
            ngettext(
                "PC1 explains {pc1} of the total variance and PC2 {pc2}; {k} component is "
                "needed for 90 %.",
                "PC1 explains {pc1} of the total variance and PC2 {pc2}; {k} components are "
                "needed for 90 %.",
                c["components_for_90pct"],
            )
            if c["components_for_90pct"] is not None
            # the randomized route stopped short of 90 %: narrative/pca.py route_text says so
            else _("PC1 explains {pc1} of the total variance and PC2 {pc2}.")
        ).format(pc1=pct(c["pc1_ratio"]), pc2=pct(c["pc2_ratio"]), k=c["components_for_90pct"]),
        _(
            "Eigen-decomposition of the covariance matrix gives scikit-learn's components: the "
            "smallest |cosine| between the two for the first {k} components is {cos} (1 means "
            "identical up to sign). The variance along PC1 ({pc1}) beats the variance along "
            "each of {n} random unit directions (largest {max}, mean {mean}), and PC1·PC2 = "
            "{dot}: they are orthogonal."
        ).format(
            k=c["eig_components_compared"],
            cos=num(c["eig_vs_sklearn_abs_cosine_min"], 6),
            pc1=num(c["pc1_variance_sklearn"], var),
            n=grouped(c["random_directions"]),
            max=num(c["random_direction_variance_max"], var),
            mean=num(c["random_direction_variance_mean"], var),
            dot=sig(c["pc1_dot_pc2"], 2),
        ),
    ]
    return explained + pca_reading_text(pca, names)


def fit_note(ev: ModelResult, all_rows: int, compared: bool = False) -> str:
    """How a classical model was fitted: rows, seeds or determinism, which fit is shown
    (and, where the report ``compared`` models, that the verdicts are about it)."""
    d = ev.details
    rows = d.get("train_rows", all_rows)
    if rows < all_rows:
        text = _("Learnt from {rows} training rows (a stratified sample of the {all}).")
    else:
        text = _("Learnt from {rows} training rows.")
    text = text.format(rows=grouped(rows), all=grouped(all_rows))
    if "oob_per_seed" in d:
        seeds = ev.seed_summary or seed_summary(d["test_acc_per_seed"])  # made by hand: as then
        median = _("median") if seeds["rule"] == "median" else _("lower median")
        text += " " + ngettext(
            "Grown with {n} seed (random_state {seeds}): test accuracy {mean} ± {sd} over the "
            "seeds, out-of-bag accuracy {oob}.",
            "Grown with {n} seeds (random_state {seeds}): test accuracy {mean} ± {sd} over the "
            "seeds, out-of-bag accuracy {oob}.",
            len(d["seeds"]),
        ).format(
            n=len(d["seeds"]),
            seeds=listed(map(str, d["seeds"])),
            mean=num(seeds["test_acc_mean"]),
            sd=num(seeds["test_acc_sd"]),
            oob=listed(num(v) for v in d["oob_per_seed"]),
        )
        text += " " + ngettext(
            "The forest shown, with {trees} tree, is random_state {seed}, the {median} by "
            "out-of-bag accuracy (ties in seed order; the test set chose nothing).",
            "The forest shown, with {trees} trees, is random_state {seed}, the {median} by "
            "out-of-bag accuracy (ties in seed order; the test set chose nothing).",
            d["n_trees"],
        ).format(trees=d["n_trees"], seed=d["seed"], median=median)
        if compared:
            text += " " + _("The comparison's verdicts are about it.")
    else:
        text += " " + kind_note(ev)
    return text


def discussion(ev: ModelResult, similar_pairs: list, names: dict) -> list[str]:
    """Which classes a model confuses, with counts, and why (mean-image similarity): the
    pairs its record marks ``discussed`` (see fmstudy.evaluation.compare)."""
    out = []
    per_class = listed(
        f"{names[int(c)]} {grouped(n)}/{grouped(sum(row))}"
        for (c, n), row in zip(ev.correct_per_class.items(), ev.confusion, strict=True)
    )
    out.append(_("Right per class: {counts}.").format(counts=per_class))
    sim = {(d["a"], d["b"]): d["correlation"] for d in similar_pairs}
    for i, p in enumerate(ev.confused_pairs):
        if not p.get("discussed", True):
            break  # a pair with a handful of mistakes says nothing about the classes
        r = sim.get((p["a"], p["b"]))
        a, b = names[p["a"]], names[p["b"]]
        if len(ev.confusion) == 2:  # two classes: one pair, neither most nor least
            line = ngettext(
                "Between {a} and {b}: {ab} {a} image was called {b} and {ba} the other way "
                "round ({total} in all).",
                "Between {a} and {b}: {ab} {a} images were called {b} and {ba} the other way "
                "round ({total} in all).",
                p["a_as_b"],
            )
        elif i == 0:
            line = ngettext(
                "The most confused pair is {a} / {b}: {ab} {a} image was called {b} and "
                "{ba} the other way round ({total} in all).",
                "The most confused pair is {a} / {b}: {ab} {a} images were called {b} and "
                "{ba} the other way round ({total} in all).",
                p["a_as_b"],
            )
        elif i == 1:
            line = ngettext(
                "The second most confused pair is {a} / {b}: {ab} {a} image was called {b} "
                "and {ba} the other way round ({total} in all).",
                "The second most confused pair is {a} / {b}: {ab} {a} images were called {b} "
                "and {ba} the other way round ({total} in all).",
                p["a_as_b"],
            )
        elif i == 2:
            line = ngettext(
                "The third most confused pair is {a} / {b}: {ab} {a} image was called {b} "
                "and {ba} the other way round ({total} in all).",
                "The third most confused pair is {a} / {b}: {ab} {a} images were called {b} "
                "and {ba} the other way round ({total} in all).",
                p["a_as_b"],
            )
        else:
            line = ngettext(
                "Another often confused pair is {a} / {b}: {ab} {a} image was called {b} "
                "and {ba} the other way round ({total} in all).",
                "Another often confused pair is {a} / {b}: {ab} {a} images were called {b} "
                "and {ba} the other way round ({total} in all).",
                p["a_as_b"],
            )
        line = line.format(a=a, b=b, ab=p["a_as_b"], ba=p["b_as_a"], total=p["total"])
        if r is not None and r == max(sim.values()) and len(sim) > 1:
            line += " " + _(
                "Their mean training images correlate at r = {r}, the most similar pair."
            ).format(r=num(r, 2))
        elif r is not None:
            line += " " + _("Their mean training images correlate at r = {r}.").format(r=num(r, 2))
        out.append(line)
    return out


def reduced_budget(m: StudyMetrics, labels: dict) -> str | None:
    """The banner of a report made on reduced budgets, from what the record says was cut
    (``m.budget``, fmstudy.study.budget); None when every model had the full budget."""
    b = m.budget
    if not b:
        return None
    fewer = sorted(
        ((labels[k], rows) for k, rows in b["subsampled"].items()), key=lambda i: i[0].lower()
    )
    parts = []
    for n in sorted({n for _label, n in fewer}, reverse=True):
        models = [label for label, k in fewer if k == n]
        parts.append(
            ngettext(
                "{models} learns from a stratified {rows} of the {all} training rows",
                "{models} learn from a stratified {rows} of the {all} training rows",
                len(models),
            ).format(models=listed(models), rows=grouped(n), all=grouped(b["train_rows"]))
        )
    if b["network_epochs"] is not None:
        parts.append(
            ngettext(
                "the networks train for at most {epochs} epoch",
                "the networks train for at most {epochs} epochs",
                b["network_epochs"],
            ).format(epochs=b["network_epochs"])
            + " "
            + ngettext("with {n} seed", "with {n} seeds", b["network_seeds"]).format(
                n=b["network_seeds"]
            )
        )
    if b["logreg_max_iter"] is not None:
        parts.append(
            ngettext(
                "the logistic regressions stop after at most {n} iteration",
                "the logistic regressions stop after at most {n} iterations",
                b["logreg_max_iter"],
            ).format(n=b["logreg_max_iter"])
        )
    if b["bootstrap"] is not None:
        parts.append(
            ngettext(
                "the intervals of the differences use {n} bootstrap resample",
                "the intervals of the differences use {n} bootstrap resamples",
                b["bootstrap"],
            ).format(n=grouped(b["bootstrap"]))
        )
    if b["reduced_profile"]:
        who = _("profile {profile}").format(profile=b["profile"])
    else:
        who = _("subsampled training rows")
    return _(
        "Reduced budget ({who}): {parts}. This report shows that every step runs; its "
        "numbers are not for conclusions about the models."
    ).format(who=who, parts="; ".join(parts))


def cache_note(timings: dict) -> str:
    """How many of the run's fits came from the cache: its time is then not the fits'."""
    fits = [t.get("cached", False) for t in timings.get("models", {}).values()]
    fits += [
        seed.get("cached", False)
        for seeds in timings.get("networks", {}).values()
        for seed in seeds.values()
    ]
    reused = sum(fits)
    if not reused:
        return ""
    return ngettext(
        "{n} of the {all} fits was reused from the cache; the fit seconds shown are from its "
        "first training.",
        "{n} of the {all} fits were reused from the cache; the fit seconds shown are from their "
        "first training.",
        reused,
    ).format(n=reused, all=len(fits))
