"""The shared corpus of real mod_jk files: every file parses, and facts read by hand hold."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clustercheck.knowledge import modjk
from clustercheck.parsers.httpd import (
    JkSettings,
    jk_settings,
    parse_httpd,
    parse_uriworkermap,
    worker_mounts,
)
from clustercheck.parsers.text import Kind, Problem, decode
from clustercheck.parsers.workers import Setting, WorkersFile, parse_workers, with_defaults

# Where conftest's `corpus_dir` looks; needed at collection time to parametrize by file name.
CORPUS = Path(
    os.environ.get("CLUSTERCHECK_CORPUS", Path(__file__).resolve().parents[3] / "shared" / "corpus")
)


def names(kind: str) -> list[str]:
    folder = CORPUS / kind
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def read(corpus_dir: Path, kind: str, prefix: str) -> tuple[str, str]:
    (path,) = (corpus_dir / kind).glob(f"{prefix}_*")
    return decode(path.read_bytes()), path.name


def workers(corpus_dir: Path, prefix: str) -> WorkersFile:
    return parse_workers(*read(corpus_dir, "workers", prefix))


def jkconf(corpus_dir: Path, prefix: str) -> tuple[JkSettings, list[Problem]]:
    directives, problems = parse_httpd(*read(corpus_dir, "jkconf", prefix))
    return jk_settings(directives), problems


def listed(wf: WorkersFile) -> list[str]:
    return [name for name, _line in wf.worker_list]


def found(problems: list[Problem], fragment: str) -> list[int | None]:
    return [p.line for p in problems if fragment in p.message]


# --- every file parses ------------------------------------------------------------------------


@pytest.mark.parametrize("name", names("workers"))
def test_every_workers_file_parses(corpus_dir, name):
    wf = with_defaults(parse_workers(decode((corpus_dir / "workers" / name).read_bytes()), name))
    assert wf.workers
    assert not found(wf.problems, "could not be read")
    assert worker_mounts(wf) is not None
    for worker in wf.workers.values():
        assert worker.type


@pytest.mark.parametrize("name", names("jkconf"))
def test_every_jkconf_file_parses(corpus_dir, name):
    directives, problems = parse_httpd(decode((corpus_dir / "jkconf" / name).read_bytes()), name)
    jk = jk_settings(directives)
    assert directives
    assert not found(problems + jk.problems, "could not be read")


@pytest.mark.parametrize("name", names("uriworkermap"))
def test_every_uriworkermap_file_parses(corpus_dir, name):
    text = decode((corpus_dir / "uriworkermap" / name).read_bytes())
    mounts, problems = parse_uriworkermap(text, name)
    assert mounts
    assert not found(problems, "could not be read")


def test_the_corpus_is_there(corpus_dir):
    assert len(names("workers")) >= 30 and names("jkconf") and names("uriworkermap")


# --- workers.properties facts -----------------------------------------------------------------


def test_10_cornbuddy_template_reference(corpus_dir):
    wf = workers(corpus_dir, "10")
    assert wf.worker_list == [("tom-a", 1), ("tom-b", 1), ("tom-c", 1), ("lb", 1)]
    tom_b = wf.workers["tom-b"]
    assert tom_b.settings["type"] == Setting("ajp13", 3, inherited_from="template")
    assert tom_b.settings["port"] == Setting("8009", 4, inherited_from="template")
    assert tom_b.settings["host"] == Setting("tom-b", 10)
    assert wf.workers["lb"].members == ["tom-a", "tom-b", "tom-c"]
    assert wf.workers["lb"].sticky_session is True
    assert wf.problems == []
    assert with_defaults(wf).workers["tom-c"].route == "tom-c"


def test_11_wlod_ajptemplate_reference(corpus_dir):
    wf = workers(corpus_dir, "11")
    assert listed(wf) == ["app-worker-balancer", "jkstatus"]
    assert wf.workers["app-worker-balancer"].members == ["app-worker2", "app-worker1"]
    for name, port in (("app-worker1", 8009), ("app-worker2", 8019)):
        worker = wf.workers[name]
        assert (worker.host, worker.port) == ("localhost", port)
        assert worker.settings["fail_on_status"] == Setting(
            "500,503", 13, inherited_from="ajptemplate"
        )
        assert worker.get("ping_timeout") == "2000"
        assert worker.get("recover_time") == "1"
    assert wf.problems == []


def test_12_dash_template_is_inherited_through_a_user_variable_prefix(corpus_dir):
    wf = workers(corpus_dir, "12")
    worker = wf.workers["tomcat-worker"]
    assert worker.settings["type"] == Setting("ajp13", 4, inherited_from="worker-template")
    assert worker.get("socket_keepalive") == "True"
    assert "worker-template.type" in wf.variables
    assert wf.problems == []


def test_22_edsingleton_jvm_route_and_activation(corpus_dir):
    wf = workers(corpus_dir, "22")
    node1 = wf.workers["node1"]
    assert (node1.route, node1.activation) == ("node1", "A")
    assert node1.settings["activation"] == Setting("A", 11)
    assert wf.deprecated == [(6, "worker.node1.jvm_route", "route")]
    assert "node2" not in wf.workers
    assert (16, "worker.node2.jvm_route", "node2") in wf.commented_settings
    assert (21, "worker.node1.activation", "D") in wf.commented_settings
    assert "route" not in with_defaults(wf).workers["node1"].settings


def test_07_semicolons_are_not_comments_and_balanced_workers_still_work(corpus_dir):
    wf = workers(corpus_dir, "07")
    assert listed(wf) == ["controller", "one", "two"]
    # the file starts with a BOM, which mod_jk keeps as part of the first key
    assert wf.variables["\ufeff; worker.list"] == "jetty_a"
    assert wf.variables["; worker.list"] == "jetty_b,jettybalancer"
    assert found(wf.problems, "';' does not start a comment")[:2] == [1, 2]
    # unused variables: the lines do nothing, as the comments they were meant to be
    semicolons = [p for p in wf.problems if "';' does not start a comment" in p.message]
    assert len(semicolons) == 14 and {p.kind for p in semicolons} == {Kind.REDUNDANT}
    assert wf.workers["controller"].members == ["one", "two"]
    assert (44, "worker.controller.balanced_workers", "balance_workers") in wf.deprecated
    assert (25, "worker.one.cachesize", "connection_pool_size") in wf.deprecated
    assert (45, "worker.controller.sticky_session", "true") in wf.commented_settings


def test_15_unknown_attribute_stops_mod_jk(corpus_dir):
    wf = workers(corpus_dir, "15")
    assert found(wf.problems, "mod_jk refuses to start: unsupported attribute") == [35, 48]
    assert wf.global_settings["maintain"] == Setting("60", 15)
    assert wf.workers["cfusion_balancer"].sticky_session is False
    assert wf.workers["cfusiontest1"].route == "cfusiontest1"


def test_26_lb_without_type_is_an_ajp13_worker(corpus_dir):
    wf = with_defaults(workers(corpus_dir, "26"))
    worker3 = wf.workers["worker3"]
    assert worker3.members == ["worker1", "worker2"]
    assert worker3.settings["type"] == Setting("ajp13", None, defaulted=True)
    assert (worker3.host, worker3.port) == ("localhost", 8009)


def test_29_activation_disabled_and_bom(corpus_dir):
    wf = workers(corpus_dir, "29")
    assert wf.workers["jboss-cdm-slaver"].activation == "D"
    assert wf.workers["jboss-cdm-master"].get("redirect") == "jboss-cdm-slaver"
    assert len(listed(wf)) == 6
    assert wf.problems == []


def test_33_undefined_dotted_member_silently_points_at_localhost(corpus_dir):
    wf = workers(corpus_dir, "33")
    assert wf.workers["loadbalancer"].members == ["VMRSTOMCATAPP.local"]
    member = with_defaults(wf).workers["VMRSTOMCATAPP.local"]
    assert (member.line, member.host, member.port) == (None, "localhost", 8009)
    assert found(wf.problems, "worker name 'VMRSTOMCATAPP.local'") == [None]


def test_36_long_list_names_undefined_workers(corpus_dir):
    wf = workers(corpus_dir, "36")
    assert len(wf.worker_list) == 31
    assert wf.workers["axiodisdermonappWorker"].line is None
    assert wf.workers["axiodisJTIappWorker"].host == "10.50.0.162"
    assert wf.workers["axiodisJTIappWorker"].get("reply_timeout") == "3600000"


def test_04_jior_inline_comments_and_a_stray_mount_rule(corpus_dir):
    wf = workers(corpus_dir, "04")
    controller = wf.workers["controller"]
    assert controller.members == ["tomcat1", "tomcat2"]
    assert controller.sticky_session is False
    assert wf.workers["tomcat2"].port == 9009
    assert wf.variables == {"/*": "loadbalancer"}
    assert found(wf.problems, "looks like a uriworkermap rule") == [19]


def test_06_repeated_worker_list_and_unused_template(corpus_dir):
    wf = workers(corpus_dir, "06")
    assert wf.worker_list == [("worker1", 98), ("worker2", 103)]
    assert wf.workers["worker1"].line == 99
    assert wf.workers["template"].get("ping_mode") == "A"
    assert "ping_mode" not in wf.workers["worker1"].settings
    assert (33, "worker.list", "jk-status") in wf.commented_settings


def test_18_secret_stays_in_the_model(corpus_dir):
    wf = workers(corpus_dir, "18")
    assert wf.workers["tomcat"].secret == "mySecretKey"
    assert listed(wf) == ["tomcat", "jk-watch", "jk-manage"]
    assert "mySecretKey" not in repr(wf.problems)


def test_17_and_20_odd_hosts_are_kept_as_written(corpus_dir):
    assert workers(corpus_dir, "17").workers["workersis"].host == (
        "localhost(tomcat server ip or hostname)"
    )
    assert workers(corpus_dir, "20").workers["worker1"].host == "$TOMCAT_IP"


def test_17_and_20_hosts_no_resolver_takes(corpus_dir):
    """mod_jk hands them to the resolver as written, which fails (the real httpd logs "can't
    resolve tomcat address" for both: tests/checks/test_jk_real_httpd.py)."""
    placeholder = workers(corpus_dir, "17").workers["workersis"].get("host") or ""
    assert "placeholder" in str(modjk.unresolvable(placeholder))
    shell = workers(corpus_dir, "20").workers["worker1"].get("host") or ""
    assert "is no variable to mod_jk" in str(modjk.unresolvable(shell))
    assert modjk.unresolvable(workers(corpus_dir, "20").workers["worker1"].host or "") is not None


def test_19_a_line_of_a_latin1_non_breaking_space_is_ignored(corpus_dir):
    text, name = read(corpus_dir, "workers", "19")
    assert text.split("\n")[1] == "\xa0"  # a lone byte 0xA0: decoded as Latin-1
    wf = parse_workers(text, name)
    assert wf.problems == []
    assert wf.workers["tomcatA"].port == 8009


def test_35_worker_mount_attribute(corpus_dir):
    mounts, problems = worker_mounts(workers(corpus_dir, "35"))
    assert [(m.pattern, m.worker, m.line) for m in mounts] == [
        ("/dsawiki", "worker1", 7),
        ("/dsawiki/*", "worker1", 7),
    ]
    assert problems == []


# --- httpd facts ------------------------------------------------------------------------------


def test_04_nbsp_line(corpus_dir):
    jk, problems = jkconf(corpus_dir, "04")
    assert found(problems, "non-breaking space") == [3]
    assert jk.workers_file is not None and jk.workers_file[0] == "conf.d/workers.properties"
    assert found(jk.problems, "JkWorkersFile takes one argument") == [3]


def test_09_cornbuddy_location_mounts(corpus_dir):
    text, name = read(corpus_dir, "jkconf", "09")
    directives, problems = parse_httpd(text, name)
    jk = jk_settings(directives)
    assert problems == [] and jk.problems == []
    assert [(m.pattern, m.worker, m.line) for m in jk.mounts] == [
        ("/*", "lb", 8),
        ("/jk-status", "jk-status", 12),
        ("/jk-manager", "jk-manager", 19),
    ]
    mount = next(d for d in directives if d.args == ("jk-status",))
    assert mount.sections == ("<IfModule jk_module>", "<Location /jk-status>")


def test_05_broken_directives(corpus_dir):
    jk, problems = jkconf(corpus_dir, "05")
    assert problems == []
    assert found(jk.problems, "LoadModule takes two arguments") == [2]
    assert found(jk.problems, "JkShmFile takes one argument, got 3") == [8]
    assert found(jk.problems, "JkWorkersFile only allowed once") == [25]
    assert found(jk.problems, "is not a mod_jk directive") == [27, 31, 35]
    assert [(m.pattern, m.worker, m.line) for m in jk.mounts] == [
        ("/servlet/*", "worker1", 37),
        ("/*.jsp", "worker1", 38),
        ("/*.do", "ajp13", 18),
    ]


def test_07_unmount_in_a_virtual_host(corpus_dir):
    jk, _ = jkconf(corpus_dir, "07")
    assert [(m.pattern, m.unmount, m.vhost) for m in jk.mounts] == [
        ("/*", False, "*:80"),
        ("/error", True, "*:80"),
        ("/babycry.png", True, "*:80"),
    ]


def test_02_lowercase_jkmount_and_ifmodule_sections(corpus_dir):
    text, name = read(corpus_dir, "jkconf", "02")
    directives, _ = parse_httpd(text, name)
    jk = jk_settings(directives)
    assert directives[0].sections == ("<IfModule !mod_jk.c>",)
    assert [(m.pattern, m.worker) for m in jk.mounts] == [("/jkstatus", "jkstatus")]
    assert jk.mount_copy == [("All", "", name, 18)]
    assert jk.mount_files == [("conf/extra/uriworkermap.properties", name, 16)]


def test_16_mountcopy_all_and_location_mounts(corpus_dir):
    jk, problems = jkconf(corpus_dir, "16")
    assert problems == [] and jk.problems == []
    assert [m.pattern for m in jk.mounts] == ["/jk-watch", "/jk-manager", "/*"]
    assert [value for value, *_ in jk.mount_copy] == ["All"]


def test_18_mounts_inside_one_virtual_host(corpus_dir):
    jk, _ = jkconf(corpus_dir, "18")
    assert jk.workers_file is None
    assert {(m.pattern, m.vhost) for m in jk.mounts} == {
        ("/jkmanager/*", "*:1234"),
        ("/api/*", "*:1234"),
    }


def test_10_include_and_08_gbk_comments(corpus_dir):
    jk10, _ = jkconf(corpus_dir, "10")
    assert [(pattern, optional) for pattern, optional, *_ in jk10.includes] == [
        ("conf/extra/mod_jk/mount-jk.conf", False)
    ]
    jk08, problems = jkconf(corpus_dir, "08")
    assert problems == []
    assert [m.pattern for m in jk08.mounts] == ["/*.jsp", "/*.do", "/*"]


def test_12_bom_is_a_problem_for_httpd_on_unix(corpus_dir):
    path = next((corpus_dir / "jkconf").glob("12_*"))
    _, problems = parse_httpd(decode(path.read_bytes()), path.name)
    assert found(problems, "byte order mark") == [1]


# --- uriworkermap facts -----------------------------------------------------------------------


def test_uriworkermap_01_exclusions(corpus_dir):
    mounts, problems = parse_uriworkermap(*read(corpus_dir, "uriworkermap", "01"))
    assert problems == []
    assert [(m.pattern, m.worker, m.unmount) for m in mounts] == [
        ("/*", "loadbalancer", False),
        ("/jkstatus/*", "status", False),
        ("/images/*", "loadbalancer", True),
        ("/jkstatus/*", "loadbalancer", True),
    ]


def test_uriworkermap_06_duplicate_keeps_the_last(corpus_dir):
    mounts, problems = parse_uriworkermap(*read(corpus_dir, "uriworkermap", "06"))
    assert [(m.pattern, m.worker, m.line) for m in mounts] == [
        ("/examples/*.jpg", "balancer", 33),
        ("/*", "worker2", 45),
    ]
    assert found(problems, "mapped again") == [45]


def test_uriworkermap_07_spaced_crlf(corpus_dir):
    mounts, problems = parse_uriworkermap(*read(corpus_dir, "uriworkermap", "07"))
    assert problems == []
    assert len(mounts) == 42
    assert {m.worker for m in mounts} == {"cfusion_balancer"}
    assert (mounts[-1].pattern, mounts[-1].unmount) == ("/CFIDE/*", True)
