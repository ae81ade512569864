"""CC605 cluster-start."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping

from clustercheck.checks.common import server_xml, unknown_version
from clustercheck.derive.cluster_config import (
    effective_membership,
    receiver_bind,
    start_options,
    started_clusters,
)
from clustercheck.derive.replication import key_setting
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, skipped, warned
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.knowledge.classes import (
    INT_RANGE,
    is_tomcat_class,
    java_integer,
    never_resolves,
    property_value,
)
from clustercheck.knowledge.tomcat import (
    ENCRYPT_INTERCEPTOR,
    FARM_WAR_DEPLOYER,
    GROUP_CHANNEL,
    MCAST_SERVICE,
    STATIC_MEMBERSHIP_SERVICE,
    TCP_FAILURE_DETECTOR,
    ChannelStart,
    added_class_v,
    encrypt_order_checked,
    local_member_among_members,
    tomcat_major,
)
from clustercheck.parsers.serverxml import ClusterConfig, Component

_DOWN = "the Cluster fails to start and takes the Server down"


@check("CC605", "cluster-start", scope=Scope.NODE, roles=("tomcat",))
def cluster_start(node: NodeFacts, cluster: ClusterFacts) -> Iterator[Finding]:
    """Every Cluster that Tomcat starts passes the checks Tomcat makes while starting it.

    Judges each `<Cluster>` Tomcat starts (SimpleTcpCluster; the last one of each Engine or
    Host, since a later one replaces an earlier one) by the rules Tomcat's own start applies,
    for the node's Tomcat version and the parts `channelStartOptions` starts (all by default). A
    multicast membership (McastService, also the default) must name a multicast group
    (224.0.0.0/4, ff00::/8) as its `address`, and neither that nor `bind` may be an undefined
    `${...}`, which no resolver takes; nor may the Receiver's `address` (unless it is `auto`,
    the address of the node's own host name), from which Tomcat makes the local member once the
    Receiver is bound. An EncryptInterceptor must sit above every TcpFailureDetector in the
    Channel (checked from 9.0.15 / 8.5.38 / 7.0.100) and have an `encryptionKey` of hexadecimal
    digits, an even number of them. A StaticMembershipService without a `<LocalMember>` needs,
    from 9.0.17, a `<Member>` whose host is the node's Receiver address (`auto`: the node's own
    address) with the Receiver's port, and before 9.0.17 always fails; a Member whose host is a
    name clustercheck cannot compare with the node's addresses only warns. Each of these fails
    the Cluster's start, and with it the Server's: Tomcat does not start (fail). A
    FarmWarDeployer in an Engine's Cluster is never started (fail): it works in a Host's Cluster
    only. Classes missing from the node's version are CC602's; Clusters of other classes are not
    judged.

    ## Why it matters
    Tomcat reads these settings without complaint and refuses them only when the Cluster starts:
    catalina.out shows "Unable to start cluster." with the cause ("Not a multicast address",
    "Failed bind replication listener on address", "EncryptInterceptor must be upstream of
    TcpFailureDetector", "Encryption key is required", "There is no localMember in static member
    list", UnknownHostException) and then "The required Server component failed to start so
    Tomcat is unable to start": no connector opens, and the node is down, not just unclustered.
    A FarmWarDeployer in the Engine's Cluster only logs "FarmWarDeployer can only work as host
    cluster subelement!": Tomcat runs, and WARs dropped into the watch directory are never
    farmed to the other nodes.

    ## How to fix
    Give McastService a multicast `address` (Tomcat's default is 228.0.0.4), the Receiver `auto`
    or one of the node's addresses as its `address`, and define every `${...}` they use in
    catalina.properties (or with -D). List the EncryptInterceptor before TcpFailureDetector and
    give it `encryptionKey` as hexadecimal digits (32 for AES-128), the same on every node. Give
    StaticMembershipService a `<LocalMember
    className="org.apache.catalina.tribes.membership.StaticMember" uniqueId="..."/>` (its host
    and port come from the Receiver), or list the node itself among the Members with the
    Receiver's exact address and port. Move the `<Deployer>` into a `<Cluster>` inside the
    `<Host>` whose applications it should farm.
    """
    server, problem = server_xml(node)
    if problem is not None:
        yield problem
        return
    assert server is not None
    started = started_clusters(server)
    if not started:
        yield skipped("no SimpleTcpCluster in server.xml: no cluster to start", file=server.path)
        return
    version = node.tomcat.version if node.tomcat else None
    if version is None:
        yield unknown_version(server)
        return
    findings = [f for c in started for f in _judge(node, cluster, c, version, server.path)]
    yield from findings or [
        passed(
            f"{', '.join(map(_where, started))}: nothing that Tomcat {version} refuses while "
            "starting it",
            file=server.path,
        )
    ]


def _judge(
    node: NodeFacts, cluster: ClusterFacts, config: ClusterConfig, version: str, path: str
) -> Iterator[Finding]:
    options = start_options(config)
    deployer = config.deployer
    if deployer and deployer.class_name == FARM_WAR_DEPLOYER and config.parent != "Host":
        yield failed(
            "the cluster's FarmWarDeployer fails: it works only in a Host's <Cluster>, not in "
            "the Engine's; Tomcat logs \"FarmWarDeployer can only work as host cluster "
            'subelement!" and never starts it, so no WAR is farmed to the other nodes',
            file=path,
            line=deployer.line,
            details={"element": deployer.path, "rule": "farm-deployer-in-host"},
        )
    if config.channel is not None and config.channel.class_name != GROUP_CHANNEL:
        return  # another Channel class: what it starts is not Tomcat's to say
    yield from _receiver(config, options, path)
    yield from _membership(node, cluster, config, version, options, path)
    yield from _encryption(config, version, options, path)


def _where(config: ClusterConfig) -> str:
    return f"the cluster of Host '{config.host}'" if config.parent == "Host" else "the cluster"


def _refused(why: str, path: str, element: Component | None, rule: str) -> Finding:
    return failed(
        f"Tomcat does not start: {why}",
        file=path,
        line=element.line if element else None,
        details={"element": element.path if element else None, "rule": rule},
    )


# -------------------------------------------------------------------------------- receiver


def _receiver(config: ClusterConfig, options: ChannelStart, path: str) -> Iterator[Finding]:
    """ChannelCoordinator starts the Receiver, then makes the local member (of a Tomcat
    membership, or a <LocalMember>) from the Receiver's address, resolving it: `auto` is the
    address of the node's own host name, anything else is resolved as written, and an
    address no resolver takes stops the start."""
    receiver, membership = config.receiver, config.membership
    if receiver is None or not options & ChannelStart.SND_RX:
        return
    if not is_tomcat_class(receiver.class_name or ""):
        return  # no class (CC602's) or another's: what it binds is not Tomcat's to say
    if membership is not None and not is_tomcat_class(membership.class_name or ""):
        return
    address = property_value(receiver.attrs, "address")
    why = _unresolvable(address) if address not in (None, "auto") else None
    if why:
        yield _refused(
            f'the Receiver address {why}: Tomcat logs "Failed bind replication listener on '
            f'address" and cannot make the local member from it; {_DOWN}',
            path,
            receiver,
            "receiver-address",
        )


# ------------------------------------------------------------------------------ membership


def _membership(
    node: NodeFacts,
    cluster: ClusterFacts,
    config: ClusterConfig,
    version: str,
    options: ChannelStart,
    path: str,
) -> Iterator[Finding]:
    membership = config.membership
    if membership is None:
        klass = MCAST_SERVICE  # GroupChannel's own
    elif membership.class_name is None:
        return  # no class to create: CC602's
    else:
        klass = membership.class_name
    if klass == MCAST_SERVICE and options & (ChannelStart.MBR_RX | ChannelStart.MBR_TX):
        summary = effective_membership(config, tomcat_major(version))
        for attr in ("address", "bind"):
            why = _unusable_address(summary[attr], group=attr == "address")
            if why:
                yield _refused(
                    f"the membership {attr} {why}; {_DOWN}", path, membership, f"mcast-{attr}"
                )
    elif (
        klass == STATIC_MEMBERSHIP_SERVICE
        and membership is not None
        and added_class_v(klass, version) is None
        and options & ChannelStart.SND_RX
        and config.local_member is None
    ):
        yield from _no_local_member(node, cluster, config, membership, version, path)


def _unresolvable(value: str) -> str | None:
    """Why no resolver takes this address (an undefined `${...}`, text no host name has), or
    None when it is an address or a host name, for the node to resolve."""
    if "${" in value:
        return (
            f"{value} names a property defined neither in catalina.properties nor in the "
            "inventory's tomcat.system_properties: Tomcat keeps the text, which no resolver "
            "takes (UnknownHostException)"
        )
    if never_resolves(value):
        return f"{value!r} is no address and no host name has this text (UnknownHostException)"
    return None


def _unusable_address(value: str, group: bool) -> str | None:
    """Why McastService cannot use this address (the group, or the `bind` address when
    given), or None when it can or when it is a host name, for the node to resolve."""
    unresolvable = _unresolvable(value)
    if unresolvable or not group:
        return unresolvable
    if not value:
        return "is empty, which Java reads as the loopback address, not a multicast group"
    try:
        multicast = ipaddress.ip_address(value).is_multicast
    except ValueError:
        return None
    if multicast:
        return None
    return (
        f"{value} is not a multicast group (224.0.0.0/4 or ff00::/8): McastService cannot "
        'join it ("Not a multicast address")'
    )


def _no_local_member(
    node: NodeFacts,
    cluster: ClusterFacts,
    config: ClusterConfig,
    membership: Component,
    version: str,
    path: str,
) -> Iterator[Finding]:
    """StaticMembershipService without <LocalMember>: from 9.0.17 Tomcat takes the Member
    whose host resolves to the Receiver's address and whose port is the Receiver's."""
    if not local_member_among_members(version):
        yield _refused(
            "StaticMembershipService has no <LocalMember>, which Tomcat needs before 9.0.17 "
            f"(a NullPointerException at start); {_DOWN}",
            path,
            membership,
            "static-local-member",
        )
        return
    address, port = receiver_bind(config)
    if _unresolvable(address):
        return  # the Receiver's own refusal comes first, and no Member can have that address
    members = [m for m in config.members if m.path.endswith("/Membership/Member")]
    own = _names(node)
    others = {n for o in cluster.nodes.values() if o is not node for n in _names(o)} - own
    maybe = []
    for member in members:
        host = property_value(member.attrs, "host") or ""
        member_port = java_integer(property_value(member.attrs, "port") or "", INT_RANGE)
        if not host or "${" in host or member_port != port:
            continue  # no host Tomcat can resolve, or another port: never the Receiver
        found = _is_receiver(host.lower(), address.lower(), own, others, node.live.addresses)
        if found:
            return
        if found is None:
            maybe.append(host)
    listen = "auto (the address of the node's host name)" if address == "auto" else address
    how = (
        "StaticMembershipService has no <LocalMember>, so Tomcat looks for the <Member> "
        f"with the Receiver's address and port, {listen}:{port}, and without one (\"There is "
        f'no localMember in static member list") {_DOWN}'
    )
    if maybe:
        yield warned(
            f"Tomcat does not start unless {' or '.join(sorted(set(maybe)))} resolves, on "
            f"the node, to its Receiver's address: {how}",
            file=path,
            line=membership.line,
            details={"element": membership.path, "rule": "static-local-member"},
        )
        return
    listed = ", ".join(f"{m.attrs.get('host', '?')}:{m.attrs.get('port', '?')}" for m in members)
    yield _refused(
        f"{how}; its Members: {listed or 'none'}", path, membership, "static-local-member"
    )


_LOOPBACK = frozenset({"localhost", "127.0.0.1"})


def _names(node: NodeFacts) -> set[str]:
    """How the inventory and the node itself name it (lower-case)."""
    return {n.lower() for n in (node.settings.host, node.name, *node.live.addresses)}


def _is_receiver(
    host: str, address: str, own: set[str], others: set[str], interfaces: list[str]
) -> bool | None:
    """Whether a Member's host (lower-case) is the Receiver's address: `auto` is the node's
    own (how the inventory names it, one of its interface addresses), anything else is
    compared as written. None when only the node's resolver could tell (a name compared with
    an address or another name, an address where the node's are unknown)."""
    if address == "auto":
        if host in own:
            return True
        if host in others or (_is_address(host) and interfaces):
            return False
        return None
    same = {address} | (_LOOPBACK if address in _LOOPBACK else set())
    if host in same:
        return True
    if host in others or (_is_address(host) and _is_address(address)):
        return False
    return None


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


# ------------------------------------------------------------------------------ encryption


def _encryption(
    config: ClusterConfig, version: str, options: ChannelStart, path: str
) -> Iterator[Finding]:
    if added_class_v(ENCRYPT_INTERCEPTOR, version) is not None:
        return  # the class itself is missing: CC602's
    chain = config.interceptors
    for index, interceptor in enumerate(chain):
        if interceptor.class_name != ENCRYPT_INTERCEPTOR:
            continue
        above = [i for i in chain[:index] if i.class_name == TCP_FAILURE_DETECTOR]
        if above and encrypt_order_checked(version):
            yield _refused(
                f"the EncryptInterceptor (line {interceptor.line}) is listed after the "
                f"TcpFailureDetector (line {above[0].line}), and Tomcat refuses that order "
                '("EncryptInterceptor must be upstream of TcpFailureDetector"); ' + _DOWN,
                path,
                interceptor,
                "encrypt-order",
            )
        why = _key_problem(interceptor.attrs)
        if why and options & ChannelStart.SND_TX:
            yield _refused(
                f"the EncryptInterceptor {why} ({_DOWN})", path, interceptor, "encrypt-key"
            )


def _key_problem(attrs: Mapping[str, str]) -> str | None:
    """Why the interceptor starts without a usable key (derive/replication.key_setting)."""
    key, refused = key_setting(attrs)
    if key == "":
        return 'has an empty encryptionKey: "Empty key" (IllegalArgumentException)'
    if key is not None:
        return None
    if refused:
        return (
            f"has no key: its {refused[-1]} is not hexadecimal digits in an even number, "
            'so Tomcat cannot set it ("failed to set property") and says "Encryption key is '
            'required"'
        )
    return 'has no encryptionKey: "Encryption key is required"'
