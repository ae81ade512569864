"""The CC607 proxy-config family on real-looking httpd files and on the mod_proxy corpus, read
through the real collect (apache.httpd_conf, files transport).

Each case is an Apache node whose httpd.conf loads the modules of a mod_proxy front end (or
those a case names) and includes a file of mod_proxy directives, judged by every member of
the family: every (code, status, message fragment) expected must be in the results of that
code (a family code: of each member), and no member may give a warn, fail or error that is not
expected of it (clusterfiles.assert_says). The verdicts that depend on what httpd does are
shown by the real httpd in test_proxy_real_httpd.py.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from clusterfiles import assert_says, build, judge, tomcat_files

from clustercheck.engine.results import Result

CONF = "/etc/httpd/conf/httpd.conf"
PROXY_CONF = "/etc/httpd/conf.d/proxy.conf"
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "proxy-corpus"
MPM = "LoadModule mpm_event_module modules/mod_mpm_event.so\n"
# a mod_proxy front end's modules: those of Red Hat's conf.modules.d/00-proxy.conf for AJP
FRONT_END = ("proxy", "proxy_ajp", "proxy_balancer", "lbmethod_byrequests")
EVERY_LBMETHOD = (*FRONT_END, "lbmethod_bytraffic", "lbmethod_bybusyness", "lbmethod_heartbeat")
HEALTHY = """\
ProxyPass /shop balancer://lb/shop stickysession=JSESSIONID|jsessionid
ProxyPassReverse /shop balancer://lb/shop
<Proxy balancer://lb>
    BalancerMember ajp://10.0.0.11:8009 route=tomcat01 secret=s3cret ping=5
    BalancerMember ajp://10.0.0.12:8009 route=tomcat02 secret=s3cret ping=5
</Proxy>
"""
MEMBERS = ("CC6071", "CC6072", "CC6073")


def httpd_conf(modules: tuple[str, ...] = FRONT_END, more: str = "") -> str:
    """An httpd.conf that loads these modules and includes conf.d/*.conf."""
    loads = "".join(f"LoadModule {name}_module modules/mod_{name}.so\n" for name in modules)
    return MPM + loads + more + "Include conf.d/*.conf\n"


def results(
    tmp: Path,
    conf: str,
    version: str | None = "2.4.62",
    modules: tuple[str, ...] = FRONT_END,
    main: str | None = None,
) -> list[Result]:
    """The family's results on web1, whose httpd.conf (`main`, else one that loads `modules`)
    includes `conf` as conf.d/proxy.conf."""
    settings = {"httpd_conf": CONF, **({"version": version} if version else {})}
    node = {"host": "10.0.0.1", "roles": ["apache"], "apache": settings}
    files = {CONF: main or httpd_conf(modules), PROXY_CONF: textwrap.dedent(conf)}
    return judge(build(tmp, {"web1": node}, {"web1": files}), "CC607")


def corpus(prefix: str) -> str:
    (path,) = CORPUS.glob(f"{prefix}_*.conf")
    return path.read_text(encoding="utf-8")


def case(  # type: ignore[no-untyped-def]
    id: str,
    conf: str,
    *expected: tuple[str, str, str],
    version: str = "2.4.62",
    modules: tuple[str, ...] = FRONT_END,
):
    return pytest.param(conf, version, modules, expected, id=id)


CASES = [
    case(
        "healthy",
        HEALTHY,
        ("CC6071", "pass", "httpd 2.4.62 accepts every mod_proxy directive and parameter"),
        ("CC6072", "pass", "httpd reads every mod_proxy parameter as it is written"),
        ("CC6073", "pass", "every ProxyPass sends to a balancer with members or to a worker"),
    ),
    case(
        "route no jvmRoute has, nofailover: CC202's and CC203's",
        HEALTHY.replace("route=tomcat02", "route=node2").replace(
            "jsessionid", "jsessionid nofailover=On"
        ),
    ),
    # --- CC6071 proxy-refused-directive
    case(
        "misspelt member parameter",
        HEALTHY.replace("route=tomcat01", "routee=tomcat01"),
        ("CC6071", "fail", "BalancerMember ajp://10.0.0.11:8009: unknown Worker parameter"),
    ),
    case(
        "member parameter on a balancer",
        HEALTHY.replace("jsessionid", "jsessionid route=tomcat01"),
        ("CC6071", "fail", "unknown Balancer parameter 'route': httpd refuses to start"),
    ),
    case(
        "ProxySet in a VirtualHost for the main server's balancer",
        HEALTHY + "<VirtualHost *:80>\n    ProxySet balancer://lb lbmethod=bybusyness\n"
        "</VirtualHost>\n",
        ("CC6071", "fail", "ProxySet can not find 'balancer://lb' Balancer (define it before)"),
    ),
    case(
        "lbmethod whose module is not loaded",
        HEALTHY.replace("jsessionid", "jsessionid lbmethod=bybusyness"),
        ("CC6071", "fail", "unknown lbmethod 'bybusyness': no LoadModule lbmethod_bybusyness"),
    ),
    case(
        "secret before httpd 2.4.42",
        HEALTHY,
        (
            "CC6071",
            "fail",
            "BalancerMember ajp://10.0.0.11:8009 secret=: httpd 2.4.41 does not know this "
            'parameter (mod_proxy has it since 2.4.42) and refuses to start ("unknown Worker '
            'parameter")',
        ),
        ("CC6071", "fail", "BalancerMember ajp://10.0.0.12:8009 secret=: httpd 2.4.41"),
        version="2.4.41",
    ),
    case(
        "balancer parameter newer than httpd",
        HEALTHY.replace("jsessionid", "jsessionid failontimeout=On"),
        ("CC6071", "fail", "failontimeout=: httpd 2.4.4 does not know this parameter"),
        version="2.4.4",
    ),
    case("a release without its patch level tells nothing", HEALTHY, version="2.4"),
    case(
        "mod_proxy not loaded",
        HEALTHY,
        (
            "CC6071",
            "fail",
            "ProxyPass: mod_proxy is not loaded, so httpd does not know ProxyPass and refuses to "
            "start (\"Invalid command 'ProxyPass'\") (the modules linked into httpd are taken "
            "to be those of Red Hat's httpd: its `httpd -l` was not asked)",
        ),
        modules=(),
    ),
    case(
        "mod_proxy not loaded, a <Proxy> section first",
        "<Proxy balancer://lb>\n    BalancerMember ajp://10.0.0.11:8009\n</Proxy>\n",
        ("CC6071", "fail", "does not know <Proxy and refuses to start (\"Invalid command '<Proxy'"),
        modules=(),
    ),
    case(
        "a balancer without lbmethod= and no mod_lbmethod_byrequests",
        HEALTHY,
        (
            "CC6071",
            "fail",
            "balancer://lb sets no lbmethod=, so mod_proxy_balancer gives it byrequests, whose "
            "module lbmethod_byrequests_module is not loaded: httpd refuses to start "
            '("AH02432: Cannot find LB Method: byrequests")',
        ),
        modules=("proxy", "proxy_ajp", "proxy_balancer"),
    ),
    case(
        "a balancer with its own lbmethod needs no mod_lbmethod_byrequests",
        HEALTHY.replace("jsessionid", "jsessionid lbmethod=bybusyness"),
        modules=("proxy", "proxy_ajp", "proxy_balancer", "lbmethod_bybusyness"),
    ),
    # --- CC6072 proxy-ineffective-setting
    case(
        "stickysession on ProxyPassReverse",
        HEALTHY.replace("stickysession=JSESSIONID|jsessionid", "").replace(
            "ProxyPassReverse /shop balancer://lb/shop",
            "ProxyPassReverse /shop balancer://lb/shop stickysession=JSESSIONID",
        ),
        ("CC6072", "fail", "ProxyPassReverse takes stickysession=JSESSIONID for its only option"),
    ),
    case(
        "timeout in milliseconds",
        HEALTHY.replace("ping=5", "ping=5 timeout=500ms"),
        ("CC6072", "fail", "httpd reads timeout=500ms as 500 seconds"),
    ),
    case(
        "stickysession set twice",
        HEALTHY.replace("</Proxy>", "    ProxySet stickysession=JSESSIONID\n</Proxy>"),
        ("CC6072", "warn", "stickysession=JSESSIONID replaces stickysession=JSESSIONID|jsessionid"),
    ),
    case(
        "a VirtualHost's members give way to the main server's",
        HEALTHY + "<VirtualHost *:80>\n    <Proxy balancer://lb>\n"
        "        BalancerMember ajp://10.0.0.13:8009 route=tomcat03\n    </Proxy>\n"
        "    ProxyPass / balancer://lb/\n</VirtualHost>\n",
        (
            "CC6072",
            "fail",
            "<VirtualHost *:80>: its BalancerMembers of balancer://lb (ajp://10.0.0.13:8009) "
            f"take no request: httpd merges the main server's balancer://lb (defined at "
            f"{PROXY_CONF}:1) over the VirtualHost's, members included, and its requests go to "
            "the main server's members (ajp://10.0.0.11:8009, ajp://10.0.0.12:8009)",
        ),
    ),
    case(
        "a VirtualHost repeats the main server's members",
        HEALTHY + "<VirtualHost *:80>\n    <Proxy balancer://lb>\n"
        "        BalancerMember ajp://10.0.0.11:8009\n        BalancerMember ajp://10.0.0.12:8009"
        "\n    </Proxy>\n    ProxyPass / balancer://lb/\n</VirtualHost>\n",
        ("CC6072", "warn", "take no request: httpd merges the main server's balancer://lb"),
    ),
    case(
        "a VirtualHost that inherits nothing keeps its members",
        HEALTHY + "<VirtualHost *:80>\n    BalancerInherit Off\n    ProxyPassInherit Off\n"
        "    <Proxy balancer://lb>\n        BalancerMember ajp://10.0.0.13:8009\n"
        "    </Proxy>\n    ProxyPass / balancer://lb/\n</VirtualHost>\n",
    ),
    # --- CC6073 proxy-mapping-target
    case(
        "a balancer without members",
        HEALTHY.replace("<Proxy balancer://lb>", "<Proxy balancer://lb2>"),
        (
            "CC6073",
            "fail",
            "ProxyPass /shop balancer://lb/shop: balancer://lb has no BalancerMember, so every "
            'request for /shop gets HTTP 503 ("AH01171: No workers in balancer")',
        ),
    ),
    case(
        "a VirtualHost that inherits none of the main server's balancers",
        HEALTHY + "<VirtualHost *:80>\n    BalancerInherit Off\n    ProxyPassInherit Off\n"
        "    ProxyPass /app balancer://lb/app\n</VirtualHost>\n",
        (
            "CC6073",
            "fail",
            "ProxyPass /app balancer://lb/app in <VirtualHost *:80>: balancer://lb has no "
            "BalancerMember in this VirtualHost: it inherits none of the main server's "
            "balancers (BalancerInherit and ProxyPassInherit are Off), whose balancer of that "
            "name has 2 members",
        ),
    ),
    case(
        "ajp:// without mod_proxy_ajp",
        "ProxyPass /app ajp://10.0.0.11:8009/app\n",
        (
            "CC6073",
            "fail",
            "ProxyPass /app ajp://10.0.0.11:8009/app: no module serves ajp:// URLs "
            "(proxy_ajp_module is not loaded), so every request for /app gets HTTP 500 "
            '("AH01144: No protocol handler was valid for the URL")',
        ),
        modules=("proxy", "proxy_balancer", "lbmethod_byrequests"),
    ),
    case(
        "balancer:// without mod_proxy_balancer",
        HEALTHY,
        ("CC6073", "fail", "no module serves balancer:// URLs (proxy_balancer_module is not"),
        modules=("proxy", "proxy_ajp"),
    ),
    case(
        "a balancer's ajp:// members without mod_proxy_ajp",
        HEALTHY,
        (
            "CC6073",
            "fail",
            "ProxyPass /shop balancer://lb/shop: balancer://lb has 2 ajp:// members "
            "(ajp://10.0.0.11:8009, ajp://10.0.0.12:8009) and no module serves ajp:// URLs "
            "(proxy_ajp_module is not loaded), so every request it sends them gets HTTP 503 "
            '("AH00934: all workers are busy")',
        ),
        modules=("proxy", "proxy_balancer", "lbmethod_byrequests"),
    ),
    # --- real files
    case(
        "corpus 01: secret on ProxyPassReverse",
        corpus("01"),
        ("CC6072", "fail", "ProxyPassReverse takes secret=(not shown) for its only option"),
    ),
    case(
        "corpus 02: ProxySet replaces ProxyPass's stickysession",
        corpus("02"),
        ("CC6072", "warn", "stickysession=JSESSIONID replaces stickysession=JSESSIONID|jsess"),
    ),
    case(
        "corpus 03: secret= on httpd 2.4.41",
        corpus("03"),
        ("CC6071", "fail", "ProxyPass / ajp://tomcat:8009/ secret=: httpd 2.4.41 does not know"),
        ("CC6072", "fail", "ProxyPassReverse takes secret=(not shown)"),
        version="2.4.41",
    ),
    case(
        "corpus 11: a VirtualHost's balancer whose section holds nothing",
        corpus("11"),
        (
            "CC6073",
            "fail",
            "ProxyPass / balancer://myclusterajp/ in <VirtualHost *:80>: balancer://myclusterajp "
            "has no BalancerMember",
        ),
    ),
    case(
        "corpus 14: ProxySet growth= and no member",
        corpus("14"),
        ("CC6073", "fail", "balancer://mycluster has no BalancerMember"),
        modules=(*FRONT_END, "status"),  # it is read only <IfModule mod_status.c>
    ),
]


# corpus file prefix -> what the family finds in it (the files as published, templates
# unsubstituted: what httpd would say of them as they are)
CORPUS_FINDINGS = {
    "01": {("CC6072", "fail")},  # secret= on ProxyPassReverse
    "02": {("CC6072", "warn")},  # ProxySet stickysession= replaces ProxyPass's
    "03": {("CC6072", "fail")},
    "04": set(),
    "05": set(),
    "06": set(),
    "07": set(),
    "08": {("CC6071", "skip"), ("CC6072", "skip"), ("CC6073", "skip")},  # all commented out
    "09": {("CC6071", "fail")},  # a template's $DOGTAG_PORT, a path in a LocationMatch
    "10": {("CC6071", "fail"), ("CC6073", "fail")},  # @PORT@ members, so empty balancers
    "11": {("CC6073", "fail")},
    "12": {("CC6073", "fail")},
    "13": set(),
    "14": {("CC6073", "fail")},
    "15": {("CC6071", "fail")},  # ${DESTINATION_URL} that nothing defines
    "16": set(),
}


@pytest.mark.parametrize(("prefix", "findings"), sorted(CORPUS_FINDINGS.items()))
def test_every_corpus_file(tmp_path: Path, prefix: str, findings: set[tuple[str, str]]) -> None:
    """Each file as conf.d/proxy.conf of an httpd that loads mod_proxy's modules, every
    lbmethod's, mod_proxy_http (some files balance over http://) and mod_status."""
    modules = (*EVERY_LBMETHOD, "proxy_http", "status")
    found = results(tmp_path, corpus(prefix), modules=modules)
    assert {r.code for r in found} == set(MEMBERS)
    assert {(r.code, r.status.value) for r in found if r.status.value != "pass"} == findings


@pytest.mark.parametrize(("conf", "version", "modules", "expected"), CASES)
def test_the_family_on_httpd_files(
    tmp_path: Path,
    conf: str,
    version: str,
    modules: tuple[str, ...],
    expected: tuple[tuple[str, str, str], ...],
) -> None:
    found = results(tmp_path, conf, version, modules)
    assert {r.code for r in found} == set(MEMBERS)
    assert_says(found, expected)
    assert not any("s3cret" in r.message or "9DYmSMyRpfGD" in r.message for r in found)


def test_a_node_without_httpd_conf_is_skipped_by_every_member(tmp_path: Path) -> None:
    inventory = build(tmp_path, {"web1": {"host": "10.0.0.1", "roles": ["apache"]}}, {})
    found = judge(inventory, "CC607")
    assert sorted((r.code, r.status.value) for r in found) == [(c, "skip") for c in MEMBERS]
    assert "names no apache.httpd_conf" in found[0].message


def test_httpd_without_mod_proxy_is_skipped(tmp_path: Path) -> None:
    found = results(tmp_path, "ServerName web1\n", modules=())
    assert {(r.code, r.status.value) for r in found} == {(c, "skip") for c in MEMBERS}
    assert found[0].message == (
        f"httpd does not use mod_proxy: {CONF} reads no ProxyPass, BalancerMember or ProxySet"
    )


def test_what_could_not_be_read_is_an_error_of_every_member(tmp_path: Path) -> None:
    """mod_macro's `Use` is not expanded: what it sets is not judged, by any member."""
    main = httpd_conf((*FRONT_END, "macro"), "Use Balancer lb\n")
    found = results(tmp_path, HEALTHY, main=main)
    assert {(r.code, r.status.value, r.message) for r in found} == {
        (
            code,
            "error",
            "Use Balancer lb: clustercheck does not expand mod_macro's macros, so what this one "
            "sets is not judged",
        )
        for code in MEMBERS
    }


def test_an_httpd_conf_that_cannot_be_read_is_an_error_of_every_member(tmp_path: Path) -> None:
    node = {"host": "10.0.0.1", "roles": ["apache"], "apache": {"httpd_conf": CONF}}
    found = judge(build(tmp_path, {"web1": node}, {"web1": {}}), "CC607")
    assert {(r.code, r.status.value) for r in found} == {(c, "error") for c in MEMBERS}
    assert found[0].message.startswith("cannot read the httpd file ")


def test_a_route_no_jvmroute_has_and_nofailover_with_replication_are_not_the_family_s(
    tmp_path: Path,
) -> None:
    """In a cluster read through the real collect: CC202 owns a BalancerMember route= that no
    jvmRoute has, CC203 `nofailover=On` while the Tomcats replicate; CC607 passes."""
    conf = (
        HEALTHY.replace("route=tomcat02", "route=node2")
        .replace("jsessionid", "jsessionid nofailover=On")
        .replace("</Proxy>", "    BalancerMember ajp://10.0.0.13:8009 route=tomcat03\n</Proxy>")
    )
    settings = {"httpd_conf": CONF, "version": "2.4.62"}
    nodes: dict[str, Any] = {"web1": {"host": "10.0.0.1", "roles": ["apache"], "apache": settings}}
    files: dict[str, dict[str, str | bytes]] = {"web1": {CONF: httpd_conf(), PROXY_CONF: conf}}
    for index in (1, 2, 3):
        name = f"tomcat0{index}"
        nodes[name] = {"host": f"10.0.0.{10 + index}", "roles": ["tomcat"]}
        files[name] = tomcat_files(jvm_route=name)
    found = judge(build(tmp_path, nodes, files), "CC607", "CC202", "CC203")
    said = {(r.code, r.status.value) for r in found}
    assert {("CC6071", "pass"), ("CC6072", "pass"), ("CC6073", "pass")} <= said, said
    assert any(
        r.code == "CC202" and r.status.value == "fail" and "node2" in r.message for r in found
    )
    assert any(
        r.code == "CC203" and r.status.value == "warn" and "nofailover= on" in r.message
        for r in found
    )
    assert not any(r.status.value != "pass" for r in found if r.code.startswith("CC607"))
