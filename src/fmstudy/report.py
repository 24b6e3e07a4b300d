"""Write a study's report folder: index.html, report.md, JSON, CSV and figures.

    write_report(result, Path("study-out"))

The report only reads ``result``: every number it shows comes from
``result.metrics`` (written as metrics.json) or ``result.timings``.  The folder
is built under a temporary name beside ``out`` and renamed into place at the
end, so a crash never leaves a half-written report.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from fmstudy.atomic import building_dir
from fmstudy.neural_task import networks_intro
from fmstudy.study import MARKER, StudyResult, check_out_dir

FIGURE_TITLES = {
    "examples": "Example images per class",
    "pca_scatter": "PCA: the training data on PC1 and PC2",
    "pca_variance": "PCA: explained variance",
    "pca_components": "PCA: the first principal axes",
    "comparison": "Model comparison",
    "search_history": "Search: validation accuracy of each trial and the best so far",
    "search_importances": "Search: which parameters mattered (fANOVA importance)",
    "search_curves": "Search: validation accuracy per epoch of every trial (pruned ones stop early)",
}


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def pca_text(m: dict) -> list[str]:
    """The explanation of PCA and variance, backed by this data's numbers."""
    c = m["pca"]["checks"]
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


def discussion(m: dict, key: str, names: dict) -> list[str]:
    """Which classes a model confuses, with counts, and why (mean-image similarity)."""
    ev = m["models"][key]
    out = []
    per_class = ", ".join(
        f"{names[int(c)]} {n}/{sum(row)}"
        for (c, n), row in zip(ev["correct_per_class"].items(), ev["confusion"], strict=True)
    )
    out.append(f"Right per class: {per_class}.")
    sim = {(d["a"], d["b"]): d["correlation"] for d in m.get("similar_pairs", [])}
    for i, p in enumerate(ev["confused_pairs"]):
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


def build_context(result: StudyResult, images: dict[str, str]) -> dict:
    m = result.metrics
    t1 = m["task1"]
    names = {int(c): n for c, n in zip(t1["classes"], t1["class_names"], strict=True)}
    models = []
    for key, ev in m.get("models", {}).items():
        models.append(
            {
                "key": key,
                "ev": ev,
                "timing": result.timings["models"][key],
                "discussion": discussion(m, key, names),
                "report_rows": [
                    (names[int(c)], ev["report"][names[int(c)]]) for c in t1["classes"]
                ],
                "ci": m.get("comparison", {}).get("ci95", {}).get(key),
            }
        )
    nets = []
    for name, n in m.get("networks", {}).items():
        mo = next(x for x in models if x["key"] == n["key"])
        nets.append({"name": name, "n": n, "mo": mo})
    return {
        "classical": [mo for mo in models if mo["ev"].get("task") in ("3", "4")],
        "networks": nets,
        "networks_intro": networks_intro(result.config, m["networks"]) if nets else "",
        "cfg": result.config,
        "manifest": result.manifest,
        "m": m,
        "t1": t1,
        "names": names,
        "models": models,
        "timings": result.timings,
        "img": images,
        "pca_text": pca_text(m) if "pca" in m else [],
        "titles": FIGURE_TITLES,
        "search": search_context(result),
    }


def search_context(result: StudyResult) -> dict | None:
    """The search section's rows: the best trials first, then the rest by number."""
    m = result.metrics.get("search")
    if not m:
        return None
    frame = result.tables["search_trials"]
    done = frame[frame["state"].isin(["complete", "pruned"])]
    top = done.sort_values("val_accuracy", ascending=False).head(15)
    rows = top.to_dict("records")
    params = [c for c in frame.columns if c.startswith("param_")]
    return {
        "m": m,
        "rows": rows,
        "n_shown": len(rows),
        "params": params,
        "settings": m["settings"],
        "test": result.metrics["models"]["search-best"],
        "spec_json": json.dumps(m["best_spec"], indent=2),
    }


def write_report(result: StudyResult, out: Path, *, force: bool = False) -> Path:
    """Write every output into ``out`` atomically; returns ``out``."""
    check_out_dir(out, force=force)
    with building_dir(out) as tmp:
        (tmp / "figures").mkdir()
        images = {}
        for name, fig in result.figures.items():
            data = _png(fig)
            (tmp / "figures" / f"{name}.png").write_bytes(data)
            images[name] = "data:image/png;base64," + base64.b64encode(data).decode()
        cfg = {"config": result.config.to_dict(), "manifest": result.manifest}
        (tmp / "config.json").write_text(json.dumps(cfg, indent=2))
        (tmp / "metrics.json").write_text(json.dumps(result.metrics, indent=2, sort_keys=True))
        (tmp / "timings.json").write_text(json.dumps(result.timings, indent=2))
        result.predictions.to_csv(tmp / "predictions.csv", index=False)
        for name, table in result.tables.items():
            table.to_csv(tmp / f"{name}.csv", index=False)
        env = Environment(
            loader=PackageLoader("fmstudy", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        ctx = build_context(result, images)
        (tmp / "index.html").write_text(env.get_template("report.html.j2").render(**ctx))
        md_images = {k: f"figures/{k}.png" for k in images}
        (tmp / "report.md").write_text(
            env.get_template("report.md.j2").render(**{**ctx, "img": md_images})
        )
        for name, folder in result.saved_networks.items():
            dest = tmp / "models" / name
            dest.mkdir(parents=True)
            for part in ("model.safetensors", "spec.json"):
                shutil.copy2(Path(folder) / part, dest / part)
        if "search" in result.metrics:  # the best spec alone: fmstudy nn --arch best-spec.json
            best = result.metrics["search"]["best_spec"]
            (tmp / "best-spec.json").write_text(json.dumps(best, indent=2))
        (tmp / MARKER).write_text(json.dumps({"fmstudy": result.manifest["fmstudy"]}))
    return out
