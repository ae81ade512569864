"""CC508 replication-exposure."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence

from clustercheck.checks.common import not_running, some_of
from clustercheck.derive.derived import Derived
from clustercheck.derive.replication import (
    Encryption,
    binds_all,
    encryption,
    member_cluster,
    member_here,
    receiver_endpoints,
)
from clustercheck.derive.targets import is_loopback
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, Status, failed, passed, skipped, warned
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.facts.probes import Outcome, ProbeResult
from clustercheck.knowledge.tomcat import TCP_FAILURE_DETECTOR, encrypt_order_checked
from clustercheck.parsers.serverxml import ClusterConfig

_RCE = (
    "whoever can connect sends it Java objects that it deserialises, which runs code of "
    "their choosing on the node with public gadget chains (published exploits need nothing "
    "else)"
)


@check("CC508", "replication-exposure", scope=Scope.CLUSTER, roles=("tomcat",))
def replication_exposure(cluster: ClusterFacts, derived: Derived) -> Iterator[Finding]:
    """No member's replication receiver can be reached from outside the cluster without an
    EncryptInterceptor, and the members that encrypt agree on how.

    For each member (a Tomcat node whose server.xml starts a SimpleTcpCluster): in a live run,
    a TCP connect from clustercheck's own machine to its receiver (where its heartbeats say it
    listens, else its `<Receiver>` address and port; `auto` is the address of the node's host
    name); clustercheck's machine is not a member, unless a Tomcat node is `local`, on
    loopback, or has one of its addresses (then nothing is probed and the finding says so). A
    receiver that accepts the connection while its member has no EncryptInterceptor fails; one
    bound to all addresses (`0.0.0.0`, `::`) without an EncryptInterceptor warns, as it listens
    on every network its host is on. The EncryptInterceptor itself: on every member or on
    none, the last interceptor of the Channel but for TcpFailureDetector (Tomcat's docs:
    "MUST be the final interceptor"; its place before TcpFailureDetector is CC605's where
    Tomcat refuses the other order, this check's in 9.0.13 and 9.0.14, which do not), the same
    `encryptionKey` on every member (compared, never shown; a snapshot compares its keyed
    fingerprints) and the same `encryptionAlgorithm`, written or by the version's default
    (AES/CBC/PKCS5Padding until, AES/GCM/NoPadding from 9.0.121, 10.1.58 and 11.0.25). Members
    that differ are named against the others; without a majority the finding is the cluster's.
    That the members agree is a pass of the cluster's only when no member has a finding.

    ## Why it matters
    The receiver takes session messages from anyone who connects and deserialises them: on a
    network others can reach, that is remote code execution (three public exploits need only
    the receiver's address and port and no EncryptInterceptor). Tomcat's cluster how-to says a
    cluster is not safe on an untrusted network. The EncryptInterceptor drops what was not
    encrypted with its key, so it must be everywhere and agree: a member with another key,
    another algorithm or none cannot read the others' messages (and they cannot read its):
    sessions silently stop replicating to and from it, and fail-over to it loses them.

    ## How to fix
    Keep the receivers on a network only the members reach: a firewall rule that lets only the
    members' addresses to the receiver port range (port to port+autoBind), and a `<Receiver
    address=>` on that interface rather than 0.0.0.0. Add `<Interceptor
    className="org.apache.catalina.tribes.group.interceptors.EncryptInterceptor"
    encryptionKey="..." encryptionAlgorithm="AES/GCM/NoPadding"/>` to every member's Channel,
    after every other interceptor but before TcpFailureDetector, with the same key (64 hex
    digits for AES-256) and the algorithm written out, so that members on both sides of
    9.0.121 / 10.1.58 / 11.0.25 agree; restart every member.
    """
    members = [(n, c) for n in cluster.tomcats if (c := member_cluster(n)) is not None]
    if not members:
        yield skipped("no Tomcat node starts a cluster: no replication receiver")
        return
    crypt = {n.name: encryption(c, n.tomcat.version if n.tomcat else None) for n, c in members}
    view = derived.membership
    advertised = {name: (hb.host, hb.port) for name, hb in view.advertised.items()} if view else {}
    endpoints = receiver_endpoints(cluster, advertised)
    probes = {(p.host, p.port): p for p in cluster.local.receiver_probes}
    outsider = _outsider(cluster)
    per_member: list[Finding] = []
    for node, config in members:
        enc = crypt[node.name]
        endpoint = endpoints.get(node.name)
        probe = probes.get(endpoint) if endpoint else None
        per_member.append(_exposure(node, config, enc, endpoint, probe, outsider, derived))
        if enc is not None:
            per_member.extend(_placement(node, config, enc))
    yield from per_member
    agreement = list(_agreement(crypt, _path(members)))
    # the members' encryption agrees, but a member's finding says it does not protect them:
    # a pass of the cluster's beside it would read as the replication being safe
    flagged = any(f.status.is_finding for f in per_member)
    yield from (f for f in agreement if not (flagged and f.status is Status.PASS))


def _outsider(cluster: ClusterFacts) -> str | None:
    """Why clustercheck's machine probed no receiver, when that is why (None: it probed, or
    this run is offline)."""
    here = member_here(cluster)
    if here is not None:
        return f"clustercheck runs on member {here.name}, so reaching it proves nothing"
    return None


def _path(members: Sequence[tuple[NodeFacts, ClusterConfig]]) -> Callable[[str], str | None]:
    paths = {n.name: n.tomcat.server.path for n, _ in members if n.tomcat and n.tomcat.server}
    return paths.get


def _where(node: NodeFacts, config: ClusterConfig) -> dict[str, object]:
    element = config.receiver or config
    path = node.tomcat.server.path if node.tomcat and node.tomcat.server else None
    return {"node": node.name, "file": path, "line": element.line}


def _exposure(
    node: NodeFacts,
    config: ClusterConfig,
    enc: Encryption | None,
    endpoint: tuple[str, int] | None,
    probe: ProbeResult | None,
    outsider: str | None,
    derived: Derived,
) -> Finding:
    """One result per member: reached from here, bound to all addresses, or neither."""
    where = _where(node, config)
    if endpoint is None:
        return skipped("its receiver's port is not a number: where it listens is unknown", **where)
    shown = f"{endpoint[0]}:{endpoint[1]}"
    if is_loopback(endpoint[0]):
        return passed(f"replication receiver {shown} listens on loopback only", **where)
    stopped = not_running(derived, node.name)
    if stopped:
        return skipped(stopped, **where)
    details = {"receiver": shown, "probe": probe.to_json() if probe else None}
    if probe is not None and probe.result is Outcome.OPEN:
        if enc is not None:
            return passed(
                f"replication receiver {shown} accepts connections from clustercheck's "
                "machine, which is not a member, but its EncryptInterceptor drops messages "
                "not encrypted with the cluster's key",
                details=details,
                **where,
            )
        return failed(
            f"replication receiver {shown} accepts connections from clustercheck's machine, "
            f"which is not a member, and {node.name} has no EncryptInterceptor: {_RCE}",
            details=details,
            **where,
        )
    if enc is None and binds_all(config):
        return warned(
            f"replication receiver on port {endpoint[1]} binds all addresses without an "
            f"EncryptInterceptor: every network of {node.name}'s host reaches it, and {_RCE}",
            details=details,
            **where,
        )
    if probe is not None:
        reach = f"does not accept connections from clustercheck's machine ({probe.result})"
    else:
        reach = f"was not probed from outside ({outsider or 'offline'})"
    encrypted = "encrypted" if enc is not None else "not encrypted"
    return passed(f"replication receiver {shown} {reach}; {encrypted}", details=details, **where)


def _placement(node: NodeFacts, config: ClusterConfig, enc: Encryption) -> Iterator[Finding]:
    """Where the EncryptInterceptor sits: last but for TcpFailureDetector, which must come
    after it (Tomcat refuses the other order from 9.0.15 / 8.5.38 / 7.0.100: CC605's)."""
    chain = config.interceptors
    where = {**_where(node, config), "line": enc.interceptor.line}
    below = chain[enc.position + 1 :]
    after = [i for i in below if i.class_name != TCP_FAILURE_DETECTOR]
    above = [i for i in chain[: enc.position] if i.class_name == TCP_FAILURE_DETECTOR]
    version = node.tomcat.version if node.tomcat else None
    if above and encrypt_order_checked(version) is False:
        yield failed(
            f"the EncryptInterceptor comes after the TcpFailureDetector (line {above[0].line}), "
            f"which Tomcat {version} does not refuse: the detector writes to the members "
            "without the chain below it and the receiver decrypts what was never encrypted "
            '(Tomcat\'s docs: "otherwise message corruption will occur")',
            **where,
        )
    if after:
        names = some_of(
            [f"{(i.class_name or '?').rsplit('.', 1)[-1]} (line {i.line})" for i in after]
        )
        yield warned(
            f"the EncryptInterceptor is not the last interceptor of the Channel: {names} "
            "comes after it; Tomcat's docs: it MUST be the final interceptor (but for "
            "TcpFailureDetector) to be effective",
            **where,
        )


def _agreement(
    crypt: dict[str, Encryption | None], path: Callable[[str], str | None]
) -> Iterator[Finding]:
    """On every member or none, one key, one algorithm: the odd members are named."""
    encrypted = {name: enc for name, enc in crypt.items() if enc is not None}
    unreadable = "so sessions do not replicate between them"

    def presence(name: str, others: str) -> str:
        if name in encrypted:
            return f"has an EncryptInterceptor while {others} do not: {unreadable}"
        return (
            f"has no EncryptInterceptor while {others} have one: they drop its messages and "
            f"it cannot read theirs, {unreadable}"
        )

    findings = list(
        _odd_ones("EncryptInterceptor", {n: n in encrypted for n in crypt}, presence, path)
    )
    keys = {name: enc.key for name, enc in encrypted.items() if enc.key is not None}
    findings += _odd_ones(
        "encryptionKey",
        keys,
        lambda _name, others: (
            f"has another encryptionKey than {others} (compared, not "
            f"shown): each side drops the other's messages as undecryptable, {unreadable}"
        ),
        path,
    )
    algorithms = {name: enc.algorithm for name, enc in encrypted.items() if enc.algorithm}
    source = {n: "written" if e.written else "its version's default" for n, e in encrypted.items()}
    findings += _odd_ones(
        "encryptionAlgorithm",
        {name: algorithm.upper() for name, algorithm in algorithms.items()},
        lambda name, others: (
            f"encrypts with {algorithms[name]} ({source[name]}), {others} "
            "with another algorithm: neither side can decrypt the other's messages"
        ),
        path,
    )
    unknown = sorted(name for name, enc in encrypted.items() if enc.algorithm is None)
    if unknown and len(encrypted) > 1:
        findings.append(
            warned(
                f"the encryption algorithm of {some_of(unknown)} cannot be told: no "
                "encryptionAlgorithm written and the Tomcat version is unknown (its default "
                "changed in 9.0.121 / 10.1.58 / 11.0.25)"
            )
        )
    if findings:
        yield from findings
    elif encrypted:
        algorithm = next(iter(algorithms.values()), "an unknown algorithm")
        yield passed(
            f"every member ({len(encrypted)}) has an EncryptInterceptor, with the same key "
            f"(compared, not shown) and {algorithm}"
        )
    else:
        yield passed(f"no member ({len(crypt)}) has an EncryptInterceptor")


def _odd_ones(
    what: str,
    values: Mapping[str, Hashable],
    say: Callable[[str, str], str],
    path: Callable[[str], str | None],
) -> Iterator[Finding]:
    """The members whose value differs from the majority's, each failed by name; without a
    majority (two members, two keys), one finding of the cluster's that names the sides."""
    groups: dict[Hashable, list[str]] = {}
    for name, value in values.items():
        groups.setdefault(value, []).append(name)
    if len(groups) < 2:
        return
    ranked = sorted(groups.values(), key=len, reverse=True)
    if len(ranked[0]) == len(ranked[1]):
        sides = " | ".join(some_of(sorted(g)) for g in ranked)
        yield failed(
            f"the members differ in their {what} and no side is a majority: {sides}; "
            "members that differ cannot read each other's messages"
        )
        return
    majority = some_of(sorted(ranked[0]))
    for group in ranked[1:]:
        for name in sorted(group):
            yield failed(f"{name} {say(name, majority)}", node=name, file=path(name))
