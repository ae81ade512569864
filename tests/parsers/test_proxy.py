"""mod_proxy's directives as httpd 2.4 reads them (mod_proxy.c): what is kept, per server, with
file and line, and what httpd refuses or reads otherwise than written. The verdicts that depend
on httpd's behaviour are shown by a real httpd in tests/checks/test_proxy_real_httpd.py."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clustercheck.parsers.httpd import parse_httpd
from clustercheck.parsers.proxy import MAIN, ProxySettings, balancer_name, proxy_settings
from clustercheck.parsers.text import Kind

CONF = "/etc/httpd/conf.d/proxy.conf"
LOADED = """\
LoadModule proxy_module modules/mod_proxy.so
LoadModule proxy_ajp_module modules/mod_proxy_ajp.so
LoadModule proxy_balancer_module modules/mod_proxy_balancer.so
LoadModule lbmethod_byrequests_module modules/mod_lbmethod_byrequests.so
"""


def read(text: str) -> ProxySettings:
    directives, problems = parse_httpd(textwrap.dedent(text), CONF)
    assert problems == []
    return proxy_settings(directives)


def said(text: str) -> list[tuple[int | None, str, str]]:
    """(line, kind, message) of every problem."""
    return [(p.line, p.kind.value, p.message) for p in read(text).problems]


def kinds(text: str) -> list[tuple[int | None, Kind]]:
    return [(p.line, p.kind) for p in read(text).problems]


# --- what is kept -----------------------------------------------------------------------------


def test_a_balancer_its_members_and_parameters_keep_file_and_line() -> None:
    proxy = read("""\
        ProxyPass /app balancer://Cluster/app stickysession=JSESSIONID|jsessionid scolonpathdelim=On
        <Proxy "balancer://cluster/">
            BalancerMember ajp://10.0.0.2:8009 route=node1 ROUTE=node1b secret=s3cretvalue
            BalancerMember "ajp://[::1]" route=node2 status=+H
            BalancerMember http://10.0.0.9:8080
            ProxySet lbmethod=byrequests
        </Proxy>
        """)
    assert proxy.problems[0].kind is Kind.OVERRIDDEN  # route= then ROUTE=: one name to httpd
    balancer = proxy.main.balancers["balancer://cluster"]
    assert (balancer.file, balancer.line) == (CONF, 1)
    assert {k: (p.value, p.line) for k, p in balancer.params.items()} == {
        "stickysession": ("JSESSIONID|jsessionid", 1),
        "scolonpathdelim": ("On", 1),
        "lbmethod": ("byrequests", 6),
    }
    first, second, third = balancer.members
    assert (first.scheme, first.host, first.port, first.line) == ("ajp", "10.0.0.2", 8009, 3)
    assert first.params["route"].value == "node1b"
    assert first.params["route"].directive == "BalancerMember ajp://10.0.0.2:8009"
    assert first.params["secret"].shown == "secret=(not shown)"
    assert (second.host, second.port, second.params["status"].value) == ("::1", None, "+H")
    assert third.scheme == "http"
    (mapping,) = proxy.main.mappings
    assert (mapping.path, mapping.balancer, mapping.worker) == ("/app", "balancer://cluster", None)


def test_a_member_outside_a_proxy_section_names_its_balancer_first() -> None:
    proxy = read("""\
        BalancerMember balancer://c ajp://10.0.0.2:8009 route=a
        BalancerMember balancer://c/ ajp://10.0.0.3:8009 route=b
        ProxySet balancer://c lbmethod=byrequests nofailover=On
        ProxyPass / balancer://c/
        """)
    balancer = proxy.main.balancers["balancer://c"]
    assert [m.params["route"].value for m in balancer.members] == ["a", "b"]
    assert balancer.params["nofailover"].directive == "ProxySet balancer://c"
    assert proxy.problems == []


def test_direct_ajp_workers_exclusions_and_regex_rules() -> None:
    proxy = read("""\
        ProxyPass /static !
        ProxyPass /app ajp://10.0.0.2:8009/app timeout=30 ttl=60 ping=500ms max=10 keepalive=On
        ProxyPassMatch ^/(.*\\.jsp)$ ajp://10.0.0.3/$1
        <Location /shop>
            ProxyPass ajp://10.0.0.4:8010/shop
        </Location>
        """)
    excluded, app, jsp, shop = proxy.main.mappings
    assert excluded.excluded and excluded.path == "/static"
    assert (jsp.regex, jsp.path, jsp.worker) == (True, "^/(.*\\.jsp)$", "ajp://10.0.0.3/$1")
    assert (shop.path, shop.worker) == ("/shop", "ajp://10.0.0.4:8010/shop")
    workers = {w.url: w for w in proxy.main.workers}
    assert {k: p.value for k, p in workers[str(app.worker)].params.items()} == {
        "timeout": "30",
        "ttl": "60",
        "ping": "500ms",
        "max": "10",
        "keepalive": "On",
    }
    assert workers["ajp://10.0.0.3/$1"].port is None
    assert proxy.problems == []


def test_each_virtual_host_keeps_its_own_settings_and_inherits_the_main_servers() -> None:
    proxy = read("""\
        Timeout 300
        ProxyIOBufferSize 16384
        <Proxy balancer://c>
            BalancerMember ajp://10.0.0.2:8009
        </Proxy>
        <VirtualHost *:80>
            ProxyTimeout 30
            ProxyPass / balancer://c/ stickysession=JSESSIONID
        </VirtualHost>
        <VirtualHost *:8080>
            BalancerInherit Off
            ProxyPassInherit Off
            ProxyPass / balancer://c/
        </VirtualHost>
        """)
    main, vhost, alone = proxy.servers
    assert (main.name, vhost.name) == (MAIN, "<VirtualHost *:80>")
    assert proxy.setting(vhost, "proxytimeout").value == "30"  # type: ignore[union-attr]
    assert proxy.setting(vhost, "timeout").value == "300"  # type: ignore[union-attr]
    assert proxy.setting(main, "proxytimeout") is None
    merged = proxy.effective_balancer(vhost, "balancer://c")
    assert merged is not None
    assert [m.url for m in merged.members] == ["ajp://10.0.0.2:8009"]
    assert set(merged.params) == {"stickysession"}
    own = proxy.effective_balancer(alone, "balancer://c")
    assert own is not None and own.members == []


def test_a_virtual_hosts_members_of_a_main_server_balancer_give_way_to_the_main_ones() -> None:
    """merge_balancers copies the main server's balancer over the VirtualHost's (the real httpd
    answers from the main server's member: test_proxy_real_httpd)."""
    proxy = read("""\
        <Proxy balancer://c>
            BalancerMember ajp://10.0.0.2:8009
        </Proxy>
        <VirtualHost *:80>
            <Proxy balancer://c>
                BalancerMember ajp://10.0.0.3:8009
            </Proxy>
            ProxyPass / balancer://c/
        </VirtualHost>
        """)
    merged = proxy.effective_balancer(proxy.servers[1], "balancer://c")
    assert merged is not None and [m.host for m in merged.members] == ["10.0.0.2"]


def test_a_worker_keeps_the_proxytimeout_its_server_had_when_it_was_defined() -> None:
    proxy = read("""\
        <Proxy balancer://c>
            BalancerMember ajp://10.0.0.2:8009
        </Proxy>
        ProxyTimeout 120
        <Proxy balancer://d>
            BalancerMember ajp://10.0.0.3:8009
        </Proxy>
        """)
    early, late = (b.members[0] for b in proxy.main.balancers.values())
    assert early.proxy_timeout is None
    assert late.proxy_timeout is not None and late.proxy_timeout.line == 4


def test_proxy_section_arguments_are_applied_after_what_the_section_holds() -> None:
    proxy = read("""\
        <Proxy balancer://c lbmethod=byrequests>
            BalancerMember ajp://10.0.0.2:8009
            ProxySet lbmethod=bytraffic
        </Proxy>
        """)
    param = proxy.main.balancers["balancer://c"].params["lbmethod"]
    assert (param.value, param.line, param.directive) == ("byrequests", None, "<Proxy balancer://c")


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("balancer://mycluster", "balancer://mycluster"),
        ("balancer://MyCluster/", "balancer://mycluster"),
        ("BALANCER://c/app/x", "balancer://c"),
        ("balancer://", None),
        ("balancer:///x", None),
        ("mycluster", None),
    ],
)
def test_balancer_names_are_lower_cased_without_their_path(url: str, name: str | None) -> None:
    assert balancer_name(url) == name


# --- what httpd refuses or reads otherwise ---------------------------------------------------

REFUSED = [
    ("unknown member parameter", "BalancerMember balancer://c ajp://h:8009 foo=1\n", "foo"),
    (
        "balancer parameter on a member",
        "<Proxy balancer://c>\nBalancerMember ajp://h:8009 stickysession=JSESSIONID\n</Proxy>\n",
        "unknown Worker parameter 'stickysession'",
    ),
    ("member parameter on a balancer", "ProxyPass / balancer://c/ route=x\n", "Balancer"),
    ("worker parameter typo", "ProxyPass / ajp://h:8009/ tiemout=5\n", "tiemout"),
    ("unknown status letter", "BalancerMember balancer://c ajp://h status=X\n", "status"),
    ("status sign with no letter", "BalancerMember balancer://c ajp://h status=H+\n", "status"),
    ("ping unit", "BalancerMember balancer://c ajp://h ping=1m\n", "Ping/Pong"),
    ("ttl below a second", "BalancerMember balancer://c ajp://h ttl=0\n", "TTL"),
    ("keepalive not On|Off", "ProxyPass / ajp://h/ keepalive=yes\n", "KeepAlive"),
    ("loadfactor 0", "BalancerMember balancer://c ajp://h loadfactor=0\n", "LoadFactor"),
    ("lbmethod case", "ProxyPass / balancer://c/ lbmethod=ByRequests\n", "lbmethod"),
    ("lbmethod not loaded", LOADED + "ProxyPass / balancer://c/ lbmethod=bytraffic\n", "Load"),
    ("hcheck not loaded", LOADED + "ProxyPass / ajp://h/ hcmethod=CPING\n", "hcheck"),
    ("member without balancer", "BalancerMember ajp://h:8009\n", "remote proxy server"),
    ("member without URL", "<Proxy balancer://c>\nBalancerMember route=a\n</Proxy>\n", "remote"),
    ("ProxySet before its balancer", "ProxySet balancer://c lbmethod=byrequests\n", "find"),
    ("ProxyPass without URL", "ProxyPass /app\n", "needs"),
    ("path in a Location", "<Location /a>\nProxyPass /a ajp://h/a\n</Location>\n", "path"),
    ("ProxyPass in <Proxy *>", "<Proxy *>\nProxyPass / ajp://h:8009/\n</Proxy>\n", "path"),
    ("ProxyPass in a Directory", "<Directory /x>\nProxyPass / ajp://h/\n</Directory>\n", "Dir"),
    ("bad port", "ProxyPass / ajp://localhost:$PORT/\n", "port"),
    ("no URL at all", "ProxyPass / ${DESTINATION}\n", "no URL"),
    ("io buffer below 512", "ProxyIOBufferSize 100\n", "512"),
    ("proxy timeout 0", "ProxyTimeout 0\n", "ProxyTimeout"),
    ("reverse with 4 words", "ProxyPassReverse / balancer://c/ a=1 b=2\n", "three"),
    ("bad mapping", "ProxyPass / ajp://h/ mapping=odd\n", "mapping"),
    ("~ on ProxyPassMatch", "ProxyPassMatch ~ ^/x ajp://h/\n", "~"),
    ("secret too long", f"ProxyPass / ajp://h/ secret={'x' * 64}\n", "Secret"),
]


@pytest.mark.parametrize(("case", "text", "fragment"), REFUSED, ids=[c[0] for c in REFUSED])
def test_what_httpd_refuses_to_start_with(case: str, text: str, fragment: str) -> None:
    found = said(text)
    refused = [f for f in found if f[1] == Kind.REFUSES_TO_START.value]
    assert refused, found
    assert fragment in refused[0][2]
    assert refused[0][2].endswith("httpd refuses to start")


MEANT_OTHERWISE = [
    (
        "stickysession on ProxyPassReverse",
        "ProxyPassReverse / balancer://c/ stickysession=JSESSIONID\n",
        "interpolate",
    ),
    ("secret on ProxyPassReverse", "ProxyPassReverse / ajp://h/ secret=s3cr3tvalue\n", "not shown"),
    ("timeout with a unit", "ProxyPass / ajp://h/ timeout=500ms\n", "500 seconds"),
    ("retry in ms", "BalancerMember balancer://c http://h retry=1ms\n", "1 seconds"),
    ("ProxyTimeout with a unit", "ProxyTimeout 5m\n", "5 seconds"),
    (
        "parameters of a shared worker",
        "ProxyPass /a ajp://h:8009/ timeout=5\nProxyPass /b ajp://h:8009/b ttl=30\n",
        "AH01146",
    ),
    (
        "parameters to balancer://c$1",
        "ProxyPassMatch ^(/.*)$ balancer://c$1 stickysession=JSESSIONID\n",
        "balancer://c$1",
    ),
]


@pytest.mark.parametrize(
    ("case", "text", "fragment"), MEANT_OTHERWISE, ids=[c[0] for c in MEANT_OTHERWISE]
)
def test_what_httpd_reads_otherwise_than_written(case: str, text: str, fragment: str) -> None:
    found = said(text)
    assert [f[1] for f in found] == [Kind.MEANS_SOMETHING_ELSE.value], found
    assert fragment in found[0][2]
    assert "s3cr3tvalue" not in found[0][2]


def test_a_parameter_set_twice_is_overridden_naming_both_places() -> None:
    found = said("""\
        ProxyPass / balancer://c/ stickysession=JSESSIONID|jsessionid
        <Proxy balancer://c>
            BalancerMember ajp://h:8009
            ProxySet stickysession=JSESSIONID
        </Proxy>
        """)
    assert found == [
        (
            4,
            "overridden",
            f"stickysession=JSESSIONID replaces stickysession=JSESSIONID|jsessionid given at "
            f"{CONF}:1 for balancer://c",
        )
    ]


ACCEPTED = [
    "ProxyPass / balancer://c/ stickysession=JSESSIONID|jsessionid scolonpathdelim=On",
    "ProxyPass / balancer://c/ nofailover=On maxattempts=1 timeout=5 failonstatus=500,503",
    "ProxyPass / balancer://c/ lbmethod=bybusyness stickysessionsep=! forcerecovery=Off",
    "BalancerMember balancer://c ajp://h:8009 status=+H retry=0 route=n1 ping=5 ttl=60",
    "BalancerMember balancer://c ajp://h:8009 status=D-E connectiontimeout=500ms acquire=3000",
    "BalancerMember balancer://c ajp://h:8009 status=N smax=5 min=1 max=25 lbset=1",
    "BalancerMember balancer://c ajp://h:8009 status=S flushpackets=auto flushwait=20",
    "BalancerMember balancer://c ajp://h:8009 secret=s3cret iobuffersize=65536 addressttl=-1",
    "ProxyPass / ajp://h:8009/ nocanon keepalive=On disablereuse=Off hcmethod=CPING",
    "ProxyPassReverse / balancer://c/ interpolate",
    "ProxyIOBufferSize 0",
]


@pytest.mark.parametrize("line", ACCEPTED)
def test_what_httpd_accepts(line: str) -> None:
    assert said(line + "\n") == []


# --- never raises ----------------------------------------------------------------------------

_WORDS = st.sampled_from(
    [
        "ProxyPass",
        "ProxyPassMatch",
        "BalancerMember",
        "ProxySet",
        "ProxyPassReverse",
        "ProxyTimeout",
        "<Proxy balancer://c>",
        "</Proxy>",
        "<Location /x>",
        "</Location>",
        "<VirtualHost *:80>",
        "</VirtualHost>",
        "/",
        "!",
        "~",
        "balancer://c/",
        "balancer://",
        "ajp://h:8009",
        "ajp://[::1",
        "ajp://h:99999",
        "route=a",
        "status=+",
        "ping=",
        "=",
        "timeout=5x",
        '"',
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_WORDS, min_size=1, max_size=5), max_size=12))
def test_any_directives_are_read_without_an_exception(lines: list[list[str]]) -> None:
    directives, _problems = parse_httpd("\n".join(" ".join(line) for line in lines), CONF)
    proxy = proxy_settings(directives)
    assert all(p.kind is not Kind.UNREADABLE for p in proxy.problems)
