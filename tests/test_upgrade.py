"""Upgrade readiness: targets resolved from the release table, the checks judged again on the
upgraded facts, and the command line's --target-* options, on the seed example (Tomcat 6 with
mod_jk 1.2.23 built for httpd 2.2) and on a healthy Tomcat 10.1 cluster."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from clusterfiles import three_tomcats
from support import REPO

from clustercheck.cli.main import main
from clustercheck.collect.gather import gather
from clustercheck.engine.check import check
from clustercheck.engine.registry import load_checks
from clustercheck.engine.results import Finding, Result, Scope, warned
from clustercheck.engine.runner import run_checks
from clustercheck.engine.upgrade import Target, Upgrade, judge_upgrade, target_of
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.inventory.loader import load_inventory
from clustercheck.knowledge.releases import HTTPD, MODJK, TOMCAT, TargetError, min_java

EXAMPLE = REPO / "examples" / "seed-cluster" / "inventory.yaml"


@pytest.mark.parametrize(
    ("product", "given", "resolved"),
    [
        (TOMCAT, "11.0", "11.0.29"),
        (TOMCAT, "11", "11.0.29"),
        (TOMCAT, "10", "10.1.62"),  # a major: its maintained line
        (TOMCAT, "10.1.58", "10.1.58"),
        (TOMCAT, " 9.0 ", "9.0.121"),
        (TOMCAT, "7.0", "7.0.109"),
        (HTTPD, "2.4", "2.4.71"),
        (HTTPD, "2.2", "2.2.34"),
        (MODJK, "1.2", "1.2.50"),
        (MODJK, "1.2.49", "1.2.49"),
    ],
)
def test_a_target_is_a_release(product, given: str, resolved: str) -> None:
    assert product.target(given) == resolved


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("12.0", "--target-tomcat 12.0: clustercheck knows Tomcat 7.0, 8.5, 9.0, 10.1, 11.0"),
        ("6.0.35", "clustercheck knows Tomcat 7.0"),
        ("10.0", "clustercheck knows Tomcat"),  # end of life, no tables
        ("latest", "expected a version such as 11.0 or 11.0.29"),
        ("11.0.x", "expected a version"),
        ("1.2.3.4", "expected a version"),
    ],
)
def test_a_target_without_knowledge_is_refused(given: str, says: str) -> None:
    with pytest.raises(TargetError, match=says.replace(".", r"\.")):
        TOMCAT.target(given)


@pytest.mark.parametrize(
    ("version", "java"),
    [
        ("11.0.29", 17),
        ("10.1.60", 11),
        ("9.0.85", 8),
        ("8.5.100", 7),
        ("7.0.109", 6),
        ("8.0.53", 7),
        ("10.0.27", 8),
        ("10", 11),
        ("6.0.35", None),
        (None, None),
    ],
)
def test_the_java_a_tomcat_line_needs(version: str | None, java: int | None) -> None:
    assert min_java(version) == java


def seed() -> ClusterFacts:
    return gather(load_inventory(EXAMPLE))


def judged(facts: ClusterFacts, target: Target) -> tuple[list[Result], Upgrade]:
    checks = load_checks()
    today = run_checks(checks, facts)
    return today, judge_upgrade(checks, facts, today, target)


def found(results: Iterable[Result]) -> set[tuple[str, str | None, str]]:
    return {(r.code, r.node, r.status.value) for r in results}


def test_the_seed_upgraded_to_10_1() -> None:
    """What must change before the seed's Tomcat 6 nodes move to 10.1 (notes/field.md §4)."""
    _today, upgrade = judged(seed(), Target(tomcat="10.1.62"))
    after = found(upgrade.after)
    assert {
        # secretRequired true by default since 9.0.31: the AJP connectors without a secret
        # no longer start
        ("CC103", "tomcat01", "fail"),
        ("CC103", "tomcat02", "fail"),
        ("CC103", "tomcat03", "fail"),
        # ... and bind loopback by default: mod_jk on another host finds nothing
        ("CC108", "web1", "fail"),
        # JasperListener (8.0), ServerLifecycleListener (7.0.9), MessageDispatch15Interceptor
        # (8.5), JvmRouteSessionIDBinderListener (8.0): Tomcat does not start
        ("CC602", "tomcat01", "fail"),
        ("CC602", "tomcat02", "fail"),
        ("CC602", "tomcat03", "fail"),
        ("CC602", "tomcat02", "warn"),  # the ReplicationValve filter is one regex since 7.0.6
    } <= after
    moved = {(m.node, m.today, m.after) for m in upgrade.moves}
    assert ("tomcat03", "6.0.35", "10.1.62") in moved
    assert ("CC302", None, "warn") in found(upgrade.gone)  # one release on every node
    # while one member runs 10.1 and the others 6.0: the member format and javax/jakarta
    assert upgrade.rolling_node == "tomcat02"  # tomcat01 has no cluster: its upgrade breaks none
    messages = " ".join(r.message for r in upgrade.during)
    assert {r.code for r in upgrade.during} == {"CC303"}
    assert "Tribes member format of Tomcat 7" in messages and "jakarta" in messages
    messages = " ".join(r.message for r in upgrade.after if r.code == "CC103")
    assert "secretRequired is true by default" in messages


def test_the_seed_front_end_upgraded() -> None:
    """A new mod_jk, built for the httpd it runs in, no longer has 1.2.23's vulnerabilities."""
    today, upgrade = judged(seed(), Target(httpd="2.4.71", modjk="1.2.50"))
    assert ("CC104", "web1", "warn") in found(today)
    assert ("CC104", "web1", "warn") in found(upgrade.gone)
    assert not [r for r in upgrade.after if r.code == "CC104"]
    assert {(m.node, m.product, m.today, m.after) for m in upgrade.moves} >= {
        ("web1", "httpd", None, "2.4.71"),
    }


def test_nodes_already_on_the_target_stay(tmp_path: Path) -> None:
    facts = gather(load_inventory(three_tomcats(tmp_path)))  # Tomcat 10.1.60
    _today, upgrade = judged(facts, Target(tomcat="9.0.121"))
    assert {m.after for m in upgrade.moves} == {None}  # never a downgrade
    assert not upgrade.after and not upgrade.during and not upgrade.gone
    _today, upgrade = judged(facts, Target(tomcat="10.1.62"))
    assert {m.after for m in upgrade.moves} == {"10.1.62"}
    assert not upgrade.results, [r.message for r in upgrade.results]


@check("CC999", "names-the-version", scope=Scope.NODE)
def names_the_version(node: NodeFacts) -> Iterator[Finding]:
    """A finding whose message names the node's version.

    ## Why it matters
    It is the same finding before and after an upgrade.

    ## How to fix
    Nothing.
    """
    yield warned(f"runs {node.tomcat.version if node.tomcat else None}", file="server.xml")


def test_a_finding_that_only_names_another_version_is_not_new(tmp_path: Path) -> None:
    facts = gather(load_inventory(three_tomcats(tmp_path)))
    today = run_checks([names_the_version], facts)
    upgrade = judge_upgrade([names_the_version], facts, today, Target(tomcat="11.0.29"))
    assert {r.message for r in today} == {"runs 10.1.60"}
    assert not upgrade.after and not upgrade.gone


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(["run", str(EXAMPLE), *argv, "--json", "-", "--quiet"])
    return code, json.loads(capsys.readouterr().out)


def test_the_json_upgrade_section(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_json(capsys, "--target-tomcat", "10.1")
    assert code == 1
    upgrade = report["upgrade"]
    assert upgrade["target"] == {"tomcat": "10.1.62", "httpd": None, "mod_jk": None}
    assert upgrade["summary"]["fail"] == len(
        [r for r in upgrade["after"] + upgrade["during"] if r["status"] == "fail"]
    )
    assert {"node": "tomcat01", "product": "Tomcat", "from": "6.0.29", "to": "10.1.62"} in upgrade[
        "moves"
    ]
    first = upgrade["after"][0]
    assert first["status"] == "fail" and first["remediation"]  # the fix, as for today's
    assert upgrade["rolling_node"] == "tomcat02"


def test_fail_on_counts_the_upgrade_only_with_a_target(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A cluster clean today on 10.1.60, whose AJP connectors read `requiredSecret` (gone in
    11.0): exit 0 without a target, 1 with --target-tomcat 11.0."""
    inventory = three_tomcats(tmp_path)
    for server in tmp_path.glob("tomcat0*/opt/tomcat/conf/server.xml"):
        text = server.read_text()
        server.write_text(text.replace(' secret="', ' requiredSecret="'))
    assert main(["run", str(inventory), "--quiet"]) == 0
    capsys.readouterr()
    code = main(["run", str(inventory), "--quiet", "--target-tomcat", "11.0", "--json", "-"])
    upgrade = json.loads(capsys.readouterr().out)["upgrade"]
    assert code == 1
    assert {(r["code"], r["status"]) for r in upgrade["after"]} >= {("CC103", "fail")}
    assert (
        main(["run", str(inventory), "--quiet", "--target-tomcat", "11.0", "--fail-on", "error"])
        == 0
    )


def test_a_bad_target_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(EXAMPLE), "--target-tomcat", "12.0"]) == 2
    err = capsys.readouterr().err
    assert "--target-tomcat 12.0: clustercheck knows Tomcat 7.0, 8.5, 9.0, 10.1, 11.0" in err
    assert "Traceback" not in err


def test_a_waiver_covers_the_upgrade_findings_too(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """One pass of the waivers over today's findings and the upgrade's: a waived upgrade
    finding is shown waived and not counted, and the waiver is not reported as unused."""
    inventory = tmp_path / "inventory.yaml"
    text = EXAMPLE.read_text().replace("root: hosts/", f"root: {EXAMPLE.parent}/hosts/")
    text += "waivers:\n  - {code: CC602, reason: rebuilt from scratch for 10.1}\n"
    inventory.write_text(text)
    code = main(["run", str(inventory), "--target-tomcat", "10.1", "--quiet", "--json", "-"])
    captured = capsys.readouterr()
    upgrade = json.loads(captured.out)["upgrade"]
    waived = [r for r in upgrade["after"] if r["code"] == "CC602"]
    assert code == 1 and waived
    assert all(r["waived"] == "rebuilt from scratch for 10.1" for r in waived)
    assert upgrade["summary"]["fail"] == len(
        [
            r
            for r in upgrade["after"] + upgrade["during"]
            if r["status"] == "fail" and not r.get("waived")
        ]
    )
    assert "matched no" not in captured.err


def test_target_of_the_command_line() -> None:
    assert not target_of({"tomcat": None, "httpd": None, "modjk": None})
    target = target_of({"tomcat": "11.0", "httpd": "2.4", "modjk": None})
    assert target == Target("11.0.29", "2.4.71", None)
    assert target.label == "Tomcat 11.0.29, httpd 2.4.71"
