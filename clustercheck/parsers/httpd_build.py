"""What an httpd binary says of itself (`httpd -v`, `httpd -l`) and how the running httpd was
started (its command line in the process table), as one typed record: the facts httpd has
before it reads its first configuration line. Never raises."""

from __future__ import annotations

import re
from dataclasses import dataclass

from clustercheck.parsers.httpd_module import LoadedModules
from clustercheck.parsers.text import shell_words, split_sections

# The sections the gathering script prints, each after a line `== NAME`.
SECTIONS = ("binary", "version", "modules", "processes")
_VERSION = re.compile(r"Server version:\s*Apache/(\d+\.\d+\.\d+)")
_SOURCE = re.compile(r"^\s+([\w.-]+\.c)\s*$")
BINARIES = ("httpd", "apache2", "httpd2")  # the names httpd runs under
_QUOTING = str.maketrans("", "", "\"'\\")  # what a shell drops from a word it reads
MAX_PROCESSES = 32  # distinct command lines kept: children repeat their parent's


@dataclass(frozen=True)
class HttpdProcess:
    """A running httpd's command line, as far as the configuration depends on it."""

    config: str | None  # -f FILE (None: the binary's default)
    server_root: str | None  # -d DIR
    defines: tuple[str, ...]  # every -D NAME, in order


@dataclass(frozen=True)
class HttpdBuild:
    """The httpd binary on a node and the httpd processes running there."""

    binary: str | None  # the binary that answered, None when none did
    version: str | None  # "2.4.57"
    static_modules: tuple[str, ...] | None  # `httpd -l`, as printed (core.c, mod_so.c, ...)
    processes: tuple[HttpdProcess, ...] = ()
    error: str | None = None  # why the binary said nothing usable
    # `httpd -M` with the running httpd's arguments (None: not asked, no such httpd runs)
    loaded: LoadedModules | None = None


_COMPILED = re.compile(r'^\s*-D\s+(HTTPD_ROOT|SERVER_CONFIG_FILE)="([^"]*)"\s*$', re.M)


def parse_compiled_paths(text: str) -> tuple[str | None, str | None]:
    """(HTTPD_ROOT, SERVER_CONFIG_FILE) as `httpd -V` prints them: the ServerRoot and main
    file httpd uses when started without -d and -f (the file relative to the root)."""
    found = {name: value for name, value in _COMPILED.findall(text) if value}
    return found.get("HTTPD_ROOT"), found.get("SERVER_CONFIG_FILE")


def parse_httpd_build(text: str) -> HttpdBuild:
    """The gathering script's output (sections after `== binary`, `== version`, ...)."""
    sections = split_sections(text, SECTIONS)
    binary = next((line.strip() for line in sections.get("binary", []) if line.strip()), None)
    version_text = "\n".join(sections.get("version", []))
    found = _VERSION.search(version_text)
    modules = sections.get("modules")
    static = None
    if modules is not None and any("Compiled in modules" in line for line in modules):
        static = tuple(m.group(1) for line in modules if (m := _SOURCE.match(line)))
    processes = _processes(sections.get("processes", []))
    if binary is None:
        error = "no httpd binary found (httpd, apache2, httpd2 on PATH or in /usr/sbin)"
        return HttpdBuild(None, None, None, processes, error)
    if found is None:
        return HttpdBuild(binary, None, static, processes, f"{binary} -v printed no version")
    return HttpdBuild(binary, found.group(1), static, processes)


def _processes(lines: list[str]) -> tuple[HttpdProcess, ...]:
    """httpd processes among `ps -eo args` lines: those whose program is an httpd binary."""
    found: dict[HttpdProcess, None] = {}
    for line in lines:
        if not may_run_httpd(line):
            continue
        words = shell_words(line)
        if not words or words[0].rsplit("/", 1)[-1] not in BINARIES:
            continue
        found[httpd_command_line(words[1:])] = None
        if len(found) >= MAX_PROCESSES:
            break
    return tuple(found)


def may_run_httpd(line: str) -> bool:
    """Whether a process's command line may start with an httpd binary, in any case: its
    letters, the shell's quotes and escapes left out, spell one. The test before splitting
    each line of a process table as a shell would."""
    lowered = line.translate(_QUOTING).lower()
    return any(name in lowered for name in BINARIES)


def httpd_command_line(args: list[str]) -> HttpdProcess:
    """-f, -d and -D as httpd's getopt reads them ("-DNAME" or "-D NAME")."""
    options: dict[str, list[str]] = {"f": [], "d": [], "D": []}
    words = iter(args)
    for word in words:
        if len(word) < 2 or word[0] != "-" or word[1] not in options:
            continue
        value = word[2:] or next(words, "")
        options[word[1]].append(value)
    config = options["f"][-1] if options["f"] else None
    root = options["d"][-1] if options["d"] else None
    return HttpdProcess(config, root, tuple(d for d in options["D"] if d))


def running_with(processes: tuple[HttpdProcess, ...], httpd_conf: str) -> list[HttpdProcess]:
    """The httpd processes that read `httpd_conf`: those started with `-f httpd_conf`, else
    those started without -f (the binary's own file)."""
    named = [
        p
        for p in processes
        if p.config is not None and (p.config == httpd_conf or httpd_conf.endswith("/" + p.config))
    ]
    return named or [p for p in processes if p.config is None]


def command_line_defines(
    processes: tuple[HttpdProcess, ...], httpd_conf: str
) -> tuple[str, ...] | None:
    """The -D names the httpd that reads `httpd_conf` was started with; None when no such
    httpd runs, or when those that do were started differently."""
    defines = {p.defines for p in running_with(processes, httpd_conf)}
    return defines.pop() if len(defines) == 1 else None


# --- Debian's envvars ---------------------------------------------------------------------------

_ASSIGNMENT = re.compile(r"^\s*(export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_REFERENCE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


@dataclass(frozen=True)
class Envvars:
    """What Debian's apache2ctl gives httpd from /etc/apache2/envvars, which it sources before
    starting it: the exported variables (httpd's environment, for `${VAR}`) and the -D names of
    APACHE_ARGUMENTS, which it passes on httpd's command line."""

    environment: dict[str, str]
    defines: tuple[str, ...]


def parse_envvars(text: str, confdir: str) -> Envvars:
    """The plain assignments of the envvars shell script, in order (`export NAME=value`,
    `NAME=value`, values quoted or not, `$NAME` of earlier ones expanded); the script's own
    multi-instance rule sets SUFFIX from APACHE_CONFDIR (`/etc/apache2-www` -> `-www`). Any
    other shell is not run: what it would set is not known."""
    instance = confdir.rstrip("/").rsplit("/", 1)[-1]
    suffix = instance.removeprefix("apache2") if instance.startswith("apache2-") else ""
    variables = {"APACHE_CONFDIR": confdir, "SUFFIX": suffix}
    exported: set[str] = set()
    for line in text.splitlines():
        found = _ASSIGNMENT.match(line)
        if line.lstrip().startswith("export ") and not found:
            exported.update(line.split()[1:])
        if found is None or found.group(2) == "SUFFIX":  # set above, as the script's if does
            continue
        words = shell_words(
            _REFERENCE.sub(lambda m: variables.get(m.group(1) or m.group(2), ""), found.group(3))
        )
        variables[found.group(2)] = words[0] if len(words) == 1 else " ".join(words)
        if found.group(1):
            exported.add(found.group(2))
    environment = {name: variables[name] for name in exported if name in variables}
    arguments = shell_words(environment.get("APACHE_ARGUMENTS", ""))
    return Envvars(environment, httpd_command_line(arguments).defines)
