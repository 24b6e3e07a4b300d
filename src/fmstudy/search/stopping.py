"""Stopping a search trial at the deadline inside an epoch, once the study has an answer.

    stop = DeadlineStop(deadline, study)
    with stop.inside_epochs():
        train(...)          # DeadlineReached at the first forward pass past the deadline

An epoch of a large network on busy cores can take longer than the whole --timeout's
margin, so a forward pass looks at the deadline (torch's global forward pre-hook, held
only while the block runs; at most every ``CHECK_EVERY`` seconds): a trial stops within
half a second and one batch of the deadline.  It stops only once the study holds a validation accuracy (this trial's epoch
or any trial's), so a search always has a result to report: until then the first epoch
runs to its end.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

from fmstudy.search.workers import Deadline, DeadlineReached, has_answer

CHECK_EVERY = 0.5  # seconds between two looks at the deadline inside an epoch
ASK_EVERY = 1.0  # seconds between two looks at the study for an answer


class DeadlineStop:
    """Raises :class:`DeadlineReached` past ``deadline`` once ``study`` holds an answer;
    ``answered`` is set by the caller when its own trial reports an epoch."""

    def __init__(self, deadline: Deadline, study):
        self.deadline = deadline
        self.study = study
        self.answered = False
        self._asked = -float("inf")
        self._checked = time.monotonic()

    def has_answer(self) -> bool:
        if not self.answered and time.monotonic() - self._asked >= ASK_EVERY:
            self._asked = time.monotonic()
            self.answered = has_answer(self.study)
        return self.answered

    def check(self, *_hook_args) -> None:
        if time.monotonic() - self._checked < CHECK_EVERY:
            return
        self._checked = time.monotonic()
        if self.has_answer() and self.deadline.passed():
            raise DeadlineReached

    @contextlib.contextmanager
    def inside_epochs(self) -> Iterator[None]:
        """Check the deadline before every forward pass while the block runs."""
        if self.deadline.at is None:
            yield
            return
        from torch.nn.modules.module import register_module_forward_pre_hook

        handle = register_module_forward_pre_hook(self.check)
        try:
            yield
        finally:
            handle.remove()
