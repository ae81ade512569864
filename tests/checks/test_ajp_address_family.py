"""CC108 ajp-address-family on real-looking files: Tomcat's stock AJP sample (`address="::1"`),
workers files, the hosts files Debian and CentOS install, and the JVM options and interface
addresses a live run gathers (laid into the facts as a snapshot would give them)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from clusterfiles import (
    BASE,
    DEBIAN_HOSTS,
    apache_files,
    build,
    judge_live,
    one_host,
    tomcat_files,
)

from clustercheck.cli.main import main
from clustercheck.engine.results import Result

# CentOS 5's (setup-2.5.58): localhost is IPv4 only, ::1 is localhost6
CENTOS5_HOSTS = """\
# Do not remove the following line, or various programs
# that require network functionality will fail.
127.0.0.1\t\tlocalhost.localdomain localhost
::1\t\tlocalhost6.localdomain6 localhost6
"""
# Tomcat's stock AJP sample (conf/server.xml of 8.5 to 11), with the secret it needs
STOCK = 'address="::1" redirectPort="8443" maxParameterCount="1000" secret="s3cret"'
NO_ADDRESS = 'redirectPort="8443" secret="s3cret"'
IPV6_HOST = ["127.0.0.1", "10.0.0.1", "::1", "fe80::5054:ff:fe12:3456"]  # `ip -o addr show`
IPV4_HOST = ["127.0.0.1", "10.0.0.1", "::1"]  # net.ipv6.conf.eth0.disable_ipv6=1
NO_IPV6 = ["127.0.0.1", "10.0.0.1"]  # ipv6.disable=1: not even ::1
W = "worker tomcat01"


def workers(host: str, extra: str = "") -> str:
    return (
        "worker.list=lb\nworker.lb.type=lb\nworker.lb.balance_workers=tomcat01\n"
        f"worker.tomcat01.type=ajp13\nworker.tomcat01.host={host}\nworker.tomcat01.port=8009\n"
        f"worker.tomcat01.secret=s3cret\n{extra}"
    )


def same_host(
    tmp: Path, host: str = "localhost", ajp: str = STOCK, worker: str = "", **kw: Any
) -> Path:
    """web1 runs httpd and tomcat01; `worker` adds lines to the worker tomcat01."""
    return one_host(tmp, workers(host, worker), ajp, **kw)


def two_hosts(
    tmp: Path,
    host: str = "10.0.0.11",
    ajp: str = STOCK,
    web_hosts: str | None = DEBIAN_HOSTS,
    properties: Mapping[str, str] | None = None,
    tomcat_hosts: str | None = None,
) -> Path:
    """httpd on web1 in front of tomcat01 on a host of its own."""
    tomcat: dict[str, Any] = {"catalina_base": BASE}
    if properties:
        tomcat["system_properties"] = dict(properties)
    nodes: dict[str, dict[str, Any]] = {
        "web1": {"host": "10.0.0.1", "roles": ["apache"]},
        "tomcat01": {"host": "10.0.0.11", "roles": ["tomcat"], "tomcat": tomcat},
    }
    web: dict[str, str | bytes] = {**apache_files(workers(host))}
    if web_hosts is not None:
        web["/etc/hosts"] = web_hosts
    tomcat01 = tomcat_files("tomcat01", ajp_extra=ajp)
    if tomcat_hosts is not None:
        tomcat01["/etc/hosts"] = tomcat_hosts
    files = {"web1": web, "tomcat01": tomcat01}
    return build(tmp, nodes, files)


def judged(inventory: Path, **live: Any) -> list[Result]:
    return judge_live(inventory, "CC108", **live)


IPV4_STACK = {"java.net.preferIPv4Stack": "true"}
PREFER_IPV6 = {"java.net.preferIPv6Addresses": "true"}

CASES = [
    # httpd and Tomcat on one host: `localhost` against the connector's address
    (
        "stock-::1-localhost-on-an-IPv6-host",
        lambda t: same_host(t),
        {"addresses": {"web1": IPV6_HOST}},
        "pass",
        ["connects to [::1]:8009", "listens on ::1 only", "/etc/hosts:1,5 on web1", "::1 sorts"],
    ),
    (
        "stock-::1-localhost-offline",
        lambda t: same_host(t),
        {},
        "warn",
        [
            "works only in some of the orders",
            "IPv4 only, mod_jk connects to 127.0.0.1:8009",
            "it connects to [::1]:8009",
        ],
    ),
    (
        "stock-::1-localhost-on-a-host-without-IPv6-beyond-loopback",
        lambda t: same_host(t),
        {"addresses": {"web1": IPV4_HOST}},
        "fail",
        ["connects to 127.0.0.1:8009", 'listens on ::1 only (address="::1"', "refused"],
    ),
    (
        "stock-::1-on-a-host-with-IPv6-disabled",
        lambda t: same_host(t),
        {"addresses": {"web1": NO_IPV6}},
        "fail",
        ["does not start", "::1 is no address of web1, so Tomcat cannot bind it"],
    ),
    (
        "interfaces-from-hostname-I-leave-loopback-and-IPv6-open",
        lambda t: same_host(t),
        {"addresses": {"web1": ["10.0.0.1"]}},
        "warn",
        ["works only in some of the orders"],
    ),
    (
        "default-loopback-localhost-on-an-IPv6-host",
        lambda t: same_host(t, ajp=NO_ADDRESS),
        {"addresses": {"web1": IPV6_HOST}},
        "fail",
        ["connects to [::1]:8009", "Tomcat 10.1.60 binds the loopback address 127.0.0.1"],
    ),
    (
        "default-loopback-literal-127.0.0.1",
        lambda t: same_host(t, host="127.0.0.1", ajp=NO_ADDRESS),
        {},
        "pass",
        ["connects to 127.0.0.1:8009", "listens on 127.0.0.1 only"],
    ),
    (
        "stock-::1-literal-127.0.0.1",
        lambda t: same_host(t, host="127.0.0.1"),
        {},
        "fail",
        ["connects to 127.0.0.1:8009", "listens on ::1 only"],
    ),
    (
        "centos5-localhost-is-IPv4-only",
        lambda t: same_host(t, hosts=CENTOS5_HOSTS),
        {},
        "fail",
        ["connects to 127.0.0.1:8009", "has 127.0.0.1 (/etc/hosts:3 on web1)"],
    ),
    (
        "before-ghostcat-every-address",
        lambda t: same_host(t, ajp=NO_ADDRESS, version="9.0.30"),
        {},
        "pass",
        [
            "connects to [::1]:8009 or connects to 127.0.0.1:8009 (as web1",
            "Tomcat 9.0.30 listens on every address",
        ],
    ),
    (
        "address-localhost-java-takes-IPv4",
        lambda t: same_host(t, ajp='address="localhost" secret="s3cret"'),
        {"addresses": {"web1": IPV6_HOST}},
        "fail",
        ['address="localhost"', "= 127.0.0.1", "Java takes IPv4 answers first", "[::1]:8009"],
    ),
    (
        "address-localhost-preferIPv6Addresses",
        lambda t: same_host(t, ajp='address="localhost" secret="s3cret"', properties=PREFER_IPV6),
        {"addresses": {"web1": IPV6_HOST}},
        "pass",
        ["= ::1", "Java takes IPv6 answers first"],
    ),
    (
        "default-loopback-preferIPv6Addresses",
        lambda t: same_host(t, ajp=NO_ADDRESS),
        {
            "addresses": {"web1": IPV6_HOST},
            "jvm_options": {"java.net.preferIPv6Addresses": "system"},
        },
        "pass",
        ["binds the loopback address ::1"],
    ),
    (
        "prefer_ipv6-takes-::1",
        lambda t: same_host(t, worker="worker.tomcat01.prefer_ipv6=true\n"),
        {"addresses": {"web1": IPV6_HOST}},
        "pass",
        ["first IPv6 answer (worker.tomcat01.prefer_ipv6 on)"],
    ),
    (
        "stock-::1-under-preferIPv4Stack-inventory",
        lambda t: same_host(t, properties=IPV4_STACK),
        {},
        "fail",
        ["does not start", "-Djava.net.preferIPv4Stack=true (tomcat.system_properties)"],
    ),
    (
        "stock-::1-under-preferIPv4Stack-in-catalina.properties",
        lambda t: same_host(
            t, extra={f"{BASE}/conf/catalina.properties": "java.net.preferIPv4Stack=true\n"}
        ),
        {"jvm_options": {}},
        "fail",
        ["UnsupportedAddressTypeException", "(conf/catalina.properties)"],
    ),
    (
        "stock-::1-under-preferIPv4Stack-running",
        lambda t: same_host(t),
        {"jvm_options": IPV4_STACK},
        "fail",
        ["UnsupportedAddressTypeException", "the running Tomcat's arguments"],
    ),
    (
        "running-tomcat-without-the-option-wins-over-the-inventory",
        lambda t: same_host(t, properties=IPV4_STACK),
        {"addresses": {"web1": IPV6_HOST}, "jvm_options": {}},
        "pass",
        ["connects to [::1]:8009"],
    ),
    (
        "address-not-on-the-node",
        lambda t: same_host(t, host="10.0.0.1", ajp='address="10.0.0.99" secret="s3cret"'),
        {"addresses": {"web1": IPV6_HOST}},
        "fail",
        ["10.0.0.99 is no address of web1"],
    ),
    (
        "no-hosts-file",
        lambda t: same_host(t, hosts=None),
        {},
        "skip",
        ["cannot tell which address mod_jk connects to", "hosts file of web1 was not read"],
    ),
    # httpd on another host
    (
        "loopback-connector-from-another-host",
        lambda t: two_hosts(t, ajp='address="127.0.0.1" secret="s3cret"'),
        {},
        "fail",
        ["connects to 10.0.0.11:8009", "listens on 127.0.0.1 only"],
    ),
    (
        "default-loopback-from-another-host",
        lambda t: two_hosts(t, ajp=NO_ADDRESS),
        {},
        "fail",
        ["binds the loopback address 127.0.0.1", "refused"],
    ),
    (
        "every-address-from-another-host",
        lambda t: two_hosts(t, ajp='address="0.0.0.0" secret="s3cret"'),
        {},
        "pass",
        ["connects to 10.0.0.11:8009", "listens on every address"],
    ),
    (
        "every-IPv4-address-under-preferIPv4Stack",
        lambda t: two_hosts(t, ajp='address="0.0.0.0" secret="s3cret"', properties=IPV4_STACK),
        {},
        "pass",
        ["every IPv4 address"],
    ),
    (
        "::-under-preferIPv4Stack",
        lambda t: two_hosts(t, ajp='address="::" secret="s3cret"', properties=IPV4_STACK),
        {},
        "fail",
        ["does not start", 'address="::"'],
    ),
    (
        "host-name-in-the-hosts-file",
        lambda t: two_hosts(
            t,
            host="tomcat01",
            ajp='address="10.0.0.11" secret="s3cret"',
            web_hosts="127.0.0.1 localhost\n10.0.0.11 tomcat01.example.org tomcat01\n",
        ),
        {},
        "pass",
        ["connects to 10.0.0.11:8009", "(/etc/hosts:2 on web1)"],
    ),
    (
        "dual-stack-name-by-luck",
        lambda t: two_hosts(
            t,
            host="tomcat01",
            ajp='address="10.0.0.11" secret="s3cret"',
            web_hosts="10.0.0.11 tomcat01\nfd00::11 tomcat01\n",
        ),
        {"addresses": {"web1": ["127.0.0.1", "10.0.0.1", "::1", "fd00::1"]}},
        "warn",
        ["routes IPv6 there", "[fd00::11]:8009", "no IPv6 route there"],
    ),
    (
        "address-name-in-the-system-order",
        lambda t: two_hosts(
            t,
            ajp='address="tomcat01" secret="s3cret"',
            properties={"java.net.preferIPv6Addresses": "system"},
            tomcat_hosts="10.0.0.11 tomcat01\nfd00::11 tomcat01\n",
        ),
        {},
        "warn",
        ['when address="tomcat01"', "= fd00::11", "refused; when", "= 10.0.0.11"],
    ),
    (
        "dns-name-every-address",
        lambda t: two_hosts(t, host="tomcat01", ajp='address="0.0.0.0" secret="s3cret"'),
        {},
        "pass",
        ["whichever worker.tomcat01.host tomcat01", "DNS answers for it"],
    ),
    (
        "dns-name-loopback",
        lambda t: two_hosts(t, host="tomcat01", ajp=NO_ADDRESS),
        {},
        "fail",
        ["does not reach through worker.tomcat01.host tomcat01", "no loopback name"],
    ),
    (
        "dns-name-one-address",
        lambda t: two_hosts(t, host="tomcat01", ajp='address="10.0.0.11" secret="s3cret"'),
        {},
        "skip",
        ["cannot tell which address mod_jk connects to"],
    ),
    (
        "version-unknown",
        lambda t: same_host(t, ajp=NO_ADDRESS, version=""),
        {},
        "skip",
        ["Tomcat version is not known"],
    ),
]


@pytest.mark.parametrize(
    ("builder", "live", "status", "fragments"),
    [pytest.param(b, live, s, f, id=i) for i, b, live, s, f in CASES],
)
def test_cc108(
    tmp_path: Path, builder: Any, live: dict[str, Any], status: str, fragments: list[str]
) -> None:
    [result] = judged(builder(tmp_path), **live)
    assert (result.node, result.status.value) == ("web1", status), result.message
    assert result.message.startswith(W), result.message
    for fragment in fragments:
        assert fragment in result.message, result.message
    assert result.details["worker"] == "tomcat01"
    assert result.details["tomcat"] in ("web1", "tomcat01")


@pytest.mark.parametrize(
    ("ajp", "addresses", "status", "fragment"),
    [
        # mod_proxy tries ::1, then 127.0.0.1: Tomcat's default loopback is reached either way
        (NO_ADDRESS, IPV6_HOST, "pass", "tries [::1]:8009, 127.0.0.1:8009 in turn"),
        (NO_ADDRESS, None, "pass", "in turn or connects to 127.0.0.1:8009 (as web1"),
        (STOCK, IPV6_HOST, "pass", "mod_proxy tries each answer in turn"),
        # where AI_ADDRCONFIG leaves 127.0.0.1 only, ::1 is never tried
        (STOCK, None, "warn", "IPv4 only, mod_proxy connects to 127.0.0.1:8009"),
        (STOCK, IPV4_HOST, "fail", "connects to 127.0.0.1:8009"),
    ],
)
def test_cc108_mod_proxy_tries_every_answer(
    tmp_path: Path, ajp: str, addresses: list[str] | None, status: str, fragment: str
) -> None:
    live = {"web1": addresses} if addresses else None
    [result] = judged(same_host(tmp_path, ajp=ajp), addresses=live, proxy=True)
    assert result.status.value == status, result.message
    assert result.message.startswith("BalancerMember ajp://localhost:8009"), result.message
    assert fragment in result.message, result.message


def test_cc108_skips_a_member_no_connector_matches(tmp_path: Path) -> None:
    """CC101 says why; this check judges only members it can put an address to."""
    inventory = two_hosts(tmp_path, host="10.0.0.99")
    [result] = judged(inventory)
    assert result.status.value == "skip"
    assert "see CC101" in result.message


def test_cc108_judges_a_snapshot_as_it_judged_its_source(tmp_path: Path) -> None:
    """collect keeps each node's hosts file with its other files; `run DIR` parses it again."""
    inventory = same_host(tmp_path / "source", hosts=CENTOS5_HOSTS)
    [source] = judged(inventory)
    folder = tmp_path / "snapshot"
    assert main(["collect", str(inventory), "-o", str(folder)]) == 0
    assert (folder / "nodes" / "web1" / "etc" / "hosts").read_text() == CENTOS5_HOSTS
    report = tmp_path / "report.json"
    main(["run", str(folder), "--checks", "CC108", "--json", str(report), "-q"])
    [again] = json.loads(report.read_text())["results"]
    assert (again["status"], again["message"]) == ("fail", source.message)
