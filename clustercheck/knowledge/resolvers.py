"""How each side of the AJP seam turns a name into an address: the one a front end connects to
(mod_jk, mod_proxy, through APR and the system resolver) and the one a Tomcat connector binds
(Java's InetAddress). Each rule names its source; the ones measured on this project's machines
name the test that holds them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# The JVM options that decide how Java resolves names and which sockets it can open
# (java.base/share/classes/java/net/doc-files/net-properties.html, "IPv4 / IPv6").
PREFER_IPV4_STACK = "java.net.preferIPv4Stack"
PREFER_IPV6_ADDRESSES = "java.net.preferIPv6Addresses"
JAVA_NET_PROPERTIES = (PREFER_IPV4_STACK, PREFER_IPV6_ADDRESSES)
# conf/catalina.properties sets them in time too: Tomcat loads it with System.setProperty
# before anything initialises Java's networking classes, which read them once (measured on
# Tomcat 10.1 and OpenJDK 17: tests/differential/test_address_family.py).

# Where each system keeps the names it resolves before DNS (hosts(5); Windows' drivers\etc).
POSIX_HOSTS = "/etc/hosts"
WINDOWS_HOSTS = "C:/Windows/System32/drivers/etc/hosts"


def hosts_path(os: str) -> str:
    return WINDOWS_HOSTS if os == "windows" else POSIX_HOSTS


IPV4_LOOPBACK = "127.0.0.1"
IPV6_LOOPBACK = "::1"
WILDCARDS = frozenset({"0.0.0.0", "::"})

# Windows resolves `localhost` in its DNS client, not from the hosts file (whose stock text
# says so: "localhost name resolution is handled within DNS itself"), IPv6 first.
WINDOWS_LOCALHOST = (IPV6_LOOPBACK, IPV4_LOOPBACK)


def is_ipv6(address: str) -> bool:
    return ipaddress.ip_address(address).version == 6


def literal(host: str) -> str | None:
    """`host` as an address when it is one (`[::1]` as written in a URL too), else None."""
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


@dataclass(frozen=True)
class JavaNet:
    """What a JVM's networking options make of addresses (OpenJDK's InetAddress and
    sun.nio.ch.Net; measured on OpenJDK 17 and a real Tomcat 10.1 in
    tests/differential/test_address_family.py)."""

    ipv4_stack: bool  # java.net.preferIPv4Stack=true: IPv4 sockets only
    prefer_ipv6: str  # java.net.preferIPv6Addresses: "false" (default), "true" or "system"

    @classmethod
    def of(cls, options: Mapping[str, str]) -> JavaNet:
        """Read as the JDK reads them: Boolean.parseBoolean for the stack; true, false or
        system (any case) for the order, anything else being false."""
        stack = options.get(PREFER_IPV4_STACK, "").lower() == "true"
        order = options.get(PREFER_IPV6_ADDRESSES, "").lower()
        return cls(stack, order if order in ("true", "system") else "false")

    @property
    def options(self) -> str:
        """The options that made this, as they would be written (empty for the defaults)."""
        shown = [f"-D{PREFER_IPV4_STACK}=true"] if self.ipv4_stack else []
        if self.prefer_ipv6 != "false":
            shown.append(f"-D{PREFER_IPV6_ADDRESSES}={self.prefer_ipv6}")
        return " ".join(shown)

    def loopback(self) -> str:
        """InetAddress.getLoopbackAddress(), which an AJP connector without `address` binds
        since 9.0.31 / 8.5.51 / 7.0.100 (AbstractAjpProtocol): ::1 when IPv6 addresses are
        preferred (true or system) and the stack has IPv6, else 127.0.0.1."""
        if self.prefer_ipv6 != "false" and not self.ipv4_stack:
            return IPV6_LOOPBACK
        return IPV4_LOOPBACK

    def can_bind(self, address: str) -> bool:
        """Under preferIPv4Stack an IPv6 address (`::` included) cannot be bound at all: the
        connector fails with UnsupportedAddressTypeException while the rest of Tomcat starts."""
        return not (self.ipv4_stack and is_ipv6(address))

    def wildcard_families(self) -> tuple[int, ...]:
        """A connector on 0.0.0.0, `::` or with no address (before the Ghostcat releases) gets
        one socket for every address: IPv4 and IPv6 (Java clears IPV6_V6ONLY), IPv4 only
        under preferIPv4Stack (ajp.xml, `address`)."""
        return (4,) if self.ipv4_stack else (4, 6)

    @property
    def order_rule(self) -> str:
        """How getByName picks among a name's answers, for messages."""
        if self.ipv4_stack:
            return "Java takes IPv4 answers only"
        if self.prefer_ipv6 == "true":
            return "Java takes IPv6 answers first"
        if self.prefer_ipv6 == "system":
            return "Java keeps the resolver's order"
        return "Java takes IPv4 answers first"

    def order(self, answers: Sequence[str]) -> list[str] | None:
        """The resolver's answers as InetAddress.getAllByName orders them: IPv4 first by
        default, IPv6 first with preferIPv6Addresses=true, IPv4 only under preferIPv4Stack;
        None with `system`, which keeps the system resolver's order (getByName, and so a
        connector's `address`, takes the first)."""
        four = [a for a in answers if not is_ipv6(a)]
        six = [a for a in answers if is_ipv6(a)]
        if self.ipv4_stack:
            return four
        if self.prefer_ipv6 == "system":
            return None
        return six + four if self.prefer_ipv6 == "true" else four + six


def jk_pick(answers: Sequence[str], prefer_ipv6: bool) -> str | None:
    """The address mod_jk connects to, of the resolver's answers in their order (jk_resolve,
    native/common/jk_connect.c, the HAVE_APR path httpd builds take, 1.2.38 to 1.2.50): one
    answer is taken as it is; of several, the first whatever its family, unless prefer_ipv6,
    which takes the first IPv6 one and, when there is none, none at all (the worker cannot
    resolve its host). Measured: host=localhost went to ::1 with prefer_ipv6 false
    (tests/differential/test_address_family.py). Releases before 1.2.38 took the first IPv4
    answer ("we are only handling AF_INET"), whose comment the new code kept: hence the belief
    that prefer_ipv6 off means IPv4."""
    if len(answers) <= 1 or not prefer_ipv6:
        return answers[0] if answers else None
    return next((a for a in answers if is_ipv6(a)), None)


# mod_proxy tries every answer in order until one connects (ap_proxy_connect_backend,
# modules/proxy/proxy_util.c: "if an error occurred, loop round and try again").


@dataclass(frozen=True)
class Ordering:
    """One order the system resolver can return a name's answers in, and what makes it so."""

    addresses: tuple[str, ...]
    why: str


def resolver_orders(
    answers: Sequence[str], own: Sequence[str] | None, addrconfig: bool, node: str
) -> list[Ordering]:
    """The orders getaddrinfo (glibc) can return `answers` in, on a node with the interface
    addresses `own` (None: not known); one when the facts decide it.

    With AI_ADDRCONFIG (APR asks for it with APR_UNSPEC: network_io/unix/sockaddr.c) a family
    is dropped when the node has no address of it and has one of the other, loopback not
    counted (glibc check_pf). Both families left are sorted by RFC 6724 (glibc's default
    table): ::1 before 127.0.0.1 (precedence 50 over 10), and a routable IPv6 address before an
    IPv4 one, which depends on the node's routes. Within a family the file's order is kept."""
    six = tuple(a for a in answers if is_ipv6(a))
    four = tuple(a for a in answers if not is_ipv6(a))
    if not six or not four:
        return [Ordering(tuple(answers), "")]
    loopback = all(ipaddress.ip_address(a).is_loopback for a in answers)
    if own is not None:
        has6 = any(is_ipv6(a) and a != IPV6_LOOPBACK for a in own)
        has4 = any(not is_ipv6(a) and a != IPV4_LOOPBACK for a in own)
        if addrconfig and has4 != has6:
            kept, family = (four, "IPv4") if has4 else (six, "IPv6")
            return [Ordering(kept, f"{node} has no {_other(family)} address: {family} only")]
        if loopback:
            return [Ordering(six + four, f"{node} has IPv6: ::1 sorts first (RFC 6724)")]
        return [
            Ordering(six + four, f"{node} routes IPv6 there: IPv6 first (RFC 6724)"),
            Ordering(four + six, f"{node} has no IPv6 route there: IPv4 first"),
        ]
    first = "::1 sorts first" if loopback else "IPv6 first"
    found = [Ordering(six + four, f"{node} has IPv6: {first} (RFC 6724)")]
    if not loopback:
        found.append(Ordering(four + six, f"{node} has no IPv6 route there: IPv4 first"))
    if addrconfig:
        found.append(Ordering(four, f"{node} has no IPv6 beyond loopback: IPv4 only"))
    return found


def _other(family: str) -> str:
    return "IPv6" if family == "IPv4" else "IPv4"
