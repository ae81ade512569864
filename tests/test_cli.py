"""The command line end to end: the bundled example, reports, snapshots, selection."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from clusterfiles import HEALTHY_WORKERS, three_tomcats
from support import REPO

from clustercheck.cli.main import main

EXAMPLE = REPO / "examples" / "seed-cluster" / "inventory.yaml"


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(["run", *argv, "--json", "-", "--quiet"])
    return code, json.loads(capsys.readouterr().out)


def statuses(report: dict) -> set[tuple[str, str | None, str]]:
    return {(r["code"], r["node"], r["status"]) for r in report["results"]}


def test_example_finds_the_how_tos_mistakes_and_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run_json(capsys, str(EXAMPLE))
    assert code == 1
    found = statuses(report)
    expected = {
        ("CC001", "web1", "pass"),
        ("CC201", "tomcat01", "fail"),
        ("CC201", "tomcat03", "fail"),  # jvmRoute left as copied
        ("CC202", "web1", "fail"),  # worker tomcat03's route is not tomcat03's jvmRoute
        ("CC103", "tomcat01", "fail"),  # Tomcat 6: AJP on all addresses, no secret
        ("CC302", None, "warn"),  # 6.0.29 and 6.0.35
        ("CC701", "tomcat01", "skip"),  # <cluster> in lower case: no cluster at all
        ("CC701", "tomcat03", "fail"),  # shop.war without <distributable/>
        ("CC101", "web1", "pass"),
    }
    assert expected <= found, sorted(found - expected)


def test_json_report_contract(capsys: pytest.CaptureFixture[str]) -> None:
    _code, report = run_json(capsys, str(EXAMPLE))
    assert report["schema_version"] == 5
    assert report["cluster"] == "seed-howto"
    assert set(report) >= {
        "cluster",
        "verdict",
        "fail_on",
        "exit_code",
        "scope",
        "started_at",
        "duration_s",
        "summary",
        "nodes",
        "views",
        "results",
        "upgrade",
    }
    assert report["upgrade"] is None  # no --target-*
    assert (report["verdict"], report["fail_on"], report["exit_code"]) == ("fail", "fail", 1)
    assert report["scope"]["whole"] and report["scope"]["left_out"] == []
    assert set(report["summary"]) == {"pass", "warn", "fail", "error", "skip"}
    node = next(n for n in report["nodes"] if n["name"] == "tomcat03")
    assert node["tomcat_version"] == "6.0.35" and node["reachable"] is True
    result = next(r for r in report["results"] if r["status"] == "fail")
    assert set(result) >= {
        "code",
        "name",
        "status",
        "node",
        "message",
        "file",
        "line",
        "rationale",
        "remediation",
        "details",
    }
    assert result["rationale"] and result["remediation"]
    ranks = ["error", "fail", "warn", "pass", "skip"]
    order = [ranks.index(r["status"]) for r in report["results"]]
    assert order == sorted(order), "results are worst first"


def test_fail_on_and_selection(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(EXAMPLE), "--checks", "CC702", "-q"]) == 0
    assert main(["run", str(EXAMPLE), "--checks", "CC302", "-q"]) == 0
    assert main(["run", str(EXAMPLE), "--checks", "CC302", "--fail-on", "warn", "-q"]) == 1
    capsys.readouterr()
    _code, report = run_json(capsys, str(EXAMPLE), "--limit", "tomcat02,web1", "--skip", "CC201")
    assert {n["name"] for n in report["nodes"]} == {"tomcat02", "web1"}
    assert "CC201" not in {r["code"] for r in report["results"]}
    assert main(["run", str(EXAMPLE), "--checks", "CC999"]) == 2
    assert main(["run", str(EXAMPLE), "--limit", "nobody"]) == 2


def test_limit_says_what_it_left_out_in_every_finding_it_changes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--limit tomcat01 on the example: no cluster-wide pass reads as the cluster's, and the
    checks that need the apache node say it was left out, not that nothing matched."""
    code, report = run_json(capsys, str(EXAMPLE), "--limit", "tomcat01")
    assert (report["verdict"], report["exit_code"], code) == ("fail", 1, 1)
    scope = report["scope"]
    assert (scope["whole"], scope["nodes"], scope["limit"]) == (False, ["tomcat01"], ["tomcat01"])
    assert scope["left_out"] == ["web1", "tomcat02", "tomcat03"]
    cluster_wide = {r["code"]: r for r in report["results"] if r["node"] is None}
    parity = cluster_wide["CC302"]
    assert parity["status"] == "pass" and parity["message"] == (
        "every node runs Tomcat 6.0.29 (not judged: tomcat02, tomcat03 left out by --limit)"
    )
    assert parity["details"]["left_out"] == ["tomcat02", "tomcat03"]
    for seam in ("CC101", "CC105", "CC106", "CC107", "CC108", "CC202", "CC203", "CC804"):
        assert (cluster_wide[seam]["status"], cluster_wide[seam]["message"]) == (
            "skip",
            "no node with role apache in scope: --limit left out web1",
        ), seam
    assert not any("(see CC101)" in r["message"] for r in report["results"])
    main(["run", str(EXAMPLE), "--limit", "tomcat01", "--nagios"])
    assert (
        "; scope: --limit tomcat01: 1 of 4 nodes (left out: web1, tomcat02, tomcat03)"
        in (capsys.readouterr().out.splitlines()[0])
    )


def test_nothing_judged_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    # CC701 on a node without a Cluster is skipped: a run of only skips is not a pass
    assert main(["run", str(EXAMPLE), "--checks", "CC701", "--limit", "tomcat01"]) == 2
    assert "nothing was judged" in capsys.readouterr().err


def test_terminal_report_shows_grid_findings_and_fix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(EXAMPLE)]) == 1
    out = capsys.readouterr().out
    assert "checks by node" in out and "CC201 jvmroute-unique" in out
    assert "is also used by tomcat03" in out and "fix" in out and "why" in out
    assert "seed-howto: ERROR" in out or "seed-howto: FAIL" in out


def test_unreachable_files_node_is_an_error_and_the_rest_is_still_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = three_tomcats(tmp_path)
    text = inventory.read_text().replace("root: tomcat02", "root: missing-dir")
    inventory.write_text(text)
    code, report = run_json(capsys, str(inventory))
    assert code == 1
    found = statuses(report)
    assert ("CC001", "tomcat02", "error") in found
    assert ("CC701", "tomcat02", "skip") in found and ("CC701", "tomcat01", "pass") in found
    cc201 = [r for r in report["results"] if r["code"] == "CC201"]
    assert {r["node"] for r in cc201} == {"tomcat01", "tomcat03"}


def test_collect_then_run_the_snapshot_offline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = three_tomcats(
        tmp_path / "cluster", workers=HEALTHY_WORKERS + "worker.tomcat03.secret=other-secret\n"
    )
    snapshot = tmp_path / "snap"
    assert main(["collect", str(inventory), "-o", str(snapshot)]) == 0
    capsys.readouterr()
    _code, direct = run_json(capsys, str(inventory))
    _code, offline = run_json(capsys, str(snapshot))
    assert statuses(offline) == statuses(direct)
    assert (direct["scope"]["snapshot"], offline["scope"]["snapshot"]) == (None, str(snapshot))
    # files transport: judged from files only, and so is a snapshot of them
    assert offline["scope"]["offline"] == direct["scope"]["offline"] == direct["scope"]["nodes"]
    written = b"".join(p.read_bytes() for p in snapshot.rglob("*") if p.is_file())
    assert b"s3cret" not in written and b"other-secret" not in written
    workers = next(snapshot.rglob("workers.properties")).read_text()
    assert "cc-hmac-" in workers
    assert main(["collect", str(inventory), "-o", str(snapshot)]) == 2  # never overwrites


def test_help_starts_without_scapy_or_paramiko() -> None:
    code = (
        "import sys; from clustercheck.cli.main import main\n"
        "try: main(['--help'])\nexcept SystemExit: pass\n"
        "print('scapy' in sys.modules, 'paramiko' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().endswith("False False")


def test_checks_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checks"]) == 0
    assert "CC201  jvmroute-unique" in capsys.readouterr().out
    assert main(["explain", "jvmroute-unique"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("CC201 jvmroute-unique") and "How to fix" in text
    assert main(["explain", "CC999"]) == 2


def test_a_family_is_listed_with_its_members_under_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checks"]) == 0
    lines = capsys.readouterr().out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("CC603 "))
    assert lines[start].split()[:3] == ["CC603", "jk-config", "family"]
    members = [line.split()[:3] for line in lines[start + 1 : start + 8]]
    assert [code for code, _name, _scope in members] == [f"CC603{n}" for n in range(1, 8)]
    assert all(line.startswith("  CC603") for line in lines[start + 1 : start + 8])
    assert lines[start + 8].startswith("CC604 ")
    assert main(["checks", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {c["code"]: c["family"] for c in listed}["CC6034"] == "CC603"


def test_explain_a_family_a_member_or_a_prefix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "CC603"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("CC603 jk-config: ") and "CC607 proxy-config" in text
    assert [line[:6] for line in text.splitlines() if line.startswith("CC603")] == [
        "CC603 ",
        *[f"CC603{n}" for n in range(1, 8)],
    ]
    assert main(["explain", "CC6035"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("CC6035 jk-deprecated: ") and "family: CC603 jk-config" in text
    assert "CC603 jk-config: " not in text
    assert main(["explain", "CC60"]) == 0
    assert "CC601 server-xml-elements" in capsys.readouterr().out
    assert main(["explain", "CC6O3"]) == 2
    assert "did you mean CC603 jk-config?" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("key", "line"),
    [
        ("CC1O1", "no check named 'CC1O1' (did you mean CC101 ajp-port-match?)"),
        ("ajp-prot-match", "no check named 'ajp-prot-match' (did you mean CC101 ajp-port-match?)"),
        ("proxy-confg", "no check named 'proxy-confg' (did you mean CC607 proxy-config?)"),
        (
            "CC999",
            "no check named 'CC999' and no code starts with CC999 (see `clustercheck checks`)",
        ),
    ],
)
def test_explain_a_mistyped_key_names_the_nearest_check_by_code_and_name(
    capsys: pytest.CaptureFixture[str], key: str, line: str
) -> None:
    assert main(["explain", key]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"clustercheck: {line}\n" and captured.out == ""


def test_the_family_code_selects_every_member(capsys: pytest.CaptureFixture[str]) -> None:
    """The seed's deprecated directive and commented-out default: CC603 before the split."""
    _code, report = run_json(capsys, str(EXAMPLE), "--checks", "CC603")
    found = {(r["code"], r["status"]) for r in report["results"] if r["status"] != "pass"}
    assert found == {("CC6034", "warn"), ("CC6035", "warn")}
    assert {r["code"] for r in report["results"]} == {f"CC603{n}" for n in range(1, 8)}
    _code, report = run_json(capsys, str(EXAMPLE), "--skip", "jk-config,CC1")
    assert not [r for r in report["results"] if r["code"].startswith(("CC603", "CC1"))]


def test_a_waiver_for_the_family_code_still_waives_what_it_did(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A waiver file written before the split (code CC603) waives every member's findings."""
    inventory = tmp_path / "inventory.yaml"
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "root: hosts/", f"root: {EXAMPLE.parent}/hosts/"
    )
    waivers = "waivers:\n  - {code: CC603, node: web1, reason: the how-to's file}\n"
    inventory.write_text(text + waivers, encoding="utf-8")
    code, report = run_json(capsys, str(inventory), "--checks", "CC603", "--fail-on", "warn")
    assert code == 0
    findings = [r for r in report["results"] if r["status"] != "pass"]
    assert findings and all(r["waived"] == "the how-to's file" for r in findings)
    assert main(["run", str(inventory), "--checks", "CC603", "-q"]) == 0
    assert "waiver" not in capsys.readouterr().err


def test_any_installed_format_by_name_with_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    metrics = tmp_path / "cc.prom"
    code = main(["run", str(EXAMPLE), "--output", "json=-", "--output", f"prometheus={metrics}"])
    assert code == 1
    assert json.loads(capsys.readouterr().out)["cluster"] == "seed-howto"
    assert "clustercheck_check_status" in metrics.read_text()
    assert main(["formats"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == ["html", "json", "junit", "nagios", "prometheus", "summary", "terminal"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--output", "yaml=out"], "no output format named 'yaml'"),
        (["--output", "json"], "expected FORMAT=FILE"),
        (["--output", "html=-"], "the html report needs a file name"),
        (["--json", "-", "--junit", "-"], "only one report can go to standard output"),
    ],
)
def test_outputs_are_checked_before_anything_is_gathered(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert main(["run", str(EXAMPLE), *argv]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("clustercheck: ") and message in captured.err
    assert captured.err.count("\n") == 1 and captured.out == ""


def test_a_reader_that_goes_away_stops_clustercheck_quietly() -> None:
    """`clustercheck explain CC603 | head -1`: the pipe closes under a long text; clustercheck
    stops as a Unix tool on SIGPIPE does, with no error line."""
    reader = subprocess.Popen(["true"], stdin=subprocess.PIPE)
    assert reader.stdin is not None
    reader.wait()  # gone before clustercheck writes: its first write meets a closed pipe
    code = "import sys; from clustercheck.cli.main import main; sys.exit(main(['explain', 'CC6']))"
    done = subprocess.run(
        [sys.executable, "-c", code], stdout=reader.stdin, stderr=subprocess.PIPE, check=False
    )
    reader.stdin.close()
    assert (done.returncode, done.stderr) == (141, b"")
