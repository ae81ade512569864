"""What breaks if the lab's cluster is upgraded: `clustercheck run --target-*` against the real
lab, healthy and with the faults that Tomcat 10.1 takes but a later release does not.

The real software is the judge of today: with each fault on, the lab still serves and
replicates (asserted here), and clustercheck's today-findings are test_clustercheck_e2e.py's.
What an upgrade would break is judged from the changelog table (notes/field.md §4), for the
lab's configuration: Debian's Tomcat 10.1.60 on OpenJDK 17, httpd with mod_jk 1.2.48 (web1) and
mod_proxy_ajp (web2), AJP connectors with `secret=` on the nodes' addresses, no APR, no
`jvmRoute` property, a `regex` ReplicationValve filter, no EncryptInterceptor unless a fault
adds one.

- Tomcat 11.0 (11.0.29) removed the `requiredSecret` alias (commit b73b3410d8 "Remove
  deprecated code", AbstractAjpProtocol.setRequiredSecret gone at tag 11.0.0) and needs Java
  17 (the lab's). Healthy, nothing breaks; under ajp-required-secret tomcat02's connector has
  no secret it reads, so secretRequired refuses it at start-up.
- 10.1.62 changes nothing the lab uses.
- The EncryptInterceptor's two wire breaks, replay protection (10.1.56 / 11.0.23) and the
  default algorithm AES/GCM/NoPadding (10.1.58 / 11.0.25; changelog sections "Tomcat 10.1.58"
  and "Tomcat 11.0.25"), are both in 10.1.60 and in 11.0.29 (EncryptInterceptor.java is the
  same at tags 10.1.59 and 11.0.25 but for an @Serial): a rolling upgrade from 10.1.60 to 11.0
  crosses neither. It crosses them when the target is an 11.0 release older than the breaks
  the 10.1 line already has: 11.0.24 (the default algorithm) or 11.0.22 (both). Those are
  CC303 failures while the cluster is half upgraded (`during`), and nothing once every node is
  on the target (`after`).
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from lab import SECRET, Lab
from labprobe import cping, http_get
from test_clustercheck_e2e import EXPECTED, Key, explain, findings
from test_lab import WEB1, WEB2, replicated

from clustercheck.cli.main import main
from clustercheck.knowledge.releases import MODJK, TOMCAT

pytestmark = pytest.mark.lab

Gone = tuple[str, "str | None", str]  # (check, node, status) of the JSON's `gone` items
TOMCAT_11 = TOMCAT.target("11.0")
TOMCATS = ("tomcat01", "tomcat02", "tomcat03")


@dataclass(frozen=True)
class Case:
    """One run with an upgrade target: the upgrade section it must have (as sets of (code,
    node, status)), what its messages must say, and the exit code."""

    args: tuple[str, ...]
    after: set[Key] = field(default_factory=set)
    during: set[Key] = field(default_factory=set)
    gone: set[Gone] = field(default_factory=set)
    says: tuple[str, ...] = ()  # each in the message of some upgrade finding
    moves: set[tuple[str, str, str]] | None = None  # (node, product, to) of those that move
    rolling_node: str | None = None
    code: int = 0


def _to(version: str) -> set[tuple[str, str, str]]:
    return {(node, "Tomcat", version) for node in TOMCATS}


# What the encrypt faults' half-upgraded cluster breaks with an 11.0 target older than the
# EncryptInterceptor's breaks (the node upgraded first is tomcat01, the first in name order).
DEFAULT_ALGORITHM = "the EncryptInterceptor's default algorithm (from 9.0.121 / 10.1.58 / 11.0.25)"
REPLAY = "the EncryptInterceptor's replay protection (from 9.0.119 / 10.1.56 / 11.0.23)"
ENCRYPT_ROLLING = {
    "--target-tomcat 11.0": Case(("--target-tomcat", "11.0"), moves=_to(TOMCAT_11)),
    "--target-tomcat 11.0.24": Case(
        ("--target-tomcat", "11.0.24"),
        during={("CC303", None, "fail")},
        says=(DEFAULT_ALGORITHM, "tomcat01 on 11.0.24 before it"),
        moves=_to("11.0.24"),
        rolling_node="tomcat01",
        code=1,
    ),
}

REQUIRED_SECRET_11 = Case(
    ("--target-tomcat", "11.0"),
    after={
        ("CC103", "tomcat02", "fail"),  # the connector does not start (and nothing else)
        ("CC602", "tomcat02", "fail"),  # requiredSecret is not read by 11.0
    },
    says=(
        "does not start: secretRequired is true by default",
        f"requiredSecret on <Connector> is not read by Tomcat {TOMCAT_11}",
    ),
    moves=_to(TOMCAT_11),
    code=1,
)

# fault (None: the healthy lab) -> its runs with a target
UPGRADES: dict[str | None, list[Case]] = {
    None: [
        Case(("--target-tomcat", "11.0"), moves=_to(TOMCAT_11)),
        Case(("--target-tomcat", "10.1"), moves=_to(TOMCAT.target("10.1"))),
        # httpd does not move: the lab's 2.4.71 is the newest 2.4 release clustercheck knows
        Case(
            ("--target-httpd", "2.4", "--target-modjk", "1.2"),
            moves={("web1", "mod_jk", MODJK.target("1.2"))},
        ),
    ],
    "ajp-required-secret": [
        REQUIRED_SECRET_11,
        # today passes and the upgrade fails (exit 1): --fail-on error lets it through
        replace(REQUIRED_SECRET_11, args=(*REQUIRED_SECRET_11.args, "--fail-on", "error"), code=0),
        Case(("--target-tomcat", "10.1"), moves=_to(TOMCAT.target("10.1"))),
    ],
    "encrypt-all": [
        *ENCRYPT_ROLLING.values(),
        Case(
            ("--target-tomcat", "11.0.22"),
            during={("CC303", None, "fail")},  # two of them, one per break
            says=(REPLAY, DEFAULT_ALGORITHM, "tomcat02, tomcat03 on 10.1.60 from it"),
            moves=_to("11.0.22"),
            rolling_node="tomcat01",
            code=1,
        ),
    ],
    # tomcat03 has no EncryptInterceptor: only tomcat01 and tomcat02 are on either side
    "encrypt-two-nodes": [
        replace(ENCRYPT_ROLLING["--target-tomcat 11.0"], code=1),  # today's findings fail
        Case(
            ("--target-tomcat", "11.0.24"),
            during={("CC303", None, "fail")},
            says=(DEFAULT_ALGORITHM, "tomcat01 on 11.0.24 before it, tomcat02 on 10.1.60"),
            moves=_to("11.0.24"),
            rolling_node="tomcat01",
            code=1,
        ),
    ],
}


def run(lab: Lab, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    """One clustercheck run with a JSON report on stdout: its exit code and report."""
    capsys.readouterr()
    code = main(["run", str(lab.inventory), "--json", "-", "-q", *args])
    return code, json.loads(capsys.readouterr().out)


def keys(results: list[dict]) -> set[Key]:
    return {(r["code"], r["node"], r["status"]) for r in results}


def upgrade_lines(upgrade: dict) -> list[str]:
    return [
        f"{part} {r['code']} {r['node']} {r['status']}: {r['message']}"
        for part in ("after", "during")
        for r in upgrade[part]
    ]


def mismatches(case: Case, code: int, report: dict) -> list[str]:
    """What in the run differs from the case (empty when it is right)."""
    upgrade = report["upgrade"]
    wrong: list[str] = []
    if code != case.code:
        wrong.append(f"exit code {code}, expected {case.code}")
    gone = {(g["code"], g["node"], g["status"]) for g in upgrade["gone"]}
    compared: list[tuple[str, set[Any], set[Any]]] = [
        ("after", keys(upgrade["after"]), case.after),
        ("during", keys(upgrade["during"]), case.during),
        ("gone", gone, case.gone),
    ]
    for part, seen, expected in compared:
        if seen != expected:
            wrong.append(f"{part}: {sorted(seen, key=str)} != {sorted(expected, key=str)}")
    lines = upgrade_lines(upgrade)
    wrong += [f"no upgrade finding says {s!r}" for s in case.says if not any(s in x for x in lines)]
    moved = {(m["node"], m["product"], m["to"]) for m in upgrade["moves"] if m["to"]}
    if case.moves is not None and moved != case.moves:
        wrong.append(f"moves {sorted(moved)} != {sorted(case.moves)}")
    if upgrade["rolling_node"] != case.rolling_node:
        wrong.append(f"rolling_node {upgrade['rolling_node']!r} != {case.rolling_node!r}")
    return wrong


def the_lab_still_works(lab: Lab, fault: str | None) -> None:
    """Today's judge is the real Tomcat 10.1: with the fault on, the lab still serves through
    both front ends and replicates."""
    if fault == "ajp-required-secret":
        # tomcat02 reads its secret from requiredSecret=: it answers CPing, and both front ends,
        # which send the secret, reach it (a connector without one would not have started)
        assert cping(lab.ip(2), 8009) == "cpong"
        for web in (WEB1, WEB2):
            answer = http_get(lab.ip(web), 80, session="0.tomcat02")
            assert (answer.status, answer.field("node")) == (200, "tomcat02"), web
        server_xml = (lab.catalina_base(2) / "conf" / "server.xml").read_text()
        assert f'requiredSecret="{SECRET}"' in server_xml
    if fault == "encrypt-all":
        assert replicated(lab, 1, 2) and replicated(lab, 3, 1) and replicated(lab, 2, 3)


@pytest.mark.parametrize("fault", list(UPGRADES), ids=[f or "healthy" for f in UPGRADES])
def test_the_upgrade_section_says_what_breaks_and_nothing_else(
    lab: Lab, capsys: pytest.CaptureFixture[str], fault: str | None
) -> None:
    wrong: dict[str, list[str]] = {}
    with lab.fault(fault) if fault else nullcontext(lab):
        the_lab_still_works(lab, fault)
        for case in UPGRADES[fault]:
            code, report = run(lab, capsys, *case.args)
            today = EXPECTED[fault] if fault else set()
            assert findings(report) == today, explain(report)  # a target changes no verdict
            if problems := mismatches(case, code, report):
                wrong[" ".join(case.args)] = problems + upgrade_lines(report["upgrade"])
    assert not wrong, json.dumps(wrong, indent=1)


def test_a_target_clustercheck_has_no_knowledge_of_is_a_usage_error(
    lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    code = main(["run", str(lab.inventory), "-q", "--target-tomcat", "12.0"])
    err = capsys.readouterr().err
    assert code == 2
    assert "--target-tomcat 12.0: clustercheck knows Tomcat 7.0, 8.5, 9.0, 10.1, 11.0" in err


def test_a_connector_the_upgrade_refuses_is_not_also_said_to_be_open(
    lab: Lab, capsys: pytest.CaptureFixture[str]
) -> None:
    with lab.fault("ajp-required-secret"):
        _, report = run(lab, capsys, "--target-tomcat", "11.0")
    lines = upgrade_lines(report["upgrade"])
    assert any("this connector does not start" in line for line in lines), lines
    assert not any("anyone there can use it" in line for line in lines), lines
