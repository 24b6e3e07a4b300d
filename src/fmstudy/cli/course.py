"""``fmstudy notebook``: the study as a Jupyter notebook for the course; parses its
options, builds the config, makes one call and prints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fmstudy.cli import options as opts
from fmstudy.cli.app import app


@app.command("notebook")
def notebook_cmd(
    surname: opts.Surname = None,
    classes: opts.Classes = None,
    groups: opts.Groups = None,
    dataset: opts.DatasetOpt = "fashion-mnist",
    test_share: opts.TestShare = 0.2,
    image_size: opts.ImageSize = None,
    profile: Annotated[str, typer.Option("--profile", help=opts.PROFILE_HELP)] = "standard",
    seed: opts.seed_opt() = 0,
    lang: Annotated[
        str,
        typer.Option(
            "--lang",
            help="Language of the notebook's explanations and printed sentences: en or sv.",
        ),
    ] = "en",
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="The notebook file to write (.ipynb). "
            + opts.OUT_RULE
            + " A notebook whose cells were edited since fmstudy wrote it counts as anything "
            "else, and so do exports (--to) fmstudy did not make.",
        ),
    ] = Path("fmstudy-study.ipynb"),
    execute: Annotated[
        bool | None,
        typer.Option(
            "--execute/--no-execute",
            help="Run every cell (nbclient, a fresh python3 kernel) so the outputs are in the "
            "file; takes as long as 'fmstudy run' with the same profile, and retrains "
            "everything. With --exercise it runs the given cells (the answer cells are "
            "empty); with --exercise --solution, the answers too (the teacher's key with its "
            "results) [default: run, except with --exercise].",
            show_default=False,
        ),
    ] = None,
    exercise: Annotated[
        bool,
        typer.Option(
            "--exercise",
            help="The students' variant: the assignment's questions, each followed by a "
            "'# your code here' cell; the data loading and the plotting and training helpers "
            "are given, no answer is; not run unless --execute is given.",
        ),
    ] = False,
    solution: Annotated[
        bool,
        typer.Option(
            "--solution",
            help="With --exercise: the teacher's variant, the study's code under each question.",
        ),
    ] = False,
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            help="Also export the notebook beside --out: html (nbconvert) or pdf (that HTML "
            "printed by an installed headless Chromium); may be given twice. An existing "
            "export is replaced only when fmstudy made it, else --force.",
        ),
    ] = None,
    force: opts.Force = False,
    data_dir: opts.DataDir = None,
) -> None:
    """Write the study as a Jupyter notebook to hand in: task by task, explained, runnable."""
    from fmstudy.course.notebook import write_notebook
    from fmstudy.course.notebook_files import EXPORTS, export
    from fmstudy.errors import FmstudyError
    from fmstudy.study.config import study_config

    if solution and not exercise:
        raise FmstudyError("--solution is the exercise's teacher variant: give --exercise too")
    bad = [t for t in to or () if t not in EXPORTS]
    if bad:
        raise FmstudyError(f"--to {bad[0]}: choose html or pdf")
    cfg = study_config(
        dataset=dataset,
        surname=surname,
        classes=classes,
        groups=groups,
        seed=seed,
        profile=profile,
        lang=lang,
        test_share=test_share,
        image_size=image_size,
    )
    nb = write_notebook(
        cfg,
        out,
        exercise=exercise,
        solution=solution,
        run=execute,
        force=force,
        data_dir=data_dir,
    )
    ran = any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
    print(f"Notebook: {out} ({len(nb.cells)} cells, {'run' if ran else 'not run'})")
    for fmt in dict.fromkeys(to or ()):
        print(f"Exported: {export(out, fmt, force=force)}")
