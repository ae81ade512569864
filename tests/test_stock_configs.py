"""The configuration each Tomcat line ships (tests/fixtures/stock, sources in
tests/fixtures/README.md), judged as a one-node cluster with its own version, then against each
later line as an upgrade target.

Tomcat's own files are right for their own version, so a finding on them is clustercheck's
mistake, with two exceptions written down below: a stock file sets up no cluster (no jvmRoute,
no <Cluster>: CC201 and CC505 say so), and before 2020 the stock AJP connector listened on every
address without a secret (Ghostcat: CC103 is right to fail it). Each file is also judged
"clustered as its comments say": the Engine with the jvmRoute and the <Cluster> its own comments
suggest, uncommented, nothing else changed. That is what must judge clean.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from clusterfiles import BASE, build, catalina_jar

from clustercheck.collect.gather import gather
from clustercheck.engine.registry import load_checks
from clustercheck.engine.results import Result
from clustercheck.engine.runner import run_checks
from clustercheck.engine.upgrade import Target, judge_upgrade
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.inventory.loader import load_inventory
from clustercheck.knowledge.releases import TOMCAT, TOMCAT_LINES
from clustercheck.knowledge.tomcat import parse_version

STOCK = Path(__file__).parent / "fixtures" / "stock"
FOLDERS = sorted(p.name for p in STOCK.iterdir() if p.is_dir())
# the stock file's own suggestions, uncommented in place (line numbers unchanged)
ENGINE = b'<Engine name="Catalina" defaultHost="localhost">'
ROUTED = b'<Engine name="Catalina" defaultHost="localhost" jvmRoute="jvm1">'
CLUSTER = b'<Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster"/>'

Findings = set[tuple[str, str]]  # (code, status)

# Before 7.0.100 / 8.5.51 / 9.0.31 the stock server.xml has an active AJP connector on every
# address without a secret (7.0.100 changelog: "Comment out the AJP connector in the default
# server.xml"; "Change the default bind address for the AJP/1.3 connector to be the loopback
# address"): CVE-2020-1938, which CC103 must fail.
GHOSTCAT = {("CC103", "fail")}
PRE_2020 = {"tomcat-7.0.99", "tomcat-8.5.50", "tomcat-9.0.30"}
# A stock file configures no cluster: no jvmRoute on the Engine, the <Cluster> commented out.
NOT_A_CLUSTER = {("CC201", "fail"), ("CC505", "fail")}

# The JasperListener the 7.0 stock server.xml declares is gone from 8.0.0 on (apache/tomcat
# commit 17becffb74, 2013-11-17, trunk before 8.0.0: "Initialize the JSP runtime in Jasper's
# initializer to eliminate the need for a Jasper-specific listener"; 8.5.0's stock server.xml
# has no JasperListener): ClassNotFoundException, Tomcat does not start (field.md §4).
JASPER_LISTENER = {("CC602", "fail")}
# The active AJP connector without a secret no longer starts from 7.0.100 / 8.5.51 / 9.0.31
# (9.0.31 and 7.0.100 changelogs, Coyote: "add a new attribute secretRequired that defaults to
# true. When secretRequired is true the AJP/1.3 Connector will not start unless the secret
# attribute is configured"; field.md §4, the AJP row).
AJP_REFUSED = {("CC103", "fail")}

# (stock folder, target line) -> the findings new after the upgrade; a pair not listed: none.
# 7.0.109, 8.5.100, 9.0.121, 10.1.59, 11.0.25 and Debian's 10.1.60 have the AJP connector
# commented out and no removed class: their upgrades to any later line find nothing (the 9.0 ->
# 10.1 and 10.1 -> 11.0 rows of field.md §4 concern AprProtocol connectors, -DjvmRoute,
# requiredSecret and EncryptInterceptor, none of which a stock file has; the AprLifecycleListener
# stays in 10.1 and 11.0: 10.1.59's and 11.0.25's own stock files declare it).
UPGRADES: dict[tuple[str, str], Findings] = {
    ("tomcat-7.0.99", "7.0"): AJP_REFUSED,
    ("tomcat-7.0.99", "8.5"): AJP_REFUSED | JASPER_LISTENER,
    ("tomcat-7.0.99", "9.0"): AJP_REFUSED | JASPER_LISTENER,
    ("tomcat-7.0.99", "10.1"): AJP_REFUSED | JASPER_LISTENER,
    ("tomcat-7.0.99", "11.0"): AJP_REFUSED | JASPER_LISTENER,
    ("tomcat-7.0.109", "8.5"): JASPER_LISTENER,
    ("tomcat-7.0.109", "9.0"): JASPER_LISTENER,
    ("tomcat-7.0.109", "10.1"): JASPER_LISTENER,
    ("tomcat-7.0.109", "11.0"): JASPER_LISTENER,
    ("tomcat-8.5.50", "8.5"): AJP_REFUSED,
    ("tomcat-8.5.50", "9.0"): AJP_REFUSED,
    ("tomcat-8.5.50", "10.1"): AJP_REFUSED,
    ("tomcat-8.5.50", "11.0"): AJP_REFUSED,
    ("tomcat-9.0.30", "9.0"): AJP_REFUSED,
    ("tomcat-9.0.30", "10.1"): AJP_REFUSED,
    ("tomcat-9.0.30", "11.0"): AJP_REFUSED,
}


def version_of(folder: str) -> str:
    """tomcat-9.0.30 -> 9.0.30; debian12-tomcat10-10.1.60 -> 10.1.60"""
    return folder.rsplit("-", 1)[1]


def later_lines(folder: str) -> list[str]:
    """The lines whose newest release is after the file's version (its own line included)."""
    today = parse_version(version_of(folder))
    assert today is not None
    return [line.name for line in TOMCAT_LINES if line.latest > today]


def clustered(server_xml: bytes) -> bytes:
    """The stock file with its own commented jvmRoute and <Cluster> suggestions taken up."""
    assert server_xml.count(ENGINE) == 1 and server_xml.count(CLUSTER) == 1
    return server_xml.replace(ENGINE, ROUTED).replace(CLUSTER, b"-->" + CLUSTER + b"<!--")


@cache
def facts_of(folder: str, as_cluster: bool) -> ClusterFacts:
    """The one-node cluster (tomcat01 at 10.0.0.11) running the folder's conf/ files and
    version, gathered offline."""
    import tempfile

    conf = {f"{BASE}/conf/{f.name}": f.read_bytes() for f in (STOCK / folder).iterdir()}
    if as_cluster:
        conf[f"{BASE}/conf/server.xml"] = clustered(conf[f"{BASE}/conf/server.xml"])
    files = {**conf, f"{BASE}/lib/catalina.jar": catalina_jar(version_of(folder))}
    tmp = Path(tempfile.mkdtemp(prefix=f"stock-{folder}-"))
    node = {"host": "10.0.0.11", "roles": ["tomcat"]}
    return gather(load_inventory(build(tmp, {"tomcat01": node}, {"tomcat01": files})))


@cache
def today(folder: str, as_cluster: bool) -> list[Result]:
    return run_checks(load_checks(), facts_of(folder, as_cluster))


def findings(results: list[Result]) -> Findings:
    return {(r.code, r.status.value) for r in results if r.status.is_finding}


def said(results: list[Result]) -> list[tuple[str, str, int | None, str]]:
    return [(r.code, r.status.value, r.line, r.message) for r in results if r.status.is_finding]


def test_every_stock_folder_is_judged() -> None:
    """Each line clustercheck offers as a target has a stock file here, and Debian's."""
    lines = {".".join(version_of(f).split(".")[:2]) for f in FOLDERS}
    assert lines == {line.name for line in TOMCAT_LINES}
    assert "debian12-tomcat10-10.1.60" in FOLDERS


@pytest.mark.parametrize("folder", FOLDERS)
def test_stock_file_as_shipped(folder: str) -> None:
    results = today(folder, False)
    wanted = NOT_A_CLUSTER | (GHOSTCAT if folder in PRE_2020 else set())
    assert findings(results) == wanted, said(results)
    tomcat = facts_of(folder, False).nodes["tomcat01"].tomcat
    assert tomcat is not None and tomcat.version == version_of(folder)  # judged as that release


@pytest.mark.parametrize("folder", FOLDERS)
def test_stock_file_clustered_judges_clean(folder: str) -> None:
    results = today(folder, True)
    assert findings(results) == (GHOSTCAT if folder in PRE_2020 else set()), said(results)
    judged = {r.code for r in results if r.status.value == "pass"}
    assert {"CC201", "CC505", "CC601", "CC602", "CC604"} <= judged


@pytest.mark.parametrize(
    ("folder", "line"), [(folder, line) for folder in FOLDERS for line in later_lines(folder)]
)
def test_stock_file_upgraded(folder: str, line: str) -> None:
    """What the stock file (clustered) would break on the newest release of a later line."""
    upgrade = judge_upgrade(
        load_checks(),
        facts_of(folder, True),
        today(folder, True),
        Target(tomcat=TOMCAT.target(line)),
    )
    assert findings(list(upgrade.results)) == UPGRADES.get((folder, line), set()), said(
        list(upgrade.results)
    )
    assert not upgrade.during  # one node: nothing is half upgraded


def test_upgrade_table_names_real_pairs() -> None:
    """Every row of the table is a pair the walk judges (no stale row)."""
    pairs = {(folder, line) for folder in FOLDERS for line in later_lines(folder)}
    assert set(UPGRADES) <= pairs


def test_upgrade_messages_name_the_change() -> None:
    """The findings say what breaks, where, in the target's terms."""
    upgrade = judge_upgrade(
        load_checks(),
        facts_of("tomcat-7.0.99", True),
        today("tomcat-7.0.99", True),
        Target(tomcat="9.0.121"),
    )
    by_code = {r.code: r for r in upgrade.results}
    assert by_code["CC103"].line == 93 and "secretRequired" in by_code["CC103"].message
    assert by_code["CC602"].line == 30
    assert "JasperListener" in by_code["CC602"].message
    assert "9.0.121" in by_code["CC602"].message
