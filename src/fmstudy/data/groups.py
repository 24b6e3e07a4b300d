"""The course's surname rule: which classes a person studies, by the first letter of
their last name, and the rule as data a teacher can change for another year.

    rule = parse_groups("A-G:0-3,H-M:4-7,N-Ö:6-9", class_names)   # GroupRule
    rule.for_surname("Lind")                    # Group(first='H', last='M', classes=(4, 5, 6, 7))
    classes_for_surname("Åberg")                # (6, 7, 8, 9), by the course's rule

Letters are the Swedish alphabet (A..Z, then Å, Ä, Ö).  Other Latin letters with
diacritics fold to their base letter; the Nordic variants sort as Swedish does.  A
rule's groups must cover the alphabet once, so every surname falls in exactly one.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

from fmstudy import checks
from fmstudy.errors import FmstudyError

SWEDISH_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZÅÄÖ"
# Letters that Swedish collation places rather than folds: Æ sorts as Ä, Ø as Ö, Ü as Y.
NORDIC_PLACES = {"Å": "Å", "Ä": "Ä", "Ö": "Ö", "Æ": "Ä", "Ø": "Ö", "Ü": "Y"}
log = logging.getLogger("fmstudy")
_HINT = "; pass the classes explicitly instead, e.g. --classes 4-7"


@dataclass(frozen=True)
class Group:
    """The surnames from ``first`` to ``last`` (inclusive) study ``classes``."""

    first: str
    last: str
    classes: tuple[int, ...]

    @property
    def name(self) -> str:
        """``A-G`` (a single letter: ``Q``); also the group's folder under --all-groups."""
        return self.first if self.first == self.last else f"{self.first}-{self.last}"

    def holds(self, letter: str) -> bool:
        pos = SWEDISH_ALPHABET.index(letter)
        return SWEDISH_ALPHABET.index(self.first) <= pos <= SWEDISH_ALPHABET.index(self.last)


@dataclass(frozen=True)
class GroupRule:
    """Groups of letters that cover the Swedish alphabet once, in alphabet order."""

    groups: tuple[Group, ...]

    @property
    def text(self) -> str:
        """The rule as --groups writes it, e.g. ``A-G:0-3,H-M:4-7,N-Ö:6-9``."""
        return ",".join(f"{g.name}:{_classes_text(g.classes)}" for g in self.groups)

    def for_surname(self, surname: str) -> Group:
        letter = surname_initial(surname)
        return next(g for g in self.groups if g.holds(letter))


def _classes_text(classes: tuple[int, ...]) -> str:
    lo, hi = classes[0], classes[-1]
    if len(classes) > 2 and classes == tuple(range(lo, hi + 1)):
        return f"{lo}-{hi}"
    return "+".join(map(str, classes))


# The course's rule: A-G -> 0-3, H-M -> 4-7, N-Ö -> 6-9 (Fashion-MNIST's classes).
COURSE = GroupRule(
    (Group("A", "G", (0, 1, 2, 3)), Group("H", "M", (4, 5, 6, 7)), Group("N", "Ö", (6, 7, 8, 9)))
)
COURSE_GROUPS = COURSE.text


def _letter(text: str, where: str) -> str:
    letter = text.strip().upper()
    if len(letter) != 1 or letter not in SWEDISH_ALPHABET:
        raise FmstudyError(
            f"--groups: {text.strip()!r} in {where!r} is not a letter of the Swedish alphabet "
            "(A-Z, Å, Ä, Ö)"
        )
    return letter


def parse_groups(text: str, class_names: tuple[str, ...]) -> GroupRule:
    """A rule from ``A-G:0-3,H-M:4-7,N-Ö:6-9``: comma-separated groups of a letter range,
    a colon and classes (a range ``0-3``, or numbers or names joined by ``+``)."""
    text = unicodedata.normalize("NFC", text or "")  # 'O' + diaeresis, as macOS types
    items = [t.strip() for t in text.split(",")]
    if not any(items):
        raise FmstudyError(f"--groups is empty: give e.g. {COURSE_GROUPS}")
    groups = []
    for item in items:
        letters, colon, classes = item.partition(":")
        m = re.fullmatch(r"\s*(\S+?)\s*(?:-\s*(\S+)\s*)?", letters)
        if not colon or not classes.strip() or not m:
            raise FmstudyError(
                f"--groups: {item!r} is not LETTERS:CLASSES; write each group as e.g. A-G:0-3"
            )
        first = _letter(m[1], item)
        last = _letter(m[2], item) if m[2] else first
        if SWEDISH_ALPHABET.index(first) > SWEDISH_ALPHABET.index(last):
            raise FmstudyError(f"--groups: {item!r} runs backwards; write {last}-{first}")
        try:
            chosen = parse_classes(classes.replace("+", ","), class_names)
        except FmstudyError as exc:
            what = str(exc).removeprefix("--classes").removeprefix(":").strip()
            raise FmstudyError(f"--groups: in {item!r}, {what}") from None
        groups.append(Group(first, last, chosen))
    groups.sort(key=lambda g: SWEDISH_ALPHABET.index(g.first))
    covered = [letter for letter in SWEDISH_ALPHABET if any(g.holds(letter) for g in groups)]
    twice = [x for x in SWEDISH_ALPHABET if sum(g.holds(x) for g in groups) > 1]
    if twice:
        raise FmstudyError(
            f"--groups: the letter {twice[0]} is in two groups; each letter needs one"
        )
    missing = [x for x in SWEDISH_ALPHABET if x not in covered]
    if missing:
        raise FmstudyError(
            f"--groups: no group holds {', '.join(missing)}; the groups must cover A to Ö"
        )
    return GroupRule(tuple(groups))


def surname_initial(surname: str) -> str:
    """The Swedish-alphabet letter a last name sorts under (the name, less surrounding
    white space, checked as text: no control character, whichever command it came from)."""
    if surname is not None:
        checks.text(surname.strip(), "surname")
    name = unicodedata.normalize("NFC", surname or "").strip()  # 'A' + ring, as macOS types
    if not name:
        raise FmstudyError("the surname is empty" + _HINT)
    first = name[0]
    upper = first.upper()
    if upper in NORDIC_PLACES:
        return NORDIC_PLACES[upper]
    if len(upper) != 1:  # e.g. 'ß'.upper() == 'SS': not an initial Swedish can place
        raise FmstudyError(f"the surname starts with {first!r}, which has no Swedish place" + _HINT)
    base = unicodedata.normalize("NFD", upper)[0]
    if base in SWEDISH_ALPHABET[:26]:
        return base
    what = "a letter" if first.isalpha() else "a non-letter"
    raise FmstudyError(
        f"the surname {surname.strip()!r} starts with {what} ({first!r}) that is not in the "
        "Swedish alphabet" + _HINT
    )


def classes_for_surname(surname: str, rule: GroupRule | None = None) -> tuple[int, ...]:
    """The classes of a surname under ``rule`` (default: the course's A-G -> 0-3,
    H-M -> 4-7, N-Ö -> 6-9)."""
    return (rule or COURSE).for_surname(surname).classes


def _find_name(token: str, class_names: tuple[str, ...]) -> int | None:
    """The class ``token`` names: the same text (NFC), else the same letters in any case,
    else (without a hyphen, which makes a range) the same letters and digits alone, as
    ``ankleboot`` for ``Ankle boot``; a token that fits several classes is refused."""
    nfc = unicodedata.normalize("NFC", token)
    looser = [
        lambda t: t,
        str.casefold,
        lambda t: re.sub(r"[\W_]", "", t.casefold()) if "-" not in nfc else None,
    ]
    for fold in looser:
        key = fold(nfc)
        if not key:
            continue
        hits = [
            i for i, c in enumerate(class_names) if fold(unicodedata.normalize("NFC", c)) == key
        ]
        if len(hits) > 1:
            names = ", ".join(repr(class_names[i]) for i in hits)
            raise FmstudyError(f"--classes: {token!r} fits several classes ({names}); name one")
        if hits:
            return hits[0]
    return None


def _listed(class_names: tuple[str, ...]) -> str:
    """The classes as a hint lists them: ``0 coat, 1 shirt, ...`` (at most 12)."""
    shown = [f"{i} {name}" for i, name in enumerate(class_names[:12])]
    return ", ".join(shown) + (", ..." if len(class_names) > 12 else "")


def parse_classes(spec: str, class_names: tuple[str, ...]) -> tuple[int, ...]:
    """Parse ``4-7``, ``4,5,6,7``, ``coat,shirt`` or ``all`` into sorted distinct labels."""
    n = len(class_names)
    chosen: set[int] = set()
    if (spec or "").strip().casefold() == "all":
        return tuple(range(n))
    tokens = [t.strip() for t in (spec or "").split(",")]
    if not any(tokens):
        raise FmstudyError("--classes is empty: give e.g. 4-7, 4,5,6,7, coat,shirt or all")
    for token in tokens:
        if not token:
            raise FmstudyError(f"--classes {spec!r} has an empty item; separate items by commas")
        m = re.fullmatch(r"(\d+)\s*-\s*(\d+)", token)
        named = None if m else _find_name(token, class_names)
        if m:
            lo, hi = int(m[1]), int(m[2])
            if lo > hi:
                raise FmstudyError(f"--classes: range {token!r} runs backwards; write {hi}-{lo}")
            labels = range(lo, hi + 1)
        elif named is not None:  # a name wins over a number (folders named 1, 2, ...)
            labels = [named]
            if token.isdigit() and int(token) != labels[0] and int(token) < n:
                log.warning(
                    "fmstudy: note: --classes %r is the class named %r (class number %d); as a "
                    "number it would be %r. Names win.",
                    token,
                    class_names[labels[0]],
                    labels[0],
                    class_names[int(token)],
                )
        elif token.isdigit():
            labels = [int(token)]
        else:
            raise FmstudyError(
                f"--classes: {token!r} is neither a class number 0-{n - 1} nor a class name "
                f"({', '.join(class_names)}); ranges go between numbers only, 'all' is every class"
            )
        for label in labels:
            if not 0 <= label < n:
                raise FmstudyError(
                    f"--classes: class {label} is outside 0-{n - 1} ({_listed(class_names)})"
                )
            chosen.add(label)
    if len(chosen) < 2:
        raise FmstudyError(f"--classes {spec!r} names one class; a study needs at least two")
    return tuple(sorted(chosen))


def surname_refused(spec) -> str:
    """Why ``--surname`` does not apply to a data set other than Fashion-MNIST's kind
    (``spec``: its DatasetSpec), and what does: its classes, listed."""
    return (
        f"--surname picks classes by the course's groups of Fashion-MNIST; {spec.title} has "
        f"its own classes ({_listed(spec.classes)}): leave --surname out to study all of them, "
        "or choose with --classes (numbers or names, e.g. --classes 0,1)"
    )


def resolve_classes(
    class_names: tuple[str, ...],
    *,
    surname: str | None = None,
    classes: str | None = None,
    rule: GroupRule | None = None,
    every: bool = False,
) -> tuple[int, ...]:
    """``--classes`` wins over ``--surname`` (read by ``rule``, default the course's);
    without either, every class where ``every`` (one's own data, the digits), else an
    error; an empty ``classes`` is refused, never read as absent."""
    if classes is not None:
        return parse_classes(classes, class_names)
    if surname is not None:
        return classes_for_surname(surname, rule)
    if every:
        return tuple(range(len(class_names)))
    raise FmstudyError(
        "say whose study this is: --surname NAME (the course's groups) or --classes SPEC "
        "(e.g. 4-7, or all)"
    )
