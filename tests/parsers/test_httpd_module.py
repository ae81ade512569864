"""What a module file says it was built for (real modules of this machine's apache2 and
libapache2-mod-jk), what its name says, and `apache2 -M`'s real output."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from support import REPO, need

from clustercheck.parsers.httpd_module import (
    ModuleBinary,
    NameHints,
    name_hints,
    parse_loaded_modules,
    parse_module_binary,
)

MODULES = Path("/usr/lib/apache2/modules")
FIXTURES = REPO / "tests/fixtures/httpd-M"


@pytest.mark.parametrize(
    ("module", "jk"),
    [("mod_jk.so", True), ("mod_proxy_ajp.so", False), ("mod_proxy.so", False)],
)
def test_a_real_module_says_it_is_built_for_httpd_2_4(module: str, jk: bool) -> None:
    path = MODULES / module
    need(path.exists(), f"needs {path}")
    binary = parse_module_binary(path.read_bytes())
    assert (binary.cookie, binary.mmn_major) == ("AP24", 20120211)
    assert binary.mmn_minor is not None and 0 <= binary.mmn_minor < 1000
    assert (binary.jk_version is not None) == jk
    if jk:
        assert binary.jk_version is not None and binary.jk_version.startswith("1.2.")


def test_what_is_no_module_gives_no_structure_and_never_raises() -> None:
    assert parse_module_binary(Path(sys.executable).read_bytes()[:2_000_000]).cookie is None
    for data in (b"", b"42PA", b"\xff" * 64 + b"42PA" + b"\x00" * 8, b"mod_jk/1.2.3"):
        binary = parse_module_binary(data)
        assert binary.cookie is None
    assert parse_module_binary(b"mod_jk/1.2.3") == ModuleBinary(None, jk_version="1.2.3")


@pytest.mark.parametrize(
    ("path", "hints"),
    [
        ("modules/mod_jk-1.2.23-apache-2.2.x-linux-i686.so", NameHints("2.2", "1.2.23")),
        ("/usr/local/apache/modules/mod_jk-1.2.26-httpd-2.2.4.so", NameHints("2.2", "1.2.26")),
        ("C:\\Apache2\\modules\\mod_jk-apache-2.0.59.so", NameHints("2.0", None)),
        ("modules/mod_jk.so", NameHints(None, None)),
        ("modules/mod_proxy_ajp.so", NameHints(None, None)),
    ],
)
def test_a_download_s_file_name_tells_its_httpd_and_version(path: str, hints: NameHints) -> None:
    assert name_hints(path) == hints


def test_apache2_M_lists_the_modules_the_configuration_loads() -> None:
    loaded = parse_loaded_modules((FIXTURES / "loaded.txt").read_text(), "apache2 -M")
    assert loaded.modules is not None and loaded.error is None
    assert loaded.modules[:2] == ("core_module", "so_module")
    assert {"jk_module", "proxy_ajp_module", "mpm_prefork_module"} <= set(loaded.modules)


def test_apache2_M_that_stops_at_a_module_gives_httpd_s_line() -> None:
    loaded = parse_loaded_modules((FIXTURES / "garbled.txt").read_text(), "apache2 -M")
    assert loaded.modules is None and loaded.load_error
    assert loaded.error is not None and loaded.error.startswith(
        "apache2: Syntax error on line 4 of /tmp/fe/bad.conf: API module structure 'jk_module' in "
        "file /tmp/fe/mod_jk22.so is garbled - expected signature 41503234 but saw 41503232"
    )


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "no output"),
        (
            (FIXTURES / "syntax.txt").read_text(),
            "AH00526: Syntax error on line 11 of /tmp/fe/syn.conf: Invalid command 'Foo', perhaps "
            "misspelled or defined by a module not included in the server configuration",
        ),
        ("no apachectl found\n", "no apachectl found"),  # DUMP_MODULES_SCRIPT's own line
    ],
)
def test_apache2_M_without_a_list_says_why(text: str, error: str) -> None:
    loaded = parse_loaded_modules(text, "apachectl -M")
    assert (loaded.modules, loaded.error, loaded.load_error) == (None, error, False)
