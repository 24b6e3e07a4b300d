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
from urllib.parse import quote

import numpy as np
from jinja2 import Environment, PackageLoader

from fmstudy import checks, escape
from fmstudy.atomic import building_dir
from fmstudy.cache import copy_saved
from fmstudy.config import StudyConfig
from fmstudy.errors import FmstudyError
from fmstudy.i18n import gettext as _
from fmstudy.i18n import grouped, language, ngettext, num, pct, sig
from fmstudy.report_context import build_context, overview_context
from fmstudy.saved_models import write_model

MARKER = "fmstudy-report.json"

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
    data = checks.read_json(path, "--config")
    if isinstance(data, dict) and isinstance(data.get("config"), dict):
        data = data["config"]
    if not isinstance(data, dict):
        raise FmstudyError(f"--config {path} is not an fmstudy config.json")
    return StudyConfig.from_dict(data)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def templates(kind: str) -> Environment:
    """The templates for one output ``kind`` (``html``, ``markdown`` or ``notebook``) with
    gettext (Jinja2's i18n extension, fed the current language), the number filters of
    :mod:`fmstudy.i18n` and that output's escaping (:mod:`fmstudy.escape`): HTML
    autoescaped; in Markdown every printed value escaped unless it is ``escape.Raw``; in
    the notebook, values reach code cells only as ``|py`` literals and markdown cells
    only through ``|md``."""
    env = Environment(
        loader=PackageLoader("fmstudy", "templates"),
        autoescape=kind == "html",
        finalize=escape.markdown_value if kind == "markdown" else None,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(gettext=_, ngettext=ngettext, newstyle=True)
    env.filters.update(
        num=num,
        grouped=grouped,
        pct=pct,
        sig=sig,
        signed=lambda x, digits=2: num(x, digits, sign=True),
        py=lambda v: escape.Raw(repr(v)),  # a Python literal, in the notebook's code cells
        md=escape.markdown,
        code=escape.code_span,
        codeblock=escape.code_block,
        link=lambda path: escape.Raw(quote(path)),  # a relative link in Markdown
    )
    return env


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
        with language(result.config.lang):
            ctx = build_context(result, images)
            html = templates("html").get_template("report.html.j2").render(**ctx)
            md_images = {k: escape.Raw(f"figures/{quote(k)}.png") for k in images}
            md = templates("markdown").get_template("report.md.j2")
            markdown = md.render(**{**ctx, "img": md_images})
        (tmp / "index.html").write_text(html)
        (tmp / "report.md").write_text(markdown)
        for name, folder in result.saved_networks.items():
            copy_saved(Path(folder), tmp / "models" / name)
        for key, saved in result.saved_models.items():
            if saved.saved:
                write_model(tmp / "models" / key, saved.data, saved.meta)
        if result.metrics.search is not None:  # the best spec alone: fmstudy nn --arch ...
            best = result.metrics.search.best_spec
            (tmp / "best-spec.json").write_text(json.dumps(best, indent=2))
        written = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
        marker = {"fmstudy": result.manifest["fmstudy"], "files": written}
        (tmp / MARKER).write_text(json.dumps(marker, indent=1))
    return out


def overview_pages(overview) -> tuple[str, str]:
    """The all-groups overview (an all_groups.AllGroups) as HTML and Markdown, in the
    current language."""
    ctx = overview_context(overview)
    html = templates("html").get_template("groups.html.j2").render(**ctx)
    markdown = templates("markdown").get_template("groups.md.j2").render(**ctx)
    return html, markdown
