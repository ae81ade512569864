"""Tomcat's own verdict on a server.xml: start the real Tomcat 10.1 on it and read its log.

Each run gets a throw-away CATALINA_BASE (conf/ copied from Debian's tomcat10, the server.xml
under test, one distributable webapp so that a cluster Manager really starts) and its own
network namespace with nothing but `lo`: every socket Tomcat opens, whatever address or port
server.xml names, is reachable from that namespace only, and multicast heartbeats (routed to
`lo` there) never leave it nor meet another run's. So ports need no rewriting and runs never
collide; addresses that name this machine's interfaces are confined to 127.0.0.1 beforehand
(see `confine`), since a namespace has no such interface.

What Tomcat says is reduced by a small table of log signatures (`SIGNATURES`) to events of a
few kinds, and the run to its worst kind, the truth:

    starts           "Server startup in", and nothing below
    ignored          Tomcat started but skipped something it was given, with a warning
                     (Digester "No rules found matching", "failed to set property")
    component-fails  Tomcat started but a component of it did not (a connector, the cluster,
                     a context): "Failed to start component", LifecycleException, ...
    refuses          no "Server startup in": the JVM exited (server.xml could not be read,
                     a class is missing, the Server failed to start)
    hangs            neither started nor exited within the time budget

Every process is started with its own session and stopped by its PID (SIGKILL: the base is
thrown away, nothing needs a clean shutdown), in a `finally`, whatever happens.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

CATALINA_HOME = Path("/usr/share/tomcat10")
JAVA_HOME = Path("/usr/lib/jvm/java-17-openjdk-amd64")
UNSHARE = "/usr/bin/unshare"
IP = "/usr/bin/ip"
DEBIAN_CONF = CATALINA_HOME / "etc"
CONF_FILES = (
    "web.xml",
    "context.xml",
    "catalina.properties",
    "tomcat-users.xml",
    "jaspic-providers.xml",
)
# Everything at INFO on the console (catalina.sh run sends it to one file), one line a record.
LOGGING = """\
handlers = java.util.logging.ConsoleHandler
.handlers = java.util.logging.ConsoleHandler
.level = INFO
java.util.logging.ConsoleHandler.level = INFO
java.util.logging.ConsoleHandler.formatter = org.apache.juli.OneLineFormatter
java.util.logging.ConsoleHandler.encoding = UTF-8
"""
# Start-up speed only: no JAR is scanned for TLDs or fragments (the webapp has none), which
# saves about 1 s a run. Appended, so it overrides Debian's list.
FAST_SCAN = "\ntomcat.util.scan.StandardJarScanFilter.jarsToSkip=*.jar\n"
WEB_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
  <display-name>differential</display-name>
  <distributable/>
</web-app>
"""
JAVA_OPTS = (
    "-Xmx128m -Xms32m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "
    "-XX:MaxMetaspaceSize=128m -Djava.net.preferIPv4Stack=true "
    "-Djava.security.egd=file:/dev/./urandom"
)
# The namespace's `lo` carries multicast, so McastService can join its group there.
IN_NAMESPACE = (
    f"{IP} link set lo up && {IP} link set lo multicast on && "
    f"{IP} route add 224.0.0.0/4 dev lo && exec {CATALINA_HOME}/bin/catalina.sh run"
)
BUDGET_S = 20.0  # a start here takes 1.5-4 s; 60 s state transfers etc. count as hangs
STARTED = "Server startup in ["
# Tomcat gave up; its JVM may linger (a cluster thread that is no daemon), so stop waiting.
GAVE_UP = re.compile(
    r"Cannot start server[.,] [Ss]erver instance is not configured|"
    r"The required Server component failed to start"
)
AFTER_GIVING_UP_S = 0.5  # for the lines that explain it


class Truth(StrEnum):
    """What Tomcat did with the file, best first: the worst event decides."""

    STARTS = "starts"
    IGNORED = "ignored"
    COMPONENT_FAILS = "component-fails"
    REFUSES = "refuses"
    HANGS = "hangs"

    @property
    def rank(self) -> int:
        return list(Truth).index(self)


@dataclass(frozen=True)
class Signature:
    """A log line Tomcat writes, what it means, and which group of it names the subject."""

    name: str
    kind: Truth | None  # None: the line explains another event (a cause), it is no verdict
    pattern: re.Pattern[str]


def signature(name: str, kind: Truth | None, pattern: str) -> Signature:
    return Signature(name, kind, re.compile(pattern))


# Tomcat 10.1's messages (LocalStrings.properties of digester, startup, util.modeler, coyote,
# catalina.core and ha), first match wins per line. A SEVERE line no signature knows is kept as
# "unclassified" so that the table can grow; it decides nothing.
SIGNATURES: tuple[Signature, ...] = (
    # Tomcat skipped something it was given, and said so (digester LocalStrings)
    signature("no-rules", Truth.IGNORED, r"No rules found matching \[(?P<subject>[^\]]*)\]"),
    signature(
        "property-not-set",
        Truth.IGNORED,
        r"Match \[(?P<path>[^\]]*)\] failed to set property \[(?P<subject>[^\]]*)\] to \[",
    ),
    # a component did not start, Tomcat did
    signature(
        "component-failed",
        Truth.COMPONENT_FAILS,
        r"Failed to (?:start|initialize) component \[(?P<subject>.+)\]\s*$",
    ),
    signature(
        "context-failed",
        Truth.COMPONENT_FAILS,
        r"Context \[(?P<subject>[^\]]*)\] startup failed due to previous errors",
    ),
    signature(
        "deploy-failed", Truth.COMPONENT_FAILS, r"Error (?:deploying|starting) (?P<subject>.*)"
    ),
    signature(
        "farm-host-only",
        Truth.COMPONENT_FAILS,
        r"FarmWarDeployer can only work as host cluster subelement",
    ),
    signature(
        "unknown-default-host",
        Truth.COMPONENT_FAILS,
        r"Unknown default host \[(?P<subject>[^\]]*)\] for service",
    ),
    signature(
        "no-user-database",
        Truth.COMPONENT_FAILS,
        r"Exception looking up UserDatabase under key \[(?P<subject>[^\]]*)\]",
    ),
    signature(
        "filter-not-compiled",
        Truth.IGNORED,
        r"Unable to compile filter=\[(?P<subject>.*)\]",
    ),
    signature(
        "not-a-cluster-manager",
        Truth.COMPONENT_FAILS,
        r"Manager \[(?P<subject>[^\]]*)\] does not implement ClusterManager",
    ),
    # no "Server startup in": these say why (the verdict itself is the missing line)
    signature(
        "not-configured",
        Truth.REFUSES,
        r"Cannot start server[.,] [Ss]erver instance is not configured",
    ),
    signature(
        "server-failed",
        Truth.REFUSES,
        r"The required Server component failed to start so Tomcat is unable to start",
    ),
    # causes: they name the subject of the verdict above them
    signature("cluster-failed", None, r"Unable to start cluster"),
    signature("cluster-stop", None, r"Unable to stop cluster|failed during stop|failed too$"),
    signature("jndi", None, r"Exception processing global JNDI Resources"),
    signature("mcast-join", None, r"Unable to join multicast group"),
    signature(
        "no-config", None, r"Unable to load server configuration from \[.*?(?P<subject>[^/]*)\]"
    ),
    signature(
        "parse-error", None, r"(?:Parse [Ff]atal [Ee]rror|Error) at line \[(?P<subject>\d+)\]"
    ),
    signature(
        "digester-event", None, r"(?P<subject>Begin|End|Body) event threw (?:exception|error)"
    ),
    signature("ajp-no-secret", None, r"secretRequired=\"true\" but the secret attribute is either"),
    signature("class-not-found", None, r"ClassNotFoundException: (?P<subject>\S+)"),
    signature("channel-config", None, r"ChannelConfigException: (?P<subject>[^;]*)"),
    signature("socket", None, r"(?:SocketException|BindException): (?P<subject>.*)"),
    signature(
        "wrong-type",
        None,
        r"(?:IllegalArgumentException|NoSuchMethodException|ClassCastException): "
        r"(?P<subject>argument type mismatch|Cannot find method \[\w+\]|.* cannot be cast .*)",
    ),
    signature("lifecycle", None, r"LifecycleException: (?P<subject>.*)"),
    # what the namespace lacks (no Kubernetes API, no peer): no verdict on the file
    signature("environment", None, r"Failed to open stream|Unable to perform failure detection"),
)
SEVERE = re.compile(r"^\S+ \S+ SEVERE ")
# Skips that a setter logs itself, by the attribute they are about ("Tag@name", as the Digester's
# "failed to set property" names one): ReplicationValve.setFilter keeps no filter it cannot
# compile.
SKIPPED_ATTRIBUTE = {"filter-not-compiled": "Valve@filter"}


@dataclass(frozen=True)
class Event:
    """One thing the real software logged, by signature (Tomcat's or httpd's)."""

    signature: str
    kind: Truth | None
    subject: str
    line: str


@dataclass
class TomcatRun:
    """One start of Tomcat on one server.xml, and what it logged."""

    started: bool
    exited: bool
    seconds: float
    log: str
    events: list[Event] = field(default_factory=list)

    @property
    def truth(self) -> Truth:
        if not self.started:
            gave_up = any(e.kind == Truth.REFUSES for e in self.events)
            return Truth.REFUSES if self.exited or gave_up else Truth.HANGS
        kinds = [e.kind for e in self.events if e.kind is not None and e.kind != Truth.REFUSES]
        return max(kinds, key=lambda k: k.rank, default=Truth.STARTS)

    @property
    def causes(self) -> list[str]:
        """The signatures seen, each once, in log order."""
        return list(dict.fromkeys(e.signature for e in self.events))

    def ignored(self) -> set[str]:
        """What Tomcat skipped, comparable with clustercheck's claims: the outermost element of
        each subtree without rules ("Server/Service/Engine/cluster"; Tomcat names every
        element inside it too), each attribute as "Tag@name", any other skip by its signature."""
        elements = [e.subject for e in self.events if e.signature == "no-rules"]
        tops = {p for p in elements if not any(p.startswith(q + "/") for q in elements)}
        attributes = {
            e.subject.rpartition("/")[2] for e in self.events if e.signature == "property-not-set"
        }
        others = {
            SKIPPED_ATTRIBUTE.get(e.signature, e.signature)
            for e in self.events
            if e.kind == Truth.IGNORED and e.signature not in ("no-rules", "property-not-set")
        }
        return tops | attributes | others

    @property
    def unclassified(self) -> list[str]:
        return [e.line for e in self.events if e.signature == "unclassified"]

    def summary(self) -> str:
        """The events that decide, each once: what the agreement table shows."""
        seen: dict[str, None] = {}
        for event in self.events:
            if event.signature not in ("cluster-stop", "lifecycle"):
                seen[f"{event.signature}: {event.subject}"[:160]] = None
        return "; ".join(seen)


def parse_log(text: str) -> list[Event]:
    """Events in log order; a Java stack trace's lines count as lines too (causes live there)."""
    events = []
    for line in text.splitlines():
        for signature in SIGNATURES:
            found = signature.pattern.search(line)
            if found:
                subject = found.groupdict().get("subject") or ""
                path = found.groupdict().get("path")
                if path:
                    subject = f"{path}@{subject}"
                events.append(Event(signature.name, signature.kind, subject, line.strip()))
                break
        else:
            if SEVERE.match(line):
                events.append(Event("unclassified", None, line.strip()[:200], line.strip()))
    return events


# ---------------------------------------------------------------------------- confinement

_OWN_TAG = re.compile(r"<(?:Connector|Receiver|Membership|LocalMember)\b[^>]*>", re.DOTALL)
_OWN_ADDRESS = re.compile(
    r"(?P<head>\s(?:address|bind|host)\s*=\s*)(?P<q>[\"'])(?P<value>[^\"'<>]*)(?P=q)"
)
_KEEP = {"", "auto", "localhost", "0.0.0.0", "::", "*", "::1"}


def _confined(value: str) -> str:
    """An address a socket of Tomcat's own binds to, as the namespace can have it."""
    if value in _KEEP or "${" in value:
        return value
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return "127.0.0.1"  # a host name of the original machine
    if address.is_loopback or address.is_multicast:
        return value
    return "127.0.0.1"


def confine(text: str) -> str:
    """server.xml with the addresses Tomcat binds its own sockets to (Connector address,
    Receiver address, McastService bind, LocalMember host) moved to 127.0.0.1 when they name
    an interface of the original machine (192.168.1.10, node1.example) which the namespace does
    not have; wildcards, loopback, multicast groups, `auto` and `${...}` stay. Everything else
    (peers' addresses, ports) stays as written: the namespace keeps it all local."""

    def attribute(found: re.Match[str]) -> str:
        return f"{found['head']}{found['q']}{_confined(found['value'])}{found['q']}"

    return _OWN_TAG.sub(lambda tag: _OWN_ADDRESS.sub(attribute, tag[0]), text)


# ---------------------------------------------------------------------------- running


def missing_prerequisites() -> list[str]:
    problems = [] if os.geteuid() == 0 else ["root (a network namespace per run)"]
    wanted = {
        str(CATALINA_HOME / "bin" / "catalina.sh"): "tomcat10",
        str(JAVA_HOME / "bin" / "java"): "openjdk-17-jre-headless",
        UNSHARE: "util-linux",
        IP: "iproute2",
    }
    problems += [f"{p} (apt package {pkg})" for p, pkg in wanted.items() if not Path(p).exists()]
    return problems


def conf_files(extra_properties: str = "") -> dict[str, str]:
    """conf/ of every run besides server.xml: Debian's files, our logging, faster scanning."""
    files = {name: (DEBIAN_CONF / name).read_text(encoding="utf-8") for name in CONF_FILES}
    files["catalina.properties"] += FAST_SCAN + extra_properties
    files["logging.properties"] = LOGGING
    return files


def make_base(base: Path, server_xml: bytes) -> Path:
    """A CATALINA_BASE in `base` (emptied first) holding `server_xml` byte for byte."""
    if base.exists():
        shutil.rmtree(base)
    conf = base / "conf"
    conf.mkdir(parents=True)
    for name, text in conf_files().items():
        (conf / name).write_text(text, encoding="utf-8")
    (conf / "server.xml").write_bytes(server_xml)
    for sub in ("logs", "temp", "work", "lib"):
        (base / sub).mkdir()
    web_inf = base / "webapps" / "ROOT" / "WEB-INF"
    web_inf.mkdir(parents=True)
    (web_inf / "web.xml").write_text(WEB_XML, encoding="utf-8")
    return base


def run_tomcat(base: Path, budget: float = BUDGET_S, java_opts: str = JAVA_OPTS) -> TomcatRun:
    """Start Tomcat on `base` in a namespace of its own; stop it once it started, exited or
    ran out of time; return what it logged."""
    log = base / "logs" / "catalina.out"
    env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG": "C.UTF-8",
        "JAVA_HOME": str(JAVA_HOME),
        "CATALINA_HOME": str(CATALINA_HOME),
        "CATALINA_BASE": str(base),
        "JAVA_OPTS": java_opts,
    }
    began = time.monotonic()
    with running([UNSHARE, "--net", "--", "sh", "-c", IN_NAMESPACE], log, env) as child:
        deadline = began + budget
        while True:
            exited = child.poll() is not None
            text = read_text(log)
            if STARTED in text or exited or time.monotonic() > deadline:
                break
            if GAVE_UP.search(text):
                time.sleep(AFTER_GIVING_UP_S)
                break
            time.sleep(0.05)
        seconds = time.monotonic() - began
        text = read_text(log)  # what an exiting JVM wrote last
    text = text.replace(str(base), "$CATALINA_BASE")  # the same table from any directory
    run = TomcatRun(STARTED in text, exited, round(seconds, 2), text)
    run.events = parse_log(text)
    return run


@contextlib.contextmanager
def running(argv: list[str], log: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """The process runs inside the block and is killed by its PID after it, whatever happens.
    unshare, sh and catalina.sh each exec the next, so the PID is the JVM's."""
    with log.open("ab") as out:
        child = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    try:
        yield child
    finally:
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child.pid, signal.SIGKILL)
        child.wait()


def read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8", "replace")
    except FileNotFoundError:
        return ""
