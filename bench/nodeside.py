"""What a run costs the simulated nodes, and how it reaches them.

* `NodeGroup`: every sshd (and so every session, shell, sftp-server and java it starts) in a
  cgroup of the benchmark's own: its CPU (cgroup v2 `cpu.stat` usage_usec, present on any v2
  hierarchy, else v1 `cpuacct.usage`) and its peak memory (v1 `memory.max_usage_in_bytes`,
  reset before each run, else v2 `memory.peak` reset through an open descriptor, kernel 6.12+).
* `JavaCounter`: a `java` that logs the node it runs on and execs the real one, first on the
  nodes' PATH and as bin/java of the JDK the nodes' setenv.sh names (a symlink copy of the
  real JDK, `release` file included), so every JVM a tool starts on a node is counted. That
  JDK lives under /run, not the work dir: clustercheck runs a setenv.sh JDK only when nobody
  but root could have written it or a folder above it, and /tmp is writable by all.
* `Relay`: bench/relay.py, the delayed network between the tools and the nodes' sshd, with
  its round trips per node.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from sshd import CLK_TCK

HERE = Path(__file__).resolve().parent


def _mounts() -> list[tuple[str, str, set[str]]]:
    """(mount point, type, options) of every cgroup hierarchy."""
    out = []
    for line in Path("/proc/mounts").read_text().splitlines():
        _dev, point, kind, options, *_ = line.split()
        if kind in ("cgroup", "cgroup2"):
            out.append((point, kind, set(options.split(","))))
    return out


def _own_v1(controller: str) -> str:
    """This process's cgroup path in the v1 hierarchy of `controller`."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _id, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return path
    return "/"


class NodeGroup:
    """The node side's cgroup(s), made at start and removed at stop."""

    def __init__(self, name: str) -> None:
        self.dirs: list[Path] = []
        self.cpu_file: Path | None = None  # cpu.stat (v2) or cpuacct.usage (v1)
        self.memory: Path | None = None  # the v1 memory cgroup, or the v2 cgroup with memory.peak
        self._peak: IO[str] | None = None
        mounts = _mounts()
        v2 = next((m for m in mounts if m[1] == "cgroup2"), None)
        if v2:
            self._make(Path(v2[0]) / name)
            self.cpu_file = self.dirs[-1] / "cpu.stat"
            if (self.dirs[-1] / "memory.peak").exists():
                self.memory = self.dirs[-1]
        for point, kind, options in mounts:
            if kind != "cgroup":
                continue
            if "cpuacct" in options and self.cpu_file is None:
                self._make(Path(point + _own_v1("cpuacct")) / name)
                self.cpu_file = self.dirs[-1] / "cpuacct.usage"
            if "memory" in options and self.memory is None:
                self._make(Path(point + _own_v1("memory")) / name)
                self.memory = self.dirs[-1]

    def _make(self, path: Path) -> None:
        path.mkdir(exist_ok=True)
        self.dirs.append(path)

    @property
    def usable(self) -> str:
        """What it measures, for the report."""
        what = []
        if self.cpu_file is not None:
            what.append(f"CPU from {self.cpu_file}")
        if self.memory is not None:
            what.append(f"memory from {self.memory}")
        return "; ".join(what) or "no cgroup could be made: node CPU and memory not measured"

    def add(self, pid: int) -> None:
        for d in self.dirs:
            (d / "cgroup.procs").write_text(f"{pid}\n")

    def cpu_seconds(self) -> float | None:
        if self.cpu_file is None:
            return None
        text = self.cpu_file.read_text()
        if self.cpu_file.name == "cpu.stat":
            usec = next(
                int(line.split()[1]) for line in text.splitlines() if line.startswith("usage_usec ")
            )
            return usec / 1e6
        return int(text) / 1e9

    def reset_peak(self) -> int | None:
        """Start a peak measurement; returns the memory in use now (bytes)."""
        if self.memory is None:
            return None
        if (self.memory / "memory.peak").exists():
            if self._peak is not None:
                self._peak.close()
            self._peak = (self.memory / "memory.peak").open("r+")
            self._peak.write("reset\n")
            self._peak.flush()
            return int((self.memory / "memory.current").read_text())
        (self.memory / "memory.max_usage_in_bytes").write_text("0\n")
        return int((self.memory / "memory.usage_in_bytes").read_text())

    def peak(self) -> int | None:
        """The peak since reset_peak (bytes)."""
        if self.memory is None:
            return None
        if self._peak is not None:
            self._peak.seek(0)
            return int(self._peak.read())
        return int((self.memory / "memory.max_usage_in_bytes").read_text())

    def remove(self) -> None:
        """rmdir each cgroup once its processes are gone (they were stopped just before)."""
        if self._peak is not None:
            self._peak.close()
        for d in self.dirs:
            for _ in range(50):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.1)
        self.dirs = []


class JavaCounter:
    """Counts the JVMs started on the nodes: each start appends its node address to a log."""

    def __init__(self, work: Path, real_home: str, node_bin: Path) -> None:
        self.log = work / "java-starts.log"
        self.log.write_text("")
        self.root = Path(f"/run/ccbench-{os.getpid()}")
        self.home = self.root / "jdk"  # what the nodes' setenv.sh names
        real = Path(real_home)
        (self.home / "bin").mkdir(parents=True, exist_ok=True)
        for entry in real.iterdir():
            if entry.name != "bin":
                _symlink(entry, self.home / entry.name)
        for entry in (real / "bin").iterdir():
            if entry.name != "java":
                _symlink(entry, self.home / "bin" / entry.name)
        script = (
            "#!/bin/sh\n"
            "# benchmark: count every JVM started on a node (bench/nodeside.py), then run it\n"
            "node=${SSH_CONNECTION#* * }\n"  # client address, port; then the node's address
            'echo "${node%% *}" >> ' + f"{self.log}\n"
            f'exec {real / "bin/java"} "$@"\n'
        )
        for path in (self.home / "bin/java", node_bin / "java"):
            path.write_text(script)
            path.chmod(0o755)
        self._mark = 0

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def begin(self) -> None:
        self._mark = self.log.stat().st_size

    def since(self) -> dict[str, int]:
        """JVMs started per node address since begin()."""
        with self.log.open() as handle:
            handle.seek(self._mark)
            starts: dict[str, int] = {}
            for line in handle.read().split():
                starts[line] = starts.get(line, 0) + 1
        return starts


def _symlink(target: Path, link: Path) -> None:
    if not link.is_symlink():
        link.symlink_to(target)


class Relay:
    """bench/relay.py for every node address: LISTEN port -> the sshd port, RTT ms."""

    def __init__(self, work: Path, rtt_ms: float) -> None:
        self.rtt_ms = rtt_ms
        self.control = work / "relay.sock"
        self.proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.port = 0

    def start(
        self, addresses: list[str], listen: int, target: int, log: Path
    ) -> subprocess.Popen[bytes]:
        """Start it (at a higher priority than the tools: it stands for the network, not a
        process competing with them for the shared cores)."""
        self.port = listen
        self._log = log.open("wb")
        self.proc = subprocess.Popen(
            [
                "nice",
                "-n",
                "-10",
                sys.executable,
                str(HERE / "relay.py"),
                f"{self.rtt_ms:g}",
                str(self.control),
                str(listen),
                str(target),
                *addresses,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
        )
        assert self.proc.stdout is not None
        if self.proc.stdout.readline().strip() != b"ready":
            raise SystemExit(f"bench: the relay did not start; see {log}")
        return self.proc

    def stop(self) -> None:
        """Stop it by its PID."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.control.unlink(missing_ok=True)
        if self._log is not None:
            self._log.close()

    def _ask(self, command: str) -> str:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.control))
            s.sendall(command.encode() + b"\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        return data.decode()

    def reset(self) -> None:
        self._ask("reset")

    def stats(self) -> dict:
        """Since the last reset: per node address ("nodes"), connections and round trips; how
        late the relay's timers wrote ("late": mean_ms, max_ms, chunks)."""
        return json.loads(self._ask("stats"))

    def cpu_seconds(self) -> float:
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(fields[i]) for i in (11, 12)) / CLK_TCK

    def verify(self, address: str, direct_port: int, times: int = 15) -> dict:
        """Median TCP connect + first byte (the sshd banner) through the relay and directly:
        their difference is the round trip the relay adds."""

        def first_byte(port: int) -> float:
            start = time.perf_counter()
            with socket.create_connection((address, port), timeout=10) as s:
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                s.recv(1)
            return (time.perf_counter() - start) * 1000

        pairs = [(first_byte(self.port), first_byte(direct_port)) for _ in range(times)]
        through = statistics.median(t for t, _ in pairs)  # interleaved: load hits both alike
        direct = statistics.median(d for _, d in pairs)
        return {"rtt_ms": self.rtt_ms, "through_ms": through, "direct_ms": direct, "runs": times}


class NodeSide:
    """One run's node-side numbers: begun just before a tool starts, read once every session
    it opened has ended. Each part is optional (no cgroup, no relay)."""

    def __init__(
        self, group: NodeGroup | None, java: JavaCounter | None, relay: Relay | None
    ) -> None:
        self.group, self.java, self.relay = group, java, relay
        self._cpu0: float | None = None
        self._mem0: int | None = None
        self._relay0 = 0.0

    def begin(self) -> None:
        if self.group is not None:
            self._cpu0 = self.group.cpu_seconds()
            self._mem0 = self.group.reset_peak()
        if self.java is not None:
            self.java.begin()
        if self.relay is not None:
            self.relay.reset()
            self._relay0 = self.relay.cpu_seconds()

    def end(self) -> dict:
        """node_cpu_s (all nodes), node_mem_peak_mb (above what the node side held before the
        run), java_starts, and through the relay: round trips and connections per node (median
        and max over the nodes reached) and the relay's own CPU."""
        out: dict = {}
        if self.group is not None:
            cpu, peak = self.group.cpu_seconds(), self.group.peak()
            if cpu is not None and self._cpu0 is not None:
                out["node_cpu_s"] = cpu - self._cpu0
            if peak is not None and self._mem0 is not None:
                out["node_mem_peak_mb"] = max(0, peak - self._mem0) / 2**20
        if self.java is not None:
            out["java_starts"] = sum(self.java.since().values())
        if self.relay is not None:
            stats = self.relay.stats()
            per_node = list(stats["nodes"].values())
            if per_node:
                trips = [c["round_trips"] for c in per_node]
                out["round_trips_median"] = statistics.median(trips)
                out["round_trips_max"] = max(trips)
                out["connections_median"] = statistics.median(c["connections"] for c in per_node)
            out["relay_cpu_s"] = self.relay.cpu_seconds() - self._relay0
            if stats["late"]["chunks"]:
                out["relay_late_ms"] = stats["late"]["mean_ms"]
        return out
