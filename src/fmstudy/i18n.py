"""The report's languages: gettext message catalogues (Babel) and number formats.

    with language("sv"):            # the narrative, figures and templates speak Swedish
        _("Summary")                # -> "Sammanfattning" (from fmstudy.i18n import gettext as _)
        num(0.918, 4)               # -> "0,9180"
        grouped(24000)              # -> "24 000"

English is the source language: its messages are the catalogue's keys, so English needs
no catalogue.  Other languages' catalogues are ``locale/<lang>/LC_MESSAGES/fmstudy.po``,
compiled to ``.mo`` files that ship with the package (``python -m fmstudy.i18n`` compiles
them; a test checks they are current and complete).  The language is held in a context
variable set by :func:`language`, so importing this module changes no global state and a
report in one language never leaks into another.
"""

from __future__ import annotations

import gettext as gnu_gettext
import math
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from importlib import resources

from babel.numbers import format_decimal, get_decimal_symbol

from fmstudy.errors import FmstudyError

LANGUAGES = {"en": "English", "sv": "svenska"}
DOMAIN = "fmstudy"


@dataclass(frozen=True)
class Language:
    code: str
    translations: gnu_gettext.NullTranslations


@cache
def load(code: str) -> Language:
    """A language with its compiled catalogue (English: the messages themselves)."""
    if code not in LANGUAGES:
        raise FmstudyError(f"unknown --lang {code!r}: choose one of {', '.join(LANGUAGES)}")
    if code == "en":
        return Language(code, gnu_gettext.NullTranslations())
    folder = resources.files("fmstudy") / "locale"
    with resources.as_file(folder) as path:
        found = gnu_gettext.translation(DOMAIN, localedir=str(path), languages=[code])
    return Language(code, found)


_current: ContextVar[Language | None] = ContextVar("fmstudy_language", default=None)


def current() -> Language:
    return _current.get() or load("en")


@contextmanager
def language(code: str):
    """Speak ``code`` inside the block: messages, plurals and number formats."""
    token = _current.set(load(code))
    try:
        yield current()
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """The message in the current language (imported as ``_``, gettext's convention)."""
    return current().translations.gettext(message)


def N_(message: str) -> str:
    """Mark a message for the catalogue without translating it (it is stored in English,
    e.g. a model's name in metrics.json, and translated where it is shown)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for ``n`` in the current language."""
    return current().translations.ngettext(singular, plural, n)


def _minus(text: str) -> str:
    """A formatted number with a true minus sign, and none where it rounded to zero (never
    −0,0)."""
    if not any(ch in "123456789" for ch in text):
        return text.replace("-", "")
    return text.replace("-", "−")


def num(x: float, digits: int = 4, sign: bool = False) -> str:
    """A decimal with ``digits`` decimals in the current language, thousands grouped
    (0,9180 and 1 871 027,16 in Swedish); rounded first, so a value that rounds to zero has
    no sign (0,0, never −0,0; with ``sign`` a difference of zero is 0,00, neither + nor −)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if sign:
        # a difference, made from counts (89/4,000 = 2.225 points): its decimal value to
        # 10 places, rounded half up, so that a half rounds one way wherever it falls
        exact = Decimal(repr(round(abs(x), 10))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
        text = format_decimal(exact, format=pattern, locale=current().code)
        if not exact:
            return text
        return ("+" if x >= 0 else "−") + text
    # the float's exact value, so it rounds as Python's f"{x:.4f}" does (0.94825 -> 0.9483)
    text = format_decimal(Decimal(x), format=pattern, locale=current().code)
    return _minus(text)


def decimal_symbol() -> str:
    """The current language's decimal sign."""
    return get_decimal_symbol(current().code)


def joined(items: list[str]) -> str:
    """Items joined as in prose: "A", "A and B", "A, B and C"."""
    if len(items) <= 1:
        return "".join(items)
    return gettext("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def grouped(n: int) -> str:
    """A whole number with the language's thousands separator (24,000 / 24 000)."""
    return format_decimal(int(n), locale=current().code)


SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def sig(x: float, digits: int = 3, zeros: bool = False) -> str:
    """``digits`` significant digits; below 0.001 as m·10ⁿ (2.43·10⁻¹⁰, a learning rate
    of 1·10⁻⁴); with ``zeros`` the mantissa keeps its trailing zeros, so that a column of
    p-values reads alike (:func:`pvalue`)."""
    if x != 0 and abs(x) < 1e-3:
        exp = math.floor(math.log10(abs(x)))
        mantissa = round(x / 10**exp, digits - 1)
        if abs(mantissa) >= 10:  # 9.996e-5 rounds up to 10.0e-5
            mantissa, exp = mantissa / 10, exp + 1
        pattern = "@" * digits if zeros else "@" + "#" * (digits - 1)
        m = format_decimal(mantissa, format=pattern, locale=current().code)
        return f"{m}·10{str(exp).translate(SUPERSCRIPT)}".replace("-", "−")
    text = format_decimal(Decimal(x), format="@" + "#" * (digits - 1), locale=current().code)
    return _minus(text)


def pvalue(p: float) -> str:
    """A p-value to 3 significant digits, trailing zeros kept below 0.001 (2.60·10⁻⁸ beside
    2.54·10⁻⁴)."""
    return sig(p, 3, zeros=True)


def pct(x: float, digits: int = 1) -> str:
    """A share as a percentage: 0.4 -> '40.0 %'."""
    return f"{num(100 * x, digits)} %"


def compile_catalogues() -> list[str]:
    """Compile every ``.po`` under locale/ to its ``.mo`` (run after editing a catalogue)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    done = []
    root = resources.files("fmstudy") / "locale"
    with resources.as_file(root) as path:
        for po in sorted(path.glob("*/LC_MESSAGES/*.po")):
            with po.open("rb") as fh:
                catalog = read_po(fh)
            with po.with_suffix(".mo").open("wb") as fh:
                write_mo(fh, catalog)
            done.append(str(po.with_suffix(".mo")))
    return done


if __name__ == "__main__":
    print("\n".join(compile_catalogues()))
