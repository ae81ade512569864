"""CC102 ajp-cping."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.common import not_running
from clustercheck.derive.derived import Derived
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, errored, failed, passed, skipped
from clustercheck.facts.probes import FROM_HERE, Outcome

DIAGNOSIS = {
    Outcome.REFUSED: "connection refused: nothing listens there",
    Outcome.CONNECT_TIMEOUT: "no answer to the TCP connect: a firewall or a wrong address",
    Outcome.NO_REPLY: "the port accepts connections but does not answer CPing: the AJP connector "
    "failed to start (typically secretRequired without a secret) or is paused",
    Outcome.CLOSED: "the port closed the connection on CPing: not a working AJP connector",
    Outcome.NOT_AJP: "answered, but not in AJP: an HTTP or other port",
}


@check("CC102", "ajp-cping", scope=Scope.CLUSTER, roles=("apache", "tomcat"), seam=True, live=True)
def ajp_cping(derived: Derived) -> Iterator[Finding]:
    """From each apache node, every balanced member answers AJP13 CPing with CPong in time.

    The probe runs on the apache node itself, where mod_jk or mod_proxy connects from (bash's
    /dev/tcp there, python3 for more than 64 members; nothing is installed), and sends the 5-byte
    CPing to each member's host:port (a mod_jk worker or a BalancerMember). It tells apart a
    CPong (with its time), a refused connection, a connect that times out, a port that accepts
    but never answers (a connector that failed to start), and a port that is not AJP. Members
    the balancer deliberately keeps out (mod_jk activation D or S, mod_proxy status=D or S) are
    reported, not failed. When the apache node cannot run the probe, it runs from clustercheck's
    machine and says so. A member whose Tomcat is not running is not judged here: CC801 reports
    that one cause.

    ## Why it matters
    A port that is open is not an AJP connector that works: Tomcat keeps the port bound even
    when the connector failed to start (since the Ghostcat fixes, an AJP connector without a
    secret does not start), and a firewall between the balancer and a node only shows from the
    balancer. the balancer then puts the member in error and users of that node get 503s or are
    failed over ("one node never gets traffic").

    ## How to fix
    Follow the diagnosis: start or fix the connector (a `secret`, or `secretRequired="false"`
    only on a loopback address), open the firewall from the balancer to the AJP port, or correct
    the worker's host and port (see CC101).
    """
    judged = False
    for target in derived.targets:
        probes = target.apache.live.ajp_probes
        if probes is None:
            continue
        judged = True
        member = target.member
        found = next((p for p in probes if (p.host, p.port) == (target.host, target.port)), None)
        name = target.name
        where = {
            "node": target.apache.name,
            "details": {"worker": member.name, "probe": found.to_json() if found else None},
        }
        stopped = not_running(derived, target.node.name if target.node else None)
        if stopped:
            yield skipped(f"{name}: {stopped}", **where)
            continue
        if found is None:
            yield errored(f"{name}: not probed", **where)
            continue
        origin = (
            ""
            if found.origin != FROM_HERE
            else " (probed from clustercheck's machine: the node could not run the probe)"
        )
        activation = member.activation.value
        if activation in ("D", "S"):
            yield skipped(
                f"{name}: activation {activation}, kept out by {member.module} on purpose "
                f"(CPing: {found.result})",
                **where,
            )
        elif found.result is Outcome.CPONG:
            took = f" in {found.ms:.1f} ms" if found.ms is not None else ""  # bash cannot time it
            yield passed(f"{name}: CPong{took}{origin}", **where)
        elif found.result in DIAGNOSIS:
            yield failed(f"{name}: {DIAGNOSIS[found.result]}{origin}", **where)
        else:
            yield errored(f"{name}: the probe failed: {found.detail or found.result}", **where)
    if not judged:
        yield skipped("no balanced member was probed")
