"""Snapshots: `collect` writes what was gathered as a files-layout tree plus the live facts, and
`run DIR` judges it again offline, re-running no probe.

Layout:  DIR/inventory.yaml   the inventory, every node rewritten to `transport: files`
         DIR/snapshot.json    live facts per node (reachability, addresses, probes), with times
         DIR/nodes/NAME/...   each file as read, at its path on the node

Secrets never reach the disk: each is replaced by a keyed fingerprint (HMAC-SHA256 with a key
made for this snapshot and then forgotten), so equal secrets still compare equal.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import re
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

from clustercheck.collect.transports.localfs import node_relative
from clustercheck.facts.cluster import ClusterFacts, LiveFacts
from clustercheck.inventory.loader import InventoryError, load_inventory
from clustercheck.inventory.settings import ClusterSettings, NodeSettings

SNAPSHOT_VERSION = 1
FINGERPRINT_PREFIX = "cc-hmac-"
_SECRET_LINE = re.compile(rb"secret", re.IGNORECASE)


class SnapshotError(Exception):
    """A directory that is not a readable snapshot; one line."""


class Recorder:
    """Keeps every file the gatherer read, per node, until the snapshot is written."""

    def __init__(self) -> None:
        self.files: dict[str, dict[str, bytes]] = defaultdict(dict)

    def __call__(self, node: str, path: str, data: bytes) -> None:
        self.files[node][path] = data


def is_snapshot(path: str | os.PathLike[str]) -> bool:
    return (Path(path) / "snapshot.json").is_file()


def write_snapshot(facts: ClusterFacts, recorder: Recorder, out: Path) -> None:
    key = os.urandom(32)
    fingerprint = _fingerprinter(key)
    secrets = _secrets(facts)
    out.mkdir(parents=True, exist_ok=True)
    for node, files in recorder.files.items():
        root = out / "nodes" / node
        archives: dict[str, dict[str, bytes]] = defaultdict(dict)
        for path, data in files.items():
            data = _redact(data, secrets, fingerprint)
            if "!/" in path:
                archive, member = path.split("!/", 1)
                archives[archive][member] = data
            else:
                _write(root / node_relative(path), data)
        for archive, members in archives.items():
            _write(root / node_relative(archive), _zip(members))
    (out / "inventory.yaml").write_text(_inventory_yaml(facts.settings), encoding="utf-8")
    (out / "snapshot.json").write_text(
        json.dumps(
            {
                "snapshot_version": SNAPSHOT_VERSION,
                "cluster": facts.name,
                "collected_at": facts.started_at,
                "duration_s": round(facts.duration_s, 3),
                "dns": facts.dns,
                "live": facts.live,
                "nodes": {
                    name: {**n.live.as_dict(), "transport": n.settings.transport}
                    for name, n in facts.nodes.items()
                },
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


def load_snapshot(path: Path) -> tuple[ClusterSettings, dict[str, Any]]:
    try:
        meta = json.loads((path / "snapshot.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{path / 'snapshot.json'}: not a readable snapshot ({exc})") from None
    if meta.get("snapshot_version") != SNAPSHOT_VERSION:
        raise SnapshotError(
            f"{path}: snapshot version {meta.get('snapshot_version')} is not {SNAPSHOT_VERSION}"
        )
    try:
        settings = load_inventory(path / "inventory.yaml")
    except InventoryError as exc:
        raise SnapshotError(exc.problems[0]) from None
    return settings, meta


def apply_recorded(facts: ClusterFacts, meta: dict[str, Any]) -> None:
    """Live facts come from the snapshot: the checks judge them as they were recorded."""
    for name, live in meta.get("nodes", {}).items():
        node = facts.nodes.get(name)
        if node is None:
            continue
        node.live = LiveFacts.from_dict(live)
        # an offline node's snapshot has no live facts to judge: it stays offline
        node.recorded = live.get("transport") != "files"
    facts.started_at = meta.get("collected_at", facts.started_at)
    facts.dns = meta.get("dns", {})
    facts.live = meta.get("live", {})


def _fingerprinter(key: bytes) -> Any:
    def fingerprint(secret: bytes) -> bytes:
        return (
            FINGERPRINT_PREFIX.encode()
            + hmac.new(key, secret, hashlib.sha256).hexdigest()[:20].encode()
        )

    return fingerprint


def _secrets(facts: ClusterFacts) -> set[bytes]:
    """Every secret value the parsers found: worker secrets and AJP connector secrets."""
    found: set[str] = set()
    for node in facts.nodes.values():
        if node.apache and node.apache.workers:
            found.update(w.secret for w in node.apache.workers.workers.values() if w.secret)
        if node.tomcat and node.tomcat.server:
            found.update(c.secret for c in node.tomcat.server.connectors if c.secret)
    return {s.encode("utf-8") for s in found if s}


def _redact(data: bytes, secrets: set[bytes], fingerprint: Any) -> bytes:
    """Replace secrets on the lines that set them; longest first so no secret leaves a tail."""
    if not secrets:
        return data
    ordered = sorted(secrets, key=len, reverse=True)
    lines = data.split(b"\n")
    for index, line in enumerate(lines):
        if _SECRET_LINE.search(line):
            for secret in ordered:
                line = line.replace(secret, fingerprint(secret))
            lines[index] = line
    return b"\n".join(lines)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(members.items()):
            zf.writestr(name, data)
    return buffer.getvalue()


def _inventory_yaml(settings: ClusterSettings) -> str:
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
        "nodes": {n.name: _node_yaml(n) for n in settings.nodes},
    }
    if settings.multicast.window_s is not None:
        data["multicast"] = {"window_s": settings.multicast.window_s}
    if settings.waivers:
        data["waivers"] = [
            {k: v for k, v in vars(w).items() if v is not None} for w in settings.waivers
        ]
    header = "# Written by `clustercheck collect`: every node reads from nodes/<name>/.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _node_yaml(node: NodeSettings) -> dict[str, Any]:
    out: dict[str, Any] = {
        "host": node.host,
        "roles": list(node.roles),
        "transport": "files",
        "root": f"nodes/{node.name}",
        "os": node.os,
    }
    apache = {k: v for k, v in vars(node.apache).items() if v}
    tomcat = {k: v for k, v in vars(node.tomcat).items() if v}
    if apache:
        out["apache"] = apache
    if tomcat:
        out["tomcat"] = tomcat
    return out
