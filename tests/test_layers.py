"""The layer order of fmstudy's stages, enforced: each package imports only the stages
below it (and its own modules), a ground module imports no stage, so the package graph
has no cycle and a newcomer reads the pipeline from the folder list."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "fmstudy"
GROUND = {
    "errors",
    "checks",
    "atomic",
    "progress",
    "i18n",
    "results",
    "escape",
    "lib_warnings",
    "overfitting",
    "versions",
}
# From the bottom: each stage may import the ground and every stage before it.
STAGES = [
    "data",
    "evaluation",
    "plots",
    "nets",
    "models",
    "cache",
    "search",
    "study",
    "report",
    "course",
    "api",
    "cli",
]
OUTSIDE = {"__init__", "__main__", "legacy"}  # the package's door, its entry, 0.1's names


def unit_of(path: Path) -> str:
    """The layer unit a source file belongs to: a ground module's name or its stage."""
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def rank(unit: str) -> int:
    return -1 if unit in GROUND else STAGES.index(unit)


def imported_units(path: Path) -> set[str]:
    """Every fmstudy unit a file imports, at module level or inside a function."""
    tree = ast.parse(path.read_text())
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.append(node.module)
            if node.module == "fmstudy":
                names += [f"fmstudy.{a.name}" for a in node.names]
    units = set()
    for name in names:
        parts = name.split(".")
        if parts[0] == "fmstudy" and len(parts) > 1 and not parts[1].startswith("__"):
            units.add(parts[1])
    return units


SOURCES = sorted(p for p in SRC.rglob("*.py") if unit_of(p) not in OUTSIDE)


def test_every_module_is_in_a_known_layer():
    units = {unit_of(p) for p in SOURCES}
    assert units <= GROUND | set(STAGES), units - GROUND - set(STAGES)
    assert set(STAGES) <= units  # every stage named here exists


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(SRC)))
def test_a_module_imports_only_its_own_stage_and_those_below(path):
    unit = unit_of(path)
    above = sorted(
        u for u in imported_units(path) - {unit} if u not in OUTSIDE and rank(u) >= rank(unit)
    )
    if unit in GROUND:
        above = sorted(u for u in imported_units(path) - {unit} if u not in GROUND)
    assert not above, f"{path.relative_to(SRC)} ({unit}) imports {above}, a stage above it"


def test_legacy_names_are_used_by_nothing_new():
    users = [
        p
        for p in SOURCES
        if imported_units(p)
        & {p.stem for p in (SRC / "legacy").glob("*.py")} - GROUND - set(STAGES)
    ]
    assert not users, users
