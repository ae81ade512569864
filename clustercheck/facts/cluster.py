"""The gathered facts of a cluster and of each node: what checks judge. Plain data, produced only
by the engine (collect/).

Two layers per node: what was read from files (files.py; re-derivable from a snapshot's file tree
by parsing it again) and `LiveFacts` (live.py), what only a live node can tell (reachability,
addresses, clock, JVM, probes, captures), which a snapshot records in snapshot.json with
`LocalFacts`, what clustercheck measured from its own machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from clustercheck.facts.files import ApacheFacts, FileRead, TomcatFacts
from clustercheck.facts.live import LiveFacts, LocalFacts
from clustercheck.inventory.settings import ClusterSettings, NodeSettings

if TYPE_CHECKING:
    from clustercheck.parsers.hosts import HostsFile


@dataclass
class NodeFacts:
    settings: NodeSettings
    live: LiveFacts = field(default_factory=LiveFacts)
    offline: bool = False  # files transport: commands and probes unavailable
    recorded: bool = False  # live facts come from a snapshot, not from this run
    files: dict[str, FileRead] = field(default_factory=dict)
    secrets: set[str] = field(default_factory=set)  # as written in its files: never shown
    apache: ApacheFacts | None = None
    tomcat: TomcatFacts | None = None
    hosts: HostsFile | None = None  # its hosts file; None when unread (`files` says why)

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def reachable(self) -> bool:
        return self.live.reachable

    def file_error(self, path: str) -> FileRead | None:
        read = self.files.get(path)
        return read if read and read.status != "ok" else None


@dataclass
class ClusterFacts:
    settings: ClusterSettings
    nodes: dict[str, NodeFacts]
    started_at: str
    duration_s: float = 0.0
    # worker hosts resolved by DNS, the last resort of matching them to nodes
    dns: dict[str, list[str]] = field(default_factory=dict)
    # what is measured from clustercheck's own machine: NTP reference, AJP exposure, multicast
    local: LocalFacts = field(default_factory=LocalFacts)
    # the inventory's nodes `--limit` left out: neither gathered nor judged. Checks never read
    # it; the runner names them in what they would have changed (engine/runner.py)
    left_out: tuple[NodeSettings, ...] = ()

    @property
    def name(self) -> str:
        return self.settings.name

    def with_role(self, role: str, reachable_only: bool = True) -> list[NodeFacts]:
        return [
            n
            for n in self.nodes.values()
            if n.settings.has_role(role) and (n.reachable or not reachable_only)
        ]

    @property
    def tomcats(self) -> list[NodeFacts]:
        return [n for n in self.with_role("tomcat") if n.tomcat]

    @property
    def apaches(self) -> list[NodeFacts]:
        return [n for n in self.with_role("apache") if n.apache]
