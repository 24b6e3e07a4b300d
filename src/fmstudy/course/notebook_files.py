"""Where a study notebook goes: the --out rule (replace only what fmstudy wrote and nobody
edited since) and the export to HTML or PDF with nbconvert.

    check_out(Path("study.ipynb"), force=False)    # one line if it may not be replaced
    export(Path("study.ipynb"), "html")            # writes study.html beside it
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import nbformat

from fmstudy.atomic import write_bytes
from fmstudy.errors import FmstudyError

EXPORTS = ("html", "pdf")  # what --to exports the notebook to


def fingerprint(nb: nbformat.NotebookNode) -> str:
    """SHA-256 of the cells' kinds and sources: what fmstudy wrote, before any edit."""
    import hashlib

    digest = hashlib.sha256()
    for cell in nb.cells:
        digest.update(f"{cell.cell_type}\0{cell.source}\0".encode())
    return digest.hexdigest()


def written_unchanged(path: Path) -> bool:
    """Whether ``path`` is a notebook fmstudy wrote whose cell sources nobody changed since."""
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError, nbformat.ValidationError, AttributeError, KeyError, TypeError):
        return False  # not a notebook nbformat can read: not fmstudy's
    stored = nb.metadata.get("fmstudy", {}).get("sources_sha256")
    return stored is not None and stored == fingerprint(nb)


def check_out(out: Path, *, force: bool) -> None:
    """Refuse an --out that is not a .ipynb file name, or that holds anything but an
    unedited notebook of fmstudy's (unless ``force``)."""
    if out.suffix != ".ipynb":
        raise FmstudyError(f"--out {out} should end in .ipynb (a Jupyter notebook)")
    if out.is_dir():
        raise FmstudyError(f"--out {out} is a folder; give a file name ending in .ipynb")
    if out.exists() and not force and not written_unchanged(out):
        raise FmstudyError(
            f"--out {out} exists and is not a notebook fmstudy wrote and nobody edited since "
            "(its cells changed, or another file); choose another name or pass --force to "
            "replace it"
        )


def export(path: Path, to: str, *, force: bool = False) -> Path:
    """Convert the notebook at ``path`` to ``to`` beside it: "html" with nbconvert, "pdf"
    as that HTML printed by an installed headless Chromium; the same replace rule as --out."""
    from nbconvert import HTMLExporter

    target = path.with_suffix("." + to)
    if target.exists() and not force and not _exported(target):
        raise FmstudyError(
            f"{target} exists and fmstudy did not export it; move it away or pass --force"
        )
    nb = nbformat.read(path, as_version=4)
    body, _ = HTMLExporter().from_notebook_node(nb)
    if to == "html":
        write_bytes(target, (body + _MARK).encode())
        return target
    browser = next(filter(None, map(shutil.which, BROWSERS)), None)
    if browser is None:
        raise FmstudyError(
            "--to pdf prints the HTML export with a headless Chromium, and none is installed "
            f"(looked for {', '.join(BROWSERS)}); install one, or use --to html"
        )
    with tempfile.TemporaryDirectory() as tmp:
        page, pdf = Path(tmp) / "notebook.html", Path(tmp) / "notebook.pdf"
        page.write_text(body, encoding="utf-8")
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer"]
        done = subprocess.run(
            [*command, f"--print-to-pdf={pdf}", page.as_uri()],
            capture_output=True,
            timeout=300,
            check=False,
        )
        if done.returncode or not pdf.is_file():
            last = (done.stderr.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
            raise FmstudyError(f"--to pdf: {browser} could not print the notebook ({last})")
        write_bytes(target, pdf.read_bytes() + _PDF_MARK)
    return target


BROWSERS = ("chromium", "chromium-browser", "google-chrome")
_MARK = "\n<!-- exported by fmstudy notebook --to html -->\n"
_PDF_MARK = b"\n% exported by fmstudy notebook --to pdf\n"  # a PDF comment after %%EOF


def _exported(target: Path) -> bool:
    """Whether ``target`` is an export of fmstudy's: it ends with fmstudy's mark."""
    return target.read_bytes().endswith(_MARK.encode() if target.suffix == ".html" else _PDF_MARK)
