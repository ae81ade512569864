"""CC106 ajp-timeouts."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from clustercheck.checks.common import no_matched_member, stated
from clustercheck.derive.connector import TomcatSide
from clustercheck.derive.derived import Derived
from clustercheck.derive.frontend import Seam
from clustercheck.derive.targets import MemberTarget
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, warned


@check("CC106", "ajp-timeouts", scope=Scope.CLUSTER, roles=("apache", "tomcat"), seam=True)
def ajp_timeouts(derived: Derived) -> Iterator[Finding]:
    """Idle AJP connections are closed by the front end first, and connecting to a member
    gives up in time.

    For every member matched to a Tomcat node's AJP connector (see CC101), two results, each
    value shown in the unit it is written in and in milliseconds:

    - idle: how long the front end keeps an idle pooled connection (mod_jk
      `connection_pool_timeout`, in seconds, default 0: forever; mod_proxy `ttl=`) against how
      long Tomcat lets one idle between requests (the connector's `keepAliveTimeout`, which
      defaults to `connectionTimeout`, in milliseconds, whose AJP default is -1: forever; 0 or
      less is forever too, and before Tomcat 9 a `keepAliveTimeout` of 0 or less leaves
      `connectionTimeout` in force). The front end's must be no longer than Tomcat's: else it
      fails, or warns when the member sends a CPing before each request (mod_jk `ping_mode`
      P or A, mod_proxy `ping=`). A front end that keeps no connection (mod_jk `JkOptions
      +DisableReuse` in the main server, mod_proxy `disablereuse=On`) passes. Neither side
      closing idle connections warns when the member is on another host and neither TCP
      keepalive (mod_jk `socket_keepalive`, mod_proxy `keepalive=On`) nor CPing probes (before
      each request, or of idle connections) is on.
    - connect: a member on another host without a connect timeout (mod_jk
      `socket_connect_timeout`, in milliseconds, default `socket_timeout` in seconds, default
      0: none) warns. A CPing on connect (`ping_mode` C) does not replace it: it is sent only
      once the TCP connection is made.

    ## Why it matters
    When Tomcat closes idle connections first (the usual `connectionTimeout="20000"` copied onto
    the AJP connector, with mod_jk's default of keeping them forever), the front end keeps
    connections Tomcat has closed: it notices most before reusing one, but a request sent as
    Tomcat closes it fails (mod_jk "Tomcat is down or network problems"; mod_proxy_ajp
    "ajp_ilink_receive() can't receive header", AH00992), intermittently and after quiet
    periods. The first item of
    mod_jk's FAQ is the other case: a firewall or NAT between httpd and Tomcat drops
    connections that stay idle, silently; neither side notices, requests on them hang until a
    TCP timeout and fail, and the dead connections count against Tomcat's limits. Without a
    connect timeout, a member whose host is down hard (powered off, cut off) makes each
    connection attempt wait for the operating system's TCP timeout (about two minutes on
    Linux) before the balancer fails over.

    ## How to fix
    Make the front end close idle connections first: mod_jk `worker.NAME.connection_pool_timeout`
    (seconds) or mod_proxy `ttl=` (seconds) at most the connector's `keepAliveTimeout` (or
    `connectionTimeout`) in milliseconds, e.g. 600 and 600000, as mod_jk's timeouts how-to
    advises; across a firewall, keep both below its idle limit, and turn on
    `socket_keepalive=true` (mod_proxy `keepalive=On`) and CPing probes (`ping_mode=A`,
    mod_proxy `ping=`). Set `socket_connect_timeout` (milliseconds, e.g. 5000) on every
    member on another host.
    """
    for target, side in derived.sides:
        yield _idle(target, side)
        yield _connect(target, side)
    if not derived.sides:
        yield no_matched_member()


def _ms(value: float | None) -> str:
    if value is None:
        return "infinite"
    return f"{value:.0f} ms" if value == int(value) else f"{value} ms"


def _where(target: MemberTarget, side: TomcatSide, *seams: Seam[Any] | None) -> dict[str, Any]:
    member = target.member
    return {
        "node": target.apache.name,
        **member.location(*seams),
        "details": {"worker": member.name, "tomcat": side.node},
    }


def _idle(target: MemberTarget, side: TomcatSide) -> Finding:
    member = target.member
    front, tomcat = member.idle_timeout_ms, side.idle_timeout_ms
    owner = member.module.value
    why = side.keep_alive_unused
    pair = (
        f"{stated(front, _ms(front.value), owner)} vs {side.node}'s "
        f"{stated(tomcat, _ms(tomcat.value), 'Tomcat')}" + (f" ({why})" if why else "")
    )
    where = _where(target, side, member.no_reuse, front, member.ping, member.keepalive)
    where["details"] |= {
        "timeout": "idle",
        "idle_timeout_ms": front.value,
        "tomcat_idle_timeout_ms": tomcat.value,
        "tomcat_file": side.path,
        "tomcat_line": side.line,
    }
    name = target.name
    if member.no_reuse is not None:
        return passed(
            f"{name}: the front end closes each connection after its request "
            f"({stated(member.no_reuse, member.no_reuse.written or 'on', owner)}): no "
            "connection is left idle",
            **where,
        )
    if tomcat.value is None:
        if front.value is not None:
            return passed(
                f"{name}: the front end closes idle connections, Tomcat never does ({pair})",
                **where,
            )
        return _both_forever(target, pair, where)
    if front.value is not None and front.value <= tomcat.value:
        return passed(
            f"{name}: the front end closes idle connections no later than Tomcat ({pair})", **where
        )
    first = f"{name}: Tomcat closes idle connections before the front end does ({pair})"
    if "P" in member.probes:
        return warned(
            f"{first}; the CPing before each request ({stated(member.ping, member.probes, owner)}) "
            "finds them closed, at the cost of a CPing and a new connection each time",
            **where,
        )
    return failed(
        f"{first}: the front end keeps connections Tomcat has closed, and a request sent as "
        'Tomcat closes one fails (mod_jk "Tomcat is down or network problems", mod_proxy_ajp '
        '"ajp_ilink_receive failed"); ' + _fix(front, tomcat),
        **where,
    )


def _both_forever(target: MemberTarget, pair: str, where: dict[str, Any]) -> Finding:
    """Neither side closes idle connections: harmless on one host, a silent drop across a
    firewall or NAT unless TCP keepalive or CPing probes keep the connections tested."""
    member = target.member
    owner = member.module.value
    name = target.name
    if target.same_host:
        return passed(
            f"{name}: neither side closes idle connections ({pair}); Tomcat runs on the apache "
            "node's own host, with no firewall between",
            **where,
        )
    if member.keepalive.value:
        return passed(
            f"{name}: neither side closes idle connections ({pair}); TCP keepalive "
            f"({stated(member.keepalive, 'on', owner)}) keeps them alive across a firewall "
            "whose idle limit is longer than the host's keepalive time",
            **where,
        )
    if set(member.probes) & set("PI"):
        return passed(
            f"{name}: neither side closes idle connections ({pair}); CPing probes "
            f"({stated(member.ping, member.probes, owner)}) find a connection a firewall dropped",
            **where,
        )
    return warned(
        f"{name}: neither side ever closes an idle connection ({pair}), {target.host} is "
        "another host, and neither TCP keepalive nor CPing probes test idle connections: a "
        "firewall or NAT between them that drops idle connections silently leaves both sides "
        "holding dead ones, and requests sent on them hang until a TCP timeout, then fail",
        **where,
    )


def _fix(front: Seam[float | None], tomcat: Seam[float | None]) -> str:
    """The front end's idle limit that fits Tomcat's, in the unit its directive takes."""
    limit = tomcat.value or 0.0
    if front.unit != "s":
        return f"set {front.directive} to {limit:.0f} (milliseconds) or less"
    seconds = math.floor(limit / 1000)
    if seconds < 1:  # 0 would mean "forever"
        return f"raise {tomcat.directive} to at least 1000 ms, then set {front.directive}"
    return f"set {front.directive} to {seconds} (seconds) or less"


def _connect(target: MemberTarget, side: TomcatSide) -> Finding:
    member = target.member
    connect = member.connect_timeout_ms
    shown = stated(connect, _ms(connect.value), member.module.value)
    where = _where(target, side, connect)
    where["details"] |= {"timeout": "connect", "connect_timeout_ms": connect.value}
    name = target.name
    if connect.value is not None:
        return passed(f"{name}: connecting gives up in time ({shown})", **where)
    if target.same_host:
        return passed(
            f"{name}: no connect timeout ({shown}), but Tomcat runs on the apache node's own "
            "host: connecting to it while it is stopped is refused at once",
            **where,
        )
    return warned(
        f"{name}: no connect timeout ({shown}): when {target.host} is down hard (powered off "
        "or cut off, no answer at all), every connection attempt waits for the operating "
        "system's TCP timeout (about two minutes on Linux) before the front end fails over",
        **where,
    )
