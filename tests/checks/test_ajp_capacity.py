"""CC107 ajp-capacity on real-looking clusters: Red Hat's httpd layout (conf/httpd.conf,
conf.modules.d/00-mpm.conf, conf.d/), written here, and Debian's, copied from this machine's
/etc/apache2 (apache2.conf, envvars, mods-enabled links), each in front of Tomcat nodes whose
server.xml says how many connections their AJP connector takes."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from clusterfiles import build, judge, server_xml, tomcat_files

MODULES = "/usr/lib64/httpd/modules"
HTTPD_CONF = "/etc/httpd/conf/httpd.conf"
WORKERS = "/etc/httpd/conf/workers.properties"
DEBIAN = Path("/etc/apache2")
DEBIAN_WORKERS = "/etc/libapache2-mod-jk/workers.properties"

# Red Hat's httpd.conf, shortened: its Includes, in its order
RHEL_HTTPD_CONF = """\
ServerRoot "/etc/httpd"
Listen 80
Include conf.modules.d/*.conf
User apache
Group apache
ServerAdmin root@localhost
<Directory />
    AllowOverride none
    Require all denied
</Directory>
DocumentRoot "/var/www/html"
<IfModule dir_module>
    DirectoryIndex index.html
</IfModule>
ErrorLog "logs/error_log"
LogLevel warn
IncludeOptional conf.d/*.conf
"""
RHEL_BASE = """\
LoadModule authz_core_module modules/mod_authz_core.so
LoadModule dir_module modules/mod_dir.so
LoadModule log_config_module modules/mod_log_config.so
LoadModule unixd_module modules/mod_unixd.so
LoadModule version_module modules/mod_version.so
"""
MPM = {
    "event": "#LoadModule mpm_prefork_module modules/mod_mpm_prefork.so\n"
    "LoadModule mpm_event_module modules/mod_mpm_event.so\n",
    "prefork": "LoadModule mpm_prefork_module modules/mod_mpm_prefork.so\n"
    "#LoadModule mpm_event_module modules/mod_mpm_event.so\n",
}
MOD_JK_CONF = """\
LoadModule jk_module modules/mod_jk.so
<IfModule jk_module>
    JkWorkersFile conf/workers.properties
    JkShmFile /run/httpd/mod_jk.shm
    JkMount /shop/* lb
</IfModule>
"""
WORKERS_TEXT = """\
worker.list=lb
worker.template.type=ajp13
worker.template.port=8009
worker.template.secret=s3cret
{pool}worker.tomcat01.reference=worker.template
worker.tomcat01.host=10.0.0.11
worker.tomcat02.reference=worker.template
worker.tomcat02.host=10.0.0.12
worker.lb.type=lb
worker.lb.balance_workers=tomcat01,tomcat02
"""


def rhel_files(mpm: str = "event", tuning: str = "", pool: str = "") -> dict[str, str]:
    """A Red Hat httpd with mod_jk: `tuning` is conf.d/mpm.conf (inside the MPM's
    <IfModule>), `pool` lines of workers.properties before the workers."""
    files = {
        HTTPD_CONF: RHEL_HTTPD_CONF,
        "/etc/httpd/conf.modules.d/00-base.conf": RHEL_BASE,
        "/etc/httpd/conf.modules.d/00-mpm.conf": MPM[mpm],
        "/etc/httpd/conf.d/mod_jk.conf": MOD_JK_CONF,
        WORKERS: WORKERS_TEXT.format(pool=pool),
    }
    if tuning:
        module = f"mpm_{mpm}_module"
        files["/etc/httpd/conf.d/mpm.conf"] = f"<IfModule {module}>\n{tuning}</IfModule>\n"
    return files


def cluster(
    tmp: Path,
    apaches: Mapping[str, dict[str, str]],
    ajp: str = 'address="0.0.0.0" secret="s3cret"',
    version: str = "10.1.60",
    apache: Mapping[str, Any] | None = None,
) -> Path:
    """tomcat01 and tomcat02 with this AJP connector (its attributes), behind each apache."""
    nodes: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for index in (1, 2):
        name = f"tomcat0{index}"
        nodes[name] = {"host": f"10.0.0.1{index}", "roles": ["tomcat"]}
        files[name] = tomcat_files(name, version, ajp_extra=ajp)
    for index, (name, node_files) in enumerate(apaches.items()):
        settings = apache or {"httpd_conf": HTTPD_CONF}
        nodes[name] = {"host": f"10.0.0.{index + 1}", "roles": ["apache"], "apache": settings}
        files[name] = node_files
    return build(tmp, nodes, files)


def cc107(inventory: Path) -> list[tuple[str | None, str, str]]:
    return [(r.node, r.status.value, r.message) for r in judge(inventory, "CC107")]


def verdicts(results: list[tuple[str | None, str, str]]) -> set[tuple[str | None, str]]:
    return {(node, status) for node, status, _message in results}


def test_red_hat_event_defaults_warn_against_tomcat_defaults(tmp_path: Path) -> None:
    """Nothing tuned: event serves 400 at once in 16 processes of 25 threads, each with a pool
    of 25 per member; Tomcat serves 200."""
    results = cc107(cluster(tmp_path, {"web1": rhel_files()}))
    assert verdicts(results) == {("tomcat01", "warn"), ("tomcat02", "warn")}
    message = next(m for node, _s, m in results if node == "tomcat01")
    assert message.startswith(
        "AJP connector on port 8009 of tomcat01: the front ends can open 400 connections to it "
        "(web1 400 = 16 processes x 25 (MaxRequestWorkers 400 (default), ThreadsPerChild 25 "
        "(default), ServerLimit 16 (default); worker.tomcat01.connection_pool_size 25 "
        "(default))), more than the maxThreads 200 (default) that serve them"
    )
    assert "All threads (200) are currently busy" in message


@pytest.mark.parametrize(
    ("case", "apaches", "ajp", "expected", "fragment"),
    [
        (
            "event sized to the connector",
            {"web1": rhel_files(tuning="MaxRequestWorkers 150\n")},
            'secret="s3cret"',
            "pass",
            "can open 150 connections",
        ),
        (
            "a pool smaller than the threads",
            {"web1": rhel_files(pool="worker.template.connection_pool_size=10\n")},
            'secret="s3cret"',
            "pass",
            "16 processes x 10",
        ),
        (
            "prefork: 256 processes of one thread",
            {"web1": rhel_files("prefork")},
            'secret="s3cret"',
            "warn",
            "256 processes x 1",
        ),
        (
            "past maxConnections and acceptCount",
            {"web1": rhel_files()},
            'secret="s3cret" maxConnections="300" acceptCount="50"',
            "fail",
            "maxConnections 300 at /opt/tomcat/conf/server.xml:5 + acceptCount 50 at "
            "/opt/tomcat/conf/server.xml:5 = 350",
        ),
        (
            "two front ends add up",
            {"web1": rhel_files(tuning="MaxRequestWorkers 150\n"), "web2": rhel_files()},
            'secret="s3cret" maxThreads="500" maxConnections="400"',
            "fail",
            "can open 550 connections",
        ),
        (
            "no connection limit",
            {"web1": rhel_files()},
            'secret="s3cret" maxThreads="400" maxConnections="-1"',
            "pass",
            "maxConnections -1 at /opt/tomcat/conf/server.xml:5 (no limit)",
        ),
    ],
)
def test_what_the_front_ends_open_against_the_connector(
    tmp_path: Path,
    case: str,
    apaches: dict[str, dict[str, str]],
    ajp: str,
    expected: str,
    fragment: str,
) -> None:
    results = cc107(cluster(tmp_path, apaches, ajp))
    mine = [(s, m) for node, s, m in results if node == "tomcat01"]
    assert [s for s, _m in mine] == [expected], case
    assert fragment in mine[0][1], mine[0][1]


def executor_server_xml(connector_executor: str) -> str:
    text = server_xml("tomcat01", ajp_extra=f'secret="s3cret" maxThreads="100"{connector_executor}')
    executor = '<Executor name="ajpPool" namePrefix="ajp-" maxThreads="500"/>\n    '
    return text.replace('<Connector port="8080"', executor + '<Connector port="8080"', 1)


@pytest.mark.parametrize(
    ("attribute", "expected", "fragment"),
    [
        (' executor="ajpPool"', "pass", "<Executor ajpPool> maxThreads 500 at"),
        ("", "warn", "maxThreads 100 at"),
        (' executor="elsewhere"', "warn", "maxThreads 100 at"),
    ],
)
def test_an_executor_s_threads_win_over_the_connector_s(
    tmp_path: Path, attribute: str, expected: str, fragment: str
) -> None:
    inventory = cluster(tmp_path, {"web1": rhel_files()})
    (tmp_path / "tomcat01/opt/tomcat/conf/server.xml").write_text(executor_server_xml(attribute))
    mine = [(s, m) for node, s, m in cc107(inventory) if node == "tomcat01"]
    assert [s for s, _m in mine] == [expected]
    assert fragment in mine[0][1]


def test_tomcat_7_s_blocking_connector_holds_a_thread_per_connection(tmp_path: Path) -> None:
    results = cc107(cluster(tmp_path, {"web1": rhel_files()}, version="7.0.109"))
    status, message = next((s, m) for node, s, m in results if node == "tomcat01")
    assert status == "fail"
    assert "maxConnections (as maxThreads) 200 (default) + acceptCount 100 (default) = 300" in (
        message
    )


def test_what_httpd_changes_of_its_mpm_settings_warns(tmp_path: Path) -> None:
    tuning = "ServerLimit 4\nThreadsPerChild 25\nMaxRequestWorkers 450\n"
    results = cc107(cluster(tmp_path, {"web1": rhel_files(tuning=tuning)}))
    web1 = [(s, m) for node, s, m in results if node == "web1"]
    assert web1 == [
        (
            "warn",
            "httpd lowers MaxRequestWorkers 450 to 100 at start (AH00515: would need 18 "
            "processes, above ServerLimit 4)",
        )
    ]
    assert ("tomcat01", "pass") in verdicts(results)


def test_a_mod_jk_pool_under_prefork_warns(tmp_path: Path) -> None:
    files = rhel_files("prefork", pool="worker.template.connection_pool_size=5\n")
    results = cc107(cluster(tmp_path, {"web1": files}))
    web1 = sorted(m for node, s, m in results if node == "web1" and s == "warn")
    assert web1 == [
        f"worker.{name}.connection_pool_size 5 under the prefork MPM: each httpd process serves "
        "one request at a time and uses one connection (mod_jk: do not use values higher than "
        "1 with prefork)"
        for name in ("tomcat01", "tomcat02")
    ]


def test_without_httpd_conf_the_capacity_is_unknown(tmp_path: Path) -> None:
    files = rhel_files()
    files["/etc/httpd/conf.d/mod_jk.conf"] = (
        "JkWorkersFile conf/workers.properties\nJkMount /* lb\n"
    )
    apache = {"jk_conf": "/etc/httpd/conf.d/mod_jk.conf"}
    results = cc107(cluster(tmp_path, {"web1": files}, apache=apache))
    assert verdicts(results) == {("tomcat01", "skip"), ("tomcat02", "skip")}
    assert all("set apache.httpd_conf" in m for _n, _s, m in results)


def test_no_front_end_member_is_a_skip(tmp_path: Path) -> None:
    inventory = build(
        tmp_path,
        {"tomcat01": {"host": "10.0.0.11", "roles": ["tomcat"]}},
        {"tomcat01": tomcat_files()},
    )
    assert [(s, m) for _n, s, m in cc107(inventory)] == [
        ("skip", "no front-end member matches a Tomcat node's AJP connector (see CC101)")
    ]


# --- Debian's layout, as installed on this machine ---------------------------------------------


def debian_copy(tmp: Path, name: str, mpm_event: str | None = None) -> dict[str, str]:
    """This machine's /etc/apache2 (links kept) under tmp/NAME, and the files that make its
    mod_jk point at the test's Tomcats."""
    if not (DEBIAN / "apache2.conf").exists() or not (DEBIAN / "mods-enabled/jk.conf").exists():
        pytest.skip("needs Debian's apache2 with libapache2-mod-jk enabled in /etc/apache2")
    shutil.copytree(DEBIAN, tmp / name / "etc/apache2", symlinks=True)
    files = {DEBIAN_WORKERS: WORKERS_TEXT.format(pool="")}
    if mpm_event is not None:
        files["/etc/apache2/mods-available/mpm_event.conf"] = textwrap.dedent(mpm_event)
    return files


def test_debian_s_own_layout(tmp_path: Path) -> None:
    """apache2.conf's IncludeOptional of mods-enabled/*.load and *.conf, envvars' variables,
    the event MPM's settings in mods-available/mpm_event.conf (reached through a link)."""
    tuning = "<IfModule mpm_event_module>\nThreadsPerChild 25\nMaxRequestWorkers 150\n</IfModule>\n"
    web1 = debian_copy(tmp_path, "web1", tuning)
    web2 = debian_copy(tmp_path, "web2", tuning)
    apache = {"httpd_conf": "/etc/apache2/apache2.conf"}
    results = cc107(cluster(tmp_path, {"web1": web1}, apache=apache))
    assert verdicts(results) == {("tomcat01", "pass"), ("tomcat02", "pass")}
    assert any("web1 150 = 6 processes x 25" in m for _n, _s, m in results)
    both = cc107(cluster(tmp_path, {"web1": web1, "web2": web2}, apache=apache))
    assert verdicts(both) == {("tomcat01", "warn"), ("tomcat02", "warn")}
