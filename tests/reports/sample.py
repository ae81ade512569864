"""Synthetic Reports for the renderer tests: a small catalogue, nodes, results and views, with a
hostile value or two so every renderer shows it escapes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from clustercheck.derive.membership import Pair
from clustercheck.engine.check import Check
from clustercheck.engine.results import Result, Scope, Status
from clustercheck.engine.upgrade import Move, Target, Upgrade
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.facts.files import TomcatFacts
from clustercheck.facts.live import LiveFacts
from clustercheck.inventory.settings import ClusterSettings, NodeSettings, NtpSettings
from clustercheck.report.formats import Format, RenderOptions
from clustercheck.report.frontend_view import (
    ROWS,
    FrontEndView,
    Mark,
    MemberView,
    SeamView,
    Shown,
)
from clustercheck.report.model import Report
from clustercheck.report.views import (
    ClockRow,
    ClockView,
    JvmSummary,
    MulticastView,
    NtpSource,
    VersionRow,
    Views,
)

XSS = "<script>alert(1)</script>"

CATALOGUE = {
    "CC001": ("node-reachable", Scope.NODE),
    "CC101": ("ajp-port-match", Scope.CLUSTER),
    "CC201": ("jvmroute-unique", Scope.CLUSTER),
    "CC301": ("jdk-parity", Scope.CLUSTER),
    "CC303": ("wire-compatibility", Scope.CLUSTER),
    "CC401": ("clock-skew", Scope.NODE),
    "CC501": ("multicast-membership", Scope.CLUSTER),
    "CC602": ("removed-classes", Scope.NODE),
    "CC701": ("distributable", Scope.NODE),
    "CC702": ("app-parity", Scope.CLUSTER),
}


def make_check(code: str) -> Check:
    name, scope = CATALOGUE[code]
    doc = (
        f"The {name} title.\n\nWhat {name} checks.\n\n## Why it matters\nBecause {name} matters."
        f"\n\n## How to fix\nFix {name} like so.\n"
    )
    return Check(code, name, scope, ("tomcat",), False, lambda *_: [], doc=doc)


def result(
    code: str, status: Status, node: str | None = None, message: str = "", **kw: Any
) -> Result:
    check = make_check(code)
    return Result(
        code,
        check.name,
        status,
        node,
        message or f"{check.name} {status.value}",
        rationale=check.rationale,
        remediation=check.remediation,
        **kw,
    )


def node(
    name: str,
    host: str,
    roles: tuple[str, ...] = ("tomcat",),
    *,
    reachable: bool = True,
    error: str = "connection refused",
    tomcat: str | None = "10.1.34",
) -> NodeFacts:
    settings = NodeSettings(name, host, roles)
    live = LiveFacts(reachable=reachable, error=None if reachable else error)
    facts = NodeFacts(settings, live)
    if tomcat and "tomcat" in roles:
        facts.tomcat = TomcatFacts(
            "/opt/tomcat", "/opt/tomcat", "/opt/tomcat/conf/server.xml", version=tomcat
        )
    return facts


def make_report(
    results: Iterable[Result],
    *,
    nodes: Iterable[NodeFacts] | None = None,
    views: Mapping[str, Any] | None = None,
    cluster: str = "shop-prod",
    source: str = "/etc/clustercheck/shop-prod.yaml",
    started_at: str = "2026-11-24T02:00:00+00:00",
    duration_s: float = 0.84,
    ntp: NtpSettings | None = None,
) -> Report:
    results = list(results)
    nodes = list(nodes if nodes is not None else four_nodes())
    settings = ClusterSettings(
        cluster,
        source,
        tuple(n.settings for n in nodes),
        ntp=ntp or NtpSettings(),
    )
    facts = ClusterFacts(settings, {n.name: n for n in nodes}, started_at, duration_s)
    codes = sorted({r.code for r in results})
    return Report(facts, [make_check(c) for c in codes], results, typed_views(views or {}))


def typed_views(data: Mapping[str, Any]) -> Views:
    """Views written as the JSON report's `views` (easy to read in a test), typed."""
    clocks = data.get("clocks")
    multicast = data.get("multicast")
    return Views(
        versions=tuple(
            VersionRow(v["node"], v["tomcat"], JvmSummary(**v["jvm"]) if v["jvm"] else None)
            for v in data.get("versions", [])
        ),
        clocks=ClockView(
            NtpSource(**clocks["reference"]) if clocks["reference"] else None,
            tuple(ClockRow(**{**row, "status": Status(row["status"])}) for row in clocks["nodes"]),
        )
        if clocks
        else None,
        multicast=MulticastView(
            tuple(multicast["members"]),
            {
                listener: {
                    sender: Pair(listener, sender, cell["heard"], cell["diagnosis"])
                    for sender, cell in row.items()
                }
                for listener, row in multicast["matrix"].items()
            },
            multicast.get("window_s"),
        )
        if multicast
        else None,
        front_ends=tuple(front_end_view(f) for f in data.get("front_ends", [])),
    )


def front_end_view(data: Mapping[str, Any]) -> FrontEndView:
    """A front end written as the JSON report's `views.front_ends` item, typed."""
    rows = {row.key: row for row in ROWS}

    def shown(side: Mapping[str, Any] | None) -> Shown | None:
        if side is None:
            return None
        return Shown(
            side["text"],
            side["text"],
            side["value"],
            side["unit"],
            side["directive"],
            side["file"],
            side["line"],
            side["default"],
            side["written"],
        )

    def seam(key: str, cell: Mapping[str, Any]) -> SeamView:
        status = Status(cell["status"]) if cell["status"] else None
        mark = Mark(cell["check"], status, cell["waived"], cell.get("messages", ()))
        return SeamView(
            rows[key], shown(cell["front"]), shown(cell["tomcat"]), mark, cell["summary"]
        )

    return FrontEndView(
        data["node"],
        data["module"],
        data["file"],
        tuple(
            MemberView(
                m["name"],
                m["label"],
                m["balancer"],
                m["host"],
                m["port"],
                m["tomcat"],
                m["connector"]["file"] if m["connector"] else None,
                m["connector"]["line"] if m["connector"] else None,
                tuple(seam(key, cell) for key, cell in m["seams"].items()),
            )
            for m in data["members"]
        ),
    )


def front_end_data(value: str, apache: str = "web1", tomcat: str = "tomcat02") -> dict[str, Any]:
    """One front end, JSON-shaped, with `value` in every text it shows and every status."""
    side = {
        "value": value,
        "unit": "",
        "text": value,
        "directive": f"worker.{value}.route",
        "file": f"/etc/{value}/workers.properties",
        "line": 3,
        "default": False,
        "written": value,
    }
    statuses = [None, "pass", "warn", "fail", "error", "skip"]
    seams = {
        row.key: {
            "check": row.code,
            "status": statuses[index % len(statuses)],
            "waived": index % 2,
            "messages": (value,),
            "front": side,
            "tomcat": {**side, "default": True} if index % 3 else None,
            "summary": value if row.key == "secret" else None,
        }
        for index, row in enumerate(ROWS)
    }
    member = {
        "name": f"w{value}",
        "label": f"worker w{value}",
        "balancer": f"lb{value}",
        "host": f"h{value}",
        "port": 8009,
        "tomcat": tomcat,
        "connector": {"file": f"/opt/{value}/conf/server.xml", "line": 5},
        "seams": seams,
    }
    return {
        "node": apache,
        "module": "mod_jk",
        "file": f"/etc/{value}/workers.properties",
        "members": [member, {**member, "name": f"x{value}", "tomcat": None, "connector": None}],
    }


def rendered(module: Any, report: Report, **options: Any) -> str:
    """A format module's whole output as one string, with RenderOptions from keywords."""
    fmt: Format = module.FORMAT
    out = fmt.render(report, RenderOptions(**options))
    return out if isinstance(out, str) else "".join(out)


def four_nodes() -> list[NodeFacts]:
    return [
        node("web1", "192.168.1.10", ("apache", "tomcat")),
        node("tomcat02", "192.168.1.190"),
        node("tomcat03", "192.168.1.188", tomcat="10.1.31"),
        node("tomcat04", "192.168.1.191", reachable=False, tomcat=None),
    ]


def sample_results() -> list[Result]:
    """One of everything: every status, a waived finding, file:line, hostile text."""
    return [
        result("CC001", Status.PASS, "web1", "connected"),
        result("CC001", Status.PASS, "tomcat02", "connected"),
        result("CC001", Status.PASS, "tomcat03", "connected"),
        result("CC001", Status.ERROR, "tomcat04", "cannot connect: connection refused"),
        result("CC101", Status.PASS, None, "every ajp13 worker points at an AJP connector"),
        result(
            "CC201",
            Status.FAIL,
            None,
            f'tomcat02 and tomcat03 share jvmRoute "{XSS}"',
            file="/opt/tomcat/conf/server.xml",
            line=112,
        ),
        result("CC301", Status.WARN, None, "tomcat03 runs JDK 17.0.9, the others 17.0.12"),
        result("CC401", Status.PASS, "web1", "offset +3.2 ms"),
        result("CC401", Status.WARN, "tomcat02", "offset +142.0 ms is beyond 100 ms"),
        result("CC401", Status.PASS, "tomcat03", "offset -12.5 ms"),
        result("CC401", Status.SKIP, "tomcat04", "node unreachable"),
        result("CC501", Status.FAIL, None, "tomcat03 hears no heartbeat from web1 or tomcat02"),
        result("CC701", Status.PASS, "web1", "every webapp is distributable"),
        result(
            "CC701",
            Status.FAIL,
            "tomcat02",
            "shop.war does not declare <distributable/>",
            file="/opt/tomcat/webapps/shop.war!/WEB-INF/web.xml",
            line=3,
        ),
        result("CC701", Status.PASS, "tomcat03", "every webapp is distributable"),
        result("CC701", Status.SKIP, "tomcat04", "node unreachable"),
        result(
            "CC702",
            Status.WARN,
            "tomcat03",
            "admin is deployed on web1 only",
            waived="admin runs on web1 on purpose (until 2026-12-31)",
        ),
    ]


def sample_views() -> dict[str, Any]:
    jvm17 = {
        "version": "17.0.12",
        "vendor": "Eclipse Adoptium",
        "vm": "OpenJDK 64-Bit Server VM",
        "bits": 64,
    }
    return {
        "versions": [
            {"node": "web1", "tomcat": "10.1.34", "jvm": jvm17},
            {"node": "tomcat02", "tomcat": "10.1.34", "jvm": jvm17},
            {"node": "tomcat03", "tomcat": "10.1.31", "jvm": {**jvm17, "version": "17.0.9"}},
            {"node": "tomcat04", "tomcat": None, "jvm": None},
        ],
        "clocks": {
            "reference": {"server": "ntp1.example.com", "stratum": 2, "delay_ms": 1.8},
            "nodes": [
                {"node": "web1", "offset_ms": 3.2, "uncertainty_ms": 1.1, "status": "pass"},
                {"node": "tomcat02", "offset_ms": 142.0, "uncertainty_ms": 6.0, "status": "warn"},
                {"node": "tomcat03", "offset_ms": -12.5, "uncertainty_ms": 2.4, "status": "pass"},
                {"node": "tomcat04", "offset_ms": None, "uncertainty_ms": None, "status": "error"},
            ],
        },
        "multicast": {
            "members": ["web1", "tomcat02", "tomcat03"],
            "matrix": {
                "web1": {
                    "tomcat02": {"heard": True, "diagnosis": "", "status": "pass"},
                    "tomcat03": {"heard": True, "diagnosis": "", "status": "pass"},
                },
                "tomcat02": {
                    "web1": {"heard": True, "diagnosis": "", "status": "pass"},
                    "tomcat03": {"heard": True, "diagnosis": "", "status": "pass"},
                },
                "tomcat03": {
                    "web1": {"heard": False, "diagnosis": "no IGMP join seen", "status": "fail"},
                    "tomcat02": {
                        "heard": False,
                        "diagnosis": "no IGMP join seen",
                        "status": "fail",
                    },
                },
            },
        },
    }


def sample_report(**kw: Any) -> Report:
    """The 4-node report every renderer test starts from."""
    return make_report(sample_results(), **{"views": sample_views(), **kw})


def make_upgrade(value: str, nodes: list[str], tomcat: str = "10.1.62") -> Upgrade:
    """An upgrade to Tomcat `tomcat` with `value` in each text it shows: a move from it, a
    finding after the upgrade (and a waived one), one during it, and one of today's it clears."""
    return Upgrade(
        Target(tomcat=tomcat),
        (Move(nodes[0], "Tomcat", value, tomcat), Move(nodes[1], "Tomcat", "11.0.29", None)),
        after=(
            result("CC602", Status.FAIL, nodes[0], value, file=f"/opt/{value}.xml", line=5),
            result("CC602", Status.WARN, nodes[1], value, waived=value),
        ),
        during=(result("CC303", Status.FAIL, None, value),),
        gone=(result("CC201", Status.FAIL, nodes[0], value),),
        rolling_node=nodes[0],
    )
