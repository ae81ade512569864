"""CC506 static-membership on the static lab's server.xml (tests/lab/templates, started by the
real Tomcat 10.1 in the static lab) with each fault the lab can switch on and the ones it cannot,
on public configurations (tests/fixtures/static/SOURCES.md), and live on the connections read
from the static lab's socket tables (tests/fixtures/runtime/static-*.txt)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from clusterfiles import build, tomcat_files

from clustercheck.collect.gather import gather
from clustercheck.collect.plan import receiver_targets
from clustercheck.derive.derived import Derived
from clustercheck.derive.static_membership import INTERCEPTOR, static_lists
from clustercheck.engine.registry import load_checks, select
from clustercheck.engine.runner import run_checks
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.facts.runtime import Connection, RuntimeFacts, ServerProcess
from clustercheck.inventory.loader import load_inventory
from clustercheck.parsers.runtime import parse_runtime
from clustercheck.report.formats import RenderOptions
from clustercheck.report.model import Report
from clustercheck.report.views import build_views
from clustercheck.reports import html, json_report, terminal

HOSTS = {"tomcat01": "10.89.160.11", "tomcat02": "10.89.160.12", "tomcat03": "10.89.160.13"}
FIXTURES = Path(__file__).parent.parent / "fixtures"
MEMBER = """
            <Member className="org.apache.catalina.tribes.membership.StaticMember"
                    host="{host}" port="{port}"
                    uniqueId="{{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,{last}}}"/>"""


def static_cluster(
    members: str,
    receiver_port: int = 4000,
    start: str = "",
    local: str = "",
    membership: str = "org.apache.catalina.tribes.membership.StaticMembershipService",
) -> str:
    """The static lab's <Cluster> (tests/lab/templates/server.xml with membership-static.xml)."""
    return f"""
      <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster"
               channelSendOptions="6"{start}>
        <Manager className="org.apache.catalina.ha.session.DeltaManager"
                 expireSessionsOnShutdown="false" notifyListenersOnReplication="true"/>
        <Channel className="org.apache.catalina.tribes.group.GroupChannel">
          <Membership className="{membership}">{local}{members}
          </Membership>
          <Receiver className="org.apache.catalina.tribes.transport.nio.NioReceiver"
                    address="auto" port="{receiver_port}" autoBind="100" selectorTimeout="5000"
                    maxThreads="6"/>
          <Interceptor
            className="org.apache.catalina.tribes.group.interceptors.TcpFailureDetector"/>
          <Interceptor
            className="org.apache.catalina.tribes.group.interceptors.MessageDispatchInterceptor"/>
        </Channel>
      </Cluster>"""


def members(
    skip: str | None = None, ports: dict[str, int] | None = None, ids: dict[str, int] | None = None
) -> str:
    """Every node's entry (the lab's one list), less `skip`, with other ports or uniqueIds."""
    return "".join(
        MEMBER.format(
            host=host,
            port=(ports or {}).get(name, 4000),
            last=(ids or {}).get(name, int(name[-1])),
        )
        for name, host in HOSTS.items()
        if name != skip
    )


def facts_of(tmp: Path, clusters: dict[str, str], hosts_file: str | None = None) -> ClusterFacts:
    """The three nodes with these Clusters (the static lab's by default) and, when given, this
    /etc/hosts on every node."""
    nodes = {name: {"host": host, "roles": ["tomcat"]} for name, host in HOSTS.items()}
    files = {n: tomcat_files(n, cluster=clusters.get(n, static_cluster(members()))) for n in HOSTS}
    if hosts_file is not None:
        for found in files.values():
            found["/etc/hosts"] = hosts_file
    return gather(load_inventory(build(tmp, nodes, files)))


def verdicts(facts: ClusterFacts) -> set[tuple[str | None, str, str]]:
    """(node, status, rule) of every result that is not a pass or a skip."""
    results = run_checks(select(load_checks(), ["CC506"]), facts)
    return {
        (r.node, r.status.value, (r.details or {}).get("rule", ""))
        for r in results
        if r.status.value not in ("pass", "skip")
    }


ASYMMETRIC = static_cluster(members(skip="tomcat01"))
DUPLICATE = static_cluster(members(ids={"tomcat03": 2}))
MOVED = static_cluster(members(ports={"tomcat02": 4001}), receiver_port=4001)
INTERCEPTOR_CLUSTER = """
      <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster"{start}>
        <Channel className="org.apache.catalina.tribes.group.GroupChannel">
          <Receiver className="org.apache.catalina.tribes.transport.nio.NioReceiver" port="4000"/>
          <Interceptor
            className="org.apache.catalina.tribes.group.interceptors.TcpFailureDetector"/>
          <Interceptor
            className="org.apache.catalina.tribes.group.interceptors.StaticMembershipInterceptor">
            <LocalMember className="org.apache.catalina.tribes.membership.StaticMember"
                         host="{local}" port="4000"
                         uniqueId="{{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,{last}}}"/>{others}
          </Interceptor>
        </Channel>
      </Cluster>"""


def interceptor(name: str, start: str = ' channelStartOptions="3"', local: str = "") -> str:
    others = members(skip=name)
    last = int(name[-1])
    return INTERCEPTOR_CLUSTER.format(
        start=start, local=local or HOSTS[name], last=last, others=others
    )


@pytest.mark.parametrize(
    ("clusters", "expected"),
    [
        pytest.param({}, set(), id="the-static-lab"),
        pytest.param(
            {"tomcat03": ASYMMETRIC}, {("tomcat03", "warn", "incomplete")}, id="asymmetric"
        ),
        pytest.param(
            {"tomcat03": ASYMMETRIC, "tomcat01": static_cluster(members(skip="tomcat03"))},
            {("tomcat01", "fail", "incomplete"), ("tomcat03", "fail", "incomplete")},
            id="neither-lists-the-other",
        ),
        pytest.param(
            dict.fromkeys(HOSTS, DUPLICATE),
            {
                ("tomcat02", "warn", "duplicate-unique-id"),
                ("tomcat03", "warn", "duplicate-unique-id"),
            },
            id="dup-uniqueid",
        ),
        pytest.param(
            {"tomcat02": MOVED},
            {("tomcat01", "warn", "port-mismatch"), ("tomcat03", "warn", "port-mismatch")},
            id="port-mismatch",
        ),
        pytest.param(
            {
                "tomcat02": static_cluster(
                    members(ports={"tomcat02": 4001, "tomcat01": 4100}), receiver_port=4001
                )
            },
            {
                ("tomcat01", "fail", "port-mismatch"),
                ("tomcat02", "fail", "port-mismatch"),
                ("tomcat03", "warn", "port-mismatch"),
            },
            id="port-mismatch-on-both-sides",
        ),
        pytest.param(
            {
                "tomcat01": static_cluster(
                    members() + MEMBER.format(host="127.0.0.1", port=4000, last=9)
                )
            },
            {("tomcat01", "fail", "loopback")},
            id="loopback-member",
        ),
        pytest.param(
            {
                "tomcat01": static_cluster(
                    members(ports={"tomcat01": 4000})
                    + MEMBER.format(host=HOSTS["tomcat01"], port=4100, last=9)
                )
            },
            {("tomcat01", "fail", "own-address")},
            id="own-address-other-port",
        ),
        pytest.param(
            {
                "tomcat01": static_cluster(
                    members() + MEMBER.format(host="10.89.161.9", port=4000, last=9)
                )
            },
            {("tomcat01", "warn", "unknown-member")},
            id="unknown-member",
        ),
        pytest.param(
            {"tomcat02": static_cluster(members(), start=' channelStartOptions="3"')},
            {("tomcat02", "fail", "start-options")},
            id="service-never-started",
        ),
        pytest.param(
            {"tomcat02": static_cluster(members(ids={"tomcat01": 7}))},
            {("tomcat02", "warn", "unique-id-differs")},
            id="uniqueid-differs",
        ),
        pytest.param(
            {n: interceptor(n) for n in HOSTS}, set(), id="interceptor-recipe-without-multicast"
        ),
        pytest.param(
            {**{n: interceptor(n) for n in HOSTS}, "tomcat01": interceptor("tomcat01", start="")},
            {("tomcat01", "warn", "start-options")},
            id="interceptor-with-multicast",
        ),
        pytest.param(
            {
                **{n: interceptor(n) for n in HOSTS},
                "tomcat01": interceptor("tomcat01", local="10.89.160.99"),
            },
            {("tomcat01", "fail", "local-member")},
            id="interceptor-local-member-elsewhere",
        ),
    ],
)
def test_static_lists(
    tmp_path: Path, clusters: dict[str, str], expected: set[tuple[str, str, str]]
) -> None:
    assert verdicts(facts_of(tmp_path, clusters)) == expected


# the lab's sshd hostnames, as a Debian /etc/hosts would name the nodes
LAB_HOSTS = "127.0.0.1\tlocalhost\n" + "".join(
    f"{address}\tnode{name[-1]}.lab node{name[-1]}\n" for name, address in HOSTS.items()
)


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("node3.lab", set()),  # its address in the listing node's hosts file
        ("{10,89,-96,13}", set()),  # signed bytes, as StaticMember.setHost reads them
        ("tomcat03.example.com", {("tomcat01", "warn", "unknown-member")}),  # only DNS knows
        ("localhost", {("tomcat01", "fail", "loopback")}),
    ],
)
def test_a_member_host_is_read_as_the_listing_node_resolves_it(
    tmp_path: Path, host: str, expected: set[tuple[str, str, str]]
) -> None:
    listed = members(skip="tomcat03") + MEMBER.format(host=host, port=4000, last=3)
    facts = facts_of(tmp_path, {"tomcat01": static_cluster(listed)}, LAB_HOSTS)
    unlisted = {("tomcat01", "warn", "incomplete")} if expected else set()  # tomcat03 lists it
    assert verdicts(facts) == expected | unlisted


def test_the_docs_example_is_read_as_an_interceptor_list(tmp_path: Path) -> None:
    facts = facts_of(tmp_path, {"tomcat01": public("apache-docs-interceptor.xml")}, LAB_HOSTS)
    static = static_lists(facts)["tomcat01"]
    assert static.kind == INTERCEPTOR and static.local is None and static.multicast
    (entry,) = static.members
    assert (entry.host, entry.port, entry.unique_id) == (
        "tomcat01.mydomain.com",
        5678,
        "{0,1,2,3,4,5,6,7,8,9}",
    )
    assert entry.peer is None and "DNS answers for it" in entry.why


def public(name: str) -> str:
    return (FIXTURES / "static" / name).read_text()


def test_tomcat_docs_interceptor_example(tmp_path: Path) -> None:
    """Its one member is a name only DNS knows, and McastService runs beside it."""
    found = verdicts(
        facts_of(tmp_path, dict.fromkeys(HOSTS, public("apache-docs-interceptor.xml")))
    )
    assert ("tomcat01", "warn", "unknown-member") in found
    assert ("tomcat01", "warn", "start-options") in found
    assert ("tomcat01", "fail", "incomplete") in found


def test_a_template_whose_members_come_at_deploy_time_lists_nobody(tmp_path: Path) -> None:
    found = verdicts(facts_of(tmp_path, dict.fromkeys(HOSTS, public("jelastic-empty-static.xml"))))
    assert found == {(n, "fail", "incomplete") for n in HOSTS}


def test_no_static_membership_is_a_skip(tmp_path: Path) -> None:
    nodes = {name: {"host": host, "roles": ["tomcat"]} for name, host in HOSTS.items()}
    facts = gather(load_inventory(build(tmp_path, nodes, {n: tomcat_files(n) for n in HOSTS})))
    results = run_checks(select(load_checks(), ["CC506"]), facts)
    assert [(r.status.value, r.message) for r in results] == [
        ("skip", "no node uses static membership (StaticMembershipService or the interceptor)")
    ]


def test_receiver_probes_go_to_each_receiver_without_heartbeats(tmp_path: Path) -> None:
    """Without heartbeats, each member probes the others' receivers as configured, not where a
    list says: the static lab's port-mismatch showed Tomcat replicating to tomcat02's real port,
    4001, which tomcat02's own pings announce, while the lists of the others still say 4000."""
    facts = facts_of(tmp_path, {"tomcat02": MOVED})
    for node in facts.nodes.values():
        node.offline = False
    targets = receiver_targets(facts, {})
    assert targets["tomcat01"] == [(HOSTS["tomcat02"], 4001), (HOSTS["tomcat03"], 4000)]


def live(tmp: Path, clusters: dict[str, str] | None = None) -> ClusterFacts:
    """The static lab's nodes with the socket tables read from n1 and n3 in the healthy static
    lab (tests/fixtures/runtime/static-n*-script.txt: its ps lines left out); n2's not read."""
    facts = facts_of(tmp, clusters or {})
    for name, fixture in (
        ("tomcat01", "static-n1-script.txt"),
        ("tomcat03", "static-n3-script.txt"),
    ):
        output = parse_runtime((FIXTURES / "runtime" / fixture).read_text())
        assert output.links is not None
        connections = tuple(
            Connection(c.local, c.local_port, c.remote, c.remote_port) for c in output.links
        )
        java = next(b.pid for b in output.sockets or () if b.port == 4000)  # its Tomcat
        facts.nodes[name].live.runtime = RuntimeFacts(
            output.table.now or 0.0,
            tomcat=ServerProcess(java or 0, "root", 0.0),
            connections=connections,
        )
    return facts


def test_members_that_talk_pass_and_the_matrix_shows_it(tmp_path: Path) -> None:
    facts = live(tmp_path)
    results = run_checks(select(load_checks(), ["CC506"]), facts)
    said = {(r.node, r.status.value, r.message) for r in results}
    assert {(n, s) for n, s, _ in said} == {(n, "pass") for n in HOSTS}
    assert any(
        "talks to the 2 member(s) its list names" in m for n, s, m in said if n == "tomcat01"
    )
    view = build_views(facts, Derived(facts)).static_membership
    assert view is not None
    cell = view.matrix["tomcat02"]["tomcat03"]
    assert (view.words(cell), cell.status.value) == ("lists, talks", "pass")
    assert "tomcat03's socket table" in cell.talk.seen  # n2's own table was not read
    assert view.as_dict()["matrix"]["tomcat01"]["tomcat03"]["connected"] is True


def test_listed_members_without_a_connection_warn(tmp_path: Path) -> None:
    """The same tables without the n1-n3 connections (as if the two had never talked)."""
    facts = live(tmp_path)
    for name, other in (("tomcat01", HOSTS["tomcat03"]), ("tomcat03", HOSTS["tomcat01"])):
        runtime = facts.nodes[name].live.runtime
        assert runtime is not None and runtime.connections is not None
        runtime.connections = tuple(c for c in runtime.connections if c.remote != other)
    results = run_checks(select(load_checks(), ["CC506"]), facts)
    warned = {r.node: r.message for r in results if r.status.value == "warn"}
    assert set(warned) == {"tomcat01", "tomcat03"}
    assert "no Tribes connection with tomcat03" in warned["tomcat01"]


def test_the_terminal_html_and_json_reports_show_the_static_matrix(tmp_path: Path) -> None:
    """The asymmetric lab's lists with the healthy lab's tables: tomcat03 does not list
    tomcat01, and the two talk all the same (tomcat01's pings)."""
    facts = live(tmp_path, {"tomcat03": ASYMMETRIC})
    checks = select(load_checks(), ["CC506"])
    derived = Derived(facts)
    results = run_checks(checks, facts, derived)
    report = Report(facts, checks, results, build_views(facts, derived, results))
    text = "".join(terminal.FORMAT.render(report, RenderOptions(width=120)))
    assert "who lists whom" in text and "NOT listed, talks" in text
    page = "".join(html.FORMAT.render(report, RenderOptions()))
    assert '<section id="static">' in page and "NOT listed, talks" in page
    data = json.loads("".join(json_report.FORMAT.render(report, RenderOptions())))
    cell = data["views"]["static_membership"]["matrix"]["tomcat03"]["tomcat01"]
    assert cell == {
        "listed": False,
        "listed_back": True,
        "connected": True,
        "seen": "tomcat03:54938 -> tomcat01:4000 (tomcat03's socket table)",
        "status": "warn",
    }
