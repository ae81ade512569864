"""The derivations of one run's facts that checks and views share, made once per run.

The runner builds one `Derived` for the facts it judges and hands it to every check that asks
for it and to the report's views. Each derivation is computed on first use and kept here, never
in the facts: the facts stay what was gathered, and a run that selects no membership check never
builds the membership view.
"""

from __future__ import annotations

import functools

from clustercheck.derive.clock import NodeClock, node_clocks
from clustercheck.derive.connector import TomcatSide, connector_side
from clustercheck.derive.frontend import FrontEnd
from clustercheck.derive.logs import admitted_by_node
from clustercheck.derive.membership import MembershipView
from clustercheck.derive.membership_view import compute_view
from clustercheck.derive.runtime import stopped_tomcats
from clustercheck.derive.secrets import public_names, secret_values
from clustercheck.derive.static_membership import StaticView, static_view
from clustercheck.derive.targets import MemberTarget, front_ends, member_targets
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.knowledge.secrets import Secrets, hiding


class Derived:
    """Read-only derivations of one ClusterFacts."""

    def __init__(self, facts: ClusterFacts) -> None:
        self._facts = facts

    @functools.cached_property
    def front_ends(self) -> tuple[FrontEnd, ...]:
        """What each reachable apache node's mod_jk and mod_proxy send to Tomcat."""
        return tuple(front_ends(self._facts))

    @functools.cached_property
    def targets(self) -> tuple[MemberTarget, ...]:
        """Every AJP member in use of every front end, matched to a Tomcat node."""
        return tuple(member_targets(self._facts, self.front_ends))

    @functools.cached_property
    def sides(self) -> tuple[tuple[MemberTarget, TomcatSide], ...]:
        """Every member matched to a Tomcat node's AJP connector, with that connector's side
        of the seam (the others CC101 reports)."""
        return tuple((t, side) for t in self.targets if (side := connector_side(t)) is not None)

    @functools.cached_property
    def clocks(self) -> tuple[NodeClock, ...]:
        """Every reachable node's clock against the reference, with its verdict."""
        return node_clocks(self._facts)

    @functools.cached_property
    def membership(self) -> MembershipView | None:
        """Who hears whom; None when no node captured anything."""
        return compute_view(self._facts)

    @functools.cached_property
    def static_membership(self) -> StaticView | None:
        """Who lists whom in static membership, and who talks to whom; None without it."""
        return static_view(self._facts, self.stopped)

    @functools.cached_property
    def stopped(self) -> frozenset[str]:
        """Tomcat nodes whose Tomcat is known not to run (CC801 says so): the other checks
        name this one cause instead of its symptoms."""
        return stopped_tomcats(self._facts)

    @functools.cached_property
    def log_membership(self) -> dict[str, tuple[str, ...]]:
        """The members each Tomcat admitted since its start, by its own log (node -> names)."""
        return admitted_by_node(self._facts)

    @functools.cached_property
    def secrets(self) -> Secrets:
        """Every secret of the facts, which no result may show."""
        return hiding(secret_values(self._facts), public_names(self._facts))
