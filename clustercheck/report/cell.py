"""One check's verdict on one thing (a node in the grid, a member's seam value in the front-end
table), added up from its results the same way everywhere: the worst status, where a waived
finding weighs like the pass it counts as (Report.counted), so a cell goes quiet once a
finding is accepted, until the waiver expires."""

from __future__ import annotations

from dataclasses import dataclass, field

from clustercheck.engine.results import Result, Status


@dataclass
class Cell:
    """One check on one thing: its results and the status they add up to."""

    status: Status = Status.SKIP
    results: list[Result] = field(default_factory=list)

    @property
    def waived(self) -> int:
        return sum(1 for r in self.results if r.waived)

    def add(self, result: Result) -> None:
        self.results.append(result)
        weight = Status.PASS if result.waived else result.status
        if weight.rank > self.status.rank:
            self.status = weight
