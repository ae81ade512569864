"""CC104 frontend-build on real module files (Debian's mod_jk.so and mod_proxy_ajp.so, and copies
of them patched the way a module built for httpd 2.2 differs), real `apache2 -M` output, and the
process and socket tables a live run records; and the real apache2 refusing the module CC104
fails."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest
from clusterfiles import build
from realhttpd import APACHE2, AUTHZ, MOD_JK, MODULES, PREFORK, need_httpd
from support import REPO

from clustercheck.collect.gather import gather
from clustercheck.engine.registry import load_checks, select
from clustercheck.engine.results import Result
from clustercheck.engine.runner import run_checks
from clustercheck.facts.runtime import Listener, RuntimeFacts, ServerProcess
from clustercheck.inventory.loader import load_inventory
from clustercheck.parsers.httpd_build import HttpdBuild, HttpdProcess
from clustercheck.parsers.httpd_module import parse_loaded_modules

CONF = "/etc/httpd/conf/httpd.conf"
MOD_PROXY_AJP = MODULES / "mod_proxy_ajp.so"
FIXTURES = REPO / "tests/fixtures/httpd-M"
MPM = "LoadModule mpm_event_module modules/mod_mpm_event.so\n"
JK = MPM + "LoadModule jk_module modules/mod_jk.so\nListen 80\n"
PROXY = (
    MPM + "LoadModule proxy_module modules/mod_proxy.so\n"
    "LoadModule proxy_ajp_module modules/mod_proxy_ajp.so\nListen 80\n"
)
AP22 = (0x41503232, 20051115)  # httpd 2.2's MODULE_MAGIC_COOKIE and magic number major


def patched(module: Path, cookie: int | None, major: int | None) -> bytes:
    """The real module's bytes with its module structure's cookie and magic number major
    replaced (x86-64: the major at the structure's start, the cookie 40 bytes on)."""
    data = bytearray(module.read_bytes())
    at = data.find((0x41503234).to_bytes(4, "little"))
    assert at > 40
    if cookie is not None:
        data[at : at + 4] = cookie.to_bytes(4, "little")
    if major is not None:
        data[at - 40 : at - 36] = major.to_bytes(4, "little")
    return bytes(data)


def need_modules() -> None:
    need_httpd()
    if not MOD_PROXY_AJP.exists():
        pytest.skip(f"needs {MOD_PROXY_AJP}")


def judge(
    tmp: Path,
    conf: str,
    modules: dict[str, bytes],
    version: str | None = "2.4.71",
    live: dict[str, object] | None = None,
    **apache: str,
) -> list[Result]:
    """CC104 over one apache node read from files (httpd.conf and the module files under
    /etc/httpd/modules), with what a live run records laid into its facts as a snapshot gives
    them (`live`: LiveFacts fields)."""
    files: dict[str, str | bytes] = {CONF: conf}
    files.update({f"/etc/httpd/modules/{name}": data for name, data in modules.items()})
    section = {"httpd_conf": CONF, **apache}
    if version:
        section["version"] = version
    node = {"host": "10.0.0.1", "roles": ["apache"], "apache": section}
    facts = gather(load_inventory(build(tmp, {"web1": node}, {"web1": files})))
    if live is not None:
        web1 = facts.nodes["web1"]
        web1.recorded = True
        web1.live = dataclasses.replace(web1.live, **live)  # type: ignore[arg-type]
    return run_checks(select(load_checks(), ["CC104"]), facts)


def said(results: list[Result]) -> list[tuple[str, str]]:
    return [(r.status.value, r.message) for r in results]


def test_the_real_modules_fit_a_2_4_httpd(tmp_path: Path) -> None:
    need_modules()
    jk = judge(tmp_path / "jk", JK, {"mod_jk.so": MOD_JK.read_bytes()})
    proxy = judge(tmp_path / "proxy", PROXY, {"mod_proxy_ajp.so": MOD_PROXY_AJP.read_bytes()})
    assert [r.status.value for r in jk + proxy] == ["pass", "pass"], said(jk + proxy)
    assert jk[0].message.startswith("httpd 2.4.71 (event MPM); mod_jk 1.2.")
    assert "built for httpd 2.4 (AP24 20120211." in jk[0].message
    assert "mod_proxy_ajp built for httpd 2.4 (AP24 20120211." in proxy[0].message
    assert "not judged: whether httpd runs and listens (offline)" in jk[0].message


# (what the module file is, httpd's version, status, what the message must say)
CASES = [
    pytest.param(
        AP22,
        "2.4.71",
        "fail",
        "/etc/httpd/modules/mod_jk.so is mod_jk built for httpd 2.2 (AP22, module magic number "
        "20051115), and httpd 2.4.71 refuses it at start (\"API module structure 'jk_module' in "
        "file /etc/httpd/modules/mod_jk.so is garbled - expected signature 41503234 but saw "
        '41503232")',
        id="built-for-2.2",
    ),
    pytest.param(
        (None, 20051115),
        "2.4.71",
        "fail",
        '("Module "mod_jk.c" is not compatible with this version of Apache (found 20051115, '
        'need 20120211)")',
        id="another-magic-number",
    ),
    pytest.param(
        AP22,
        None,
        "warn",
        "refuses it at start (\"API module structure 'jk_module' in file "
        "/etc/httpd/modules/mod_jk.so is garbled - expected signature 41503234 but saw "
        "41503232\") (httpd's version is not known: set apache.version; 2.4 taken)",
        id="2.2-module-httpd-version-unknown",
    ),
    pytest.param(
        (None, None),
        "2.2.34",
        "fail",
        "is mod_jk built for httpd 2.4 (AP24, module magic number 20120211), and httpd 2.2.34 "
        "refuses it at start (\"API module structure 'jk_module' in file "
        '/etc/httpd/modules/mod_jk.so is garbled - expected signature 41503232 but saw 41503234")',
        id="2.4-module-in-2.2-httpd",
    ),
]


@pytest.mark.parametrize(("patch", "version", "status", "fragment"), CASES)
def test_a_module_built_for_another_httpd(
    tmp_path: Path,
    patch: tuple[int | None, int | None],
    version: str | None,
    status: str,
    fragment: str,
) -> None:
    need_modules()
    results = judge(tmp_path, JK, {"mod_jk.so": patched(MOD_JK, *patch)}, version)
    found = [(s, m) for s, m in said(results) if fragment in m]
    assert found and found[0][0] == status, said(results)
    assert (found[0][1]).startswith("LoadModule jk_module modules/mod_jk.so: ")
    assert results[0].file == CONF and results[0].line == 2


def test_an_httpd_2_2_warns_that_its_line_has_no_fixes(tmp_path: Path) -> None:
    need_modules()
    results = judge(tmp_path, JK, {"mod_jk.so": patched(MOD_JK, *AP22)}, "2.2.34")
    assert (
        "warn",
        "httpd 2.2.34: the 2.2 line has had no fixes since 2.2.34 (July 2017): "
        "upgrade to httpd 2.4",
    ) in said(results)
    assert [r.status.value for r in results] == ["warn"]  # the 2.2 module fits a 2.2 httpd


def test_releases_with_known_vulnerabilities_warn_when_they_matter(tmp_path: Path) -> None:
    """mod_proxy_ajp's fixes of 2.4.67 on 2.4.66; mod_jk 1.2.48's CVE-2023-41081 only with
    JkOptions +ForwardDirectories, the circumstance its announcement names."""
    need_modules()
    proxy = judge(tmp_path / "p", PROXY, {"mod_proxy_ajp.so": MOD_PROXY_AJP.read_bytes()}, "2.4.66")
    assert said(proxy) == [
        (
            "warn",
            "httpd 2.4.66 has known vulnerabilities that matter to this front end: "
            "CVE-2026-28780 (mod_proxy_ajp heap overflow on a crafted AJP reply, fixed in 2.4.67); "
            "CVE-2026-34032 (mod_proxy_ajp heap over-read on a crafted AJP message, fixed in "
            "2.4.67). Upgrade to 2.4.67 or later, unless the distribution's package carries these "
            "fixes under this version number",
        )
    ]
    old = judge(tmp_path / "o", PROXY, {"mod_proxy_ajp.so": MOD_PROXY_AJP.read_bytes()}, "2.4.48")
    assert old[0].details["cves"][:3] == ["CVE-2021-40438", "CVE-2022-26377", "CVE-2022-31813"]
    jk_only = judge(tmp_path / "j", JK, {"mod_jk.so": MOD_JK.read_bytes()}, "2.4.53")
    assert [r.status.value for r in jk_only] == ["pass"]  # mod_proxy not loaded: not its defects
    forwarding = JK + "JkOptions +ForwardDirectories\n"
    jk = judge(tmp_path / "f", forwarding, {"mod_jk.so": MOD_JK.read_bytes()})
    assert [(r.status.value, r.details.get("cves")) for r in jk] == [("warn", ["CVE-2023-41081"])]
    assert jk[0].message.startswith("mod_jk 1.2.48 has known vulnerabilities")


def test_the_seed_s_mod_jk_for_2_2_is_told_by_its_file_name(tmp_path: Path) -> None:
    """The how-to's LoadModule names a download for httpd 2.2 (注意版本, mind the version):
    without the file, its name is the evidence, and mod_jk 1.2.23's fixes since."""
    conf = (
        "<ifmodule !jk_module>\n"
        "LoadModule jk_module modules/mod_jk-1.2.23-apache-2.2.x-linux-i686.so\n"
        "</ifmodule>\n"
    )
    results = judge(tmp_path, conf, {}, None)
    assert [(r.status.value, r.line) for r in results] == [("warn", 2), ("warn", 2)]
    assert results[0].message == (
        "LoadModule jk_module modules/mod_jk-1.2.23-apache-2.2.x-linux-i686.so: the file name "
        "says mod_jk built for httpd 2.2, and httpd 2.4 refuses a module built for another line "
        "(httpd's version is not known: set apache.version; 2.4 taken); the file itself was not "
        "read"
    )
    assert results[1].details["cves"] == ["CVE-2008-5519", "CVE-2014-8111", "CVE-2018-11759"]


# --- what a live run records ------------------------------------------------------------------

HTTPD = ServerProcess(pid=4242, user="root", started_at=1_800_000_000.0, exe="/usr/sbin/apache2")
RUNNING = (HttpdProcess(CONF, None, ("FOREGROUND",)),)


def loaded(name: str) -> HttpdBuild:
    """What the node's apache2 said, with `apache2 -M`'s real output from the fixture."""
    text = (FIXTURES / name).read_text()
    modules = parse_loaded_modules(text, "apache2 -M with the running httpd's -f and -D")
    return HttpdBuild("/usr/sbin/apache2", "2.4.71", None, RUNNING, loaded=modules)


def tables(*listening: tuple[str, int], httpd: ServerProcess | None = HTTPD) -> RuntimeFacts:
    return RuntimeFacts(
        1_800_000_100.0, httpd=httpd, listeners=tuple(Listener(*pair) for pair in listening)
    )


LIVE_CASES = [
    pytest.param(
        {"httpd": loaded("loaded.txt"), "runtime": tables(("::", 80))},
        [("pass", "runs as PID 4242 (root) since 2027-01-15T08:00:00+00:00; mod_jk 1.2.")],
        id="running-listening-loaded",
    ),
    pytest.param(
        {"httpd": loaded("loaded.txt"), "runtime": tables(httpd=None)},
        [("fail", "httpd is not running on web1: no httpd process in its process table")],
        id="not-running",
    ),
    pytest.param(
        {"httpd": loaded("loaded.txt"), "runtime": tables(("127.0.0.1", 8080))},
        [("fail", "Listen 80: httpd runs (PID 4242) but nothing listens on port 80")],
        id="listen-without-socket",
    ),
    pytest.param(
        {"httpd": loaded("garbled.txt"), "runtime": tables(("0.0.0.0", 80))},
        [
            (
                "fail",
                "apache2 -M with the running httpd's -f and -D on the node stops at a module "
                "httpd cannot load, so httpd does not start with this configuration: apache2: "
                "Syntax error on line 4 of /tmp/fe/bad.conf: API module structure 'jk_module' in "
                "file /tmp/fe/mod_jk22.so is garbled",
            )
        ],
        id="httpd-M-refuses-the-module",
    ),
]


@pytest.mark.parametrize(("live", "expected"), LIVE_CASES)
def test_what_runs(
    tmp_path: Path, live: dict[str, object], expected: list[tuple[str, str]]
) -> None:
    need_modules()
    results = judge(tmp_path, JK, {"mod_jk.so": MOD_JK.read_bytes()}, live=live)
    assert len(results) == len(expected), said(results)
    for (status, message), result in zip(expected, results, strict=True):
        assert (result.status.value, message in result.message) == (status, True), said(results)


def test_httpd_M_stopping_at_the_module_its_bytes_fail_is_one_finding(tmp_path: Path) -> None:
    """The module httpd.conf names is the 2.2 build, and `apache2 -M` (the fixture's real
    refusal, its path that of this node's file) stops at it: one finding, httpd's words in it;
    httpd -M's own line is located at the file and line it names."""
    need_modules()
    text = (
        (FIXTURES / "garbled.txt")
        .read_text()
        .replace("/tmp/fe/mod_jk22.so", "/etc/httpd/modules/mod_jk.so")
    )
    build = dataclasses.replace(
        loaded("loaded.txt"), loaded=parse_loaded_modules(text, "apache2 -M")
    )
    live = {"httpd": build, "runtime": tables(("::", 80))}
    results = judge(tmp_path / "both", JK, {"mod_jk.so": patched(MOD_JK, *AP22)}, live=live)
    assert [(r.status.value, r.line) for r in results] == [("fail", 2)], said(results)
    assert results[0].message.endswith("; apache2 -M on the node stops there too")
    alone = judge(tmp_path / "alone", JK, {"mod_jk.so": MOD_JK.read_bytes()}, live=live)
    assert [(r.status.value, r.file, r.line) for r in alone] == [("fail", "/tmp/fe/bad.conf", 4)]


def test_a_connector_httpd_M_does_not_list_fails(tmp_path: Path) -> None:
    """The configuration read loads mod_proxy_ajp, the real `apache2 -M` of the fixture lists
    only mod_jk's httpd: httpd does not load it (a configuration that changed since, or read
    otherwise than clustercheck read it)."""
    need_modules()
    live = {"httpd": loaded("loaded.txt"), "runtime": tables(("::", 80))}
    conf = JK.replace("mod_jk.so\n", "mod_jk.so\nLoadModule proxy_ajp_module modules/x.so\n")
    no_ajp = (FIXTURES / "loaded.txt").read_text().replace(" proxy_ajp_module (shared)\n", "")
    live["httpd"] = dataclasses.replace(
        loaded("loaded.txt"), loaded=parse_loaded_modules(no_ajp, "apache2 -M")
    )
    results = judge(tmp_path, conf, {"mod_jk.so": MOD_JK.read_bytes()}, live=live)
    assert said(results) == [
        (
            "fail",
            "LoadModule proxy_ajp_module modules/x.so is read from this configuration, but "
            "apache2 -M does not list proxy_ajp_module: httpd does not load mod_proxy_ajp with it",
        )
    ]


# --- the real httpd as the judge --------------------------------------------------------------


def test_the_real_httpd_refuses_what_cc104_fails_and_takes_what_it_passes(
    tmp_path: Path,
) -> None:
    """A copy of Debian's mod_jk.so patched to httpd 2.2's cookie and magic number: `apache2
    -t` refuses it with the very words CC104 quotes; the real mod_jk.so and mod_proxy_ajp.so
    are taken, and CC104 passes them."""
    need_modules()
    verdicts = {}
    for name, module, data in [
        ("jk22", "jk_module", patched(MOD_JK, *AP22)),
        ("jk", "jk_module", MOD_JK.read_bytes()),
        ("ajp", "proxy_ajp_module", MOD_PROXY_AJP.read_bytes()),
    ]:
        root = tmp_path / name
        (root / "modules").mkdir(parents=True)
        (root / "modules" / f"{name}.so").write_bytes(data)
        proxy = f"LoadModule proxy_module {MODULES}/mod_proxy.so\n" if name == "ajp" else ""
        conf = (
            f"LoadModule mpm_prefork_module {PREFORK}\nLoadModule authz_core_module {AUTHZ}\n"
            f"{proxy}LoadModule {module} modules/{name}.so\nServerName localhost\n"
            f"PidFile {root}/httpd.pid\nErrorLog {root}/error.log\n"
        )
        (root / "httpd.conf").write_text(conf)
        real = subprocess.run(
            [APACHE2, "-d", str(root), "-f", str(root / "httpd.conf"), "-t"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        node_conf = conf.replace(f"{root}/", "/etc/httpd/")
        results = judge(tmp_path / f"cc-{name}", node_conf, {f"{name}.so": data})
        verdicts[name] = (real.returncode, real.stderr, results)
    code, stderr, results = verdicts["jk22"]
    assert code != 0 and "garbled - expected signature 41503234 but saw 41503232" in stderr
    assert [r.status.value for r in results] == ["fail"]
    assert "garbled - expected signature 41503234 but saw 41503232" in results[0].message
    for name in ("jk", "ajp"):
        code, stderr, results = verdicts[name]
        assert code == 0, stderr
        assert [r.status.value for r in results] == ["pass"], said(results)
