"""The shutdown-in-window fault: stop a node's Tomcat cleanly while a heartbeat capture runs there.

    python3 labwatch.py DIR NODE DELAY

Waits until a tcpdump runs in the node's network namespace (clustercheck captures with one on
every node, over SSH), waits DELAY seconds more, SIGTERMs the node's Tomcat by the PID in DIR's
state file, and exits once the Tomcat has stopped. A clean stop multicasts one last heartbeat
with the shutdown command BABY-ALEX, so the peers' capture sees it in the middle of its window.

Standard library only, like the lab; started and recorded by lab.py like every lab process.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import labproc
import labstate

POLL_S = 0.05


def namespace_id(path: str) -> tuple[int, int]:
    """The identity of a network namespace: a /run/netns entry and /proc/PID/ns/net agree."""
    stat = os.stat(path)
    return stat.st_dev, stat.st_ino


def tcpdump_in(netns: tuple[int, int]) -> bool:
    """Whether a tcpdump runs in the namespace; read from /proc, so polling forks nothing."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            if comm == "tcpdump" and namespace_id(str(entry / "ns" / "net")) == netns:
                return True
        except OSError:  # the process ended while we looked
            continue
    return False


def watch(directory: Path, node: int, delay: float) -> str:
    """Wait for the capture, then stop the Tomcat; returns what happened, for the log."""
    state = labstate.load(directory)
    if state is None:
        return f"no lab in {directory}"
    netns = namespace_id(f"/run/netns/{state.net.ns(node)}")
    while not tcpdump_in(netns):
        time.sleep(POLL_S)
    time.sleep(delay)
    state = labstate.load(directory)  # the Tomcat may have been restarted since we started
    tomcat = state.procs.get(f"tomcat{node}") if state else None
    if tomcat is None or not tomcat.alive():
        return f"tcpdump seen on n{node}, but its Tomcat is not running"
    labproc.stop([tomcat])
    return f"tcpdump seen on n{node}; its Tomcat (PID {tomcat.pid}) stopped after {delay:g} s"


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    print(f"{time.strftime('%H:%M:%S')} {watch(Path(argv[0]), int(argv[1]), float(argv[2]))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
