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
    seed: Annotated[
        int, typer.Option("--seed", help="Seed for every random step (0 to 2**32-1).")
    ] = 0,
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
            "--out", help="The notebook file to write (.ipynb); never replaced without --force."
        ),
    ] = Path("fmstudy-study.ipynb"),
    execute: Annotated[
        bool | None,
        typer.Option(
            "--execute/--no-execute",
            help="Run every cell (nbclient, a fresh python3 kernel) so the outputs are in the "
            "file; takes as long as 'fmstudy run' with the same profile, and retrains "
            "everything [default: run, except with --exercise].",
            show_default=False,
        ),
    ] = None,
    exercise: Annotated[
        bool,
        typer.Option(
            "--exercise",
            help="The teacher's variant: the same code, the explanations replaced by the "
            "assignment's questions; not run unless --execute is given (its outputs would "
            "give the answers away).",
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
    data_dir: opts.DataDir = None,
) -> None:
    """Write the study as a Jupyter notebook to hand in: task by task, explained, runnable."""
    from fmstudy.course.notebook import write_notebook
    from fmstudy.study.config import study_config

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
    nb = write_notebook(cfg, out, exercise=exercise, run=execute, force=force, data_dir=data_dir)
    ran = any(c.get("outputs") for c in nb.cells if c.cell_type == "code")
    print(f"Notebook: {out} ({len(nb.cells)} cells, {'run' if ran else 'not run'})")
