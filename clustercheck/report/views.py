"""Views: the tables a person would rather look at than read findings for (the JVMs side by
side, the clock offsets, the multicast matrix). Built from facts and results, shared by every
renderer."""

from __future__ import annotations

from typing import Any

from clustercheck.derive.derived import Derived
from clustercheck.derive.membership import matrix
from clustercheck.report.model import Report

JVM_FIELDS = ("version", "vendor", "vm", "bits")


def build_views(report: Report, derived: Derived) -> dict[str, Any]:
    views: dict[str, Any] = {"versions": _versions(report)}
    clocks = _clocks(report)
    if clocks["nodes"]:
        views["clocks"] = clocks
    membership = derived.membership
    if membership is not None:
        views["multicast"] = {
            "members": membership.members,
            "matrix": matrix(membership),
            "window_s": _window(report),
        }
    return views


def _window(report: Report) -> float | None:
    """How long the members listened (one window for all)."""
    windows = [n.live.extra.get("multicast", {}).get("window_s") for n in report.facts.tomcats]
    return max((w for w in windows if w is not None), default=None)


def jvm_summary(jvm: dict[str, Any] | None) -> dict[str, Any] | None:
    if not jvm or jvm.get("error"):
        return None
    return {key: jvm.get(key) for key in JVM_FIELDS}


def _versions(report: Report) -> list[dict[str, Any]]:
    return [
        {
            "node": n.name,
            "tomcat": n.tomcat.version if n.tomcat else None,
            "jvm": jvm_summary(n.live.extra.get("jvm")),
        }
        for n in report.facts.nodes.values()
        if n.tomcat
    ]


def _clocks(report: Report) -> dict[str, Any]:
    """Offsets as CC401 judged them (against NTP when there was a reference)."""
    reference = report.facts.live.get("reference") or {}
    nodes = [
        {
            "node": r.node,
            "offset_ms": r.details["offset_ms"],
            "uncertainty_ms": r.details["uncertainty_ms"],
            "status": r.status.value,
        }
        for r in report.results
        if r.code == "CC401" and r.node and "offset_ms" in r.details
    ]
    return {
        "reference": {k: reference.get(k) for k in ("server", "stratum", "delay_ms")}
        if reference.get("server")
        else None,
        "nodes": nodes,
    }
