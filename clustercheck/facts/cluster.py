"""The gathered facts: what checks judge. Plain data, produced only by the engine.

Two layers: what was read from files (re-derivable from a snapshot's file tree by parsing it again)
and `LiveFacts`, what only a live node can tell (reachability, addresses, command outputs, probes),
which a snapshot records in facts.json.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from clustercheck.inventory.settings import ClusterSettings, NodeSettings

if TYPE_CHECKING:
    from clustercheck.parsers.httpd import JkSettings, Mount
    from clustercheck.parsers.serverxml import ServerXml
    from clustercheck.parsers.text import Problem
    from clustercheck.parsers.webxml import WebXml
    from clustercheck.parsers.workers import WorkersFile


@dataclass(frozen=True)
class FileRead:
    """One attempt to read a file on a node; `status` is ok or a FileReadError kind."""

    path: str
    status: str
    message: str | None = None
    size: int | None = None


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
class ApacheFacts:
    """mod_jk as httpd on this node sees it."""

    jk_conf: str | None = None
    server_root: str | None = None
    jk: JkSettings | None = None
    workers: WorkersFile | None = None  # with mod_jk's defaults applied
    mounts: list[Mount] = field(default_factory=list)  # JkMount and uriworkermap rules
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Webapp:
    """A deployed web application and its descriptor."""

    name: str
    path: str  # directory or WAR on the node
    kind: str  # dir | war
    web_xml_path: str  # e.g. /opt/tomcat/webapps/shop.war!/WEB-INF/web.xml
    web_xml: WebXml | None = None  # None when the application has no web.xml
    error: str | None = None  # why the descriptor could not be read


@dataclass
class TomcatFacts:
    """One Tomcat instance: its server.xml, version and webapps."""

    catalina_base: str
    catalina_home: str
    server_xml_path: str
    server: ServerXml | None = None
    version: str | None = None
    version_source: str | None = None
    properties: dict[str, str] = field(default_factory=dict)
    webapps: list[Webapp] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


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
