"""The report folder: index.html, report.md, JSON, CSV, the test probabilities
(probabilities.npz), figures and saved models.

    check_out_dir(Path("study-out"), force=False)   # before any work: may we write there?
    write_report(result, Path("study-out"))          # result: a study.StudyResult
    read_config(Path("study-out/config.json"))       # what --config reruns

The report only reads ``result``: every number it shows comes from its typed
metrics (written as metrics.json) or its timings, and every sentence from
:mod:`fmstudy.narrative`.  The folder is built under a temporary name beside
``out`` and renamed into place at the end, so a crash never leaves a
half-written report.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import tempfile
from fnmatch import fnmatch
from pathlib import Path

import numpy as np
from jinja2 import Environment, PackageLoader

from fmstudy import checks, narrative
from fmstudy.atomic import building_dir
from fmstudy.cache import copy_saved
from fmstudy.config import StudyConfig
from fmstudy.datasets import get_dataset_spec
from fmstudy.errors import FmstudyError

MARKER = "fmstudy-report.json"

FIGURE_TITLES = {
    "examples": "Example images per class",
    "pca_scatter": "PCA: the training data on PC1 and PC2",
    "pca_variance": "PCA: explained variance",
    "pca_components": "PCA: the first principal axes",
    "comparison": "Each model's test accuracy minus the best model's, with its 95 % paired bootstrap interval",
    "confident_mistakes": "The test images the most accurate model got wrong with the highest probability for the wrong class",
    "learning_curves": "Accuracy against training rows, cross-validated on the training rows (bands: ±1 sd over the folds)",
    "search_history": "Search: validation accuracy of each trial and the best so far",
    "search_importances": "Search: which parameters mattered (fANOVA importance)",
    "search_curves": "Search: validation accuracy per epoch of every trial (pruned ones stop early)",
}


# What an fmstudy report folder holds, for reports whose marker predates its file list.
REPORT_FILES = (
    "index.html",
    "report.md",
    "metrics.json",
    "timings.json",
    "config.json",
    "predictions.csv",
    "probabilities.npz",
    "search_trials.csv",
    "best-spec.json",
    "figures/*.png",
    "models/*/model.safetensors",
    "models/*/spec.json",
)


def foreign_files(out: Path) -> list[str]:
    """Files in an earlier report folder that fmstudy did not write there (its marker
    lists what it wrote), sorted; every file when there is no marker."""
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if not p.is_dir())
    try:
        marker = json.loads((out / MARKER).read_text())
    except (OSError, ValueError):
        return files
    files.remove(MARKER)
    written = marker.get("files") if isinstance(marker, dict) else None
    if isinstance(written, list):
        return [f for f in files if f not in set(written)]
    return [f for f in files if not any(fnmatch(f, pattern) for pattern in REPORT_FILES)]


def check_out_dir(out: Path, *, force: bool) -> None:
    """Refuse a folder we may not replace: unwritable, or holding anything fmstudy did
    not write there (unless ``force``)."""
    if out.exists() and not out.is_dir():
        raise FmstudyError(f"--out {out} is a file; name a folder")
    if out.is_dir() and not force:
        foreign = foreign_files(out)
        shown = ", ".join(foreign[:3]) + (
            f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        )
        if foreign and not (out / MARKER).is_file():
            raise FmstudyError(
                f"--out {out} is not empty and is not an fmstudy report (it holds {shown}); "
                "choose another folder or pass --force to replace it"
            )
        if foreign:
            raise FmstudyError(
                f"--out {out} is an earlier report but also holds {shown}, which fmstudy did "
                "not write; move them away, or pass --force to replace the folder and them"
            )
    parent = out.parent if out.parent != Path("") else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        # A real write probe: permission bits say nothing for root or for /proc-like folders.
        shutil.rmtree(tempfile.mkdtemp(prefix=f".{out.name}.probe-", dir=parent))
    except OSError as exc:
        raise FmstudyError(
            f"cannot write the report beside {out}: {exc.strerror}; choose another --out"
        ) from None


def read_config(path: Path) -> StudyConfig:
    """The config a report's config.json (or a bare config) holds."""
    try:
        data = json.loads(checks.read_text(path, "--config"))
    except json.JSONDecodeError as exc:
        raise FmstudyError(f"--config {path} is not valid JSON ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("config"), dict):
        data = data["config"]
    if not isinstance(data, dict):
        raise FmstudyError(f"--config {path} is not an fmstudy config.json")
    return StudyConfig.from_dict(data)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def build_context(result, images: dict[str, str]) -> dict:
    """What the templates print: the records, and the sentences made from them."""
    m = result.metrics
    t1 = m.task1
    names = {int(c): n for c, n in zip(t1["classes"], t1["class_names"], strict=True)}
    models = []
    for key, ev in m.models.items():
        timing = result.timings["models"][key]
        models.append(
            {
                "key": key,
                "ev": ev,
                "timing": timing,
                "discussion": narrative.discussion(ev, m.similar_pairs, names),
                "note": (
                    narrative.fit_note(ev, t1["splits"]["train"]["kept"])
                    if ev.task in ("3", "4")
                    else ""
                ),
                "report_rows": [(names[int(c)], ev.report[names[int(c)]]) for c in t1["classes"]],
                "proba_note": narrative.probability_note(ev, names),
            }
        )
    by_key = {mo["key"]: mo for mo in models}
    nets = [
        {
            "name": name,
            "n": n,
            "mo": by_key[n.key],
            "description": narrative.network_description(
                n, by_key[n.key]["timing"].get("refit_seconds", 0.0)
            ),
        }
        for name, n in m.networks.items()
    ]
    return {
        "classical": [mo for mo in models if mo["ev"].task in ("3", "4")],
        "networks": nets,
        "networks_intro": narrative.networks_intro(result.config, m.networks) if nets else "",
        "networks_conclusion": narrative.network_conclusion(m.networks, t1),
        "title": f"{dataset_title(t1['dataset'])} study",
        "banner": narrative.reduced_budget(result.config, m),
        "notebook_applies": narrative.notebook_applies(t1),
        "conclusion": narrative.comparison_summary(m) if m.pairs else "",
        "rule": narrative.verdict_rule(m, result.config) if m.pairs else "",
        "leaderboard_note": narrative.leaderboard_note(m) if m.models else "",
        "leaderboard": [by_key[k] for k in m.ranked()],
        "pair_rows": pair_rows(m),
        "cfg": result.config,
        "manifest": result.manifest,
        "m": m,
        "t1": t1,
        "names": names,
        "models": models,
        "timings": result.timings,
        "img": images,
        "pca_text": narrative.pca_text(m.pca) if m.pca else [],
        "titles": FIGURE_TITLES,
        "search": search_context(result),
        "evaluation": evaluation_context(m),
        "probability_rows": [mo for mo in models if mo["ev"].log_loss is not None],
    }


def evaluation_context(m) -> dict:
    """The deeper evaluation's sentences: learning curves, --cv, --compare 5x2cv."""
    curves = list(m.learning_curves.values())
    tests = m.five_by_two["tests"] if m.five_by_two else []
    rows = max((max(t.rows) for t in tests), default=0)
    return {
        "curves_intro": narrative.learning_curves_intro(curves) if curves else "",
        "curves": [narrative.learning_curve_text(c) for c in curves],
        "cv": list(m.cv.values()),
        "cv_text": narrative.cv_text(m.cv) if m.cv else "",
        "five": [(t, narrative.verdict(t)) for t in tests],
        "five_text": narrative.five_by_two_text(tests, rows) if tests else "",
        "any": bool(
            curves or m.cv or tests or any(mo.log_loss is not None for mo in m.models.values())
        ),
    }


def pair_rows(m) -> list[dict]:
    """The pairwise table, each row from the seed pair whose p stands for the pair: its
    difference in points and discordant counts, that (largest) p, Holm's p, the verdict."""
    n_test = m.task1["splits"]["test"]["kept"]
    return [
        {
            "p": p,
            "points": (p.a_only_right - p.b_only_right) / n_test * 100,
            "seed_pairs": len(p.seed_p_values) or 1,
            "verdict": narrative.verdict(p),
        }
        for p in m.pairs or []
    ]


def search_context(result) -> dict | None:
    """The search section's rows: the best trials first, then the rest by number."""
    s = result.metrics.search
    if s is None:
        return None
    t1 = result.metrics.task1
    names = {int(c): n for c, n in zip(t1["classes"], t1["class_names"], strict=True)}
    test = result.metrics.models.get("search-best")
    frame = result.tables["search_trials"]
    done = frame[frame["state"].isin(["complete", "pruned"])]
    top = done.sort_values("val_accuracy", ascending=False).head(15)
    rows = top.to_dict("records")
    return {
        "m": s,
        "rows": rows,
        "n_shown": len(rows),
        "settings": s.settings,
        "test": test,
        "proba_note": narrative.probability_note(test, names) if test else "",
        "conclusion": narrative.search_conclusion(s),
        "spec_json": json.dumps(s.best_spec, indent=2),
    }


def dataset_title(name: str) -> str:
    """The data set's name as its registry writes it, without the publisher."""
    try:
        return get_dataset_spec(name).title.split(" (")[0]
    except FmstudyError:
        return name


def _templates(autoescape: bool) -> Environment:
    return Environment(
        loader=PackageLoader("fmstudy", "templates"),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def write_report(result, out: Path, *, force: bool = False) -> Path:
    """Write every output of a study.StudyResult into ``out`` atomically; returns ``out``."""
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
        metrics = result.metrics.to_dict()
        (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True))
        (tmp / "timings.json").write_text(json.dumps(result.timings, indent=2))
        result.predictions.to_csv(tmp / "predictions.csv", index=False)
        if result.probabilities:  # one (test rows x classes) array per model, rows as above
            with (tmp / "probabilities.npz").open("wb") as fh:
                np.savez_compressed(
                    fh,
                    classes=np.asarray(result.metrics.task1["classes"]),
                    test_index=result.predictions["test_index"].to_numpy(),
                    **result.probabilities,
                )
        for name, table in result.tables.items():
            table.to_csv(tmp / f"{name}.csv", index=False)
        ctx = build_context(result, images)
        html = _templates(autoescape=True).get_template("report.html.j2").render(**ctx)
        (tmp / "index.html").write_text(html)
        md_images = {k: f"figures/{k}.png" for k in images}
        md = _templates(autoescape=False).get_template("report.md.j2")
        (tmp / "report.md").write_text(md.render(**{**ctx, "img": md_images}))
        for name, folder in result.saved_networks.items():
            copy_saved(Path(folder), tmp / "models" / name)
        if result.metrics.search is not None:  # the best spec alone: fmstudy nn --arch ...
            best = result.metrics.search.best_spec
            (tmp / "best-spec.json").write_text(json.dumps(best, indent=2))
        written = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
        marker = {"fmstudy": result.manifest["fmstudy"], "files": written}
        (tmp / MARKER).write_text(json.dumps(marker, indent=1))
    return out
