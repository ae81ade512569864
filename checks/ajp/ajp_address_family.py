"""CC108 ajp-address-family."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from clustercheck.checks.common import no_matched_member
from clustercheck.derive.addresses import (
    Attempt,
    Connects,
    Listens,
    connector_listens,
    front_end_connects,
)
from clustercheck.derive.derived import Derived
from clustercheck.derive.frontend import Module
from clustercheck.derive.targets import MemberTarget, is_loopback
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, skipped, warned
from clustercheck.knowledge.resolvers import is_ipv6


@check("CC108", "ajp-address-family", scope=Scope.CLUSTER, roles=("apache", "tomcat"), seam=True)
def ajp_address_family(derived: Derived) -> Iterator[Finding]:
    """The address each front-end member connects to is one its AJP connector listens on.

    For each member matched to a Tomcat node and its AJP connector (CC101 matches them by
    host and port and says why one is not; this check then skips it), both sides are turned
    into addresses on their own node. The member's host: an address as written; a name as
    that apache node resolves it: its hosts file (`/etc/hosts`; Windows answers `localhost`
    itself, `::1` first), in the order getaddrinfo returns the answers (RFC 6724: `::1`
    before `127.0.0.1` on a node with IPv6; IPv4 only on a node with no IPv6 address but
    `::1`, as APR asks for AI_ADDRCONFIG). mod_jk (1.2.38 and later) connects to the first
    answer whatever its family (its `prefer_ipv6`, off by default, takes the first IPv6
    answer instead); mod_proxy tries each answer in turn. The connector: its `address` (a
    name resolved by Java on the Tomcat node: IPv4 answers first unless
    `-Djava.net.preferIPv6Addresses`), or its version's default: every address before
    9.0.31 / 8.5.51 / 7.0.100, the loopback address since (127.0.0.1; `::1` with
    preferIPv6Addresses); `0.0.0.0` and `::` listen on every IPv4 and IPv6 address. These
    Java options are read from the running Tomcat's arguments, else
    from the inventory's `tomcat.system_properties`, and conf/catalina.properties wins (Tomcat
    sets it before Java reads them). With `-Djava.net.preferIPv4Stack=true` an IPv6 address
    cannot be bound at all, and in a live run an address that is none of the node's interfaces
    cannot be bound either: such a connector does not start.

    A member fails when the address it connects to is not one the connector listens on (the
    stock `address="::1"` against a worker on 127.0.0.1 or the node's IPv4 address; a
    connector on loopback against a front end on another host, or on the node's own
    address), or when its connector cannot start; it warns when it works only in some of the
    orders the resolvers may return (a node whose interfaces were not gathered: an offline
    run); it passes naming the address each side uses. A host only DNS knows is judged only
    where the answer does not matter (every address passes, loopback fails), else skipped.
    This check owns the address: CC101 says whether a connector is on that node and port,
    CC102 whether it answers live, CC103 whether its address exposes it.

    ## Why it matters
    The connection is refused although both files name "the same" host: `localhost` is `::1`
    to httpd on a host with IPv6 and `127.0.0.1` to Java, and the AJP connector that Tomcat's
    own server.xml suggests listens on `::1` only. mod_jk logs "Tomcat is probably not
    started or is listening on the wrong port" while Tomcat runs on that very port, puts the
    member in error, and users get HTTP 503 once every member is. A
    connector that cannot bind its address is refused at start-up while the rest of Tomcat
    runs, so the port stays closed.

    ## How to fix
    Make both sides name one address: write the member's host as the address the connector
    listens on (`worker.NAME.host=127.0.0.1`, `BalancerMember ajp://127.0.0.1:8009`), or give
    the connector `address=` the address the front end connects to (`::1` for `localhost` on
    an IPv6 host, the node's own address for a front end on another host, with a `secret`),
    or set `worker.NAME.prefer_ipv6`; with `-Djava.net.preferIPv4Stack=true`, bind an IPv4
    address. Then restart Tomcat and httpd.
    """
    for target, _side in derived.sides:
        yield _judge(target)
    if not derived.sides:
        yield no_matched_member()


def _judge(target: MemberTarget) -> Finding:
    assert target.node is not None and target.connector is not None
    member, tomcat = target.member, target.node.name
    where: dict[str, Any] = {"node": target.apache.name, **member.location(member.host)}
    details: dict[str, Any] = {
        "worker": member.name,
        "tomcat": tomcat,
        "tomcat_file": target.node.tomcat.server_xml_path if target.node.tomcat else None,
        "tomcat_line": target.connector.line,
    }
    listens = connector_listens(target.node, target.connector)
    if listens.unknown is not None:
        return skipped(
            f"{target.name}: cannot tell where the AJP connector of {tomcat} listens: "
            f"{listens.unknown}",
            details=details,
            **where,
        )
    if listens.refused is not None:
        return failed(
            f"{target.name}: the AJP connector of {tomcat} does not start: {listens.refused}",
            details=details,
            **where,
        )
    details["listens"] = [
        b.address or ("0.0.0.0" if 6 not in b.families else "::") for b in listens.bindings
    ]
    connects = front_end_connects(target)
    if connects.unknown is not None:
        return _by_dns(target, connects, listens, details, where)
    details["connects"] = list(connects.addresses)
    module = member.module.value
    outcomes = [
        (attempt, binding, any(binding.accepts(a) for a in attempt.tries))
        for attempt in connects.attempts
        for binding in listens.bindings
    ]
    good = [(a, b) for a, b, works in outcomes if works]
    bad = [(a, b) for a, b, works in outcomes if not works]
    front = _front(target, connects)
    if not bad:
        binding = good[0][1]
        goes = " or ".join(dict.fromkeys(_goes(target, a) for a in connects.attempts))
        every = f" (as {target.apache.name}'s resolver orders them)" if " or " in goes else ""
        return passed(
            f"{target.name}: {module} {goes}{every}, and the AJP connector of "
            f"{tomcat} listens on {binding.shown} ({binding.why}); {front}",
            details=details,
            **where,
        )
    attempt, binding = bad[0]
    refused = (
        f"{module} {_goes(target, attempt)}, but the AJP connector of {tomcat} listens on "
        f"{binding.shown} ({binding.why}): "
        + ("connection refused" if attempt.tries else "no connection")
    )
    if not good:
        return failed(f"{target.name}: {refused}; {front}", details=details, **where)
    fine, listening = good[0]
    return warned(
        f"{target.name}: works only in some of the orders the resolvers may return: when "
        f"{attempt.why or binding.why}, {refused}; when {fine.why or listening.why}, it "
        f"{_goes(target, fine)}; {front}",
        details=details,
        **where,
    )


def _by_dns(
    target: MemberTarget,
    connects: Connects,
    listens: Listens,
    details: dict[str, Any],
    where: dict[str, Any],
) -> Finding:
    """The member's host is a name only DNS answers: judged where the answer does not matter."""
    tomcat = target.node.name if target.node else ""
    bindings = listens.bindings
    module = target.member.module.value
    if all(b.address is None and 6 in b.families for b in bindings):
        return passed(
            f"{target.name}: the AJP connector of {tomcat} listens on every address "
            f"({bindings[0].why}), whichever {connects.host} is ({connects.unknown})",
            details=details,
            **where,
        )
    if all(b.loopback for b in bindings) and not is_loopback(target.member.host.value):
        binding = bindings[0]
        return failed(
            f"{target.name}: the AJP connector of {tomcat} listens on {binding.shown} "
            f"({binding.why}), which {module} does not reach through {connects.host}, no "
            f"loopback name ({connects.unknown}): connection refused",
            details=details,
            **where,
        )
    return skipped(
        f"{target.name}: cannot tell which address {module} connects to: {connects.unknown}",
        details=details,
        **where,
    )


def _front(target: MemberTarget, connects: Connects) -> str:
    """How the front end came to its addresses: the host, its answers, the module's choice and,
    when only one order is possible, what makes it so."""
    member = target.member
    if connects.answers is None:
        return connects.host
    answers = connects.answers.addresses
    text = f"{connects.host} has {', '.join(answers)} ({connects.answers.source})"
    attempts = connects.attempts
    if len(attempts) == 1 and attempts[0].why:
        text += f"; {attempts[0].why}"
    if len(answers) < 2:
        return text
    if member.module is Module.MOD_PROXY:
        return text + "; mod_proxy tries each answer in turn"
    prefer = member.prefer_ipv6
    rule = "first IPv6 answer" if prefer is not None and prefer.value else "first answer"
    return text + f"; mod_jk takes the {rule}" + (f" ({prefer.shown()})" if prefer else "")


def _goes(target: MemberTarget, attempt: Attempt) -> str:
    port = target.port
    shown = [f"[{a}]:{port}" if is_ipv6(a) else f"{a}:{port}" for a in attempt.tries]
    if not shown:
        return f"cannot resolve {target.host} (no IPv6 answer, which prefer_ipv6 takes)"
    if len(shown) == 1:
        return f"connects to {shown[0]}"
    return f"tries {', '.join(shown)} in turn"
