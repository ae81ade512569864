"""Logs as the software writes them (tests/data/logs, see its README for where each came from):
time stamps, the last start, membership events, masking, JULI's file handlers, the rule table
against real lines, the rule plugins, and reading tails on a node (the local transport)."""

from __future__ import annotations

import re
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from clustercheck.collect import logs as collect_logs
from clustercheck.collect.batch import ask_each
from clustercheck.collect.logs import LogPlan, locations, plan_logs
from clustercheck.collect.reader import NodeReader
from clustercheck.collect.transports.base import DEFAULT_MAX_BYTES
from clustercheck.collect.transports.localfs import LocalTransport
from clustercheck.derive.logs import admitted_members, match_logs
from clustercheck.engine.log_rules import installed_log_rules, load_log_rules
from clustercheck.engine.registry import RegistryError
from clustercheck.facts.files import ApacheFacts
from clustercheck.facts.live import LiveFacts
from clustercheck.facts.logs import LogFacts, LogTail
from clustercheck.facts.runtime import RuntimeFacts, ServerProcess
from clustercheck.inventory.settings import ApacheSettings, NodeSettings, TomcatSettings
from clustercheck.knowledge.log_rules import RULES, LogRule
from clustercheck.knowledge.secrets import Secrets
from clustercheck.parsers.httpd import Directive
from clustercheck.parsers.logs import (
    file_handlers,
    line_time,
    mask_line,
    member_event,
    since_start,
    strip_stamp,
)

DATA = Path(__file__).parent / "data" / "logs"


def lines(name: str) -> list[str]:
    return (DATA / name).read_text(encoding="utf-8").splitlines()


TOMCAT01 = lines("lab-tomcat01.catalina.out")
TOMCAT02 = lines("lab-tomcat02.catalina.out")

# --- time stamps, as each writes them (the lab's nodes run in UTC) --------------------------


@pytest.mark.parametrize(
    ("line", "kind", "offset", "epoch"),
    [
        (TOMCAT01[0], "tomcat", 0, 1796338655.030),
        (lines("lab-web1-healthy.error.log")[0], "httpd", 0, 1796338654.126099),
        (lines("lab-web1-healthy.mod_jk.log")[0], "modjk", 0, 1796338654.118),
        (TOMCAT01[0], "tomcat", 3600, 1796338655.030 - 3600),  # the node's 23:57 is UTC 22:57
        (
            "2026-12-03T22:57:35.030123+0100 n1 java[7]: x",
            "journald",
            None,
            1796338655.030123 - 3600,
        ),
        ("\tat java.base/java.lang.Thread.run(Thread.java:840)", "tomcat", 0, None),
        (TOMCAT01[0], "tomcat", None, None),  # a local time whose offset is unknown
    ],
)
def test_each_kind_of_log_line_has_its_time(
    line: str, kind: str, offset: int | None, epoch: float | None
) -> None:
    found = line_time(line, kind, offset)
    assert found == pytest.approx(epoch) if epoch is not None else found is None


def test_a_quote_is_the_message_without_time_level_thread_and_logger() -> None:
    line = next(x for x in TOMCAT01 if "Unable to serialize delta request" in x)
    assert strip_stamp(line, "tomcat").startswith(
        "Unable to serialize delta request for sessionid ["
    )
    modjk = lines("lab-web1-node-stopped.mod_jk.log")[-1]
    assert strip_stamp(modjk, "modjk").startswith("[30308:")


# --- the last start ---------------------------------------------------------------------------


def start_index(name: str) -> list[int]:
    return [i for i, line in enumerate(TOMCAT01) if name in line]


def test_without_the_process_start_the_last_start_marker_cuts_the_log() -> None:
    index, since, how = since_start(TOMCAT01, "tomcat", None, 0)
    assert index == start_index("Server version name:")[-1]
    assert since == line_time(TOMCAT01[index], "tomcat", 0) and "Server version name" in how


def test_what_tomcat_logs_before_its_marker_while_parsing_server_xml_is_kept() -> None:
    """lowercase-cluster's start: the digester's warnings come before 'Server version name'."""
    digester = start_index("No rules found matching")
    before = max(i for i in start_index("Server startup in") if i < digester[-1])
    end = next(i for i in start_index("Server startup in") if i > digester[-1])
    index, _since, _how = since_start(TOMCAT01[: end + 1], "tomcat", None, 0)
    assert index == min(i for i in digester if i > before)


def test_the_process_start_time_cuts_the_log_when_known() -> None:
    started = line_time(TOMCAT01[start_index("Server version name:")[2]], "tomcat", 0)
    assert started is not None
    index, since, how = since_start(TOMCAT01, "tomcat", started - 0.5, 0)
    assert how == "the process's start" and since == started - 0.5
    assert "Server version name" in TOMCAT01[index] or "No rules" in TOMCAT01[index]
    assert since_start(TOMCAT01, "tomcat", 2e9, 0)[0] == len(TOMCAT01)  # nothing since


# --- membership -------------------------------------------------------------------------------


# tomcat02's log up to tomcat03's crash (kill -9 in the lab): gone without a shutdown message
CRASH = next(
    i
    for i, x in enumerate(TOMCAT02)
    if "Received member disappeared" in x and "{66 65 66 89 " not in x
)
BEFORE_RETURN = TOMCAT02[: CRASH + 1]


def test_membership_events_name_the_member() -> None:
    events = [e for line in BEFORE_RETURN if (e := member_event(line))]
    assert ("10.82.180.11:4000", True) in events and ("10.82.180.11:4000", False) in events
    assert events[-1] == ("10.82.180.13:4000", False)


def test_tomcat_admits_what_its_log_added_and_did_not_drop() -> None:
    tail = LogTail("catalina.out", "tomcat", "CATALINA_OUT", tuple(BEFORE_RETURN))
    assert admitted_members(LogFacts(0, (tail,))) == ["10.82.180.11:4000"]
    again = LogTail("catalina.out", "tomcat", "CATALINA_OUT", tuple(TOMCAT02))
    assert sorted(admitted_members(LogFacts(0, (again,))) or []) == [
        "10.82.180.11:4000",
        "10.82.180.13:4000",
    ]


# --- masking ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        (
            next(x for x in TOMCAT01 if "Unable to serialize delta" in x),
            "for sessionid [***]",
        ),
        ("[info] all workers are in error state for session 4F2A.tomcat01", "for session ***"),
        ("GET /app;jsessionid=4F2A9C.tomcat01?x=1 HTTP/1.1", ";jsessionid=***?x=1"),
        ("Cookie: JSESSIONID=4F2A9C.tomcat01; theme=dark", "JSESSIONID=***; theme=dark"),
        ("Authorization: Basic dXNlcjpwYXNz", "Authorization: Basic ***"),
        (
            "<Connector secret=\"s3cr3t-value\" requiredSecret='x'",
            "secret=\"***\" requiredSecret='***'",
        ),
        ("jdbc password=hunter2, user=app", "password=***, user=app"),
        ("id FBD01755259736E47F7763CF73C7983C.tomcat01 expired", "id ***.tomcat01 expired"),
        ("the worker's secret is labsecret-123 here", "the worker's secret is *** here"),
    ],
)
def test_secrets_and_session_ids_are_masked(line: str, masked: str) -> None:
    out = mask_line(line, Secrets({"labsecret-123"}))
    assert masked in out
    for secret in ("FBD01755259736E47F7763CF73C7983C", "dXNlcjpwYXNz", "hunter2", "s3cr3t"):
        assert secret not in out


# --- JULI's file handlers ---------------------------------------------------------------------


def test_debian_logging_properties_names_catalina_and_localhost_files() -> None:
    text = (DATA / "tomcat10-debian-logging.properties").read_text()
    found = file_handlers(text, {"catalina.base": "/var/lib/tomcat10"})
    assert [(h.directory, h.prefix, h.suffix) for h in found] == [
        ("/var/lib/tomcat10/logs", "catalina.", ".log"),
        ("/var/lib/tomcat10/logs", "localhost.", ".log"),
    ]
    assert found[0].matches("catalina.2026-12-03.log")
    assert not found[0].matches("catalina.out") and not found[0].matches("localhost.2026-12-03.log")


# --- the rule table against real lines --------------------------------------------------------


def template_lines() -> list[tuple[str, str]]:
    """(kind, line) for every message template the real software has: Tomcat's LocalStrings with
    its arguments filled, mod_jk's and httpd's format strings with theirs."""
    out = []
    for line in lines("tomcat10-localstrings.properties"):
        if line and not line.startswith("#"):
            text = re.sub(r"\{\d\}", "1", line.split("=", 1)[1]).replace("''", "'")
            out.append(("tomcat", f"03-Dec-2026 23:01:21.397 SEVERE [main] a.B.c {text}"))
    for line in lines("httpd-modjk-formats.txt"):
        if line and not line.startswith("#"):
            module, _, text = line.partition(": ")
            text = re.sub(r"%(?:l?[dus]|pI|hu)", "1", text)
            kind = "modjk" if module == "mod_jk" else "httpd"
            out.append((kind, f"[Thu Dec 03 23:02:05.398 2026] [1:2] [error] {text}"))
    return out


REAL_LINES = [
    *(("tomcat", line) for line in TOMCAT01 + TOMCAT02),
    *(("tomcat", line) for line in lines("lab-tomcat03-encrypt-two-nodes.catalina.out")),
    *(("tomcat", line) for line in lines("lab-tomcat01-encrypt-wrong-key.catalina.out")),
    *(("modjk", line) for line in lines("lab-web1-node-stopped.mod_jk.log")),
    *(("httpd", line) for line in lines("lab-web2-node-stopped.error.log")),
    *template_lines(),
]
# Rules whose text no software on this machine prints: the JDK's InvalidClassException (a
# class changed between nodes) and Tomcat 5.5/6's thread pool message (field.md #5)
NO_LOCAL_SAMPLE = {"session-class-mismatch", "threads-busy"}


@pytest.mark.parametrize(
    "rule", [r for r in RULES if r.id not in NO_LOCAL_SAMPLE], ids=lambda r: r.id
)
def test_every_rule_matches_a_line_the_real_software_prints(rule: LogRule) -> None:
    assert any(k in rule.kinds and rule.pattern.search(line) for k, line in REAL_LINES)


def test_a_healthy_labs_logs_match_no_rule() -> None:
    first_run = TOMCAT01[: start_index("Server version name:")[1]]
    tails = (
        LogTail("catalina.out", "tomcat", "x", tuple(first_run)),
        LogTail("error.log", "httpd", "x", tuple(lines("lab-web1-healthy.error.log"))),
        LogTail("mod_jk.log", "modjk", "x", tuple(lines("lab-web1-healthy.mod_jk.log"))),
    )
    assert match_logs(LogFacts(0, tails), RULES) == []


def test_the_lab_faults_lines_are_recognised_and_counted_once_per_entry() -> None:
    hits = {h.rule.id: h for h in match_logs(LogFacts(0, (tail_of(TOMCAT01),)), RULES)}
    serialize = hits["session-not-serializable"]
    assert len(serialize.occurrences) == 3  # the 500 (setAttribute), two delta requests
    assert serialize.occurrences[-1].quote.startswith("Unable to serialize delta request")
    assert serialize.occurrences[-1].quote.endswith(
        " / java.io.NotSerializableException: java.lang.Object"
    )
    digester = hits["digester-no-rules"]
    assert len(digester.occurrences) == 24  # two starts with <cluster>
    assert digester.subjects[0] == "Server/Service/Engine/cluster"


def test_a_crashed_member_still_gone_is_a_finding_a_clean_shutdown_or_a_return_is_not() -> None:
    hits = match_logs(LogFacts(0, (tail_of(BEFORE_RETURN),)), RULES)
    (gone,) = [h for h in hits if h.rule.id == "member-disappeared"]
    assert gone.subjects == ["10.82.180.13:4000"] and len(gone.occurrences) == 1
    assert not [h for h in match_logs(LogFacts(0, (tail_of(TOMCAT02),)), RULES)]


def tail_of(text: list[str]) -> LogTail:
    return LogTail("catalina.out", "tomcat", "CATALINA_OUT", tuple(text), first_line=1)


# --- rule plugins -----------------------------------------------------------------------------


def entry(name: str, value: str) -> EntryPoint:
    return EntryPoint(name, value, "clustercheck.log_rules")


EXTRA = (
    LogRule("ours", re.compile("boom"), frozenset({"tomcat"}), "warn", "c", "q", "f", None, "s"),
)
TWICE = (RULES[0],)
BAD_KIND = (LogRule("x", re.compile("x"), frozenset({"syslog"}), "warn", "c", "q", "f", None, "s"),)


def test_the_builtin_table_is_installed_through_its_entry_point() -> None:
    assert installed_log_rules() == RULES


def test_a_plugin_adds_rules_and_a_duplicate_id_is_refused_loudly() -> None:
    extra = entry("ours", f"{__name__}:EXTRA")
    assert [r.id for r in load_log_rules([extra])] == ["ours"]
    builtin = entry("builtin", "clustercheck.knowledge.log_rules:RULES")
    with pytest.raises(RegistryError, match="duplicate log rule id session-not-serializable"):
        load_log_rules([builtin, entry("twice", f"{__name__}:TWICE")])
    with pytest.raises(RegistryError, match="kinds"):
        load_log_rules([entry("bad", f"{__name__}:BAD_KIND")])


# --- reading tails on a node ------------------------------------------------------------------


def tomcat_node(base: Path, **tomcat: object) -> NodeSettings:
    settings = TomcatSettings(catalina_base=str(base), **tomcat)  # type: ignore[arg-type]
    return NodeSettings("tomcat01", "127.0.0.1", ("tomcat",), transport="local", tomcat=settings)


def gather_logs(
    transport: LocalTransport,
    reader: NodeReader,
    node: NodeSettings,
    live: LiveFacts,
    apache: ApacheFacts | None,
) -> LogFacts | None:
    """The node's logs as gathering reads them: the plan's commands in one exec."""
    plan = plan_logs(reader, node, live, apache)
    if plan is None:
        return None
    answers = ask_each(transport, plan.commands, plan.most, DEFAULT_MAX_BYTES)
    return plan.facts(answers, Secrets(reader.secrets))


def test_catalina_out_and_the_newest_juli_file_are_read_since_the_last_start(
    tmp_path: Path,
) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "conf").mkdir()
    (tmp_path / "logs" / "catalina.out").write_text("\n".join(TOMCAT01) + "\n")
    (tmp_path / "logs" / "catalina.2026-12-02.log").write_text("old\n")
    (tmp_path / "logs" / "catalina.2026-12-03.log").write_text("\n".join(TOMCAT02) + "\n")
    (tmp_path / "conf" / "logging.properties").write_bytes(
        (DATA / "tomcat10-debian-logging.properties").read_bytes()
    )
    node = tomcat_node(tmp_path)
    reader = NodeReader(LocalTransport())
    found = gather_logs(LocalTransport(), reader, node, LiveFacts(), None)
    assert found is not None and found.utc_offset_s is not None
    out, dated = found.tails
    assert (out.path, dated.path) == (
        f"{tmp_path}/logs/catalina.out",
        f"{tmp_path}/logs/catalina.2026-12-03.log",
    )
    last = start_index("Server version name:")[-1]
    assert out.first_line == last + 1 and out.lines[0] == TOMCAT01[last]
    assert not out.truncated and "Server version name" in out.since_how
    assert f"{tmp_path}/conf/logging.properties" in reader.reads  # recorded, as config is


def test_the_runtime_start_time_cuts_and_a_large_file_is_read_from_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collect_logs, "LOG_CAP", 4096)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "catalina.out").write_text("\n".join(TOMCAT01) + "\n")
    started = line_time(TOMCAT01[-20], "tomcat", 0)
    assert started is not None
    live = LiveFacts(runtime=RuntimeFacts(now=started + 60, tomcat=ServerProcess(7, "t", started)))
    found = gather_logs(
        LocalTransport(), NodeReader(LocalTransport()), tomcat_node(tmp_path), live, None
    )
    assert found is not None
    (out,) = found.tails
    assert out.truncated and out.since == started and out.since_how == "the process's start"
    offset = found.utc_offset_s or 0
    assert all((line_time(x, "tomcat", offset) or started) >= started - 1 for x in out.lines)
    assert out.first_line is not None and TOMCAT01[out.first_line - 1] == out.lines[0]


def test_the_inventory_lists_replace_the_configured_logs_and_a_missing_one_says_so(
    tmp_path: Path,
) -> None:
    node = tomcat_node(tmp_path, logs=(str(tmp_path / "app.log"),))
    found = gather_logs(LocalTransport(), NodeReader(LocalTransport()), node, LiveFacts(), None)
    assert found is not None
    assert [(t.path, t.source, t.error) for t in found.tails] == [
        (str(tmp_path / "app.log"), "the inventory's tomcat.logs", "missing")
    ]


def test_httpd_error_logs_and_jk_log_come_from_the_directives_and_pipes_are_named() -> None:
    directives = [
        Directive("ErrorLog", ("logs/error.log",), "/srv/httpd/httpd.conf", 7, ()),
        Directive(
            "ErrorLog",
            ("|/usr/bin/rotatelogs x 86400",),
            "/srv/httpd/v.conf",
            3,
            ("<VirtualHost *:80>",),
        ),
        Directive("ErrorLog", ("syslog:local1",), "/srv/httpd/v.conf", 9, ("<VirtualHost *:81>",)),
        Directive("JkLogFile", ("logs/mod_jk.log",), "/srv/httpd/jk.conf", 2, ()),
    ]
    apache = ApacheFacts(jk_conf=None, httpd_conf="/srv/httpd/httpd.conf")
    apache.server_root = "/srv/httpd"
    apache.directives = directives
    node = NodeSettings(
        "web1", "h", ("apache",), apache=ApacheSettings(httpd_conf="/srv/httpd/httpd.conf")
    )
    found = locations(NodeReader(LocalTransport()), node, apache)
    assert [(w.path, w.kind, w.source, w.error is not None) for w in found] == [
        ("/srv/httpd/logs/error.log", "httpd", "ErrorLog at /srv/httpd/httpd.conf:7", False),
        ("|/usr/bin/rotatelogs x 86400", "httpd", "ErrorLog at /srv/httpd/v.conf:3", True),
        ("syslog:local1", "httpd", "ErrorLog at /srv/httpd/v.conf:9", True),
        ("/srv/httpd/logs/mod_jk.log", "modjk", "JkLogFile at /srv/httpd/jk.conf:2", False),
    ]


def test_the_journal_is_asked_only_with_a_unit_or_a_running_tomcat(tmp_path: Path) -> None:
    """Without either the script could only say "no unit": not worth a process on the node."""
    reader = NodeReader(LocalTransport())
    kinds = {
        name: [
            read.where.kind for read in (plan_logs(reader, node, live, None) or LogPlan(())).reads
        ]
        for name, node, live in [
            ("stopped", tomcat_node(tmp_path), LiveFacts()),
            ("unit", tomcat_node(tmp_path, systemd_unit="tomcat10.service"), LiveFacts()),
            (
                "running",
                tomcat_node(tmp_path),
                LiveFacts(runtime=RuntimeFacts(now=1.0, tomcat=ServerProcess(7, "t", 0.5))),
            ),
        ]
    }
    assert kinds == {
        "stopped": ["tomcat"],
        "unit": ["tomcat", "journald"],
        "running": ["tomcat", "journald"],
    }
