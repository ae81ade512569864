"""What each balancing module of an apache node says of its balancers while it runs (CC804
balancer-runtime): asked on the node itself, from its own status page, so that a member
disabled by hand since a deploy, or kept out for an error, shows beside what the files say."""

from __future__ import annotations

from dataclasses import dataclass

from clustercheck.facts.record import Record
from clustercheck.parsers.status_page import RuntimeBalancer


@dataclass(frozen=True)
class BalancerView(Record):
    """One module's status page, as asked on the node: where, found how, and what it said."""

    module: str  # "mod_jk" | "mod_proxy"
    url: str  # what was asked, query included
    source: str  # how the page was found: "JkMount /jkstatus jkstatus", "apache.jk_status_url"
    file: str | None = None  # where that was written (None: the inventory)
    line: int | None = None
    balancers: tuple[RuntimeBalancer, ...] = ()
    error: str | None = None  # why the page told nothing (no answer, HTTP 403, not a page)
