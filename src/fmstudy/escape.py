"""One escaping function per output kind, so that whatever a user hands in (class and
folder names, surnames, data-set, spec and study names) is shown as text, never read as
markup or code.

    html("<b>")              # '&lt;b&gt;'
    markdown("a|b\\nc")      # 'a\\|b c': one line, safe in a table cell
    code_span("a`b")         # '`` a`b ``'
    mpl("$x$")               # '\\$x\\$': matplotlib shows the dollars, no mathtext

Generated Python never holds a user string as source: the notebook writes ``repr`` of a
validated value (see :mod:`fmstudy.course.notebook`).
"""

from __future__ import annotations

import re

from markupsafe import escape as _html_escape


class Raw(str):
    """Text already written in the output's own syntax (a figure's path, a code span):
    :func:`markdown_value` passes it through unchanged."""


def html(text) -> str:
    """``text`` for HTML: ``& < > " '`` as entities."""
    return str(_html_escape(str(text)))


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|$~])")
_MD_LINE_START = re.compile(r"^(\s*)(\d*)([#>+=.)-])(?=\s|$)")


def markdown(text) -> str:
    """``text`` as one line of Markdown that shows as written: line breaks and other
    control characters become spaces (a name cannot start a heading, a list or a new
    table row), ``< &`` become entities (no raw HTML), and Markdown's punctuation
    (emphasis, code, links, table pipes, math dollars) is backslash-escaped."""
    one_line = _CONTROL.sub(" ", str(text))
    escaped = _MD_SPECIAL.sub(r"\\\1", one_line.replace("&", "&amp;").replace("<", "&lt;"))
    return _MD_LINE_START.sub(r"\1\2\\\3", escaped)


def markdown_value(value) -> str:
    """The Markdown templates' ``finalize``: every printed value escaped, but for
    :class:`Raw` (already Markdown) and ``None`` (printed as nothing)."""
    if value is None:
        return ""
    return value if isinstance(value, Raw) else markdown(value)


def code_span(text) -> Raw:
    """``text`` as a Markdown code span on one line: fenced by more backticks than it
    holds in a row, so no backtick inside can close it."""
    one_line = _CONTROL.sub(" ", str(text))
    longest = max((len(run) for run in re.findall(r"`+", one_line)), default=0)
    fence = "`" * (longest + 1)
    return Raw(f"{fence} {one_line} {fence}" if longest else f"{fence}{one_line}{fence}")


def code_block(text, info: str = "") -> Raw:
    """``text`` as a fenced Markdown code block whose fence no line inside can close."""
    longest = max((len(run) for run in re.findall(r"`+", str(text))), default=0)
    fence = "`" * max(3, longest + 1)
    return Raw(f"{fence}{info}\n{text}\n{fence}")


def mpl(text) -> str:
    """``text`` for a matplotlib label: dollars escaped, so mathtext never parses a
    name (``$...$`` would be read as math, and may fail to draw)."""
    return str(text).replace("$", r"\$")
