"""The gathered facts of a cluster and of each node: what checks judge. Plain data, produced only
by the engine (collect/).

Two layers per node: what was read from files (files.py; re-derivable from a snapshot's file tree
by parsing it again) and `LiveFacts`, what only a live node can tell (reachability, addresses,
command outputs, probes), which a snapshot records in snapshot.json.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from clustercheck.facts.files import ApacheFacts, FileRead, TomcatFacts
from clustercheck.inventory.settings import ClusterSettings, NodeSettings


@dataclass
class LiveFacts:
    """What only a connected node tells; recorded in snapshots and judged again from them."""

    reachable: bool = True
    error: str | None = None
    collected_at: str | None = None
    duration_s: float | None = None
    addresses: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LiveFacts:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


@dataclass
class NodeFacts:
    settings: NodeSettings
    live: LiveFacts = field(default_factory=LiveFacts)
    offline: bool = False  # files transport: commands and probes unavailable
    recorded: bool = False  # live facts come from a snapshot, not from this run
    files: dict[str, FileRead] = field(default_factory=dict)
    apache: ApacheFacts | None = None
    tomcat: TomcatFacts | None = None

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
    # what is measured from clustercheck's machine: the NTP reference, AJP exposure probes
    live: dict[str, Any] = field(default_factory=dict)
    # pure derivations of the facts, computed once per run and shared by checks (not recorded)
    derived: dict[str, Any] = field(default_factory=dict, repr=False)

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
