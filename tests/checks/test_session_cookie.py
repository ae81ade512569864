"""CC203 session-cookie: pass, warn and fail of each rule, on real-looking files
(workers.properties, server.xml, conf/context.xml, context descriptors, web.xml) read through the
real engine."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from clusterfiles import BASE, HEALTHY_WORKERS, apache_files, build, judge, outcome, tomcat_files

T1, T2, T3, WEB = "tomcat01", "tomcat02", "tomcat03", "web1"
WORKERS = "/etc/httpd/conf/workers.properties"
SHOP_XML = f"{BASE}/conf/Catalina/localhost/shop.xml"
SHOP_WEB_XML = f"{BASE}/webapps/shop/WEB-INF/web.xml"
CONTEXT_XML = f"{BASE}/conf/context.xml"

Files = Mapping[str, str | bytes]


def cluster(
    tmp: Path,
    files: Files | None = None,
    *,
    workers: str = "",
    base: str = HEALTHY_WORKERS,
    only: Mapping[str, Files] | None = None,
    server: Mapping[str, Mapping[str, Any]] | None = None,
) -> Path:
    """web1 in front of tomcat01..03 (a replicating cluster with the webapp `shop`): `files` go
    to every Tomcat node, `only[name]` to one, `server[name]` are its server.xml arguments;
    `workers` is added to the healthy workers.properties."""
    nodes: dict[str, Any] = {WEB: {"host": "10.0.0.1", "roles": ["apache"]}}
    written: dict[str, dict[str, str | bytes]] = {WEB: apache_files(base + workers)}
    for index, name in enumerate((T1, T2, T3), 1):
        nodes[name] = {"host": f"10.0.0.{10 + index}", "roles": ["tomcat"]}
        node = tomcat_files(name, **(server or {}).get(name, {}))
        node.update(files or {})
        node.update((only or {}).get(name, {}))
        written[name] = node
    return build(tmp, nodes, written)


def context(attrs: str) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Context {attrs}>\n</Context>\n'


def web_xml(session_config: str, distributable: bool = True) -> str:
    inner = "\n  <distributable/>" if distributable else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">\n'
        f"  <display-name>shop</display-name>{inner}\n"
        "  <session-config>\n"
        "    <session-timeout>30</session-timeout>\n"
        f"    {session_config}\n"
        "  </session-config>\n"
        "</web-app>\n"
    )


def cluster_element(inner: str) -> str:
    return f"""
      <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster">
        <Channel className="org.apache.catalina.tribes.group.GroupChannel">
          <Membership className="org.apache.catalina.tribes.membership.McastService"
                      address="228.0.0.4" port="45564" frequency="500" dropTime="3000"/>
        </Channel>{inner}
      </Cluster>"""


NO_CLUSTER = {name: {"cluster": ""} for name in (T1, T2, T3)}
SHOP_COOKIE = {SHOP_XML: context('sessionCookieName="SHOPSESSIONID"')}
ROUTE_SHOP = "worker.lb.session_cookie=SHOPSESSIONID\nworker.lb.session_path=;SHOPSESSIONID\n"
ONLY_REPLICATION_VALVE = cluster_element(
    '\n        <Valve className="org.apache.catalina.ha.tcp.ReplicationValve" filter=""/>'
)
BINDER_OFF = cluster_element(
    '\n        <Valve className="org.apache.catalina.ha.session.JvmRouteBinderValve" '
    'enabled="false"/>\n        <Valve className="org.apache.catalina.ha.tcp.ReplicationValve"/>'
)
OWN_LISTENER = cluster_element('\n        <ClusterListener className="com.example.AuditListener"/>')
BINDER_AND_LISTENER = cluster_element(
    '\n        <Valve className="org.apache.catalina.ha.session.JvmRouteBinderValve"/>'
    '\n        <Valve className="org.apache.catalina.ha.tcp.ReplicationValve"/>'
    '\n        <ClusterListener className="org.apache.catalina.ha.session.ClusterSessionListener"/>'
)
Outcome = set[tuple[str | None, str]]
WEB_PASS: Outcome = {(WEB, "pass")}
WEB_SKIP: Outcome = {(WEB, "skip")}
WEB_WARN: Outcome = {(WEB, "warn")}
WEB_FAIL: Outcome = {(WEB, "fail")}

Case = Callable[[Path], Path]


def case(id: str, builder: Case, expected: Outcome, *messages: str) -> pytest.param:  # type: ignore[valid-type]
    return pytest.param(builder, expected, messages, id=id)


CASES = [
    # ---------------------------------------------------------------- pass
    case(
        "defaults-agree",
        cluster,
        WEB_PASS,
        "routes on worker.lb.session_cookie JSESSIONID (default) and worker.lb.session_path "
        ";jsessionid (default), the cookie 3 applications on tomcat01, tomcat02, tomcat03 issue:"
        " JSESSIONID (default)",
    ),
    case(
        "custom-context-name-routed",
        lambda t: cluster(t, SHOP_COOKIE, workers=ROUTE_SHOP),
        WEB_PASS,
        f"worker.lb.session_cookie SHOPSESSIONID at {WORKERS}:14",
        f"SHOPSESSIONID (<Context sessionCookieName> at {SHOP_XML}:2)",
    ),
    case(
        "web-xml-name-routed",
        lambda t: cluster(
            t,
            {SHOP_WEB_XML: web_xml("<cookie-config><name>SHOPSESSIONID</name></cookie-config>")},
            workers=ROUTE_SHOP,
        ),
        WEB_PASS,
        f"SHOPSESSIONID (<cookie-config><name> at {SHOP_WEB_XML}:7)",
    ),
    case(
        "cookie-only-tracking-needs-no-path",
        lambda t: cluster(
            t,
            {SHOP_WEB_XML: web_xml("<tracking-mode>COOKIE</tracking-mode>")},
            workers="worker.lb.session_path=;sid\n",
        ),
        WEB_PASS,
    ),
    case(  # mod_jk finds "jsessionid=" in ";jsessionid=" too (strstr)
        "path-written-without-semicolon",
        lambda t: cluster(t, workers="worker.lb.session_path=jsessionid\n"),
        WEB_PASS,
        f"worker.lb.session_path jsessionid at {WORKERS}:14",
    ),
    case(
        "force-without-replication",
        lambda t: cluster(t, workers="worker.lb.sticky_session_force=true\n", server=NO_CLUSTER),
        WEB_PASS,
    ),
    case(
        "binder-and-listener-written",
        lambda t: cluster(t, server={T2: {"cluster": BINDER_AND_LISTENER}}),
        WEB_PASS,
    ),
    case(
        "one-member-skips",
        lambda t: cluster(t, base=HEALTHY_WORKERS.replace(",tomcat02,tomcat03", "")),
        WEB_SKIP,
        "has one member",
    ),
    # ---------------------------------------------------------------- warn
    case(
        "not-sticky-with-replication",
        lambda t: cluster(t, workers="worker.lb.sticky_session=false\n"),
        WEB_WARN,
        f"does not route by session (worker.lb.sticky_session off at {WORKERS}:14)",
        "asks for sticky sessions",
    ),
    case(
        "force-with-replication",
        lambda t: cluster(t, workers="worker.lb.sticky_session_force=1\n"),
        WEB_WARN,
        f"worker.lb.sticky_session_force on at {WORKERS}:14",
        "replication is wasted",
    ),
    case(
        "valves-without-binder",
        lambda t: cluster(t, server={T2: {"cluster": ONLY_REPLICATION_VALVE}}),
        WEB_WARN,
        "worker tomcat02 (10.0.0.12:8009): tomcat02 replicates sessions and lb lb fails over, "
        f"but its <Cluster> ({BASE}/conf/server.xml:7) writes valves without "
        "JvmRouteBinderValve",
    ),
    case(
        "binder-disabled",
        lambda t: cluster(t, server={T3: {"cluster": BINDER_OFF}}),
        WEB_WARN,
        f'its JvmRouteBinderValve ({BASE}/conf/server.xml:12) has enabled="false"',
    ),
    case(
        "listener-without-cluster-session-listener",
        lambda t: cluster(t, server={T1: {"cluster": OWN_LISTENER}}),
        WEB_WARN,
        "writes listeners without ClusterSessionListener",
    ),
    case(
        "url-rewriting-not-routed",
        lambda t: cluster(t, SHOP_COOKIE, workers="worker.lb.session_cookie=SHOPSESSIONID\n"),
        WEB_WARN,
        "tomcat01 /shop rewrites URLs with ;SHOPSESSIONID (<Context sessionCookieName> at "
        f"{SHOP_XML}:2) for clients without cookies, but lb lb routes on worker.lb.session_path"
        " ;jsessionid (default)",
    ),
    case(
        "other-cookie-with-replication",
        lambda t: cluster(t, only={T2: SHOP_COOKIE}),
        WEB_WARN,
        "worker tomcat02 (10.0.0.12:8009): tomcat02 /shop issues session cookie SHOPSESSIONID "
        f"(<Context sessionCookieName> at {SHOP_XML}:2), but lb lb routes on "
        "worker.lb.session_cookie JSESSIONID (default): its sessions are not sticky; tomcat02 "
        "replicates them",
    ),
    case(
        "admin-app-without-replication",
        lambda t: cluster(
            t,
            {f"{BASE}/webapps/manager/WEB-INF/web.xml": web_xml("", distributable=False)},
            workers=ROUTE_SHOP,
            only={name: SHOP_COOKIE for name in (T1, T2, T3)},
            server=NO_CLUSTER,
        ),
        WEB_WARN,
        "tomcat01 /manager issues session cookie JSESSIONID (default)",
        "usually acceptable",
    ),
    # ---------------------------------------------------------------- fail
    case(
        "not-sticky-without-replication",
        lambda t: cluster(
            t, workers="worker.lb.sticky_session=off\n", server={T2: {"cluster": ""}}
        ),
        WEB_FAIL,
        ", and sessions are not replicated on tomcat02 (no <Cluster> in server.xml)",
    ),
    case(
        "global-context-name-not-routed",
        lambda t: cluster(
            t, {CONTEXT_XML: context('sessionCookieName="APPSESSION"')}, server=NO_CLUSTER
        ),
        WEB_FAIL,
        f"tomcat03 /shop issues session cookie APPSESSION (<Context sessionCookieName> at "
        f"{CONTEXT_XML}:2)",
        "replicates none: the user is logged out",
    ),
    case(
        "url-only-not-routed",
        lambda t: cluster(
            t,
            {SHOP_WEB_XML: web_xml("<tracking-mode>URL</tracking-mode>")},
            workers="worker.lb.session_path=;sid\n",
            server=NO_CLUSTER,
        ),
        WEB_FAIL,
        f"tomcat01 /shop tracks sessions only by URL (<tracking-mode> at {SHOP_WEB_XML}:7), "
        f"with ;jsessionid, but lb lb routes on worker.lb.session_path ;sid at {WORKERS}:14",
    ),
    case(
        "cookies-off-in-context",
        lambda t: cluster(
            t,
            {SHOP_XML: context('cookies="false"')},
            workers="worker.lb.session_path=;sid\n",
            server=NO_CLUSTER,
        ),
        WEB_FAIL,
        f"tracks sessions only by URL (<Context cookies> at {SHOP_XML}:2)",
    ),
]


@pytest.mark.parametrize(("builder", "expected", "messages"), CASES)
def test_session_cookie(
    tmp_path: Path, builder: Case, expected: Outcome, messages: tuple[str]
) -> None:
    results = judge(builder(tmp_path), "CC203")
    shown = [(r.status.value, r.message) for r in results]
    assert outcome(results) == expected, shown
    for message in messages:
        assert any(message in r.message for r in results), (message, shown)


def test_each_application_mismatch_names_its_node_and_context(tmp_path: Path) -> None:
    """One finding per node and application, at the balancer's cookie setting, with the
    convention's details (the apache node; the member and its Tomcat)."""
    results = judge(
        cluster(
            tmp_path, {CONTEXT_XML: context('sessionCookieName="APPSESSION"')}, server=NO_CLUSTER
        ),
        "CC203",
    )
    assert sorted((r.details["tomcat"], r.details["context"]) for r in results) == [
        (T1, "/shop"),
        (T2, "/shop"),
        (T3, "/shop"),
    ]
    for result in results:
        assert (result.node, result.file, result.line) == (WEB, WORKERS, 11)
        assert result.details["balancer"] == "lb"
        assert result.details["worker"] == result.details["tomcat"]
        assert result.message.startswith(f"worker {result.details['worker']} (10.0.0.1")


def test_a_member_matching_no_tomcat_is_left_out(tmp_path: Path) -> None:
    """CC101 says why a member matches no node; this check judges the others."""
    workers = HEALTHY_WORKERS.replace("10.0.0.13", "10.9.9.9")
    inventory = cluster(tmp_path, server=NO_CLUSTER)
    (tmp_path / WEB / WORKERS.lstrip("/")).write_text(
        textwrap.dedent(workers) + "worker.lb.sticky_session=false\n", encoding="utf-8"
    )
    [result] = judge(inventory, "CC203")
    assert result.status.value == "fail"
    assert result.details["tomcat"] == [T1, T2]
    assert "not replicated on tomcat01, tomcat02 (no <Cluster>" in result.message


def test_an_unreadable_descriptor_is_an_error_not_a_pass(tmp_path: Path) -> None:
    broken = f"{BASE}/webapps/broken.war"
    inventory = cluster(tmp_path, {broken: b"not a zip"})
    results = judge(inventory, "CC203")
    assert {r.status.value for r in results} == {"error"}
    assert all(f"cannot read {broken}!/WEB-INF/web.xml" in r.message for r in results)


def test_each_balancer_is_judged_with_its_own_settings(tmp_path: Path) -> None:
    """Two lb workers over the same members: each is judged on its own stickiness, though the
    targets name a member's first balancer only."""
    workers = (
        "worker.list=lb,lb2,status\nworker.lb2.type=lb\n"
        "worker.lb2.balance_workers=tomcat01,tomcat02,tomcat03\nworker.lb2.sticky_session=0\n"
    )
    inventory = cluster(tmp_path, workers=workers, server=NO_CLUSTER)
    found = {r.details["balancer"]: r for r in judge(inventory, "CC203")}
    assert (found["lb"].status.value, found["lb2"].status.value) == ("pass", "fail")
    assert found["lb2"].message.startswith("lb lb2 does not route by session")
