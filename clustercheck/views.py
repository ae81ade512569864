"""Views: the tables a person would rather look at than read findings for (the JVMs side by
side, the clock offsets, the multicast matrix). Built from facts, shared by every renderer."""

from __future__ import annotations

from typing import Any

from clustercheck.report import Report


def build_views(report: Report) -> dict[str, Any]:
    nodes = report.facts.nodes.values()
    return {
        "versions": [
            {
                "node": n.name,
                "tomcat": n.tomcat.version if n.tomcat else None,
                "jvm": n.live.extra.get("jvm"),
            }
            for n in nodes
            if n.tomcat
        ],
    }
