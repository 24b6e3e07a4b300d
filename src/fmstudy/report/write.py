"""The report folder: index.html, report.md, JSON, CSV, the test probabilities
(probabilities.npz), figures and saved models.

    check_out_dir(Path("study-out"), force=False)   # before any work: may we write there?
    write_report(result, Path("study-out"))          # result: a study.run.StudyRecord
    read_config(Path("study-out/config.json"))       # what --config reruns

The report only reads ``result``: every number it shows comes from its typed
metrics (written as metrics.json) or its timings, and every sentence from
:mod:`fmstudy.report.narrative`.  The folder is built under a temporary name beside
``out`` and renamed into place at the end, so a crash never leaves a
half-written report.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

import numpy as np
from jinja2 import Environment, PackageLoader

from fmstudy import checks, escape
from fmstudy.atomic import building_dir
from fmstudy.cache.fits import copy_saved
from fmstudy.data.loading import resolve_data_dir
from fmstudy.errors import FmstudyError
from fmstudy.i18n import gettext as _
from fmstudy.i18n import grouped, language, ngettext, num, pct, pvalue, sig
from fmstudy.models.saved import write_model
from fmstudy.report import sections
from fmstudy.report.context import build_context, overview_context
from fmstudy.report.figures import Figures
from fmstudy.report.narrative.glossary import glossary, user_words
from fmstudy.study.config import StudyConfig

MARKER = "fmstudy-report.json"


def written_files(folder: Path) -> list[str]:
    """Every regular file under ``folder`` by its relative name, sorted: what a marker
    lists (by name, never a folder or a pattern)."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not p.is_symlink()
    )


def write_marker(folder: Path, **fields) -> None:
    """Mark a report folder being built as fmstudy's: ``fields`` and every file in it."""
    marker = {**fields, "files": written_files(folder)}
    (folder / MARKER).write_text(json.dumps(marker, indent=1))


def _entries(out: Path) -> list[str]:
    """Everything under ``out`` but its folders, by relative name: files, symlinks (also
    to folders), other special files, and each folder that cannot be listed (``name/``)."""
    found = []

    def unreadable(exc: OSError) -> None:
        found.append(Path(exc.filename).relative_to(out).as_posix() + "/")

    for folder, dirs, files in os.walk(out, onerror=unreadable):
        base = Path(folder)
        links = [d for d in dirs if (base / d).is_symlink()]
        found += [(base / name).relative_to(out).as_posix() for name in files + links]
    return sorted(found)


def _listed(out: Path) -> set[str] | None:
    """The files the marker in ``out`` says fmstudy wrote; None when it lists none (no
    marker, an unreadable one, or one from before markers listed their files)."""
    marker = out / MARKER
    if marker.is_symlink() or not marker.is_file():
        return None
    try:
        data = json.loads(marker.read_text())
    except (OSError, ValueError, RecursionError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        return None
    return set(files)


def foreign_files(out: Path) -> list[str]:
    """What an earlier report folder holds that fmstudy did not write there, sorted: each
    entry its marker does not list by name, or that is no longer a plain file; every
    entry but the marker when the marker lists no files."""
    ours = (_listed(out) or set()) | {MARKER}

    def plain(name: str) -> bool:
        return (out / name).is_file() and not (out / name).is_symlink()

    return [e for e in _entries(out) if not (e in ours and plain(e))]


def _kept_folders(data_dir) -> list[tuple[str, Path]]:
    """Folders a report may never replace (it replaces its whole folder): the current
    one, the home folder and the data folder, each by its real path."""
    kept = []
    with contextlib.suppress(OSError):  # a current folder deleted meanwhile has no path
        kept.append(("the folder you are in", Path.cwd()))
    home = os.path.expanduser("~")
    if home != "~":
        kept.append(("your home folder", Path(home)))
    try:
        kept.append(("the data folder", resolve_data_dir(data_dir)))
    except RuntimeError:  # no home folder to put the default data folder in
        pass
    return [(what, Path(os.path.realpath(path))) for what, path in kept]


def _target(out: Path, data_dir) -> Path:
    """The folder a report for ``--out out`` replaces: ``out``, or where ``out`` leads when
    it is a symlink (the link stays, its target gets the report); refuses the folders a
    report must not replace."""
    if out.parts and out.parts[0].startswith("~"):
        raise FmstudyError(
            f"--out {out} starts with a literal '~' (the shell expands it only unquoted); "
            "write the folder's path out"
        )
    target = Path(os.path.realpath(out)) if out.is_symlink() else out
    if target.is_symlink():
        raise FmstudyError(f"--out {out} is a symlink that leads round in a loop; name a folder")
    real = Path(os.path.realpath(target))
    for what, kept in _kept_folders(data_dir):
        if real == kept or real in kept.parents:
            above = "" if real == kept else "a folder above "
            raise FmstudyError(
                f"--out {out} is {above}{what} ({kept}), and a report replaces its whole "
                "folder; name a new folder, e.g. --out fmstudy-report"
            )
        if what == "the data folder" and kept in real.parents:
            raise FmstudyError(
                f"--out {out} is inside the data folder ({kept}), which holds the downloads "
                "and the fit cache; name a folder outside it"
            )
    return target


def check_out_dir(out: Path, *, force: bool, data_dir=None) -> Path:
    """Refuse a folder we may not replace: the current, home or data folder or one above
    them, a file, an unwritable place, or a folder holding anything fmstudy did not write
    there (unless ``force``); returns the folder to build the report in (see _target)."""
    target = _target(out, data_dir)
    if target.exists() and not target.is_dir():
        raise FmstudyError(f"--out {out} is a file; name a folder")
    if target.is_dir() and not force:
        foreign = foreign_files(target)
        shown = ", ".join(foreign[:3]) + (
            f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        )
        marked = (target / MARKER).is_file() and not (target / MARKER).is_symlink()
        if foreign and not marked:
            raise FmstudyError(
                f"--out {out} is not empty and is not an fmstudy report (it holds {shown}); "
                "choose another folder or pass --force to replace it"
            )
        if foreign and _listed(target) is None:
            raise FmstudyError(
                f"--out {out} is a report whose marker lists no files (an older fmstudy's), "
                f"so its files cannot be told from yours (it holds {shown}); move yours away, "
                "or pass --force to replace the folder"
            )
        if foreign:
            raise FmstudyError(
                f"--out {out} is an earlier report but also holds {shown}, which fmstudy did "
                "not write; move them away, or pass --force to replace the folder and them"
            )
    parent = target.parent if target.parent != Path("") else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        # A real write probe: permission bits say nothing for root or for /proc-like folders.
        shutil.rmtree(tempfile.mkdtemp(prefix=f".{target.name}.probe-", dir=parent))
    except OSError as exc:
        raise FmstudyError(
            f"cannot write the report beside {out}: {exc.strerror}; choose another --out"
        ) from None
    return target


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


class _MarkdownEnvironment(Environment):
    """Markdown templates: what a template or macro renders is already Markdown
    (``escape.Raw``), so printing a macro's output does not escape it again."""

    @staticmethod
    def concat(parts) -> escape.Raw:
        return escape.Raw("".join(parts))


def templates(kind: str) -> Environment:
    """The templates for one output ``kind`` (``html``, ``markdown`` or ``notebook``) with
    gettext (Jinja2's i18n extension, fed the current language), the number filters of
    :mod:`fmstudy.i18n` and that output's escaping (:mod:`fmstudy.escape`): HTML
    autoescaped; in Markdown every printed value escaped unless it is ``escape.Raw`` (as
    a macro's output is); in the notebook, values reach code cells only as ``|py``
    literals and markdown cells only through ``|md``.  ``fmt`` names the output, so
    ``sections.j2`` takes its building blocks from ``html.j2`` or ``markdown.j2``."""
    env = (_MarkdownEnvironment if kind == "markdown" else Environment)(
        loader=PackageLoader("fmstudy", "report/templates"),
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
        pvalue=pvalue,
        signed=lambda x, digits=2: num(x, digits, sign=True),
        py=lambda v: escape.Raw(repr(v)),  # a Python literal, in the notebook's code cells
        md=escape.markdown,
        code=escape.code_span,
        codeblock=escape.code_block,
        link=lambda path: escape.Raw(quote(path)),  # a relative link in Markdown
        attr=lambda text: escape.Raw(escape.html(text)),  # an HTML attribute in Markdown
    )
    env.globals["fmt"] = kind
    return env


def tidy_markdown(text: str) -> str:
    """Rendered Markdown with no more than one blank line in a row (each building block of
    ``markdown.j2`` ends in one; the report's code blocks hold no blank line)."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def with_glossary(ctx: dict) -> dict:
    """``ctx`` with its glossary (:mod:`fmstudy.report.narrative.glossary`), found in the
    sections' words as rendered in Markdown, and the sections and contents that show it.
    Each figure's address is left out of the words searched: an embedded image's base64
    (``...+aucq...``) is no one's text."""
    scan = templates("markdown")
    head = scan.from_string('{% import "sections.j2" as r with context %}{{ r.head() }}')
    part = scan.from_string(
        '{% import "sections.j2" as r with context %}{{ r.wrap(s, r[s.macro]) }}'
    )
    words = {**ctx, "img": {key: escape.Raw("#") for key, src in ctx["img"].items() if src}}
    texts = [("", head.render(**words))] + [
        (s.anchor, part.render(**words, s=s)) for s in ctx["sections"]
    ]
    ctx = {**ctx, "glossary": glossary(texts, user_words(ctx))}
    ctx["sections"] = sections.shown(ctx)
    ctx["toc"] = sections.toc(ctx["sections"])
    return ctx


def report_pages(result, images: dict[str, str], lang: str) -> tuple[str, str]:
    """The report of ``result`` in ``lang`` as HTML (``images``: figure key -> its data
    URI, embedded) and Markdown (each figure linked as ``figures/KEY.png``)."""
    with language(lang):
        ctx = with_glossary(build_context(result, images))
        html = templates("html").get_template("report.html.j2").render(**ctx)
        md_images = {k: escape.Raw(f"figures/{quote(k)}.png") for k in images}
        md = templates("markdown").get_template("report.md.j2")
        markdown = tidy_markdown(md.render(**{**ctx, "img": md_images}))
    return html, markdown


def write_report(result, out: Path, *, force: bool = False) -> Path:
    """Write every output of a study.run.StudyRecord into ``out`` atomically; returns ``out``."""
    target = check_out_dir(out, force=force)
    with building_dir(target) as tmp:
        (tmp / "figures").mkdir()
        images = {}
        for name, fig in Figures(result).items():  # drawn in the report's language
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
        html, markdown = report_pages(result, images, result.config.lang)
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
        write_marker(tmp, fmstudy=result.manifest["fmstudy"])
    return out


def overview_pages(overview) -> tuple[str, str]:
    """The all-groups overview (an all_groups.AllGroups) as HTML and Markdown, in the
    current language."""
    ctx = overview_context(overview)
    html = templates("html").get_template("groups.html.j2").render(**ctx)
    markdown = templates("markdown").get_template("groups.md.j2").render(**ctx)
    return html, markdown
