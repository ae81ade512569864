"""The tree reads as the data flows (README "Architecture"), and imports run one way: a stage
never imports a later one, checks never import collect/ (they judge facts, they do no I/O), and
formats never import checks or derivations (they show verdicts, they do not make them)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from support import REPO

# stage folder -> the clustercheck packages it must never import (any depth, any place in a file)
EARLY = ("inventory", "collect", "facts", "derive", "engine", "report", "cli")
FORBIDDEN = {
    "clustercheck/cli": ("checks",),
    "clustercheck/inventory": ("collect", "parsers", "facts", "derive", "engine", "report", "cli"),
    "clustercheck/knowledge": (
        "inventory",
        "collect",
        "facts",
        "derive",
        "engine",
        "report",
        "cli",
    ),
    "clustercheck/parsers": ("inventory", "collect", "facts", "derive", "engine", "report", "cli"),
    "clustercheck/facts": ("collect", "derive", "engine", "report", "cli"),
    "clustercheck/derive": ("collect", "report", "cli", "checks", "reports"),
    "clustercheck/engine": ("collect", "report", "cli", "reports"),
    "clustercheck/report": ("collect", "cli", "checks", "reports"),
    "clustercheck/collect": ("engine", "report", "cli", "checks", "reports"),
    "checks": ("collect", "report", "cli", "reports"),
    "reports": ("collect", "cli", "checks", "derive", "engine.runner"),
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name.startswith("clustercheck.")}


def _violations(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    bad = []
    for path in sorted((REPO / folder).rglob("*.py")):
        for module in sorted(imported_modules(path)):
            stage = module.removeprefix("clustercheck.")
            if any(stage == f or stage.startswith(f + ".") for f in forbidden):
                bad.append(f"{path.relative_to(REPO)} imports {module}")
    return bad


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_imports_run_one_way(folder: str) -> None:
    assert _violations(folder, FORBIDDEN[folder]) == []


def test_every_source_folder_has_a_rule() -> None:
    """A new stage gets its place in the map (and in the README) when it is made."""
    stages = {
        p.parent.relative_to(REPO).as_posix() for p in REPO.glob("clustercheck/*/__init__.py")
    }
    assert stages <= set(FORBIDDEN)
    assert {s for s in FORBIDDEN if s.startswith("clustercheck/")} == stages
