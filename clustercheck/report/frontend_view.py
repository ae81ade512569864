"""The front-end view: for each front end of each apache node (a node with mod_jk and mod_proxy
has two), its AJP members, where each points (host:port, the Tomcat node and its connector's
server.xml line), and the values of the seam side by side, the front end's and the Tomcat
connector's, each with the directive or attribute that sets it and where, or "default".

Each value is marked with the verdict of the check that owns it, taken from the run's results
about that member (judge once: this view shows verdicts, it never makes one): port CC101, CPing
CC102, secret CC103, route CC202, packet size CC105, timeouts CC106, capacity CC107, address
CC108, and the member as the running module shows it (CC804). A check that said nothing about
a member (not selected, not installed, or the member was not matched to a Tomcat node) leaves
its values unmarked. A secret is never shown: only
whether each side has one, and whether they agree.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from clustercheck.derive.connector import TomcatSide, connector_side
from clustercheck.derive.derived import Derived
from clustercheck.derive.frontend import Member, Seam
from clustercheck.derive.status_pages import running_member, running_view
from clustercheck.derive.targets import MemberTarget
from clustercheck.engine.results import Result, Status
from clustercheck.facts.probes import Outcome
from clustercheck.report.cell import Cell

Hide = Callable[[str], str]


@dataclass(frozen=True)
class Row:
    """One seam value: its key (in JSON), how a table names it, and the check that owns it."""

    key: str
    label: str
    code: str
    aspect: str | None = None  # the check's details["timeout"] this row shows, when it has two


ROWS = (
    Row("port", "port", "CC101"),
    Row("cping", "CPing", "CC102"),
    Row("secret", "secret", "CC103"),
    Row("route", "route", "CC202"),
    Row("packet_size", "packet size", "CC105"),
    Row("idle_timeout", "idle timeout", "CC106", "idle"),
    Row("connect_timeout", "connect timeout", "CC106", "connect"),
    Row("pool", "pool / threads", "CC107"),
    Row("address", "address", "CC108"),
    Row("runtime", "running", "CC804"),
)


@dataclass(frozen=True)
class Shown:
    """One side's value as a report shows it: `text` in full ("600 s", "8192 bytes", "no
    limit"), `short` for a narrow table ("600s", "8K", "∞"), `value` in the model's unit (ms,
    bytes; None: none or no limit; never a secret), what sets it and where, or the default."""

    text: str
    short: str
    value: str | int | float | bool | None
    unit: str
    directive: str
    file: str | None
    line: int | None
    defaulted: bool
    written: str | None = None  # as written, in the unit of its file (mod_jk's seconds)

    @property
    def where(self) -> str:
        """`file:line`, or `default` for a value nobody wrote."""
        if self.defaulted or self.file is None:
            return "default"
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "unit": self.unit,
            "text": self.text,
            "directive": self.directive,
            "file": self.file,
            "line": self.line,
            "default": self.defaulted,
            "written": self.written,
        }


@dataclass(frozen=True)
class Mark:
    """The verdict on one seam value: the status its check's results about the member add up
    to (report/cell.py), or None when that check said nothing about it."""

    code: str
    status: Status | None
    waived: int = 0
    messages: tuple[str, ...] = ()

    @classmethod
    def of(cls, code: str, results: Iterable[Result]) -> Mark:
        cell = Cell()
        for result in results:
            cell.add(result)
        if not cell.results:
            return cls(code, None)
        return cls(code, cell.status, cell.waived, tuple(r.message for r in cell.results))


@dataclass(frozen=True)
class SeamView:
    """One seam value of one member, both sides; `tomcat` None where Tomcat has no counterpart
    or the member matches no connector. `summary` says what the two sides are together where
    the values themselves are not shown (the secret: agree, differ, none)."""

    row: Row
    front: Shown | None
    tomcat: Shown | None
    mark: Mark
    summary: str | None = None

    def as_dict(self) -> dict[str, Any]:
        mark = self.mark
        return {
            "check": self.row.code,
            "status": mark.status.value if mark.status else None,
            "waived": mark.waived,
            "front": self.front.as_dict() if self.front else None,
            "tomcat": self.tomcat.as_dict() if self.tomcat else None,
            "summary": self.summary,
        }


@dataclass(frozen=True)
class MemberView:
    """One member and where it points: `name` is Member.name (the mod_jk worker, the
    BalancerMember URL), the key findings about it carry in details["worker"]."""

    name: str
    label: str  # `worker tomcat01`, `BalancerMember ajp://10.0.0.2:8009`
    balancer: str | None  # the lb worker, the `balancer://` URL; None when mapped directly
    host: str
    port: int
    tomcat: str | None  # the Tomcat node it points at; None: not matched (see CC101)
    connector_file: str | None
    connector_line: int | None
    seams: tuple[SeamView, ...]

    def as_dict(self) -> dict[str, Any]:
        connector = (
            {"file": self.connector_file, "line": self.connector_line}
            if self.connector_file
            else None
        )
        return {
            "name": self.name,
            "label": self.label,
            "balancer": self.balancer,
            "host": self.host,
            "port": self.port,
            "tomcat": self.tomcat,
            "connector": connector,
            "seams": {s.row.key: s.as_dict() for s in self.seams},
        }


@dataclass(frozen=True)
class FrontEndView:
    """One front end of one apache node: its balancing module, its file, its members."""

    node: str
    module: str
    file: str
    members: tuple[MemberView, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "module": self.module,
            "file": self.file,
            "members": [m.as_dict() for m in self.members],
        }


def front_end_views(derived: Derived, results: Sequence[Result]) -> tuple[FrontEndView, ...]:
    """Every front end's table, its members in the model's order, each value marked with the
    run's verdicts; text that would hold a secret of the facts shows `***`, as in results."""
    hide = derived.secrets.hide
    by_worker: dict[tuple[str, str], list[Result]] = {}  # (code, member name) -> results
    for result in results:
        for worker in _names(result.details.get("worker")):
            by_worker.setdefault((result.code, worker), []).append(result)
    targets: dict[int, list[MemberTarget]] = {}
    for target in derived.targets:
        targets.setdefault(id(target.front_end), []).append(target)
    return tuple(
        FrontEndView(
            front_end.node.name,
            front_end.module.value,
            hide(front_end.file),
            tuple(_member(t, by_worker, hide) for t in targets.get(id(front_end), [])),
        )
        for front_end in derived.front_ends
    )


def _member(
    target: MemberTarget, by_worker: Mapping[tuple[str, str], list[Result]], hide: Hide
) -> MemberView:
    member = target.member
    side = connector_side(target)
    name = hide(member.name)
    values = _Values(target, side, hide)
    front, tomcat, summary = values.front(), values.tomcat(), values.summary()
    seams = tuple(
        SeamView(
            row,
            front[row.key],
            tomcat.get(row.key),
            Mark.of(
                row.code,
                (r for r in by_worker.get((row.code, name), []) if _about(r, target, row)),
            ),
            summary.get(row.key),
        )
        for row in ROWS
    )
    return MemberView(
        name=name,
        label=hide(member.label),
        balancer=hide(target.balancer.name) if target.balancer else None,
        host=hide(target.host),
        port=target.port,
        tomcat=side.node if side else None,
        connector_file=hide(side.path) if side else None,
        connector_line=side.line if side else None,
        seams=seams,
    )


def _about(result: Result, target: MemberTarget, row: Row) -> bool:
    """Whether a result naming the member (details["worker"], one name or a list) judges it as
    this front end uses it, for this row (CC106 says which timeout in details["timeout"]): the
    result is about its apache node, or about its Tomcat node on behalf of that apache node
    (details["apache"], one name or a list: CC103, CC107)."""
    if row.aspect is not None and result.details.get("timeout") not in (None, row.aspect):
        return False
    if result.node == target.apache.name:
        return True
    return (
        target.node is not None
        and result.node == target.node.name
        and target.apache.name in _names(result.details.get("apache"))
    )


def _names(value: object) -> tuple[str, ...]:
    """The names a detail gives: one, or a list of them (anything else names nobody)."""
    values = value if isinstance(value, list | tuple) else (value,)
    return tuple(v for v in values if isinstance(v, str))


class _Values:
    """The two sides of each seam value of one member, as shown, by row key."""

    def __init__(self, target: MemberTarget, side: TomcatSide | None, hide: Hide) -> None:
        self.target, self.side, self.hide = target, side, hide

    def front(self) -> dict[str, Shown | None]:
        member, shown = self.target.member, self.shown
        return {
            "port": shown(member.port, _plain),
            "cping": shown(member.ping, _plain),
            "secret": self.presence(member.secret),
            "route": shown(member.route, _plain),
            "packet_size": shown(member.packet_size, _bytes),
            "idle_timeout": shown(member.idle_timeout_ms, _duration),
            "connect_timeout": shown(member.connect_timeout_ms, _duration),
            "pool": shown(member.pool_size, _per_process),
            "address": self.address(member),
            "runtime": self.running(),
        }

    def tomcat(self) -> dict[str, Shown | None]:
        """The connector's values (none when the member matches no connector), and its answer
        to CPing; a front-end value without a counterpart in Tomcat (connect timeout) has
        none."""
        side, shown = self.side, self.shown
        probe = {"cping": self.probe()}
        if side is None:
            return probe
        return probe | {
            "port": shown(side.port, _plain),
            "secret": self.presence(side.secret),
            "route": shown(side.jvm_route, _plain),
            "packet_size": shown(side.packet_size, _bytes),
            "idle_timeout": shown(side.idle_timeout_ms, _duration),
            "pool": shown(side.max_threads, _threads),
            "address": shown(side.address, _address),
        }

    def summary(self) -> dict[str, str]:
        """Whether both sides have a secret and whether they agree; never the secret."""
        member, side = self.target.member, self.side
        if side is None:
            return {}
        sent = member.secret.value if member.secret else None
        expected = side.secret.value
        if sent and expected:
            same = hmac.compare_digest(sent.encode(), expected.encode())
            return {"secret": "agree" if same else "differ"}
        if sent or expected:
            return {"secret": "front end only" if sent else "Tomcat only"}
        return {"secret": "none"}

    def shown(self, seam: Seam[Any] | None, formatter: Formatter) -> Shown | None:
        if seam is None:
            return None
        text, short, unit = formatter(seam.value)
        hide = self.hide
        return Shown(
            text=hide(text),
            short=hide(short),
            value=hide(seam.value) if isinstance(seam.value, str) else seam.value,
            unit=unit,
            directive=hide(seam.directive),
            file=hide(seam.file) if seam.file else None,
            line=seam.line,
            defaulted=seam.defaulted,
            written=hide(seam.written) if seam.written is not None else None,
        )

    def presence(self, secret: Seam[Any] | None) -> Shown | None:
        """A secret as shown: set or none, where, never its value."""
        shown = self.shown(secret, _secret)
        return replace(shown, value=None, written=None) if shown else None

    def probe(self) -> Shown | None:
        """The connector's answer to the CPing the apache node sent it (live runs only)."""
        target = self.target
        probes = target.apache.live.ajp_probes
        if probes is None:
            return None
        found = next((p for p in probes if (p.host, p.port) == (target.host, target.port)), None)
        if found is None:
            text = "not probed"
        elif found.result is Outcome.CPONG:
            text = "CPong" + (f" {found.ms:.1f} ms" if found.ms is not None else "")
        else:
            text = found.result.value
        return Shown(text, text, text, "", f"CPing from {target.apache.name}", None, None, False)

    def running(self) -> Shown | None:
        """The member as the running module shows it on its status page (live runs only)."""
        target = self.target
        view = running_view(target.front_end)
        runtime = running_member(view, target) if view is not None else None
        if view is None or runtime is None:
            return None
        text = f"{runtime.state} {runtime.activation}"
        hide = self.hide
        return Shown(
            hide(text), hide(text), hide(text), "", hide(view.url), view.file, view.line, False
        )

    def address(self, member: Member) -> Shown | None:
        """The host the front end connects to, and whether it asks for IPv6 first."""
        shown = self.shown(member.host, _plain)
        if shown is None or member.prefer_ipv6 is None or not member.prefer_ipv6.value:
            return shown
        return replace(shown, text=f"{shown.text} (prefer_ipv6)")


Formatter = Callable[[Any], tuple[str, str, str]]  # value -> (text, short, unit)


def _plain(value: object) -> tuple[str, str, str]:
    if value is None:
        return "none", "none", ""
    text = ("on" if value else "off") if isinstance(value, bool) else str(value)
    return text, text, ""


def _secret(value: object) -> tuple[str, str, str]:
    return ("set", "set", "") if value else ("none", "none", "")


def _duration(ms: float | None) -> tuple[str, str, str]:
    """Milliseconds as a person reads them: whole seconds in s, the rest in ms."""
    if ms is None:
        return "no limit", "∞", "ms"
    number, unit = (ms / 1000, "s") if ms >= 1000 and ms % 1000 == 0 else (ms, "ms")
    return f"{number:g} {unit}", f"{number:g}{unit}", "ms"


def _bytes(size: int) -> tuple[str, str, str]:
    short = f"{size // 1024}K" if size % 1024 == 0 else f"{size}B"
    return f"{size} bytes", short, "bytes"


def _per_process(pool: int | None) -> tuple[str, str, str]:
    if pool is None:
        return "unknown", "?", "connections"
    return f"{pool} per process", f"{pool}/proc", "connections"


def _address(address: str | None) -> tuple[str, str, str]:
    """A connector's address; None: the version, so the default, is unknown."""
    return ("unknown default", "?", "") if address is None else (address, address, "")


def _threads(threads: int) -> tuple[str, str, str]:
    return f"{threads} threads", f"{threads} thr", "threads"
