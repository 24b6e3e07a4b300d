"""The ``fmstudy`` command line: parses options and calls the study functions.

Every error a user can cause ends as one line on stderr and exit code 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fmstudy import __version__
from fmstudy.data import availability, load_dataset, resolve_data_dir
from fmstudy.datasets import REGISTRY, get_dataset_spec
from fmstudy.errors import FmstudyError
from fmstudy.subsets import resolve_classes, select_classes

PROFILE_HELP = (
    "quick: every step on small budgets (tests, CI); standard: the notebook's accuracy "
    "far faster; notebook: the notebook's exact settings (RF 1000 trees and LogReg "
    "max_iter=5000, random_state=42)"
)

app = typer.Typer(
    name="fmstudy",
    help="Run a complete, reproducible Fashion-MNIST class-subset study in one command.",
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="FMSTUDY_DATA_DIR",
        help="Folder for downloaded data sets and the decoded-array cache "
        "[default: $FMSTUDY_DATA_DIR, else ~/.cache/fmstudy].",
        show_default=False,
    ),
]
DatasetOpt = Annotated[
    str,
    typer.Option(
        "--dataset",
        envvar="FMSTUDY_DATASET",
        help="Data set to study: fashion-mnist (shipped), mnist or kmnist (downloaded once).",
    ),
]
Surname = Annotated[
    str | None,
    typer.Option(
        "--surname",
        help="Your last name: its first letter picks the course's four classes "
        "(A-G: 0-3, H-M: 4-7, N-Ö: 6-9).",
    ),
]
Classes = Annotated[
    str | None,
    typer.Option(
        "--classes",
        help="Classes to study, overriding --surname: '4-7', '4,5,6,7' or names 'coat,shirt'.",
    ),
]


def _version(value: bool) -> None:
    if value:
        print(f"fmstudy {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Run a complete, reproducible Fashion-MNIST class-subset study in one command."""
    if ctx.invoked_subcommand is None:
        print(ctx.get_help())
        raise typer.Exit()


@app.command("data")
def data_cmd(
    dataset: DatasetOpt = "fashion-mnist",
    surname: Surname = None,
    classes: Classes = None,
    data_dir: DataDir = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the verification as one JSON object.")
    ] = False,
    list_: Annotated[
        bool,
        typer.Option("--list", help="List the known data sets and whether each works offline."),
    ] = False,
) -> None:
    """Load and verify a data set and show study task 1: shapes, hashes, the class filter."""
    root = resolve_data_dir(data_dir)
    if list_:
        _print_list(root, as_json)
        return
    spec = get_dataset_spec(dataset)
    if surname is None and not classes:
        chosen = tuple(range(len(spec.classes)))  # no filter: task 1a only
    else:
        chosen = resolve_classes(spec.classes, surname=surname, classes=classes)
    ds = load_dataset(spec.name, root)
    report = select_classes(ds, chosen).verification()
    report["hashes_ok"] = True
    report["license"] = spec.license
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        _print_verification(report, surname if not classes else None)


def _print_list(root: Path, as_json: bool) -> None:
    rows = [
        {
            "name": s.name,
            "title": s.title,
            "classes": list(s.classes),
            "available": availability(s, root),
            "license": s.license,
        }
        for s in REGISTRY.values()
    ]
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    table = Table(title=f"Data sets (data dir: {root})")
    for col in ("name", "offline", "classes", "licence"):
        table.add_column(col)
    for r in rows:
        offline = {"shipped": "yes (shipped)", "cached": "yes (downloaded)"}.get(
            r["available"], "no: downloaded on first use"
        )
        table.add_row(r["name"], offline, ", ".join(r["classes"]), r["license"])
    Console().print(table)


def _print_verification(v: dict, surname: str | None) -> None:
    out = Console(highlight=False)
    sh = v["shapes"]
    out.print(f"[bold]{v['dataset']}[/]: SHA-256 of all 4 decompressed files OK")
    out.print(f"  train images {tuple(sh['train_images'])}, labels {tuple(sh['train_labels'])}")
    out.print(f"  test images  {tuple(sh['test_images'])}, labels {tuple(sh['test_labels'])}")
    out.print(f"  flattened: train {tuple(sh['train_flat'])}, test {tuple(sh['test_flat'])}")
    out.print(
        f"  common frame {tuple(sh['common_frame'])}: "
        f"{sh['train_flat'][1]} pixel columns + target + split"
    )
    who = f" (surname {surname!r})" if surname else ""
    names = ", ".join(f"{c} {n}" for c, n in zip(v["classes"], v["class_names"], strict=True))
    out.print(f"[bold]Classes{who}[/]: {names}")
    for split, s in v["splits"].items():
        status = "OK" if s["ok"] else f"MISMATCH, expected {s['expected_kept']}"
        out.print(f"  {split}: kept {s['kept']} / {s['total']} = {s['share']:.1%} ({status})")
    table = Table("class", "name", "train", "test")
    for c, n in zip(v["classes"], v["class_names"], strict=True):
        table.add_row(
            str(c),
            n,
            str(v["splits"]["train"]["per_class"][str(c)]),
            str(v["splits"]["test"]["per_class"][str(c)]),
        )
    out.print(table)
    out.print(f"  first 10 train targets: {v['splits']['train']['first_targets']}")
    out.print(f"  first 10 test targets:  {v['splits']['test']['first_targets']}")
    out.print(f"  licence: {v['license']}")


@app.command("run")
def run_cmd(
    surname: Surname = None,
    classes: Classes = None,
    dataset: DatasetOpt = "fashion-mnist",
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Report folder to write (replaced when it is an earlier report)."
        ),
    ] = Path("fmstudy-report"),
    seed: Annotated[int, typer.Option("--seed", help="Seed for every random step.")] = 0,
    profile: Annotated[str, typer.Option("--profile", help=PROFILE_HELP)] = "standard",
    tasks: Annotated[
        str,
        typer.Option(
            "--tasks",
            help="Study tasks to run: 1 data, 2 PCA, 3 random forest, 4 logistic regression, "
            "5 neural networks, search (Optuna architecture search); e.g. '1-5', '1,2' or "
            "'1-5,search'.",
        ),
    ] = "1-5",
    storage: Annotated[
        str | None,
        typer.Option(
            "--storage",
            help="Where the search task keeps its trials (see 'fmstudy search --help') "
            "[default: sqlite:///OUT.search.db, beside the report folder].",
            show_default=False,
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", help="CPU workers [default: all cores].", show_default=False),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="Rerun exactly what a report's config.json says (other study options are ignored).",
        ),
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Ignore cached model fits and refit everything.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace --out even if it is not an earlier fmstudy report."),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Run the study (tasks 1-5) and write the report: index.html, report.md, JSON, CSV, figures."""
    from fmstudy.config import StudyConfig, parse_tasks
    from fmstudy.study import check_out_dir, run_study

    if jobs is not None and jobs < 1:
        raise FmstudyError(f"--jobs must be at least 1, got {jobs}")
    if config is not None:
        cfg = _read_config(config)
    else:
        spec = get_dataset_spec(dataset)
        chosen = resolve_classes(spec.classes, surname=surname, classes=classes)
        cfg = StudyConfig(
            classes=chosen,
            dataset=spec.name,
            surname=None if classes else surname,
            seed=seed,
            profile=profile,
            tasks=parse_tasks(tasks),
        )
    check_out_dir(out, force=force)
    url = None
    if "search" in cfg.tasks:
        from fmstudy.search import check_storage_url

        out.resolve().parent.mkdir(parents=True, exist_ok=True)
        url = check_storage_url(storage or f"sqlite:///{out.resolve()}.search.db")
    result = run_study(
        cfg, data_dir=data_dir, jobs=jobs, fresh=fresh, progress=True, search_storage=url
    )
    result.save(out, force=force)
    _print_summary(result, out)


@app.command("search")
def search_cmd(
    surname: Surname = None,
    classes: Classes = None,
    dataset: DatasetOpt = "fashion-mnist",
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
            help="Stop starting new trials after this many seconds [default: no limit].",
            show_default=False,
        ),
    ] = None,
    storage: Annotated[
        str | None,
        typer.Option(
            "--storage",
            help="Where the trials live: sqlite:///FILE, or postgresql://USER:PASS@HOST/DB "
            "to share one study between workers on many machines [default: sqlite:///OUT/search.db].",
            show_default=False,
        ),
    ] = None,
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
            help="Folder for the search: search.db (kept between runs) and report/ (rewritten).",
        ),
    ] = Path("fmstudy-search"),
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", help="Worker processes on this machine; the cores are split between them."
        ),
    ] = 1,
    max_epochs: Annotated[
        int,
        typer.Option("--max-epochs", help="Epochs per trial at most (the pruner stops poor ones)."),
    ] = 12,
    pruner: Annotated[str, typer.Option("--pruner", help="median, hyperband or none.")] = "median",
    mlp_only: Annotated[
        bool,
        typer.Option("--mlp-only", help="Search dense networks only (no convolution blocks)."),
    ] = False,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the sampler and every training.")
    ] = 0,
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace OUT/report even if it is not an fmstudy report."),
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Search network architectures with Optuna; one machine or many workers sharing one study."""
    from fmstudy.config import StudyConfig
    from fmstudy.search import check_storage_url
    from fmstudy.study import check_out_dir, run_study

    if jobs < 1:
        raise FmstudyError(f"--jobs must be at least 1, got {jobs}")
    spec = get_dataset_spec(dataset)
    chosen = resolve_classes(spec.classes, surname=surname, classes=classes)
    search = {
        "trials": trials,
        "timeout": timeout,
        "max_epochs": max_epochs,
        "pruner": pruner,
        "conv": not mlp_only,
        "study_name": study_name,
    }
    cfg = StudyConfig(
        classes=chosen,
        dataset=spec.name,
        surname=None if classes else surname,
        seed=seed,
        profile="standard",
        tasks=("1", "search"),
        search=search,
    )
    cfg.search_settings()  # checks the numbers before anything is written
    if out.exists() and not out.is_dir():
        raise FmstudyError(f"--out {out} is a file; give a folder")
    if storage is not None:
        check_storage_url(storage)
    check_out_dir(out / "report", force=force)
    if storage is None:
        out.mkdir(parents=True, exist_ok=True)
    url = check_storage_url(storage or f"sqlite:///{(out / 'search.db').resolve()}")
    result = run_study(cfg, data_dir=data_dir, progress=True, search_storage=url, search_jobs=jobs)
    result.save(out / "report", force=force)
    s = result.metrics["search"]
    Console(highlight=False).print(
        f"Best trial {s['best_trial']} ({s['best_layers']}): validation {s['best_val_accuracy']:.4f}, "
        f"test {s['test_accuracy']:.4f} after retraining on all training rows.\n"
        f"Report: {out / 'report' / 'index.html'}   spec: {out / 'report' / 'best-spec.json'}   "
        f"trials: {url if storage else out / 'search.db'}"
    )


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
    surname: Surname = None,
    classes: Classes = None,
    dataset: DatasetOpt = "fashion-mnist",
    epochs: Annotated[
        int | None,
        typer.Option("--epochs", help="Epochs [default: the spec's].", show_default=False),
    ] = None,
    seeds: Annotated[
        int, typer.Option("--seeds", help="Seeds to train, reported as mean ± sd.")
    ] = 1,
    seed: Annotated[int, typer.Option("--seed", help="First seed; the others follow it.")] = 0,
    optimizer: Annotated[
        str | None,
        typer.Option(
            "--optimizer", help="sgd, adam or adamw [default: the spec's].", show_default=False
        ),
    ] = None,
    lr: Annotated[
        float | None,
        typer.Option("--lr", help="Learning rate [default: the spec's].", show_default=False),
    ] = None,
    momentum: Annotated[
        float | None,
        typer.Option("--momentum", help="SGD momentum [default: the spec's].", show_default=False),
    ] = None,
    weight_decay: Annotated[
        float | None,
        typer.Option(
            "--weight-decay", help="Weight decay [default: the spec's].", show_default=False
        ),
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option("--batch-size", help="Batch size [default: the spec's].", show_default=False),
    ] = None,
    patience: Annotated[
        int | None,
        typer.Option(
            "--patience",
            help="Early stopping on validation loss after this many epochs without improvement [default: the spec's; fixed epochs if none].",
            show_default=False,
        ),
    ] = None,
    scaling: Annotated[
        str | None,
        typer.Option(
            "--scaling",
            help="standardize (fitted on the training part) or unit (/255) [default: the spec's].",
            show_default=False,
        ),
    ] = None,
    val_split: Annotated[
        str | None,
        typer.Option(
            "--val-split",
            help="stratified, or first (the first 20 %% of rows, as the notebook) [default: the spec's].",
            show_default=False,
        ),
    ] = None,
    mixup: Annotated[
        float | None,
        typer.Option(
            "--mixup",
            help="Mixup alpha for half the training batches, 0 for none [default: the spec's].",
            show_default=False,
        ),
    ] = None,
    tta: Annotated[
        bool | None,
        typer.Option(
            "--tta/--no-tta",
            help="Predict from each image and its mirror (average of probabilities) [default: the spec's].",
            show_default=False,
        ),
    ] = None,
    refit: Annotated[
        bool | None,
        typer.Option(
            "--refit/--no-refit",
            help="After the run with a validation part, train again on every training row and test that network [default: the spec's].",
            show_default=False,
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Report folder to write.")] = Path(
        "fmstudy-nn"
    ),
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", help="CPU threads [default: all cores].", show_default=False),
    ] = None,
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Retrain even if a cached training exists.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace --out even if it is not an fmstudy report.")
    ] = False,
    list_: Annotated[
        bool, typer.Option("--list", help="List the network presets and exit.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Train one network spec or preset (task 5) and write it as a small report with the saved model."""
    from fmstudy.config import StudyConfig
    from fmstudy.neural import PRESETS, resolve_arch, with_overrides
    from fmstudy.study import check_out_dir, run_study

    if list_:
        table = Table("preset", "layers", "optimizer", "batch", "epochs", "scaling", "validation")
        table.columns[1].no_wrap = True
        table.add_column("also", min_width=30)
        for name, s in PRESETS.items():
            opt = f"{s.optimizer} lr {s.lr:g}" + (f" m {s.momentum:g}" if s.momentum else "")
            stop = f"{s.epochs}" + (f" (early stop {s.patience})" if s.patience else " fixed")
            table.add_row(
                name,
                s.layer_string,
                opt,
                str(s.batch_size),
                stop,
                s.scaling,
                s.val_split,
                "; ".join(s.extras()),
            )
        Console(width=200).print(table)
        return
    if not arch:
        raise FmstudyError(
            "say which network: --arch PRESET|SPEC.json|LAYERS (see 'fmstudy nn --list')"
        )
    if seeds < 1:
        raise FmstudyError(f"--seeds must be at least 1, got {seeds}")
    spec = resolve_arch(arch)
    spec = with_overrides(
        spec,
        epochs=epochs,
        optimizer=optimizer,
        lr=lr,
        momentum=momentum,
        weight_decay=weight_decay,
        batch_size=batch_size,
        patience=patience,
        scaling=scaling,
        val_split=val_split,
        mixup=mixup,
        tta=tta,
        refit=refit,
    )
    ds_spec = get_dataset_spec(dataset)
    chosen = resolve_classes(ds_spec.classes, surname=surname, classes=classes)
    cfg = StudyConfig(
        classes=chosen,
        dataset=ds_spec.name,
        surname=None if classes else surname,
        seed=seed,
        profile="standard",
        tasks=("1", "5"),
        networks=(spec.to_dict(),),
        network_seeds=seeds,
    )
    check_out_dir(out, force=force)
    result = run_study(cfg, data_dir=data_dir, jobs=jobs, fresh=fresh, progress=True)
    result.save(out, force=force)
    _print_summary(result, out)
    Console().print(f"Saved network: {out / 'models' / spec.name} (reload with 'fmstudy evaluate')")


@app.command("evaluate")
def evaluate_cmd(
    model: Annotated[
        Path,
        typer.Argument(
            help="Folder of a saved network (spec.json + model.safetensors), e.g. REPORT/models/NAME."
        ),
    ],
    dataset: Annotated[
        str | None,
        typer.Option(
            "--dataset",
            envvar="FMSTUDY_DATASET",
            help="Data set to test on [default: the one the network was trained on].",
            show_default=False,
        ),
    ] = None,
    data_dir: DataDir = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the result as one JSON object.")
    ] = False,
) -> None:
    """Reload a saved network and print its test report for the classes it was trained on."""
    from fmstudy.compare import evaluate
    from fmstudy.neural import load_model, predict

    spec, chosen, net, scaler = load_model(model)
    meta = json.loads((model / "spec.json").read_text()) if model.is_dir() else {}
    ds = load_dataset(dataset or meta.get("dataset", "fashion-mnist"), resolve_data_dir(data_dir))
    sub = select_classes(ds, chosen)
    y_pred = predict(net, spec, scaler, sub.x_test, chosen)
    ev = evaluate(sub.y_test, y_pred, sub.classes, sub.class_names)
    if as_json:
        print(json.dumps({"spec": spec.to_dict(), "classes": list(chosen), **ev}, indent=2))
        return
    console = Console(highlight=False)
    console.print(
        f"[bold]{spec.name}[/] ({spec.layer_string}) on classes {', '.join(map(str, chosen))}: "
        f"test accuracy {ev['accuracy']:.4f}, macro F1 {ev['macro_f1']:.4f}"
    )
    table = Table("class", "precision", "recall", "F1", "support")
    for c, name in zip(sub.classes, sub.class_names, strict=True):
        r = ev["report"][name]
        table.add_row(
            f"{c} {name}",
            f"{r['precision']:.4f}",
            f"{r['recall']:.4f}",
            f"{r['f1-score']:.4f}",
            str(int(r["support"])),
        )
    console.print(table)
    cm = Table("true \\ predicted", *sub.class_names)
    for name, row in zip(sub.class_names, ev["confusion"], strict=True):
        cm.add_row(name, *map(str, row))
    console.print(cm)


def _read_config(path: Path):
    from fmstudy.config import StudyConfig

    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise FmstudyError(f"cannot read --config {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FmstudyError(f"--config {path} is not valid JSON ({exc})") from None
    if isinstance(data, dict) and isinstance(data.get("config"), dict):
        data = data["config"]
    if not isinstance(data, dict):
        raise FmstudyError(f"--config {path} is not an fmstudy config.json")
    return StudyConfig.from_dict(data)


def _print_summary(result, out: Path) -> None:
    table = Table(title=f"fmstudy: classes {', '.join(map(str, result.config.classes))}")
    for col in ("model", "accuracy", "95 % interval", "macro F1", "fit s"):
        table.add_column(col, justify="left" if col == "model" else "right")
    ci = result.metrics.get("comparison", {}).get("ci95", {})
    for key, ev in result.metrics["models"].items():
        lo_hi = f"{ci[key][0]:.4f}-{ci[key][1]:.4f}" if key in ci else "-"
        table.add_row(
            ev["label"],
            f"{ev['accuracy']:.4f}",
            lo_hi,
            f"{ev['macro_f1']:.4f}",
            f"{result.timings['models'][key]['fit_seconds']:.1f}",
        )
    console = Console()
    if result.metrics["models"]:
        console.print(table)
    console.print(f"Report: {out / 'index.html'}  ({result.timings['total_seconds']:.1f} s)")


def _fail(message: str, code: int = 2) -> int:
    print(f"fmstudy: error: {message}", file=sys.stderr)
    return code


def main(argv: list[str] | None = None) -> int:
    """Run the app and return its exit code; every user error is one line, exit 2."""
    try:
        rv = app(args=argv, prog_name="fmstudy", standalone_mode=False)
    except FmstudyError as exc:
        return _fail(str(exc))
    except (typer.Abort, KeyboardInterrupt):
        return _fail("interrupted", 130)
    except Exception as exc:
        # Typer vendors click: its usage errors carry format_message and exit_code.
        if not (hasattr(exc, "format_message") and hasattr(exc, "exit_code")):
            raise
        ctx = getattr(exc, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        return _fail(exc.format_message().replace("\n", " ") + hint, exc.exit_code or 2)
    if rv == 130:  # Typer turns Ctrl-C into Exit(130), returned in non-standalone mode
        return _fail("interrupted", 130)
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    sys.exit(main())
