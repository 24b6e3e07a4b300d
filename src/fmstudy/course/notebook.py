"""``fmstudy notebook``: the study as a Jupyter notebook to hand in and continue from.

    nb = build_notebook(cfg)                        # nbformat NotebookNode, not run
    write_notebook(cfg, Path("study.ipynb"))        # run with nbclient, then written
    write_notebook(cfg, Path("tasks.ipynb"), exercise=True)   # the questions, not run

The cells are the template ``templates/notebook.j2`` rendered for one config: code a
student can read and change (pandas, scikit-learn's estimators and the networks' layers in
PyTorch with the config's settings written out, a plain training loop; fmstudy loads and
verifies the data and draws the report's figures) and markdown in the config's language
that is the student's to edit.  No computed number is in the markdown: a code cell prints
each sentence from the numbers the cells above it computed
(:mod:`fmstudy.report.narrative`), as its output, for the student to keep or replace.

The exercise variant asks instead: the data loading and the helpers are given, each
question is followed by a ``# your code here`` cell, and no sentence is printed; with
``solution`` those cells hold the study's code (the teacher's key).
"""

from __future__ import annotations

import os
import re
import shlex
import tempfile
import time
from pathlib import Path

import nbformat

from fmstudy import __version__
from fmstudy.atomic import write_bytes
from fmstudy.course.notebook_code import network_cell
from fmstudy.course.notebook_files import check_out, fingerprint
from fmstudy.data.own import dataset_spec
from fmstudy.errors import FmstudyError
from fmstudy.i18n import gettext as _
from fmstudy.i18n import language
from fmstudy.models.classical import classical_specs
from fmstudy.progress import say
from fmstudy.report.context import dataset_title
from fmstudy.report.write import templates
from fmstudy.study.config import StudyConfig

KERNEL = "python3"
KINDS = "markdown|code|answer|say"  # answer: the exercise's to write; say: sentences
_CELL = re.compile(rf"^%% ({KINDS})\n(.*?)(?=^%% (?:{KINDS})$|\Z)", re.M | re.S)


def command_of(cfg: StudyConfig, exercise: bool, solution: bool = False) -> str:
    """The fmstudy command that makes this notebook again."""
    who = (
        f"--surname {shlex.quote(cfg.surname)}"
        if cfg.surname
        else "--classes " + ",".join(map(str, cfg.classes))
    )
    parts = [
        f"fmstudy notebook {who}",
        f"--dataset {shlex.quote(cfg.dataset)}",
        f"--profile {cfg.profile}",
    ]
    parts += [f"--seed {cfg.seed}", f"--lang {cfg.lang}"]
    if dataset_spec(cfg.dataset).source != "idx":
        parts.append(f"--test-share {cfg.test_share}")
    if cfg.image_size:
        parts.append(f"--image-size {cfg.image_size[0]}x{cfg.image_size[1]}")
    if cfg.groups:
        parts.append(f"--groups {shlex.quote(cfg.groups)}")
    flags = (" --exercise" if exercise else "") + (" --solution" if solution else "")
    return " ".join(parts) + flags


def _networks(cfg: StudyConfig) -> list[dict]:
    """The config's networks as code, each with its own function name."""
    nets, seen = [], set()
    for i, spec in enumerate(cfg.networks):
        net = network_cell(spec)
        if net["function"] in seen:
            net["function"] += f"_{i + 1}"
        seen.add(net["function"])
        nets.append(net)
    return nets


def build_notebook(
    cfg: StudyConfig, *, exercise: bool = False, solution: bool = False
) -> nbformat.NotebookNode:
    """The study's notebook for ``cfg`` in its language, its cells not yet run: the study,
    or (``exercise``) the questions with empty answer cells, or their answers (``solution``)."""
    specs = classical_specs(cfg.forest, cfg.logreg)
    forest, raw, std = specs[0], *specs[-2:]
    base = cfg.forest.random_state or 0
    with language(cfg.lang):
        names = cfg_class_names(cfg)
        nets = _networks(cfg)
        ctx = {
            "cfg": cfg,
            "exercise": exercise,
            "version": __version__,
            "command": command_of(cfg, exercise, solution),
            "title": _("{dataset} study").format(dataset=dataset_title(cfg.dataset))
            + ": "
            + ", ".join(names),
            "forest_seeds": [
                cfg.forest.random_state if i == 0 else base + i for i in range(cfg.forest.seeds)
            ],
            "forest_label": (forest.label_id, forest.label_args),
            "forest_title": _(forest.label_id).format(**forest.label_args),
            "raw_label": (raw.label_id, raw.label_args),
            "std_label": (std.label_id, std.label_args),
            "raw_title": _(raw.label_id).format(**raw.label_args),
            "std_title": _(std.label_id).format(**std.label_args),
            "raw_scale": "1 / 255"
            if cfg.logreg.raw_scale == 1 / 255
            else repr(cfg.logreg.raw_scale),
            "network_seeds": [cfg.seed + i for i in range(cfg.network_seeds)],
            "networks": nets,
            "example_settings": nets[0]["settings"] if nets else "{}",
            "learning_curves": bool(cfg.learning_curves),
            "own_data": dataset_spec(cfg.dataset).source != "idx",
        }
        text = templates("notebook").get_template("notebook.j2").render(**ctx)
        blank = "# " + _("your code here")
    nb = nbformat.v4.new_notebook()
    # A cell starts at a line that is exactly "%% KIND"; no user text can make one: it
    # reaches markdown only through |md (one line) and code only as |py.
    for kind, source in _CELL.findall(text):
        source = source.strip("\n")
        if kind == "say" and exercise:
            continue
        if kind == "answer" and exercise and not solution:
            source = blank
        if source:
            make = (
                nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
            )
            nb.cells.append(make(source))
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["fmstudy"] = {
        "version": __version__,
        "exercise": exercise,
        "solution": solution,
        "config": cfg.to_dict(),
    }
    nb.metadata["fmstudy"]["sources_sha256"] = fingerprint(nb)
    return nb


def cfg_class_names(cfg: StudyConfig) -> list[str]:
    """The config's class names in the current language."""
    from fmstudy.i18n import current

    names = dataset_spec(cfg.dataset).class_names(current().code)
    return [names[c] for c in cfg.classes]


def execute(nb: nbformat.NotebookNode, folder: Path, data_dir=None) -> None:
    """Run every cell in a fresh kernel started in ``folder``; outputs land in ``nb``."""
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, DeadKernelError

    total = len(nb.cells)
    t0 = time.perf_counter()

    def done(cell, cell_index, **_kw) -> None:
        say(f"Notebook: cell {cell_index + 1}/{total} done ({time.perf_counter() - t0:.1f} s)")

    from jupyter_client.manager import KernelManager

    # Over IPC (local sockets, by an absolute path: the kernel starts in ``folder``) on
    # POSIX: the kernel then has no TCP to warn about on the terminal as unencrypted.
    sockets = tempfile.TemporaryDirectory(prefix="fmstudy-kernel-")
    ipc = {"transport": "ipc", "ip": f"{sockets.name}/k"} if os.name == "posix" else {}
    km = KernelManager(kernel_name=KERNEL, **ipc)
    client = NotebookClient(
        nb,
        km=km,
        timeout=None,
        kernel_name=KERNEL,
        resources={"metadata": {"path": str(folder)}},
        on_cell_executed=done,
    )
    env = dict(os.environ)
    if data_dir is not None:
        env["FMSTUDY_DATA_DIR"] = str(Path(data_dir).resolve())
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    try:
        with sockets:
            try:
                client.execute(env=env)
            finally:  # the client shuts down only a kernel it started itself
                if km.has_kernel:
                    km.shutdown_kernel(now=True)
    except NoSuchKernel:
        raise FmstudyError(
            f"no Jupyter kernel named {KERNEL!r}: install ipykernel in this Python "
            "(pip install ipykernel), or write the notebook with --no-execute"
        ) from None
    except CellExecutionError as exc:
        failed = next(
            (
                i
                for i, c in enumerate(nb.cells)
                if any(o.get("output_type") == "error" for o in c.get("outputs", []))
            ),
            None,
        )
        where = f"cell {failed + 1}" if failed is not None else "a cell"
        raise FmstudyError(
            f"the notebook stopped in {where}: {exc.ename}: {exc.evalue}; nothing was written"
        ) from None
    except DeadKernelError as exc:
        raise FmstudyError(f"the notebook's kernel died ({exc}); nothing was written") from None


def _check_feasible(cfg: StudyConfig, data_dir) -> None:
    """The data checked as 'fmstudy run' checks it (too few images for the folds or a
    network's validation part, ...): one line before the kernel starts, not a stop in a
    late cell."""
    from fmstudy.data.loading import load_dataset, resolve_data_dir
    from fmstudy.data.subsets import select_classes
    from fmstudy.study.feasibility import check_study

    ds = load_dataset(cfg.dataset, resolve_data_dir(data_dir), options=cfg.data_options())
    check_study(cfg, select_classes(ds, cfg.classes))


def write_notebook(
    cfg: StudyConfig,
    out: Path,
    *,
    exercise: bool = False,
    solution: bool = False,
    run: bool | None = None,
    force: bool = False,
    data_dir=None,
) -> nbformat.NotebookNode:
    """Build the notebook, run it (default: unless ``exercise``), write it to ``out``; an
    existing ``out`` is replaced only when fmstudy wrote it and its cells are unchanged
    (:func:`~fmstudy.course.notebook_files.check_out`), or with ``force``."""
    check_out(out, force=force)
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise FmstudyError(f"--out {out}: the folder {folder} does not exist")
    try:  # a real write probe: permission bits say nothing for root or /proc-like folders
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as exc:
        raise FmstudyError(
            f"cannot write in {folder}: {exc.strerror}; choose another --out"
        ) from None
    nb = build_notebook(cfg, exercise=exercise, solution=solution)
    if run if run is not None else not exercise:
        _check_feasible(cfg, data_dir)
        execute(nb, folder, data_dir)
    write_bytes(out, nbformat.writes(nb).encode())
    return nb
