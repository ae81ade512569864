"""The Report every format reads: results, node summaries, views, verdict and exit code. Built
once per run (`build_report`) and never changed after: a format shows it, it does not add to it."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from clustercheck import __version__
from clustercheck.derive.derived import Derived
from clustercheck.engine.check import Check
from clustercheck.engine.results import Result, Status
from clustercheck.engine.upgrade import Upgrade
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.report.scope import RunScope
from clustercheck.report.views import NodeSummary, Views, build_views, node_summaries

# The JSON report's version (DESIGN §4). 2: a who-hears-whom cell says its verdict (`status`).
# 3: `views.front_ends`, each front end's members with the seam values of both tiers.
# 4: `upgrade` (null unless a --target-* option was given): the findings an upgrade would bring;
# also the additions since 3 (`views.multicast.admitted`, `views.static_membership`).
# 5: the run's outcome at the top, so that no consumer recomputes it: `verdict` (Report.verdict),
# `fail_on`, `exit_code`, and `scope` (RunScope.as_dict: what --limit, --checks, --skip left out).
SCHEMA_VERSION = 5
NOTHING_JUDGED = "nothing-judged"  # the verdict of a run in which every result was skip


class ExitCode:
    """Stable exit codes (DESIGN §4); documented in the README and `--help`."""

    OK = 0  # nothing at or above --fail-on
    FINDINGS = 1  # something is
    USAGE = 2  # usage or inventory error, or nothing was judged
    NOT_WRITTEN = 2  # a report or the history could not be written (the others were)


@dataclass(frozen=True)
class Report:
    facts: ClusterFacts
    checks: Sequence[Check]
    results: Sequence[Result]
    views: Views = field(default_factory=Views)
    upgrade: Upgrade | None = None  # with an upgrade target (--target-*): what it would break
    # what was judged (--limit, --checks...); one naming no node: the facts' nodes, whole
    scope: RunScope = field(default_factory=RunScope)

    def __post_init__(self) -> None:
        object.__setattr__(self, "checks", tuple(self.checks))
        object.__setattr__(self, "results", tuple(self.results))
        if not self.scope.inventory_nodes:
            object.__setattr__(self, "scope", _whole(self.facts, self.scope))

    @property
    def cluster(self) -> str:
        return self.facts.name

    @functools.cached_property
    def nodes(self) -> tuple[NodeSummary, ...]:
        return node_summaries(self.facts, self.views)

    @property
    def summary(self) -> dict[str, int]:
        counts = Counter(r.status.value for r in self.results)
        return {s.value: counts.get(s.value, 0) for s in Status}

    @property
    def nothing_judged(self) -> bool:
        """No silent pass: a run where every result is skip judged nothing."""
        return all(r.status is Status.SKIP for r in self.results)

    def counted(self) -> list[Result]:
        """Results that decide the verdict: waived findings are shown but do not count."""
        return [r for r in self.results if not r.waived]

    def worst(self) -> Status:
        """The verdict: with an upgrade target, the findings the upgrade would bring count as
        today's do (`--fail-on` applies to them)."""
        counted = self.counted() + (self.upgrade.counted() if self.upgrade else [])
        return max((r.status for r in counted), key=lambda s: s.rank, default=Status.SKIP)

    @property
    def verdict(self) -> str:
        """The run's verdict as one word: the worst counted status, or "nothing-judged"."""
        return NOTHING_JUDGED if self.nothing_judged else self.worst().value

    def exit_code(self, fail_on: Status = Status.FAIL) -> int:
        if self.nothing_judged:
            return ExitCode.USAGE
        return ExitCode.FINDINGS if self.worst().rank >= fail_on.rank else ExitCode.OK

    def sorted_results(self) -> list[Result]:
        """Worst first, then by check code and node, for every renderer alike."""
        return sorted(self.results, key=lambda r: (-r.status.rank, r.code, r.node or ""))

    def as_dict(
        self, fail_on: Status = Status.FAIL, exit_code: int | None = None
    ) -> dict[str, Any]:
        """The JSON report's content; `exit_code` as the run gives it (RenderOptions), else the
        one the verdict gives under `fail_on`."""
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "clustercheck", "version": __version__},
            "cluster": self.cluster,
            "verdict": self.verdict,
            "fail_on": fail_on.value,
            "exit_code": self.exit_code(fail_on) if exit_code is None else exit_code,
            "scope": self.scope.as_dict(),
            "inventory": self.facts.settings.source,
            "started_at": self.facts.started_at,
            "duration_s": round(self.facts.duration_s, 3),
            "summary": self.summary,
            "nodes": [n.as_dict() for n in self.nodes],
            "views": self.views.as_dict(),
            "results": [r.as_dict() for r in self.sorted_results()],
            "upgrade": self.upgrade.as_dict() if self.upgrade else None,
        }


def build_report(
    facts: ClusterFacts,
    checks: Sequence[Check],
    results: Sequence[Result],
    derived: Derived,
    upgrade: Upgrade | None = None,
    scope: RunScope | None = None,
) -> Report:
    """The run's one Report: its views come from the same derivations the checks judged, and
    show the verdicts of its results. Without a scope, the facts' nodes are the whole cluster."""
    views = build_views(facts, derived, results)
    return Report(facts, checks, results, views, upgrade, scope or RunScope())


def _whole(facts: ClusterFacts, given: RunScope) -> RunScope:
    """`given` completed from the facts, for a Report built without the CLI's scope: their nodes
    judged, those --limit left out (ClusterFacts.left_out), and those read from files only."""
    names = tuple(facts.nodes)
    offline = given.offline or tuple(
        n.name for n in facts.nodes.values() if n.offline and not n.recorded
    )
    inventory = names + tuple(n.name for n in facts.left_out)
    return replace(given, inventory_nodes=inventory, nodes=names, offline=offline)
