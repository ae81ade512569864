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

import textwrap

import pytest
from parsers.test_proxy import ACCEPTED, MEANT_OTHERWISE, REFUSED, kinds
from realhttpd import PROXY_MODULES, backends, need_proxy_httpd, run_proxy_httpd

from clustercheck.engine.registry import load_checks, select
from clustercheck.facts.cluster import NodeFacts
from clustercheck.facts.files import ApacheFacts
from clustercheck.inventory.settings import NodeSettings
from clustercheck.parsers.httpd import parse_httpd
from clustercheck.parsers.proxy import proxy_settings
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

CONF = "/etc/apache2/apache2.conf"


def verdicts(code: str, conf: str) -> list[tuple[str, str]]:
    """(status, message) of one CC607 member on an apache node whose httpd reads `conf`."""
    directives, _problems = parse_httpd(textwrap.dedent(conf), CONF)
    apache = ApacheFacts(httpd_conf=CONF, proxy=proxy_settings(directives))
    node = NodeFacts(NodeSettings("web1", "127.0.0.1", ("apache",)), apache=apache)
    (member,) = select(load_checks(), [code])
    return [(f.status.value, f.message) for f in member.judge(node=node)]


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


@pytest.mark.parametrize(
    "conf",
    [EMPTY, NOT_INHERITED],
    ids=["members in another balancer", "a VirtualHost that inherits nothing"],
)
def test_a_proxypass_to_a_balancer_without_members_answers_503(conf: str) -> None:
    """httpd starts, and every request the rule maps gets 503 (AH01171); CC6073 fails it."""
    with backends("t1") as tomcats:
        text = conf.format(port=tomcats["t1"].port)
        httpd = run_proxy_httpd(text, get=["/a"])
    assert httpd.started, httpd.error_log
    assert httpd.responses["/a"].status == 503
    assert "AH01171: balancer://c: No workers in balancer" in httpd.error_log
    assert [status for status, _m in verdicts("CC6073", text)] == ["fail"]
