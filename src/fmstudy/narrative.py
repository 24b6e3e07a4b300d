"""Every sentence of the report, built from the study's numbers in one place.

    narrative.pca_text(metrics.pca)                   # task 2's explanation
    narrative.comparison_lines(metrics)               # which model is better, and how sure
    narrative.network_conclusion(metrics.networks)    # task 5's pick and overfitting

Both templates (HTML and Markdown) print these sentences; they never compose one
themselves from numbers.  Nothing here computes a result: it only words the
records of :mod:`fmstudy.results`.
"""

from __future__ import annotations

import numpy as np

from fmstudy.compare import ALPHA
from fmstudy.config import StudyConfig
from fmstudy.results import ModelResult, NetworkResult, SearchOutcome, StudyMetrics

NOTEBOOK_BEST = 0.95  # the notebook's best network, notebook-3, on its own classes


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


def comparison_lines(m: StudyMetrics) -> list[str]:
    """The comparison in words: the most accurate model, then each pair's McNemar verdict."""
    models = m.models
    best = max(models, key=lambda k: models[k].accuracy)
    b = models[best]
    lines = [
        f"{b.label} is the most accurate model on the test set "
        f"({b.accuracy:.4f}, 95 % bootstrap interval {b.ci95[0]:.4f}-{b.ci95[1]:.4f})."
    ]
    for p in m.pairs or []:
        winner = models[p.better].label if p.better else "neither"
        diff = abs(models[p.a].accuracy - models[p.b].accuracy)
        verdict = "a real difference" if p.significant else "not a significant difference"
        lines.append(
            f"{p.a_label} vs {p.b_label}: {winner} is ahead by {diff * 100:.2f} points; "
            f"{p.discordant} test images are right for only one of them "
            f"({p.a_only_right} vs {p.b_only_right}), McNemar p = {p.p_value:.3g} "
            f"(Holm {p.p_holm:.3g}): {verdict} at {ALPHA}."
        )
    return lines


def networks_intro(config: StudyConfig, nets: dict[str, NetworkResult]) -> str:
    """What task 5 trained and how it is read: the profile (or the run's own specs) decides,
    and the report says which."""
    first = next(iter(nets.values()))
    seeds = first.seeds
    split = (
        "the first 20 % of the training rows, as in the notebook"
        if first.spec["val_split"] == "first"
        else "a stratified 20 % of the training rows"
    )
    many = len(nets) > 1
    who = "This run" if config.networks_chosen_by == "options" else f"Profile {config.profile}"
    spread = (
        "accuracies are mean ± sd over the seeds"
        if len(seeds) > 1
        else "one seed gives no spread, so every sd reads 0"
    )
    return (
        f"{who} trains {counted(len(nets), 'architecture')} with "
        f"{counted(len(seeds), 'seed')}{' each' if many else ''} "
        f"({', '.join(map(str, seeds))}); {spread}. Validation"
        f"{' for the first architecture' if many else ''} is {split}"
        f"{'; each spec below says its own' if many else ''}. "
        "The test set is touched only for the final numbers."
    )


def network_conclusion(nets: dict[str, NetworkResult]) -> list[str]:
    """Task 5's conclusion, from the numbers: the pick by validation, overfitting."""
    if not nets:
        return []
    pick = max(nets, key=lambda n: nets[n].val_acc_mean)
    p = nets[pick]
    lines = [
        f"Chosen on validation accuracy alone: {pick} ({p.layers}), validation "
        f"{p.val_acc_mean:.4f} ± {p.val_acc_sd:.4f}, test {p.test_acc_mean:.4f} ± "
        f"{p.test_acc_sd:.4f} over {counted(len(p.seeds), 'seed')}; the notebook's best network "
        f"reached {NOTEBOOK_BEST:.2f}, so this is "
        f"{'better' if p.test_acc_mean > NOTEBOOK_BEST else 'not better'} "
        f"({(p.test_acc_mean - NOTEBOOK_BEST) * 100:+.2f} points).",
    ]
    for name, n in nets.items():
        if n.early_stopping:
            continue
        best, ran = int(np.median(n.best_epoch)), int(max(n.epochs_run))
        if best < ran:
            lines.append(
                f"{name}: validation loss was lowest at epoch {best} (median over seeds) of "
                f"{ran}; after it the validation loss rose while the training loss kept "
                f"falling, which is overfitting: about {best} epochs would have done."
            )
        else:
            lines.append(
                f"{name}: validation loss was still falling at the last epoch ({ran}); "
                "more epochs could help."
            )
    return lines


def network_description(n: NetworkResult, refit_seconds: float) -> str:
    """How one architecture was trained and which seed the report below shows."""
    s = n.spec
    opt = f"{s['optimizer']} (lr {s['lr']}" + (
        f", weight decay {s['weight_decay']})" if s["weight_decay"] else ")"
    )
    stop = (
        f"early stopping with patience {s['patience']} (best weights restored)"
        if n.early_stopping
        else f"{s['epochs']} fixed epochs"
    )
    inputs = "standardized" if s["scaling"] == "standardize" else "/ 255"
    text = f"{s['activation']}, {opt}, batch {s['batch_size']}, {stop}, inputs {inputs}"
    text += "".join(f", {x}" for x in n.extras) + "."
    if s["refit"]:
        epochs = (
            f"each seed's best epoch count ({'/'.join(map(str, n.best_epoch))})"
            if n.early_stopping
            else f"{s['epochs']} epochs"
        )
        text += (
            " The curves and the best epoch come from the run with a validation part; the "
            "test numbers from the same spec trained again on every training row for "
            f"{epochs} ({refit_seconds:.0f} s more)."
        )
    accs = ", ".join(f"{a:.4f}" for a in n.test_acc)
    return (
        f"{text} Test accuracy per seed: {accs}; the report below is seed {n.median_seed} "
        "(the median)."
    )


def search_conclusion(s: SearchOutcome) -> str:
    """The search's result in one sentence: the best trial, then that spec on the test set."""
    epochs = s.best_spec["epochs"]
    return (
        f"The best trial, {s.best_trial} ({s.best_layers}), reached validation accuracy "
        f"{s.best_val_accuracy:.4f} at epoch {epochs}. Retrained on all training rows of the "
        f"chosen classes for those {epochs} epochs it scores {s.test_accuracy:.4f} on the test "
        f"set ({(s.test_accuracy - NOTEBOOK_BEST) * 100:+.2f} points against the notebook's "
        f"best network, {NOTEBOOK_BEST})."
    )
