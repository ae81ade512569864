"""Which JVM really runs a Tomcat, and what it is, without starting one where the JDK says.

Not just `java` on PATH: the running Bootstrap process whose catalina.base is this node's
(several Tomcats can share a host and its process table), its binary from /proc/PID/exe; else
JAVA_HOME/JRE_HOME from bin/setenv.sh; else the inventory's `tomcat.java`; else `java` on PATH.
The facts say which was used, and how it was read.

A JVM is not started to learn what it is: the JDK's `release` file beside its bin/ (JAVA_VERSION,
IMPLEMENTOR, OS_ARCH...) is read, one file. Starting a JVM costs tens of MB and a few hundred ms
of CPU on a production node, so `java -version` is run only when no release file tells.

A binary found on the node is data, not an order: any local user can start a process whose
command line looks like Tomcat's, and running its binary (as root, through `become`) would run
theirs. So a binary from a process or from setenv.sh is run only when nobody but root, the
user clustercheck runs as, and Tomcat's user could have put it there (the file and every folder
above it); any other is reported, not run, unless it is the one the inventory names in
`tomcat.java`. Tomcat's user is the running process's, and only when it also owns the node's
catalina.base: a look-alike process names its own user, but cannot own the folder the inventory
names.
"""

from __future__ import annotations

import dataclasses
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
from clustercheck.parsers.jdk_release import parse_release
from clustercheck.parsers.text import bounded_int, decode

# characters kept in the facts: the launcher's output's end, a release file's start
RAW_LIMIT = 4000
RELEASE_MAX_BYTES = 64 * 1024  # real release files are one or two KB
DELETED = " (deleted)"  # how /proc/PID/exe shows a binary removed since the process started
DELETED_ERROR = (
    "the running JVM's binary was deleted (a JDK update since Tomcat started: restart it)"
)
_SETENV_HOME = re.compile(r"""^\s*(?:export\s+)?(JAVA_HOME|JRE_HOME)=["']?([^"'\s;]+)""", re.M)
_OCTAL_MODE = re.compile(r"[0-7]{1,7}")  # stat's %a
# Prints the binary's real path (NUL-terminated), the uid commands run as, the uid of Tomcat's
# user ($2) when that user owns catalina.base ($3), else "-", then the owner and mode of that
# path and of every folder above it, one line each up to /.
_OWNERS_SCRIPT = (
    'p=$(readlink -e -- "$1") || exit 3; printf "%s\\0" "$p"; id -u || exit 3; '
    'u=$(id -u -- "$2" 2>/dev/null) && [ "$(stat -c %u -- "$3" 2>/dev/null)" = "$u" ] '
    '&& echo "$u" || echo -; '
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
    user: str = ""  # the running Tomcat's user, when the binary is its process's


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
            source = f"running Tomcat process {process.pid}"
            return Located(process.exe, source, True, options, process.user)
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


def read_release(reader: NodeReader, java: str) -> tuple[JavaInfo | None, str]:
    """(the JVM its JDK's release file describes, "release file PATH"), or (None, why no
    release file told). JAVA_HOME/bin/java has it in JAVA_HOME; Java 8's JAVA_HOME/jre/bin/java
    in JAVA_HOME too (a standalone JRE's is in its own top folder)."""
    if not _absolute(java, reader.windows):
        return None, f"{java} is looked up on PATH: no folder to read a release file in"
    home = reader.join(java, "../..")
    homes = [reader.join(home, ".."), home] if posixpath.basename(home) == "jre" else [home]
    why = ""
    for folder in homes:
        path = reader.join(folder, "release")
        data = reader.read(path, RELEASE_MAX_BYTES)
        failure = reader.reads.pop(path, None)  # said in the facts, not a file of the config
        if data is None:
            why = why or (failure.message if failure and failure.message else f"no {path}")
            continue
        found = parse_release(decode(data), home)
        if isinstance(found, str):
            return None, f"the release file {path}: {found}"
        return found, f"release file {path}"
    return None, why


@dataclass(frozen=True)
class Vetted:
    """A binary found on the node, as who may write it decides: its real path, who owns it
    (said in the facts), or why it is not run."""

    path: str
    owner: str = ""
    refusal: str | None = None


def untrusted_reason(transport: Transport, java: str, user: str = "", base: str = "") -> Vetted:
    """Whether only root, the user commands run as, or Tomcat's user (`user`, when it owns
    catalina.base `base`) could have written the binary and every folder above it."""
    result = transport.run(["sh", "-c", _OWNERS_SCRIPT, "sh", java, user, base])
    real, _, rest = result.stdout.partition(b"\0")
    lines = rest.decode("ascii", "replace").splitlines()
    if not result.ok or not real or len(lines) < 3 or not lines[0].isdigit():
        return Vetted(java, refusal=f"cannot tell who may write {java}, so it is not run")
    path = real.decode("utf-8", "surrogateescape")
    me = str(bounded_int(lines[0]))
    owners = {me: f"uid {me}, who runs clustercheck", "0": "root"}
    tomcat = str(bounded_int(lines[1])) if lines[1].isdigit() else ""  # "-": none counts
    if tomcat in owners:
        tomcat = ""  # root or clustercheck's user: already trusted
    elif tomcat:
        owners[tomcat] = f"uid {tomcat}, Tomcat's user {user}"
    where = path
    for line in lines[2:]:
        owner, _, mode = line.partition(" ")
        if not _OCTAL_MODE.fullmatch(mode):  # the node's stat wrote something else
            return Vetted(path, refusal=f"cannot tell who may write {where}, so it is not run")
        if owner not in owners:
            tomcats = f", not uid {tomcat} (Tomcat's)" if tomcat else ""
            whom = f"not root, not uid {me} running this{tomcats}"
            return Vetted(path, refusal=f"{where} belongs to uid {owner} ({whom})")
        if int(mode, 8) & 0o022:
            return Vetted(path, refusal=f"{where} can be written by group or others (mode {mode})")
        where = posixpath.dirname(where)
    return Vetted(path, owners[lines[2].partition(" ")[0]])


@dataclass(frozen=True)
class Chosen:
    """The binary to run for `java -version`, how it was found, why running it is safe (said
    in the facts), or why none is run."""

    java: str
    source: str
    trust: str
    refusal: str | None = None


def choose_java(transport: Transport, node: NodeSettings, located: Located) -> Chosen:
    """The binary to run: the located one when the inventory names it, or nobody but root, the
    user clustercheck runs as and Tomcat's user could have written it; else the inventory's
    tomcat.java; else none."""
    java, source = located.java, located.source
    if _vouched(java, node) or (not located.on_node and node.tomcat.java):
        return Chosen(java, source, "the inventory's tomcat.java names it")
    if not located.on_node:
        return Chosen(java, source, "the one on PATH")
    vetted = untrusted_reason(transport, java, located.user, node.tomcat.catalina_base or "")
    if vetted.refusal is None:
        return Chosen(vetted.path, source, f"owned by {vetted.owner}")
    if node.tomcat.java:
        source = f"the inventory's tomcat.java ({vetted.path} not run: {vetted.refusal})"
        return Chosen(node.tomcat.java, source, "the inventory's tomcat.java names it")
    refusal = f"not run: {vetted.refusal}; set tomcat.java in the inventory to the JVM to run"
    return Chosen(vetted.path, source, "", refusal)


def gather_jvm(
    transport: Transport, reader: NodeReader, node: NodeSettings, running: Running
) -> JvmFacts:
    """The JVM that runs the node's Tomcat, parsed here once for every reader of the facts:
    from its JDK's release file, else from `java -version` of a binary that is safe to run."""
    located = locate_java(transport, reader, node, running)
    net = located.net_options
    deleted = located.java.endswith(DELETED)
    if deleted:  # judged from what is still there: the folder a package update usually keeps
        located = dataclasses.replace(located, java=located.java.removesuffix(DELETED))
    info, said = read_release(reader, located.java)
    if info is not None:
        raw = info.raw[:RAW_LIMIT]
        return jvm_facts(located.java, located.source, info, raw, net, said, deleted)
    if deleted:
        return JvmFacts(
            located.java, located.source, error=DELETED_ERROR, net_options=net, read_from=said,
            binary_deleted=True,
        )  # fmt: skip
    chosen = choose_java(transport, node, located)
    if chosen.refusal is not None:
        error = chosen.refusal
        return JvmFacts(chosen.java, chosen.source, error=error, net_options=net, read_from=said)
    if chosen.java != located.java:  # the inventory's tomcat.java, or a link's real path
        info, said = read_release(reader, chosen.java)
        if info is not None:
            return jvm_facts(chosen.java, chosen.source, info, info.raw[:RAW_LIMIT], net, said)
    return _ask_java(transport, chosen, net, said)


def _ask_java(
    transport: Transport, chosen: Chosen, net: dict[str, str] | None, no_release: str
) -> JvmFacts:
    """`java -XshowSettings:properties -version` (Java 6 launchers refuse the option: then
    plain `-version`); the facts say the binary was run, why that was safe, and why no
    release file told instead."""
    java, source = chosen.java, chosen.source
    raw, read_from = "", ""
    for options in ("-XshowSettings:properties -version", "-version"):
        read_from = f"java {options} ({chosen.trust}; no release file told: {no_release})"
        try:
            result = transport.run([java, *options.split()])
        except CommandRefused as exc:
            return JvmFacts(java, source, error=str(exc), net_options=net, read_from=read_from)
        raw = result.text
        info = parse_java_version(raw)
        if info is not None:
            return jvm_facts(java, source, info, raw[-RAW_LIMIT:], net, read_from)
    error = _first_line(raw) or "no output"
    return JvmFacts(java, source, error=error, net_options=net, read_from=read_from)


def jvm_facts(
    java: str,
    source: str,
    info: JavaInfo,
    raw: str,
    net_options: dict[str, str] | None = None,
    read_from: str | None = None,
    binary_deleted: bool = False,
) -> JvmFacts:
    """The facts of a JVM described by `info` (`raw`: what described it, capped)."""
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
        raw=raw,
        net_options=net_options,
        read_from=read_from,
        binary_deleted=binary_deleted,
    )


def _absolute(java: str, windows: bool) -> bool:
    """A path with a folder to look in, not a name for PATH to resolve."""
    if windows:
        java = java.replace("\\", "/")
        return java.startswith("/") or (len(java) > 2 and java[1] == ":" and java[2] == "/")
    return java.startswith("/")


def _vouched(java: str, node: NodeSettings) -> bool:
    """The inventory names this very binary: the person running clustercheck chose it."""
    return bool(node.tomcat.java) and posixpath.normpath(java) == posixpath.normpath(
        node.tomcat.java or ""
    )


def _first_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
