"""httpd's configuration read from the inventory's httpd_conf (collect.apache over
parsers.httpd_eval) on files-transport nodes: what httpd knows before its first line (the
inventory, the binary, Debian's envvars, the build the layout suggests), what clustercheck
cannot know and says so, the jk_conf the inventory names, and the sections an Include carries
in both readings. tests/parsers/test_httpd_real.py holds the same reading against httpd's."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from clustercheck.collect.apache import gather_apache, gather_httpd_build
from clustercheck.collect.reader import NodeReader
from clustercheck.collect.transports.localfs import FilesTransport, LocalTransport
from clustercheck.facts.files import ApacheFacts
from clustercheck.inventory.settings import ApacheSettings, NodeSettings
from clustercheck.knowledge import httpd as knowledge
from clustercheck.parsers.httpd_build import HttpdBuild, HttpdProcess, parse_httpd_build
from clustercheck.parsers.text import Kind

CONF = "/etc/httpd/conf/httpd.conf"
HEAD = "ServerRoot /etc/httpd\nLoadModule mpm_event_module modules/mod_mpm_event.so\n"


def gathered(
    tmp: Path,
    files: Mapping[str, str],
    build: HttpdBuild | None = None,
    settings: Mapping[str, Any] | None = None,
) -> ApacheFacts:
    for path, text in files.items():
        target = tmp / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    apache = ApacheSettings(**({"httpd_conf": CONF} | dict(settings or {})))
    return gather_apache(NodeReader(FilesTransport(str(tmp))), apache, build=build)


def problems(facts: ApacheFacts) -> list[tuple[str, int | None, Kind, str]]:
    return [(p.file, p.line, p.kind, p.message) for p in facts.problems]


@pytest.mark.parametrize("settings", [{"httpd_conf": CONF}, {"jk_conf": CONF}])
def test_an_include_inside_a_virtualhost_puts_its_jkmounts_there(
    tmp_path: Path, settings: dict[str, str]
) -> None:
    files = {
        CONF: HEAD + "LoadModule jk_module modules/mod_jk.so\nJkMount /all lb\n"
        "<VirtualHost *:443>\nJkMountCopy On\nInclude conf.d/shop-mounts.conf\n</VirtualHost>\n",
        "/etc/httpd/conf.d/shop-mounts.conf": "JkMount /shop/* lb\n",
    }
    facts = gathered(tmp_path, files, settings=settings)
    assert facts.jk is not None
    assert [(m.pattern, m.vhost) for m in facts.jk.mounts] == [("/all", None), ("/shop/*", "*:443")]


def test_the_jk_directives_are_found_from_httpd_conf_alone(tmp_path: Path) -> None:
    files = {
        CONF: HEAD + "IncludeOptional conf.d/*.conf\n",
        "/etc/httpd/conf.d/mod_jk.conf": "LoadModule jk_module modules/mod_jk.so\n"
        "<IfModule jk_module>\nJkWorkersFile conf/workers.properties\nJkMount /* lb\n"
        "</IfModule>\n<IfModule !jk_module>\nJkMount /never lb\n</IfModule>\n",
        "/etc/httpd/conf/workers.properties": "worker.list=lb\nworker.lb.type=lb\n"
        "worker.lb.balance_workers=t1\nworker.t1.host=10.0.0.11\n",
    }
    facts = gathered(tmp_path, files)
    assert facts.jk is not None and [m.pattern for m in facts.jk.mounts] == ["/*"]
    assert facts.workers is not None and "t1" in facts.workers.workers
    assert facts.files_read == [CONF, "/etc/httpd/conf.d/mod_jk.conf"]


@pytest.mark.parametrize(
    ("include", "read"),
    [
        ("Include conf.d/mod_jk.conf\n", True),
        ("<IfModule jk_module>\nInclude conf.d/mod_jk.conf\n</IfModule>\n", False),
        ("", False),
    ],
)
def test_the_inventory_s_jk_conf_must_be_read_by_httpd(
    tmp_path: Path, include: str, read: bool
) -> None:
    jk_conf = "/etc/httpd/conf.d/mod_jk.conf"
    files = {CONF: HEAD + include, jk_conf: "JkMount /* lb\n"}
    facts = gathered(tmp_path, files, settings={"jk_conf": jk_conf})
    said = [p for p in facts.problems if p.file == jk_conf]
    if read:
        assert said == []
    else:
        assert [(p.kind, p.message.split(":")[0]) for p in said] == [
            (Kind.MEANS_SOMETHING_ELSE, "httpd does not read this file")
        ]


def test_a_define_from_the_command_line(tmp_path: Path) -> None:
    """-D of the running httpd started with this file decides <IfDefine>; unknown, it is read
    as not defined, and said."""
    files = {CONF: HEAD + "<IfDefine SSL>\nJkMount /ssl lb\n</IfDefine>\n"}
    started = HttpdProcess(CONF, None, ("SSL", "FOREGROUND"))
    running = HttpdBuild("/usr/sbin/httpd", "2.4.57", ("core.c", "mod_so.c"), (started,))
    facts = gathered(tmp_path, files, build=running)
    assert facts.jk is not None and [m.pattern for m in facts.jk.mounts] == ["/ssl"]
    assert problems(facts) == []
    facts = gathered(tmp_path, files)
    assert facts.jk is not None and facts.jk.mounts == []
    assert problems(facts) == [
        (
            CONF,
            3,
            Kind.MAY_MEAN_SOMETHING_ELSE,
            "cannot tell whether httpd reads what <IfDefine SSL> holds: no Define above it sets "
            "SSL, and httpd's command line (-D) is not known; read as not holding",
        )
    ]


@pytest.mark.parametrize(
    ("condition", "version", "read", "warned"),
    [
        ("<IfVersion >= 2.4>", None, True, False),
        ("<IfVersion < 2.3>", None, False, False),
        ("<IfVersion >= 2.4.42>", None, False, True),
        ("<IfVersion >= 2.4.42>", "2.4.57", True, False),
        ("<IfVersion >= 2.4.42>", "2.4.37", False, False),
    ],
)
def test_ifversion_with_and_without_the_version(
    tmp_path: Path, condition: str, version: str | None, read: bool, warned: bool
) -> None:
    files = {CONF: HEAD + f"{condition}\nJkMount /v lb\n</IfVersion>\n"}
    facts = gathered(tmp_path, files, settings={"version": version} if version else None)
    assert facts.jk is not None and bool(facts.jk.mounts) is read
    assert bool(facts.problems) is warned
    if warned:
        assert "set apache.version" in facts.problems[0].message


def test_debian_s_envvars_give_variables_and_arguments(tmp_path: Path) -> None:
    conf = "/etc/apache2/apache2.conf"
    files = {
        conf: "LoadModule mpm_event_module /usr/lib/apache2/modules/mod_mpm_event.so\n"
        "Include ${APACHE_CONFDIR}/jk.conf\n<IfDefine JK>\nJkMount /jk lb\n</IfDefine>\n"
        "ErrorLog ${APACHE_LOG_DIR}/error.log\nCustomLog ${NOT_IN_ENVVARS}/x.log combined\n",
        "/etc/apache2/jk.conf": "JkMount /conf lb\n",
        "/etc/apache2/envvars": "unset HOME\nexport APACHE_LOG_DIR=/var/log/apache2$SUFFIX\n"
        "export APACHE_CONFDIR=/etc/apache2\nexport APACHE_ARGUMENTS='-D JK'\n",
    }
    facts = gathered(tmp_path, files, settings={"httpd_conf": conf})
    assert facts.jk is not None and [m.pattern for m in facts.jk.mounts] == ["/conf", "/jk"]
    error_log = next(d for d in facts.directives if d.lname == "errorlog")
    assert error_log.args == ("/var/log/apache2/error.log",)
    assert problems(facts) == [
        (
            conf,
            7,
            Kind.MAY_MEAN_SOMETHING_ELSE,
            "${NOT_IN_ENVVARS} is set by no Define above it nor in /etc/apache2/envvars: httpd "
            "keeps '${NOT_IN_ENVVARS}' as written (AH00111: Config variable ${NOT_IN_ENVVARS} is "
            "not defined), unless its environment has NOT_IN_ENVVARS",
        )
    ]
    assert facts.startup is not None and facts.startup.static_known.source == "Debian's apache2"


def test_an_include_httpd_cannot_follow_inside_a_condition_only_may_stop_it(
    tmp_path: Path,
) -> None:
    """With jk_conf nothing is decided: a missing Include inside <IfDefine> may stop httpd."""
    files = {
        CONF: "<IfDefine X>\nInclude conf.d/gone.conf\n</IfDefine>\nInclude conf.d/gone.conf\n"
    }
    facts = gathered(tmp_path, files, settings={"httpd_conf": "", "jk_conf": CONF})
    gone = "/etc/httpd/conf.d/gone.conf"
    assert [(p.line, p.kind) for p in facts.problems] == [
        (2, Kind.MAY_MEAN_SOMETHING_ELSE),
        (4, Kind.REFUSES_TO_START),
    ]
    assert facts.problems[1].message == (
        f"Could not open configuration file {gone}: No such file or directory: httpd refuses "
        "to start"
    )


@pytest.mark.parametrize(
    ("mpm", "lines", "refused"),
    [
        ("prefork", "ThreadsPerChild 25\n", "Invalid command 'ThreadsPerChild'"),
        ("event", "<Location />\nMaxRequestWorkers 10\n</Location>\n", "not allowed here"),
        ("event", "ServerLimit\n", "ServerLimit takes one argument, got 0"),
    ],
)
def test_mpm_directives_httpd_refuses(tmp_path: Path, mpm: str, lines: str, refused: str) -> None:
    files = {CONF: f"LoadModule mpm_{mpm}_module modules/mod_mpm_{mpm}.so\n" + lines}
    facts = gathered(tmp_path, files)
    said = [p for p in facts.problems if p.kind is Kind.REFUSES_TO_START]
    assert len(said) == 1 and refused in said[0].message


def test_no_mpm_is_only_a_possibility_when_the_build_is_assumed(tmp_path: Path) -> None:
    facts = gathered(tmp_path, {CONF: "ServerName x\n"})
    assert [(p.kind, p.message) for p in facts.problems] == [
        (
            Kind.MAY_MEAN_SOMETHING_ELSE,
            "no LoadModule loads an MPM: unless httpd links one in, which Red Hat's httpd does "
            "not, httpd refuses to start (No MPM loaded.)",
        )
    ]
    linked = HttpdBuild("/usr/local/apache2/bin/httpd", "2.4.62", ("core.c", "event.c"))
    facts = gathered(tmp_path, {CONF: "ServerName x\n"}, build=linked)
    assert facts.problems == []
    assert facts.mpm is not None and facts.mpm.mpm is knowledge.EVENT


@pytest.mark.parametrize(
    ("path", "windows", "build"),
    [
        ("/etc/apache2/apache2.conf", False, knowledge.DEBIAN),
        ("/etc/httpd/conf/httpd.conf", False, knowledge.RED_HAT),
        ("C:/Apache24/conf/httpd.conf", True, knowledge.WINDOWS),
        ("/usr/local/apache2/conf/httpd.conf", False, knowledge.UPSTREAM),
    ],
)
def test_the_build_a_layout_suggests(
    path: str, windows: bool, build: knowledge.StaticModules
) -> None:
    assert knowledge.static_modules_for(path, windows) is build


def test_the_build_script_output() -> None:
    text = (
        "== binary\n/usr/sbin/httpd\n== version\nServer version: Apache/2.4.57 (Red Hat "
        "Enterprise Linux)\nServer built:   Mar  1 2024\n== modules\nCompiled in modules:\n"
        "  core.c\n  mod_so.c\n  http_core.c\n== processes\n/usr/sbin/httpd -DFOREGROUND\n"
        "/usr/sbin/httpd -DFOREGROUND\n/usr/sbin/httpd -f /etc/httpd/other.conf -D X\n"
        "/usr/bin/python3 /opt/tool.py httpd\n"
    )
    assert parse_httpd_build(text) == HttpdBuild(
        "/usr/sbin/httpd",
        "2.4.57",
        ("core.c", "mod_so.c", "http_core.c"),
        (
            HttpdProcess(None, None, ("FOREGROUND",)),
            HttpdProcess("/etc/httpd/other.conf", None, ("X",)),
        ),
    )
    assert parse_httpd_build("== binary\n== processes\n").error is not None


def test_the_local_apache2_is_asked() -> None:
    """This machine's apache2 (Debian's, installed for the tests) answers the build script."""
    build = gather_httpd_build(LocalTransport(), NodeSettings("web1", "localhost", ("apache",)))
    if build is None or build.binary is None:
        pytest.skip("no httpd binary on this machine")
    assert build.error is None and build.version is not None
    assert build.static_modules is not None and "core.c" in build.static_modules
