"""CC803 log-signatures."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.derive.logs import Hit, match_logs, node_time
from clustercheck.engine.check import check
from clustercheck.engine.log_rules import installed_log_rules
from clustercheck.engine.results import Finding, Scope, errored, failed, passed, skipped, warned
from clustercheck.facts.cluster import NodeFacts
from clustercheck.facts.logs import LogFacts, LogTail

SUBJECTS_SHOWN = 3


@check("CC803", "log-signatures", scope=Scope.NODE, roles=("tomcat", "apache"), live=True)
def log_signatures(node: NodeFacts) -> Iterator[Finding]:
    """No known failure line in the node's logs since its servers last started.

    The end of each log (its last MiB, read with a seek) is read since the last start of the
    process that writes it (the running process's start time, else the log's own start marker):
    on tomcat nodes catalina.out and the newest file of every file handler of
    logging.properties, and the journal of the systemd unit Tomcat runs under (the inventory's
    `tomcat.systemd_unit`, else its process's cgroup's); on apache nodes httpd's ErrorLog (main
    server and each VirtualHost) and mod_jk's JkLogFile; or the files the inventory lists in
    `tomcat.logs` and `apache.logs`. A piped or syslog log is named as unread. Each line is
    matched against a table of known failure lines (state transfer, serialization, membership,
    replication sends, server.xml elements Tomcat ignored, the AJP secret, packet sizes, thread
    exhaustion, mod_jk's and mod_proxy's member errors; plugins add rules through the
    `clustercheck.log_rules` entry points). One result per rule matched: the line quoted (secrets,
    Authorization headers and session ids masked), its file, line number and time, how many
    times it occurred and when first and last, its cause, consequence and fix, and the check
    that judges the cause. A member that disappeared and was added again since (a restart) is
    not counted.

    ## Why it matters
    Some failures leave no trace in any configuration file and show only in the logs: a session
    attribute that is not Serializable (sessions lost at failover), a node that started without
    the cluster's sessions, replication messages that cannot be sent, an AJP connector that did
    not start, packets larger than the other side reads. The logs say it in words nobody reads
    until users complain; each is named here with what it does to users.

    ## How to fix
    Follow the fix given with each line, and the check it names for the configuration side; the
    line stays in the log until the process restarts, so a fixed cause still shows until then.
    """
    logs = node.live.logs
    if logs is None:
        yield skipped("logs not read (a Windows node, or gathered by an older clustercheck)")
        return
    readable = [t for t in logs.tails if t.error is None]
    unread = [t for t in logs.tails if t.error is not None]
    if not readable:
        why = "; ".join(f"{t.path}: {t.error}" for t in unread) or "no log location known"
        yield errored(f"no log could be read: {why}")
        return
    hits = match_logs(logs, installed_log_rules())
    for hit in hits:
        yield _finding(hit, logs)
    if not hits:
        read = ", ".join(_described(t, logs) for t in readable)
        note = "".join(f"; not read: {t.path} ({t.error})" for t in unread)
        yield passed(f"no known failure line in {read}{note}")


def _finding(hit: Hit, logs: LogFacts) -> Finding:
    rule, first, last = hit.rule, hit.occurrences[0], hit.occurrences[-1]
    count = len(hit.occurrences)
    offset = logs.utc_offset_s
    where = first.tail.path + (f":{first.line}" if first.line is not None else "")
    times = (
        "once"
        if count == 1
        else f"{count} times, {node_time(first.time, offset)} to {node_time(last.time, offset)}"
    )
    subjects = hit.subjects
    about = ""
    if subjects:
        shown = ", ".join(subjects[:SUBJECTS_SHOWN])
        more = len(subjects) - SUBJECTS_SHOWN
        about = f" (about {shown}{f' and {more} more' if more > 0 else ''})"
    see = f" (see {rule.related})" if rule.related else ""
    message = (
        f'{rule.cause}: {where} at {node_time(first.time, offset)}: "{first.quote}" '
        f"({times}){about}. {rule.consequence[:1].upper()}{rule.consequence[1:]}. "
        f"Fix: {rule.fix}{see}"
    )
    details = {
        "rule": rule.id,
        "related": rule.related,
        "count": count,
        "first": node_time(first.time, offset),
        "last": node_time(last.time, offset),
        "quote": first.quote,
        "subjects": subjects,
        "files": sorted({o.tail.path for o in hit.occurrences}),
        "source": rule.source,
    }
    judge = failed if rule.severity == "fail" else warned
    return judge(message, file=first.tail.path, line=first.line, details=details)


def _described(tail: LogTail, logs: LogFacts) -> str:
    since = node_time(tail.since, logs.utc_offset_s) if tail.since is not None else None
    start = f"since {since}" if since else "all that was read"
    cut = ", its last MiB" if tail.truncated else ""
    return f"{tail.path} ({len(tail.lines)} lines {start}{cut})"
