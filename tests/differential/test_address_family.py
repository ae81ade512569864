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
from clusterfiles import DEBIAN_HOSTS, judge_live, one_host, server_xml
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
IPV4_STACK = "-Djava.net.preferIPv4Stack=true"
CONNECTOR = 'Connector["ajp-nio-0:0:0:0:0:0:0:1-8009"]'


@pytest.mark.parametrize("ipv4_stack", [True, False])
def test_tomcat_binds_the_stock_ipv6_address_unless_ipv4_stack(
    tmp_path: Path, ipv4_stack: bool
) -> None:
    """With preferIPv4Stack the connector fails (UnsupportedAddressTypeException) and the rest
    of Tomcat starts; CC108 says the connector does not start. Without it the connector binds
    ::1 and a member on ::1 passes."""
    problems = missing_prerequisites()
    need(not problems, ", ".join(problems))
    assert IPV4_STACK in JAVA_OPTS
    options = JAVA_OPTS if ipv4_stack else JAVA_OPTS.replace(IPV4_STACK, "")
    text = server_xml("tomcat01", ajp_extra=STOCK, cluster="")
    run = run_tomcat(make_base(tmp_path / "base", text.encode()), java_opts=options)
    failed = {e.subject for e in run.events if e.kind is Truth.COMPONENT_FAILS}
    assert run.started, run.summary()
    assert (CONNECTOR in failed) is ipv4_stack, run.summary()
    assert ("UnsupportedAddressTypeException" in run.log) is ipv4_stack

    properties = {"java.net.preferIPv4Stack": "true"} if ipv4_stack else {}
    workers = "worker.list=w\nworker.w.type=ajp13\nworker.w.host=::1\nworker.w.port=8009\n"
    cluster = one_host(tmp_path / "cluster", workers, STOCK, properties=properties)
    [result] = judge_live(cluster, "CC108")
    assert result.status.value == ("fail" if ipv4_stack else "pass"), result.message
    assert ("does not start" in result.message) is ipv4_stack


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
