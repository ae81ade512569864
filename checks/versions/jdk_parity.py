"""CC301 jdk-parity."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.common import not_running
from clustercheck.derive.derived import Derived
from clustercheck.derive.jdk import compare_jvms
from clustercheck.engine.check import check
from clustercheck.engine.results import (
    Finding,
    Scope,
    Status,
    errored,
    failed,
    passed,
    skipped,
    warned,
)
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.facts.jvm import JvmFacts
from clustercheck.knowledge.releases import min_java

_DELETED = (
    "the binary Tomcat runs was deleted since it started (a JDK update): it runs the JDK it "
    "started with until it is restarted; restart it to run this one"
)


@check("CC301", "jdk-parity", scope=Scope.CLUSTER, roles=("tomcat",), live=True)
def jdk_parity(cluster: ClusterFacts, derived: Derived) -> Iterator[Finding]:
    """The JVM that runs Tomcat is one its Tomcat runs on, and the same on every node.

    The JVM is the one the running Tomcat uses (the Bootstrap process whose catalina.base is the
    node's, its binary from /proc/PID/exe), else JAVA_HOME in bin/setenv.sh, else the
    inventory's `tomcat.java`, else `java` on PATH; each result says which. No JVM is started
    to tell what it is: its JDK's `release` file (JAVA_VERSION, IMPLEMENTOR, OS_ARCH,
    JAVA_RUNTIME_VERSION) is read; only where none tells (none there, or Java 7's, which leaves
    out the update) is the binary run with `-XshowSettings:properties -version`, and only when
    nobody but root, the user clustercheck runs as and Tomcat's user (the running process's,
    when it owns catalina.base) could have written it or its folders: any local user can start
    a process that looks like Tomcat. Otherwise the inventory's `tomcat.java` is run instead,
    or the node is an error that says why. A binary deleted since Tomcat started (a JDK update:
    /proc/PID/exe says so) is judged by the JDK installed in its folder now, and warns: Tomcat
    still runs the old one until it is restarted. A JVM older than the oldest Java the node's
    Tomcat line runs on fails (Tomcat 7.0 needs Java 6, 8.5 Java 7, 9.0 Java 8, 10.1 Java 11,
    11.0 Java 17): judged with an upgrade target's version too, it says which nodes need a
    newer Java before the upgrade. A node whose Tomcat is not running (CC801) is not judged: a
    `java` found elsewhere is not the JVM that runs it. The inventory's `jdk.policy` sets how
    close versions must be: `major`, `minor`, `update` (default) or `exact`; a vendor or
    bitness difference warns.

    ## Why it matters
    Session replication serialises objects on one JVM and deserialises them on another:
    different JDKs can disagree on serialised classes and on TLS, GC and timezone data, so
    fail-over "works on two nodes but not the third". Nodes drift apart one `yum update` at a
    time, and `java -version` on the PATH often is not the JVM that runs Tomcat. A Tomcat
    whose line needs a newer Java does not start at all: its classes are compiled for that
    Java (`UnsupportedClassVersionError`), the usual first surprise of an upgrade.

    ## How to fix
    Install the same JDK build on every node and point each Tomcat at it (JAVA_HOME in
    bin/setenv.sh or the service unit), then restart the odd nodes. Before upgrading Tomcat,
    install the Java its new line needs (the message names it) on every node.
    """
    jvms: dict[str, JvmFacts] = {}
    for node in cluster.tomcats:
        jvm = node.live.jvm
        if jvm is None:
            yield skipped("no JVM facts (offline)", node=node.name)
            continue
        stopped = not_running(derived, node.name)
        if stopped:
            yield skipped(f"not judged: {stopped}", node=node.name)
            continue
        if jvm.error is not None:
            yield errored(
                f"cannot tell the JVM ({jvm.java}, {jvm.source}): {jvm.error}", node=node.name
            )
            continue
        jvms[node.name] = jvm
        too_old = _too_old(node, jvm)
        if too_old is not None:
            yield failed(too_old, node=node.name, details={"jvm": _described(jvm)})
            continue
        found = f"{jvm.version} {jvm.vendor or ''} {jvm.bits or '?'}-bit, from {jvm.source}"
        found += f" ({jvm.java})"
        details = {"jvm": _described(jvm)}
        if jvm.binary_deleted:
            yield warned(f"{found}: {_DELETED}", node=node.name, details=details)
            continue
        yield passed(found, node=node.name, details=details)
    if len(jvms) < 2:
        return
    verdict = compare_jvms(jvms, cluster.settings.jdk_policy)
    yield Finding(
        Status(verdict.status),
        verdict.message,
        details={"groups": verdict.groups, "policy": cluster.settings.jdk_policy},
    )


def _too_old(node: NodeFacts, jvm: JvmFacts) -> str | None:
    """Why the node's Tomcat cannot run on this JVM: its line needs a newer Java."""
    version = node.tomcat.version if node.tomcat else None
    needed = min_java(version)
    major = jvm.version_tuple[0] if jvm.version_tuple else None
    if needed is None or major is None or major >= needed:
        return None
    return (
        f"Tomcat {version} needs Java {needed}; {node.name}'s Tomcat runs on Java "
        f"{jvm.version} ({jvm.java}, {jvm.source}): Tomcat {version} does not start "
        f"(UnsupportedClassVersionError): install Java {needed} or later and point JAVA_HOME "
        "at it (bin/setenv.sh or the service unit)"
    )


def _described(jvm: JvmFacts) -> dict[str, object]:
    return {
        "version": jvm.version,
        "vendor": jvm.vendor,
        "vm": jvm.vm,
        "bits": jvm.bits,
        "java": jvm.java,
        "source": jvm.source,
    }
