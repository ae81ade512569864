"""What only a live run can tell: per node (`LiveFacts`) and from clustercheck's own machine
(`LocalFacts`). A snapshot records both as they were, and `run DIR` judges them again.

Both are filled in during gathering, phase by phase, hence mutable; the records they hold are
frozen. A field left None was not gathered (an offline node, a capture not asked for)."""

from __future__ import annotations

from dataclasses import dataclass, field

from clustercheck.facts.balancer import BalancerView
from clustercheck.facts.clock import ClockSample, NtpReference
from clustercheck.facts.environment import EnvironmentFacts
from clustercheck.facts.jvm import JvmFacts
from clustercheck.facts.logs import LogFacts
from clustercheck.facts.multicast import LocalListen, MulticastCapture
from clustercheck.facts.probes import ProbeResult
from clustercheck.facts.record import Record
from clustercheck.facts.runtime import RuntimeFacts
from clustercheck.parsers.httpd_build import HttpdBuild
from clustercheck.parsers.timesync import TimeSync


@dataclass
class LiveFacts(Record):
    """What a connected node tells about itself and what it probed."""

    reachable: bool = True
    error: str | None = None  # why it could not be reached
    collected_at: str | None = None
    duration_s: float | None = None
    exchanges: int | None = None  # times gathering waited on the node (Transport.exchanges)
    addresses: list[str] = field(default_factory=list)  # its own interface addresses
    clock: ClockSample | None = None
    timesync: TimeSync | None = None
    jvm: JvmFacts | None = None  # tomcat nodes
    multicast: MulticastCapture | None = None  # members, during the heartbeat window
    ajp_probes: tuple[ProbeResult, ...] | None = None  # apache nodes: CPing to their workers
    httpd: HttpdBuild | None = None  # apache nodes: `httpd -v`, `httpd -l`, its processes
    # apache nodes: what <IfFile> found on the node, by path (a snapshot holds only files read)
    httpd_found: dict[str, bool] = field(default_factory=dict)
    receiver_probes: tuple[ProbeResult, ...] | None = None  # members: TCP to the others
    runtime: RuntimeFacts | None = None  # what runs: processes, listeners, file times
    logs: LogFacts | None = None  # log tails since the last start (CC803)
    balancer: tuple[BalancerView, ...] | None = None  # apache nodes: the modules' status pages
    environment: EnvironmentFacts | None = None  # tomcat nodes: cloud membership's variables


@dataclass
class LocalFacts(Record):
    """What clustercheck measures from its own machine."""

    reference: NtpReference | None = None  # its clock against the inventory's NTP servers
    exposure_probes: tuple[ProbeResult, ...] = ()  # CPing to AJP ports, when it is no balancer
    # TCP to the members' replication receivers, when it is no member (CC508)
    receiver_probes: tuple[ProbeResult, ...] = ()
    addresses: list[str] = field(default_factory=list)  # its own interface addresses
    multicast: LocalListen | None = None  # with `multicast.interface`
    # worker hosts DNS was not asked about or did not answer in time, and why
    dns_unresolved: dict[str, str] = field(default_factory=dict)
