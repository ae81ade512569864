"""CC302 tomcat-version-parity."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, errored, failed, passed, warned
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.knowledge.tomcat import tomcat_major


@check("CC302", "tomcat-version-parity", scope=Scope.CLUSTER, roles=("tomcat",))
def tomcat_version_parity(cluster: ClusterFacts) -> Iterator[Finding]:
    """The same Tomcat version on every node.

    The version is read from `lib/catalina.jar` (its ServerInfo.properties) under
    CATALINA_HOME, without running Java; `tomcat.version` in the inventory overrides it.
    Different major versions fail; different releases of one major version warn. Releases
    on both sides of a known break of the cluster's wire (even within one major version, such
    as the EncryptInterceptor's changes in 9.0.119 and 9.0.121) are CC303's, which names it.

    ## Why it matters
    Tomcat 6 and Tomcat 7+ cannot even see each other (their membership heartbeats differ), and
    across major versions session replication messages and class names differ: members drop out
    or reject state transfers. Within one major version, nodes on different releases behave
    differently (security fixes, defaults such as the AJP connector's after Ghostcat) and
    mixed clusters are rarely tested by anyone.

    ## How to fix
    Upgrade (or downgrade) the odd nodes to the version the others run; in a rolling upgrade,
    finish it before relying on fail-over.
    """
    versions: dict[str, list[str]] = defaultdict(list)
    for node in cluster.tomcats:
        assert node.tomcat is not None
        if node.tomcat.version:
            versions[node.tomcat.version].append(node.name)
            continue
        jar = f"{node.tomcat.catalina_home}/lib/catalina.jar"
        reason = next(
            (r.message for p, r in node.files.items() if p.startswith(jar) and r.status != "ok"),
            None,
        )
        yield errored(
            f"Tomcat version unknown: {reason or 'no version in catalina.jar'}; "
            "set tomcat.version in the inventory",
            node=node.name,
            file=jar,
        )
    if not versions:
        return
    table = "; ".join(
        f"{', '.join(nodes)}: {version}" for version, nodes in sorted(versions.items())
    )
    details = {"versions": {v: n for v, n in versions.items()}}
    majors = {tomcat_major(v) for v in versions}
    if len(versions) == 1:
        yield passed(f"every node runs Tomcat {next(iter(versions))}", details=details)
    elif len(majors) > 1:
        yield failed(f"different major versions: {table}", details=details)
    else:
        yield warned(f"different releases: {table}", details=details)
