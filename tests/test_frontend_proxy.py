"""The front-end model built from mod_proxy (derive/frontend_proxy.py) and httpd's MPM capacity
(derive/capacity.py): each seam value with its directive and file:line, or httpd's documented
default; equivalent mod_jk and mod_proxy configurations give the same model; and the checks
written against the model (CC101, CC202, CC103) judge BalancerMembers as they judge workers."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from clusterfiles import JK_CONF, build, tomcat_files

from clustercheck.collect.gather import gather
from clustercheck.derive.capacity import httpd_capacity
from clustercheck.derive.derived import Derived
from clustercheck.derive.frontend import Balancer, Capacity, FrontEnd, Member, Module
from clustercheck.derive.frontend_jk import jk_front_end
from clustercheck.derive.frontend_proxy import proxy_front_end
from clustercheck.derive.secrets import secret_values
from clustercheck.engine.registry import load_checks, select
from clustercheck.engine.runner import run_checks
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.facts.files import ApacheFacts
from clustercheck.inventory.loader import load_inventory
from clustercheck.inventory.settings import ClusterSettings, NodeSettings
from clustercheck.parsers.httpd import parse_httpd
from clustercheck.parsers.httpd_eval import LoadedModule
from clustercheck.parsers.httpd_mpm import mpm_settings
from clustercheck.parsers.proxy import proxy_settings
from clustercheck.parsers.workers import parse_workers, with_defaults

CONF = "/etc/httpd/conf.d/proxy.conf"
WORKERS = "/etc/httpd/conf/workers.properties"
EVENT = "LoadModule mpm_event_module modules/mod_mpm_event.so\n"


def apache(conf: str = "", workers: str | None = None, version: str | None = None) -> NodeFacts:
    """An apache node whose httpd reads `conf` (and mod_jk `workers`)."""
    directives, problems = parse_httpd(textwrap.dedent(conf), CONF)
    assert problems == []
    facts = ApacheFacts(proxy=proxy_settings(directives), httpd_version=version)
    modules = {
        d.args[0]: LoadedModule(d.args[0], d.args[1], d.file, d.line)
        for d in directives
        if d.lname == "loadmodule" and len(d.args) == 2
    }
    facts.mpm = mpm_settings(directives, modules, CONF, None)
    if workers is not None:
        facts.workers = with_defaults(parse_workers(textwrap.dedent(workers), WORKERS))
    return NodeFacts(NodeSettings("web1", "10.0.0.1", ("apache",)), apache=facts)


def front_end(conf: str, version: str | None = None) -> FrontEnd:
    node = apache(conf, version=version)
    made = proxy_front_end(node, httpd_capacity(node))
    assert made is not None
    return made


def only_member(conf: str) -> Member:
    (member, _balancer), *rest = front_end(conf).members
    assert rest == []
    return member


# --- equivalent configurations, one model ------------------------------------------------------

JK_LB = """\
    worker.list=lb
    worker.lb.type=lb
    worker.lb.balance_workers=tomcat01,tomcat02
    worker.lb.sticky_session_force=true
    worker.tomcat01.type=ajp13
    worker.tomcat01.host=10.0.0.11
    worker.tomcat01.port=8009
    worker.tomcat02.type=ajp13
    worker.tomcat02.host=10.0.0.12
    worker.tomcat02.port=8010
    worker.tomcat02.activation=S
    """
PROXY_LB = """\
    ProxyPass / balancer://lb/ stickysession=JSESSIONID|jsessionid nofailover=On
    <Proxy balancer://lb>
        BalancerMember ajp://10.0.0.11:8009 route=tomcat01 timeout=60 {extra}
        BalancerMember ajp://10.0.0.12:8010 route=tomcat02 timeout=60 status=S {extra}
    </Proxy>
    """
JK_SETTINGS = """\
    worker.{name}.socket_connect_timeout=5000
    worker.{name}.reply_timeout=60000
    worker.{name}.connection_pool_timeout=600
    worker.{name}.socket_keepalive=true
    worker.{name}.ping_mode=P
    worker.{name}.connection_pool_size=25
    worker.{name}.max_packet_size=16384
    worker.{name}.secret=s3cret-value
    """
PROXY_SETTINGS = (
    "connectiontimeout=5 ttl=600 keepalive=On ping=5 max=25 secret=s3cret-value",
    "ProxyIOBufferSize 16384\n",
)
NO_SETTINGS = """\
    worker.{name}.reply_timeout=60000
    worker.{name}.socket_connect_timeout=60000
    """


def jk_lb(settings: str) -> str:
    return textwrap.dedent(JK_LB) + "".join(
        textwrap.dedent(settings).format(name=n) for n in ("tomcat01", "tomcat02")
    )


EQUIVALENT = [
    pytest.param(jk_lb(NO_SETTINGS), PROXY_LB.format(extra=""), id="two members, defaults"),
    pytest.param(
        jk_lb(JK_SETTINGS),
        PROXY_SETTINGS[1] + PROXY_LB.format(extra=PROXY_SETTINGS[0]),
        id="timeouts, ping, pool, packet size, secret",
    ),
]
MEMBER_SEAMS = [
    "host",
    "port",
    "secret",
    "packet_size",
    "connect_timeout_ms",
    "reply_timeout_ms",
    "idle_timeout_ms",
    "keepalive",
    "ping",
    "pool_size",
    "activation",
]
BALANCER_SEAMS = ["sticky", "sticky_force", "cookie", "path_parameter"]


def values(item: Member | Balancer, seams: list[str]) -> dict[str, Any]:
    return {name: getattr(getattr(item, name), "value", None) for name in seams}


@pytest.mark.parametrize(("workers", "conf"), EQUIVALENT)
def test_equivalent_mod_jk_and_mod_proxy_configurations_give_the_same_model(
    workers: str, conf: str
) -> None:
    """Every seam value compares equal, in the model's units (method aside: each module names
    its lb methods its own way)."""
    node = apache(EVENT + textwrap.dedent(conf), workers)
    capacity = httpd_capacity(node)
    jk, proxy = jk_front_end(node, capacity), proxy_front_end(node, capacity)
    assert jk is not None and proxy is not None
    ((jk_balancer,), (proxy_balancer,)) = jk.balancers, proxy.balancers
    assert values(jk_balancer, BALANCER_SEAMS) == values(proxy_balancer, BALANCER_SEAMS)
    for jk_member, proxy_member in zip(jk_balancer.members, proxy_balancer.members, strict=True):
        assert values(jk_member, MEMBER_SEAMS) == values(proxy_member, MEMBER_SEAMS)
        assert jk_member.route_value == proxy_member.route_value
    assert proxy.module is Module.MOD_PROXY and jk.module is Module.MOD_JK


def test_a_direct_worker_is_modelled_as_jk_models_a_mapped_worker() -> None:
    node = apache(
        "ProxyPass /app ajp://10.0.0.11:8009/app timeout=60 connectiontimeout=60\n",
        "worker.list=w1\nworker.w1.type=ajp13\nworker.w1.host=10.0.0.11\n"
        "worker.w1.reply_timeout=60000\nworker.w1.socket_connect_timeout=60000\n",
    )
    jk, proxy = jk_front_end(node, None), proxy_front_end(node, None)
    assert jk is not None and proxy is not None
    ((jk_member,), (proxy_member,)) = jk.direct, proxy.direct
    assert values(jk_member, MEMBER_SEAMS) == values(proxy_member, MEMBER_SEAMS)
    assert proxy_member.label == "ProxyPass ajp://10.0.0.11:8009/app"
    assert proxy_member.route is None  # no route=: the model says so, jk defaults to the name


# --- where each value comes from ----------------------------------------------------------------


def test_written_values_name_their_directive_file_and_line() -> None:
    member = only_member("""\
        ProxyIOBufferSize 9000
        <Proxy balancer://c>
            BalancerMember ajp://10.0.0.2:8009 route=node1 ttl=300 ping=500ms status=+H
        </Proxy>
        ProxyPass / balancer://c/
        """)
    assert member.label == "BalancerMember ajp://10.0.0.2:8009"
    assert (member.file, member.line, member.balancer) == (CONF, 3, "balancer://c")
    route = member.route
    assert route is not None
    assert (route.directive, route.where) == (
        "BalancerMember ajp://10.0.0.2:8009 route=",
        f"{CONF}:3",
    )
    assert (member.packet_size.value, member.packet_size.where) == (9216, f"{CONF}:1")
    assert member.packet_size.shown() == "ProxyIOBufferSize 9216"
    assert (member.idle_timeout_ms.value, member.idle_timeout_ms.written) == (300000.0, "300")
    assert (member.ping.value, member.ping.written) == ("P", "500ms")
    assert member.activation.value == "H"
    assert member.location(member.route) == {"file": CONF, "line": 3}


def test_values_nobody_wrote_are_httpds_documented_defaults() -> None:
    member = only_member("ProxyPass / balancer://c/\nBalancerMember balancer://c ajp://tomcat\n")
    assert (member.host.value, member.port.value, member.port.defaulted) == ("tomcat", 8009, True)
    assert member.route is None and member.secret is None
    assert member.packet_size.shown() == "ProxyIOBufferSize 8192 (default)"
    assert member.reply_timeout_ms.shown() == "Timeout 60000.0 (default)"
    assert member.connect_timeout_ms.value == 60000.0
    assert member.idle_timeout_ms.directive == "BalancerMember ajp://tomcat ttl="
    assert (member.idle_timeout_ms.value, member.idle_timeout_ms.defaulted) == (None, True)
    assert (member.keepalive.value, member.ping.value, member.activation.value) == (
        False,
        None,
        "A",
    )
    assert member.pool_size.value is None  # no MPM read: not known
    assert member.prefer_ipv6 is None


@pytest.mark.parametrize(
    ("conf", "connect", "reply", "directive"),
    [
        ("Timeout 120\n{member}", 120000.0, 120000.0, "Timeout"),
        ("Timeout 120\nProxyTimeout 30\n{member}", 30000.0, 30000.0, "ProxyTimeout"),
        ("{member} timeout=10", 10000.0, 10000.0, "BalancerMember ajp://h:8009 timeout="),
        ("{member} timeout=10 connectiontimeout=250ms", 250.0, 10000.0, "BalancerMember"),
        ("ProxyTimeout 30\n{member}\nProxyTimeout 90", 30000.0, 30000.0, "ProxyTimeout"),
    ],
    ids=["Timeout", "ProxyTimeout", "timeout=", "connectiontimeout=", "copied when defined"],
)
def test_timeouts_follow_httpds_order(
    conf: str, connect: float, reply: float, directive: str
) -> None:
    member = only_member(
        "ProxyPass / balancer://c/\n"
        + conf.format(member="BalancerMember balancer://c ajp://h:8009")
    )
    assert (member.connect_timeout_ms.value, member.reply_timeout_ms.value) == (connect, reply)
    assert member.reply_timeout_ms.directive.startswith(directive)
    if "copied" in directive or "ProxyTimeout 90" in conf:
        assert member.reply_timeout_ms.line == 2


def test_a_virtual_host_uses_its_own_merged_settings() -> None:
    ends = front_end("""\
        ProxyIOBufferSize 16384
        Timeout 300
        <Proxy balancer://c>
            BalancerMember ajp://10.0.0.2:8009
        </Proxy>
        <VirtualHost *:80>
            ProxyTimeout 20
            ProxyPass / balancer://c/ stickysession=JSESSIONID
        </VirtualHost>
        """)
    (balancer,) = ends.balancers
    (member,) = balancer.members
    assert (balancer.cookie.value, balancer.path_parameter.value) == ("JSESSIONID", ";JSESSIONID")
    assert (member.packet_size.value, member.reply_timeout_ms.value) == (16384, 20000.0)
    assert ends.file == CONF


@pytest.mark.parametrize(
    ("mpm", "params", "pool"),
    [
        ("", "", None),
        (EVENT, "", 25),
        (EVENT + "ThreadsPerChild 64\n", "", 64),
        (EVENT, "max=10", 10),
        (EVENT, "max=0", 25),
        ("LoadModule mpm_prefork_module modules/mod_mpm_prefork.so\n", "max=10", 1),
    ],
    ids=["MPM not read", "event", "ThreadsPerChild", "max=", "max=0", "prefork"],
)
def test_the_pool_is_max_or_the_mpms_threads_per_child(
    mpm: str, params: str, pool: int | None
) -> None:
    member = only_member(f"{mpm}ProxyPass / ajp://10.0.0.2:8009/ {params}\n")
    assert member.pool_size.value == pool


def test_only_ajp_members_and_what_a_proxypass_uses_are_modelled() -> None:
    ends = front_end("""\
        <Proxy balancer://mixed>
            BalancerMember ajp://10.0.0.2:8009
            BalancerMember http://10.0.0.3:8080
        </Proxy>
        <Proxy balancer://web>
            BalancerMember http://10.0.0.4:8080
        </Proxy>
        <Proxy balancer://unused>
            BalancerMember ajp://10.0.0.5:8009
        </Proxy>
        ProxyPass /static !
        ProxyPass /web balancer://web/
        ProxyPass /http http://10.0.0.6:8080/
        ProxyPassMatch ^(/.*\\.jsp)$ balancer://mixed$1
        """)
    assert [b.name for b in ends.balancers] == ["balancer://mixed"]
    assert [m.host.value for m, _b in ends.members] == ["10.0.0.2"]
    assert ends.direct == ()


def test_no_front_end_without_an_ajp_target() -> None:
    node = apache("ProxyPass / http://10.0.0.6:8080/\n")
    assert proxy_front_end(node, None) is None
    assert proxy_front_end(NodeFacts(NodeSettings("w", "h", ("apache",))), None) is None


def test_the_httpd_version_is_the_front_ends() -> None:
    assert front_end("ProxyPass / ajp://h:8009/\n", version="2.4.41").httpd_version == "2.4.41"


# --- capacity -----------------------------------------------------------------------------------


def capacity(conf: str) -> Capacity | None:
    return httpd_capacity(apache(conf))


@pytest.mark.parametrize(
    ("conf", "numbers"),
    [
        (EVENT, ("event", 16, 25, 400, 16)),
        (EVENT + "ThreadsPerChild 64\n", ("event", 16, 64, 384, 6)),
        (EVENT + "ServerLimit 2\nMaxRequestWorkers 500\n", ("event", 2, 25, 50, 2)),
        (EVENT + "ThreadLimit 32\nThreadsPerChild 50\n", ("event", 16, 32, 384, 12)),
        ("LoadModule mpm_prefork_module m.so\n", ("prefork", 256, 1, 256, 256)),
        ("LoadModule mpm_prefork_module m.so\nMaxClients 150\n", ("prefork", 256, 1, 150, 150)),
        ("LoadModule mpm_worker_module m.so\nMaxRequestWorkers 10\n", ("worker", 16, 25, 25, 1)),
    ],
)
def test_capacity_as_the_mpm_adjusts_it(conf: str, numbers: tuple[Any, ...]) -> None:
    found = capacity(conf)
    assert found is not None
    assert (
        found.mpm.value,
        found.server_limit.value,
        found.threads_per_child.value,
        found.max_request_workers.value,
        found.processes,
    ) == numbers


def test_no_capacity_without_the_mpm() -> None:
    assert capacity("ServerLimit 4\n") is None
    assert httpd_capacity(NodeFacts(NodeSettings("w", "h", ("apache",)))) is None


# --- secrets --------------------------------------------------------------------------------


def test_a_secret_a_proxy_parameter_sets_is_one_to_hide() -> None:
    """Found in the facts themselves (after Define and ${VAR}, which no file shows as it is)."""
    node = apache("BalancerMember balancer://c ajp://h:8009 secret=Def1nedS3cret\n")
    facts = ClusterFacts(
        ClusterSettings("c", "inventory.yaml", (node.settings,)), {"web1": node}, "now"
    )
    assert "Def1nedS3cret" in secret_values(facts)
    assert Derived(facts).secrets.hide("sent Def1nedS3cret") == "sent ***"


# --- the checks on the model -------------------------------------------------------------------

HEALTHY_PROXY = """\
    ProxyPass / balancer://lb/ stickysession=JSESSIONID|jsessionid
    <Proxy balancer://lb>
        BalancerMember ajp://10.0.0.11:8009 route=tomcat01 secret=s3cret
        BalancerMember ajp://10.0.0.12:8009 route=tomcat02 secret=s3cret
        BalancerMember ajp://10.0.0.13:8009 route=tomcat03 secret=s3cret
    </Proxy>
    """


def judged(
    tmp: Path, conf: str, code: str, version: str | None = "2.4.62"
) -> set[tuple[str, str, str]]:
    """One check over three Tomcats behind web1, whose httpd reads `conf` (mod_proxy only: the
    facts are given as collect will give them once it reads httpd.conf)."""
    nodes: dict[str, Any] = {"web1": {"host": "10.0.0.1", "roles": ["apache"]}}
    files: dict[str, Any] = {"web1": {JK_CONF: "# mod_proxy only\n"}}
    for index in (1, 2, 3):
        name = f"tomcat0{index}"
        nodes[name] = {"host": f"10.0.0.{10 + index}", "roles": ["tomcat"]}
        files[name] = tomcat_files(jvm_route=name)
    facts = gather(load_inventory(build(tmp, nodes, files)))
    web = facts.nodes["web1"]
    directives, _problems = parse_httpd(textwrap.dedent(conf), CONF)
    assert web.apache is not None
    web.apache = replace(web.apache, proxy=proxy_settings(directives), httpd_version=version)
    results = run_checks(select(load_checks(), [code]), facts)
    return {(str(r.node), r.status.value, r.message) for r in results}


def statuses(found: set[tuple[str, str, str]]) -> set[tuple[str, str]]:
    return {(node, status) for node, status, _message in found}


def test_cc101_cc202_cc103_pass_on_a_healthy_mod_proxy_front_end(tmp_path: Path) -> None:
    assert statuses(judged(tmp_path, HEALTHY_PROXY, "CC101")) == {("web1", "pass")}
    assert statuses(judged(tmp_path, HEALTHY_PROXY, "CC202")) == {("web1", "pass")}
    assert {s for n, s in statuses(judged(tmp_path, HEALTHY_PROXY, "CC103"))} == {"pass"}


@pytest.mark.parametrize(
    ("code", "change", "fragment"),
    [
        ("CC101", ("10.0.0.12:8009", "10.0.0.12:8010"), "BalancerMember ajp://10.0.0.12:8010"),
        ("CC202", ("route=tomcat03", "route=node3"), "node3"),
        ("CC103", ("tomcat02 secret=s3cret", "tomcat02 secret=other"), "different secret"),
    ],
    ids=["port no connector has", "route no jvmRoute has", "secret differs"],
)
def test_the_checks_find_a_mod_proxy_fault(
    tmp_path: Path, code: str, change: tuple[str, str], fragment: str
) -> None:
    found = judged(tmp_path, HEALTHY_PROXY.replace(*change), code)
    assert any(status == "fail" and fragment in message for _n, status, message in found), found
    assert not any("s3cret" in message or "other" in message.split() for _n, _s, message in found)


def test_cc103_says_an_httpd_older_than_2_4_42_sends_no_secret(tmp_path: Path) -> None:
    found = judged(tmp_path, HEALTHY_PROXY, "CC103", version="2.4.41")
    assert any("older than 2.4.42" in message for _n, _s, message in found), found
