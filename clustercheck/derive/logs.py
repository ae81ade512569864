"""What the log tails say: the known failure lines they hold (CC803), and which members each
Tomcat admitted to its cluster since it started, by its own log (beside the heartbeat matrix).
Pure derivations over LogFacts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from clustercheck.derive.cluster_config import receiver_endpoint
from clustercheck.derive.membership_view import node_addresses
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.facts.logs import LogFacts, LogTail
from clustercheck.knowledge.log_rules import LogRule
from clustercheck.parsers.logs import line_time, member_event, member_of, strip_stamp

QUOTE_MAX = 240  # characters of a line quoted in a finding


@dataclass(frozen=True)
class Occurrence:
    """One logged entry (a line and the stack trace lines after it) that matches a rule."""

    tail: LogTail
    index: int  # of the quoted line in tail.lines
    time: float | None
    quote: str  # the matching line without its time stamp, cut to QUOTE_MAX
    subject: str | None

    @property
    def line(self) -> int | None:
        """Its line number in the file, when the file's lines were counted."""
        first = self.tail.first_line
        return None if first is None else first + self.index


@dataclass
class Hit:
    """A rule's occurrences on one node, oldest first."""

    rule: LogRule
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def subjects(self) -> list[str]:
        """What the occurrences are about, each once, shortest first (the outermost element)."""
        found = {o.subject for o in self.occurrences if o.subject}
        return sorted(found, key=lambda s: (len(s), s))


def match_logs(logs: LogFacts, rules: Sequence[LogRule]) -> list[Hit]:
    """The rules the readable tails match, in rule order; each logged entry counts once per
    rule, and an occurrence a later line clears (same subject) does not count."""
    hits = {rule.id: Hit(rule) for rule in rules}
    for tail in logs.tails:
        if tail.error is not None:
            continue
        applicable = [rule for rule in rules if tail.kind in rule.kinds]
        for entry in _entries(tail, logs.utc_offset_s):
            for rule in applicable:
                found = _in_entry(rule, tail, entry, logs.utc_offset_s)
                if found is not None and not _cleared(rule, tail, found):
                    hits[rule.id].occurrences.append(found)
    return [hit for hit in hits.values() if hit.occurrences]


def _entries(tail: LogTail, offset: int | None) -> list[tuple[int, int, float | None]]:
    """(first index, end index, time) of each logged entry: a stamped line and the unstamped
    lines after it (a stack trace)."""
    entries: list[tuple[int, int, float | None]] = []
    for index, line in enumerate(tail.lines):
        stamp = line_time(line, tail.kind, offset if offset is not None else 0)
        if stamp is not None or not entries:
            entries.append((index, index + 1, stamp))
        else:
            start, _end, when = entries[-1]
            entries[-1] = (start, index + 1, when)
    return entries


def _in_entry(
    rule: LogRule, tail: LogTail, entry: tuple[int, int, float | None], offset: int | None
) -> Occurrence | None:
    """The entry's first line the rule matches; the quote adds the next matching line of the
    same entry (the exception under "Unable to serialize ...": which class)."""
    start, end, when = entry
    matching = [(i, m) for i in range(start, end) if (m := rule.pattern.search(tail.lines[i]))]
    if not matching:
        return None
    index, found = matching[0]
    subject = found.groupdict().get("subject")
    subject = member_of(subject) or subject if subject else None
    quote = " / ".join(strip_stamp(tail.lines[i], tail.kind).strip() for i, _m in matching[:2])
    if len(quote) > QUOTE_MAX:
        quote = quote[: QUOTE_MAX - 1] + "…"
    return Occurrence(tail, index, when if offset is not None else None, quote, subject)


def _cleared(rule: LogRule, tail: LogTail, found: Occurrence) -> bool:
    """Whether a later line of the same log undoes the occurrence (the member came back)."""
    if rule.cleared_by is None or found.subject is None:
        return False
    for line in tail.lines[found.index + 1 :]:
        later = rule.cleared_by.search(line)
        subject = later.groupdict().get("subject") if later is not None else None
        if subject and (member_of(subject) or subject) == found.subject:
            return True
    return False


def node_time(epoch: float | None, offset: int | None) -> str:
    """A time as the node's logs write it, with its offset ("2026-12-03 23:01:21 +0100")."""
    if epoch is None:
        return "?"
    zone = UTC if offset is None else timezone(timedelta(seconds=offset))
    try:
        return datetime.fromtimestamp(epoch, zone).strftime("%Y-%m-%d %H:%M:%S %z")
    except (OverflowError, OSError, ValueError):
        return "?"


# --- Tomcat's own view of its membership --------------------------------------------------------


def admitted_members(logs: LogFacts) -> list[str] | None:
    """The members ("host:port") a Tomcat's log says it admitted since it started and did not
    drop since; None when no Tomcat log was read."""
    tails = [t for t in logs.tails if t.error is None and t.kind in ("tomcat", "journald")]
    if not tails:
        return None
    admitted: dict[str, None] = {}
    for tail in tails:
        for line in tail.lines:
            event = member_event(line)
            if event is None:
                continue
            member, added = event
            if added:
                admitted[member] = None
            else:
                admitted.pop(member, None)
    return list(admitted)


def admitted_by_node(cluster: ClusterFacts) -> dict[str, tuple[str, ...]]:
    """For each Tomcat node whose log was read: the nodes it admitted, by inventory name (a
    member no node of the inventory is stays "host:port"). Not of a node whose process table
    shows no Tomcat: its log is a stopped process's."""
    views: dict[str, tuple[str, ...]] = {}
    for node in cluster.tomcats:
        runtime = node.live.runtime
        if runtime is not None and runtime.tomcat is None:
            continue
        logs = node.live.logs
        members = admitted_members(logs) if logs is not None else None
        if members is not None:
            views[node.name] = tuple(_name_of(member, cluster) for member in members)
    return views


def _name_of(member: str, cluster: ClusterFacts) -> str:
    host, _, port = member.rpartition(":")
    host = host.strip("[]")
    for node in cluster.tomcats:
        endpoint = receiver_endpoint(node)
        if host in _addresses(node) and (endpoint is None or str(endpoint[1]) == port):
            return node.name
    return member


def _addresses(node: NodeFacts) -> set[str]:
    return node_addresses(node) | {a for a in (receiver_endpoint(node) or ("",))[:1] if a}
