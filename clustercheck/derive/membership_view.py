"""The who-hears-whom view from the captured facts (a pure derivation; checks and the report's
matrix get it once per run from Derived.membership)."""

from __future__ import annotations

import dataclasses
import ipaddress

from clustercheck.derive.cluster_config import multicast_group, node_membership, receiver_endpoint
from clustercheck.derive.membership import NOT_RUNNING, Capture, MembershipView, judge_membership
from clustercheck.derive.runtime import stopped_tomcats
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.knowledge.tomcat import tomcat_major


def node_addresses(node: NodeFacts) -> set[str]:
    """Addresses that identify a node on the cluster network (loopback identifies nobody)."""
    found = {node.settings.host, *node.live.addresses}
    return {a for a in found if not _is_loopback(a)}


def _is_loopback(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def capture_of(node: NodeFacts) -> Capture | None:
    group = multicast_group(node)
    if group is None:
        return None
    recorded = node.live.multicast
    summary = node_membership(node) or {}
    endpoint = receiver_endpoint(node)
    major = tomcat_major(node.tomcat.version if node.tomcat else None)
    return Capture(
        node=node.name,
        address=node.settings.host,
        wire=recorded.wire.datagrams if recorded else None,
        socket=recorded.socket.datagrams if recorded else None,
        group=group,
        domain=summary.get("domain", "").encode("latin-1", "replace") or None,
        tomcat_format=None if major is None else ("tomcat6" if major <= 6 else "tomcat7+"),
        receiver_port=endpoint[1] if endpoint else None,
    )


def compute_view(cluster: ClusterFacts) -> MembershipView | None:
    """None when no node captured anything (offline, or no multicast membership). A pair with
    a member whose Tomcat is known not to run (CC801) is not judged: that is its one cause."""
    nodes = [n for n in cluster.tomcats if n.live.multicast is not None]
    captures = [c for c in map(capture_of, nodes) if c is not None]
    if not captures:
        return None
    view = judge_membership(captures, {n.name: node_addresses(n) for n in nodes})
    # a node --limit left out is no stranger: its heartbeats, by its inventory host, are not judged
    left_out = {n.host for n in cluster.left_out if n.has_role("tomcat")}
    if left_out:
        foreign = [hb for hb in view.foreign if hb.host not in left_out]
        view = dataclasses.replace(view, foreign=foreign)
    stopped = stopped_tomcats(cluster)
    if not stopped:
        return view
    pairs = [
        dataclasses.replace(p, heard=False, diagnosis=NOT_RUNNING)
        if stopped & {p.listener, p.sender}
        else p
        for p in view.pairs
    ]
    return dataclasses.replace(view, pairs=pairs)
