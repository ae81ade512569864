"""CC503 foreign-members."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.derive.derived import Derived
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, failed, passed, skipped


@check(
    "CC503",
    "foreign-members",
    scope=Scope.CLUSTER,
    roles=("tomcat",),
    live=True,
    needs=("multicast",),
)
def foreign_members(derived: Derived) -> Iterator[Finding]:
    """No member outside the inventory sends heartbeats in the cluster's multicast group.

    Every heartbeat captured in the group is matched to an inventory node by its source address
    or advertised host, and by the node's receiver port where one address hosts several
    Tomcats; the rest are foreign members, a second Tomcat on a listed host among them.

    ## Why it matters
    Two clusters on one network with the default group 228.0.0.4:45564 (the QA cluster and
    production, or a developer's laptop) become one: sessions replicate into the other cluster,
    and a stray node's state transfer can flood production. The `domain` alone does not keep
    them apart (only DomainFilterInterceptor does).

    ## How to fix
    Give each cluster its own Membership `address` and `port`, or stop the stray Tomcat; add
    DomainFilterInterceptor with a distinct `domain` when groups must be shared.
    """
    view = derived.membership
    if view is None:
        yield skipped("no heartbeat capture (no multicast membership, or not asked)")
        return
    if not view.foreign:
        yield passed(f"only the inventory's {len(view.members)} member(s) in the group")
        return
    strangers = sorted(
        {
            f"{hb.host}:{hb.port}"
            + (f" (domain {hb.domain.decode('latin-1')})" if hb.domain else "")
            for hb in view.foreign
        }
    )
    yield failed(
        f"members not in the inventory send heartbeats in the group: {', '.join(strangers)}",
        details={"foreign": strangers},
    )
