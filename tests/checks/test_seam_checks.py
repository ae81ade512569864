"""CC105 ajp-packet-size and CC106 ajp-timeouts on real files through the real engine.

Each case lays out web1 (httpd with mod_jk, 10.0.0.1) in front of tomcat01 (10.0.0.11, or web1's
own host), with one lb member `tomcat01` whose workers.properties lines and AJP connector
attributes are the case's, judges it with one check and compares the member's result (CC106:
its idle or its connect result) with the expected status and a fragment of the message.

What the verdicts rely on about Tomcat (packetSize raised to 8192, keepAliveTimeout falling
back to connectionTimeout, -1 as no limit) was seen on the real Tomcat 10.1 (knowledge/
tomcat.py says how); the version cases follow the source of each line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from clusterfiles import apache_files, build, judge, tomcat_files

from clustercheck.collect.gather import gather
from clustercheck.derive.connector import connector_side
from clustercheck.derive.derived import Derived
from clustercheck.derive.frontend import Module, Seam
from clustercheck.engine.results import Result
from clustercheck.inventory.loader import load_inventory
from clustercheck.knowledge import modjk, tomcat

Builder = Callable[[Path], Path]
WEB, T1 = "web1", "tomcat01"
WORKERS_FILE = "/etc/httpd/conf/workers.properties"
SERVER_XML = "/opt/tomcat/conf/server.xml"


def cluster(
    workers: str = "",
    ajp: str = "",
    version: str = "10.1.60",
    same_host: bool = False,
    jk_conf: str = "",
) -> Builder:
    """web1 and tomcat01; `workers` are more lines for worker tomcat01, `ajp` more attributes
    of the AJP connector, `jk_conf` more lines of httpd's mod_jk file."""
    host = "localhost" if same_host else "10.0.0.11"
    lines = [
        "worker.list=lb",
        "worker.tomcat01.type=ajp13",
        f"worker.tomcat01.host={host}",
        "worker.tomcat01.port=8009",
        "worker.tomcat01.secret=s3cret",
        *(f"worker.tomcat01.{line}" for line in workers.split()),
        "worker.lb.type=lb",
        "worker.lb.balance_workers=tomcat01",
    ]
    web_files = apache_files(
        "\n".join(lines) + "\n", f"JkWorkersFile conf/workers.properties\nJkMount /* lb\n{jk_conf}"
    )
    tomcat = tomcat_files(T1, version, ajp_extra=f'address="0.0.0.0" secret="s3cret" {ajp}')

    def builder(tmp: Path) -> Path:
        if same_host:
            node = {"host": "10.0.0.1", "roles": ["apache", "tomcat"]}
            return build(tmp, {WEB: node}, {WEB: {**web_files, **tomcat}})
        nodes = {
            T1: {"host": "10.0.0.11", "roles": ["tomcat"]},
            WEB: {"host": "10.0.0.1", "roles": ["apache"]},
        }
        return build(tmp, nodes, {T1: tomcat, WEB: web_files})

    return builder


def case(id: str, builder: Builder, status: str, fragment: str) -> pytest.param:  # type: ignore[valid-type]
    return pytest.param(builder, status, fragment, id=id)


def the_result(results: list[Result], timeout: str | None = None) -> Result:
    mine = [r for r in results if timeout is None or r.details.get("timeout") == timeout]
    assert len(mine) == 1, [(r.status.value, r.message) for r in results]
    return mine[0]


def assert_says(result: Result, status: str, fragment: str) -> None:
    assert (result.status.value, result.node) == (status, WEB), result.message
    assert fragment in result.message, result.message


PACKET_SIZE = [
    case("defaults", cluster(), "pass", "both sides use AJP packets of 8192 bytes"),
    case(
        "both-16k",
        cluster("max_packet_size=16384", 'packetSize="16384"'),
        "pass",
        "max_packet_size 16384 bytes at /etc/httpd/conf/workers.properties:6; tomcat01's "
        "packetSize 16384 bytes at /opt/tomcat/conf/server.xml:5",
    ),
    case(
        "mod-jk-rounds-up-to-1k",
        cluster("max_packet_size=9000", 'packetSize="9216"'),
        "pass",
        "max_packet_size 9000 = 9216 bytes",
    ),
    case(
        "mod-jk-raises-below-8k",
        cluster("max_packet_size=4096"),
        "pass",
        "max_packet_size 4096 = 8192 bytes",
    ),
    case(
        "tomcat-raises-below-8k",
        cluster(ajp='packetSize="4096"'),
        "pass",
        "packetSize 4096 = 8192 bytes at /opt/tomcat/conf/server.xml:5 (Tomcat raises a smaller",
    ),
    case(
        "front-end-larger",
        cluster("max_packet_size=16384"),
        "fail",
        "the front end sends AJP packets of up to 16384 bytes but tomcat01 reads at most 8192",
    ),
    case(
        "front-end-larger-says-what-breaks",
        cluster("max_packet_size=65536", 'packetSize="16384"'),
        "fail",
        "received but the packetSize is only [16,384]",
    ),
    case(
        "tomcat-larger",
        cluster(ajp='packetSize="16384"'),
        "fail",
        "tomcat01 sends AJP packets of up to 16384 bytes but the front end reads at most 8192",
    ),
    case(
        "tomcat-larger-says-what-breaks",
        cluster(ajp='packetSize="16384"'),
        "fail",
        '"wrong message size" in mod_jk.log',
    ),
    case(
        "tomcat-ignores-what-is-not-a-number",
        cluster("max_packet_size=16384", 'packetSize="16k"'),
        "fail",
        "packetSize '16k' is not a number: 8192 bytes (Tomcat's default)",
    ),
    case(
        "same-on-tomcat-8-5",
        cluster("max_packet_size=16384", 'packetSize="16384"', version="8.5.100"),
        "pass",
        "16384 bytes",
    ),
]


@pytest.mark.parametrize(("builder", "status", "fragment"), PACKET_SIZE)
def test_packet_size(tmp_path: Path, builder: Builder, status: str, fragment: str) -> None:
    assert_says(the_result(judge(builder(tmp_path), "CC105")), status, fragment)


NO_LIMIT = "worker.tomcat01.connection_pool_timeout not set: infinite (mod_jk's default)"

IDLE = [
    case(
        "defaults-across-hosts",
        cluster(),
        "warn",
        f"neither side ever closes an idle connection ({NO_LIMIT} vs tomcat01's "
        "connectionTimeout not set: infinite (Tomcat's default) at "
        "/opt/tomcat/conf/server.xml:5 (keepAliveTimeout not set)), 10.0.0.11 is another host",
    ),
    case(
        "defaults-on-one-host",
        cluster(same_host=True),
        "pass",
        "Tomcat runs on the apache node's own host",
    ),
    case(
        "defaults-with-tcp-keepalive",
        cluster("socket_keepalive=true"),
        "pass",
        "TCP keepalive (worker.tomcat01.socket_keepalive true = on at",
    ),
    case(
        "defaults-with-idle-probes",
        cluster("ping_mode=I"),
        "pass",
        "CPing probes (worker.tomcat01.ping_mode I at",
    ),
    case(
        "connect-probe-tests-no-idle-connection",
        cluster("ping_mode=C"),
        "warn",
        "neither TCP keepalive nor CPing probes test idle connections",
    ),
    case(
        "tomcat-closes-first",
        cluster(ajp='connectionTimeout="20000"'),
        "fail",
        f"Tomcat closes idle connections before the front end does ({NO_LIMIT} vs tomcat01's "
        "connectionTimeout 20000 ms at /opt/tomcat/conf/server.xml:5 (keepAliveTimeout not "
        "set)): the front end keeps connections Tomcat has closed",
    ),
    case(
        "tomcat-closes-first-fix-in-seconds",
        cluster(ajp='connectionTimeout="20000"'),
        "fail",
        "set worker.tomcat01.connection_pool_timeout to 20 (seconds) or less",
    ),
    case(
        "tomcat-closes-first-probed-before-use",
        cluster("ping_mode=P", 'connectionTimeout="20000"'),
        "warn",
        "the CPing before each request (worker.tomcat01.ping_mode P at",
    ),
    case(
        "tomcat-closes-first-all-probes",
        cluster("ping_mode=A", 'connectionTimeout="20000"'),
        "warn",
        "ping_mode A = CPI at",
    ),
    case(
        "tomcat-closes-first-connect-probe-only",
        cluster("ping_mode=C", 'connectionTimeout="20000"'),
        "fail",
        "Tomcat closes idle connections before the front end does",
    ),
    case(
        "equal-as-the-how-to-advises",
        cluster("connection_pool_timeout=600", 'keepAliveTimeout="600000"'),
        "pass",
        "no later than Tomcat (worker.tomcat01.connection_pool_timeout 600 s = 600000 ms at "
        "/etc/httpd/conf/workers.properties:6 vs tomcat01's keepAliveTimeout 600000 ms at "
        "/opt/tomcat/conf/server.xml:5)",
    ),
    case(
        "keep-alive-wins-over-connection-timeout",
        cluster(
            "connection_pool_timeout=600", 'connectionTimeout="900000" keepAliveTimeout="300000"'
        ),
        "fail",
        "600 s = 600000 ms at /etc/httpd/conf/workers.properties:6 vs tomcat01's "
        "keepAliveTimeout 300000 ms",
    ),
    case(
        "connection-timeout-when-keep-alive-unset",
        cluster("connection_pool_timeout=600", 'connectionTimeout="600000"'),
        "pass",
        "connectionTimeout 600000 ms at /opt/tomcat/conf/server.xml:5 (keepAliveTimeout not set)",
    ),
    case(
        "keep-alive-not-a-number",
        cluster("connection_pool_timeout=600", 'connectionTimeout="60000" keepAliveTimeout="10m"'),
        "fail",
        "connectionTimeout 60000 ms at /opt/tomcat/conf/server.xml:5 (keepAliveTimeout '10m' is "
        "not a number)",
    ),
    case(
        "front-end-closes-tomcat-never",
        cluster("connection_pool_timeout=600"),
        "pass",
        "the front end closes idle connections, Tomcat never does",
    ),
    case(
        "tomcat-minus-one-written",
        cluster("connection_pool_timeout=600", 'connectionTimeout="-1"'),
        "pass",
        "connectionTimeout -1 (infinite) at /opt/tomcat/conf/server.xml:5",
    ),
    case(
        "front-end-zero-is-forever",
        cluster("connection_pool_timeout=0", 'connectionTimeout="20000"'),
        "fail",
        "connection_pool_timeout 0 (infinite) at /etc/httpd/conf/workers.properties:6",
    ),
    # keepAliveTimeout="-1" is no limit from Tomcat 9 on; before, connectionTimeout stays
    case(
        "keep-alive-minus-one-on-10-1",
        cluster(ajp='connectionTimeout="20000" keepAliveTimeout="-1"'),
        "warn",
        "tomcat01's keepAliveTimeout -1 (infinite) at /opt/tomcat/conf/server.xml:5",
    ),
    case(
        "keep-alive-minus-one-on-8-5",
        cluster(ajp='connectionTimeout="20000" keepAliveTimeout="-1"', version="8.5.100"),
        "fail",
        "connectionTimeout 20000 ms at /opt/tomcat/conf/server.xml:5 (Tomcat 8.5.100 does not "
        "apply keepAliveTimeout -1 (only above 0))",
    ),
    case(
        "no-connection-kept",
        cluster(ajp='connectionTimeout="20000"', jk_conf="JkOptions +ForwardKeySize +DisableReuse"),
        "pass",
        "closes each connection after its request (JkOptions +DisableReuse at "
        "/etc/httpd/conf.d/mod_jk.conf:3)",
    ),
    case(
        "connection-reuse-turned-back-on",
        cluster(
            ajp='connectionTimeout="20000"',
            jk_conf="JkOptions DisableReuse\nJkOptions -disablereuse",
        ),
        "fail",
        "Tomcat closes idle connections before the front end does",
    ),
    case(
        "no-reuse-in-one-virtual-host-only",  # which members it concerns is not known
        cluster(
            ajp='connectionTimeout="20000"',
            jk_conf="<VirtualHost *:80>\nJkOptions +DisableReuse\n</VirtualHost>",
        ),
        "fail",
        "Tomcat closes idle connections before the front end does",
    ),
    case(
        "keep-alive-on-7-0",
        cluster("connection_pool_timeout=60", 'keepAliveTimeout="60000"', version="7.0.109"),
        "pass",
        "keepAliveTimeout 60000 ms",
    ),
]


@pytest.mark.parametrize(("builder", "status", "fragment"), IDLE)
def test_idle_timeouts(tmp_path: Path, builder: Builder, status: str, fragment: str) -> None:
    assert_says(the_result(judge(builder(tmp_path), "CC106"), "idle"), status, fragment)


CONNECT = [
    case(
        "none-across-hosts",
        cluster(),
        "warn",
        "no connect timeout (worker.tomcat01.socket_connect_timeout not set: infinite (mod_jk's "
        "default)): when 10.0.0.11 is down hard",
    ),
    case(
        "a-connect-probe-does-not-replace-it",  # mod_jk sends the CPing once connected
        cluster("ping_mode=A"),
        "warn",
        "the operating system's TCP timeout",
    ),
    case(
        "set",
        cluster("socket_connect_timeout=5000"),
        "pass",
        "connecting gives up in time (worker.tomcat01.socket_connect_timeout 5000 ms at "
        "/etc/httpd/conf/workers.properties:6)",
    ),
    case(
        "from-socket-timeout",  # socket_connect_timeout defaults to socket_timeout (s) x 1000
        cluster("socket_timeout=10"),
        "pass",
        "10000 ms",
    ),
    case("none-on-one-host", cluster(same_host=True), "pass", "refused at once"),
]


@pytest.mark.parametrize(("builder", "status", "fragment"), CONNECT)
def test_connect_timeouts(tmp_path: Path, builder: Builder, status: str, fragment: str) -> None:
    assert_says(the_result(judge(builder(tmp_path), "CC106"), "connect"), status, fragment)


def test_results_follow_the_seam_convention(tmp_path: Path) -> None:
    """The apache node, the member's worker name and Tomcat node in details, the member named
    first, the front end's directive as the location when it is written."""
    builder = cluster("connection_pool_timeout=600 max_packet_size=16384", 'packetSize="16384"')
    for result in judge(builder(tmp_path), "CC105", "CC106"):
        assert result.node == WEB
        assert result.details["worker"] == "tomcat01" and result.details["tomcat"] == T1
        assert result.message.startswith("worker tomcat01 (10.0.0.11:8009): ")
    packet = the_result(judge(builder(tmp_path), "CC105"))
    assert (packet.file, packet.line) == (WORKERS_FILE, 7)
    assert (packet.details["tomcat_file"], packet.details["tomcat_line"]) == (SERVER_XML, 5)


def test_a_member_without_its_tomcat_is_left_to_cc101(tmp_path: Path) -> None:
    """A member that points at no AJP connector is CC101's finding, not a packet or timeout
    mismatch."""
    builder = cluster("port=8010 max_packet_size=16384 connection_pool_timeout=600")
    for code in ("CC105", "CC106"):
        (result,) = judge(builder(tmp_path), code)
        assert result.status.value == "skip" and "see CC101" in result.message


def test_a_mod_proxy_member_is_judged_by_the_same_rules(tmp_path: Path) -> None:
    """The checks read the model only: a BalancerMember with ttl= in seconds, ping= and
    ProxyIOBufferSize is judged as a mod_jk worker with the same values."""
    from clustercheck.checks.ajp.ajp_packet_size import ajp_packet_size
    from clustercheck.checks.ajp.ajp_timeouts import ajp_timeouts

    facts = gather(load_inventory(cluster(ajp='connectionTimeout="20000"')(tmp_path)))
    (target,) = Derived(facts).targets
    name = "ajp://10.0.0.11:8009"
    conf = "/etc/httpd/conf.d/proxy.conf"
    member = dataclasses.replace(
        target.member,
        module=Module.MOD_PROXY,
        name=name,
        balancer="balancer://shop",
        idle_timeout_ms=Seam(
            600000.0, f"BalancerMember {name} ttl=", conf, 4, written="600", unit="s"
        ),
        ping=Seam("2", f"BalancerMember {name} ping=", conf, 4, written="2", unit="s"),
        packet_size=Seam(16384, "ProxyIOBufferSize", conf, 2, written="16384"),
        worker=None,
    )
    proxied = dataclasses.replace(target, member=member)
    side = connector_side(proxied)
    assert side is not None
    stub = SimpleNamespace(targets=(proxied,), sides=((proxied, side),))
    idle, connect = ajp_timeouts.judge(derived=stub)
    assert idle.status.value == "warn", idle.message  # probed before each request
    assert idle.message.startswith(f"BalancerMember {name} (10.0.0.11:8009): ")
    assert (
        f"ttl= 600 s = 600000 ms at {conf}:4 vs tomcat01's connectionTimeout 20000" in idle.message
    )
    assert "set BalancerMember" not in idle.message
    assert connect.details["worker"] == name
    (packet,) = ajp_packet_size.judge(derived=stub)
    assert packet.status.value == "fail" and f"ProxyIOBufferSize 16384 bytes at {conf}:2" in (
        packet.message
    )


@pytest.mark.parametrize(
    ("keep_alive", "version", "attribute"),
    [
        (None, "10.1.60", "connectionTimeout"),
        (300000, "10.1.60", "keepAliveTimeout"),
        (-1, "9.0.0", "keepAliveTimeout"),
        (-1, "8.5.100", "connectionTimeout"),
        (0, "7.0.109", "connectionTimeout"),
        (60000, "7.0.109", "keepAliveTimeout"),
        (-1, None, "keepAliveTimeout"),  # unknown: a current Tomcat
    ],
)
def test_which_attribute_bounds_an_idle_ajp_connection(
    keep_alive: int | None, version: str | None, attribute: str
) -> None:
    assert tomcat.ajp_idle_attribute(keep_alive, version) == attribute


@pytest.mark.parametrize(
    ("options", "state"),
    [
        ([], None),
        ([("+ForwardKeySize",)], None),
        ([("DisableReuse",)], True),
        ([("+disablereuse",)], True),
        ([("+DisableReuse",), ("-DisableReuse", "+FlushPackets")], False),
        ([("-DisableReuse", "+DisableReuse")], True),
    ],
)
def test_jk_options_are_read_in_order(options: list[tuple[str, ...]], state: bool | None) -> None:
    assert modjk.jk_option(options, "DisableReuse") is state


@pytest.mark.parametrize(
    ("written", "used"), [(None, 8192), (4096, 8192), (8192, 8192), (16384, 16384), (-5, 8192)]
)
def test_tomcat_raises_a_small_packet_size(written: int | None, used: int) -> None:
    assert tomcat.ajp_packet_size(written) == used
