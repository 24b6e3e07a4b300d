"""The ``fmstudy`` command line: each command parses its options, builds its config with
one library function, makes one call and prints (:mod:`fmstudy.cli.console`).

Every error a user can cause ends as one line on stderr and exit code 2.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from fmstudy.cli import console as show
from fmstudy.cli import course, study  # noqa: F401  (register notebook, run, search, nn)
from fmstudy.cli import options as opts
from fmstudy.cli.app import app
from fmstudy.data.loading import datasets_overview, resolve_data_dir
from fmstudy.errors import FmstudyError


@app.command("data")
def data_cmd(
    dataset: opts.DatasetOpt = "fashion-mnist",
    test_share: opts.TestShare = 0.2,
    image_size: opts.ImageSize = None,
    seed: opts.seed_opt(": here the split of data without an official one") = 0,
    surname: opts.Surname = None,
    classes: opts.Classes = None,
    class_names: opts.ClassNames = None,
    groups: opts.Groups = None,
    data_dir: opts.DataDir = None,
    as_json: opts.json_opt("the verification as one object") = False,
    list_: Annotated[
        bool,
        typer.Option(
            "--list", help="List the known data sets, whether each works offline, and exit."
        ),
    ] = False,
) -> None:
    """Load and verify a data set and show study task 1: shapes, hashes, the class filter."""
    from fmstudy.data.own import class_names_option, data_options
    from fmstudy.data.subsets import dataset_report

    root = resolve_data_dir(data_dir)
    if list_:
        show.print_list(datasets_overview(root), root, as_json)
        return
    report = dataset_report(
        dataset,
        root,
        surname=surname,
        classes=classes,
        groups=groups,
        options=data_options(test_share, image_size, seed),
        class_names=class_names_option(class_names),
    )
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        show.print_verification(report, surname if not classes else None)


@app.command("evaluate")
def evaluate_cmd(
    model: opts.SavedModel,
    dataset: Annotated[
        str | None,
        typer.Option(
            "--dataset",
            envvar="FMSTUDY_DATASET",
            help="Data set to test on [default: the one the model was trained on].",
            show_default=False,
        ),
    ] = None,
    data_dir: opts.DataDir = None,
    as_json: opts.json_opt("the test report as one object") = False,
) -> None:
    """Reload a saved network or classical model and print its test report for the
    classes it was trained on."""
    from fmstudy.models.saved import evaluate_saved_model

    show.print_evaluation(evaluate_saved_model(model, dataset, data_dir), as_json)


@app.command("predict")
def predict_cmd(
    model: opts.SavedModel,
    images: Annotated[
        list[Path],
        typer.Argument(
            help="Image files (PNG, JPEG, BMP) or folders of them, searched recursively."
        ),
    ],
    invert: Annotated[
        str,
        typer.Option(
            "--invert",
            help="auto: invert an image only when the model's training images have one "
            "polarity (light on dark, or dark on light) and the image clearly has the other; "
            "never; always.",
        ),
    ] = "auto",
    csv_to: Annotated[
        str | None,
        typer.Option(
            "--csv",
            metavar="PATH",
            help="Also write one CSV row per image to PATH ('-': print the CSV instead of the table).",
            show_default=False,
        ),
    ] = None,
    as_json: opts.json_opt("one list, one object per image") = False,
) -> None:
    """Classify images with a saved network or classical model: each converted to the
    channels and size it was trained on (padded to its aspect ratio, and said), inverted
    only where the model's polarity needs it (said), with a warning for an image unlike
    the training images."""
    from fmstudy.models.predict import predict_images

    if csv_to is not None and not csv_to.strip():
        raise FmstudyError("--csv is empty: give a file to write, or '-' to print the CSV")
    if csv_to == "-" and as_json:
        raise FmstudyError("--csv - and --json both print to standard output; choose one")
    show.print_predictions(predict_images(model, images, invert), as_json, csv_to)


@app.command("cache")
def cache_cmd(
    clear: Annotated[
        bool,
        typer.Option(
            "--clear",
            help="Remove the cached fits, trainings, search study and decoded arrays (all, or "
            "those older than --older-than); a later study makes them again. Downloads stay.",
        ),
    ] = False,
    older_than: Annotated[
        str | None,
        typer.Option(
            "--older-than",
            help="With --clear: only entries last written before this day (YYYY-MM-DD).",
            show_default=False,
        ),
    ] = None,
    data_dir: opts.DataDir = None,
    as_json: opts.json_opt("what the cache holds, or what was cleared, as one object") = False,
) -> None:
    """Show what the cache in the data folder holds (entries and size per kind), or clear it."""
    from datetime import date

    from fmstudy.cache.admin import cache_usage, clear_cache

    root = resolve_data_dir(data_dir)
    before = None
    if older_than is not None:
        if not clear:
            raise FmstudyError("--older-than says which entries --clear removes; add --clear")
        try:
            before = date.fromisoformat(older_than)
        except ValueError:
            raise FmstudyError(
                f"--older-than {older_than!r} is not a day; write it as YYYY-MM-DD"
            ) from None
    if root.exists() and not root.is_dir():
        raise FmstudyError(f"--data-dir {root} is not a folder; name a folder")
    if clear:
        show.print_cleared(clear_cache(root, before), root, as_json)
    else:
        show.print_cache(cache_usage(root), root, as_json)


def _fail(message: str, code: int = 2) -> int:
    """Print one error line: a control character from a name in the message (a line
    break, a terminal escape) is shown as its escape, ``\\n``, never acted on."""
    shown = re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m[0])[1:-1], message)
    print(f"fmstudy: error: {shown}", file=sys.stderr)
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
