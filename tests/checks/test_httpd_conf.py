"""CC603 on a node whose inventory names httpd's main file (apache.httpd_conf): what reading
httpd's whole configuration finds is reported, also where httpd does not use mod_jk, and a
jk_conf httpd does not read fails."""

from __future__ import annotations

from pathlib import Path

from clusterfiles import build, judge

CONF = "/etc/httpd/conf/httpd.conf"
MPM = "LoadModule mpm_event_module modules/mod_mpm_event.so\n"


def cc603(tmp: Path, files: dict[str, str], **apache: str) -> list[tuple[str, str, str]]:
    """(member code, status, message) of every result of the CC603 family."""
    node = {"host": "10.0.0.1", "roles": ["apache"], "apache": {"httpd_conf": CONF, **apache}}
    inventory = build(tmp, {"web1": node}, {"web1": files})
    return [(r.code, r.status.value, r.message) for r in judge(inventory, "CC603")]


def test_a_node_without_mod_jk_is_skipped_with_what_httpd_s_reading_found(
    tmp_path: Path,
) -> None:
    files = {CONF: MPM + "Include conf.d/*.conf\nServerAdmin ${ADMIN}\n"}
    (tmp_path / "web1/etc/httpd/conf.d").mkdir(parents=True)
    found = cc603(tmp_path, files)
    skipped = {code for code, status, message in found if status == "skip"}
    assert len(skipped) == 7  # every member: "httpd does not use mod_jk"
    assert {m for _c, status, m in found if status == "skip"} == {
        f"httpd does not use mod_jk: {CONF} reads no Jk directive"
    }
    findings = [(code, status, m) for code, status, m in found if status != "skip"]
    assert [(code, status) for code, status, _m in findings] == [
        ("CC6032", "fail"),
        ("CC6034", "warn"),
    ]
    assert findings[0][2] == (
        "No matches for the wildcard '*.conf' in '/etc/httpd/conf.d', failing: httpd refuses "
        "to start"
    )
    assert findings[1][2].startswith("${ADMIN} is set by no Define above it: httpd keeps")


def test_a_jk_conf_httpd_does_not_read_fails(tmp_path: Path) -> None:
    jk_conf = "/etc/httpd/conf.d/mod_jk.conf"
    files = {
        CONF: MPM + "<IfDefine JK>\nInclude conf.d/mod_jk.conf\n</IfDefine>\n",
        jk_conf: "JkWorkersFile conf/workers.properties\nJkMount /* lb\n",
        "/etc/httpd/conf/workers.properties": "worker.list=lb\nworker.lb.type=lb\n"
        "worker.lb.balance_workers=t1\nworker.t1.host=10.0.0.11\n",
    }
    found = cc603(tmp_path, files, jk_conf=jk_conf)
    assert (
        "CC6034",  # jk-ineffective-setting: its Jk directives have no effect
        "fail",
        f"httpd does not read this file: no Include read from {CONF} names it (or "
        "only inside a condition that does not hold), so its Jk directives have no effect; "
        "the inventory's apache.jk_conf names it",
    ) in found
