"""A new operator's typos, made on the bundled example: each is one line naming where it is and
the nearest right word, printed once, exit 2, and nothing gathered or written."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import REPO

from clustercheck.cli.main import main
from clustercheck.report import history

EXAMPLE = REPO / "examples" / "seed-cluster" / "inventory.yaml"
# the example's line numbers that the expected messages name
WEB1_ROLES, TOMCAT02, TOMCAT03 = 16, 23, 27


def example(tmp_path: Path, old: str = "", new: str = "", tail: str = "") -> Path:
    """The example's inventory in tmp_path with one edit (its hosts/ still the example's)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new, 1).replace("root: hosts/", f"root: {EXAMPLE.parent}/hosts/")
    path = tmp_path / "inventory.yaml"
    path.write_text(text + tail, encoding="utf-8")
    return path


WAIVERS = "waivers:\n  - {code: CC201, node: tomcat03, reason: copied}\n"
WAIVER = 34  # its line, after the example's

# (id, (text of the example, its replacement), what is added at its end, the arguments after
#  `run INVENTORY`, the one line printed: {inventory} is its path)
MISTAKES = [
    ("unknown role", ("roles: [apache]", "roles: [tomcat, apahce]"), "", [],
     f"{{inventory}}:{WEB1_ROLES}: nodes.web1.roles: unknown role 'apahce'"
     " (did you mean 'apache'?)"),
    ("a node name twice", ("  tomcat03:\n", "  tomcat02:\n"), "", [],
     f"{{inventory}}:{TOMCAT03}: nodes: duplicate key 'tomcat02' (first on line {TOMCAT02})"),
    ("one Tomcat under two names",
     ("hosts/windows\n    os: windows\n    tomcat: {catalina_base: 'C:/tomcat'}\n",
      "hosts/asianux\n"),
     "", [],
     f"{{inventory}}:{TOMCAT03}: nodes.tomcat03: the same Tomcat as nodes.tomcat02 (catalina_base "
     f"/root/tomcat in the files under {EXAMPLE.parent}/hosts/asianux): list it once"),
    ("a key mistyped in defaults",
     ("  transport: files\n", "  transport: files\n  ssh: {portt: 22}\n"),
     "", [], "{inventory}:12: defaults.ssh.portt: unknown key (did you mean 'port'?)"),
    ("a value wrong in defaults", ("  transport: files\n", "  transport: files\n  os: windoze\n"),
     "", [], "{inventory}:12: defaults.os: must be one of linux, windows (got 'windoze')"),
    ("bad YAML", ("roles: [apache]", "roles: [apache"), "", [],
     "{inventory}:17: expected ',' or ']', but got ':'"),
    ("a waiver for a check mistyped", ("", ""), WAIVERS.replace("CC201", "CC2O1"), [],
     f"{{inventory}}:{WAIVER}: waivers[0].code: no check named 'CC2O1' "
     "(did you mean CC201 jvmroute-unique?)"),
    ("a waiver for a node mistyped", ("", ""), WAIVERS.replace("tomcat03", "tomact03"), [],
     f"{{inventory}}:{WAIVER}: waivers[0].node: no node named 'tomact03' in the inventory "
     "(did you mean 'tomcat03'?)"),
    ("--limit mistyped", ("", ""), "", ["--limit", "tomact02"],
     "--limit: tomact02 is neither a node nor a role (did you mean tomcat02?)"),
    ("--checks mistyped", ("", ""), "", ["--checks", "jvmroute-uniq"],
     "no check named 'jvmroute-uniq' (did you mean CC201 jvmroute-unique?)"),
    ("an unknown format", ("", ""), "", ["--output", "yaml=x.yaml"],
     "no output format named 'yaml' "
     "(known: html, json, junit, nagios, prometheus, summary, terminal)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("edit", "tail", "args", "line"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES]
)
def test_a_mistake_is_one_line_printed_once_and_nothing_is_written(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    edit: tuple[str, str],
    tail: str,
    args: list[str],
    line: str,
) -> None:
    inventory = example(tmp_path, *edit, tail=tail)
    report = tmp_path / "report.json"
    assert main(["run", str(inventory), "--json", str(report), *args]) == 2
    captured = capsys.readouterr()
    assert captured.err == f"clustercheck: {line.format(inventory=inventory)}\n"
    assert captured.out == "" and not report.exists()


def test_a_missing_inventory_is_one_line_for_run_and_collect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "inventroy.yaml"
    assert main(["run", str(missing)]) == 2
    assert main(["collect", str(missing), "-o", str(tmp_path / "snap")]) == 2
    assert capsys.readouterr().err == f"clustercheck: {missing}: no such file\n" * 2


def test_a_waiver_of_a_node_left_out_by_limit_is_left_out_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not "matched no warn, fail or error result": its node was not judged."""
    inventory = example(tmp_path, tail=WAIVERS)
    assert main(["run", str(inventory), "--limit", "tomcat01,tomcat02", "-q"]) == 1
    assert "waiver" not in capsys.readouterr().err
    assert main(["run", str(inventory), "-q", "--fail-on", "error"]) == 0
    assert "waiver" not in capsys.readouterr().err  # it waived tomcat03's CC201 failure


def test_history_of_a_file_that_is_not_there_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "histroy.db"
    assert main(["history", str(missing)]) == 2
    assert main(["history", str(missing), "--html", str(tmp_path / "estate.html")]) == 2
    assert capsys.readouterr().err == f"clustercheck: {missing}: no such history file\n" * 2
    assert not missing.exists() and not (tmp_path / "estate.html").exists()


@pytest.mark.parametrize("limit", ["0", "-1"])
def test_history_limit_is_at_least_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], limit: str
) -> None:
    """0 said "no runs recorded" of a history that has some."""
    db = tmp_path / "history.db"
    assert main(["run", str(EXAMPLE), "-q", "--history", str(db)]) == 1
    capsys.readouterr()
    assert main(["history", str(db), "--limit", limit]) == 2
    assert capsys.readouterr().err == "clustercheck: --limit: at least 1\n"


def test_an_empty_history_has_no_runs_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "history.db"
    empty.touch()
    assert main(["history", str(empty)]) == 0
    assert capsys.readouterr().out == f"{empty}: no runs recorded\n"
    assert main(["run", str(EXAMPLE), "-q", "--history", str(empty)]) == 1
    capsys.readouterr()
    assert main(["history", str(empty)]) == 0
    assert [run.cluster for run in history.runs(empty)] == ["seed-howto"]
    assert "seed-howto" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("hosts", "line"),
    [
        (["web1", "web1"], "discover: web1 is web1 again (the same host and port)"),
        (
            ["deploy@WEB1:22", "web1"],
            "discover: web1 is deploy@WEB1:22 again (the same host and port)",
        ),
    ],
)
def test_discover_refuses_a_host_given_twice_before_connecting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], hosts: list[str], line: str
) -> None:
    """Probed twice, it would be written as two nodes of one httpd, which run refuses."""
    out = tmp_path / "inventory.yaml"
    assert main(["discover", *hosts, "-o", str(out)]) == 2
    assert capsys.readouterr().err == f"clustercheck: {line}\n" and not out.exists()
