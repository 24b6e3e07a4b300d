"""The study commands: ``fmstudy run`` (tasks 1-5), ``search`` and ``nn``; each parses
its options, builds its config with one library function, makes one call and prints."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from fmstudy.cli import console as show
from fmstudy.cli import options as opts
from fmstudy.cli.app import app, check_jobs
from fmstudy.errors import FmstudyError


@app.command("run")
def run_cmd(
    surname: opts.Surname = None,
    classes: opts.Classes = None,
    groups: opts.groups_opt(" and so does --all-groups") = None,
    class_names: opts.ClassNames = None,
    dataset: opts.DatasetOpt = "fashion-mnist",
    test_share: opts.TestShare = 0.2,
    image_size: opts.ImageSize = None,
    out: Annotated[
        Path, typer.Option("--out", help=f"Report folder to write. {opts.OUT_RULE}")
    ] = Path("fmstudy-report"),
    seed: opts.seed_opt() = 0,
    profile: Annotated[str, typer.Option("--profile", help=opts.PROFILE_HELP)] = "standard",
    tasks: Annotated[
        str,
        typer.Option(
            "--tasks",
            help="Study tasks to run: 1 data, 2 PCA, 3 random forest, 4 logistic regression "
            "(3 or 4 also runs the other --models), 5 neural networks, search (Optuna "
            "architecture search); e.g. '1-5', '1,2' or '1-5,search'.",
        ),
    ] = "1-5",
    storage: opts.storage_opt("sqlite:///OUT.search.db, beside the report folder") = None,
    jobs: opts.Jobs = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Rerun exactly what a report's config.json says (other study options are ignored).",
        ),
    ] = None,
    cv: opts.Cv = 0,
    cv_repeats: opts.CvRepeats = 2,
    compare: opts.Compare = "none",
    learning_curves: opts.LearningCurves = None,
    lang: opts.Lang = "en",
    device: opts.Device = "auto",
    models: opts.Models = None,
    save_models: opts.SaveModels = "small",
    all_groups: Annotated[
        bool,
        typer.Option(
            "--all-groups",
            help="Run the study for every surname group (see --groups) into OUT/<group>/ "
            "and write OUT/index.html and index.md, a grading key: per group each task's "
            "expected answer, what range of answers to accept, the most accurate model with "
            "the report's verdicts and links to the reports; made with --profile, so run it "
            "with the profile the students run (standard unless given).",
        ),
    ] = False,
    fresh: opts.Fresh = False,
    force: opts.Force = False,
    data_dir: opts.DataDir = None,
) -> None:
    """Run the study (tasks 1-5) and write the report: index.html, report.md, JSON, CSV, figures."""
    from fmstudy.api import run_report
    from fmstudy.report.write import read_config
    from fmstudy.study.config import study_config

    check_jobs(jobs)
    if all_groups:
        from fmstudy.course.all_groups import run_all_groups

        if surname is not None or classes is not None or config is not None:
            raise FmstudyError(
                "--all-groups runs every surname group: leave out --surname, --classes and --config"
            )
        settings = {
            "dataset": dataset,
            "seed": seed,
            "profile": profile,
            "tasks": tasks,
            "cv": cv,
            "cv_repeats": cv_repeats,
            "compare": compare,
            "learning_curves": learning_curves,
            "lang": lang,
            "test_share": test_share,
            "image_size": image_size,
            "models": models,
        }
        overview = run_all_groups(
            settings,
            out,
            groups=groups,
            force=force,
            data_dir=data_dir,
            jobs=jobs,
            fresh=fresh,
            search_storage=storage,
            device=device,
            save_models=save_models,
        )
        show.print_groups(overview, out)
        return
    if config is not None:
        cfg = read_config(config)
    else:
        cfg = study_config(
            dataset=dataset,
            surname=surname,
            classes=classes,
            seed=seed,
            class_names=class_names,
            profile=profile,
            tasks=tasks,
            cv=cv,
            cv_repeats=cv_repeats,
            compare=compare,
            learning_curves=learning_curves,
            lang=lang,
            groups=groups,
            test_share=test_share,
            image_size=image_size,
            models=models,
        )
    result = run_report(
        cfg,
        out,
        force=force,
        storage=storage,
        data_dir=data_dir,
        jobs=jobs,
        fresh=fresh,
        device=device,
        save_models=save_models,
    )
    show.print_summary(result, out)


@app.command("search")
def search_cmd(
    surname: opts.Surname = None,
    classes: opts.Classes = None,
    groups: opts.Groups = None,
    dataset: opts.DatasetOpt = "fashion-mnist",
    test_share: opts.TestShare = 0.2,
    image_size: opts.ImageSize = None,
    trials: Annotated[
        int,
        typer.Option(
            "--trials",
            help="The study's total number of trials (complete and pruned), across all "
            "workers and reruns: a rerun continues until the study holds this many.",
        ),
    ] = 40,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            help="Seconds the whole command may take, data and report included: trials stop "
            "in time for the report (the first epoch always ends, so there is a result) "
            "[default: no limit].",
            show_default=False,
        ),
    ] = None,
    storage: opts.storage_opt("sqlite:///OUT/search.db") = None,
    study_name: Annotated[
        str | None,
        typer.Option(
            "--study-name",
            help="Name of the study in the storage [default: DATASET-CLASSES, e.g. fashion-mnist-4-5-6-7].",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Folder for the search: search.db (kept, so a rerun continues the study) and "
            f"report/ (rewritten). {opts.OUT_RULE}",
        ),
    ] = Path("fmstudy-search"),
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            help="Worker processes on this machine, 1-64; the cores are split between them.",
        ),
    ] = 1,
    old_jobs: Annotated[
        int | None, typer.Option("--jobs", hidden=True, help="Deprecated: --workers.")
    ] = None,
    max_epochs: Annotated[
        int,
        typer.Option("--max-epochs", help="Epochs per trial at most (the pruner stops poor ones)."),
    ] = 12,
    pruner: Annotated[str, typer.Option("--pruner", help="median, hyperband or none.")] = "median",
    mlp_only: Annotated[
        bool,
        typer.Option("--mlp-only", help="Search dense networks only (no convolution blocks)."),
    ] = False,
    seed: opts.seed_opt(": the sampler's and every training's") = 0,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write over --out even when it holds what fmstudy did not write there (that "
            "stays; report/ is replaced).",
        ),
    ] = False,
    lang: opts.Lang = "en",
    device: opts.Device = "auto",
    data_dir: opts.DataDir = None,
) -> None:
    """Search network architectures with Optuna; one machine or many workers sharing one study."""
    started = time.time()  # --timeout bounds the whole command: data, trials, report
    from fmstudy.api import run_report
    from fmstudy.search.run import search_deadline
    from fmstudy.study.config import search_config

    workers = _workers(workers, old_jobs)
    check_jobs(workers, "--workers")
    budget = {
        "trials": trials,
        "timeout": timeout,
        "max_epochs": max_epochs,
        "pruner": pruner,
        "conv": not mlp_only,
        "study_name": study_name,
    }
    cfg = search_config(
        budget,
        dataset=dataset,
        surname=surname,
        classes=classes,
        groups=groups,
        seed=seed,
        lang=lang,
        test_share=test_share,
        image_size=image_size,
    )
    _check_search_out(out, force)
    db = out / "search.db"
    result = run_report(
        cfg,
        out / "report",
        force=force,
        storage=storage,
        search_db=db,
        data_dir=data_dir,
        search_jobs=workers,
        device=device,
        search_deadline=search_deadline(timeout, started),
    )
    show.print_search(result, out, storage or db)


@app.command("nn")
def nn_cmd(
    arch: Annotated[
        str | None,
        typer.Option(
            "--arch",
            help="A preset name (see --list), a spec JSON file, or layers "
            "such as '100-512:d0.3-1024:d0.2' or 'c32-p-c64-p-128'.",
        ),
    ] = None,
    surname: opts.Surname = None,
    classes: opts.Classes = None,
    groups: opts.Groups = None,
    dataset: opts.DatasetOpt = "fashion-mnist",
    test_share: opts.TestShare = 0.2,
    image_size: opts.ImageSize = None,
    epochs: opts.Epochs = None,
    seeds: Annotated[
        int, typer.Option("--seeds", help="Seeds to train, reported as mean ± sd.")
    ] = 1,
    seed: opts.seed_opt("; with --seeds N, the first of N seeds in a row") = 0,
    optimizer: opts.Optimizer = None,
    lr: opts.Lr = None,
    momentum: opts.Momentum = None,
    weight_decay: opts.WeightDecay = None,
    batch_size: opts.BatchSize = None,
    patience: opts.Patience = None,
    scaling: opts.Scaling = None,
    val_split: opts.ValSplit = None,
    mixup: opts.Mixup = None,
    tta: opts.Tta = None,
    refit: opts.Refit = None,
    precision: opts.Precision = None,
    out: Annotated[
        Path, typer.Option("--out", help=f"Report folder to write. {opts.OUT_RULE}")
    ] = Path("fmstudy-nn"),
    jobs: opts.Jobs = None,
    fresh: opts.Fresh = False,
    force: opts.Force = False,
    list_: Annotated[
        bool, typer.Option("--list", help="List the network presets and exit.")
    ] = False,
    lang: opts.Lang = "en",
    device: opts.Device = "auto",
    data_dir: opts.DataDir = None,
) -> None:
    """Train one network spec or preset (task 5) and write it as a small report with the saved model."""
    from fmstudy.api import run_report
    from fmstudy.nets.presets import PRESETS
    from fmstudy.study.config import network_config

    if list_:
        show.print_presets(PRESETS)
        return
    check_jobs(jobs)
    overrides = {
        "epochs": epochs,
        "optimizer": optimizer,
        "lr": lr,
        "momentum": momentum,
        "weight_decay": weight_decay,
        "batch_size": batch_size,
        "patience": patience,
        "scaling": scaling,
        "val_split": val_split,
        "mixup": mixup,
        "tta": tta,
        "refit": refit,
        "precision": precision,
    }
    cfg = network_config(
        arch,
        overrides,
        seeds=seeds,
        dataset=dataset,
        surname=surname,
        classes=classes,
        groups=groups,
        seed=seed,
        lang=lang,
        test_share=test_share,
        image_size=image_size,
    )
    result = run_report(
        cfg, out, force=force, data_dir=data_dir, jobs=jobs, fresh=fresh, device=device
    )
    show.print_summary(result, out)


def _workers(workers: int, old_jobs: int | None) -> int:
    """``--workers``, or the deprecated ``--jobs`` it replaced (said on stderr)."""
    if old_jobs is None:
        return workers
    if workers != 1:
        raise FmstudyError(f"--jobs {old_jobs} is the old name of --workers: give --workers only")
    check_jobs(old_jobs)
    print(
        "fmstudy: warning: 'fmstudy search --jobs' is now --workers (worker processes); "
        "--jobs elsewhere counts CPU cores",
        file=sys.stderr,
    )
    return old_jobs


def _check_search_out(out: Path, force: bool) -> None:
    """Refuse a search folder that holds more than an earlier search wrote there (its
    search.db with SQLite's side files and the workers' lock, report/ and that report's
    temporary names), unless ``force``."""
    if out.exists() and not out.is_dir():
        raise FmstudyError(f"--out {out} is a file; name a folder")
    if force or not out.is_dir():
        return
    ours = ("search.db", ".report.")
    try:
        names = os.listdir(out)
    except OSError as exc:
        raise FmstudyError(f"cannot read --out {out}: {exc.strerror}") from None
    foreign = sorted(n for n in names if n != "report" and not n.startswith(ours))
    if foreign:
        more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        raise FmstudyError(
            f"--out {out} holds {', '.join(foreign[:3])}{more}, which an earlier search did "
            "not write; choose another folder or pass --force to write into it"
        )
