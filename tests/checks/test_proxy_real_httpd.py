"""The truths the mod_proxy parser's verdicts rely on, shown by the real httpd 2.4 (Debian's
apache2, its mod_proxy, mod_proxy_ajp and mod_proxy_balancer) on a loopback port: every line the
parser says httpd refuses is refused by `apache2 -t`, every line it accepts (or reads otherwise
than written) is accepted; and where a verdict is about what httpd then does, requests through
it to stand-in Tomcats (tests/realhttpd.py `Backend`) show it.

The CC607 proxy-config family's verdicts about what httpd does with what it starts with (a
balancer without members answers 503, a module not loaded) are shown here too, each with the
member's verdict on the same lines.

Skipped without apache2 and its proxy modules (`need_proxy_httpd`), a failure in CI.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from clusterfiles import build, judge
from parsers.test_proxy import ACCEPTED, MEANT_OTHERWISE, REFUSED, kinds
from realhttpd import PROXY_MODULES, backends, need_proxy_httpd, run_proxy_httpd

from clustercheck.parsers.text import Kind

# For lines httpd accepts: every lbmethod and the health-check parameters known.
EVERY_MODULE = (
    *PROXY_MODULES,
    "lbmethod_bytraffic",
    "lbmethod_bybusyness",
    "lbmethod_heartbeat",
    "proxy_hcheck",
)


@pytest.fixture(autouse=True)
def _httpd() -> None:
    need_proxy_httpd()


def without_load_module(text: str) -> str:
    """The case's lines without its LoadModule lines: the real httpd loads its own modules."""
    return "".join(line for line in text.splitlines(True) if not line.startswith("LoadModule"))


@pytest.mark.parametrize(("case", "text", "fragment"), REFUSED, ids=[c[0] for c in REFUSED])
def test_httpd_refuses_what_the_parser_says_it_refuses(case: str, text: str, fragment: str) -> None:
    httpd = run_proxy_httpd(without_load_module(text), config_test=True)
    assert not httpd.started, httpd.error_log
    assert "Syntax error" in httpd.error_log


@pytest.mark.parametrize(
    ("case", "text", "_fragment"),
    [*MEANT_OTHERWISE, *((line, line + "\n", "") for line in ACCEPTED)],
    ids=[c[0] for c in MEANT_OTHERWISE] + ACCEPTED,
)
def test_httpd_accepts_what_the_parser_accepts(case: str, text: str, _fragment: str) -> None:
    httpd = run_proxy_httpd(text, modules=EVERY_MODULE, config_test=True)
    assert httpd.started, httpd.error_log


def test_an_unknown_balancermember_parameter_stops_httpd() -> None:
    conf = "<Proxy balancer://c>\nBalancerMember ajp://127.0.0.1:8009 routee=t1\n</Proxy>\n"
    httpd = run_proxy_httpd(conf)
    assert not httpd.started
    assert "BalancerMember unknown Worker parameter" in httpd.error_log
    assert kinds(conf) == [(2, Kind.REFUSES_TO_START)]


STICKY = """\
ProxyPass / balancer://c/ {on_pass}
ProxyPassReverse / balancer://c/ {on_reverse}
<Proxy balancer://c>
BalancerMember ajp://127.0.0.1:{t1} route=t1
BalancerMember ajp://127.0.0.1:{t2} route=t2
</Proxy>
"""


@pytest.mark.parametrize(
    ("on_pass", "on_reverse", "routed", "problems"),
    [
        ("stickysession=JSESSIONID", "", {"t2"}, []),
        ("", "stickysession=JSESSIONID", {"t1", "t2"}, [(2, Kind.MEANS_SOMETHING_ELSE)]),
    ],
    ids=["on ProxyPass: requests follow the session", "on ProxyPassReverse: no effect"],
)
def test_stickysession_routes_only_from_proxypass(
    on_pass: str, on_reverse: str, routed: set[str], problems: list[tuple[int, Kind]]
) -> None:
    """A session of t2 (`JSESSIONID=....t2`) goes to t2 when ProxyPass sets stickysession; on
    ProxyPassReverse httpd starts, takes the word for `interpolate`, and balances by requests."""
    with backends("t1", "t2") as tomcats:
        conf = STICKY.format(
            on_pass=on_pass, on_reverse=on_reverse, t1=tomcats["t1"].port, t2=tomcats["t2"].port
        )
        paths = [f"/app/{n}" for n in range(6)]
        httpd = run_proxy_httpd(conf, get=paths, headers={"Cookie": "JSESSIONID=ABC123.t2"})
    assert httpd.started, httpd.error_log
    assert {httpd.responses[path].body for path in paths} == routed
    assert kinds(conf) == problems


def test_a_virtual_hosts_members_give_way_to_the_main_servers_balancer_of_that_name() -> None:
    """merge_balancers: the VirtualHost's balancer becomes the main server's, members included;
    the parser's effective_balancer says the same (test_proxy)."""
    with backends("main", "vhost") as tomcats:
        conf = (
            f"<Proxy balancer://c>\nBalancerMember ajp://127.0.0.1:{tomcats['main'].port}\n"
            "</Proxy>\n<VirtualHost VHOST>\n<Proxy balancer://c>\n"
            f"BalancerMember ajp://127.0.0.1:{tomcats['vhost'].port}\n</Proxy>\n"
            "ProxyPass / balancer://c/\n</VirtualHost>\n"
        )
        httpd = run_proxy_httpd(conf, get=["/a", "/b"])
    assert httpd.started, httpd.error_log
    assert {response.body for response in httpd.responses.values()} == {"main"}


@pytest.mark.parametrize(
    ("buffer", "status"),
    [("", 400), ("ProxyIOBufferSize 16384\n", 200)],
    ids=["8 KiB packets: 400, not forwarded", "16 KiB packets"],
)
def test_proxyiobuffersize_is_the_ajp_packet_size(buffer: str, status: int) -> None:
    """A request whose headers do not fit one AJP packet of 8192 bytes is answered 400 and not
    forwarded (mod_proxy_ajp: AJP_EOVERFLOW); with ProxyIOBufferSize 16384 it is (the packet size
    the model gives members)."""
    with backends("t1") as tomcats:
        conf = f"{buffer}ProxyPass / ajp://127.0.0.1:{tomcats['t1'].port}/\n"
        big = {f"X-Big-{n}": "x" * 3000 for n in range(4)}  # each within LimitRequestFieldSize
        httpd = run_proxy_httpd(conf, get=["/"], headers=big)
    assert httpd.started, httpd.error_log
    assert httpd.responses["/"].status == status


# --- the CC607 family's verdicts ----------------------------------------------------------------

CONF = "/etc/httpd/conf/httpd.conf"
BALANCED = """\
ProxyPass / balancer://c/
<Proxy balancer://c>
BalancerMember ajp://127.0.0.1:{port}
</Proxy>
"""
EMPTY = """\
ProxyPass / balancer://c/
<Proxy balancer://c>
ProxySet growth=5
</Proxy>
<Proxy balancer://other>
BalancerMember ajp://127.0.0.1:{port}
</Proxy>
"""
NOT_INHERITED = """\
<Proxy balancer://c>
BalancerMember ajp://127.0.0.1:{port}
</Proxy>
<VirtualHost VHOST>
BalancerInherit Off
ProxyPassInherit Off
ProxyPass / balancer://c/
</VirtualHost>
"""


def verdicts(tmp: Path, code: str, conf: str, modules: Sequence[str]) -> list[str]:
    """The statuses of one CC607 member on an apache node whose httpd.conf loads `modules` and
    holds `conf`, read by the real collect (apache.httpd_conf)."""
    loads = "".join(f"LoadModule {name}_module modules/mod_{name}.so\n" for name in modules)
    text = "LoadModule mpm_prefork_module modules/mod_mpm_prefork.so\n" + loads + conf
    node = {"host": "10.0.0.1", "roles": ["apache"], "apache": {"httpd_conf": CONF}}
    inventory = build(tmp, {"web1": node}, {"web1": {CONF: text}})
    return [result.status.value for result in judge(inventory, code)]


def without(*names: str) -> tuple[str, ...]:
    return tuple(name for name in PROXY_MODULES if name not in names)


@pytest.mark.parametrize(
    ("conf", "modules", "status", "logged", "code"),
    [
        (EMPTY, PROXY_MODULES, 503, "AH01171: balancer://c: No workers in balancer", "CC6073"),
        (NOT_INHERITED, PROXY_MODULES, 503, "AH01171: balancer://c: No workers", "CC6073"),
        (BALANCED, without("proxy_balancer"), 500, "AH01144: No protocol handler", "CC6073"),
        ("ProxyPass / ajp://127.0.0.1:{port}/\n", without("proxy_ajp"), 500, "AH01144", "CC6073"),
        (BALANCED, without("proxy_ajp"), 503, "AH00934: all workers are busy", "CC6073"),
        (
            BALANCED,
            without("lbmethod_byrequests"),
            None,
            "AH02432: Cannot find LB Method",
            "CC6071",
        ),
    ],
    ids=[
        "members in another balancer: 503",
        "a VirtualHost that inherits nothing: 503",
        "no mod_proxy_balancer: 500",
        "no mod_proxy_ajp, a worker: 500",
        "no mod_proxy_ajp, a balancer's members: 503",
        "no mod_lbmethod_byrequests: httpd does not start",
    ],
)
def test_what_httpd_answers_where_the_family_fails(
    tmp_path: Path,
    conf: str,
    modules: tuple[str, ...],
    status: int | None,
    logged: str,
    code: str,
) -> None:
    """httpd starts (or not, `status` None) and answers the rule's requests with `status`,
    logging why; the member that owns the fault fails the same lines."""
    with backends("t1") as tomcats:
        text = conf.format(port=tomcats["t1"].port)
        httpd = run_proxy_httpd(text, get=["/a"], modules=modules)
    assert httpd.started is (status is not None), httpd.error_log
    if status is not None:
        assert httpd.responses["/a"].status == status
    assert logged in httpd.error_log
    assert verdicts(tmp_path, code, text, modules) == ["fail"]


def test_without_mod_proxy_httpd_does_not_know_its_directives(tmp_path: Path) -> None:
    conf = "ProxyPass / ajp://127.0.0.1:8009/\n"
    httpd = run_proxy_httpd(conf, modules=(), config_test=True)
    assert not httpd.started
    assert "Invalid command 'ProxyPass'" in httpd.error_log
    assert verdicts(tmp_path, "CC6071", conf, ()) == ["fail"]
