"""One fault, one casualty: a check that raises is that check's `error`, a format that raises is
that output's one-line error, and an exception nobody expected while gathering one node is that
node's error. Faults come through the plugin groups (faultplugin.py, a real distribution on the
path) or the gatherer's transport factory, not by patching clustercheck's internals."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

import pytest
from clusterfiles import three_tomcats
from support import REPO

from clustercheck.cli.main import main
from clustercheck.collect.gather import gather
from clustercheck.collect.transports.base import CommandResult
from clustercheck.collect.transports.localfs import FilesTransport
from clustercheck.derive.derived import Derived
from clustercheck.derive.membership import MembershipView
from clustercheck.engine.registry import load_checks, select
from clustercheck.engine.results import Status
from clustercheck.engine.runner import run_checks
from clustercheck.facts.probes import Outcome
from clustercheck.inventory.loader import load_inventory
from clustercheck.inventory.settings import NodeSettings
from clustercheck.report.model import build_report

EXAMPLE = REPO / "examples" / "seed-cluster" / "inventory.yaml"
BUG = "(a bug in clustercheck; please report it)"


def test_a_plugin_check_that_raises_or_gives_no_finding_is_its_error_and_the_run_goes_on(
    faults: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", str(EXAMPLE), "-q", "--checks", "CC001,CC991,CC992", "--json", "-"])
    assert code == 1  # error is above fail
    results = json.loads(capsys.readouterr().out)["results"]
    tomcats = {"tomcat01", "tomcat02", "tomcat03"}
    by_check = {
        code: {(r["node"], r["status"], r["message"]) for r in results if r["code"] == code}
        for code in ("CC001", "CC991", "CC992")
    }
    assert by_check["CC991"] == {
        (n, "error", "check crashed: KeyError: 'a key the check expected'") for n in tomcats
    }
    assert by_check["CC992"] == {
        (n, "error", "check crashed: TypeError: it gave 'fail', not a Finding") for n in tomcats
    }
    assert {status for _node, status, _message in by_check["CC001"]} == {"pass"}


def test_a_format_that_raises_loses_its_output_only(
    faults: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.out"
    code = main(
        ["run", str(EXAMPLE), "-q", "--output", f"raising={broken}",
         "--json", str(tmp_path / "r.json"), "--junit", str(tmp_path / "j.xml")]
    )  # fmt: skip
    assert code == 2  # README: a report could not be written
    captured = capsys.readouterr()
    assert re.fullmatch(  # the bug's place, not its message: that may quote a node's data
        f"clustercheck: the raising report {re.escape(str(broken))} not written: internal "
        r"error: RuntimeError at cc_faults:\d+ \(set CLUSTERCHECK_DEBUG=1 for the traceback, "
        r"and please report it\)\n",
        captured.err,
    )
    assert captured.out.startswith("seed-howto: ERROR")  # the plugin's checks are errors
    assert "(exit 2)" in captured.out.replace("\n", "")  # the terminal says the exit code
    assert json.loads((tmp_path / "r.json").read_text())["cluster"] == "seed-howto"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["j.xml", "r.json"]  # nothing half


class Faulty(FilesTransport):
    """A node's files as the files transport reads them, with one fault nobody expected: a
    read of `breaks_on`, or (live, so phase 2 probes from it) the AJP probe command."""

    def __init__(self, root: str, breaks_on: str | None = None, live: bool = False) -> None:
        super().__init__(root)
        self.breaks_on = breaks_on
        self.live = live

    def read_file(self, path: str, max_bytes: int = 4 * 1024 * 1024) -> bytes:
        if path == self.breaks_on:
            raise RuntimeError(f"a bug met reading {path}")
        return super().read_file(path, max_bytes)

    def run(
        self, argv: Sequence[str], timeout: float | None = None, stdin: bytes | None = None
    ) -> CommandResult:
        if "cping" in argv:
            raise RuntimeError("a bug met probing")
        return CommandResult(tuple(argv), 127, b"", b"not here")  # phase 1 finds no command


def faulty_factory(tmp_path: Path, **faults: dict[str, object]):  # type: ignore[no-untyped-def]
    def factory(node: NodeSettings) -> Faulty:
        return Faulty(node.root or "", **faults.get(node.name, {}))  # type: ignore[arg-type]

    return factory


def test_an_unexpected_exception_gathering_one_node_is_that_node_s_error(tmp_path: Path) -> None:
    settings = load_inventory(three_tomcats(tmp_path))
    factory = faulty_factory(tmp_path, tomcat02={"breaks_on": "/opt/tomcat/conf/server.xml"})
    facts = gather(settings, factory=factory, multicast=False)
    results = run_checks(select(load_checks(), ["CC001", "CC701"]), facts)
    outcome = {(r.code, r.node): (r.status, r.message) for r in results}
    status, message = outcome[("CC001", "tomcat02")]
    assert status is Status.ERROR  # where, not what: the message may quote the node's file
    assert re.fullmatch(
        rf"gathering failed: RuntimeError at test_isolation:\d+ {re.escape(BUG)}", message
    )
    assert outcome[("CC001", "tomcat01")][0] is Status.PASS
    assert outcome[("CC701", "tomcat02")] == (Status.SKIP, "node unreachable")
    assert outcome[("CC701", "tomcat01")][0] is Status.PASS


def test_an_unexpected_exception_probing_from_one_node_is_that_node_s_probe_errors(
    tmp_path: Path,
) -> None:
    settings = load_inventory(three_tomcats(tmp_path))
    facts = gather(settings, factory=faulty_factory(tmp_path, web1={"live": True}), multicast=False)
    probes = facts.nodes["web1"].live.ajp_probes
    assert probes is not None and len(probes) == 3
    assert {(p.result, p.origin) for p in probes} == {(Outcome.ERROR, "web1")}
    probe_bug = rf"probe failed: RuntimeError at test_isolation:\d+ {re.escape(BUG)}"
    assert all(re.fullmatch(probe_bug, p.detail or "") for p in probes)
    assert all(n.reachable for n in facts.nodes.values())


class CrashingMembership(Derived):
    """A derivation with a bug, as hostile heartbeats could find one: checks and views share it."""

    @property
    def membership(self) -> MembershipView | None:
        raise RuntimeError("a bug met deriving membership")


def test_a_derivation_that_raises_leaves_its_view_out_and_the_report_whole() -> None:
    """The views are built before any output: a crash there once cost every report."""
    facts = gather(load_inventory(EXAMPLE))
    derived = CrashingMembership(facts)
    results = run_checks(select(load_checks(), ["CC302"]), facts, derived)
    report = build_report(facts, [], results, derived)
    assert report.views.multicast is None
    assert [v.node for v in report.views.versions] == ["tomcat01", "tomcat02", "tomcat03"]
    assert "multicast" not in json.loads(json.dumps(report.as_dict()))["views"]


def test_an_unexpected_exception_quoting_node_data_is_told_by_type_and_place(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The catch-all's line names the bug, not its message (a parser's may quote a line with a
    secret in it); CLUSTERCHECK_DEBUG=1 gives the traceback."""
    from clustercheck.cli import main as cli

    def load(target: str) -> None:
        raise ValueError("line 3: worker.secret=hunter2")

    monkeypatch.setattr(cli, "_load_target", load)
    assert main(["run", str(EXAMPLE), "-q"]) == 2
    err = capsys.readouterr().err
    assert "hunter2" not in err
    assert re.fullmatch(
        r"clustercheck: internal error: ValueError at test_isolation:\d+ \(set "
        r"CLUSTERCHECK_DEBUG=1 for the traceback, and please report it\)\n",
        err,
    )
    monkeypatch.setenv("CLUSTERCHECK_DEBUG", "1")
    with pytest.raises(ValueError, match="hunter2"):
        main(["run", str(EXAMPLE), "-q"])
