"""The front-end model of mod_proxy_ajp with mod_proxy_balancer: ProxyPass / ProxyPassMatch to
`ajp://` and `balancer://`, `<Proxy balancer://>` with BalancerMember and ProxySet, read with
httpd's documented defaults (mod_proxy.html, by version where they changed)."""

from __future__ import annotations

from clustercheck.derive.frontend import Capacity, FrontEnd
from clustercheck.facts.cluster import NodeFacts


def proxy_front_end(node: NodeFacts, capacity: Capacity | None) -> FrontEnd | None:
    """The node's mod_proxy front end, or None when httpd balances nothing to AJP with it."""
    return None
