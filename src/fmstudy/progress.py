"""Progress in the terminal: one Rich wrapper for the study's steps, networks and search.

    with study_progress(enabled=True) as steps:
        with steps.step("pca", "Task 2: PCA"):
            ...
        on_epoch = steps.network("notebook-1", seed=0, epochs=15)

Each step's seconds land in ``steps.timings``; without ``enabled`` nothing is
drawn but the timings are still taken.  When the output is not a terminal (a log
file, a pipe), each finished step, epoch and search trial is one plain, flushed
line instead of a bar, so a log shows progress as it happens.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator

from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)


def say(line: str) -> None:
    """One plain progress line, flushed at once (output that is not a terminal)."""
    print(line, flush=True)


class Steps:
    """Times each step into ``timings`` and shows it as a progress bar, or as plain lines
    (``plain``) when the output is not a terminal."""

    def __init__(self, progress: Progress | None, plain: bool = False):
        self.progress, self.plain = progress, plain
        self.timings: dict[str, float] = {}

    @property
    def shown(self) -> bool:
        """Whether anything is shown (a bar or plain lines)."""
        return self.progress is not None or self.plain

    def note(self, line: str) -> None:
        """One line above the bars (or a plain line), e.g. what a run will do."""
        if self.progress:
            self.progress.console.print(escape(line), highlight=False)
        elif self.plain:
            say(line)

    @contextlib.contextmanager
    def step(self, name: str, description: str, total: int = 1):
        """A timed step; the block gets a function that advances its bar."""
        task = self.progress.add_task(description, total=total) if self.progress else None
        t0 = time.perf_counter()
        yield lambda n=1: self.progress.advance(task, n) if self.progress else None
        self.timings[name] = round(time.perf_counter() - t0, 3)
        if self.progress:
            self.progress.update(task, completed=total)
        if self.plain:
            say(f"{description}: done in {self.timings[name]:.1f} s")

    def network(self, name: str, seed: int, epochs: int):
        """A bar (or plain lines) for one network training; returns the trainer's
        ``on_epoch`` callback (None when silent) and a function that completes the bar."""
        if self.plain:
            t0 = time.perf_counter()

            def line(epoch: int, hist: dict) -> None:
                state = (
                    "refit"
                    if epoch > len(hist["train_loss"])
                    else (f"val acc {hist['val_acc'][-1]:.4f}" if hist["val_acc"] else "all rows")
                )
                say(
                    f"Task 5: {name} seed {seed} epoch {epoch}/{epochs} {state} "
                    f"({time.perf_counter() - t0:.1f} s)"
                )

            return line, lambda: None
        if not self.progress:
            return None, lambda: None
        progress, name = self.progress, escape(name)  # a spec's name is shown as typed
        task = progress.add_task(f"Task 5: {name} seed {seed}", total=epochs)

        def on_epoch(epoch: int, hist: dict) -> None:
            refitting = epoch > len(hist["train_loss"])
            state = "refit on all rows" if refitting else f"val acc {hist['val_acc'][-1]:.4f}"
            progress.update(
                task, completed=epoch, description=f"Task 5: {name} seed {seed} {state}"
            )

        return on_epoch, lambda: progress.update(task, completed=epochs)


@contextlib.contextmanager
def study_progress(enabled: bool) -> Iterator[Steps]:
    """:class:`Steps` drawing into a Rich progress display (plain lines when the output
    is not a terminal), or silent ones."""
    if not enabled:
        yield Steps(None)
        return
    if not sys.stdout.isatty():
        yield Steps(None, plain=True)
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        transient=False,
    ) as p:
        yield Steps(p)


class SearchBar:
    """Progress of a search study's finished trials (all workers), with the current epoch;
    with ``plain``, one line per finished trial instead."""

    def __init__(self, progress: Progress | None, total: int, plain: bool = False):
        self.progress, self.total, self.study, self.plain = progress, total, None, plain
        self.task = progress.add_task("search", total=total) if progress else None
        self.said = -1

    def follow(self, study) -> None:
        self.study = study
        self.update()

    def update(self) -> None:
        if not ((self.progress or self.plain) and self.study):
            return
        from optuna.trial import TrialState

        done = self.study.get_trials(
            deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)
        )
        values = [t.value for t in done if t.state == TrialState.COMPLETE]
        best = f"best val {max(values):.4f}" if values else "no complete trial yet"
        if self.plain:
            if len(done) != self.said:
                self.said = len(done)
                say(f"search: {len(done)}/{self.total} trials, {best}")
            return
        self.progress.update(
            self.task,
            completed=min(len(done), self.total),
            description=f"search: {len(done)} trials, {best}",
        )

    def epoch(self, number: int, epoch: int, epochs: int, val: float) -> None:
        if self.progress:
            self.progress.update(
                self.task,
                description=f"search: trial {number} epoch {epoch}/{epochs} val {val:.4f}",
            )

    def finish(self, what: str) -> None:
        if self.plain:
            say(f"search: {what}")
        if self.progress:
            self.update()
            self.progress.update(self.task, description=f"search: {what}")


@contextlib.contextmanager
def search_progress(progress, total: int) -> Iterator[SearchBar]:
    """A bar of its own (``True``), one inside a running study's display (:class:`Steps`
    or a Rich ``Progress``), or none (``False``/None)."""
    plain = (isinstance(progress, Steps) and progress.plain) or (
        progress is True and not sys.stdout.isatty()
    )
    if isinstance(progress, Steps):
        progress = progress.progress
    if plain or not progress:
        yield SearchBar(None, total, plain=plain)
        return
    if not isinstance(progress, bool):
        bar = SearchBar(progress, total)
        yield bar
        progress.remove_task(bar.task)
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
    ) as own:
        yield SearchBar(own, total)
