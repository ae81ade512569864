"""The front-end view from real files through the real engine: each member's seam values side by
side, each marked with the verdict of the check that owns it (the view judges nothing), in the
JSON, the terminal and the HTML report; a secret never shown, a hostile member name escaped."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from clusterfiles import apache_files, build, three_tomcats, tomcat_files

from clustercheck.collect.gather import gather
from clustercheck.derive.derived import Derived
from clustercheck.engine.registry import load_checks, select
from clustercheck.engine.results import Result, Status
from clustercheck.engine.runner import run_checks
from clustercheck.engine.waivers import apply_waivers
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.facts.probes import Outcome, ProbeResult
from clustercheck.inventory.loader import load_inventory
from clustercheck.report.formats import RenderOptions
from clustercheck.report.frontend_view import MemberView, SeamView
from clustercheck.report.model import Report, build_report
from clustercheck.reports import html, json_report, terminal

# the checks that exist on this branch and own a row; the rows of CC105-CC108 are marked only
# by their results (see test_later_checks_mark_their_rows_by_the_convention)
OWNERS = ("CC101", "CC102", "CC103", "CC202")
T1, T2, T3, WEB = "tomcat01", "tomcat02", "tomcat03", "web1"


def report_of(
    inventory: Path,
    extra: Sequence[Result] = (),
    change: Callable[[ClusterFacts], None] | None = None,
) -> Report:
    """The run's Report as the command line builds it (waivers applied), over the checks that
    own a row, with `extra` results as a check not on this branch would give them."""
    settings = load_inventory(inventory)
    facts = gather(settings)
    if change is not None:
        change(facts)
    derived = Derived(facts)
    catalogue = load_checks()
    checks = select(catalogue, list(OWNERS))
    results, _ = apply_waivers(
        run_checks(checks, facts, derived), settings.waivers, date.today(), catalogue
    )
    return build_report(facts, checks, [*results, *extra], derived)


def members(report: Report) -> dict[str, MemberView]:
    (view,) = report.views.front_ends
    return {m.name: m for m in view.members}


def seam(report: Report, member: str, key: str) -> SeamView:
    return next(s for s in members(report)[member].seams if s.row.key == key)


def marks(report: Report, key: str) -> dict[str, str | None]:
    """Each member's mark on one row: the status word, or None when unmarked."""
    return {
        name: (s.mark.status.value if s.mark.status else None)
        for name, m in members(report).items()
        for s in m.seams
        if s.row.key == key
    }


def rendered(module: Any, report: Report, **options: Any) -> str:
    out = module.FORMAT.render(report, RenderOptions(**options))
    return out if isinstance(out, str) else "".join(out)


def with_waiver(inventory: Path, waiver: dict[str, str]) -> Path:
    data = yaml.safe_load(inventory.read_text())
    data["waivers"] = [waiver]
    inventory.write_text(yaml.safe_dump(data, sort_keys=False))
    return inventory


ALL_PASS: Mapping[str, str | None] = {T1: "pass", T2: "pass", T3: "pass"}
UNMARKED: Mapping[str, str | None] = {T1: None, T2: None, T3: None}
DIFFERENT = 'address="0.0.0.0" secret="other-secret"'

# case -> (cluster, row, each member's mark)
CASES: dict[str, tuple[Callable[..., Path], str, Mapping[str, str | None]]] = {
    "healthy: port": (three_tomcats, "port", ALL_PASS),
    "healthy: secret": (three_tomcats, "secret", ALL_PASS),
    "healthy: route": (three_tomcats, "route", ALL_PASS),
    "offline: no CPing verdict": (three_tomcats, "cping", UNMARKED),
    "no result of CC105 here": (three_tomcats, "packet_size", UNMARKED),
    "jvmRoute differs": (
        lambda t: three_tomcats(t, {T2: {"jvm_route": "other"}}),
        "route",
        {T1: "pass", T2: "fail", T3: "pass"},
    ),
    "secret differs": (
        lambda t: three_tomcats(t, {T3: {"ajp_extra": DIFFERENT}}),
        "secret",
        {T1: "pass", T2: "pass", T3: "fail"},
    ),
    "port moved": (
        lambda t: three_tomcats(t, {T2: {"ajp_port": 8010}}),
        "port",
        {T1: "pass", T2: "fail", T3: "pass"},
    ),
    "port moved: no route verdict for an unmatched member": (
        lambda t: three_tomcats(t, {T2: {"ajp_port": 8010}}),
        "route",
        {T1: "pass", T2: None, T3: "pass"},
    ),
    "waived: weighs as a pass": (
        lambda t: with_waiver(
            three_tomcats(t, {T2: {"jvm_route": "other"}}),
            {"code": "CC202", "node": WEB, "reason": "renamed next week"},
        ),
        "route",
        ALL_PASS,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_each_value_carries_its_check_s_verdict(case: str, tmp_path: Path) -> None:
    cluster, key, expected = CASES[case]
    assert marks(report_of(cluster(tmp_path)), key) == expected


def test_a_waived_finding_says_so(tmp_path: Path) -> None:
    inventory = with_waiver(
        three_tomcats(tmp_path, {T2: {"jvm_route": "other"}}),
        {"code": "CC202", "node": WEB, "reason": "renamed next week"},
    )
    report = report_of(inventory)
    assert seam(report, T2, "route").mark.waived == 1
    assert "other ok*" in rendered(terminal, report, width=120)


def test_both_sides_with_directive_and_where(tmp_path: Path) -> None:
    extra = 'address="0.0.0.0" secret="s3cret" packetSize="16384" keepAliveTimeout="20000"'
    report = report_of(three_tomcats(tmp_path, {T2: {"ajp_extra": extra}}))
    member = members(report)[T2]
    assert (member.tomcat, member.connector_line, member.balancer) == (T2, 5, "lb")
    assert member.connector_file == "/opt/tomcat/conf/server.xml"
    packet = seam(report, T2, "packet_size")
    assert packet.front and packet.tomcat
    assert (packet.front.text, packet.front.directive, packet.front.where) == (
        "8192 bytes",
        "worker.tomcat02.max_packet_size",
        "default",
    )
    assert (packet.tomcat.text, packet.tomcat.directive, packet.tomcat.where) == (
        "16384 bytes",
        "packetSize",
        "/opt/tomcat/conf/server.xml:5",
    )
    idle = seam(report, T2, "idle_timeout")
    assert idle.front and idle.tomcat
    assert (idle.front.text, idle.tomcat.text, idle.tomcat.value) == ("no limit", "20 s", 20000.0)
    route = seam(report, T2, "route")
    assert route.front and route.tomcat
    assert (route.front.text, route.front.defaulted) == (T2, True)  # mod_jk: the worker's name
    assert (route.tomcat.directive, route.tomcat.line) == ("<Engine jvmRoute>", 6)
    connect = seam(report, T2, "connect_timeout")
    assert connect.front and connect.tomcat is None  # Tomcat has no counterpart


def test_an_unmatched_member_shows_its_own_side_only(tmp_path: Path) -> None:
    report = report_of(three_tomcats(tmp_path, {T2: {"ajp_port": 8010}}))
    member = members(report)[T2]
    assert (member.tomcat, member.connector_file, member.port) == (None, None, 8009)
    live = ("cping", "runtime")  # what only a live run shows
    assert all(s.front is not None for s in member.seams if s.row.key not in live)
    assert all(s.tomcat is None for s in member.seams)
    port = seam(report, T2, "port")
    assert any("no AJP connector listens on port 8009" in m for m in port.mark.messages)


def test_the_secret_is_compared_never_shown(tmp_path: Path) -> None:
    report = report_of(three_tomcats(tmp_path, {T3: {"ajp_extra": DIFFERENT}}))
    assert seam(report, T1, "secret").summary == "agree"
    secret = seam(report, T3, "secret")
    assert secret.summary == "differ"
    assert secret.front and secret.tomcat
    assert (secret.front.text, secret.front.value, secret.front.written) == ("set", None, None)
    for module in (json_report, terminal, html):
        out = rendered(module, report, width=200)
        assert "s3cret" not in out and "other-secret" not in out
    secrets = json.loads(rendered(json_report, report))["views"]["front_ends"][0]
    shown = {m["name"]: m["seams"]["secret"] for m in secrets["members"]}
    assert shown[T3]["summary"] == "differ" and shown[T3]["status"] == "fail"


def test_the_connector_s_answer_to_cping(tmp_path: Path) -> None:
    def probed(facts: ClusterFacts) -> None:
        web = facts.nodes[WEB]
        web.recorded = True  # as a snapshot of a live run
        web.live.ajp_probes = (
            ProbeResult("10.0.0.11", 8009, Outcome.CPONG, 0.8, "", WEB),
            ProbeResult("10.0.0.12", 8009, Outcome.REFUSED, 0.1, "", WEB),
        )

    report = report_of(three_tomcats(tmp_path), change=probed)
    assert marks(report, "cping") == {T1: "pass", T2: "fail", T3: "error"}
    answers = {name: seam(report, name, "cping").tomcat for name in (T1, T2, T3)}
    assert {n: a.text if a else None for n, a in answers.items()} == {
        T1: "CPong 0.8 ms",
        T2: "refused",
        T3: "not probed",
    }


def _result(code: str, status: Status, node: str, **details: Any) -> Result:
    return Result(code, code.lower(), status, node, f"{code} says {status.value}", details=details)


def test_later_checks_mark_their_rows_by_the_convention(tmp_path: Path) -> None:
    """CC105-CC108 are written beside this view: a result marks a member's row when it names the
    member (details["worker"], one or a list) and its apache node, or its Tomcat node with the
    apache node in details["apache"] (CC107)."""
    extra = [
        _result("CC105", Status.FAIL, WEB, worker=T2, tomcat=T2),
        _result("CC105", Status.PASS, WEB, worker=T1, tomcat=T1),
        _result("CC106", Status.WARN, WEB, worker="tomcat0", tomcat=T3),  # not a member's name
        _result("CC107", Status.WARN, T1, worker=[T1, T2], apache=[WEB]),
        _result("CC107", Status.FAIL, T3, worker=[T3], apache=["web2"]),  # another apache node
        _result("CC108", Status.FAIL, T3, worker=T3),  # the Tomcat node without details["apache"]
    ]
    report = report_of(three_tomcats(tmp_path), extra)
    assert marks(report, "packet_size") == {T1: "pass", T2: "fail", T3: None}
    assert marks(report, "idle_timeout") == marks(report, "connect_timeout") == UNMARKED
    assert marks(report, "pool") == {T1: "warn", T2: None, T3: None}
    assert marks(report, "address") == UNMARKED


def test_terminal_fits_80_columns_and_says_each_verdict(tmp_path: Path) -> None:
    report = report_of(three_tomcats(tmp_path, {T2: {"jvm_route": "other"}}))
    out = rendered(terminal, report, width=80)
    table = out[out.index("front end web1") : out.index("Findings")]
    assert max(len(line) for line in table.splitlines()) <= 80
    header = next(line for line in table.splitlines() if T1 in line and T3 in line)
    assert header.split() == [T1, T2, T3]  # three members side by side in 80 columns
    route = table[table.index("route CC202") : table.index("packet CC105")]
    assert route.count(" ok") == 2 and route.count("FAIL") == 1 and "other" in route
    assert "8K* | 8K*" in table  # defaults marked, sizes abbreviated


def test_terminal_puts_members_beyond_the_width_in_further_tables(tmp_path: Path) -> None:
    report = report_of(three_tomcats(tmp_path))
    out = rendered(terminal, report, width=60)
    assert out.count("front end web1") == 1 and out.count("route CC202") == 2
    assert max(len(line) for line in out.splitlines()) <= 60


def test_html_marks_each_cell_with_word_and_colour(tmp_path: Path) -> None:
    report = report_of(three_tomcats(tmp_path, {T2: {"jvm_route": "other"}}))
    document = rendered(html, report)
    part = re.search(r'<section id="front-ends">(.*?)</section>', document, re.S)
    assert part and 'href="#front-ends"' in document
    route = re.search(r"<th class=\"seam\">route.*?</tr>", part.group(1), re.S)
    assert route
    looks = [html.LOOK[s].background for s in (Status.PASS, Status.FAIL, Status.PASS)]
    cells = re.findall(r'<td style="background:(#\w+);color:#\w+" title="([^"]*)"', route.group(0))
    assert [background for background, _ in cells] == looks
    assert "has jvmRoute" in cells[1][1]  # the check's message, in the tooltip
    assert '<span class="sub">FAIL</span>' in route.group(0)


XSS = "<script>alert(1)</script>"


def test_a_member_name_holding_markup_is_shown_as_text(tmp_path: Path) -> None:
    """From a real workers.properties through the engine to each report."""
    name = f"t1{XSS}"
    workers = (
        f"worker.list=lb\nworker.lb.type=lb\nworker.lb.balance_workers={name}\n"
        f"worker.{name}.type=ajp13\nworker.{name}.host=10.0.0.11\nworker.{name}.port=8009\n"
        f"worker.{name}.secret=s3cret\n"
    )
    inventory = build(
        tmp_path,
        {
            T1: {"host": "10.0.0.11", "roles": ["tomcat"]},
            WEB: {"host": "10.0.0.1", "roles": ["apache"]},
        },
        {T1: tomcat_files(T1), WEB: apache_files(workers)},
    )
    report = report_of(inventory)
    assert name in members(report)
    document = rendered(html, report)
    assert "<script" not in document.lower()
    assert "t1&lt;script&gt;alert(1)&lt;/script&gt;" in document
    out = rendered(terminal, report, width=200)
    assert name in out  # shown as written: the terminal has no markup
