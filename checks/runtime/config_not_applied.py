"""CC802 config-not-applied."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from clustercheck.checks.common import some_of
from clustercheck.derive.applied import ReadFiles, Reread, read_files
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, skipped
from clustercheck.facts.cluster import NodeFacts
from clustercheck.facts.runtime import RuntimeFacts
from clustercheck.knowledge.reloads import SLACK_S


@check("CC802", "config-not-applied", scope=Scope.NODE, roles=("apache", "tomcat"), live=True)
def config_not_applied(node: NodeFacts) -> Iterator[Finding]:
    """No file a running Tomcat or httpd reads was changed after it last read it.

    Compares, by the node's own clock, each file's modification time (one `stat` of all of
    them) with when its reader last took it in. Tomcat reads server.xml, catalina.properties and
    logging.properties only at start (the JVM's start time). Its applications' files (WEB-INF/
    web.xml, META-INF/context.xml, conf/<Engine>/<Host>/*.xml, a WAR) and conf/web.xml,
    conf/context.xml and context.xml.default are taken in again by the Host's autoDeploy (its
    default: on) within its background delay, so they count only where autoDeploy is off. A WAR
    beside the directory Tomcat expanded it into is compared with that directory's
    META-INF/war-tracker, which Tomcat dates as the WAR it expanded. httpd (its configuration as
    read, workers.properties) re-reads everything at a graceful restart, in the same parent
    process: its PidFile, rewritten at every start and graceful restart, dates the configuration
    it runs. Times within 2 s count as equal. A server that does not run is CC801's (and
    CC104's) finding, not this one's.

    ## Why it matters
    An edit that was never applied is a time bomb and a false lead: the files (and every check
    that reads them) say one thing while the node does another, until the next restart applies
    it at a moment nobody chose. The edited AJP port of server.xml is not where Tomcat listens;
    a changed worker in workers.properties is not what mod_jk balances to; a redeployed WAR on
    one node only runs the old code there.

    ## How to fix
    Apply the change where it is meant to be, or take the edit back: restart Tomcat on that
    node (`systemctl restart tomcat`, or `catalina.sh stop` then `start`) for its files;
    `apachectl -k graceful` (`systemctl reload httpd`/`apache2`) for httpd's and
    workers.properties. For a WAR that is newer than its expanded directory, restart Tomcat
    (it expands it again) or turn autoDeploy on; without META-INF/war-tracker, delete the
    expanded directory first, as Tomcat keeps it even at a restart.
    """
    runtime = node.live.runtime
    if runtime is None:
        yield skipped("what runs on the node was not gathered", node=node.name)
        return
    files = read_files(node)
    if node.tomcat is not None:
        yield from _tomcat(node.name, runtime, files)
    if node.apache is not None:
        yield from _httpd(node.name, runtime, files)


def utc(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _late(stamp: float, read_at: float) -> bool:
    return stamp > read_at + SLACK_S


def _changed(node: str, path: str, stamp: float, server: str, when: str, fix: str) -> Finding:
    """One file modified after its reader read it."""
    return failed(
        f"{path} was modified at {utc(stamp)}, after {server} {when}: it still runs what the "
        f"file said before; {fix}",
        node=node,
        file=path,
        details={"modified": utc(stamp), "reader": server},
    )


def _tomcat(node: str, runtime: RuntimeFacts, files: ReadFiles) -> Iterator[Finding]:
    process = runtime.tomcat
    if process is None:
        yield skipped("Tomcat is not running (CC801): no start to compare with", node=node)
        return
    started, stamps = process.started_at, runtime.stamps
    server = f"Tomcat (PID {process.pid})"
    when = f"started at {utc(started)}"
    judged, by_auto_deploy, bad = 0, 0, False
    for file in files.tomcat:
        stamp = stamps.get(file.path)
        if stamp is None:
            continue
        judged += 1
        if not _late(stamp, started):
            continue
        if file.reread is Reread.AUTO_DEPLOY and file.auto_deploy:
            by_auto_deploy += 1
            continue
        bad = True
        off = " (its Host's autoDeploy is off)" if file.reread is Reread.AUTO_DEPLOY else ""
        yield _changed(node, file.path, stamp, server + off, when, "restart Tomcat to apply it")
    for war in files.wars:
        found = [stamps.get(p) for p in (war.war, war.folder, war.tracker)]
        stamp, folder, tracker = found
        if stamp is None or folder is None:
            continue
        judged += 1
        if war.auto_deploy:
            continue  # a changed WAR is redeployed by autoDeploy itself
        if tracker is not None and abs(stamp - tracker) >= 1:
            bad = True
            yield _changed(
                node,
                war.war,
                stamp,
                server,
                f"expanded it into {war.folder} (META-INF/war-tracker: {utc(tracker)})",
                "restart Tomcat: it expands the WAR again at start (autoDeploy is off)",
            )
        elif tracker is None and _late(stamp, folder):
            bad = True
            yield _changed(
                node,
                war.war,
                stamp,
                server,
                f"deployed {war.folder} ({utc(folder)}), which has no META-INF/war-tracker",
                "Tomcat keeps that directory even at a restart: delete it, then restart Tomcat",
            )
    if not bad:
        auto = f"; {by_auto_deploy} changed since, re-read by autoDeploy" if by_auto_deploy else ""
        yield _judged(node, judged, "Tomcat", f"{when} (PID {process.pid}){auto}")


def _httpd(node: str, runtime: RuntimeFacts, files: ReadFiles) -> Iterator[Finding]:
    process = runtime.httpd
    if process is None:
        yield skipped("httpd is not running: no start to compare with", node=node)
        return
    pid_stamp = runtime.stamps.get(files.pid_file) if files.pid_file else None
    read_at = process.started_at if pid_stamp is None else max(process.started_at, pid_stamp)
    when = f"started at {utc(process.started_at)}"
    if pid_stamp is not None and _late(pid_stamp, process.started_at):
        when = f"last read its configuration at {utc(pid_stamp)} (graceful restart: PidFile)"
    judged, unknown = 0, []
    bad = False
    for file in files.httpd:
        stamp = runtime.stamps.get(file.path)
        if stamp is None:
            continue
        judged += 1
        if not _late(stamp, read_at):
            continue
        if pid_stamp is None:  # a graceful restart may have read it: nothing dates one
            unknown.append(file.path)
            continue
        bad = True
        fix = "`apachectl -k graceful` applies it"
        yield _changed(node, file.path, stamp, f"httpd (PID {process.pid})", when, fix)
    if unknown:
        yield skipped(
            f"{some_of(unknown)} changed after httpd's start at {utc(process.started_at)}; "
            f"its PidFile {files.pid_file or '(unknown)'} was not found, so a graceful restart "
            "since cannot be dated",
            node=node,
        )
    elif not bad:
        yield _judged(node, judged, "httpd", f"{when} (PID {process.pid})")


def _judged(node: str, judged: int, server: str, when: str) -> Finding:
    if not judged:
        return skipped(f"none of the files {server} reads could be dated", node=node)
    return passed(f"{judged} files {server} reads are older than when it {when}", node=node)
