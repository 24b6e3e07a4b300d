"""Library warnings as one line of fmstudy's own.

    with one_line_warnings("svc"):
        model.fit(x, y)   # a warning is logged as "fmstudy: note: svc: UserWarning: ..."

scikit-learn, numpy and torch warn with a file name and a source line, and scikit-learn's
``FitFailedWarning`` with whole tracebacks; a study says the same in one line per distinct
warning instead.  The filters in force are kept (what Python would not show is still not
shown), and a block that catches a warning itself (logistic regression's convergence,
which the report states) still gets it first.
"""

from __future__ import annotations

import logging
import warnings
from contextlib import contextmanager

log = logging.getLogger("fmstudy")
MAX_CHARS = 300  # a line, not a dump


def one_line(w: warnings.WarningMessage) -> str:
    """A warning in one line: its category and first line, with the error's last line
    when the message holds a traceback."""
    lines = [s.strip() for s in str(w.message).splitlines() if s.strip()]
    text = lines[0] if lines else ""
    if "Traceback" in str(w.message) and len(lines) > 1:
        text += f" ({lines[-1]})"
    text = f"{w.category.__name__}: {text}"
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 3] + "..."


@contextmanager
def one_line_warnings(what: str):
    """Record the block's warnings, then log each distinct one as one line about ``what``."""
    with warnings.catch_warnings(record=True) as caught:
        yield
    for text in dict.fromkeys(one_line(w) for w in caught):
        log.warning("fmstudy: note: %s: %s", what, text)
