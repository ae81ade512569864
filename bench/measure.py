"""Running one tool invocation and measuring it: wall time, client CPU (the tool and every
descendant it waited for, from os.wait4's rusage), peak RSS, the sshd side's CPU and the whole
machine's busy CPU over the same window (a noise check: what neither side used was used by
something else on the machine).

The benchmark makes itself a child subreaper, so helpers that a tool detaches (ansible's
ControlPersist `ssh` masters) are re-parented to it; `reap_orphans` collects them and their CPU
is added to the tool's client CPU instead of escaping the measurement.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from nodeside import NodeSide
from sshd import CLK_TCK, SshdFleet, children_of

PR_SET_CHILD_SUBREAPER = 36
# PIDs of our own long-lived children (the sshd fleet): never reaped or killed as orphans
PROTECTED: set[int] = set()


def _kill_group(pid: int) -> None:
    """Stop a tool that ran past its timeout: its whole process group, by its PID."""
    try:
        os.killpg(pid, 9)
    except ProcessLookupError:
        pass


def become_subreaper() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def machine_busy_seconds() -> float:
    """Busy CPU time of the whole machine so far (all cores), from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def _children(exclude: set[int]) -> list[int]:
    return [pid for pid in children_of({os.getpid()}) if pid not in exclude]


def reap_orphans(keep: set[int], timeout: float = 5.0) -> tuple[float, int]:
    """Wait for and reap children we did not start directly (re-parented to us), except the
    `keep` PIDs (our sshd). Returns (their CPU seconds, how many). Kills, by PID, any that are
    still alive after `timeout`."""
    cpu, count = 0.0, 0
    deadline = time.monotonic() + timeout
    while True:
        try:
            info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            info = None
        if info is not None and info.si_pid and info.si_pid not in keep:
            _, _, usage = os.wait4(info.si_pid, 0)
            cpu += usage.ru_utime + usage.ru_stime
            count += 1
            continue
        alive = _children(keep)
        if not alive:
            return cpu, count
        if time.monotonic() > deadline:
            for pid in alive:
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + 2
        time.sleep(0.02)


@dataclass
class Sample:
    tool: str
    n: int
    run: int
    wall_s: float
    client_cpu_s: float
    client_user_s: float
    client_sys_s: float
    maxrss_mb: float
    sshd_cpu_s: float
    machine_cpu_s: float
    other_cpu_s: float  # machine - client - sshd: used by something else meanwhile
    load1: float
    rc: int
    ok: bool
    detached_cpu_s: float = 0.0  # part of client_cpu_s: re-parented helpers (ansible masters)
    note: str = ""
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def run_measured(
    tool: str,
    n: int,
    run: int,
    argv: list[str],
    *,
    env: dict[str, str],
    fleet: SshdFleet | None,
    log: Path,
    cwd: str | None = None,
    after: Callable[[], None] | None = None,
    expect_rc: tuple[int, ...] = (0,),
    timeout: float | None = None,
    node_side: NodeSide | None = None,
) -> Sample:
    """Run argv to completion and measure it; `after` runs before the sshd side is read (it
    closes what the tool left behind, e.g. ansible's ControlPersist masters). With
    `node_side`, its numbers (node cgroup CPU and memory, JVMs, round trips) go in `extra`."""
    load1 = os.getloadavg()[0]
    keep = PROTECTED | (set(fleet.pids) if fleet else set())
    if fleet:
        fleet.wait_idle()
    sshd0 = fleet.cpu_seconds() if fleet else 0.0
    if node_side:
        node_side.begin()
    busy0 = machine_busy_seconds()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=timeout is not None,  # its own group, to stop it whole
        )
        timer = None
        if timeout is not None:
            timer = threading.Timer(timeout, _kill_group, (proc.pid,))
            timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        if timer is not None:
            timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if after:
        after()
    detached, _count = reap_orphans(keep)
    idle = fleet.wait_idle() if fleet else True
    sshd1 = fleet.cpu_seconds() if fleet else 0.0
    extra = node_side.end() if node_side else {}
    busy1 = machine_busy_seconds()
    client = usage.ru_utime + usage.ru_stime + detached
    sshd_cpu = sshd1 - sshd0
    machine = busy1 - busy0
    timed_out = timeout is not None and wall >= timeout
    return Sample(
        tool=tool,
        n=n,
        run=run,
        wall_s=wall,
        client_cpu_s=client,
        client_user_s=usage.ru_utime,
        client_sys_s=usage.ru_stime,
        maxrss_mb=usage.ru_maxrss / 1024,
        sshd_cpu_s=sshd_cpu,
        machine_cpu_s=machine,
        other_cpu_s=machine - client - sshd_cpu,
        load1=load1,
        rc=proc.returncode,
        ok=proc.returncode in expect_rc and not timed_out,
        detached_cpu_s=detached,
        note=f"stopped after the {timeout:g} s timeout"
        if timed_out
        else ("" if idle else "sshd sessions still alive after 10 s"),
        extra=extra,
    )
