"""CC108 against the real software, on the same files: what Tomcat 10.1 does with the stock
`address="::1"` with and without -Djava.net.preferIPv4Stack=true, and which address httpd's
mod_jk and mod_proxy_ajp really connect to for `localhost` with Debian's /etc/hosts on this
machine (its own interfaces decide the resolver's order, and CC108 is given them as a live run
gathers them)."""

from __future__ import annotations

import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from clusterfiles import BASE, DEBIAN_HOSTS, judge_live, one_host, server_xml
from differential.tomcat_truth import (
    JAVA_OPTS,
    Truth,
    make_base,
    missing_prerequisites,
    run_tomcat,
)
from realhttpd import MODULES, need_httpd, run_httpd
from support import need

from clustercheck.collect.live import parse_ip_addr

pytestmark = pytest.mark.differential

STOCK = 'address="::1" redirectPort="8443" maxParameterCount="1000" secret="s3cret"'
NO_ADDRESS = 'redirectPort="8443" secret="s3cret"'
IPV4_STACK = "java.net.preferIPv4Stack=true"
PREFER_IPV6 = "java.net.preferIPv6Addresses=true"
IPV6_CONNECTOR = "ajp-nio-0:0:0:0:0:0:0:1-8009"  # the protocol handler's name, as logged
IPV4_CONNECTOR = "ajp-nio-127.0.0.1-8009"


@pytest.mark.parametrize(
    ("ajp", "option", "where", "connector", "starts"),
    [
        pytest.param(STOCK, IPV4_STACK, "JAVA_OPTS", IPV6_CONNECTOR, False, id="::1-ipv4-stack"),
        pytest.param(
            STOCK, IPV4_STACK, "catalina.properties", IPV6_CONNECTOR, False, id="::1-late-stack"
        ),
        pytest.param(STOCK, "", "", IPV6_CONNECTOR, True, id="::1"),
        pytest.param(
            NO_ADDRESS, PREFER_IPV6, "JAVA_OPTS", IPV6_CONNECTOR, True, id="loopback-prefer-ipv6"
        ),
        pytest.param(
            NO_ADDRESS,
            PREFER_IPV6,
            "catalina.properties",
            IPV6_CONNECTOR,
            True,
            id="loopback-late-prefer-ipv6",
        ),
        pytest.param(NO_ADDRESS, "", "", IPV4_CONNECTOR, True, id="loopback"),
    ],
)
def test_tomcat_binds_where_cc108_says(
    tmp_path: Path, ajp: str, option: str, where: str, connector: str, starts: bool
) -> None:
    """With preferIPv4Stack (a JVM option, or catalina.properties, which Tomcat applies before
    Java reads it) the stock ::1 connector fails (UnsupportedAddressTypeException) and the rest
    of Tomcat starts; CC108 says it does not start. Otherwise CC108 passes a member on the
    address Tomcat really bound: the loopback address is ::1 with preferIPv6Addresses."""
    problems = missing_prerequisites()
    need(not problems, ", ".join(problems))
    assert f"-D{IPV4_STACK}" in JAVA_OPTS
    options = JAVA_OPTS.replace(f"-D{IPV4_STACK}", f"-D{option}" if where == "JAVA_OPTS" else "")
    late = f"\n{option}\n" if where == "catalina.properties" else ""
    text = server_xml("tomcat01", ajp_extra=ajp, cluster="")
    base = make_base(tmp_path / "base", text.encode())
    with (base / "conf" / "catalina.properties").open("a", encoding="utf-8") as properties:
        properties.write(late)
    run = run_tomcat(base, java_opts=options)
    failed = {e.subject for e in run.events if e.kind is Truth.COMPONENT_FAILS}
    assert run.started, run.summary()
    assert f'["{connector}"]' in run.log, run.summary()
    assert (f'Connector["{connector}"]' in failed) is not starts, run.summary()
    assert ("UnsupportedAddressTypeException" in run.log) is not starts

    bound = "::1" if connector == IPV6_CONNECTOR else "127.0.0.1"
    workers = f"worker.list=w\nworker.w.type=ajp13\nworker.w.host={bound}\nworker.w.port=8009\n"
    name, _, value = option.partition("=")
    inventory = {name: value} if where == "JAVA_OPTS" else {}
    extra = {f"{BASE}/conf/catalina.properties": late}
    cluster = one_host(tmp_path / "cluster", workers, ajp, properties=inventory, extra=extra)
    [result] = judge_live(cluster, "CC108")
    assert result.status.value == ("pass" if starts else "fail"), result.message
    assert ("does not start" in result.message) is not starts


@contextmanager
def listening(address: str) -> Iterator[tuple[int, list[str]]]:
    """A TCP port that accepts on `address` only (the other loopback address holds the same
    port bound but not listening, so a connection there is refused, never someone else's);
    yields the port and the list of addresses connections arrived on."""
    six = ":" in address
    server = socket.socket(socket.AF_INET6 if six else socket.AF_INET)
    other = socket.socket(socket.AF_INET if six else socket.AF_INET6)
    for sock in (server, other):
        if sock.family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    server.bind((address, 0))
    port = int(server.getsockname()[1])
    other.bind(("127.0.0.1" if six else "::1", port))
    server.listen(8)
    arrived: list[str] = []

    def accept() -> None:
        while True:
            try:
                connection, _peer = server.accept()
            except OSError:
                return
            arrived.append(address)
            connection.close()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield port, arrived
    finally:
        server.close()
        other.close()


FRONT_ENDS = {
    "mod_jk": ("", "JkMount /* w\n"),
    "mod_jk prefer_ipv6": ("worker.w.prefer_ipv6=true\n", "JkMount /* w\n"),
    "mod_proxy": (
        "",
        f"LoadModule proxy_module {MODULES}/mod_proxy.so\n"
        f"LoadModule proxy_ajp_module {MODULES}/mod_proxy_ajp.so\n"
        "ProxyPass / ajp://localhost:{port}/\n",
    ),
}


@pytest.mark.parametrize("front_end", sorted(FRONT_ENDS))
@pytest.mark.parametrize("connector", ["127.0.0.1", "::1"])
def test_the_front_end_reaches_localhost_where_cc108_says(
    tmp_path: Path, front_end: str, connector: str
) -> None:
    """mod_jk connects to the first answer of the resolver (::1 on a host with IPv6), mod_proxy
    tries each in turn: CC108 passes exactly where the connection arrives."""
    need_httpd()
    need(Path("/usr/bin/unshare").exists(), "unshare (util-linux)")
    extra, conf = FRONT_ENDS[front_end]
    own = parse_ip_addr(
        subprocess.run(
            ["ip", "-o", "addr", "show"], capture_output=True, text=True, check=True
        ).stdout
    )
    with listening(connector) as (port, arrived):
        workers = (
            "worker.list=w\nworker.w.type=ajp13\nworker.w.host=localhost\n"
            f"worker.w.port={port}\n{extra}"
        )
        run_httpd(workers, conf.format(port=port), get=["/"], hosts=DEBIAN_HOSTS)
    reached = bool(arrived)

    files = "worker.list=w\nworker.w.type=ajp13\nworker.w.host=localhost\nworker.w.port=8009\n"
    cluster = one_host(tmp_path, files + extra, f'address="{connector}" secret="s3cret"')
    proxy = front_end == "mod_proxy"
    [result] = judge_live(cluster, "CC108", addresses={"web1": own}, proxy=proxy)
    assert result.status.value == ("pass" if reached else "fail"), result.message
