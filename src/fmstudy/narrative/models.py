"""The study's sentences: PCA, each classical model, the comparison, the budget banner."""

from __future__ import annotations

import numpy as np

from fmstudy.compare import ALPHA
from fmstudy.config import StudyConfig
from fmstudy.results import ModelResult, PairTest, StudyMetrics

MIN_PAIR_MISTAKES = 10  # beyond the worst pair, fewer mistakes are not discussed


def counted(n: int, word: str) -> str:
    """``1 seed``, ``3 seeds``: a count with its noun in the right number."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def pca_text(pca: dict) -> list[str]:
    """The explanation of PCA and variance, backed by this data's numbers."""
    c = pca["checks"]
    return [
        "PCA looks for the directions in pixel space along which the images differ most. "
        f"Each image is a point in {c['n_features']} dimensions; after subtracting the mean "
        "image, the first principal component (PC1) is the unit vector w that maximises the "
        "variance of the projections x·w, PC2 the one that does so among the directions "
        "orthogonal to PC1, and so on. These directions are the eigenvectors of the "
        "covariance matrix, and the variance along each is its eigenvalue.",
        "Variance is the mean squared deviation from the mean: "
        "var(z) = Σ(zᵢ − z̄)² / (n − 1). "
        f"On these {c['n_samples']} training images the variance along PC1 computed by hand "
        f"is {c['pc1_variance_by_hand']:.2f}; numpy's np.var(ddof=1) gives "
        f"{c['pc1_variance_numpy']:.2f} and scikit-learn's explained_variance_ "
        f"{c['pc1_variance_sklearn']:.2f}. The total variance (sum over pixels) is "
        f"{c['total_variance_by_hand']:.1f} by hand and {c['total_variance_numpy']:.1f} "
        "by numpy.",
        f"PC1 explains {c['pc1_ratio']:.1%} of the total variance and PC2 "
        f"{c['pc2_ratio']:.1%}; {c['components_for_90pct']} components are needed for 90 %.",
        "Eigen-decomposition of the covariance matrix gives scikit-learn's components: the "
        f"smallest |cosine| between the two for the first {c['eig_components_compared']} "
        f"components is {c['eig_vs_sklearn_abs_cosine_min']:.6f} (1 means identical up to "
        f"sign). The variance along PC1 ({c['pc1_variance_sklearn']:.1f}) beats the "
        f"variance along each of {c['random_directions']} random unit directions (largest "
        f"{c['random_direction_variance_max']:.1f}, mean "
        f"{c['random_direction_variance_mean']:.1f}), and PC1·PC2 = "
        f"{c['pc1_dot_pc2']:.1e}: they are orthogonal.",
    ]


def fit_note(ev: ModelResult, all_rows: int) -> str:
    """How a classical model was fitted: rows, seeds or determinism, which fit is shown."""
    d = ev.details
    rows = d.get("train_rows", all_rows)
    text = f"Learnt from {rows:,} training rows" + (
        f" (a stratified sample of the {all_rows:,})." if rows < all_rows else "."
    )
    if "oob_per_seed" in d:
        accs = np.array(d["test_acc_per_seed"])
        oob = ", ".join(f"{v:.4f}" for v in d["oob_per_seed"])
        text += (
            f" Grown with {counted(len(d['seeds']), 'seed')} (random_state "
            f"{', '.join(map(str, d['seeds']))}): test accuracy {accs.mean():.4f} ± "
            f"{accs.std(ddof=1):.4f} over the seeds, out-of-bag accuracy {oob}. The forest "
            f"shown, with {d['n_trees']} trees, is random_state {d['seed']}, the "
            f"{'median' if len(accs) % 2 else 'lower median'} by out-of-bag accuracy (ties "
            "in seed order; the test set chose nothing); the comparison tests every seed."
        )
    elif ev.task == "3":
        text += (
            f" One forest of {d.get('n_trees', '?')} trees with a fixed random_state: the "
            "same seed grows the same trees."
        )
    else:
        text += " L-BFGS is deterministic: one fit, no seeds to vary."
        if d.get("converged") is False:
            text += (
                f" It stopped at its limit of {d['n_iter']} iterations without converging, "
                "so its accuracy may owe something to the optimisation, not only the model."
            )
    return text


def discussion(ev: ModelResult, similar_pairs: list, names: dict) -> list[str]:
    """Which classes a model confuses, with counts, and why (mean-image similarity)."""
    out = []
    per_class = ", ".join(
        f"{names[int(c)]} {n}/{sum(row)}"
        for (c, n), row in zip(ev.correct_per_class.items(), ev.confusion, strict=True)
    )
    out.append(f"Right per class: {per_class}.")
    sim = {(d["a"], d["b"]): d["correlation"] for d in similar_pairs}
    for i, p in enumerate(ev.confused_pairs):
        if i and p["total"] < MIN_PAIR_MISTAKES:
            break  # a pair with a handful of mistakes says nothing about the classes
        r = sim.get((p["a"], p["b"]))
        why = (
            f" Their mean training images correlate at r = {r:.2f}"
            + (", the most similar pair." if r == max(sim.values()) else ".")
            if r is not None
            else ""
        )
        rank = "most" if i == 0 else "next most"
        out.append(
            f"The {rank} confused pair is {p['a_name']} / {p['b_name']}: "
            f"{p['a_as_b']} {p['a_name']} images were called {p['b_name']} and "
            f"{p['b_as_a']} the other way round ({p['total']} in all).{why}"
        )
    return out


def verdict(p: PairTest) -> str:
    """The words for one pair's Holm-corrected verdict."""
    return f"different at {ALPHA}" if p.significant else "indistinguishable here"


def comparison_summary(m: StudyMetrics) -> str:
    """The comparison in one short paragraph: the most accurate model, which models are
    indistinguishable from it here and which differ, and the groups."""
    order = m.ranked()
    best = m.models[order[0]]
    against = {frozenset((p.a, p.b)): p for p in m.pairs or []}
    same, apart = [], []
    for key in order[1:]:
        mo, p = m.models[key], against[frozenset((order[0], key))]
        points = (mo.accuracy - best.accuracy) * 100
        (apart if p.significant else same).append(f"{mo.label} ({points:+.2f} points)")
    text = (
        f"{best.label} has the highest test accuracy, {best.accuracy:.4f} (95 % interval "
        f"{best.ci95[0]:.4f}-{best.ci95[1]:.4f})."
    )
    if same:
        text += f" Indistinguishable from it here: {', '.join(same)}."
    if apart:
        text += f" Different from it at {ALPHA}: {', '.join(apart)}."
    rows = [mo.details["train_rows"] for mo in m.models.values() if "train_rows" in mo.details]
    if rows and min(rows) < max(rows):
        text += (
            f" The models learnt from different numbers of training rows ({min(rows):,} to "
            f"{max(rows):,}), so these verdicts compare model and data together."
        )
    letters = sorted(set("".join(m.groups.values())))
    if len(m.models) > 2 and len(letters) == len(m.models):
        text += " No two models are indistinguishable here: each is a group of its own."
    elif len(m.models) > 2 and letters:
        text += (
            f" The {len(m.models)} models form {counted(len(letters), 'group')} of "
            "indistinguishable models (the letters in the table; a shared letter means "
            "no difference at 0.05)."
        )
    return text


def leaderboard_note(m: StudyMetrics) -> str:
    """What the summary table's rows are: one run per model, and where the spread is."""
    text = (
        "Each row is one run: for a network the seed chosen on validation accuracy, for a "
        "forest with seeds the one chosen on out-of-bag accuracy; fit s are that run's "
        "training seconds."
    )
    if m.networks:
        spread = ", ".join(
            f"{n.name} {n.test_acc_mean:.4f} ± {n.test_acc_sd:.4f}" for n in m.networks.values()
        )
        text += f" Mean ± sd of test accuracy over the seeds (task 5): {spread}."
    return text


def verdict_rule(m: StudyMetrics, config: StudyConfig) -> str:
    """How the verdicts and intervals are made, said once."""
    n_test = m.task1["splits"]["test"]["kept"]
    n_pairs = len(m.pairs or [])
    return (
        f"Two models are called different at {ALPHA} only when McNemar's test, which looks "
        "at the test images exactly one of them gets right, says so after Holm's correction "
        f"for the {counted(n_pairs, 'pair')}. For models trained with several seeds the "
        "seeds are paired by index, every seed pair is tested and the largest p counts; a "
        "model with one fit takes part with that fit. Otherwise the two are "
        "indistinguishable here. The table shows, for each pair, the seed pair whose p "
        "counts. The test is paired, so overlapping intervals do not make two models "
        "indistinguishable. The 95 % intervals are percentile intervals of "
        f"{config.bootstrap} bootstrap resamples of the {n_test} test images (bootstrap seed "
        f"{config.seed}): they cover test-set sampling only, not training randomness, whose "
        "spread over seeds task 5's table shows."
    )


def reduced_budget(config: StudyConfig, m: StudyMetrics) -> str | None:
    """The banner of a report made on reduced budgets, from what was reduced; None when
    every model had the full budget."""
    rows = m.task1["splits"]["train"]["kept"]
    fewer = sorted(
        {
            mo.label: mo.details["train_rows"]
            for mo in m.models.values()
            if mo.details.get("train_rows", rows) < rows and mo.task in ("3", "4")
        }.items()
    )
    parts = []
    if fewer:
        parts.append(
            f"{', '.join(label for label, _ in fewer)} learn from a stratified "
            f"{fewer[0][1]:,} of the {rows:,} training rows"
        )
    if config.profile == "quick" and m.networks:
        epochs = max(n.spec["epochs"] for n in m.networks.values())
        parts.append(
            f"the networks train for at most {counted(epochs, 'epoch')} with "
            f"{counted(config.network_seeds, 'seed')}"
        )
    if config.profile == "quick":
        parts.append(
            f"the logistic regressions stop after at most {config.logreg.max_iter} iterations"
        )
        parts.append(f"the intervals use {config.bootstrap} bootstrap resamples")
    if not parts:
        return None
    who = f"profile {config.profile}" if config.profile == "quick" else "subsampled training rows"
    return (
        f"Reduced budget ({who}): {'; '.join(parts)}. This report shows that every step "
        "runs; its comparison is not for conclusions about the models."
    )
