"""The environment a cloud-membership Tomcat starts with: only the variables its membership
reads (knowledge.cloud.CLOUD_VARIABLES), from the inventory, the systemd unit, bin/setenv.sh
and, where readable, the running Tomcat's own environment.

The process environment is filtered on the node (grep -z with a constant pattern), so the rest
of it, which may hold secrets, never leaves the node. Nothing read is run: setenv.sh is read
as text, and only its literal assignments count."""

from __future__ import annotations

from clustercheck.collect.reader import NodeReader
from clustercheck.collect.transports.base import Transport, TransportError
from clustercheck.facts.environment import EnvironmentFacts, EnvSetting
from clustercheck.facts.files import TomcatFacts
from clustercheck.facts.runtime import RuntimeFacts
from clustercheck.inventory.settings import NodeSettings
from clustercheck.knowledge.cloud import CLOUD_MEMBERSHIP_SERVICE, CLOUD_VARIABLES
from clustercheck.knowledge.systemd import UNIT_PATH
from clustercheck.parsers.environment import (
    process_environment,
    shell_assignments,
    unit_environment,
)
from clustercheck.parsers.text import decode

# The wanted variables of a process, NUL-separated; $1 is the pattern, $2 the PID. grep exits 1
# when none is set (the environment was read) and 2 when it could not read it.
ENVIRON_SCRIPT = 'grep -zE -- "$1" "/proc/$2/environ"'
ENVIRON_PATTERN = "^(" + "|".join(CLOUD_VARIABLES) + ")="
ENVIRON_CAP = 64 * 1024  # bytes kept of the filtered environment
UNIT_CAP = 256 * 1024  # bytes read of a unit file or drop-in


def uses_cloud_membership(tomcat: TomcatFacts | None) -> bool:
    """Whether a Cluster of the node's server.xml names CloudMembershipService: only then is
    its environment asked for."""
    server = tomcat.server if tomcat else None
    return any(
        c.membership is not None and c.membership.class_name == CLOUD_MEMBERSHIP_SERVICE
        for c in (server.clusters if server else [])
    )


def gather_environment(
    transport: Transport,
    reader: NodeReader,
    node: NodeSettings,
    runtime: RuntimeFacts | None,
) -> EnvironmentFacts:
    """The cloud-membership variables, each from the source that wins: the running Tomcat's
    environment when it could be read (what it lacks is not set); else setenv.sh over the
    systemd unit over the inventory, in the order catalina.sh applies them."""
    facts = EnvironmentFacts()
    chosen: dict[str, EnvSetting] = {}
    for name, value in node.tomcat.environment.items():
        if name in CLOUD_VARIABLES:
            chosen[name] = EnvSetting(value, "the inventory's tomcat.environment")
    sources = ["the inventory"] if node.tomcat.environment else []
    unit = node.tomcat.systemd_unit
    if unit and node.os != "windows":
        for path in _unit_files(reader, unit):
            data = reader.read(path, UNIT_CAP)
            if data is None:
                continue
            sources.append(path)
            reset, found = unit_environment(decode(data), CLOUD_VARIABLES)
            if reset:  # an empty Environment= forgets what the unit set before
                chosen = {n: s for n, s in chosen.items() if s.source not in sources}
            chosen |= {n: EnvSetting(v, path, line) for n, (v, line) in found.items()}
    if node.os != "windows":
        for folder in dict.fromkeys((node.tomcat.catalina_base, node.tomcat.home)):
            path = reader.join(folder or "/", "bin/setenv.sh")
            data = reader.read(path) if folder else None
            if data is None:
                continue
            sources.append(path)
            for name, (literal, line) in shell_assignments(decode(data), CLOUD_VARIABLES).items():
                chosen[name] = EnvSetting(literal, path, line)
    process = runtime.tomcat if runtime else None
    if transport.live and process is not None and node.os != "windows":
        found_or_error = _process_environment(transport, process.pid)
        if isinstance(found_or_error, str):
            facts.process_error = found_or_error
        else:
            source = f"the environment of the running Tomcat, pid {process.pid}"
            sources.append(source)
            chosen = {n: EnvSetting(v, source) for n, v in found_or_error.items()}
            facts.process = True
    facts.variables = chosen
    facts.sources = tuple(sources)
    return facts


def _unit_files(reader: NodeReader, unit: str) -> list[str]:
    """The unit's file (the first of the load path that has it), then its drop-ins in the order
    systemd applies them; the folders that do not exist are not recorded as reads."""
    name = unit if "." in unit else f"{unit}.service"
    if "/" in name:  # a unit name never holds one: nothing outside the load path is read
        return []
    reader.prefetch((reader.join(folder, name) for folder in UNIT_PATH), UNIT_CAP)
    reader.prefetch_dirs(reader.join(folder, f"{name}.d") for folder in UNIT_PATH)
    main = None
    for folder in UNIT_PATH:
        path = reader.join(folder, name)
        if reader.read(path, UNIT_CAP) is not None:
            main = path
            break
        reader.reads.pop(path, None)
    drop_ins: dict[str, str] = {}
    for folder in UNIT_PATH:
        listing = reader.list_dir(reader.join(folder, f"{name}.d"))
        reader.reads.pop(reader.join(folder, f"{name}.d"), None)
        for entry in listing or []:
            if entry.name.endswith(".conf") and not entry.is_dir:
                drop_ins.setdefault(entry.name, reader.join(folder, f"{name}.d", entry.name))
    return ([main] if main else []) + [drop_ins[n] for n in sorted(drop_ins)]


def _process_environment(transport: Transport, pid: int) -> dict[str, str] | str:
    """The wanted variables of the process, or why its environment could not be read."""
    try:
        result = transport.run(["sh", "-c", ENVIRON_SCRIPT, "sh", ENVIRON_PATTERN, str(pid)])
    except TransportError as exc:
        return f"not asked: {exc}"
    if result.timed_out:
        return "no answer within the command timeout"
    if result.exit_status not in (0, 1):
        why = decode(result.stderr).strip().splitlines()
        return f"/proc/{pid}/environ could not be read" + (f": {why[-1][:200]}" if why else "")
    return process_environment(result.stdout[:ENVIRON_CAP], CLOUD_VARIABLES)
