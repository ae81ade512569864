"""Real mod_proxy front-end files (tests/fixtures/proxy-corpus, sources in its SOURCES.md): each
one is read without an exception, every balancer, member, worker and parameter in it is found,
and the problems are the ones httpd has with the file as written (templates unsubstituted)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clustercheck.parsers.httpd import parse_httpd
from clustercheck.parsers.proxy import ProxySettings, proxy_settings
from clustercheck.parsers.text import Kind, decode

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "proxy-corpus"
R, M, OVER = Kind.REFUSES_TO_START, Kind.MEANS_SOMETHING_ELSE, Kind.OVERRIDDEN
TOMCAT = ["ajp://tomcat:8009/"]
FUSE = "jboss-fuse-git-{}-jboss-fuse-smg.apps.ocp-rc1.swm.com.ar"
TEMPLATE_MEMBERS = [35, 36, 46, 47, 57, 58, 68, 69, 80, 87, 88]

# file prefix -> (balancers and their members, workers not in a balancer, parameters as
# `name=value`, server settings, problems as (line, kind))
EXPECTED: dict[str, tuple[dict[str, list[str]], list[str], set[str], set[str], list[tuple]]] = {
    # `secret=` on ProxyPassReverse is taken for `interpolate`
    "01": ({}, TOMCAT, {"secret=password"}, set(), [(2, M)]),
    # ProxySet stickysession= replaces ProxyPass's; ProxyPassMatch to balancer://c$1
    "02": (
        {
            "balancer://examplecluster": ["ajp://127.0.0.1:8009", "ajp://127.0.0.1:8109"],
            "balancer://examplecluster$1": [],
        },
        [],
        {"lbmethod=byrequests", "loadfactor=1", "nofailover=Off", "redirect=test1"}
        | {"redirect=test3", "retry=300", "route=test1", "route=test3"}
        | {"stickysession=JSESSIONID", "timeout=15"},
        set(),
        [(108, OVER)],
    ),
    "03": ({}, TOMCAT, {"secret=9DYmSMyRpfGD"}, {"proxyiobuffersize=65536"}, [(9, M)]),
    # `ProxyPass "/manager "balancer://tomcat/manager"`: quotes as httpd splits them
    "04": (
        {"balancer://tomcat": ["ajp://tomcat:8009", "ajp://tomcat2:8009"]},
        [],
        {"scolonpathdelim=On", "stickysession=JSESSIONID|jsessionid"},
        set(),
        [],
    ),
    "05": (
        {"balancer://mycluster": ["http://app1:8080/myapp", "http://app2:8080/myapp"]},
        [],
        {"lbmethod=byrequests", "loadfactor=1", "timeout=1"},
        set(),
        [],
    ),
    "06": ({}, ["ajp://tomcatcorreto11:8009/"], set(), set(), []),
    "07": (
        {
            "balancer://proxysec": [f"http://{FUSE.format('web')}"],
            "balancer://managmentapi": [f"http://{FUSE.format('api')}"],
            "balancer://securityfarm": [f"http://{FUSE.format('gds')}"],
        },
        ["http://dec6dapv-mobb1:18182/track"],
        {"lbmethod=byrequests", "nofailover=On"},
        set(),
        [],
    ),
    "08": ({}, [], set(), set(), []),  # every line commented out
    # `$DOGTAG_AJP_SECRET` is no key=value; `$DOGTAG_PORT` no port
    "09": ({}, [], set(), set(), [(13, R), (21, R), (29, R), (37, R), (47, R)]),
    # @PORT@ placeholders: no member can be defined
    "10": (
        {
            f"balancer://{name}": []
            for name in ("foo1", "foo2", "foo3", "foo4", "pr45434", "failover", "dynproxy")
        },
        ["fcgi://localhost:9001/@SERVERROOT@/htdocs/"],
        {"growth=10", "lbmethod=bybusyness", "lbmethod=byrequests"}
        | {"lbmethod=bytraffic", "lbmethod=heartbeat"},
        set(),
        [(line, R) for line in [11, *TEMPLATE_MEMBERS, 186]],
    ),
    "11": ({"balancer://myclusterajp": []}, [], set(), set(), []),  # members added by a script
    "12": ({"balancer://myclusterhttp": []}, [], {"stickysession=ROUTEID"}, set(), []),
    "13": ({}, ["ajp://$TARGET:8009/"], set(), set(), []),
    "14": ({"balancer://mycluster": []}, [], {"growth=99"}, set(), []),
    "15": ({}, [], set(), set(), [(12, R)]),  # ${DESTINATION_URL} left for Define/env
    "16": (
        {"balancer://mycluster": ["http://fastapi-application:8000", "http://SERVER-IP:8002"]},
        [],
        {"lbmethod=byrequests"},
        set(),
        [],
    ),
}


def read(name: str) -> ProxySettings:
    directives, problems = parse_httpd(decode((CORPUS / name).read_bytes()), name)
    assert [p for p in problems if p.kind is Kind.UNREADABLE] == []
    return proxy_settings(directives)


def test_every_file_has_its_source_and_an_expectation() -> None:
    names = sorted(p.name for p in CORPUS.glob("*.conf"))
    sources = (CORPUS / "SOURCES.md").read_text(encoding="utf-8")
    assert len(names) >= 15
    assert all(f"| {name} |" in sources for name in names)
    assert sorted(name[:2] for name in names) == sorted(EXPECTED)
    assert all((CORPUS / name).stat().st_size < 200_000 for name in names)


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.conf")))
def test_every_balancer_member_and_parameter_is_found(name: str) -> None:
    balancers, workers, params, settings, problems = EXPECTED[name[:2]]
    proxy = read(name)
    found: dict[str, list[str]] = {}
    for server in proxy.servers:
        for balancer in server.balancers.values():
            found.setdefault(balancer.name, []).extend(m.url for m in balancer.members)
    assert found == balancers
    assert [w.url for s in proxy.servers for w in s.workers] == workers
    assert {f"{p.key}={p.value}" for p in proxy.params()} == params
    assert {f"{k}={v.value}" for s in proxy.servers for k, v in s.settings.items()} == settings
    assert [(p.line, p.kind) for p in proxy.problems] == problems
    assert all(p.file == name for p in proxy.problems)


def test_secrets_written_in_the_files_are_never_quoted_in_a_problem() -> None:
    for name in ("01", "03"):
        (path,) = CORPUS.glob(f"{name}_*.conf")
        messages = " ".join(p.message for p in read(path.name).problems)
        assert "secret=(not shown)" in messages
        assert "password" not in messages and "9DYmSMyRpfGD" not in messages
