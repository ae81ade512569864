"""Where a front-end member really connects, and where its Tomcat's AJP connector really
listens, as addresses: names resolved on each side's own node (its hosts file, its resolver's
order, the module's or the JVM's choice among the answers; knowledge/resolvers.py), so that a
check compares two addresses instead of two spellings (`localhost` vs `::1`).

What the facts cannot tell (a name only DNS knows, a node whose interfaces were not gathered)
is kept as several possible outcomes, each with what makes it so, or as a reason why nothing
can be told.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from clustercheck.derive.frontend import Module
from clustercheck.derive.targets import MemberTarget
from clustercheck.facts.cluster import NodeFacts
from clustercheck.knowledge.resolvers import (
    JAVA_NET_PROPERTIES,
    PREFER_IPV4_STACK,
    WILDCARDS,
    WINDOWS_LOCALHOST,
    JavaNet,
    Ordering,
    hosts_path,
    is_ipv6,
    jk_pick,
    literal,
    resolver_orders,
)
from clustercheck.knowledge.tomcat import ajp_defaults
from clustercheck.parsers.serverxml import Connector


@dataclass(frozen=True)
class Answers:
    """The addresses a name has on one node before DNS is asked, and where they come from."""

    addresses: tuple[str, ...]
    source: str  # `/etc/hosts:1,3 on web1`


def lookup(node: NodeFacts, name: str) -> Answers | str:
    """`name`'s addresses on the node (its hosts file; Windows' own `localhost`), or why they
    are not known: the resolver then asks DNS, whose answer clustercheck does not have."""
    if node.settings.os == "windows" and name.lower() == "localhost":
        return Answers(WINDOWS_LOCALHOST, f"Windows' own resolver on {node.name}")
    if node.hosts is None:
        read = node.file_error(hosts_path(node.settings.os))
        why = f" ({read.message})" if read and read.message else ""
        return f"the hosts file of {node.name} was not read{why}"
    entries = node.hosts.lookup(name)
    if not entries:
        return f"{name} is not in {node.hosts.path} on {node.name}: DNS answers for it"
    lines = ",".join(sorted({str(e.line) for e in entries}, key=int))
    return Answers(tuple(e.address for e in entries), f"{node.hosts.path}:{lines} on {node.name}")


def own_addresses(node: NodeFacts) -> list[str] | None:
    """The node's interface addresses when all of them are known, else None: `ip addr` lists
    loopback and link-local ones too; `hostname -I`, its fallback, leaves them out, and a list
    without loopback cannot tell whether the node has ::1 or any IPv6 at all."""
    found = list(node.live.addresses)
    return found if any(ipaddress.ip_address(a).is_loopback for a in found) else None


def java_net(node: NodeFacts) -> tuple[JavaNet, str]:
    """The JVM networking options of the node's Tomcat, and where preferIPv4Stack was read: the
    running process's arguments, else the inventory's `tomcat.system_properties`; what
    conf/catalina.properties sets wins (Tomcat sets it before Java reads them)."""
    jvm = node.live.jvm
    if jvm is not None and jvm.net_options is not None:
        options, source = dict(jvm.net_options), "the running Tomcat's arguments"
    else:
        options, source = dict(node.settings.tomcat.system_properties), "tomcat.system_properties"
    late = node.tomcat.catalina_properties if node.tomcat else {}
    options |= {name: late[name] for name in JAVA_NET_PROPERTIES if name in late}
    if PREFER_IPV4_STACK in late:
        source = "conf/catalina.properties"
    return JavaNet.of(options), source


# ---------------------------------------------------------------------------- the front end


@dataclass(frozen=True)
class Attempt:
    """One way a member's connection goes: the addresses the front end tries, in order (mod_jk
    one, or none when it cannot resolve its host; mod_proxy each answer in turn), and what
    makes it go this way ("" when nothing else could happen)."""

    tries: tuple[str, ...]
    why: str


@dataclass(frozen=True)
class Connects:
    """Where a member connects: every way it can go, or why that is not known."""

    host: str  # how messages name the member's host: `worker.tomcat01.host localhost (default)`
    answers: Answers | None  # None: the host is an address
    attempts: tuple[Attempt, ...]
    unknown: str | None = None

    @property
    def addresses(self) -> tuple[str, ...]:
        return self.answers.addresses if self.answers else self.attempts[0].tries


def front_end_connects(target: MemberTarget) -> Connects:
    member, apache = target.member, target.apache
    host = member.host.shown() + ("" if member.host.defaulted else f" at {member.host.where}")
    address = literal(member.host.value)
    if address is not None:
        return Connects(host, None, (Attempt((address,), ""),))
    answers = lookup(apache, member.host.value)
    if isinstance(answers, str):
        return Connects(host, None, (), unknown=answers)
    orders = resolver_orders(answers.addresses, own_addresses(apache), True, apache.name)
    return Connects(host, answers, tuple(_attempt(target, order) for order in orders))


def _attempt(target: MemberTarget, order: Ordering) -> Attempt:
    member = target.member
    if member.module is Module.MOD_PROXY:
        return Attempt(order.addresses, order.why)
    prefer = member.prefer_ipv6.value if member.prefer_ipv6 else False
    pick = jk_pick(order.addresses, prefer)
    return Attempt((pick,) if pick else (), order.why)


# ---------------------------------------------------------------------------- the connector


@dataclass(frozen=True)
class Binding:
    """One thing a connector can listen on: one address, or every address of some families."""

    address: str | None  # None: every address (0.0.0.0, `::`, the old default)
    families: tuple[int, ...]  # of a wildcard
    why: str  # `address="::1" (conf/server.xml:12)`, with how a name resolved

    def accepts(self, address: str) -> bool:
        if self.address is None:
            return ipaddress.ip_address(address).version in self.families
        return ipaddress.ip_address(address) == ipaddress.ip_address(self.address)

    @property
    def shown(self) -> str:
        if self.address is not None:
            return f"{self.address} only"
        return "every IPv4 address" if self.families == (4,) else "every address"

    @property
    def loopback(self) -> bool:
        return self.address is not None and ipaddress.ip_address(self.address).is_loopback


@dataclass(frozen=True)
class Listens:
    """What a connector listens on: each way it can be (several when the order Java resolves
    its `address` in is the system's), why it does not start, or why it cannot be told."""

    bindings: tuple[Binding, ...] = ()
    refused: str | None = None
    unknown: str | None = None


def connector_listens(node: NodeFacts, connector: Connector) -> Listens:
    path = node.tomcat.server_xml_path if node.tomcat else "server.xml"
    where = f"{path}:{connector.line}"
    net, source = java_net(node)
    written = connector.address
    if written is None:
        return _default(node, net, source, f"no address ({where})")
    if not written.strip():  # InetAddress.getByName("") is the loopback address
        return _specific(node, net, source, net.loopback(), f'address="" ({where})')
    shown = f'address="{written}" ({where})'
    address = literal(written)
    if address in WILDCARDS:
        if not net.can_bind(address):
            return Listens(refused=_no_ipv6(shown, net, source))
        return Listens((Binding(None, net.wildcard_families(), shown),))
    if address is not None:
        return _specific(node, net, source, address, shown)
    answers = lookup(node, written)
    if isinstance(answers, str):
        return Listens(unknown=answers)
    ordered = net.order(answers.addresses)
    if ordered is None:  # preferIPv6Addresses=system: the resolver's order
        orders = resolver_orders(answers.addresses, own_addresses(node), False, node.name)
    else:
        orders = [Ordering(tuple(ordered), net.order_rule)] if ordered else []
    if not orders:  # no answer Java can use: Tomcat leaves the address unset
        why = f"{shown} has no IPv4 address ({answers.source}) under {net.options}"
        return _default(node, net, source, f"{why}: Tomcat ignores it")
    found = [
        _specific(node, net, source, o.addresses[0], _joined(shown, answers, o)) for o in orders
    ]
    refused = next((f.refused for f in found if f.refused), None)
    return Listens(tuple(b for f in found for b in f.bindings), refused=refused)


def _joined(shown: str, answers: Answers, order: Ordering) -> str:
    return f"{shown} = {order.addresses[0]} ({answers.source}; {order.why})"


def _default(node: NodeFacts, net: JavaNet, source: str, why: str) -> Listens:
    """No usable address: the version's default, loopback since the Ghostcat releases."""
    version = node.tomcat.version if node.tomcat else None
    defaults = ajp_defaults(version)
    if defaults is None:
        return Listens(
            unknown=f"{why}, and the Tomcat version is not known (its default "
            "address is every address, or loopback since 9.0.31 / 8.5.51 / 7.0.100)"
        )
    if not defaults.loopback_only:
        every = f"{why}: Tomcat {version} listens on every address"
        return Listens((Binding(None, net.wildcard_families(), every),))
    loopback = net.loopback()
    text = f"{why}: Tomcat {version} binds the loopback address {loopback}"
    return _specific(node, net, source, loopback, text)


def _specific(node: NodeFacts, net: JavaNet, source: str, address: str, why: str) -> Listens:
    if not net.can_bind(address):
        return Listens(refused=_no_ipv6(why, net, source))
    own = own_addresses(node)
    if own is not None and not _assigned(address, own):
        return Listens(
            refused=f"{why}: {address} is no address of {node.name}, so Tomcat cannot bind it"
        )
    return Listens((Binding(address, (), why),))


def _no_ipv6(why: str, net: JavaNet, source: str) -> str:
    return (
        f"{why}: an IPv6 address cannot be bound under {net.options} ({source}): "
        "UnsupportedAddressTypeException"
    )


def _assigned(address: str, own: list[str]) -> bool:
    """Whether a socket can bind `address` on a node with these interface addresses: one of
    them, or any 127.x.y.z when 127.0.0.1 is there (Linux routes all of 127/8 to `lo`)."""
    if address in own:
        return True
    ip = ipaddress.ip_address(address)
    return not is_ipv6(address) and ip.is_loopback and "127.0.0.1" in own
