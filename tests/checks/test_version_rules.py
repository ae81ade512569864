"""Version-dependent rules judged twice, as `run --target-*` judges them: today on the node's
versions, and by clustercheck.engine.upgrade.judge_upgrade on the target's. Each case is (real
files and recorded facts, today's versions, target) -> the findings new after the upgrade; a node
already on the target's version has the same finding today (the rule is written once, in its
check). Inputs: the seed how-to's and this machine's `java -version` (tests/parsers/test_java.py),
Tomcat 7.0.22's stock server.xml with its cluster how-to's <Cluster> (tests/fixtures/version-rules),
Debian 12's real mod_jk.so (1.2.48) and a copy of it that names itself 1.2.50."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from clusterfiles import BASE, HEALTHY_WORKERS, build, catalina_jar, three_tomcats
from parsers.test_java import DEBIAN_17_PROPERTIES, SUN_6_SEED, ZULU_8_WINDOWS
from realhttpd import MOD_JK
from support import REPO

from clustercheck.collect.gather import gather
from clustercheck.collect.jvm import jvm_facts
from clustercheck.engine.registry import load_checks, select
from clustercheck.engine.results import Result
from clustercheck.engine.runner import run_checks
from clustercheck.engine.upgrade import Target, judge_upgrade
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.facts.jvm import JvmFacts
from clustercheck.inventory.loader import load_inventory
from clustercheck.parsers.java import parse_java_version

Said = set[tuple[str, str | None, str]]  # (code, node, status)
Expected = list[tuple[str, str | None, str, str]]  # (code, node, status, message fragment)


def judged(facts: ClusterFacts, target: Target, *codes: str) -> tuple[list[Result], list[Result]]:
    """Today's findings and those new after upgrading to `target`."""
    checks = select(load_checks(), list(codes))
    today = run_checks(checks, facts)
    upgrade = judge_upgrade(checks, facts, today, target)
    return [r for r in today if r.status.is_finding], list(upgrade.after)


def assert_found(results: list[Result], expected: Expected) -> None:
    """Exactly these findings (code, node, status), each message holding its fragment."""
    said = [(r.code, r.node, r.status.value, r.message) for r in results]
    assert sorted((c, n or "", s) for c, n, s, _ in said) == sorted(
        (c, n or "", s) for c, n, s, _ in expected
    ), said
    for code, node, status, fragment in expected:
        assert any((c, n, s) == (code, node, status) and fragment in m for c, n, s, m in said), (
            code,
            node,
            status,
            fragment,
            said,
        )


# --- CC301: the Java a Tomcat line needs ------------------------------------------------------


def recorded_jvm(output: str, java: str) -> JvmFacts:
    """The JvmFacts collect makes of a `java -XshowSettings:properties -version` output."""
    info = parse_java_version(output)
    assert info is not None
    return jvm_facts(java, "running Tomcat process 812", info, output)


SEED_JAVA = "/usr/lib/jvm/java-1.6.0-openjdk/bin/java"
ZULU_JAVA = "C:/Program Files/Zulu/zulu-8/bin/java.exe"
DEBIAN_JAVA = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"
EVERY_NODE = ("tomcat01", "tomcat02", "tomcat03")

CC301 = [
    pytest.param(
        "7.0.109",
        (SUN_6_SEED, SEED_JAVA),
        "8.5.100",
        [],
        [
            (
                "CC301",
                node,
                "fail",
                f"Tomcat 8.5.100 needs Java 7; {node}'s Tomcat runs on Java 1.6.0_17 "
                f"({SEED_JAVA}, running Tomcat process 812): Tomcat 8.5.100 does not start "
                "(UnsupportedClassVersionError): install Java 7 or later",
            )
            for node in EVERY_NODE
        ],
        id="seed-java6-to-8.5",
    ),
    pytest.param(
        "9.0.85",
        (ZULU_8_WINDOWS, ZULU_JAVA),
        "10.1.62",
        [],
        [("CC301", node, "fail", "Tomcat 10.1.62 needs Java 11; ") for node in EVERY_NODE],
        id="zulu8-to-10.1",
    ),
    pytest.param(
        "10.1.60",
        (ZULU_8_WINDOWS, ZULU_JAVA),
        "10.1.62",
        [("CC301", node, "fail", "Tomcat 10.1.60 needs Java 11; ") for node in EVERY_NODE],
        [],
        id="already-on-10.1-holds-today",
    ),
    pytest.param(
        "9.0.85", (DEBIAN_17_PROPERTIES, DEBIAN_JAVA), "11.0.29", [], [], id="debian17-to-11.0"
    ),
]


@pytest.mark.parametrize(("version", "jvm", "target", "today", "after"), CC301)
def test_cc301_java_the_tomcat_line_needs(
    tmp_path: Path,
    version: str,
    jvm: tuple[str, str],
    target: str,
    today: Expected,
    after: Expected,
) -> None:
    overrides = {name: {"version": version} for name in EVERY_NODE}
    facts = gather(load_inventory(three_tomcats(tmp_path, overrides)))
    for name in EVERY_NODE:
        facts.nodes[name].recorded = True
        facts.nodes[name].live.jvm = recorded_jvm(*jvm)
    found_today, found_after = judged(facts, Target(tomcat=target), "CC301")
    assert_found(found_today, today)
    assert_found(found_after, after)


# --- CC602: removed and renamed attributes of a 7.0-era server.xml ----------------------------

SERVER_7022 = REPO / "tests/fixtures/version-rules/server-7.0.22-cluster.xml"
REMOVED_IN_8 = "(removed in 8.0.0): Tomcat does not start"
RENAMED = (
    "sessionAttributeFilter on <Manager> is not read by Tomcat {v} (removed in 8.5.0): ignored "
    "with a Digester warning: it is the old name of sessionAttributeNameFilter, so the filter "
    "is gone"
)


def tomcat_7022(tmp: Path, version: str) -> ClusterFacts:
    files: dict[str, str | bytes] = {
        f"{BASE}/conf/server.xml": SERVER_7022.read_text(encoding="utf-8"),
        f"{BASE}/lib/catalina.jar": catalina_jar(version),
    }
    node = {"host": "10.0.0.11", "roles": ["tomcat"]}
    return gather(load_inventory(build(tmp, {"tomcat01": node}, {"tomcat01": files})))


CC602 = [
    pytest.param("7.0.22", "7.0.109", [], [], id="7.0-stays-on-7.0"),
    pytest.param(
        "7.0.22",
        "9.0.121",
        [],
        [
            (
                "CC602",
                "tomcat01",
                "fail",
                f'JasperListener">: the class is not in Tomcat 9.0.121 {REMOVED_IN_8}',
            ),
            ("CC602", "tomcat01", "warn", RENAMED.format(v="9.0.121")),
            (
                "CC602",
                "tomcat01",
                "fail",
                'MessageDispatch15Interceptor">: the class is not in '
                "Tomcat 9.0.121 (removed in 8.5.0)",
            ),
            (
                "CC602",
                "tomcat01",
                "fail",
                f'JvmRouteSessionIDBinderListener">: the class is not '
                f"in Tomcat 9.0.121 {REMOVED_IN_8}",
            ),
        ],
        id="7.0-to-9.0",
    ),
    pytest.param(
        "8.5.100",
        "8.5.100",
        [("CC602", "tomcat01", "warn", RENAMED.format(v="8.5.100"))],
        [],
        id="already-on-8.5-holds-today",
    ),
]


@pytest.mark.parametrize(("version", "target", "today", "after"), CC602)
def test_cc602_a_7_0_era_server_xml(
    tmp_path: Path, version: str, target: str, today: Expected, after: Expected
) -> None:
    facts = tomcat_7022(tmp_path, version)
    found_today, found_after = judged(facts, Target(tomcat=target), "CC602", "CC604")
    renamed = [r for r in found_today if "sessionAttributeFilter" in r.message]
    assert_found(renamed if today else found_today, today)
    assert_found(found_after, after)


# --- mod_jk 1.2.49 (implicit mapping removed) and httpd 2.2 -> 2.4 --------------------------

CONF = "/etc/httpd/conf/httpd.conf"
WORKERS = "/etc/httpd/conf/workers.properties"
SEED_MODULE = "mod_jk-1.2.23-apache-2.2.x-linux-i686.so"  # the seed how-to's download


def jk_1_2_50() -> bytes:
    """Debian's mod_jk.so naming itself 1.2.50 (its JK_EXPOSED_VERSION string patched)."""
    data = MOD_JK.read_bytes()
    assert data.count(b"mod_jk/1.2.48") == 1
    return data.replace(b"mod_jk/1.2.48", b"mod_jk/1.2.50")


# The reference's forms (xdocs/reference/apache.xml, JK_1_2_48: "SetHandler jakarta-servlet
# forces requests to be handled by mod_jk ... the first worker in the list of all worker will be
# chosen"; JK_WORKER_NAME "to the name of your chosen target worker")
IMPLICIT = "<Location /shop>\n    SetHandler jakarta-servlet\n</Location>\n"
EXPLICIT_ENV = (
    "<Location /shop>\n    SetHandler jakarta-servlet\n    SetEnv JK_WORKER_NAME lb\n</Location>\n"
)
EXPLICIT_MOUNT = "JkMount /shop/* lb\n" + IMPLICIT
FORWARD_DIRS = "JkOptions +ForwardKeySize +ForwardDirectories\nJkMount /shop/* lb\n"
NO_FORWARD = "JkOptions +ForwardKeySize -ForwardDirectories\n" + IMPLICIT
WORKER_NOT_LISTED = "JkMount /shop/* tomcat01\n"
IN_FILES = '<Files "*.jsp">\n    SetHandler jakarta-servlet\n</Files>\n'

FORWARDS_NONE = (
    "SetHandler jakarta-servlet in <Location /shop> names no worker (no JkMount maps /shop, "
    "nothing sets JK_WORKER_NAME): mod_jk 1.2.50 forwards none of these requests (1.2.49 "
    "removed the implicit mapping that sent them to lb, the first worker of worker.list)"
)
NO_EFFECT = "JkOptions +ForwardDirectories (the main server) has no effect with mod_jk 1.2.50"
NAME_SAYS_22 = (
    f"LoadModule jk_module modules/{SEED_MODULE}: the file name says mod_jk built for httpd 2.2, "
    "and httpd 2.4 refuses a module built for another line"
)


def front_end(tmp: Path, jk: str, module: str, data: bytes | None, httpd: str) -> ClusterFacts:
    conf = (
        "LoadModule mpm_event_module modules/mod_mpm_event.so\n"
        f"LoadModule jk_module modules/{module}\nListen 80\n"
        "JkWorkersFile conf/workers.properties\n" + jk
    )
    files: dict[str, str | bytes] = {CONF: conf, WORKERS: textwrap.dedent(HEALTHY_WORKERS)}
    if data is not None:
        files[f"/etc/httpd/modules/{module}"] = data
    apache = {"httpd_conf": CONF, "version": httpd}
    node = {"host": "10.0.0.1", "roles": ["apache"], "apache": apache}
    return gather(load_inventory(build(tmp, {"web1": node}, {"web1": files})))


DEBIAN: tuple[str, Callable[[], bytes | None]] = ("mod_jk.so", MOD_JK.read_bytes)
PATCHED: tuple[str, Callable[[], bytes | None]] = ("mod_jk.so", jk_1_2_50)
SEED: tuple[str, Callable[[], bytes | None]] = (SEED_MODULE, lambda: None)
JK_50 = Target(modjk="1.2.50")

MODJK = [
    pytest.param(
        IMPLICIT,
        DEBIAN,
        "2.4.57",
        JK_50,
        [],
        [("CC6033", "web1", "fail", FORWARDS_NONE)],
        id="sethandler-1.2.48-to-1.2.50",
    ),
    pytest.param(
        IMPLICIT,
        SEED,
        "2.4.57",
        JK_50,
        [],
        [("CC6033", "web1", "fail", FORWARDS_NONE)],
        id="sethandler-seed-name-to-1.2.50",
    ),
    pytest.param(
        IMPLICIT,
        PATCHED,
        "2.4.57",
        JK_50,
        [("CC6033", "web1", "fail", FORWARDS_NONE)],
        [],
        id="sethandler-on-1.2.50-holds-today",
    ),
    pytest.param(
        IN_FILES,
        DEBIAN,
        "2.4.57",
        JK_50,
        [],
        [("CC6033", "web1", "fail", "SetHandler jakarta-servlet names no worker (nothing sets")],
        id="files-section-without-any-mount",
    ),
    pytest.param(
        "JkMount /*.jsp lb\n" + IN_FILES, DEBIAN, "2.4.57", JK_50, [], [], id="files-with-a-mount"
    ),
    pytest.param(EXPLICIT_ENV, DEBIAN, "2.4.57", JK_50, [], [], id="jk-worker-name-is-explicit"),
    pytest.param(EXPLICIT_MOUNT, DEBIAN, "2.4.57", JK_50, [], [], id="jkmount-is-explicit"),
    pytest.param(
        FORWARD_DIRS,
        DEBIAN,
        "2.4.57",
        JK_50,
        [],
        [("CC6034", "web1", "warn", NO_EFFECT)],
        id="forward-directories-to-1.2.50",
    ),
    pytest.param(
        NO_FORWARD,
        PATCHED,
        "2.4.57",
        Target(httpd="2.4.67"),
        [("CC6033", "web1", "fail", FORWARDS_NONE)],
        [],
        id="minus-forward-directories",
    ),
    pytest.param(
        WORKER_NOT_LISTED,
        DEBIAN,
        "2.4.57",
        JK_50,
        [("CC6033", "web1", "fail", "worker tomcat01 is not in worker.list")],
        [],
        id="unrelated-findings-stay-today's",
    ),
    pytest.param(
        "JkMount /shop/* lb\n",
        SEED,
        "2.2.3",
        Target(httpd="2.4.67"),
        [],
        [("CC104", "web1", "warn", NAME_SAYS_22)],
        id="seed-httpd-2.2-to-2.4",
    ),
    pytest.param(
        "JkMount /shop/* lb\n",
        SEED,
        "2.2.3",
        Target(httpd="2.4.67", modjk="1.2.50"),
        [],
        [],
        id="seed-httpd-and-mod_jk-upgraded",
    ),
]


@pytest.mark.parametrize(("jk", "module", "httpd", "target", "today", "after"), MODJK)
def test_mod_jk_and_httpd_releases(
    tmp_path: Path,
    jk: str,
    module: tuple[str, Callable[[], bytes | None]],
    httpd: str,
    target: Target,
    today: Expected,
    after: Expected,
) -> None:
    if not MOD_JK.exists():
        pytest.skip(f"needs {MOD_JK} (libapache2-mod-jk)")
    facts = front_end(tmp_path, jk, module[0], module[1](), httpd)
    found_today, found_after = judged(facts, target, "CC603", "CC104")
    assert_found([r for r in found_today if r.code != "CC104"], today)
    assert_found(found_after, after)


def test_the_target_removes_what_it_fixes(tmp_path: Path) -> None:
    """1.2.48 with +ForwardDirectories has CVE-2023-41081 today (CC104); 1.2.50 has not, and
    says instead that the option does nothing."""
    if not MOD_JK.exists():
        pytest.skip(f"needs {MOD_JK} (libapache2-mod-jk)")
    facts = front_end(tmp_path, FORWARD_DIRS, "mod_jk.so", MOD_JK.read_bytes(), "2.4.57")
    checks = select(load_checks(), ["CC603", "CC104"])
    today = run_checks(checks, facts)
    upgrade = judge_upgrade(checks, facts, today, JK_50)
    gone: Mapping[str, Any] = {r.code: r.message for r in upgrade.gone}
    assert "CVE-2023-41081" in gone["CC104"]


# Red Hat's conf.modules.d/00-proxy.conf modules for AJP, and tests/checks/test_proxy_config's
# healthy balancer
PROXY_FRONT_END = "".join(
    f"LoadModule {name}_module modules/mod_{name}.so\n"
    for name in ("mpm_event", "proxy", "proxy_ajp", "proxy_balancer", "lbmethod_byrequests")
) + textwrap.dedent("""\
    ProxyPass /shop balancer://lb/shop stickysession=JSESSIONID|jsessionid
    <Proxy balancer://lb>
        BalancerMember ajp://10.0.0.11:8009 route=tomcat01 secret=s3cret ping=5
        BalancerMember ajp://10.0.0.12:8009 route=tomcat02 secret=s3cret ping=5
    </Proxy>
    """)


def test_httpd_2_2_proxy_parameters_go_with_the_upgrade(tmp_path: Path) -> None:
    """A mod_proxy front end written for 2.4 (secret=, ping=) on httpd 2.2.34: CC6071 fails
    today for what 2.2 does not know; with httpd 2.4.67 those findings are gone and nothing is
    new (the parameters' versions are knowledge.modproxy's)."""
    files = {CONF: PROXY_FRONT_END}
    node = {
        "host": "10.0.0.1",
        "roles": ["apache"],
        "apache": {"httpd_conf": CONF, "version": "2.2.34"},
    }
    facts = gather(load_inventory(build(tmp_path, {"web1": node}, {"web1": files})))
    checks = select(load_checks(), ["CC607", "CC104"])
    today = run_checks(checks, facts)
    upgrade = judge_upgrade(checks, facts, today, Target(httpd="2.4.67"))
    assert upgrade.after == ()
    gone = sorted((r.code, r.status.value) for r in upgrade.gone)
    assert ("CC6071", "fail") in gone, gone
    assert any("secret=: httpd 2.2.34 does not know" in r.message for r in upgrade.gone)
