"""Progress in the terminal: one Rich wrapper for the study's steps, networks and search.

    with study_progress(enabled=True) as steps:
        with steps.step("pca", "Task 2: PCA"):
            ...
        on_epoch = steps.network("notebook-1", seed=0, epochs=15)

Each step's seconds land in ``steps.timings``; without ``enabled`` nothing is
drawn but the timings are still taken.
"""

from __future__ import annotations

import contextlib
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


class Steps:
    """Times each step into ``timings`` and shows it as a progress bar."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.timings: dict[str, float] = {}

    @contextlib.contextmanager
    def step(self, name: str, description: str, total: int = 1):
        """A timed step; the block gets a function that advances its bar."""
        task = self.progress.add_task(description, total=total) if self.progress else None
        t0 = time.perf_counter()
        yield lambda n=1: self.progress.advance(task, n) if self.progress else None
        self.timings[name] = round(time.perf_counter() - t0, 3)
        if self.progress:
            self.progress.update(task, completed=total)

    def network(self, name: str, seed: int, epochs: int):
        """A bar for one network training; returns the trainer's ``on_epoch`` callback
        (None without a terminal) and a function that completes the bar."""
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
    """:class:`Steps` drawing into a Rich progress display, or silent ones."""
    if not enabled:
        yield Steps(None)
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
    """Progress of a search study's finished trials (all workers), with the current epoch."""

    def __init__(self, progress: Progress | None, total: int):
        self.progress, self.total, self.study = progress, total, None
        self.task = progress.add_task("search", total=total) if progress else None

    def follow(self, study) -> None:
        self.study = study
        self.update()

    def update(self) -> None:
        if not (self.progress and self.study):
            return
        from optuna.trial import TrialState

        done = self.study.get_trials(
            deepcopy=False, states=(TrialState.COMPLETE, TrialState.PRUNED)
        )
        values = [t.value for t in done if t.state == TrialState.COMPLETE]
        best = f"best val {max(values):.4f}" if values else "no complete trial yet"
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
        if self.progress:
            self.update()
            self.progress.update(self.task, description=f"search: {what}")


@contextlib.contextmanager
def search_progress(progress, total: int) -> Iterator[SearchBar]:
    """A bar of its own (``True``), one inside a running study's display (:class:`Steps`
    or a Rich ``Progress``), or none (``False``/None)."""
    if isinstance(progress, Steps):
        progress = progress.progress
    if not progress:
        yield SearchBar(None, total)
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
