"""Private OpenSSH servers on loopback for the benchmark: one simulated node per 127.0.0.x.

OpenSSH caps listen sockets at 16 per sshd (MAX_LISTEN_SOCKS), so the addresses are served by
several sshd processes started from one config template. Each runs in the foreground (-D) as a
child of the benchmark, is stopped by its PID, and its CPU (with every session, shell and
sftp-server it reaped) is read from /proc/PID/stat: that is the "node side" CPU.
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nodeside import NodeGroup

SSHD = "/usr/sbin/sshd"  # sshd re-executes itself: absolute path required
SFTP_SERVER_CANDIDATES = ("/usr/lib/openssh/sftp-server", "/usr/libexec/openssh/sftp-server")
LISTEN_PER_SSHD = 16
CLK_TCK = os.sysconf("SC_CLK_TCK")


def openssh_version() -> str:
    """'OpenSSH_9.2p1 Debian-2+deb12u10, OpenSSL 3.0.19 ...' from the client (same package)."""
    try:
        out = subprocess.run(["ssh", "-V"], capture_output=True, text=True, timeout=10)
        return (out.stderr or out.stdout).strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _version_tuple(text: str) -> tuple[int, int]:
    match = re.search(r"OpenSSH_(\d+)\.(\d+)", text)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def keygen(path: Path, comment: str) -> str:
    """An ed25519 key pair at `path`; returns the public key 'type base64'."""
    if not path.exists():
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
            check=True,
        )
    return " ".join(path.with_suffix(".pub").read_text().split()[:2])


def address(index: int, private_net: bool = True) -> str:
    """Address of simulated host `index` (0-based): 10.199.0.2, 10.199.0.3, ... on the loopback
    of the benchmark's own network namespace; 127.0.0.2, ... without one."""
    value = 2 + index
    prefix = "10.199" if private_net else "127.0"
    return f"{prefix}.{value // 256}.{value % 256}"


def setup_private_net(addresses: list[str]) -> None:
    """Inside a fresh network namespace (unshare --net): loopback up, multicast on, every node
    address on it, and multicast routed there (Tribes heartbeats stay inside the namespace)."""
    lines = ["link set lo up", "link set lo multicast on"]
    lines += [f"addr add {a}/32 dev lo" for a in addresses]
    lines += ["route add 224.0.0.0/4 dev lo"]
    subprocess.run(["ip", "-batch", "-"], input="\n".join(lines) + "\n", text=True, check=True)


def free_port(addresses: list[str], start: int = 22990) -> int:
    """A TCP port free on every address (binding all of them briefly)."""
    for port in range(start, start + 200):
        socks = []
        try:
            for addr in addresses:
                s = socket.socket()
                socks.append(s)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((addr, port))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError("no free port for the benchmark's sshd")


def children_of(parents: set[int]) -> list[int]:
    """PIDs whose parent is one of `parents`, read from /proc (no psutil on a bare machine)."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) in parents:
            found.append(int(entry.name))
    return found


class SshdFleet:
    """Several sshd processes serving `addresses` on one port, with one host key."""

    def __init__(self, work: Path, addresses: list[str]) -> None:
        self.work = work
        self.addresses = addresses
        self.user = getpass.getuser()
        self.keys = work / "keys"
        self.home = work / "home"  # HOME of every remote command and of the clients
        self.procs: list[subprocess.Popen[bytes]] = []
        self.extra: list[subprocess.Popen[bytes]] = []  # other node-side processes (listeners)
        self._logs: list = []
        self.port = 0
        self.client_key = self.keys / "client_ed25519"
        self.known_hosts = work / "known_hosts"
        self.ssh_config = work / "ssh_config"  # empty: never the user's ~/.ssh/config
        self.group: NodeGroup | None = None  # the node side's cgroup (bench/nodeside.py)
        self.force_command: Path | None = None  # every session through it (nodeprofile.py)

    def prepare(self) -> None:
        for tool in ("ssh-keygen", "ssh"):
            if shutil.which(tool) is None:
                raise SystemExit(f"bench: {tool} not found (apt-get install openssh-client)")
        if not os.path.exists(SSHD):
            raise SystemExit(f"bench: {SSHD} not found (apt-get install openssh-server)")
        self.sftp_server = next((p for p in SFTP_SERVER_CANDIDATES if os.path.exists(p)), None)
        if self.sftp_server is None:
            raise SystemExit("bench: sftp-server not found (apt-get install openssh-server)")
        os.makedirs("/run/sshd", exist_ok=True)  # sshd's privilege-separation directory
        self.keys.mkdir(parents=True, exist_ok=True)
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / ".bashrc").write_text("# benchmark HOME: nothing to source\n")
        host_pub = keygen(self.keys / "host_ed25519", "bench-host")
        client_pub = keygen(self.client_key, "bench-client")
        (self.keys / "authorized_keys").write_text(client_pub + "\n")
        self.port = free_port(self.addresses)
        self.known_hosts.write_text(
            "".join(f"[{a}]:{self.port} {host_pub}\n" for a in self.addresses)
        )
        self.ssh_config.write_text("")
        self._node_bin()

    def trust_port(self, port: int) -> None:
        """The same host key at `port` on every address (the relay's): host keys stay verified."""
        host_pub = " ".join((self.keys / "host_ed25519.pub").read_text().split()[:2])
        with self.known_hosts.open("a") as out:
            out.writelines(f"[{a}]:{port} {host_pub}\n" for a in self.addresses)

    def _node_bin(self) -> None:
        """Commands as each simulated node sees them. All nodes share this machine's interfaces,
        but a real node lists only its own: `ip ... addr ...` keeps loopback and the address the
        session came in on (sshd's SSH_CONNECTION), other uses of ip pass through."""
        self.node_bin = self.work / "node-bin"
        self.node_bin.mkdir(exist_ok=True)
        real_ip = shutil.which("ip") or "/sbin/ip"
        wrapper = self.node_bin / "ip"
        wrapper.write_text(
            "#!/bin/sh\n"
            "# benchmark: a simulated node shows only its own address (see bench/sshd.py)\n"
            'case " $* " in\n'
            '  *" addr "*|*" a "*|*" address "*)\n'
            "    set -- $SSH_CONNECTION\n"
            f'    {real_ip} -o addr show | grep -E "^[0-9]+: lo +inet6? (127\\.|::1/)| inet $3/"\n'
            "    exit 0 ;;\n"
            "esac\n"
            f'exec {real_ip} "$@"\n'
        )
        wrapper.chmod(0o755)

    def _config(self, group: int, addrs: list[str]) -> Path:
        newer = _version_tuple(openssh_version()) >= (9, 8)
        lines = [f"ListenAddress {a}:{self.port}" for a in addrs] + [
            f"HostKey {self.keys / 'host_ed25519'}",
            f"PidFile {self.work / f'sshd_{group}.pid'}",
            f"AuthorizedKeysFile {self.keys / 'authorized_keys'}",
            "StrictModes no",
            "UsePAM no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PubkeyAuthentication yes",
            "PermitRootLogin prohibit-password",
            "UseDNS no",
            "MaxStartups 1000:30:2000",
            "MaxSessions 200",
            # Debian's bash sources ~/.bashrc for sshd-run commands; root's may run pyenv (80 ms
            # CPU per exec). A HOME of our own keeps that artificial cost off every tool.
            f"SetEnv HOME={self.home} PATH={self.node_bin}:/usr/local/bin:/usr/bin:/bin",
            f"Subsystem sftp {self.sftp_server}",
            "LogLevel ERROR",
        ]
        if newer:
            lines.append("PerSourcePenalties no")  # 9.8+: would penalise our bursts
        if self.force_command is not None:
            lines.append(f"ForceCommand {self.force_command}")
        path = self.work / f"sshd_{group}.conf"
        path.write_text("\n".join(lines) + "\n")
        return path

    def start(self) -> None:
        groups = [
            self.addresses[i : i + LISTEN_PER_SSHD]
            for i in range(0, len(self.addresses), LISTEN_PER_SSHD)
        ]
        for g, addrs in enumerate(groups):
            config = self._config(g, addrs)
            log = (self.work / f"sshd_{g}.log").open("wb")
            self._logs.append(log)
            proc = subprocess.Popen(
                [SSHD, "-D", "-e", "-f", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
            self.procs.append(proc)
            if self.group is not None:  # before any session: everything sshd starts is in it
                self.group.add(proc.pid)
        deadline = time.monotonic() + 15
        pending = set(self.addresses)
        while pending:
            for proc in self.procs:
                if proc.poll() is not None:
                    logs = " ".join(p.read_text() for p in self.work.glob("sshd_*.log"))
                    raise RuntimeError(f"sshd exited with {proc.returncode}: {logs.strip()}")
            for addr in sorted(pending):
                try:
                    socket.create_connection((addr, self.port), timeout=0.5).close()
                    pending.discard(addr)
                except OSError:
                    pass
            if pending and time.monotonic() > deadline:
                raise RuntimeError(f"sshd not listening on {sorted(pending)[:3]}...")
            if pending:
                time.sleep(0.05)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs + self.extra]

    def cpu_seconds(self) -> float:
        """utime+stime+cutime+cstime of every listener (and of the other node-side processes):
        the node side so far."""
        total = 0
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # after the ')' field 3 is state; utime..cstime are fields 14..17 (1-based)
            total += sum(int(fields[i]) for i in range(11, 15))
        return total / CLK_TCK

    def sessions_alive(self) -> int:
        """Processes whose parent is one of our listeners (sessions not yet reaped)."""
        return len(children_of({p.pid for p in self.procs}))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Until every session has ended and been reaped (so its CPU is counted)."""
        deadline = time.monotonic() + timeout
        while self.sessions_alive():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def stop(self) -> None:
        """Stop our sshd processes by PID (never by name: other sshd run on the machine)."""
        everything = self.procs + self.extra
        for proc in everything:
            if proc.poll() is None:
                proc.terminate()
        for proc in everything:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs, self.extra = [], []
        for log in self._logs:
            log.close()
        self._logs = []
