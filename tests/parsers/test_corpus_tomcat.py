"""The shared corpus of real server.xml and web.xml files: every one parses without raising, and
facts checked by hand on a sample (files are read in place, never copied into the project)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clustercheck.knowledge import tomcat as cat
from clustercheck.parsers.serverxml import ServerXml, parse_server_xml
from clustercheck.parsers.webxml import WebXml, parse_web_xml

# the same place as conftest's corpus_dir fixture, needed here to name the parameters
CORPUS = Path(
    os.environ.get("CLUSTERCHECK_CORPUS", Path(__file__).resolve().parents[3] / "shared" / "corpus")
)
SERVERXML = sorted(p.name for p in (CORPUS / "serverxml").glob("*.xml"))
WEBXML = sorted(p.name for p in (CORPUS / "webxml").glob("*.xml"))
TRIBES = "org.apache.catalina.tribes."


def server(corpus_dir: Path, prefix: str, properties: dict[str, str] | None = None) -> ServerXml:
    [path] = (corpus_dir / "serverxml").glob(f"{prefix}_*.xml")
    return parse_server_xml(path.read_bytes(), str(path), properties or {})


def web(corpus_dir: Path, prefix: str) -> WebXml:
    [path] = (corpus_dir / "webxml").glob(f"{prefix}_*.xml")
    return parse_web_xml(path.read_bytes(), str(path))


def unknown(sx: ServerXml, major: int | None = None) -> list[tuple[str, int]]:
    assert sx.root is not None
    return [(e.path, e.line) for e in sx.root.iter() if not cat.known_element(e.path, major)]


def classes(sx: ServerXml) -> set[str]:
    assert sx.root is not None
    return {e.attrs["className"] for e in sx.root.iter() if "className" in e.attrs}


def test_corpus_is_there(corpus_dir: Path) -> None:
    assert len(list((corpus_dir / "serverxml").glob("*.xml"))) >= 30
    assert len(list((corpus_dir / "webxml").glob("*.xml"))) >= 20


@pytest.mark.parametrize("name", SERVERXML)
def test_every_server_xml_parses(corpus_dir: Path, name: str) -> None:
    sx = parse_server_xml((corpus_dir / "serverxml" / name).read_bytes(), name, {})
    assert sx.ok and sx.root is not None and sx.root.tag == "Server"


@pytest.mark.parametrize("name", WEBXML)
def test_every_web_xml_parses(corpus_dir: Path, name: str) -> None:
    wx = parse_web_xml((corpus_dir / "webxml" / name).read_bytes(), name)
    assert wx.ok and not wx.problems and wx.root == "web-app"


def test_well_formed_files_have_no_problems(corpus_dir: Path) -> None:
    broken = {n for n in SERVERXML if server(corpus_dir, n[:2]).problems}
    assert {n[:2] for n in broken} == {"08", "25"}


# ------------------------------------------------------------------------- server.xml


def test_01_bare_cluster_and_jvmroute(corpus_dir: Path) -> None:
    sx = server(corpus_dir, "01")
    assert (sx.jvm_route, sx.jvm_route_line) == ("tom-a", 128)
    [ajp] = sx.ajp_connectors
    assert (ajp.port, ajp.secret, ajp.secret_required, ajp.address, ajp.line) == (
        8009,
        None,
        None,
        None,
        116,
    )
    cluster = sx.cluster
    assert cluster and (cluster.parent, cluster.line) == ("Engine", 133)
    assert cluster.channel is None and cluster.membership is None and cluster.manager is None


def test_02_jvmroute_placeholder(corpus_dir: Path) -> None:
    sx = server(corpus_dir, "02")
    assert sx.jvm_route == "${jvmRoute}" and ("${jvmRoute}", 66) in sx.unresolved
    assert server(corpus_dir, "02", {"jvmRoute": "node2"}).jvm_route == "node2"
    cluster = sx.cluster
    assert cluster and cluster.membership
    assert (cluster.membership.attrs["address"], cluster.membership.attrs["port"]) == (
        "228.0.0.4",
        "45564",
    )
    assert cluster.receiver and cluster.receiver.attrs["address"] == "auto"
    [replication, _binder] = cluster.valves
    assert (
        cat.changed_semantics(
            "Valve", replication.class_name, "filter", replication.attrs["filter"], 9
        )
        is None
    )  # already a regex


def test_05_cluster_in_host_and_no_ajp(corpus_dir: Path) -> None:
    sx = server(corpus_dir, "05")
    assert sx.ajp_connectors == [] and sx.jvm_route is None
    cluster = sx.cluster
    assert cluster and (cluster.parent, cluster.host) == ("Host", "tomcatmanager")
    assert cluster.membership and cluster.membership.attrs["port"] == "45566"
    assert sx.default_host == "tomcatmanager"


def test_07_crlf_host_cluster_with_tomcat6_classes(corpus_dir: Path) -> None:
    sx = server(corpus_dir, "07")
    cluster = sx.cluster
    assert cluster and (cluster.parent, cluster.host, cluster.line) == ("Host", "localhost", 142)
    assert cluster.receiver and cluster.receiver.attrs["address"] == "172.17.0.3"
    assert cluster.deployer and cluster.deployer.line == 173
    binder = cluster.listeners[0]
    removal = cat.removed_class(binder.class_name or "", 9)
    assert removal and removal.removed_in == "8.0.0" and binder.line == 179


def test_08_truncated_file_without_service(corpus_dir: Path) -> None:
    sx = server(corpus_dir, "08")
    assert [p.line for p in sx.problems] == [35]
    # Connector and Engine sit directly in <Server>: the Digester has no rule for them there
    assert sx.connectors == [] and sx.clusters == [] and sx.jvm_route is None
    assert ("Server/Connector", 5) in unknown(sx) and ("Server/Engine", 6) in unknown(sx)
    assert cat.suggest_element("Engine", "Server") is None
    assert cat.expected_parents("Engine") == ["Server/Service"]


def test_09_ajp_without_secret_on_all_addresses(corpus_dir: Path) -> None:
    sx = server(corpus_dir, "09")
    [ajp] = sx.ajp_connectors
    assert (ajp.port, ajp.address, ajp.secret, ajp.secret_required) == (
        8009,
        "0.0.0.0",
        None,
        False,
    )
    assert sx.cluster and sx.cluster.receiver
    assert "selectTimeout" in sx.cluster.receiver.attrs  # misspelt selectorTimeout


def test_11_tomcat6_config_cannot_start_a_modern_tomcat(corpus_dir: Path) -> None:
    sx = server(corpus_dir, "11")
    assert sx.jvm_route == "worker1"
    removed = {c for c in classes(sx) if cat.removed_class(c, 9)}
    assert removed == {
        TRIBES + "group.interceptors.MessageDispatch15Interceptor",
        "org.apache.catalina.ha.session.JvmRouteSessionIDBinderListener",
        "org.apache.catalina.core.JasperListener",
        "org.apache.catalina.mbeans.ServerLifecycleListener",
    }
    assert {c for c in classes(sx) if cat.removed_class_v(c, "6.0.53")} == set()


def test_13_host_cluster_semicolon_filter_and_secret(corpus_dir: Path) -> None:
    sx = server(corpus_dir, "13")
    assert sx.jvm_route == "${jvmRoute}"
    [ajp] = sx.ajp_connectors
    assert (ajp.secret, ajp.secret_attr, ajp.secret_required, ajp.address) == (
        "mySecretKey",
        "secret",
        True,
        "0.0.0.0",
    )
    cluster = sx.cluster
    assert cluster and cluster.parent == "Host" and cluster.channel is None
    valve = cluster.valves[0]
    message = cat.changed_semantics("Valve", valve.class_name, "filter", valve.attrs["filter"], 10)
    assert message and 'filter=".*.gif|.*.jpg|.*.png|.*.css"' in message and valve.line == 45


def test_14_cloud_membership(corpus_dir: Path) -> None:
    cluster = server(corpus_dir, "14").cluster
    assert cluster and cluster.membership
    assert cluster.membership.class_name == TRIBES + "membership.cloud.CloudMembershipService"
    assert cat.added_class_v(cluster.membership.class_name, "8.5.100") is not None


def test_15_static_membership(corpus_dir: Path) -> None:
    sx = server(corpus_dir, "15")
    cluster = sx.cluster
    assert cluster and cluster.membership
    assert cluster.membership.class_name == TRIBES + "membership.StaticMembershipService"
    assert [(m.attrs["host"], m.attrs["port"], m.line) for m in cluster.members] == [
        ("tomcat1", "4000", 30),
        ("tomcat2", "4000", 35),
        ("tomcat3", "4000", 40),
    ]
    assert unknown(sx, 9) == [] and unknown(sx, 8)  # Membership/Member is 9.0.11+


def test_16_interceptors_outside_the_channel_are_ignored(corpus_dir: Path) -> None:
    sx = server(corpus_dir, "16")
    cluster = sx.cluster
    assert cluster and cluster.interceptors == []  # EncryptInterceptor is NOT in effect
    path = "Server/Service/Engine/Cluster/Interceptor"
    assert unknown(sx) == [(path, 33), (path, 35), (path, 36)]
    assert cat.expected_parents("Interceptor") == [
        "Server/Service/Engine/Cluster/Channel",
        "Server/Service/Engine/Host/Cluster/Channel",
    ]
    assert ("${chomp:secret.tribes_encryption}", 33) in sx.unresolved


def test_17_membership_and_receiver_ports_swapped(corpus_dir: Path) -> None:
    cluster = server(corpus_dir, "17").cluster
    assert cluster and cluster.membership and cluster.receiver
    assert (cluster.membership.attrs["address"], cluster.membership.attrs["port"]) == (
        "224.0.0.1",
        "4000",
    )
    assert (cluster.receiver.attrs["address"], cluster.receiver.attrs["port"]) == (
        "localhost",
        "45564",
    )


def test_18_static_members_through_the_interceptor(corpus_dir: Path) -> None:
    cluster = server(corpus_dir, "18").cluster
    assert cluster and cluster.membership is None
    [member] = cluster.members
    assert (member.attrs["host"], member.attrs["domain"], member.line) == (
        "Node-2_IP",
        "staging-cluster",
        167,
    )


def test_19_context_distributed_is_a_typo(corpus_dir: Path) -> None:
    sx = server(corpus_dir, "19")
    assert sx.root is not None
    [context] = [e for e in sx.root.iter() if e.tag == "Context"]
    assert context.attrs == {"distributed": "true", "path": "/examples"}
    assert cat.changed_semantics("Context", None, "distributable", "true", 7)


def test_24_tomcat5_cluster(corpus_dir: Path) -> None:
    sx = server(corpus_dir, "24")
    assert sx.jvm_route == "@CNODE@"  # Ant tokens, not ${...}: nothing to resolve
    [ajp] = sx.ajp_connectors
    assert ajp.port is None and ajp.attrs["port"] == "@AJP@"
    cluster = sx.cluster
    assert cluster and (cluster.parent, cluster.host, cluster.line) == ("Host", "localhost", 307)
    # Tomcat 5 put Membership/Receiver/Sender straight in <Cluster>; 6+ reads them in <Channel>
    assert cluster.membership is None and cluster.channel is None
    strangers = {p for p, _ in unknown(sx, 6)}
    assert {
        "Server/Service/Engine/Host/Cluster/Membership",
        "Server/Service/Engine/Logger",
        "Server/GlobalNamingResources/ResourceParams",
    } <= strangers
    assert unknown(sx, 5) == []  # Tomcat 5 is not judged
    removal = cat.removed_class(cluster.class_name or "", 6)
    assert removal and removal.removed_in == "6.0.0"


def test_25_comment_closed_with_bang(corpus_dir: Path) -> None:
    sx = server(corpus_dir, "25")
    [problem] = sx.problems
    assert problem.line == 135 and "not well-formed" in problem.message
    assert sx.jvm_route == "tomcat1" and sx.clusters == []
    assert [c.port for c in sx.ajp_connectors] == [8009]
    assert any("SimpleTcpCluster" in text and line == 133 for text, line in sx.comments)


def test_26_apr_connectors_gone_in_10_1(corpus_dir: Path) -> None:
    sx = server(corpus_dir, "26")
    apr = [c for c in sx.connectors if c.protocol.endswith("Http11AprProtocol")]
    assert [c.port for c in apr] == [8002, 8003] and sx.ajp_connectors == []
    assert cat.removed_class(apr[0].protocol, 10) and not cat.removed_class(apr[0].protocol, 9)


def test_29_two_ajp_connectors(corpus_dir: Path) -> None:
    assert [c.port for c in server(corpus_dir, "29").ajp_connectors] == [8080, 8009]


def test_30_ajp_secret(corpus_dir: Path) -> None:
    [ajp] = server(corpus_dir, "30").ajp_connectors
    assert (ajp.secret, ajp.secret_required, ajp.address) == (
        "YF44I0EzgTiZEGBYxxkc4E48zOI8",
        True,
        "0.0.0.0",
    )


def test_22_route_from_a_property(corpus_dir: Path) -> None:
    sx = server(corpus_dir, "22", {"load-balancer.route": "tc-a"})
    assert sx.jvm_route == "tc-a" and sx.unresolved == []


def test_no_surprise_elements_in_the_modern_files(corpus_dir: Path) -> None:
    """Catalogue completeness: only the known oddities are unknown to the Digester."""
    odd = {n[:2] for n in SERVERXML if unknown(server(corpus_dir, n[:2]))}
    assert odd == {"08", "16", "24"}


# --------------------------------------------------------------------------- web.xml


@pytest.mark.parametrize(
    ("prefix", "line"),
    [("01", 30), ("02", 10), ("03", 38), ("05", 7), ("12", 7), ("13", 7), ("15", 10), ("16", 29)],
)
def test_distributable_web_apps(corpus_dir: Path, prefix: str, line: int) -> None:
    wx = web(corpus_dir, prefix)
    assert (wx.distributable, wx.line, wx.ignored) == (True, line, [])


@pytest.mark.parametrize(
    ("prefix", "ignored"),
    [
        ("17", [("<distributable/>", 33, "it is commented out")]),
        ("18", [("<distributable/>", 32, "it is commented out")]),
        ("19", []),
        ("20", []),
        ("21", []),
        ("22", []),
    ],
)
def test_not_distributable_web_apps(
    corpus_dir: Path, prefix: str, ignored: list[tuple[str, int, str]]
) -> None:
    wx = web(corpus_dir, prefix)
    assert (wx.distributable, wx.line, wx.ignored) == (False, None, ignored)


def test_web_xml_details(corpus_dir: Path) -> None:
    assert web(corpus_dir, "01").metadata_complete
    assert web(corpus_dir, "13").version is None  # Servlet 2.3 DOCTYPE, no version attribute
    assert web(corpus_dir, "15").version == "5.0"


def test_web_xml_session_config(corpus_dir: Path) -> None:
    session = web(corpus_dir, "17").session
    assert session is not None and session.cookie_name is None
    assert session.tracking_modes is not None
    assert (session.tracking_modes.value, session.tracking_modes.line) == ({"COOKIE"}, 116)
    session = web(corpus_dir, "08").session  # only a timeout: the defaults apply
    assert session is not None and (session.cookie_name, session.tracking_modes) == (None, None)
