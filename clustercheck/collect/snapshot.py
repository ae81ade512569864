"""Snapshots: `collect` writes what was gathered as a files-layout tree plus the live facts, and
`run DIR` judges it again offline, re-running no probe.

Layout:  DIR/inventory.yaml   the inventory, every node rewritten to `transport: files`
         DIR/snapshot.json    the JSON of `Snapshot`: each node's LiveFacts, the LocalFacts
                              measured from clustercheck's machine, DNS answers, with times
         DIR/nodes/NAME/...   each file as read, at its path on the node

Secrets never reach the disk: each is replaced by a keyed fingerprint (collect/redact.py), in
the files, the inventory's system properties and the JVM's output, so equal secrets still
compare equal and the snapshot is judged as its source was.

Version 2 writes the typed records; version 1 (live facts in string-keyed dicts, `extra` per node
and `live` for clustercheck's machine) is still read, converted on load.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import shutil
import tempfile
import urllib.parse
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from clustercheck.collect.redact import Redactor
from clustercheck.collect.transports.base import FileReadError
from clustercheck.collect.transports.localfs import FilesTransport, node_relative, resolve_in_root
from clustercheck.derive.secrets import public_names, secret_values
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.facts.live import LiveFacts, LocalFacts
from clustercheck.facts.record import Record, RecordError
from clustercheck.inventory.loader import InventoryError, parse_inventory
from clustercheck.inventory.settings import ClusterSettings, NodeSettings
from clustercheck.inventory.yamlsource import MAX_INVENTORY_BYTES, LinedDict, YamlError, load_yaml

SNAPSHOT_VERSION = 2
READABLE_VERSIONS = (1, 2)


class SnapshotError(Exception):
    """A directory that is not a readable snapshot; one line."""


@dataclass(frozen=True)
class RecordedNode(Record):
    """A node's live facts, and the transport they were gathered over (`files`: none)."""

    transport: str
    live: LiveFacts


@dataclass(frozen=True)
class Snapshot(Record):
    """snapshot.json: everything `run DIR` judges that the file tree cannot tell again."""

    snapshot_version: int
    cluster: str
    collected_at: str
    duration_s: float
    dns: dict[str, list[str]]  # worker hosts resolved by DNS
    local: LocalFacts
    nodes: dict[str, RecordedNode]


class Recorder:
    """Keeps every file the gatherer read, per node, until the snapshot is written."""

    def __init__(self) -> None:
        self.files: dict[str, dict[str, bytes]] = defaultdict(dict)

    def __call__(self, node: str, path: str, data: bytes) -> None:
        self.files[node][path] = data


def is_snapshot(path: str | os.PathLike[str]) -> bool:
    return (Path(path) / "snapshot.json").is_file()


def write_snapshot(facts: ClusterFacts, recorder: Recorder, out: Path) -> None:
    """The snapshot in `out` (new or empty), whole or not at all: written into a new sibling
    folder (owner only) that is renamed into place at the end, and removed on an error or an
    interruption (Ctrl-C, SIGTERM). Nothing is written outside it, whatever the node names and
    paths say; SnapshotError (one line) when it cannot be written."""
    try:
        out.absolute().parent.mkdir(parents=True, exist_ok=True)
        partial = tempfile.mkdtemp(
            prefix=f".{out.name}.", suffix=".partial", dir=out.absolute().parent
        )
    except OSError as exc:
        raise SnapshotError(f"{out}: cannot write the snapshot ({exc.strerror})") from None
    whole = False
    try:
        _write_into(partial, facts, recorder, out)
        try:
            os.rename(partial, out)  # replaces an empty folder, never a file or a full one
        except OSError as exc:
            raise SnapshotError(f"{out}: cannot write the snapshot ({exc.strerror})") from None
        whole = True
    finally:
        if not whole:
            shutil.rmtree(partial, ignore_errors=True)


def _write_into(partial: str, facts: ClusterFacts, recorder: Recorder, out: Path) -> None:
    """Every file in the folder `partial`, errors named by their place in `out`."""
    try:
        folder = os.open(partial, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError as exc:
        raise SnapshotError(f"{out}: cannot write the snapshot ({exc.strerror})") from None
    try:
        _write_all(folder, facts, recorder)
    except OSError as exc:  # _write names the file by its path in the snapshot
        raise SnapshotError(f"{out / exc.filename}: cannot write it ({exc.strerror})") from None
    finally:
        os.close(folder)


def _write_all(folder: int, facts: ClusterFacts, recorder: Recorder) -> None:
    """Every file, inventory.yaml and snapshot.json below the open `folder`, each secret in
    them replaced by its fingerprint first."""
    every_file = {
        f"{node}:{path}": data
        for node, files in recorder.files.items()
        for path, data in files.items()
    }
    redactor = Redactor(every_file, secret_values(facts), public_names(facts))
    for node, files in recorder.files.items():
        root = f"nodes/{node_folder(node)}"
        archives: dict[str, dict[str, bytes]] = defaultdict(dict)
        for path, data in files.items():
            data = redactor.file(path, data)
            if "!/" in path:
                archive, member = path.split("!/", 1)
                archives[archive][member] = data
            else:
                _write(folder, f"{root}/{node_relative(path)}", data)
        for archive, members in archives.items():
            _write(folder, f"{root}/{node_relative(archive)}", _zip(members))
    _write(folder, "inventory.yaml", _inventory_yaml(facts.settings, redactor).encode())
    snapshot = Snapshot(
        snapshot_version=SNAPSHOT_VERSION,
        cluster=facts.name,
        collected_at=facts.started_at,
        duration_s=round(facts.duration_s, 3),
        dns=facts.dns,
        local=facts.local,
        nodes={
            name: RecordedNode(n.settings.transport, _live(n.live, redactor))
            for name, n in facts.nodes.items()
        },
    )
    text = json.dumps(snapshot.to_json(), indent=2, allow_nan=False) + "\n"
    _write(folder, "snapshot.json", text.encode())


# snapshot.json of a few hundred nodes with their captures stays well below this
MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024
# Node keys that would reach beyond the snapshot: how to log in, and where the files are.
LIVE_KEYS = ("transport", "root", "ssh")


def _live(live: LiveFacts, redactor: Redactor) -> LiveFacts:
    """The live facts, the launcher's output kept for a reader without the secrets in it (a
    `-D...password=` that JAVA_TOOL_OPTIONS gave every JVM), and so the line `httpd -M`
    stopped at (it may quote a directive)."""
    if live.jvm is not None and live.jvm.raw:
        jvm = dataclasses.replace(
            live.jvm, raw=redactor.file("java.out", live.jvm.raw.encode()).decode()
        )
        live = dataclasses.replace(live, jvm=jvm)
    loaded = live.httpd.loaded if live.httpd is not None else None
    if live.httpd is not None and loaded is not None and loaded.error:
        loaded = dataclasses.replace(loaded, error=redactor.text(loaded.error))
        live = dataclasses.replace(live, httpd=dataclasses.replace(live.httpd, loaded=loaded))
    return live


def load_snapshot(path: Path) -> tuple[ClusterSettings, Snapshot]:
    """The snapshot's inventory and recorded facts, read as untrusted input (it may come from
    anyone): only files under `path` are read, and every node reads through the files transport
    rooted inside it, whatever inventory.yaml says. Any problem is one SnapshotError line."""
    try:
        meta = json.loads(_read(path, "snapshot.json", MAX_SNAPSHOT_BYTES))
    except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep
        raise SnapshotError(f"{path / 'snapshot.json'}: not a readable snapshot ({exc})") from None
    version = meta.get("snapshot_version") if isinstance(meta, dict) else None
    if version not in READABLE_VERSIONS:
        raise SnapshotError(
            f"{path}: snapshot version {version} is not one this clustercheck reads "
            f"({', '.join(map(str, READABLE_VERSIONS))})"
        )
    try:
        snapshot = Snapshot.from_json(upgrade_v1(meta) if version == 1 else meta, "snapshot")
        _iso_time(snapshot.collected_at, "snapshot.collected_at")
    except RecordError as exc:
        raise SnapshotError(f"{path / 'snapshot.json'}: not a readable snapshot ({exc})") from None
    where = path / "inventory.yaml"
    try:
        data = load_yaml(
            _read(path, "inventory.yaml", MAX_INVENTORY_BYTES).decode("utf-8-sig"), str(where)
        )
        settings = parse_inventory(_offline(data, path, str(where)), str(where), path)
    except (YamlError, UnicodeDecodeError) as exc:
        raise SnapshotError(f"{where}: not a readable snapshot ({exc})") from None
    except InventoryError as exc:
        raise SnapshotError(f"{path}: not a readable snapshot ({exc.problems[0]})") from None
    unmatched = {n.name for n in settings.nodes} ^ snapshot.nodes.keys()
    if unmatched:
        raise SnapshotError(
            f"{path}: not a readable snapshot (node {sorted(unmatched)[0]} is in only one of "
            "inventory.yaml and snapshot.json)"
        )
    return settings, snapshot


def node_folder(name: str) -> str:
    """A node's folder under nodes/: its name, with what a file name cannot hold (`/`, `\\`,
    control characters, a name of dots) percent-encoded, so `../x` or `/etc` stays inside."""
    folder = urllib.parse.quote(name, safe="")
    return folder if folder.strip(".") else folder.replace(".", "%2E") or "%"


def _read(path: Path, name: str, max_bytes: int) -> bytes:
    """One of the snapshot's own files, read as its nodes' files are: inside the folder."""
    try:
        return FilesTransport(str(path)).read_file(name, max_bytes)
    except FileReadError as exc:
        raise SnapshotError(f"{path}: not a readable snapshot ({exc})") from None


def _iso_time(text: str, where: str) -> None:
    """Reports compute with the collection time: it must be one, and far enough from the ends
    of the calendar that adding the run's duration or a time zone stays in it."""
    try:
        year = datetime.fromisoformat(text).year
    except ValueError:
        year = 0
    if not 1970 <= year < 9999:
        raise RecordError(f"{where}: not an ISO date and time (from 1970 to 9998)")


def _offline(data: Any, path: Path, source: str) -> Any:
    """The inventory as a snapshot may have it: every node on the files transport, rooted in
    its folder (or the root it names, taken inside the snapshot); nothing about logging in;
    waivers inline (a waiver file would be read from outside)."""
    if not isinstance(data, LinedDict):
        return data  # parse_inventory says what is wrong
    if isinstance(data.get("waivers"), str):
        raise InventoryError(
            [f"{source}:{data.line_of('waivers')}: waivers: inline in a snapshot, not a file"]
        )
    nodes = data.get("nodes")
    nodes = (
        {k: v for k, v in nodes.items() if isinstance(v, dict)} if isinstance(nodes, dict) else {}
    )
    roots = {name: node.get("root", f"nodes/{node_folder(name)}") for name, node in nodes.items()}
    for section in (data.get("defaults"), *nodes.values()):
        for key in LIVE_KEYS if isinstance(section, dict) else ():
            section.pop(key, None)
    for name, node in nodes.items():
        root = roots[name]  # anything but a string: parse_inventory says so
        node.update(transport="files", root=_inside(path, root) if isinstance(root, str) else root)
    return data


def _inside(path: Path, root: str) -> str:
    """A root the inventory names, taken inside the snapshot."""
    try:
        return resolve_in_root(os.path.abspath(path), root)
    except OSError as exc:
        raise SnapshotError(f"{path}: not a readable snapshot ({root}: {exc.strerror})") from None


def apply_recorded(facts: ClusterFacts, snapshot: Snapshot) -> None:
    """Live facts come from the snapshot: the checks judge them as they were recorded."""
    for name, recorded in snapshot.nodes.items():
        node = facts.nodes.get(name)
        if node is None:
            continue
        node.live = recorded.live
        # an offline node's snapshot has no live facts to judge: it stays offline
        node.recorded = recorded.transport != "files"
    facts.started_at = snapshot.collected_at
    facts.dns = snapshot.dns
    facts.local = snapshot.local


# Version 1 kept these live facts in each node's `extra` dict, in the shapes version 2's records
# have, except the clock sample (flat then, its offset a record of its own now) and the capture
# views (`wire`, `wire_error`, `wire_problems`, `socket`, `socket_error` side by side then).
V1_EXTRA = ("clock", "timesync", "jvm", "multicast", "ajp_probes", "receiver_probes")
V1_LIVE = ("reachable", "error", "collected_at", "duration_s", "addresses")
V1_OFFSET = ("offset_ms", "uncertainty_ms", "rtt_ms", "samples")


def upgrade_v1(meta: dict[str, Any]) -> dict[str, Any]:
    """A version 1 snapshot.json in version 2's shape, for Snapshot.from_json to check. Keys
    version 1 did not write are dropped, as its reader ignored them."""
    live = _object(meta.get("live", {}), "snapshot.live")
    nodes = _object(meta.get("nodes", {}), "snapshot.nodes")
    listen = live.get("multicast_local")
    listening = None if listen is None else _object(listen, "snapshot.live.multicast_local")
    return {
        **{k: meta[k] for k in ("cluster", "collected_at", "duration_s") if k in meta},
        "snapshot_version": 2,
        "dns": meta.get("dns", {}),
        "local": {
            "reference": live.get("reference"),
            "exposure_probes": live.get("exposure_probes", []),
            "multicast": None if listening is None else _listen_v1(listening),
        },
        "nodes": {
            name: _node_v1(_object(n, f"snapshot.nodes.{name}"), name) for name, n in nodes.items()
        },
    }


def _node_v1(node: dict[str, Any], name: str) -> dict[str, Any]:
    extra = _object(node.get("extra", {}), f"snapshot.nodes.{name}.extra")
    live = {k: node[k] for k in V1_LIVE if k in node} | {
        k: extra[k] for k in V1_EXTRA if k in extra
    }
    if isinstance(live.get("clock"), dict):
        live["clock"] = _clock_v1(live["clock"])
    if isinstance(live.get("multicast"), dict):
        live["multicast"] = _capture_v1(live["multicast"])
    return {"transport": node.get("transport"), "live": live}


def _clock_v1(clock: dict[str, Any]) -> dict[str, Any]:
    if "error" in clock:
        return {"error": clock["error"]}
    offset = {k: clock[k] for k in V1_OFFSET if k in clock}
    return {"offset": offset, "measured_at": clock.get("measured_at")}


def _capture_v1(capture: dict[str, Any]) -> dict[str, Any]:
    return {
        "group": capture.get("group"),
        "window_s": capture.get("window_s"),
        "wire": _view_v1(capture, "wire"),
        "socket": _view_v1(capture, "socket"),
    }


def _listen_v1(listen: dict[str, Any]) -> dict[str, Any]:
    return {"interface": listen.get("interface"), "socket": _view_v1(listen, "socket")}


def _view_v1(old: dict[str, Any], view: str) -> dict[str, Any]:
    return {
        "datagrams": old.get(view),
        "error": old.get(f"{view}_error"),
        "problems": old.get(f"{view}_problems", []),
    }


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RecordError(f"{where}: expected an object")
    return value


def _write(folder: int, path: str, data: bytes) -> None:
    """A new file at `path` below the open `folder`: no symlink is followed and no file is
    replaced, so nothing lands outside the folder, even if something else writes into it."""
    parts = [part for part in path.split("/") if part]
    here = os.dup(folder)
    try:
        for part in parts[:-1]:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, dir_fd=here)
            below = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=here)
            os.close(here)
            here = below
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        with os.fdopen(os.open(parts[-1], flags, 0o666, dir_fd=here), "wb") as handle:
            handle.write(data)
    except OSError as exc:  # named by its path in the snapshot, not by the last component
        raise OSError(exc.errno, exc.strerror, path) from None
    finally:
        os.close(here)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(members.items()):
            zf.writestr(name, data)
    return buffer.getvalue()


def _inventory_yaml(settings: ClusterSettings, redactor: Redactor) -> str:
    data: dict[str, Any] = {
        "cluster": settings.name,
        "ntp": {
            "servers": list(settings.ntp.servers),
            "warn_ms": settings.ntp.warn_ms,
            "fail_ms": settings.ntp.fail_ms,
            "spread_warn_ms": settings.ntp.spread_warn_ms,
            "spread_fail_ms": settings.ntp.spread_fail_ms,
        },
        "jdk": {"policy": settings.jdk_policy},
        "ajp": {"timeout_ms": settings.ajp_timeout_ms},
        "nodes": {n.name: _node_yaml(n, redactor) for n in settings.nodes},
    }
    if settings.multicast.window_s is not None:
        data["multicast"] = {"window_s": settings.multicast.window_s}
    if settings.waivers:
        data["waivers"] = [w.as_inventory() for w in settings.waivers]
    header = "# Written by `clustercheck collect`: every node reads from nodes/<name>/.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _node_yaml(node: NodeSettings, redactor: Redactor) -> dict[str, Any]:
    out: dict[str, Any] = {
        "host": node.host,
        "roles": list(node.roles),
        "transport": "files",
        "root": f"nodes/{node_folder(node.name)}",
        "os": node.os,
    }
    apache = {k: _plain(v) for k, v in vars(node.apache).items() if v}
    tomcat = {k: _plain(v) for k, v in vars(node.tomcat).items() if v}
    for key in ("system_properties", "environment"):  # `-D` values, variables: secrets among them
        if key in tomcat:
            tomcat[key] = {name: redactor.value(name, value) for name, value in tomcat[key].items()}
    if apache:
        out["apache"] = apache
    if tomcat:
        out["tomcat"] = tomcat
    return out


def _plain(value: Any) -> Any:
    """A settings value as YAML writes it: a tuple (the `logs` lists) as a list."""
    return list(value) if isinstance(value, tuple) else value
