"""The CC603 jk-config family on real files read through the real engine.

Each case lays out an Apache node (tests/clusterfiles.py), judges it with every member of the
family and compares what they say: every (code, status, message fragment) expected must be in
the results of that code (a family code: of each member), and no member may give a warn, fail
or error that is not expected of it. Corpus cases use real workers.properties files as
published.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from clusterfiles import HEALTHY_WORKERS, JK_CONF, Expected, apache_files, assert_says, build, judge
from support import REPO

Builder = Callable[[Path], Path]

WEB = "web1"
WORKERS = "/etc/httpd/conf/workers.properties"
JK_LB = "JkWorkersFile conf/workers.properties\nJkMount /* lb\n"
SEED = REPO / "examples" / "seed-cluster" / "inventory.yaml"


def web(
    workers: str = HEALTHY_WORKERS,
    jk_conf: str = JK_LB,
    files: Mapping[str, str | bytes] | None = None,
    apache: Mapping[str, str | None] | None = None,
) -> Builder:
    """An Apache node with this workers file and httpd file (plus other files on it); an
    `apache` setting of None is left out of the inventory."""
    merged = {"jk_conf": JK_CONF, "server_root": "/etc/httpd", **(apache or {})}
    settings = {key: value for key, value in merged.items() if value is not None}

    def builder(tmp: Path) -> Path:
        node = {"host": "10.0.0.1", "roles": ["apache"], "apache": settings}
        return build(tmp, {WEB: node}, {WEB: {**apache_files(workers, jk_conf), **(files or {})}})

    return builder


def case(id: str, builder: Builder, *expected: tuple[str, str, str]) -> pytest.param:  # type: ignore[valid-type]
    return pytest.param(builder, expected, id=id)


URIWORKERMAP = "/shop/*=lb\n!/shop/*.png=static\n-/old/*=legacy\n"
HEALTHY_SUMMARY = "worker.list: lb, status; 3 balanced members defined; 1 mount"

CASES = [
    case("healthy", web(), ("CC6031", "pass", HEALTHY_SUMMARY)),
    case(
        "seed-howto",
        lambda _tmp: SEED,
        (
            "CC6035",
            "warn",
            "worker.controller.balanced_workers is deprecated: write "
            "worker.controller.balance_workers",
        ),
        (
            "CC6034",
            "warn",
            "'#worker.controller.sticky_session=1' changes nothing: true is mod_jk's "
            "default for sticky_session",
        ),
    ),
    case(
        "undefined-member",
        web(HEALTHY_WORKERS + "worker.lb.balance_workers=tomcat04\n"),
        (
            "CC6031",
            "fail",
            "lb lb member tomcat04 is defined nowhere: mod_jk creates it as an ajp13 "
            "worker for localhost:8009",
        ),
    ),
    case(
        "undefined-listed-worker",
        web(HEALTHY_WORKERS + "worker.list=tomcat9\n"),
        ("CC6031", "fail", "worker.list names tomcat9, which is defined nowhere"),
    ),
    case(
        "lb-without-members",
        web("worker.list=lb\nworker.lb.type=lb\n"),
        (
            "CC6032",
            "fail",
            "lb lb has no balance_workers: mod_jk cannot create it and httpd does not start",
        ),
    ),
    case(
        "lb-without-type",
        web(HEALTHY_WORKERS.replace("worker.lb.type=lb\n", "")),
        (
            "CC6037",
            "fail",
            "worker lb has balance_workers but its type is ajp13 (mod_jk's default), not lb",
        ),
    ),
    case(
        "members-share-a-route",
        web(HEALTHY_WORKERS + "worker.tomcat01.route=one\nworker.tomcat02.route=one\n"),
        ("CC6032", "fail", "lb lb members tomcat01, tomcat02 share the route 'one'"),
    ),
    case(
        "unknown-type",
        web(HEALTHY_WORKERS + "worker.tomcat03.type=ajp15\n"),
        ("CC6032", "fail", "worker tomcat03 has type 'ajp15', which mod_jk does not know"),
    ),
    # --- values mod_jk reads otherwise (tests/checks/test_jk_real_httpd.py shows each truth)
    case(
        "activation-unknown-runs-active",
        web(HEALTHY_WORKERS + "worker.tomcat01.activation=off\n"),
        (
            "CC6034",
            "fail",
            "worker tomcat01: activation 'off' is no value mod_jk knows (it reads the first "
            "letter: A, D or S): it uses A (active) instead, so this member takes new requests",
        ),
    ),
    case(
        "activation-unknown-meant-active",
        web(HEALTHY_WORKERS + "worker.tomcat01.activation=enabled\n"),
        ("CC6034", "warn", "it uses A (active), which 'enabled' probably meant"),
    ),
    case(
        "activation-first-letter",
        web(HEALTHY_WORKERS + "worker.tomcat01.activation=standby\n"),
        (
            "CC6034",
            "warn",
            "activation 'standby': mod_jk reads only the first letter, so it uses S",
        ),
    ),
    case(
        "activation-of-a-worker-in-no-lb-is-not-read",
        web(HEALTHY_WORKERS + "worker.status.activation=off\n"),
        ("CC6031", "pass", HEALTHY_SUMMARY),
    ),
    case(
        "lbfactor-zero",
        web(HEALTHY_WORKERS + "worker.tomcat02.lbfactor=0\n"),
        (
            "CC6034",
            "fail",
            "worker tomcat02: lbfactor 0: mod_jk raises a factor below 1 to 1, so this member "
            "gets a full share of new requests",
        ),
    ),
    case(
        "lbfactor-not-a-number",
        web(HEALTHY_WORKERS + "worker.tomcat02.lbfactor=1.5\n"),
        ("CC6034", "warn", "worker tomcat02: lbfactor '1.5': mod_jk reads it as 1"),
    ),
    case(
        "lbfactor-of-a-member-of-an-unlisted-lb",
        web(
            HEALTHY_WORKERS + "worker.lb2.type=lb\nworker.lb2.balance_workers=spare\n"
            "worker.spare.host=10.0.0.20\nworker.spare.lbfactor=0\n"
        ),
        ("CC6034", "warn", "worker spare: lbfactor 0"),
        ("CC6034", "warn", "(spare is not in worker.list: this bites once it is)"),
        ("CC6034", "warn", "lb worker lb2 is not in worker.list"),
    ),
    case(
        "max-packet-size-of-a-template-said-once",
        web(HEALTHY_WORKERS + "worker.template.max_packet_size=20000\n"),
        (
            "CC6034",
            "warn",
            "workers tomcat01, tomcat02, tomcat03 (from template): max_packet_size '20000': "
            "mod_jk rounds it up to a multiple of 1024 within 8192-65536, so it uses 20480 "
            "instead (the AJP connector's packetSize must be 20480 too)",
        ),
    ),
    case(
        "connection-pool-size-zero",
        web(HEALTHY_WORKERS + "worker.tomcat03.connection_pool_size=0\n"),
        ("CC6034", "fail", "worker tomcat03: connection_pool_size '0' reads as 0"),
    ),
    case(
        "ping-mode-without-a-letter",
        web(HEALTHY_WORKERS + "worker.tomcat03.ping_mode=true\n"),
        ("CC6034", "fail", "mod_jk reads ping_mode 'true' letter by letter (C, P, I, A)"),
    ),
    case(
        "ping-mode-none",
        web(HEALTHY_WORKERS + "worker.tomcat03.ping_mode=none\n"),
        ("CC6034", "warn", "no probe, which is the default anyway"),
    ),
    case(
        "sticky-session-neither-true-nor-false",
        web(HEALTHY_WORKERS + "worker.lb.sticky_session=disabled\n"),
        (
            "CC6034",
            "fail",
            "worker lb: sticky_session 'disabled' is neither true nor false to mod_jk",
        ),
    ),
    case(
        "host-shell-variable",
        web(HEALTHY_WORKERS.replace("tomcat03.host=10.0.0.13", "tomcat03.host=$TOMCAT_IP")),
        (
            "CC6034",
            "fail",
            "worker tomcat03: mod_jk cannot resolve host '$TOMCAT_IP' ('$TOMCAT_IP' is no "
            "variable to mod_jk: it expands only $(NAME), from workers.properties or httpd's "
            'environment): it logs "can\'t resolve tomcat address" and disables the worker, '
            "so lb lb stops it as a member and it gets no request (httpd starts)",
        ),
    ),
    case(
        "host-with-a-port",
        web(HEALTHY_WORKERS.replace("tomcat03.host=10.0.0.13", "tomcat03.host=10.0.0.13:8010")),
        ("CC6034", "fail", "mod_jk cannot resolve host '10.0.0.13:8010' (no release splits"),
    ),
    case(
        "host-in-the-invalid-domain",
        web(HEALTHY_WORKERS.replace("tomcat03.host=10.0.0.13", "tomcat03.host=tc3.invalid")),
        (
            "CC6034",
            "fail",
            "worker tomcat03: mod_jk cannot resolve host 'tc3.invalid' (no name in the reserved "
            ".invalid domain resolves (RFC 6761))",
        ),
    ),
    case(
        "host-an-undefined-variable",
        web(HEALTHY_WORKERS.replace("tomcat03.host=10.0.0.13", "tomcat03.host=$(TC3)")),
        (
            "CC6034",
            "warn",
            "worker tomcat03: mod_jk cannot resolve host '$(TC3)' ($(TC3) is not defined before "
            "it in workers.properties: unless httpd's environment defines TC3, mod_jk keeps the "
            'text $(TC3) as the host): it logs "can\'t resolve tomcat address" and disables '
            "the worker",
        ),
    ),
    case(
        "host-a-variable-defined-before",
        web("tc3=10.0.0.13\n" + HEALTHY_WORKERS.replace("host=10.0.0.13", "host=$(tc3)")),
        ("CC6031", "pass", HEALTHY_SUMMARY),
    ),
    case(
        "port-of-a-template-an-undefined-variable-said-once",
        web(HEALTHY_WORKERS.replace("template.port=8009", "template.port=$(AJP_PORT)")),
        (
            "CC6034",
            "warn",
            "workers tomcat01, tomcat02, tomcat03 (from template): mod_jk reads port "
            "'$(AJP_PORT)' as 0 ($(AJP_PORT) is not defined before it in workers.properties: "
            "unless httpd's environment defines AJP_PORT, mod_jk keeps the text): it disables "
            "the worker, so lb lb stops it as a member and it gets no request",
        ),
    ),
    case(
        "port-zero-of-a-mapped-worker",
        web(
            HEALTHY_WORKERS + "worker.list=solo\nworker.solo.host=10.0.0.14\nworker.solo.port=0\n",
            jk_conf=JK_LB + "JkMount /solo/* solo\n",
        ),
        (
            "CC6034",
            "fail",
            "worker solo: mod_jk reads port '0' as 0: it disables the worker, so every request "
            "mapped to it gets HTTP 503",
        ),
    ),
    case(
        "duplicate-key",
        web(HEALTHY_WORKERS + "worker.tomcat03.port=8010\nworker.tomcat03.port=8011\n"),
        (
            "CC6034",
            "warn",
            "'worker.tomcat03.port' is set again (first on line 14): mod_jk warns \"Duplicate "
            'key" and keeps only this last value, so the value on line 14 is overwritten',
        ),
    ),
    case(
        "sample-variables-left-over",
        web("workers.tomcat_home=/usr/share/tomcat\nps=/\n" + HEALTHY_WORKERS),
        (
            "CC6034",
            "pass",
            "workers.tomcat_home, ps: user variables of mod_jk's old sample workers.properties, "
            "for the paths of the JNI worker (removed in 1.2.33); nothing uses them, so mod_jk "
            "ignores them (harmless)",
        ),
        ("CC6031", "pass", HEALTHY_SUMMARY),
    ),
    case(
        "unused-variable",
        web(HEALTHY_WORKERS + "tomcat_ajp_port=8009\n"),
        (
            "CC6034",
            "warn",
            "'tomcat_ajp_port' is a user variable (its key does not start with 'worker.') that "
            "no $(tomcat_ajp_port) and no reference uses: mod_jk ignores the line, so it sets "
            "nothing",
        ),
    ),
    case(
        "host-empty",
        web(HEALTHY_WORKERS.replace("tomcat03.host=10.0.0.13", "tomcat03.host=")),
        (
            "CC6034",
            "fail",
            "'worker.tomcat03.host' is empty: mod_jk ignores the line, so worker tomcat03 "
            "connects to localhost, its default host",
        ),
    ),
    case(
        "port-with-a-trailing-non-breaking-space",
        web(HEALTHY_WORKERS + "worker.tomcat03.port=8010\xa0\n"),
        ("CC6031", "pass", HEALTHY_SUMMARY),
    ),
    case(
        "port-behind-a-non-breaking-space",
        web(HEALTHY_WORKERS + "worker.tomcat03.port=\xa08010\n"),
        ("CC6034", "fail", "non-breaking space (U+00A0) in the value of 'worker.tomcat03.port'"),
        (
            "CC6034",
            "fail",
            "worker tomcat03: mod_jk reads port '\\xa08010' as 0: it disables the worker",
        ),
    ),
    # --- worker types mod_jk accepts and then fails on
    case(
        "ajp12-worker",
        web(
            HEALTHY_WORKERS + "worker.list=old\nworker.old.type=ajp12\nworker.old.host=10.0.0.9\n",
            jk_conf=JK_LB + "JkMount /old/* old\n",
        ),
        ("CC6037", "fail", "worker old has type ajp12 (obsolete): mod_jk speaks AJPv12 to it"),
    ),
    case(
        "status-worker-as-member",
        web(HEALTHY_WORKERS + "worker.lb.balance_workers=status\n"),
        (
            "CC6037",
            "fail",
            "lb lb has status, of type status, as a member: mod_jk uses every member as an "
            "AJP13 worker, and httpd's child process crashes (segmentation fault)",
        ),
    ),
    case(
        "lb-as-member",
        web(
            HEALTHY_WORKERS + "worker.lb.balance_workers=inner\nworker.inner.type=lb\n"
            "worker.inner.balance_workers=tomcat04\nworker.tomcat04.host=10.0.0.14\n"
        ),
        (
            "CC6037",
            "fail",
            "lb lb has the lb inner as a member: unless inner is in worker.list too",
        ),
    ),
    case(
        "mount-to-unlisted-worker",
        web(jk_conf=JK_LB + "JkMount /admin/* tomcat01\n"),
        (
            "CC6033",
            "fail",
            "JkMount /admin/* tomcat01: worker tomcat01 is not in worker.list, so "
            "requests for /admin/* get HTTP 500",
        ),
    ),
    case(
        "exclusion-and-disabled-rule-to-unlisted-worker",
        web(
            jk_conf=JK_LB + "JkMountFile conf/uriworkermap.properties\n",
            files={"/etc/httpd/conf/uriworkermap.properties": URIWORKERMAP},
        ),
        (
            "CC6033",
            "warn",
            "rule !/shop/*.png=static: worker static is not in worker.list, so this "
            "exclusion excludes nothing",
        ),
        (
            "CC6033",
            "warn",
            "rule -/old/*=legacy: worker legacy is not in worker.list; the rule is disabled",
        ),
    ),
    case(
        "exclusion-of-every-worker",
        web(jk_conf=JK_LB + "JkUnMount /*.png *\n"),
        ("CC6031", "pass", "2 mounts"),
    ),
    case(
        "unknown-directive",
        web(HEALTHY_WORKERS + "worker.lb.sticky_sesion=false\n"),
        (
            "CC6032",
            "fail",
            "mod_jk refuses to start: unsupported attribute 'worker.lb.sticky_sesion'",
        ),
    ),
    case(
        "semicolon-comment",
        web(HEALTHY_WORKERS + ";worker.lb.sticky_session=false\n"),
        (
            "CC6034",
            "warn",
            "';' does not start a comment in workers.properties: mod_jk reads "
            "';worker.lb.sticky_session' as a user variable that nothing uses, so the line has "
            "no effect",
        ),
    ),
    case(
        "semicolon-variable-in-use",
        web(HEALTHY_WORKERS + ";h=10.0.0.14\nworker.tomcat03.host=$(;h)\n"),
        ("CC6034", "warn", "'worker.tomcat03.host' is set again"),
    ),
    case(
        "bad-httpd-directive",
        web(jk_conf=JK_LB + "JkMountCopy Maybe\n"),
        ("CC6032", "fail", "JkMountCopy must be All, On or Off: httpd refuses to start"),
    ),
    case(
        "workers-list-typo",
        web(HEALTHY_WORKERS.replace("worker.list=", "workers.list=")),
        (
            "CC6034",
            "warn",
            "'workers.list' is not a 'worker.' key: mod_jk treats it as a user variable",
        ),
        ("CC6034", "warn", "lb worker lb is not in worker.list"),
        (
            "CC6033",
            "fail",
            "JkMount /* lb: worker lb is not in worker.list, so requests for /* get HTTP 500",
        ),
    ),
    case(
        "template-in-worker-list",
        web(HEALTHY_WORKERS + "worker.list=template\n"),
        (
            "CC6037",
            "warn",
            "worker.list names template, a template other workers reference: mod_jk "
            "creates it as a worker of its own (ajp13 localhost:8009)",
        ),
    ),
    case(
        "unlisted-lb",
        web(HEALTHY_WORKERS + "worker.lb2.type=lb\nworker.lb2.balance_workers=tomcat01\n"),
        ("CC6034", "warn", "lb worker lb2 is not in worker.list: mod_jk does not create it"),
    ),
    case(
        "undefined-member-of-unlisted-lb-warns",
        web(HEALTHY_WORKERS + "worker.lb2.type=lb\nworker.lb2.balance_workers=ghost\n"),
        ("CC6031", "warn", "lb lb2 member ghost is defined nowhere"),
        ("CC6031", "warn", "(lb2 is not in worker.list: this bites once it is)"),
        ("CC6034", "warn", "lb worker lb2 is not in worker.list"),
    ),
    case(
        "deprecated-without-effect",
        web(HEALTHY_WORKERS + "worker.tomcat01.local_worker=1\n"),
        ("CC6035", "warn", "worker.tomcat01.local_worker is deprecated and does nothing"),
    ),
    case(
        "vhost-without-mountcopy",
        web(jk_conf=JK_LB + "<VirtualHost *:443>\n  JkMount /jk status\n</VirtualHost>\n"),
        (
            "CC6036",
            "warn",
            "<VirtualHost *:443> has JkMount rules of its own and no JkMountCopy: the "
            "global mounts (/*) do not apply to its requests",
        ),
    ),
    case(
        "vhost-with-mountcopy",
        web(
            jk_conf=JK_LB + "<VirtualHost *:443>\n  JkMountCopy On\n  JkMount /jk status\n"
            "</VirtualHost>\n"
        ),
        ("CC6031", "pass", "2 mounts"),
    ),
    case(
        "mountcopy-all",
        web(
            jk_conf="JkMountCopy All\n"
            + JK_LB
            + "<VirtualHost *:443>\n  JkMount /jk status\n</VirtualHost>\n"
        ),
        ("CC6031", "pass", "2 mounts"),
    ),
    case(
        "missing-workers-file",
        web(jk_conf="JkWorkersFile conf/absent.properties\nJkMount /* lb\n"),
        (
            "CC6032",
            "fail",
            "JkWorkersFile names /etc/httpd/conf/absent.properties, which does not exist: "
            "httpd refuses to start",
        ),
        *[
            (code, "error", "cannot read the workers file /etc/httpd/conf/absent.properties")
            for code in ("CC6031", "CC6033", "CC6034", "CC6035", "CC6036", "CC6037")
        ],
    ),
    case(
        "missing-workers-file-under-a-guessed-server-root",
        web(
            jk_conf="JkWorkersFile conf/absent.properties\nJkMount /* lb\n",
            apache={"server_root": None},
        ),
        (
            "CC603",
            "error",
            "cannot read the workers file /etc/httpd/conf/absent.properties: no such file",
        ),
    ),
    case(
        "missing-workers-file-from-inventory",
        web(jk_conf="JkMount /* lb\n", apache={"workers_properties": "/etc/absent.properties"}),
        ("CC603", "error", "cannot read the workers file /etc/absent.properties: no such file"),
    ),
    case(
        "no-workers-file",
        web(jk_conf="JkMount /* lb\n"),
        ("CC603", "error", "no workers file found"),
    ),
    case(
        "unreadable-httpd-file",
        web(apache={"jk_conf": "/etc/httpd/conf.d/absent.conf"}),
        (
            "CC603",
            "error",
            "cannot read the httpd file /etc/httpd/conf.d/absent.conf: no such file",
        ),
    ),
    case(
        "workers-file-from-inventory",
        web(jk_conf="JkMount /* lb\n", apache={"workers_properties": WORKERS}),
        ("CC6031", "pass", HEALTHY_SUMMARY),
    ),
]


@pytest.mark.parametrize(("builder", "expected"), CASES)
def test_jk_config(tmp_path: Path, builder: Builder, expected: Expected) -> None:
    assert_says(judge(builder(tmp_path), "CC603"), expected)


def test_variables_in_use_are_no_finding(tmp_path: Path) -> None:
    """A user variable some $(...) uses after it, or a reference copies from, does its job."""
    workers = "net=10.0.0\nworker-tpl.type=ajp13\nworker-tpl.port=8009\n" + HEALTHY_WORKERS.replace(
        "host=10.0.0.1", "host=$(net).1"
    ).replace("=worker.template", "=worker-tpl")
    results = judge(web(workers)(tmp_path), "CC603")
    assert {r.status.value for r in results} == {"pass"}
    assert [r.message for r in results if r.code == "CC6031"] == [HEALTHY_SUMMARY]


def test_findings_point_at_the_line_to_edit() -> None:
    found = [r for r in judge(SEED, "CC603") if r.status.is_finding]
    lines = {r.message.split(" ")[0]: (r.file, r.line) for r in found}
    assert lines == {
        "worker.controller.balanced_workers": (WORKERS, 15),
        "'#worker.controller.sticky_session=1'": (WORKERS, 16),
    }


def test_a_jkworkerproperty_finding_points_at_the_httpd_file(tmp_path: Path) -> None:
    conf = JK_LB + "JkWorkerProperty worker.tomcat01.cachesize=10\n"
    (result,) = judge(web(jk_conf=conf)(tmp_path), "CC6035")
    assert (result.status.value, result.file, result.line) == ("warn", JK_CONF, 3)
    assert "write worker.tomcat01.connection_pool_size" in result.message


# --- the corpus: real workers.properties files, each laid out as the node's -----------------

CORPUS_CASES = [
    pytest.param(
        "15_",
        "cfusion_balancer",
        (
            ("CC6032", "fail", "unsupported attribute 'worker.cfusiontest.max_reuse_connections'"),
            ("CC6032", "fail", "unsupported attribute 'worker.cfusiontest1.max_reuse_connections'"),
        ),
        id="15-unsupported-attributes",
    ),
    pytest.param(
        "26_",
        "worker3",
        (
            (
                "CC6037",
                "fail",
                "worker worker3 has balance_workers but its type is ajp13 (mod_jk's default), "
                "not lb: mod_jk ignores the members and creates a plain worker (ajp13 "
                "localhost:8009)",
            ),
        ),
        id="26-lb-without-type",
    ),
    pytest.param(
        "33_",
        "web_1",
        (
            ("CC6031", "warn", "lb loadbalancer member VMRSTOMCATAPP.local is defined nowhere"),
            ("CC6034", "warn", "lb worker loadbalancer is not in worker.list"),
            ("CC6034", "warn", "worker name 'VMRSTOMCATAPP.local' uses characters"),
        ),
        id="33-undefined-member-of-unlisted-lb",
    ),
    pytest.param(
        "07_",
        "controller",
        (
            ("CC6034", "warn", "';' does not start a comment in workers.properties"),
            ("CC6035", "warn", "worker.controller.balanced_workers is deprecated"),
            ("CC6034", "warn", "'#worker.controller.sticky_session=true' changes nothing"),
        ),
        id="07-semicolons-and-commented-default",
    ),
    pytest.param(
        "17_",
        "workersis",
        (
            (
                "CC6034",
                "fail",
                "worker workersis: mod_jk cannot resolve host 'localhost(tomcat server ip or "
                "hostname)' (it is a placeholder, not a host name)",
            ),
        ),
        id="17-placeholder-host",
    ),
    pytest.param(
        "20_",
        "worker1",
        (
            (
                "CC6034",
                "fail",
                "worker worker1: mod_jk cannot resolve host '$TOMCAT_IP'",
            ),
        ),
        id="20-shell-variable-host",
    ),
    pytest.param(
        "19_",
        "tomcatA",
        (("CC6031", "pass", "worker.list: tomcatA; 0 balanced members defined; 1 mount"),),
        id="19-a-line-of-a-non-breaking-space",
    ),
    pytest.param(
        "36_",
        "axiodisappWorker",
        (("CC6031", "fail", "worker.list names axiodisappWorker, which is defined nowhere"),),
        id="36-undefined-listed-workers",
    ),
    pytest.param(
        "10_",
        "lb",
        (
            (
                "CC6031",
                "pass",
                "worker.list: tom-a, tom-b, tom-c, lb; 3 balanced members defined; 1 mount",
            ),
        ),
        id="10-template-reference",
    ),
]


@pytest.mark.parametrize(("prefix", "mounted", "expected"), CORPUS_CASES)
def test_corpus_workers(
    tmp_path: Path, corpus_dir: Path, prefix: str, mounted: str, expected: Expected
) -> None:
    (source,) = (corpus_dir / "workers").glob(f"{prefix}*")
    conf = f"JkWorkersFile conf/workers.properties\nJkMount /* {mounted}\n"
    inventory = web(jk_conf=conf, files={WORKERS: source.read_bytes()})(tmp_path)
    assert_says(judge(inventory, "CC603"), expected)


def test_corpus_mounts_to_status_workers_missing_from_worker_list(
    tmp_path: Path, corpus_dir: Path
) -> None:
    """One project's own httpd file and workers file: two of its mounts give HTTP 500."""
    (conf,) = (corpus_dir / "jkconf").glob("09_cornBuddy_*")
    (workers,) = (corpus_dir / "workers").glob("10_cornBuddy_*")
    files = {
        JK_CONF: conf.read_bytes(),
        "/etc/libapache2-mod-jk/workers.properties": workers.read_bytes(),
    }
    results = judge(web(files=files)(tmp_path), "CC603")
    assert_says(
        results,
        (
            ("CC6033", "fail", "worker jk-status is not in worker.list"),
            ("CC6033", "fail", "worker jk-manager is not in worker.list"),
        ),
    )
    assert {r.line for r in results if r.status.is_finding} == {12, 19}
