"""The truths the CC603 family's mod_jk verdicts rely on, shown by the real httpd 2.4 + mod_jk
(Debian's apache2 and libapache2-mod-jk 1.2.48) on a loopback port, each next to the verdict
the family gives the same files: does httpd start, what does mod_jk log, what does its status
worker say it uses, and what does a request get.

Skipped without apache2 and mod_jk (tests/realhttpd.py `need_httpd`), a failure in CI.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from clusterfiles import JK_CONF, build, judge
from realhttpd import backends, need_httpd, run_httpd

STATUS = "JkMount /jkstatus jkstatus\n"
LIST = "/jkstatus?mime=prop&cmd=list"
WORKERS = "/etc/httpd/conf/workers.properties"


@pytest.fixture(autouse=True)
def _httpd() -> None:
    need_httpd()


def verdicts(tmp: Path, workers: str | bytes, conf: str = "JkMount /* lb\n") -> list[str]:
    """The CC603 family on an Apache node with this workers file: 'status: message' per
    finding."""
    node = {"host": "10.0.0.1", "roles": ["apache"]}
    files = {JK_CONF: "JkWorkersFile conf/workers.properties\n" + conf, WORKERS: workers}
    results = judge(build(tmp, {"web1": node}, {"web1": files}), "CC603")
    return [f"{r.status.value}: {r.message}" for r in results]


def said(found: list[str], status: str, *fragments: str) -> bool:
    return any(
        line.startswith(f"{status}: ") and all(f in line for f in fragments) for line in found
    )


# --- values mod_jk silently changes ---------------------------------------------------------

CHANGED = """\
worker.list=lb,jkstatus,direct
worker.jkstatus.type=status
;worker.lb.sticky_session=false
worker.lb.type=lb
worker.lb.balance_workers=off,x,zero,neg,unres,paren,quoted,hostport,nbsp,inval,undef,undefport
worker.off.host=127.0.0.1
worker.off.port=8101
worker.off.activation=off
worker.off.max_packet_size=20000
worker.off.ping_mode=disabled
worker.x.host=127.0.0.1
worker.x.port=8102
worker.x.activation=X
worker.x.max_packet_size=100000
worker.x.ping_mode=true
worker.zero.host=127.0.0.1
worker.zero.port=8103
worker.zero.lbfactor=0
worker.neg.host=127.0.0.1
worker.neg.port=8104
worker.neg.lbfactor=-3
worker.unres.host=$TOMCAT_IP
worker.paren.host=localhost(tomcat server ip or hostname)
worker.quoted.host=""
worker.hostport.host=127.0.0.1:8105
worker.nbsp.host=127.0.0.1
worker.nbsp.port=\xa08106
worker.inval.host=tomcat.invalid
worker.undef.host=$(CC_NO_SUCH_HOST)
worker.undefport.host=127.0.0.1
worker.undefport.port=$(CC_NO_SUCH_PORT)
worker.undefport.port=$(CC_NO_SUCH_PORT)
worker.direct.host=
worker.direct.port=8107\xa0
"""


def test_values_mod_jk_changes_as_its_status_worker_shows(tmp_path: Path) -> None:
    httpd = run_httpd(CHANGED, STATUS, get=[LIST])
    assert httpd.started, httpd.error_log
    used = httpd.status_properties(LIST)
    # an activation mod_jk does not know is active; lbfactor below 1 is 1
    assert (used["worker.off.activation"], used["worker.x.activation"]) == ("ACT", "ACT")
    assert (used["worker.zero.lbfactor"], used["worker.neg.lbfactor"]) == ("1", "1")
    # max_packet_size is rounded up to 1024 and capped at 65536
    assert used["worker.off.max_packet_size"] == "20480"
    assert used["worker.x.max_packet_size"] == "65536"
    # ping_mode letter by letter: 'disabled' holds an 'a' (all probes), 'true' holds none
    assert used["worker.off.connect_timeout"] == used["worker.off.prepost_timeout"] == "10000"
    assert used["worker.x.connect_timeout"] == used["worker.x.prepost_timeout"] == "0"
    # hosts no resolver takes, and a port behind a non-breaking space: port 0, member stopped
    for name in ("unres", "paren", "quoted", "hostport", "nbsp", "inval", "undef", "undefport"):
        assert used[f"worker.{name}.port"] == "0", name
        assert used[f"worker.{name}.activation"] == "STP", name
    assert "worker unres can't resolve tomcat address $TOMCAT_IP" in httpd.jk_log
    assert "worker undef can't resolve tomcat address $(CC_NO_SUCH_HOST)" in httpd.jk_log
    assert "worker undefport target is '127.0.0.1:0'" in httpd.jk_log
    assert "Duplicate key 'worker.undefport.port' detected" in httpd.jk_log
    # an empty host line is skipped (localhost), and atoi stops at a trailing U+00A0
    assert used["worker.direct.address"] == "127.0.0.1:8107"
    # the ';' line is a variable: stickiness stays on
    assert "Adding property ';worker.lb.sticky_session' with value 'false'" in httpd.jk_log
    assert used["worker.lb.sticky_session"] == "True"

    found = verdicts(tmp_path, CHANGED)
    assert said(found, "fail", "worker off: activation 'off'", "uses A (active) instead")
    assert said(found, "fail", "worker x: activation 'X'", "uses A (active) instead")
    assert said(found, "fail", "worker zero: lbfactor 0", "raises a factor below 1 to 1")
    assert said(found, "fail", "worker neg: lbfactor -3")
    assert said(found, "warn", "worker off: max_packet_size '20000'", "uses 20480 instead")
    assert said(found, "warn", "worker x: max_packet_size '100000'", "uses 65536 instead")
    assert said(found, "fail", "worker off: mod_jk reads ping_mode 'disabled'", "uses CPI")
    assert said(found, "fail", "worker x: mod_jk reads ping_mode 'true'", "probes no")
    for host in ("'$TOMCAT_IP'", "'localhost(tomcat", "'\"\"'", "'127.0.0.1:8105'", "'tomcat.inv"):
        assert said(found, "fail", f"resolve host {host}", "lb lb stops it as a member"), host
    assert said(found, "warn", "host '$(CC_NO_SUCH_HOST)'", "unless httpd's environment defines")
    assert said(found, "fail", "worker nbsp: mod_jk reads port '\\xa08106' as 0")
    assert said(found, "warn", "worker undefport: mod_jk reads port '$(CC_NO_SUCH_PORT)' as 0")
    assert said(found, "warn", "'worker.undefport.port' is set again", "overwritten")
    assert said(found, "fail", "'worker.direct.host' is empty", "connects to localhost")
    assert said(found, "warn", "';' does not start a comment", "the line has no effect")
    assert not any("worker.direct.port" in line for line in found)
    assert not said(found, "fail", "';'")


def test_no_connection_slot_or_no_address_answers_503(tmp_path: Path) -> None:
    workers = (
        "worker.list=zero,unres\n"
        "worker.zero.host=127.0.0.1\nworker.zero.port=8111\nworker.zero.connection_pool_size=0\n"
        "worker.unres.host=$TOMCAT_IP\n"
    )
    httpd = run_httpd(workers, "JkMount /zero zero\nJkMount /unres unres\n", ["/zero", "/unres"])
    assert httpd.started, httpd.error_log
    assert [httpd.responses[path].status for path in ("/zero", "/unres")] == [503, 503]
    assert "Unable to get the free endpoint for worker zero from 0 slots" in httpd.jk_log

    found = verdicts(tmp_path, workers, "JkMount /zero zero\nJkMount /unres unres\n")
    assert said(found, "fail", "worker zero: connection_pool_size '0'", "HTTP 503")
    assert said(found, "fail", "worker unres: mod_jk cannot resolve host '$TOMCAT_IP'", "HTTP 503")


# --- what httpd refuses -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("workers", "logged", "verdict"),
    [
        pytest.param(
            "worker.list=w\nworker.w.type=ajp15\n",
            "Unknown worker type ajp15 for worker w",
            "has type 'ajp15', which mod_jk does not know",
            id="unknown-type",
        ),
        pytest.param(
            "worker.list=w\nworker.w.port\xa0=8009\n",
            "The attribute 'worker.w.port\xa0' is not supported",
            "unsupported attribute 'worker.w.port\\xa0' ending in a non-breaking space",
            id="nbsp-in-key",
        ),
    ],
)
def test_httpd_does_not_start(tmp_path: Path, workers: str, logged: str, verdict: str) -> None:
    httpd = run_httpd(workers, "JkMount /* w\n")
    assert not httpd.started
    assert "AH00016: Configuration Failed" in httpd.error_log
    assert logged in httpd.jk_log
    assert said(verdicts(tmp_path, workers, "JkMount /* w\n"), "fail", verdict, "does not start")


def test_a_missing_workers_file_stops_httpd_at_its_config(tmp_path: Path) -> None:
    httpd = run_httpd(None, "JkMount /* w\n")
    assert not httpd.started
    assert "JkWorkersFile: Can't find the workers file specified" in httpd.error_log

    node = {"host": "10.0.0.1", "roles": ["apache"]}
    files = {JK_CONF: "JkWorkersFile conf/absent.properties\nJkMount /* w\n"}
    results = judge(build(tmp_path, {"web1": node}, {"web1": files}), "CC6032")
    assert [(r.status.value, r.line) for r in results] == [("fail", 1)]
    assert "httpd refuses to start" in results[0].message


# --- worker types it accepts and then fails on ------------------------------------------------


def test_a_status_or_ajp12_member_crashes_the_child(tmp_path: Path) -> None:
    workers = (
        "worker.list=lbs,lb12,jkstatus\nworker.jkstatus.type=status\n"
        "worker.lbs.type=lb\nworker.lbs.balance_workers=jkstatus\n"
        "worker.lb12.type=lb\nworker.lb12.balance_workers=old\n"
        "worker.old.type=ajp12\nworker.old.host=127.0.0.1\n"
    )
    conf = "JkMount /s lbs\nJkMount /o lb12\n"
    httpd = run_httpd(workers, conf, ["/s", "/o"])
    assert httpd.started, httpd.error_log
    assert [httpd.responses[path].status for path in ("/s", "/o")] == [None, None]
    assert httpd.error_log.count("exit signal Segmentation fault") >= 2

    found = verdicts(tmp_path, workers, conf)
    assert said(found, "fail", "lb lbs has jkstatus, of type status, as a member", "crashes")
    assert said(found, "fail", "lb lb12 has old, of type ajp12, as a member", "crashes")


def test_ajp12_speaks_no_ajp13(tmp_path: Path) -> None:
    with backends("tomcat") as started:
        tomcat = started["tomcat"]
        workers = (
            "worker.list=old\nworker.old.type=ajp12\nworker.old.host=127.0.0.1\n"
            f"worker.old.port={tomcat.port}\n"
        )
        httpd = run_httpd(workers, "JkMount /* old\n", ["/"])
        assert httpd.started, httpd.error_log
        # not the AJP13 magic: an AJP connector closes the connection (Tomcat 10.1 logs
        # "Invalid message received with signature [256]") and the client gets a 200 without
        # the application's page
        assert tomcat.first_bytes and tomcat.first_bytes[0][:2] != b"\x12\x34"
        assert httpd.responses["/"].status == 200
        assert "tomcat" not in httpd.responses["/"].body
        assert "ajpv12_handle_response, error reading header line" in httpd.jk_log

    found = verdicts(tmp_path, workers, "JkMount /* old\n")
    assert said(found, "fail", "worker old has type ajp12", "status 200 and no page")


LB_IN_LB = """\
worker.list=outer{listed}
worker.outer.type=lb
worker.outer.balance_workers=inner,t1
worker.inner.type=lb
worker.inner.balance_workers=t2
worker.t1.host=127.0.0.1
worker.t1.port={t1}
worker.t2.host=127.0.0.1
worker.t2.port={t2}
"""


def test_an_lb_in_an_lb_does_not_start_or_loses_stickiness(tmp_path: Path) -> None:
    with backends("t1", "t2") as started:
        ports = {name: backend.port for name, backend in started.items()}
        alone = run_httpd(LB_IN_LB.format(listed="", **ports), "JkMount /* outer\n")
        assert not alone.started
        assert "Could not allocate shared memory for worker t2" in alone.jk_log

        listed = LB_IN_LB.format(listed=",inner", **ports)
        paths = [f"/{n}" for n in range(6)]
        httpd = run_httpd(listed, "JkMount /* outer\n", paths, {"Cookie": "JSESSIONID=a.t2"})
        assert httpd.started, httpd.error_log
        # a session of t2 (route t2): outer knows the routes inner and t1, so it balances
        assert {httpd.responses[path].body for path in paths} == {"t1", "t2"}

    for workers, start in (
        (LB_IN_LB.format(listed="", t1=1, t2=2), "httpd does not start"),
        (LB_IN_LB.format(listed=",inner", t1=1, t2=2), "httpd starts"),
    ):
        found = verdicts(tmp_path / start, workers, "JkMount /* outer\n")
        assert said(found, "fail", "lb outer has the lb inner as a member", start, "not sticky")


# --- httpd's own reading ------------------------------------------------------------------------


def test_httpd_skips_comment_lines_whatever_they_hold(tmp_path: Path) -> None:
    workers = "worker.list=w\nworker.w.host=127.0.0.1\nworker.w.port=1\n"
    comments = "# a comment\xa0with a non-breaking space\n   #\xa0JkMount /x w\n"
    httpd = run_httpd(workers, comments + "JkMount /a w\nJkMount /y w\xa0\n", ["/a", "/y"])
    assert httpd.started, httpd.error_log
    # /a reaches w (nothing listens: 503); /y names the worker 'w\xa0', which is not there
    assert (httpd.responses["/a"].status, httpd.responses["/y"].status) == (503, 500)
    assert "Could not find worker with name 'w\xa0'" in httpd.jk_log

    led = run_httpd(workers, "\xa0# not a comment to httpd\n")
    assert not led.started
    assert "Invalid command '\\xc2\\xa0#'" in led.error_log

    found = verdicts(tmp_path, workers, comments + "JkMount /a w\nJkMount /y w\xa0\n")
    assert sum("non-breaking" in line for line in found) == 1, found  # not the comments
    assert said(found, "fail", "non-breaking space", "part of the argument 'w\\xa0'")
    assert said(found, "fail", "JkMount /y w\xa0: worker w\xa0 is not in worker.list", "500")


def test_an_include_loop_stops_httpd_unless_a_false_ifdefine_skips_it(tmp_path: Path) -> None:
    """Four files that each include all four (absolute paths, the same on the node and here):
    httpd refuses to start at its include depth, and CC6032 fails on each Include that closes
    the loop; inside a false <IfDefine> httpd never reads the Include and starts, and CC6034
    only warns. (A short folder: httpd cuts its message of 128 nested errors at 8 KiB.)"""
    workers = "worker.list=w\nworker.w.host=127.0.0.1\nworker.w.port=1\n"
    recursion = "Exceeded maximum include depth of 128, There appears to be a recursion."
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:
        include = f"Include {folder}/*.conf\n"
        for body, starts, status in [
            (include, False, "fail"),
            (f"<IfDefine LOOP>\n{include}</IfDefine>\n", True, "warn"),
        ]:
            files = {f"{folder}/{i}.conf": body for i in range(4)}
            for path, text in files.items():
                Path(path).write_text(text, encoding="utf-8")
            httpd = run_httpd(workers, "JkMount /* w\n" + include)
            assert httpd.started == starts, httpd.error_log
            assert (recursion in httpd.error_log) != starts, httpd.error_log

            node = {"host": "10.0.0.1", "roles": ["apache"]}
            files[JK_CONF] = "JkWorkersFile conf/workers.properties\nJkMount /* w\n" + include
            files[WORKERS] = workers
            inventory = build(tmp_path / status, {"web1": node}, {"web1": files})
            results = [r for r in judge(inventory, "CC603") if r.status.is_finding]
            assert [(r.status.value, r.file) for r in results] == [
                (status, f"{folder}/{i}.conf") for i in range(4)
            ]
            assert all(recursion in r.message for r in results)
