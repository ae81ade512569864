"""A lab's state file, and the machine-wide registry that finds labs left by killed runs.

The state lives twice: in the lab's own directory (what `lab.py down --dir DIR` reads) and in
REGISTRY (what the next `up` reads to clean up labs whose owner died, even when their directory
is gone, such as a pytest temporary directory). /run is a tmpfs, so the registry ends with a
reboot, exactly like the namespaces and processes it describes.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from labnet import Net
from labproc import Proc

REGISTRY = Path("/run/cclab")
STATE_FILE = "state.json"


@dataclass
class State:
    """Everything needed to find, change and remove one lab, also from another process.

    `owner` is the process whose death makes the lab stale (a pytest session, or `up` while it
    runs); a lab brought up by hand has none once `up` has finished.
    """

    dir: str
    net: Net
    owner: Proc | None
    procs: dict[str, Proc] = field(default_factory=dict)
    faults: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    membership: str = "multicast"  # or "static": `up --membership static`

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> State:
        net = data["net"]
        return cls(
            dir=data["dir"],
            net=Net(**{**net, "netns": tuple(net["netns"]), "veths": tuple(net["veths"])}),
            owner=Proc(**data["owner"]) if data["owner"] else None,
            procs={k: Proc(**v) for k, v in data["procs"].items()},
            faults=list(data["faults"]),
            timings=dict(data["timings"]),
            membership=data.get("membership", "multicast"),
        )

    def stale(self) -> bool:
        return self.owner is not None and not self.owner.alive()


def save(state: State) -> None:
    """Write the state to the lab's directory and to the registry (each atomically)."""
    text = json.dumps(asdict(state), indent=2, sort_keys=True) + "\n"
    REGISTRY.mkdir(mode=0o700, parents=True, exist_ok=True)
    for path in (Path(state.dir) / STATE_FILE, _entry(state.net.id)):
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, path)


def load(directory: Path) -> State | None:
    """The lab whose directory this is, or None if no lab is up there."""
    path = directory / STATE_FILE
    return State.from_json(json.loads(path.read_text())) if path.exists() else None


def registered() -> list[State]:
    """Every lab on this machine that has not been taken down."""
    if not REGISTRY.is_dir():
        return []
    return [State.from_json(json.loads(p.read_text())) for p in sorted(REGISTRY.glob("*.json"))]


def forget(state: State) -> None:
    """Remove the state files of a lab that has been taken down (its logs stay)."""
    for path in (Path(state.dir) / STATE_FILE, _entry(state.net.id)):
        path.unlink(missing_ok=True)


@contextmanager
def locked() -> Iterator[None]:
    """Serialise choosing names and sweeping orphans between labs started at the same time."""
    REGISTRY.mkdir(mode=0o700, parents=True, exist_ok=True)
    with (REGISTRY / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _entry(lab_id: str) -> Path:
    return REGISTRY / f"{lab_id}.json"
