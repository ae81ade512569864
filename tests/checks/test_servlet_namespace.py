"""CC704 servlet-namespace on real web.xml files (../shared/corpus/webxml, sources in its
SOURCES.md, and the seed example's), each deployed on a one-node Tomcat 9.0 and 10.1: the javax
to jakarta wall, application by application, today and through an upgrade."""

from __future__ import annotations

from pathlib import Path

import pytest
from clusterfiles import BASE, build, judge, server_xml, tomcat_files

from clustercheck.collect.gather import gather
from clustercheck.engine.registry import load_checks, select
from clustercheck.engine.runner import run_checks
from clustercheck.engine.upgrade import Target, judge_upgrade
from clustercheck.inventory.loader import load_inventory
from clustercheck.parsers.webxml import parse_web_xml

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "examples" / "seed-cluster"

JAVAX, JAKARTA = "javax.servlet", "jakarta.servlet"
# corpus file -> (the API its descriptor declares, the descriptor as the message names it);
# 13 and 21 are web.xml 2.3: a DTD and no namespace
CORPUS = {
    "01_cornBuddy_tomcat-studies_dist-space.xml": (JAVAX, "Servlet 4.0"),
    "02_mrLeeYoungJin_devtips_dist.xml": (JAVAX, "Servlet 2.4"),
    "03_pashumrajessh_tomEE_dist-crlf.xml": (JAVAX, "Servlet 3.0"),
    "04_tarashypka_dstr_dist-servlets.xml": (JAVAX, "Servlet 3.1"),
    "08_bee-infraverse_tomcat-cluster-lab_dist-crlf.xml": (JAKARTA, "Servlet 6.0"),
    "11_michaelpoltorak_tomcat-cluster-test_dist.xml": (JAVAX, "Servlet 2.5"),
    "13_singhritesh85_tomcat-session-replication_dist-crlf-short.xml": (JAVAX, "Servlet 2.3"),
    "15_tomitribe_tomcat-session-replication_dist-jakarta.xml": (JAKARTA, "Servlet 5.0"),
    "21_iPlantCollaborativeOpenSource_TNRS_nodist.xml": (JAVAX, "Servlet 2.3"),
    "22_changmink_docker-httpd-tomcat_nodist-short.xml": (JAVAX, "Servlet 4.0"),
}
CORPUS_JAVAX = "03_pashumrajessh_tomEE_dist-crlf.xml"
# what CC704 says of a descriptor for that API on each Tomcat
VERDICT = {
    ("9.0.121", JAVAX): "pass",
    ("9.0.121", JAKARTA): "fail",
    ("10.1.60", JAVAX): "warn",
    ("10.1.60", JAKARTA): "pass",
}


def node_with(tmp: Path, apps: dict[str, bytes], version: str, host_extra: str = "") -> Path:
    """tomcat01 on `version` with these unpacked applications (name -> web.xml; b"" for an
    application without one) and `host_extra` attributes on its Host."""
    files: dict[str, str | bytes] = dict(tomcat_files(version=version, apps={}))
    files[f"{BASE}/conf/server.xml"] = server_xml().replace(
        'appBase="webapps"', f'appBase="webapps"{host_extra}'
    )
    for name, web in apps.items():
        files[f"{BASE}/webapps/{name}/WEB-INF/{'web.xml' if web else 'classes/A.class'}"] = web
    return build(tmp, {"tomcat01": {"host": "10.0.0.11", "roles": ["tomcat"]}}, {"tomcat01": files})


@pytest.mark.parametrize("version", ["9.0.121", "10.1.60"])
@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_descriptor(tmp_path: Path, corpus_dir: Path, name: str, version: str) -> None:
    api, descriptor = CORPUS[name]
    web = (corpus_dir / "webxml" / name).read_bytes()
    (result,) = judge(node_with(tmp_path, {"app": web}, version), "CC704")
    assert result.status.value == VERDICT[(version, api)], result.message
    assert f"app: its web.xml is written for {api} ({descriptor} descriptor)" in result.message
    assert result.file == f"{BASE}/webapps/app/WEB-INF/web.xml" and result.line
    assert result.details["app_api"] == api


def test_javax_on_tomcat_10_names_the_way_out(tmp_path: Path, corpus_dir: Path) -> None:
    web = (corpus_dir / "webxml" / CORPUS_JAVAX).read_bytes()
    (result,) = judge(node_with(tmp_path, {"shop": web}, "10.1.60"), "CC704")
    assert "Tomcat 10.1.60 runs jakarta.servlet only" in result.message
    assert "bin/migrate.sh" in result.message
    assert "Host localhost's legacyAppBase webapps-javaee" in result.message


@pytest.mark.parametrize(
    ("version", "extra", "said"),
    [
        # legacyAppBase came in 10.0.4 (knowledge/servlet.py): 10.0.2 has only the tool
        ("10.0.2", "", None),
        ("10.0.4", "", "legacyAppBase webapps-javaee"),
        ("11.0.25", ' legacyAppBase="/srv/javaee"', "legacyAppBase /srv/javaee"),
    ],
)
def test_legacy_app_base_only_where_tomcat_has_it(
    tmp_path: Path, corpus_dir: Path, version: str, extra: str, said: str | None
) -> None:
    web = (corpus_dir / "webxml" / CORPUS_JAVAX).read_bytes()
    (result,) = judge(node_with(tmp_path, {"shop": web}, version, extra), "CC704")
    assert result.status.value == "warn"
    if said is None:
        assert "legacyAppBase" not in result.message and "migrate.sh" in result.message
    else:
        assert said in result.message


@pytest.mark.parametrize(
    ("version", "extra", "original", "status"),
    [
        ("10.1.60", "", "webapps-javaee/shop.war", "pass"),  # converted by Tomcat
        ("10.1.60", "", "webapps-javaee/shop/WEB-INF/web.xml", "pass"),  # an unpacked original
        ("11.0.25", ' legacyAppBase="javaee"', "javaee/shop.war", "pass"),
        ("11.0.25", ' legacyAppBase="javaee"', "webapps-javaee/shop.war", "warn"),  # not its own
        ("10.0.2", "", "webapps-javaee/shop.war", "warn"),  # 10.0.2 does not convert
    ],
)
def test_a_copy_converted_from_the_legacy_app_base_passes(
    tmp_path: Path, corpus_dir: Path, version: str, extra: str, original: str, status: str
) -> None:
    """Tomcat converts a Java EE application of the Host's legacyAppBase into the appBase under
    the same name and keeps its descriptor (tests/checks/test_servlet_namespace_real.py)."""
    web = (corpus_dir / "webxml" / CORPUS_JAVAX).read_bytes()
    inventory = node_with(tmp_path, {"shop": web}, version, extra)
    copy = tmp_path / "tomcat01" / BASE.lstrip("/") / original
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(web)
    (result,) = judge(inventory, "CC704")
    assert result.status.value == status, result.message
    if status == "pass":
        assert f"converted it to jakarta.servlet from {BASE}/{original.split('/WEB-INF')[0]}" in (
            result.message
        )


def test_jakarta_on_tomcat_9_fails(tmp_path: Path, corpus_dir: Path) -> None:
    web = corpus_dir / "webxml" / "15_tomitribe_tomcat-session-replication_dist-jakarta.xml"
    (result,) = judge(node_with(tmp_path, {"app": web.read_bytes()}, "9.0.121"), "CC704")
    assert result.status.value == "fail"
    assert "Tomcat 9.0.121 runs javax.servlet only" in result.message
    assert "move this node to Tomcat 10.1 or later" in result.message


def test_not_judged(tmp_path: Path) -> None:
    """No web.xml, or one that names no schema: skipped, saying so; Tomcat's own application
    on the other side of the wall is replaced, not migrated."""
    apps = {
        "bare": b"",
        "plain": b"<web-app><display-name>x</display-name></web-app>",
        "manager": b'<web-app xmlns="http://xmlns.jcp.org/xml/ns/javaee" version="4.0"/>',
    }
    results = {r.details["webapp"]: r for r in judge(node_with(tmp_path, apps, "10.1.60"), "CC704")}
    assert results["bare"].status.value == "skip"
    assert "has no WEB-INF/web.xml" in results["bare"].message
    assert results["plain"].status.value == "skip"
    assert "neither a Java EE nor a Jakarta EE schema" in results["plain"].message
    assert results["manager"].status.value == "warn"
    assert "Tomcat's own application" in results["manager"].message


def test_version_unknown_is_an_error(tmp_path: Path) -> None:
    inventory = node_with(tmp_path, {"app": b"<web-app/>"}, "10.1.60")
    (tmp_path / "tomcat01" / BASE.lstrip("/") / "lib" / "catalina.jar").unlink()
    (result,) = judge(inventory, "CC704")
    assert result.status.value == "error" and "version unknown" in result.message


def test_prefixed_root_and_dtd_read_tolerantly() -> None:
    """The namespace of a prefixed root; a DOCTYPE's public id, also from a file expat
    rejects."""
    prefixed = parse_web_xml(
        b'<j:web-app xmlns:j="https://jakarta.ee/xml/ns/jakartaee" version="6.0"/>', "w"
    )
    assert prefixed.namespace == "https://jakarta.ee/xml/ns/jakartaee"
    broken = parse_web_xml(
        b'<!DOCTYPE web-app PUBLIC "-//Sun Microsystems, Inc.//DTD Web Application 2.2//EN"'
        b' "http://java.sun.com/j2ee/dtds/web-app_2_2.dtd">\n<web-app><a></web-app>',
        "w",
    )
    assert broken.problems and broken.root_line == 2
    assert broken.public_id == "-//Sun Microsystems, Inc.//DTD Web Application 2.2//EN"


def test_seed_upgrade_to_10_1_names_the_shop(tmp_path: Path) -> None:
    """The seed example (Tomcat 6, shop with a Servlet 2.5 descriptor) moved to 10.1: CC704
    passes today and warns after the upgrade, on each node."""
    facts = gather(load_inventory(SEED / "inventory.yaml"))
    checks = select(load_checks(), ["CC704"])
    today = run_checks(checks, facts)
    assert {(r.node, r.status.value) for r in today} == {
        (n, "pass") for n in ("tomcat01", "tomcat02", "tomcat03")
    }
    upgrade = judge_upgrade(checks, facts, today, Target(tomcat="10.1.62"))
    assert {(r.code, r.node, r.status.value) for r in upgrade.after} == {
        ("CC704", n, "warn") for n in ("tomcat01", "tomcat02", "tomcat03")
    }
    assert all("shop: its web.xml is written for javax.servlet" in r.message for r in upgrade.after)
    assert all("Tomcat 10.1.62 runs jakarta.servlet only" in r.message for r in upgrade.after)
