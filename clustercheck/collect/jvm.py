"""Which JVM really runs a Tomcat, and what it is.

Not just `java` on PATH: the running Bootstrap process whose catalina.base is this node's
(several Tomcats can share a host and its process table), its binary from /proc/PID/exe; else
JAVA_HOME/JRE_HOME from bin/setenv.sh; else the inventory's `tomcat.java`; else `java` on PATH.
The facts say which was used.

A binary found on the node is data, not an order: any local user can start a process whose
command line looks like Tomcat's, and running its binary (as root, through `become`) would run
theirs. So a binary from a process or from setenv.sh is run only when nobody but root and the
user clustercheck runs as could have put it there (the file and every folder above it); any
other is reported, not run, unless it is the one the inventory names in `tomcat.java`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from clustercheck.collect.reader import NodeReader
from clustercheck.collect.runtime import Running
from clustercheck.collect.transports.base import CommandRefused, Transport
from clustercheck.facts.jvm import JvmFacts
from clustercheck.inventory.settings import NodeSettings
from clustercheck.knowledge.resolvers import JAVA_NET_PROPERTIES
from clustercheck.parsers.java import JavaInfo, parse_java_version
from clustercheck.parsers.text import bounded_int, decode

RAW_LIMIT = 4000  # characters of the launcher's output kept in the facts (its end)
_SETENV_HOME = re.compile(r"""^\s*(?:export\s+)?(JAVA_HOME|JRE_HOME)=["']?([^"'\s;]+)""", re.M)
_OCTAL_MODE = re.compile(r"[0-7]{1,7}")  # stat's %a
# Prints the binary's real path (NUL-terminated), the uid commands run as, then the owner and
# mode of that path and of every folder above it, one line each up to /.
_OWNERS_SCRIPT = (
    'p=$(readlink -e -- "$1") || exit 3; printf "%s\\0" "$p"; id -u || exit 3; '
    'while :; do stat -c "%u %a" -- "$p" || exit 3; [ "$p" = / ] && break; '
    'p=$(dirname -- "$p"); done'
)


def net_options(words: list[str]) -> dict[str, str]:
    """The -D options among a JVM's arguments that decide how it resolves and binds addresses
    (knowledge.resolvers.JAVA_NET_PROPERTIES); the last of a name wins, as in the JVM. Only
    these are kept: other options may hold secrets."""
    found = {}
    for word in words:
        name, equals, value = word.removeprefix("-D").partition("=")
        if word.startswith("-D") and equals and name in JAVA_NET_PROPERTIES:
            found[name] = value
    return found


def java_home_from_setenv(text: str) -> str | None:
    """JAVA_HOME (or JRE_HOME) as bin/setenv.sh sets it, when it is a plain path."""
    found = dict(_SETENV_HOME.findall(text))
    home = found.get("JAVA_HOME") or found.get("JRE_HOME")
    return home if home and "$" not in home else None


@dataclass(frozen=True)
class Located:
    """Which java binary runs the node's Tomcat, and what the running process tells."""

    java: str
    source: str  # how it was found
    on_node: bool  # found on the node (a process's binary, JAVA_HOME in setenv.sh): vetted
    net_options: dict[str, str] | None = None  # None: no running Tomcat found


def locate_java(
    transport: Transport, reader: NodeReader, node: NodeSettings, running: Running
) -> Located:
    """The java binary and how it was found: the running Tomcat's (from the node's process
    table, read once for every runtime fact), else setenv.sh's. Both are POSIX ways; a Windows
    node is asked for the inventory's java or PATH's."""
    base = node.tomcat.catalina_base or ""
    process = running.facts.tomcat
    words = running.tomcat_words
    options = net_options(words) if words is not None else None
    if node.os != "windows":
        if process is not None and process.exe:
            return Located(process.exe, f"running Tomcat process {process.pid}", True, options)
        for folder in (base, node.tomcat.home or base):
            data = reader.read(reader.join(folder, "bin/setenv.sh"))
            reader.reads.pop(reader.join(folder, "bin/setenv.sh"), None)
            home = java_home_from_setenv(decode(data)) if data else None
            if home:
                source = f"JAVA_HOME in {folder}/bin/setenv.sh"
                return Located(reader.join(home, "bin/java"), source, True, options)
    if node.tomcat.java:
        return Located(node.tomcat.java, "the inventory's tomcat.java", False, options)
    return Located("java", "java on PATH (no running Tomcat found)", False, options)


def untrusted_reason(transport: Transport, java: str) -> tuple[str, str | None]:
    """(the binary's real path, None) when only root or the user commands run as could have
    written it and every folder above it; else (the path, why it is not run)."""
    result = transport.run(["sh", "-c", _OWNERS_SCRIPT, "sh", java])
    real, _, rest = result.stdout.partition(b"\0")
    lines = rest.decode("ascii", "replace").splitlines()
    if not result.ok or not real or not lines or not lines[0].isdigit():
        return java, f"cannot tell who may write {java}, so it is not run"
    path = real.decode("utf-8", "surrogateescape")
    me, owners = bounded_int(lines[0]), lines[1:]
    where = path
    for line in owners:
        owner, _, mode = line.partition(" ")
        if not _OCTAL_MODE.fullmatch(mode):  # the node's stat wrote something else
            return path, f"cannot tell who may write {where}, so it is not run"
        if owner not in ("0", str(me)):
            return path, f"{where} belongs to uid {owner} (not root, not uid {me} running this)"
        if int(mode, 8) & 0o022:
            return path, f"{where} can be written by group or others (mode {mode})"
        where = posixpath.dirname(where)
    return path, None


def choose_java(
    transport: Transport, node: NodeSettings, located: Located
) -> tuple[str, str, str | None]:
    """(the binary to run, how it was found, why none is run)."""
    java, source = located.java, located.source
    if not located.on_node or _vouched(java, node):
        return java, source, None
    java, reason = untrusted_reason(transport, java)
    if reason is None:
        return java, source, None
    if node.tomcat.java:
        return node.tomcat.java, f"the inventory's tomcat.java ({java} not run: {reason})", None
    return java, source, f"not run: {reason}; set tomcat.java in the inventory to the JVM to run"


def gather_jvm(
    transport: Transport, reader: NodeReader, node: NodeSettings, running: Running
) -> JvmFacts:
    """The JVM that runs the node's Tomcat, parsed here once for every reader of the facts."""
    located = locate_java(transport, reader, node, running)
    java, source, refusal = choose_java(transport, node, located)
    net = located.net_options
    if refusal is not None:
        return JvmFacts(java, source, error=refusal, net_options=net)
    info: JavaInfo | None = None
    raw = ""
    for argv in ([java, "-XshowSettings:properties", "-version"], [java, "-version"]):
        try:
            result = transport.run(argv)
        except CommandRefused as exc:
            return JvmFacts(java, source, error=str(exc), net_options=net)
        raw = result.text
        info = parse_java_version(raw)
        if info is not None:
            break  # Java 6 launchers refuse -XshowSettings: hence the plain retry
    if info is None:
        return JvmFacts(java, source, error=_first_line(raw) or "no output", net_options=net)
    return jvm_facts(java, source, info, raw, net)


def jvm_facts(
    java: str, source: str, info: JavaInfo, raw: str, net_options: dict[str, str] | None = None
) -> JvmFacts:
    """The facts of a JVM whose `java -version` output `raw` parsed into `info`."""
    return JvmFacts(
        java,
        source,
        version=info.version,
        vendor=info.vendor,
        vm=info.vm,
        bits=info.bits,
        build=info.build,
        runtime=info.runtime,
        java_home=info.java_home,
        raw=raw[-RAW_LIMIT:],
        net_options=net_options,
    )


def _vouched(java: str, node: NodeSettings) -> bool:
    """The inventory names this very binary: the person running clustercheck chose it."""
    return bool(node.tomcat.java) and posixpath.normpath(java) == posixpath.normpath(
        node.tomcat.java or ""
    )


def _first_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
