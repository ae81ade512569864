"""Which JVM really runs a Tomcat, and what it is.

Not just `java` on PATH: the running Bootstrap process whose catalina.base is this node's
(several Tomcats can share a host and its process table), its binary from /proc/PID/exe; else
JAVA_HOME/JRE_HOME from bin/setenv.sh; else the inventory's `tomcat.java`; else `java` on PATH.
The facts say which was used.
"""

from __future__ import annotations

import posixpath
import re
import shlex

from clustercheck.collect.reader import NodeReader
from clustercheck.collect.transports.base import Transport
from clustercheck.facts.jvm import JvmFacts
from clustercheck.inventory.settings import NodeSettings
from clustercheck.parsers.java import JavaInfo, parse_java_version
from clustercheck.parsers.text import bounded_int, decode

COMMAND_TIMEOUT_S = 30.0
RAW_LIMIT = 4000  # characters of the launcher's output kept in the facts (its end)
BOOTSTRAP = "org.apache.catalina.startup.Bootstrap"
_SETENV_HOME = re.compile(r"""^\s*(?:export\s+)?(JAVA_HOME|JRE_HOME)=["']?([^"'\s;]+)""", re.M)


def find_tomcat_pid(ps_output: str, catalina_base: str) -> int | None:
    """The PID of the Bootstrap process started with -Dcatalina.base=<catalina_base>. Lines
    that cannot match are passed over before the costly split: a host running many Tomcats
    lists them all on every node."""
    wanted = posixpath.normpath(catalina_base)
    name = posixpath.basename(wanted)
    for line in ps_output.splitlines():
        pid, _, args = line.strip().partition(" ")
        if BOOTSTRAP not in args or name not in args or not (pid.isascii() and pid.isdigit()):
            continue
        for word in _split(args):
            if (
                word.startswith("-Dcatalina.base=")
                and posixpath.normpath(word.split("=", 1)[1]) == wanted
            ):
                return bounded_int(pid)
    return None


def _split(args: str) -> list[str]:
    try:
        return shlex.split(args)
    except ValueError:
        return args.split()


def java_home_from_setenv(text: str) -> str | None:
    """JAVA_HOME (or JRE_HOME) as bin/setenv.sh sets it, when it is a plain path."""
    found = dict(_SETENV_HOME.findall(text))
    home = found.get("JAVA_HOME") or found.get("JRE_HOME")
    return home if home and "$" not in home else None


def locate_java(transport: Transport, reader: NodeReader, node: NodeSettings) -> tuple[str, str]:
    """(java binary, how it was found)."""
    base = node.tomcat.catalina_base or ""
    ps = transport.run(["ps", "-ww", "-eo", "pid=,args="], timeout=COMMAND_TIMEOUT_S)
    pid = find_tomcat_pid(ps.stdout.decode("utf-8", "replace"), base) if ps.ok else None
    if pid is not None:
        exe = transport.run(["readlink", f"/proc/{pid}/exe"], timeout=COMMAND_TIMEOUT_S)
        if exe.ok and exe.stdout.strip():
            return exe.stdout.decode().strip(), f"running Tomcat process {pid}"
    for folder in (base, node.tomcat.home or base):
        data = reader.read(reader.join(folder, "bin/setenv.sh"))
        reader.reads.pop(reader.join(folder, "bin/setenv.sh"), None)
        home = java_home_from_setenv(decode(data)) if data else None
        if home:
            return reader.join(home, "bin/java"), f"JAVA_HOME in {folder}/bin/setenv.sh"
    if node.tomcat.java:
        return node.tomcat.java, "the inventory's tomcat.java"
    return "java", "java on PATH (no running Tomcat found)"


def gather_jvm(transport: Transport, reader: NodeReader, node: NodeSettings) -> JvmFacts:
    """The JVM that runs the node's Tomcat, parsed here once for every reader of the facts."""
    java, source = locate_java(transport, reader, node)
    info: JavaInfo | None = None
    raw = ""
    for argv in ([java, "-XshowSettings:properties", "-version"], [java, "-version"]):
        result = transport.run(argv, timeout=COMMAND_TIMEOUT_S)
        raw = result.text
        info = parse_java_version(raw)
        if info is not None:
            break  # Java 6 launchers refuse -XshowSettings: hence the plain retry
    if info is None:
        return JvmFacts(java, source, error=_first_line(raw) or "no output")
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
    )


def _first_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
