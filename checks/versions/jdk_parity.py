"""CC301 jdk-parity."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.collect.jvm import java_info
from clustercheck.derive.jdk import compare_jvms
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, Status, errored, passed, skipped
from clustercheck.facts.cluster import ClusterFacts


@check("CC301", "jdk-parity", scope=Scope.CLUSTER, roles=("tomcat",), live=True)
def jdk_parity(cluster: ClusterFacts) -> Iterator[Finding]:
    """The JVM that runs Tomcat has the same version, vendor and bitness on every node.

    The JVM is the one the running Tomcat uses (the Bootstrap process whose catalina.base is the
    node's, its binary from /proc/PID/exe), else JAVA_HOME in bin/setenv.sh, else the
    inventory's `tomcat.java`, else `java` on PATH; each result says which. It is run with
    `-XshowSettings:properties -version`. The inventory's `jdk.policy` sets how close versions
    must be: `major`, `minor`, `update` (default) or `exact`; a vendor or bitness difference
    warns.

    ## Why it matters
    Session replication serialises objects on one JVM and deserialises them on another:
    different JDKs can disagree on serialised classes and on TLS, GC and timezone data, so
    fail-over "works on two nodes but not the third". Nodes drift apart one `yum update` at a
    time, and `java -version` on the PATH often is not the JVM that runs Tomcat.

    ## How to fix
    Install the same JDK build on every node and point each Tomcat at it (JAVA_HOME in
    bin/setenv.sh or the service unit), then restart the odd nodes.
    """
    jvms = {}
    for node in cluster.tomcats:
        jvm = node.live.extra.get("jvm")
        if not jvm:
            yield skipped("no JVM facts (offline)", node=node.name)
            continue
        info = java_info(jvm)
        if info is None:
            yield errored(
                f"cannot tell the JVM ({jvm.get('java')}, {jvm.get('source')}): "
                f"{jvm.get('error', 'unreadable output')}",
                node=node.name,
            )
            continue
        jvms[node.name] = info
        yield passed(
            f"{info.version} {info.vendor or ''} {info.bits or '?'}-bit, from "
            f"{jvm.get('source')} ({jvm.get('java')})",
            node=node.name,
            details={
                "jvm": {
                    k: jvm.get(k) for k in ("version", "vendor", "vm", "bits", "java", "source")
                }
            },
        )
    if len(jvms) < 2:
        return
    verdict = compare_jvms(jvms, cluster.settings.jdk_policy)
    yield Finding(
        Status(verdict.status),
        verdict.message,
        details={"groups": verdict.groups, "policy": cluster.settings.jdk_policy},
    )
