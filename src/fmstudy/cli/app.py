"""The ``fmstudy`` Typer app and its root options; the commands register on it from
:mod:`fmstudy.cli.main` (data, evaluate) and :mod:`fmstudy.cli.study` (run, search, nn)."""

from __future__ import annotations

from typing import Annotated

import typer

from fmstudy import __version__

app = typer.Typer(
    name="fmstudy",
    help="Run a complete, reproducible image-classification study in one command: the "
    "course's Fashion-MNIST class subsets, scikit-learn's digits, or your own images.",
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


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
    """Run a complete, reproducible image-classification study in one command."""
    if ctx.invoked_subcommand is None:
        print(ctx.get_help())
        raise typer.Exit()


def check_jobs(jobs: int | None, what: str = "--jobs") -> None:
    from fmstudy.checks import jobs as check

    check(jobs, what)
