"""The Report every renderer reads: results, node summaries, views, verdict and exit code."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from clustercheck import __version__
from clustercheck.engine.check import Check
from clustercheck.engine.results import Result, Status
from clustercheck.facts.cluster import ClusterFacts, NodeFacts

SCHEMA_VERSION = 1


class ExitCode:
    """Stable exit codes (DESIGN §4); documented in the README and `--help`."""

    OK = 0  # nothing at or above --fail-on
    FINDINGS = 1  # something is
    USAGE = 2  # usage or inventory error, or nothing was judged


@dataclass
class Report:
    facts: ClusterFacts
    checks: list[Check]
    results: list[Result]
    views: dict[str, Any] = field(default_factory=dict)

    @property
    def cluster(self) -> str:
        return self.facts.name

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
        return max((r.status for r in self.counted()), key=lambda s: s.rank, default=Status.SKIP)

    def exit_code(self, fail_on: Status = Status.FAIL) -> int:
        if self.nothing_judged:
            return ExitCode.USAGE
        return ExitCode.FINDINGS if self.worst().rank >= fail_on.rank else ExitCode.OK

    def sorted_results(self) -> list[Result]:
        """Worst first, then by check code and node, for every renderer alike."""
        return sorted(self.results, key=lambda r: (-r.status.rank, r.code, r.node or ""))

    def node_summary(self, node: NodeFacts) -> dict[str, Any]:
        from clustercheck.report.views import jvm_summary

        tomcat = node.tomcat
        return {
            "name": node.name,
            "host": node.settings.host,
            "roles": list(node.settings.roles),
            "transport": node.settings.transport,
            "reachable": node.reachable,
            "error": node.live.error,
            "tomcat_version": tomcat.version if tomcat else None,
            "jvm": jvm_summary(node.live.jvm),
            "clock_offset_ms": next(
                (
                    c["offset_ms"]
                    for c in self.views.get("clocks", {}).get("nodes", [])
                    if c["node"] == node.name
                ),
                None,
            ),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "clustercheck", "version": __version__},
            "cluster": self.cluster,
            "inventory": self.facts.settings.source,
            "started_at": self.facts.started_at,
            "duration_s": round(self.facts.duration_s, 3),
            "summary": self.summary,
            "nodes": [self.node_summary(n) for n in self.facts.nodes.values()],
            "views": self.views,
            "results": [r.as_dict() for r in self.sorted_results()],
        }
