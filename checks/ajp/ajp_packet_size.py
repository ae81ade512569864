"""CC105 ajp-packet-size."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.common import no_matched_member, stated
from clustercheck.derive.derived import Derived
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed


@check("CC105", "ajp-packet-size", scope=Scope.CLUSTER, roles=("apache", "tomcat"), seam=True)
def ajp_packet_size(derived: Derived) -> Iterator[Finding]:
    """Each front-end member uses the AJP packet size of the connector it points at.

    For every member matched to a Tomcat node's AJP connector (see CC101): the packet size the
    front end uses (mod_jk `max_packet_size`, which mod_jk rounds up to a multiple of 1024
    within 8192-65536, default 8192; mod_proxy_ajp's `ProxyIOBufferSize`) must equal the
    connector's `packetSize` as Tomcat uses it (default 8192; Tomcat raises a smaller value to
    8192). Any difference fails, either way round; both files and lines are named.

    ## Why it matters
    An AJP packet may not be larger than what the other side reads. When the front end's is
    larger, Tomcat refuses every request whose headers take more than its packet size (long
    cookies, many headers, a forwarded client-certificate chain): the user gets an error page
    and Tomcat logs "Header message of length [N] received but the packetSize is only [M]";
    the first piece of a large request body is refused the same way. When Tomcat's is larger,
    it sends responses in pieces of its packet size, so nearly every response of more than
    about 8 KiB breaks: the front end refuses the packet (mod_jk.log "wrong message size",
    mod_proxy_ajp "incoming message is too big"), drops the connection and the page is cut
    off or replaced by an error.

    ## How to fix
    Set the same size on both sides and restart both: `worker.NAME.max_packet_size` (or the
    `ProxyIOBufferSize` of the httpd that proxies with mod_proxy_ajp) and the AJP connector's
    `packetSize`, a multiple of 1024 between 8192 and 65536. Raise both only when requests
    really carry large headers or client certificates.
    """
    for target, side in derived.sides:
        member = target.member
        front, tomcat = member.packet_size, side.packet_size
        sizes = (
            f"{stated(front, f'{front.value} bytes', member.module.value)}; "
            f"{side.node}'s {stated(tomcat, f'{tomcat.value} bytes', 'Tomcat')}"
            + _raised(side.packet_size_written, tomcat.value)
        )
        where = {
            "node": target.apache.name,
            **member.location(front),
            "details": {
                "worker": member.name,
                "tomcat": side.node,
                "packet_size": front.value,
                "tomcat_packet_size": tomcat.value,
                "tomcat_file": side.path,
                "tomcat_line": side.line,
            },
        }
        if front.value == tomcat.value:
            yield passed(
                f"{target.name}: both sides use AJP packets of {front.value} bytes ({sizes})",
                **where,
            )
        elif front.value > tomcat.value:
            yield failed(
                f"{target.name}: the front end sends AJP packets of up to {front.value} bytes "
                f"but {side.node} reads at most {tomcat.value} ({sizes}): requests whose headers "
                "take more (long cookies, a client certificate) are refused by Tomcat with an "
                'error ("Header message of length [...] received but the packetSize is only '
                f'[{tomcat.value:,}]"), and so are request bodies of more than about '
                f"{tomcat.value} bytes",
                **where,
            )
        else:
            yield failed(
                f"{target.name}: {side.node} sends AJP packets of up to {tomcat.value} bytes but "
                f"the front end reads at most {front.value} ({sizes}): responses with more "
                f"than about {front.value} bytes of body or headers are cut off, the front end "
                'refusing the packet ("wrong message size" in mod_jk.log, "incoming message '
                'is too big" from mod_proxy_ajp) and dropping the connection',
                **where,
            )
    if not derived.sides:
        yield no_matched_member()


def _raised(written: int | None, used: int) -> str:
    """Why Tomcat uses more than its packetSize says."""
    return f" (Tomcat raises a smaller packetSize to {used})" if written and written < used else ""
