"""The full terminal report of the example, printed as the command line prints it: the grid as
wide as the terminal (check names whole on a wide one, nothing beyond 80 columns on a narrow
one), and the scope under the grid's title."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sample import make_report, result
from support import REPO

from clustercheck.cli.main import main
from clustercheck.engine.results import Status
from clustercheck.report.formats import RenderOptions
from clustercheck.report.scope import RunScope
from clustercheck.reports import terminal

EXAMPLE = REPO / "examples" / "seed-cluster" / "inventory.yaml"


def printed(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, width: int) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    main(["run", str(EXAMPLE)])
    return capsys.readouterr().out


def grid_of(out: str) -> list[str]:
    lines = out.splitlines()
    return lines[: lines.index(next(line for line in lines if line.startswith("└"))) + 1]


@pytest.mark.parametrize(
    ("width", "row"),
    [
        (160, "│ CC505 cluster-config-consistency │      │   FAIL   │"),
        (100, "│ CC505 cluster-config-consistency │      │   FAIL   │"),
        (80, "│ CC505 cluster-config-cons… │      │   FAIL   │"),
    ],
)
def test_the_grid_uses_the_terminals_width(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, width: int, row: str
) -> None:
    grid = grid_of(printed(capsys, monkeypatch, width))
    assert any(line.startswith(row) for line in grid), "\n".join(grid)
    assert max(len(line.rstrip()) for line in grid) <= width
    assert grid[-1].endswith("┘")  # the cluster column is there, not cut off


def test_the_scope_is_under_the_grids_title(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The example is read from files: said always, as a snapshot would be."""
    lines = [line.rstrip() for line in printed(capsys, monkeypatch, 100).splitlines()]
    assert lines[:2] == [
        "seed-howto: checks by node",
        "scope: files only (no live probes): every node",
    ]


def test_a_whole_live_run_has_no_scope_line_and_a_partial_one_has() -> None:
    report = make_report([result("CC301", Status.PASS)])
    whole = [line.rstrip() for line in terminal.render(report, RenderOptions()).splitlines()]
    assert whole[0] == "shop-prod: checks by node" and not whole[1].startswith("scope")
    partial = replace(report, scope=RunScope(checks=("CC301",)))
    lines = [line.rstrip() for line in terminal.render(partial, RenderOptions()).splitlines()]
    assert lines[:2] == ["shop-prod: checks by node", "scope: --checks CC301"]
