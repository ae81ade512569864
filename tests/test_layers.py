"""Data flows one way (DESIGN §1 and §6): only collect/ does I/O on nodes, so what judges and
shows the facts never imports it, and the facts model imports none of the stages built on it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from support import REPO

COLLECT = "clustercheck.collect"
FORBIDDEN = {
    "checks": (COLLECT,),
    "clustercheck/derive": (COLLECT,),
    "clustercheck/report": (COLLECT,),
    "reports": (COLLECT,),
    "clustercheck/facts": (
        COLLECT,
        "clustercheck.derive",
        "clustercheck.engine",
        "clustercheck.report",
        "clustercheck.checks",
    ),
}


def imported(path: Path) -> set[str]:
    """Every module a file imports, at the top, in functions or under TYPE_CHECKING."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_a_stage_imports_only_what_it_may(folder: str) -> None:
    found = [
        f"{path.relative_to(REPO)} imports {name}"
        for path in sorted((REPO / folder).rglob("*.py"))
        for name in sorted(imported(path))
        if name.startswith(FORBIDDEN[folder])
    ]
    assert found == []
