"""CC301 jdk-parity."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.common import not_running
from clustercheck.derive.derived import Derived
from clustercheck.derive.jdk import compare_jvms
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, Status, errored, passed, skipped
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.facts.jvm import JvmFacts


@check("CC301", "jdk-parity", scope=Scope.CLUSTER, roles=("tomcat",), live=True)
def jdk_parity(cluster: ClusterFacts, derived: Derived) -> Iterator[Finding]:
    """The JVM that runs Tomcat has the same version, vendor and bitness on every node.

    The JVM is the one the running Tomcat uses (the Bootstrap process whose catalina.base is the
    node's, its binary from /proc/PID/exe), else JAVA_HOME in bin/setenv.sh, else the
    inventory's `tomcat.java`, else `java` on PATH; each result says which. It is run with
    `-XshowSettings:properties -version`. A binary found on the node (any local user can start a
    process that looks like Tomcat) is run only when nobody but root and the user clustercheck
    runs as could have written it or its folders; otherwise the inventory's `tomcat.java` is run
    instead, or the node is an error that says why. A node whose Tomcat is not running (CC801)
    is not judged: a `java` found elsewhere is not the JVM that runs it. The inventory's
    `jdk.policy` sets how close versions must be: `major`, `minor`, `update` (default) or
    `exact`; a vendor or bitness difference warns.

    ## Why it matters
    Session replication serialises objects on one JVM and deserialises them on another:
    different JDKs can disagree on serialised classes and on TLS, GC and timezone data, so
    fail-over "works on two nodes but not the third". Nodes drift apart one `yum update` at a
    time, and `java -version` on the PATH often is not the JVM that runs Tomcat.

    ## How to fix
    Install the same JDK build on every node and point each Tomcat at it (JAVA_HOME in
    bin/setenv.sh or the service unit), then restart the odd nodes.
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
        yield passed(
            f"{jvm.version} {jvm.vendor or ''} {jvm.bits or '?'}-bit, from "
            f"{jvm.source} ({jvm.java})",
            node=node.name,
            details={
                "jvm": {
                    "version": jvm.version,
                    "vendor": jvm.vendor,
                    "vm": jvm.vm,
                    "bits": jvm.bits,
                    "java": jvm.java,
                    "source": jvm.source,
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
