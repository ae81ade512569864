"""CC303 wire-compatibility."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from functools import reduce
from operator import or_

from clustercheck.checks.common import some_of
from clustercheck.derive.cluster_config import started_clusters, wire_features
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, skipped, warned
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.knowledge.wire import BOUNDARIES, Boundary, Feature

Member = tuple[str, str, Feature]  # node name, Tomcat version, what its Cluster uses


@check("CC303", "wire-compatibility", scope=Scope.CLUSTER, roles=("tomcat",), rolling=True)
def wire_compatibility(cluster: ClusterFacts) -> Iterator[Finding]:
    """No two members run Tomcat releases on both sides of a known break of the cluster's wire.

    For every Tomcat node whose server.xml starts a cluster, takes its version (as CC302 reads
    it) and what its Cluster uses, and compares the members against the known breaking
    boundaries, each from the changelogs: Tomcat 6 against 7 and later (the member format every
    Tribes message carries), javax against jakarta (Tomcat 9 and earlier against 10 and later,
    when sessions are replicated by DeltaManager or BackupManager), the EncryptInterceptor's
    replay protection (9.0.119 / 10.1.56 / 11.0.23; among members with an EncryptInterceptor)
    and its default algorithm (9.0.121 / 10.1.58 / 11.0.25; among members whose
    EncryptInterceptor sets no `encryptionAlgorithm`: a written one is compared by CC508).
    Members on both sides of a boundary fail, naming the boundary and which nodes are on which
    side; a version too vague to place ("9.0" in the inventory) among different ones warns.
    Releases that differ without a known break are CC302's (a warning there).

    ## Why it matters
    Across such a boundary the members cannot use what the other sends: Tomcat 6 and 7+ never
    see each other at all; across the EncryptInterceptor changes each side rejects or cannot
    decrypt the other's messages; across javax and jakarta the sessions hold objects of two
    different builds of the application. Every member still starts and looks healthy, so a
    rolling upgrade across one of these releases silently stops replication between the
    upgraded and the old nodes, and fail-over loses the sessions.

    ## How to fix
    Bring every member to the same side of the boundary before relying on replication: upgrade
    the old nodes (or hold the new ones back) so that all run releases on one side, and plan
    such an upgrade as a whole-cluster restart, or accept losing the sessions of the nodes
    that switch. For the default algorithm, write the same `encryptionAlgorithm` on every
    node's EncryptInterceptor (`AES/GCM/NoPadding`, which every release with the interceptor
    but 9.0.13 accepts): it then no longer depends on the version.
    """
    members: list[Member] = []
    for node in cluster.tomcats:
        server = node.tomcat.server if node.tomcat else None
        started = started_clusters(server) if server and server.ok else []
        if not started:
            continue  # not a member (CC505 says when a node should be one)
        version = node.tomcat.version if node.tomcat else None
        if version is None:
            yield skipped("Tomcat version unknown (CC302 says why)", node=node.name)
            continue
        features = reduce(or_, (wire_features(c) for c in started), Feature.NONE)
        members.append((node.name, version, features))
    if len(members) < 2:
        yield skipped("fewer than two clustered nodes of known version: nothing to compare")
        return
    findings = [f for b in BOUNDARIES if (f := _judge(b, members)) is not None]
    yield from findings or [
        passed(
            f"no known wire break between the members ({_versions(members)})",
            details={"versions": {name: version for name, version, _ in members}},
        )
    ]


def _judge(boundary: Boundary, members: Sequence[Member]) -> Finding | None:
    """The boundary's finding: which members it concerns lie on which side of it."""
    sides: dict[bool | None, list[Member]] = defaultdict(list)
    for member in members:
        if boundary.applies in member[2]:
            sides[boundary.side(member[1])].append(member)
    before, after, vague = sides[False], sides[True], sides[None]
    details = {
        "boundary": boundary.key,
        "first": boundary.first_text,
        "before": {name: version for name, version, _ in before},
        "after": {name: version for name, version, _ in after},
        "undetermined": {name: version for name, version, _ in vague},
        "source": boundary.source,
    }
    where = f"{boundary.what} (from {boundary.first_text})"
    if before and after:
        return failed(
            f"{where}: {_versions(before)} before it, {_versions(after)} from it: "
            f"{boundary.consequence}",
            details=details,
        )
    if vague and len({version for _, version, _ in [*before, *after, *vague]}) > 1:
        known = before + after
        beside = f", beside {_versions(known)}" if known else ""
        return warned(
            f"{where}: cannot tell which side of it {_versions(vague)} lies{beside}; give the "
            "full version (tomcat.version) to judge it",
            details=details,
        )
    return None


def _versions(members: Sequence[Member]) -> str:
    """`tomcat01, tomcat02 on 9.0.118; tomcat03 on 9.0.119`, each version's nodes shortened."""
    by_version: dict[str, list[str]] = defaultdict(list)
    for name, version, _ in members:
        by_version[version].append(name)
    return "; ".join(f"{some_of(names)} on {v}" for v, names in sorted(by_version.items()))
