"""httpd's own reading of its configuration (`apache2 -t -D DUMP_CONFIG`, mod_info's dump of
the tree it keeps) against clustercheck's (collect.apache with the inventory's httpd_conf),
directive by directive, file, line and sections included: Includes (inside sections, with
wildcards, of folders), Define and ${VAR}, the read-time conditions; and the MPM's start-up
corrections (AH00513...) that `apache2 -t` prints against knowledge.httpd's.

Skipped without Debian's apache2 (tests/realhttpd.py `need_httpd`), a failure in CI."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from realhttpd import MOD_INFO, MODULES, config_test, need_httpd

from clustercheck.collect.apache import gather_apache, gather_httpd_build
from clustercheck.collect.reader import NodeReader
from clustercheck.collect.transports.localfs import LocalTransport
from clustercheck.facts.files import ApacheFacts
from clustercheck.inventory.settings import ApacheSettings, NodeSettings
from clustercheck.knowledge.httpd import MPMS, mpm_limits
from clustercheck.parsers.httpd_build import HttpdProcess
from clustercheck.parsers.text import Kind

# executed while httpd reads (EXEC_ON_READ): never in the tree mod_info dumps
READ_TIME = {"define", "undefine", "serverroot", "defaultruntimedir", "loadmodule", "loadfile"}


@pytest.fixture(autouse=True)
def _httpd() -> None:
    need_httpd()
    if not MOD_INFO.exists():
        pytest.skip(f"needs {MOD_INFO}")


def head(root: Path, port: int = 18090) -> str:
    """The lines every configuration here starts with: enough for `apache2 -t` to pass."""
    return (
        f"ServerRoot {root}\nServerName localhost\nListen 127.0.0.1:{port}\n"
        f"PidFile {root}/httpd.pid\nErrorLog {root}/error.log\n"
        f"LoadModule mpm_event_module {MODULES}/mod_mpm_event.so\n"
        f"LoadModule info_module {MOD_INFO}\n"
        f"LoadModule authz_core_module {MODULES}/mod_authz_core.so\n"
    )


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "httpd.conf"


def ours(conf: Path, defines: tuple[str, ...] = ("DUMP_CONFIG",)) -> ApacheFacts:
    """clustercheck's reading, with what the local apache2 says of itself (-v, -l) and httpd
    started as the test starts it (-f CONF -D DUMP_CONFIG)."""
    local = LocalTransport()
    build = gather_httpd_build(local, NodeSettings("web1", "localhost", ("apache",)))
    assert build is not None and build.version and build.static_modules
    build = dataclasses.replace(build, processes=(HttpdProcess(str(conf), None, defines),))
    settings = ApacheSettings(httpd_conf=str(conf))
    return gather_apache(NodeReader(local), settings, build=build)


def kept(facts: ApacheFacts) -> list[tuple[str, int, str, str, tuple[str, ...]]]:
    return [
        (d.file, d.line, d.name, d.raw.strip(), d.sections)
        for d in facts.directives
        if d.lname not in READ_TIME
    ]


CASES = {
    "define-and-variables": {
        "httpd.conf": "Define Port 8080\nDefine BARE\nServerAdmin ${port}@x\n"
        "ServerAdmin ${UNDEFINED}\nServerAdmin ${with:colon}\nUnDefine Port\n"
        "ServerAdmin ${Port}\n<IfDefine BARE>\nServerAdmin bare\n</IfDefine>\n"
        "<IfDefine !Port>\nServerAdmin undefined\n</IfDefine>\n",
    },
    "define-inside-a-false-condition-does-not-apply": {
        "httpd.conf": "<IfDefine NOPE>\nDefine LATER yes\n</IfDefine>\n"
        "<IfDefine LATER>\nServerAdmin later\n</IfDefine>\nServerAdmin ${LATER}\n",
    },
    "ifmodule-by-name-and-source-and-order": {
        "httpd.conf": "<IfModule alias_module>\nServerAdmin before\n</IfModule>\n"
        f"LoadModule alias_module {MODULES}/mod_alias.so\n"
        "<IfModule mod_alias.c>\nAlias /a /tmp\n</IfModule>\n"
        "<IfModule !mod_jk.c>\nServerAdmin nojk\n</IfModule>\n"
        "<IfModule event.c>\nThreadsPerChild 25\n</IfModule>\n"
        "<IfModule version_module>\nServerAdmin linked-in\n</IfModule>\n",
    },
    "include-inside-a-missing-module-is-not-read": {
        "httpd.conf": "<IfModule jk_module>\nInclude broken.conf\n</IfModule>\n"
        "<IfModule !jk_module>\nInclude fine.conf\n</IfModule>\n",
        "broken.conf": "<VirtualHost\nThis is no directive\n",
        "fine.conf": "ServerAdmin fine\n",
    },
    "include-carries-the-sections-around-it": {
        "httpd.conf": "<VirtualHost *:18090>\nServerName v\nInclude vhost.d/*.conf\n"
        "<Location /x>\nInclude loc.conf\n</Location>\n</VirtualHost>\n",
        "vhost.d/b.conf": "ServerAlias b\n<IfModule mpm_event_module>\nServerAlias c\n"
        "</IfModule>\n",
        "vhost.d/a.conf": "ServerAlias a\n<Directory /tmp>\nRequire all granted\n</Directory>\n",
        "vhost.d/.hidden.conf": "ServerAlias hidden\n",
        "loc.conf": "Require all denied\n",
    },
    "include-of-a-folder-reads-it-whole-and-sorted": {
        "httpd.conf": "Include conf.d\nIncludeOptional missing/*.conf\nIncludeOptional nope.conf\n",
        "conf.d/b.conf": "ServerAdmin b\n",
        "conf.d/a/z.conf": "ServerAdmin a-z\n",
        "conf.d/.dot": "ServerAdmin dot\n",
    },
    "wildcards-in-folders": {
        "httpd.conf": "Include sites/*/site.conf\n",
        "sites/one/site.conf": "ServerAdmin one\n",
        "sites/two/site.conf": "ServerAdmin two\n",
        "sites/file/site.conf": "ServerAdmin file\n",
    },
    "ifversion": {
        "httpd.conf": "<IfVersion >= 2.4>\nServerAdmin ge24\n</IfVersion>\n"
        "<IfVersion = 2.4>\nServerAdmin eq240\n</IfVersion>\n"
        "<IfVersion < 2.3>\nServerAdmin old\n</IfVersion>\n"
        "<IfVersion ~ ^2\\.4\\.>\nServerAdmin regex\n</IfVersion>\n"
        "<IfVersion !~ ^2\\.2>\nServerAdmin notregex\n</IfVersion>\n"
        "<IfVersion 2>\nServerAdmin two\n</IfVersion>\n",
    },
    "iffile-ifdirective-ifsection": {
        "httpd.conf": "<IfFile httpd.conf>\nServerAdmin file\n</IfFile>\n"
        "<IfFile !/no/such/file>\nServerAdmin nofile\n</IfFile>\n"
        "<IfDirective JkMount>\nServerAdmin jk\n</IfDirective>\n"
        "<IfDirective !JkMount>\nServerAdmin nojk\n</IfDirective>\n"
        "<IfDirective ThreadsPerChild>\nServerAdmin threads\n</IfDirective>\n"
        "<IfDirective MinSpareServers>\nServerAdmin prefork\n</IfDirective>\n"
        "<IfSection VirtualHost>\nServerAdmin vhost\n</IfSection>\n"
        "<IfSection !Proxy>\nServerAdmin noproxy\n</IfSection>\n",
    },
    "nested-conditions": {
        "httpd.conf": "<IfModule mpm_event_module>\n<IfDefine DUMP_CONFIG>\nDefine D 1\n"
        "ServerAdmin both\n</IfDefine>\n<IfDefine !DUMP_CONFIG>\nServerAdmin never\n"
        "</IfDefine>\n</IfModule>\nServerAdmin ${D}\n",
    },
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_clustercheck_keeps_what_httpd_keeps(tmp_path: Path, name: str) -> None:
    files = dict(CASES[name])
    files["httpd.conf"] = head(tmp_path) + files["httpd.conf"]
    conf = write(tmp_path, files)
    httpd = config_test(conf)
    assert httpd.ok, httpd.output
    facts = ours(conf)
    assert kept(facts) == httpd.kept
    refusals = [p for p in facts.problems if p.kind is Kind.REFUSES_TO_START]
    assert refusals == []


def test_an_undefined_variable_stays_and_httpd_warns(tmp_path: Path) -> None:
    conf = write(tmp_path, {"httpd.conf": head(tmp_path) + "ServerAdmin ${CC_UNDEFINED}x\n"})
    httpd = config_test(conf)
    assert "AH00111: Config variable ${CC_UNDEFINED} is not defined" in httpd.output
    assert ("ServerAdmin", "${CC_UNDEFINED}x") in [(k[2], k[3]) for k in httpd.kept]
    problems = [p for p in ours(conf).problems if "CC_UNDEFINED" in p.message]
    assert [(p.line, p.kind) for p in problems] == [(9, Kind.MAY_MEAN_SOMETHING_ELSE)]
    assert "AH00111" in problems[0].message


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Include nowhere.conf\n", "Could not open configuration file"),
        ("Include conf.d/*.conf\n", "No matches for the wildcard '*.conf'"),
        ("Include nowhere/*.conf\n", "Could not open directory"),
        ("Define A:B 1\n", "Variable name must not contain ':'"),
        (f"LoadModule version_module {MODULES}/mod_version.so\n", "is built-in and can't be"),
        ("<IfVersion >= 2.x>\nServerAdmin x\n</IfVersion>\n", "Version appears to be invalid"),
        ("<IfModule>\nServerAdmin x\n</IfModule>\n", "directive requires additional arguments"),
        (
            "ThreadsPerChild 25\n<VirtualHost *:80>\nServerLimit 4\n</VirtualHost>\n",
            "cannot occur within <VirtualHost> section",
        ),
        (f"LoadModule mpm_prefork_module {MODULES}/mod_mpm_prefork.so\n", "More than one MPM"),
    ],
)
def test_what_httpd_refuses_clustercheck_says_it_refuses(
    tmp_path: Path, text: str, said: str
) -> None:
    (tmp_path / "conf.d").mkdir()
    conf = write(tmp_path, {"httpd.conf": head(tmp_path) + text})
    httpd = config_test(conf, dump=False)
    assert not httpd.ok and said in httpd.output, httpd.output
    refusals = [p.message for p in ours(conf).problems if p.kind is Kind.REFUSES_TO_START]
    assert len(refusals) == 1 and said in refusals[0], refusals


@pytest.mark.parametrize(
    ("mpm", "mpm_lines"),
    [
        ("event", "ThreadsPerChild 30\nServerLimit 4\n"),
        ("event", "MaxRequestWorkers 450\nServerLimit 4\nThreadsPerChild 30\n"),
        ("event", "ThreadsPerChild 100\n"),
        ("event", "MaxClients 10\n"),
        ("event", "ServerLimit 0\nStartServers 0\n"),
        ("event", "ThreadLimit 20\nThreadsPerChild 25\nMaxRequestWorkers 100\n"),
        ("worker", "ThreadsPerChild 30\nServerLimit 4\n"),
        ("prefork", "MaxRequestWorkers 300\n"),
        ("prefork", "ServerLimit 10\nMaxRequestWorkers 0\n"),
    ],
)
def test_the_mpm_corrections_are_httpds(tmp_path: Path, mpm: str, mpm_lines: str) -> None:
    """`apache2 -t` logs each correction the MPM makes at start (AH00513, ...), with the
    values; knowledge.httpd makes the same ones, in the same order."""
    text = head(tmp_path).replace("mpm_event", f"mpm_{mpm}")
    conf = write(tmp_path, {"httpd.conf": text + mpm_lines})
    httpd = config_test(conf, dump=False)
    logged = re.findall(r"(AH\d{5}): WARNING: (\w+) of (-?\d+)", httpd.output)
    facts = ours(conf)
    assert facts.mpm is not None and facts.mpm.mpm is MPMS[f"mpm_{mpm}_module"]
    limits = mpm_limits(facts.mpm.mpm, {k: v.value for k, v in facts.mpm.values.items()})
    assert [(c.code, c.directive, str(c.given)) for c in limits.corrections] == logged
    assert logged
