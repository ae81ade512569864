"""Pass, warn and fail of each static check, on real files read through the real engine.

Each case builds a small cluster of files (tests/clusterfiles.py), judges it with one check, and
compares the (node, status) pairs, plus a fragment of the message where it matters.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from clusterfiles import (
    BASE,
    HEALTHY_WORKERS,
    apache_files,
    build,
    judge,
    outcome,
    three_tomcats,
    tomcat_files,
    war,
    web_xml,
)

Builder = Callable[[Path], Path]

T1, T2, T3, WEB = "tomcat01", "tomcat02", "tomcat03", "web1"
ALL_PASS: set[tuple[str | None, str]] = {(T1, "pass"), (T2, "pass"), (T3, "pass")}


def case(
    id: str, code: str, builder: Builder, expected: set[tuple[str | None, str]], message: str = ""
) -> pytest.param:  # type: ignore[valid-type]
    return pytest.param(code, builder, expected, message, id=f"{code}-{id}")


MCAST_46000 = """
      <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster">
        <Channel className="org.apache.catalina.tribes.group.GroupChannel">
          <Membership className="org.apache.catalina.tribes.membership.McastService"
                      address="228.0.0.4" port="46000"/>
        </Channel>
      </Cluster>"""
LOWER = '<cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster"/>'
SHORT_DROP = MCAST_46000.replace('port="46000"', 'port="45564" frequency="1000" dropTime="1500"')


def moved_port(tmp: Path) -> Path:
    return three_tomcats(tmp, {T2: {"ajp_port": 8010}})


CASES = [
    # CC201 jvmroute-unique
    case("healthy", "CC201", three_tomcats, ALL_PASS),
    case(
        "duplicate",
        "CC201",
        lambda t: three_tomcats(t, {T3: {"jvm_route": T2}}),
        {(T1, "pass"), (T2, "fail"), (T3, "fail")},
        "is also used by",
    ),
    case(
        "missing",
        "CC201",
        lambda t: three_tomcats(t, {T1: {"jvm_route": None}}),
        {(T1, "fail"), (T2, "pass"), (T3, "pass")},
        "no jvmRoute",
    ),
    case(
        "undefined-property",
        "CC201",
        lambda t: three_tomcats(t, {T1: {"jvm_route": "${jvmRoute}"}}),
        {(T1, "fail"), (T2, "pass"), (T3, "pass")},
        "the property is not defined",
    ),
    # CC701 distributable
    case("healthy", "CC701", three_tomcats, ALL_PASS),
    case(
        "missing",
        "CC701",
        lambda t: three_tomcats(t, {T2: {"apps": {"shop": False}}}),
        {(T1, "pass"), (T2, "fail"), (T3, "pass")},
        "does not declare <distributable/>",
    ),
    case(
        "admin-app-warns",
        "CC701",
        lambda t: three_tomcats(t, {T1: {"apps": {"shop": True, "manager": False}}}),
        {(T1, "pass"), (T1, "warn"), (T2, "pass"), (T3, "pass")},
        "usually acceptable",
    ),
    case(
        "no-cluster-skips",
        "CC701",
        lambda t: three_tomcats(t, {T1: {"cluster": ""}}),
        {(T1, "skip"), (T2, "pass"), (T3, "pass")},
        "no <Cluster>",
    ),
    # CC101 ajp-port-match
    case("healthy", "CC101", three_tomcats, {(WEB, "pass")}),
    case(
        "moved-port",
        "CC101",
        moved_port,
        {(WEB, "pass"), (WEB, "fail"), (T2, "warn")},
        "no AJP connector listens on port 8009",
    ),
    case(
        "unknown-host",
        "CC101",
        lambda t: three_tomcats(t, workers=HEALTHY_WORKERS.replace("10.0.0.13", "10.9.9.9")),
        {(WEB, "pass"), (WEB, "fail"), (T3, "warn")},
        "no Tomcat node of the inventory",
    ),
    case(
        "worker-mod-jk-disables-expects-no-connector",  # port 0: CC6034 says what it does
        "CC101",
        lambda t: three_tomcats(
            t, workers=HEALTHY_WORKERS + "worker.tomcat03.port=$(TOMCAT03_AJP_PORT)\n"
        ),
        {(WEB, "pass"), (T3, "warn")},
        "AJP connector on port 8009 is used by no front-end member",
    ),
    case(
        "port-in-the-host-disables-the-worker",
        "CC101",
        lambda t: three_tomcats(t, workers=HEALTHY_WORKERS.replace("10.0.0.13", "10.0.0.13:8009")),
        {(WEB, "pass"), (T3, "warn")},
        "AJP connector on port 8009 is used by no front-end member",
    ),
    # CC202 jvmroute-route-match
    case("healthy", "CC202", three_tomcats, {(WEB, "pass")}),
    case(
        "mismatch",
        "CC202",
        lambda t: three_tomcats(t, {T3: {"jvm_route": "node3"}}),
        {(WEB, "pass"), (WEB, "fail")},
        "has jvmRoute 'node3'",
    ),
    case(
        "sticky-off-skips",
        "CC202",
        lambda t: three_tomcats(t, workers=HEALTHY_WORKERS + "worker.lb.sticky_session=false\n"),
        {(WEB, "skip")},
        "sticky_session off",
    ),
    # CC103 ajp-exposure
    case("healthy", "CC103", three_tomcats, ALL_PASS),
    case(
        "no-secret-exposed",
        "CC103",
        lambda t: three_tomcats(
            t,
            {T1: {"ajp_extra": 'address="0.0.0.0" secretRequired="false"'}},
            workers=HEALTHY_WORKERS.replace("worker.template.secret=s3cret\n", ""),
        ),
        {(T1, "fail"), (T1, "pass"), (T2, "pass"), (T2, "fail"), (T3, "pass"), (T3, "fail")},
        "Ghostcat",
    ),
    case(
        "secret-mismatch",
        "CC103",
        lambda t: three_tomcats(t, workers=HEALTHY_WORKERS + "worker.tomcat03.secret=other\n"),
        {(T1, "pass"), (T2, "pass"), (T3, "pass"), (T3, "fail")},
        "compared, not shown",
    ),
    case(
        "old-tomcat-default-all-addresses",
        "CC103",
        lambda t: three_tomcats(t, {T1: {"version": "9.0.30", "ajp_extra": ""}}),
        {(T1, "fail"), (T1, "warn"), (T2, "pass"), (T3, "pass")},
        "all addresses without",
    ),
    case(
        "no-secret-does-not-start-even-on-loopback",
        "CC103",
        lambda t: three_tomcats(t, {T1: {"ajp_extra": 'address="127.0.0.1"'}}),
        {(T1, "fail"), (T2, "pass"), (T3, "pass")},
        "AJP port 8009: this connector does not start: secretRequired is true by default",
    ),
    case(
        "no-secret-not-required-on-loopback",
        "CC103",
        lambda t: three_tomcats(
            t,
            {T1: {"ajp_extra": 'address="127.0.0.1" secretRequired="false"'}},
            workers=HEALTHY_WORKERS.replace("worker.template.secret=s3cret\n", ""),
        ),
        {(T1, "pass"), (T2, "pass"), (T2, "fail"), (T3, "pass"), (T3, "fail")},
    ),
    case(
        "secret-before-it-existed",
        "CC103",
        lambda t: three_tomcats(t, {T1: {"version": "9.0.30"}}),
        {(T1, "fail"), (T1, "warn"), (T2, "pass"), (T3, "pass")},
        "(its secret= is not read by Tomcat 9.0.30, which reads requiredSecret)",
    ),
    case(
        "required-secret-gone-in-11",
        "CC103",
        lambda t: three_tomcats(
            t, {T1: {"version": "11.0.2", "ajp_extra": 'address="0.0.0.0" requiredSecret="s3cret"'}}
        ),
        {(T1, "fail"), (T2, "pass"), (T3, "pass")},
        "(its requiredSecret= is not read by Tomcat 11.0.2, which reads secret)",
    ),
    # CC302 tomcat-version-parity
    case("healthy", "CC302", three_tomcats, {(None, "pass")}),
    case(
        "release-differs",
        "CC302",
        lambda t: three_tomcats(t, {T3: {"version": "10.1.59"}}),
        {(None, "warn")},
        "tomcat03: 10.1.59",
    ),
    case(
        "major-differs",
        "CC302",
        lambda t: three_tomcats(t, {T3: {"version": "9.0.100"}}),
        {(None, "fail")},
        "different major versions",
    ),
    # CC505 cluster-config-consistency
    case("healthy", "CC505", three_tomcats, {(None, "pass")}),
    case(
        "other-port",
        "CC505",
        lambda t: three_tomcats(t, {T3: {"cluster": MCAST_46000}}),
        {(None, "fail")},
        "port differs: tomcat01, tomcat02: 45564; tomcat03: 46000",
    ),
    case(
        "miscased-cluster",
        "CC505",
        lambda t: three_tomcats(t, {T2: {"cluster": LOWER}}),
        {(T2, "fail")},  # no "the members agree" beside a member without a Cluster
        "is ignored by Tomcat",
    ),
    case(
        "short-droptime",
        "CC505",
        lambda t: three_tomcats(t, {T1: {"cluster": SHORT_DROP}}),
        {(T1, "warn"), (None, "pass")},
        "under 3 heartbeats",
    ),
    # CC702 app-parity
    case("healthy", "CC702", three_tomcats, ALL_PASS),
    case(
        "missing-app",
        "CC702",
        lambda t: three_tomcats(t, {T1: {"apps": {"shop": True, "admin": True}}}),
        {(T1, "pass"), (T2, "fail"), (T3, "fail")},
        "lacks admin",
    ),
]


@pytest.mark.parametrize(("code", "builder", "expected", "message"), CASES)
def test_check(
    tmp_path: Path, code: str, builder: Builder, expected: set[tuple[str | None, str]], message: str
) -> None:
    results = judge(builder(tmp_path), code)
    assert outcome(results) == expected, [(r.node, r.status.value, r.message) for r in results]
    if message:
        assert any(message in r.message for r in results if r.status.value != "pass"), [
            r.message for r in results
        ]


def test_secrets_never_appear_in_any_result(tmp_path: Path) -> None:
    inventory = three_tomcats(tmp_path, workers=HEALTHY_WORKERS + "worker.tomcat03.secret=other\n")
    for result in judge(inventory):
        text = repr(result)
        assert "s3cret" not in text and "=other" not in text


def test_distributable_inside_a_war_is_read_from_the_archive(tmp_path: Path) -> None:
    files = tomcat_files("tomcat01", apps={})
    files[f"{BASE}/webapps/good.war"] = war({"WEB-INF/web.xml": web_xml(True)})
    files[f"{BASE}/webapps/bad.war"] = war({"WEB-INF/web.xml": web_xml(False)})
    files[f"{BASE}/webapps/empty.war"] = war({"index.jsp": "x"})
    inventory = build(tmp_path, {T1: {"host": "h1", "roles": ["tomcat"]}}, {T1: files})
    results = {r.details["webapp"]: r for r in judge(inventory, "CC701")}
    assert results["good"].status.value == "pass"
    assert results["bad"].status.value == "fail"
    assert results["bad"].file == f"{BASE}/webapps/bad.war!/WEB-INF/web.xml"
    assert (
        results["empty"].status.value == "fail" and "no WEB-INF/web.xml" in results["empty"].message
    )


def test_worker_matched_through_a_live_interface_address(tmp_path: Path) -> None:
    """Inventories name hosts by ssh alias while workers use IP addresses."""
    from clustercheck.collect.gather import gather
    from clustercheck.engine.registry import load_checks, select
    from clustercheck.engine.runner import run_checks
    from clustercheck.inventory.loader import load_inventory

    nodes = {
        "app1": {"host": "app1.internal", "roles": ["tomcat"]},
        WEB: {"host": "10.0.0.1", "roles": ["apache"]},
    }
    workers = (
        "worker.list=lb\nworker.app1.host=192.168.7.21\nworker.lb.type=lb\n"
        "worker.lb.balance_workers=app1\n"
    )
    inventory = build(tmp_path, nodes, {"app1": tomcat_files("app1"), WEB: apache_files(workers)})
    facts = gather(load_inventory(inventory))
    unmatched = run_checks(select(load_checks(), ["CC101"]), facts)
    assert outcome(unmatched) == {(WEB, "fail"), ("app1", "warn")}  # and its connector unused
    facts.nodes["app1"].live.addresses = ["127.0.0.1", "192.168.7.21"]
    (matched,) = run_checks(select(load_checks(), ["CC101"]), facts)
    assert matched.status.value == "pass" and "matched by interface address" in matched.message


def test_a_worker_host_dns_did_not_answer_in_time_is_not_judged(tmp_path: Path) -> None:
    """A host past the DNS limits (a cap on names, a deadline) may be a node: CC101 cannot
    tell, rather than that it is none."""
    from clustercheck.collect.gather import gather
    from clustercheck.engine.registry import load_checks, select
    from clustercheck.engine.runner import run_checks
    from clustercheck.inventory.loader import load_inventory

    nodes = {
        "app1": {"host": "app1", "roles": ["tomcat"]},
        WEB: {"host": "web", "roles": ["apache"]},
    }
    workers = "worker.list=app1\nworker.app1.host=app1.example.lan\n"
    inventory = build(tmp_path, nodes, {"app1": tomcat_files("app1"), WEB: apache_files(workers)})
    facts = gather(load_inventory(inventory))
    facts.local.dns_unresolved = {"app1.example.lan": "no answer within 10 s"}
    finding = run_checks(select(load_checks(), ["CC101"]), facts)[0]
    assert finding.status.value == "error" and finding.message == (
        "worker app1 (app1.example.lan:8009): cannot tell, app1.example.lan not looked up in DNS"
        " (no answer within 10 s)"
    )


def test_a_malformed_context_file_or_web_xml_is_a_finding(tmp_path: Path) -> None:
    """Tomcat's parser rejects them and does not deploy the application: CC701 says so, with
    the file and line, rather than judging what the tolerant reader made of them."""
    files = tomcat_files("tomcat01", apps={})
    files[f"{BASE}/conf/Catalina/localhost/shop.xml"] = '<Context docBase="/srv/apps/shop">\n<x'
    files["/srv/apps/shop/WEB-INF/web.xml"] = web_xml(True)
    files[f"{BASE}/webapps/cart/WEB-INF/web.xml"] = "<web-app>\n<distributable/>\n</web-ap>"
    inventory = build(tmp_path, {T1: {"host": "h1", "roles": ["tomcat"]}}, {T1: files})
    found = {(r.status.value, r.file, r.line, r.message) for r in judge(inventory, "CC701")}
    rejects = "Tomcat's XML parser rejects the file (read tolerantly here)"
    assert (
        "fail",
        f"{BASE}/conf/Catalina/localhost/shop.xml",
        2,
        f"Tomcat does not deploy the application: not well-formed XML: unclosed token; {rejects}",
    ) in found
    assert (
        "fail",
        f"{BASE}/webapps/cart/WEB-INF/web.xml",
        3,
        f"Tomcat does not deploy the application: not well-formed XML: mismatched tag; {rejects}",
    ) in found


def test_a_host_with_more_applications_than_read_is_judged_in_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each application costs a read or two: past MAX_APPS_PER_HOST (appBase entries first,
    then context files, each by name) nothing more is read, and CC701 says how many were not
    judged."""
    from clustercheck.collect import tomcat
    from clustercheck.collect.gather import gather
    from clustercheck.inventory.loader import load_inventory

    monkeypatch.setattr(tomcat, "MAX_APPS_PER_HOST", 4)
    files = tomcat_files("tomcat01", apps={f"app{i}": True for i in range(3)})
    for i in range(3):
        files[f"{BASE}/conf/Catalina/localhost/ctx{i}.xml"] = f'<Context docBase="/srv/c{i}"/>'
        files[f"/srv/c{i}/WEB-INF/web.xml"] = web_xml(True)
    inventory = build(tmp_path, {T1: {"host": "h1", "roles": ["tomcat"]}}, {T1: files})
    read = gather(load_inventory(inventory)).nodes[T1].files
    assert f"{BASE}/conf/Catalina/localhost/ctx0.xml" in read and "/srv/c0/WEB-INF/web.xml" in read
    assert not {f"{BASE}/conf/Catalina/localhost/ctx1.xml", "/srv/c1/WEB-INF/web.xml"} & set(read)
    found = {(r.status.value, r.file, r.message) for r in judge(inventory, "CC701")}
    assert (
        "error",
        f"{BASE}/webapps",
        "applications not judged: 2 of Host localhost's 6 applications and context files, past"
        " the 4 clustercheck reads per Host",
    ) in found
    assert sum(status == "pass" for status, _file, _message in found) == 4


def test_webapps_deployed_by_context_files_are_judged_too(tmp_path: Path) -> None:
    """conf/<Engine>/<Host>/NAME.xml deploys an application from outside the appBase."""
    files = tomcat_files("tomcat01", apps={})
    files[f"{BASE}/conf/Catalina/localhost/shop.xml"] = '<Context docBase="/srv/apps/shop"/>'
    files["/srv/apps/shop/WEB-INF/web.xml"] = web_xml(False)
    files[f"{BASE}/conf/Catalina/localhost/legacy.xml"] = '<Context docBase="/srv/apps/l.war"/>'
    files["/srv/apps/l.war"] = war({"WEB-INF/web.xml": web_xml(True)})
    inventory = build(tmp_path, {T1: {"host": "h1", "roles": ["tomcat"]}}, {T1: files})
    results = {r.details["webapp"]: r for r in judge(inventory, "CC701")}
    assert results["shop"].status.value == "fail"
    assert results["shop"].file == "/srv/apps/shop/WEB-INF/web.xml"
    assert results["legacy"].status.value == "pass"
