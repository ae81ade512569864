"""What an httpd module file is built for, read from its bytes (the module structure httpd checks
before it takes the module) and its name (`mod_jk-1.2.23-apache-2.2.x-linux-i686.so`), and which
modules the running configuration loads (`httpd -M`). Never raises.

A module's structure starts with STANDARD20_MODULE_STUFF (include/http_config.h: `int version`
= MODULE_MAGIC_NUMBER_MAJOR, `int minor_version`, `int module_index` = -1, `const char *name`,
`void *dynamic_load_handle`, `module *next`, `unsigned long magic` = MODULE_MAGIC_COOKIE), all
constants the compiler writes into the file's data, so the bytes tell which httpd API the module
was compiled against without loading it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from clustercheck.knowledge.frontend import COOKIES

# Where the cookie sits after the structure's start: three ints and three pointers before it
# (32-bit: 12 + 12; 64-bit: 12 + 4 padding + 24), and on a big-endian 64-bit build the cookie's
# four low bytes are the second half of its eight-byte unsigned long.
_LAYOUTS: tuple[tuple[Literal["little", "big"], int], ...] = (
    ("little", 24),
    ("little", 40),
    ("big", 24),
    ("big", 44),
)
# A module magic number major is a date (20120211): anything else is not a module structure.
_MMN = range(19980000, 21000000)
_JK_VERSION = re.compile(rb"mod_jk/(\d+\.\d+\.\d+)")
MAX_MODULES_LISTED = 1000  # `httpd -M` lines kept: httpd itself has a few hundred modules at most
MAX_ERROR = 500  # characters of httpd's error line kept


@dataclass(frozen=True)
class ModuleBinary:
    """The module structure found in a module file, and mod_jk's version string in it."""

    cookie: str | None  # "AP24": the httpd API it was built for; None when none was found
    mmn_major: int | None = None  # 20120211
    mmn_minor: int | None = None
    jk_version: str | None = None  # "1.2.48" (mod_jk's JK_EXPOSED_VERSION "mod_jk/1.2.48")


def parse_module_binary(data: bytes) -> ModuleBinary:
    """The first module structure in a module file's bytes (ELF or PE, either byte order)."""
    found = _JK_VERSION.search(data)
    jk_version = found.group(1).decode() if found else None
    for cookie in COOKIES:
        for order, offset in _LAYOUTS:
            pattern = cookie.encode()[::-1] if order == "little" else cookie.encode()
            start = data.find(pattern)
            while start != -1:
                struct = start - offset
                if struct >= 0:
                    major = int.from_bytes(data[struct : struct + 4], order)
                    minor = int.from_bytes(data[struct + 4 : struct + 8], order)
                    index = int.from_bytes(data[struct + 8 : struct + 12], order, signed=True)
                    if major in _MMN and index == -1:
                        return ModuleBinary(cookie, major, minor, jk_version)
                start = data.find(pattern, start + 1)
    return ModuleBinary(None, jk_version=jk_version)


# --- names ------------------------------------------------------------------------------------

# The API a downloaded module's file name states: mod_jk-1.2.23-apache-2.2.x-linux-i686.so,
# mod_jk-1.2.26-httpd-2.2.4.so, mod_jk-apache-2.0.59.so (the names of tomcat-connectors' binary
# downloads), and the version of mod_jk it holds.
_NAME_API = re.compile(r"(?:apache|httpd)[-_]?(\d)\.(\d)", re.IGNORECASE)
_NAME_JK = re.compile(r"mod_jk[-_](\d+\.\d+\.\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class NameHints:
    """What a module file's name says of it (not proof: a file can be renamed)."""

    api: str | None  # "2.2"
    jk_version: str | None  # "1.2.23"


def name_hints(path: str) -> NameHints:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    api = _NAME_API.search(name)
    jk = _NAME_JK.search(name)
    return NameHints(f"{api.group(1)}.{api.group(2)}" if api else None, jk.group(1) if jk else None)


# --- httpd -M ---------------------------------------------------------------------------------

_LISTED = re.compile(r"^\s+(\w+)\s+\((static|shared)\)\s*$")
# What httpd prints when it cannot take a LoadModule (modules/core/mod_so.c, server/config.c)
_LOAD_ERRORS = re.compile(
    r"Cannot load|is garbled|not compatible with this version|Can't locate API module structure"
)


@dataclass(frozen=True)
class LoadedModules:
    """`httpd -M`: the modules the configuration loads, as httpd itself read it just now."""

    how: str  # the command, as a message names it: "apache2 -M" (with the running arguments)
    modules: tuple[str, ...] | None  # jk_module, ...; None when httpd listed none
    error: str | None = None  # httpd's error line (a syntax error, a module it cannot load)
    load_error: bool = False  # the error is about loading a module (mod_so, ap_add_module)


def parse_loaded_modules(text: str, how: str) -> LoadedModules:
    """The module lines after "Loaded Modules:", or the line httpd stopped at."""
    lines = text.splitlines()
    if any(line.strip() == "Loaded Modules:" for line in lines):
        listed = [m.group(1) for line in lines if (m := _LISTED.match(line))]
        return LoadedModules(how, tuple(listed[:MAX_MODULES_LISTED]))
    at = next((i for i, line in enumerate(lines) if _LOAD_ERRORS.search(line)), None)
    at = at if at is not None else next((i for i, ln in enumerate(lines) if "rror" in ln), None)
    at = at if at is not None else next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if at is None:
        return LoadedModules(how, None, "no output")
    error = lines[at].strip()
    if error.endswith(":") and at + 1 < len(lines):  # AH00526: Syntax error on line N of F:
        error += " " + lines[at + 1].strip()
    return LoadedModules(how, None, error[:MAX_ERROR], bool(_LOAD_ERRORS.search(error)))


@dataclass(frozen=True)
class ModuleFile:
    """A connector module the configuration loads, and what its file tells."""

    module: str  # jk_module
    path: str  # as LoadModule names it
    resolved: str  # on the node, against ServerRoot
    file: str | None  # the LoadModule directive
    line: int | None
    binary: ModuleBinary | None  # None: its file was not read (`unread` says why)
    unread: str | None = None
