"""The Tomcat side of the seam: each AJP connector value as that node's Tomcat uses it
(defaults per ajp.xml, packetSize raised to 8192, keepAliveTimeout falling back to
connectionTimeout, an Executor's maxThreads), with the attribute and line that set it."""

from __future__ import annotations

from typing import Any

import pytest

from clustercheck.derive.connector import TomcatSide, tomcat_side
from clustercheck.parsers.serverxml import parse_server_xml

PATH = "/opt/tomcat/conf/server.xml"
CONNECTOR_LINE = 4


def side(
    connector: str, version: str = "10.1.34", service: str = "", before: str = ""
) -> TomcatSide:
    """The side of the one AJP connector, with `before` and `service` written before and after
    it in its Service."""
    text = (
        '<?xml version="1.0"?>\n<Server port="-1">\n  <Service name="Catalina">\n'
        f'{before}    <Connector protocol="AJP/1.3" port="8009" {connector}/>\n{service}'
        '    <Engine name="Catalina" defaultHost="localhost" jvmRoute="t1">\n'
        '      <Host name="localhost" appBase="webapps"/>\n    </Engine>\n'
        "  </Service>\n</Server>\n"
    )
    server = parse_server_xml(text.encode(), PATH)
    (connector_found,) = server.ajp_connectors
    return tomcat_side(server, connector_found, version)


# connector attributes -> (TomcatSide field, value, directive, defaulted, as written); every
# value is located at the connector's line, set or not (where it belongs)
CASES: list[tuple[str, str, str, Any, str, bool, str | None]] = [
    ("port", "", "port", 8009, "port", False, "8009"),
    ("default packet size", "", "packet_size", 8192, "packetSize", True, None),
    ("packet size", 'packetSize="16384"', "packet_size", 16384, "packetSize", False, "16384"),
    ("packet size raised", 'packetSize="4096"', "packet_size", 8192, "packetSize", False, "4096"),
    ("packet size unparsable", 'packetSize="16k"', "packet_size", 8192, "packetSize", True, "16k"),
    ("no timeout: infinite", "", "idle_timeout_ms", None, "connectionTimeout", True, None),
    (
        "idle from connectionTimeout",
        'connectionTimeout="20000"',
        "idle_timeout_ms",
        20000.0,
        "connectionTimeout",
        False,
        "20000",
    ),
    (
        "keepAliveTimeout wins",
        'connectionTimeout="20000" keepAliveTimeout="60000"',
        "idle_timeout_ms",
        60000.0,
        "keepAliveTimeout",
        False,
        "60000",
    ),
    (
        "-1 is infinite",
        'keepAliveTimeout="-1"',
        "idle_timeout_ms",
        None,
        "keepAliveTimeout",
        False,
        "-1",
    ),
    (
        "first letter, either case",
        'PacketSize="65536"',
        "packet_size",
        65536,
        "packetSize",
        False,
        None,
    ),
    ("default threads", "", "max_threads", 200, "maxThreads", True, None),
    ("threads", 'maxThreads="50"', "max_threads", 50, "maxThreads", False, "50"),
    ("address", 'address="::1"', "address", "::1", "address", False, "::1"),
    ("address default: loopback", "", "address", "127.0.0.1", "address", True, None),
    ("no secret", "", "secret", None, "secret", True, None),
    ("secret, never written", 'secret="s3cret"', "secret", "s3cret", "secret", False, None),
]


@pytest.mark.parametrize(
    ("attrs", "field", "value", "directive", "defaulted", "written"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_each_value_as_tomcat_uses_it(
    attrs: str, field: str, value: Any, directive: str, defaulted: bool, written: str | None
) -> None:
    seam = getattr(side(attrs), field)
    assert (seam.value, seam.directive, seam.defaulted) == (value, directive, defaulted)
    if written is not None:
        assert seam.written == written
    assert (seam.file, seam.line) == (PATH, CONNECTOR_LINE)


def test_before_the_ghostcat_fix_the_default_address_is_every_address() -> None:
    assert side("", version="9.0.30").address.value == "0.0.0.0"
    assert side("", version="9.0.31").address.value == "127.0.0.1"


def test_an_executor_s_threads_replace_the_connector_s() -> None:
    executor = '    <Executor name="pool" maxThreads="40"/>\n'
    threads = side('executor="pool" maxThreads="500"', before=executor).max_threads
    assert (threads.value, threads.directive, threads.line) == (40, "<Executor pool> maxThreads", 4)
    missing = side('executor="other" maxThreads="500"', before=executor).max_threads
    assert missing.value == 500  # no such executor: the connector keeps its own pool
    # ConnectorCreateRule looks the Executor up when it creates the Connector: one written
    # after it is not found yet, and the connector keeps its own pool
    late = side('executor="pool" maxThreads="500"', service=executor).max_threads
    assert late.value == 500


def test_the_route_is_the_engine_s() -> None:
    route = side("").jvm_route
    assert (route.value, route.directive, route.line) == ("t1", "<Engine jvmRoute>", 5)
