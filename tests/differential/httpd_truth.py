"""httpd + mod_jk's own verdict on a workers.properties: start the real httpd on it.

Each run gets a throw-away ServerRoot with a minimal httpd.conf (`httpd_conf`: event MPM,
mod_jk, `JkWorkersFile workers.properties`, `JkMount /* WORKER`, `JkLogLevel debug`) and the
file under test, and runs `apache2 -X` (one process, in the foreground) in a network namespace
of its own with only `lo`, listening on 127.0.0.1 there. mod_jk does all its work while httpd
starts: it reads the file, resolves references, creates the workers (post_config) and attaches
them (child init, which -X runs in the same process), so httpd either exits (the
configuration failed) or logs "Initialized mod_jk" within a fraction of a second.

The truth, in the terms of tomcat_truth.Truth: `refuses` (httpd exited), `component-fails`
(it runs, but a worker or a mount does not work: an address mod_jk cannot resolve, a JkMount
naming no worker), `ignored` (it runs, but mod_jk overwrote or never used something the file
says: a duplicate key, a line it did not read, a user variable nothing uses), `starts`.
mod_jk's debug log also tells what it built: every AJP worker's target (host:port) and every
lb member's route, which are compared with clustercheck's reading of the same file.
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from differential.tomcat_truth import (
    IP,
    UNSHARE,
    Event,
    Signature,
    Truth,
    read_text,
    running,
    signature,
)

APACHE2 = "/usr/sbin/apache2"
MODULES = Path("/usr/lib/apache2/modules")
BUDGET_S = 10.0
PORT = 8081  # inside the run's own namespace
STARTED = "Initialized mod_jk"

HTTPD_CONF = """\
# clustercheck differential: the least httpd that loads mod_jk on one workers file.
ServerRoot "{server_root}"
ServerName differential
Listen 127.0.0.1:{port}
PidFile run/httpd.pid
DefaultRuntimeDir run
ErrorLog logs/error.log
LogLevel warn
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule jk_module {modules}/mod_jk.so
User www-data
Group www-data
JkWorkersFile workers.properties
JkLogFile logs/mod_jk.log
JkLogLevel debug
JkShmFile run/jk.shm
JkMount /* {mount}
"""


def httpd_conf(server_root: str, mount: str) -> str:
    return HTTPD_CONF.format(server_root=server_root, port=PORT, modules=MODULES, mount=mount)


# mod_jk 1.2.48's and httpd's messages (jk_map.c, jk_worker.c, jk_lb_worker.c,
# jk_ajp_common.c, jk_uri_worker_map.c; AH codes). Lines come twice (httpd reads its
# configuration twice at start); events are kept once.
SIGNATURES: tuple[Signature, ...] = (
    signature("config-failed", Truth.REFUSES, r"AH00016: Configuration Failed"),
    signature("syntax-error", Truth.REFUSES, r"AH00526: Syntax error (?P<subject>.*)"),
    signature(
        "unsupported-attribute",
        None,
        r"The attribute '(?P<subject>[^']*)' is not supported",
    ),
    signature("reference-not-found", None, r"Reference '(?P<subject>[^']*)' not found"),
    signature("unknown-type", None, r"Unknown worker type (?P<subject>\S+)"),
    signature("same-route", None, r"share the same route (?P<subject>\S+)"),
    signature("no-members", None, r"Could not get member list for (?P<subject>.*) from map"),
    signature("worker-not-created", None, r"failed to create worker (?P<subject>\S+)"),
    signature(
        "reading-failed", None, r"Error in (?:reading worker properties|creating the workers)"
    ),
    signature(
        "unresolvable-host",
        Truth.COMPONENT_FAILS,
        r"worker (?P<path>\S+) can't resolve tomcat address (?P<subject>\S+)",
    ),
    signature(
        "mount-without-worker",
        Truth.COMPONENT_FAILS,
        r"Could not find worker with name '(?P<subject>[^']*)' in uri map",
    ),
    signature("duplicate-key", Truth.IGNORED, r"Duplicate key '(?P<subject>[^']*)' detected"),
    signature("deprecated", None, r"The attribute '(?P<subject>[^']*)' is deprecated"),
)
PROBLEM = re.compile(r"\[(?:error|emerg|crit|alert)\]|AH\d{5}: ")
_ADDED = re.compile(r"Adding property '(?P<key>[^']*)' with value '(?P<value>[^']*)' to map")
_TARGET = re.compile(r"worker (?P<name>\S+) target is '(?P<target>[^']*)'")
_ROUTE = re.compile(r"Balanced worker \d+ has name (?P<name>\S+) and route (?P<route>\S*)")
_VARIABLE = re.compile(r"\$\((?P<name>[^)]*)\)")
_COPIED = re.compile(r"Copying values from (?P<prefix>\S+) to ")
_CREATED = re.compile(r"about to create instance (?P<name>\S+) of (?P<type>\S+)")
_HOST = re.compile(
    r"^\s*worker\.[\w.-]+\.host\s*=\s*(?P<host>[A-Za-z0-9][\w.-]*?)(?::\d+)?\s*(?:#.*)?$"
)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"^(?=.*[A-Za-z]){_LABEL}(?:\.{_LABEL})*$")


@dataclass
class HttpdRun:
    """One start of httpd + mod_jk on one workers file, and what it logged."""

    started: bool
    exited: bool
    seconds: float
    log: str
    events: list[Event] = field(default_factory=list)
    targets: dict[str, str] = field(default_factory=dict)  # AJP worker → host:port
    routes: dict[str, str] = field(default_factory=dict)  # lb member → route

    @property
    def truth(self) -> Truth:
        if not self.started:
            return Truth.REFUSES if self.exited else Truth.HANGS
        kinds = [e.kind for e in self.events if e.kind is not None and e.kind != Truth.REFUSES]
        return max(kinds, key=lambda k: k.rank, default=Truth.STARTS)

    @property
    def causes(self) -> list[str]:
        return list(dict.fromkeys(e.signature for e in self.events))

    def summary(self) -> str:
        seen = dict.fromkeys(
            f"{e.signature}: {e.subject}"[:160] for e in self.events if e.signature != "deprecated"
        )
        return "; ".join(seen)


def parse_log(text: str, workers: str) -> HttpdRun:
    """Events, targets and routes from the logs; the lines of `workers` mod_jk never put in
    its map, and user variables nothing refers to, are "ignored" events of their own."""
    run = HttpdRun(False, False, 0.0, text)
    seen: set[tuple[str, str]] = set()
    added: dict[str, str] = {}
    types: dict[str, str] = {}
    templates: set[str] = set()
    for line in text.splitlines():
        if (found := _ADDED.search(line)) is not None:
            added[found["key"]] = found["value"]
        if (found := _COPIED.search(line)) is not None:
            templates.add(found["prefix"])
        if (found := _CREATED.search(line)) is not None:
            types[found["name"]] = found["type"]
        if (found := _TARGET.search(line)) is not None:
            run.targets[found["name"]] = found["target"]
        if (found := _ROUTE.search(line)) is not None:
            run.routes[found["name"]] = found["route"]
        event = _event(line)
        if event is not None and (event.signature, event.subject) not in seen:
            seen.add((event.signature, event.subject))
            run.events.append(event)
    if added:  # mod_jk read the file: what did it leave out?
        run.events += _unread(workers, added, templates)
    # a worker mod_jk built with port 0 is disabled (ajp_validate): its member is stopped, a
    # worker mapped directly answers 503 (observed with the real httpd in test_jk_real_httpd)
    run.events += [
        Event("port-zero", Truth.COMPONENT_FAILS, name, f"{name} targets {target}")
        for name, target in run.targets.items()
        if target.rpartition(":")[2] == "0"
    ]
    run.events += [
        Event("members-unused", Truth.IGNORED, name, f"{name} is {kind}")
        for name, kind in types.items()
        if kind != "lb"
        and {f"worker.{name}.balance_workers", f"worker.{name}.balanced_workers"} & set(added)
    ]
    return run


def _event(line: str) -> Event | None:
    for known in SIGNATURES:
        found = known.pattern.search(line)
        if found:
            groups = found.groupdict()
            subject = groups.get("subject") or ""
            if groups.get("path"):
                subject = f"{groups['path']}@{subject}"
            return Event(known.name, known.kind, subject, line.strip())
    if PROBLEM.search(line):
        return Event("unclassified", None, line.strip()[-160:], line.strip())
    return None


def _unread(workers: str, added: dict[str, str], templates: set[str]) -> list[Event]:
    """Lines with something on them that put nothing in mod_jk's map (no '=', an empty key or
    value), and user variables (keys outside worker.*) that no value uses: no `$(NAME)` after
    the line that defines it (mod_jk replaces it from the keys read so far; the log shows only
    the value after that), and no `reference` copies from (its log names the prefix)."""
    events = []
    defined: set[str] = set()
    used: set[str] = set()
    for number, raw in enumerate(workers.splitlines(), 1):
        content, hashed, _ = raw.partition("#")
        content = content.strip()
        if not any(c.isalnum() for c in content):
            continue  # a BOM, a no-break space, a stray byte: mod_jk skips it, nothing is lost
        key, equals, value = content.partition("=")
        used |= {m["name"] for m in _VARIABLE.finditer(value)} & defined
        if equals and key.strip() in added:
            defined.add(key.strip())
        if not equals or key.strip() not in added:
            events.append(Event("line-not-read", Truth.IGNORED, f"line {number}", raw.strip()))
        elif (
            hashed
            and value
            and not value[-1:].isspace()
            and not raw.partition("#")[0][-1:].isspace()
        ):
            # mod_jk cut the value at a '#' written right after it ("lab#secret")
            events.append(Event("value-cut", Truth.IGNORED, key.strip(), raw.strip()))
    for key in added:
        copied = key.startswith(tuple(templates))
        if not key.startswith("worker.") and key != "ServerRoot" and not (key in used or copied):
            events.append(Event("unused-variable", Truth.IGNORED, key, key))
    return events


def missing_prerequisites() -> list[str]:
    wanted = {APACHE2: "apache2", str(MODULES / "mod_jk.so"): "libapache2-mod-jk"}
    wanted |= {UNSHARE: "util-linux", IP: "iproute2"}
    return [f"{p} (apt package {pkg})" for p, pkg in wanted.items() if not Path(p).exists()]


def make_root(root: Path, workers: bytes, mount: str) -> Path:
    if root.exists():
        shutil.rmtree(root)
    for sub in ("logs", "run"):
        (root / sub).mkdir(parents=True)
    (root / "httpd.conf").write_text(httpd_conf(str(root), mount), encoding="utf-8")
    (root / "workers.properties").write_bytes(workers)
    return root


def hosts_file(workers: str) -> str:
    """/etc/hosts for the run: every host name the workers file names resolves (to loopback),
    as it did where the file was written (docker service names, intranet hosts); names in the
    reserved .invalid domain, and text that is no host name ("$(var)", "$TOMCAT_IP",
    "localhost(tomcat server ip)"), do not."""
    names = set()
    for line in workers.splitlines():
        found = _HOST.match(line)
        if found and _HOSTNAME.match(found["host"]) and not found["host"].endswith(".invalid"):
            names.add(found["host"])
    names.discard("localhost")
    hosts = "127.0.0.1 localhost\n"
    return hosts + "".join(f"127.0.0.2 {name}\n" for name in sorted(names))


def run_httpd(root: Path, budget: float = BUDGET_S) -> HttpdRun:
    """Start httpd -X on `root` in a network and mount namespace of its own (its /etc/hosts
    is `hosts_file`); stop it once mod_jk is up, httpd exited or time ran out."""
    out, jk_log = root / "logs" / "stdout", root / "logs" / "mod_jk.log"
    workers_text = (root / "workers.properties").read_bytes().decode("utf-8", "replace")
    hosts = root / "hosts"
    hosts.write_text(hosts_file(workers_text), encoding="utf-8")
    inside = (
        f"{IP} link set lo up && mount --bind {hosts} /etc/hosts && "
        f"exec {APACHE2} -X -f {root / 'httpd.conf'}"
    )
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
    began = time.monotonic()
    argv = [UNSHARE, "--net", "--mount", "--propagation", "private", "--", "sh", "-c", inside]
    with running(argv, out, env) as child:
        while True:
            exited = child.poll() is not None
            if STARTED in read_text(jk_log) or exited or time.monotonic() > began + budget:
                break
            time.sleep(0.02)
        seconds = time.monotonic() - began
    text = "\n".join(
        read_text(root / "logs" / name) for name in ("mod_jk.log", "error.log", "stdout")
    )
    run = parse_log(text.replace(str(root), "$SERVER_ROOT"), workers_text)
    run.started, run.exited, run.seconds = STARTED in text, exited, round(seconds, 2)
    return run
