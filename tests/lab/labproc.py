"""The lab's processes, known only by PID and start time.

The lab outlives the Python process that started it (`lab.py up` returns to the shell), so no
code may rely on Popen objects: every process is recorded as (pid, start) in the state file and
stopped by that PID alone, never by name. The start time (from /proc) guards against a PID that
the kernel handed to some other process after a crash.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

CLEAN_ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}


@dataclass(frozen=True)
class Proc:
    """One process of the lab: its PID and its start time in clock ticks after boot."""

    pid: int
    start: int

    @classmethod
    def current(cls) -> Proc:
        """This very process, e.g. as the owner whose death makes a lab stale."""
        stat = _stat(os.getpid())
        assert stat is not None
        return cls(os.getpid(), stat[1])

    def alive(self) -> bool:
        """True while this very process runs (a zombie or a recycled PID does not count)."""
        _reap(self.pid)
        stat = _stat(self.pid)
        return stat is not None and stat[1] == self.start and stat[0] not in "ZX"


def spawn(argv: Sequence[str], log: Path, env: Mapping[str, str] | None = None) -> Proc:
    """Start a daemon in the foreground mode of its own, output appended to `log`.

    The process gets its own session, so a Ctrl-C in the terminal that ran `up` or pytest does
    not reach it: it is stopped by `stop` during teardown, in order.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        child = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(env if env is not None else CLEAN_ENV),
            start_new_session=True,
        )
    stat = _stat(child.pid)
    if stat is None:
        raise RuntimeError(f"{argv[0]} exited at once; see {log}")
    return Proc(child.pid, stat[1])


def stop(procs: Iterable[Proc], timeout: float = 15.0) -> None:
    """SIGTERM every process at once, wait for all, then SIGKILL what is left."""
    pending = [p for p in procs if p.alive()]
    for proc in pending:
        _signal(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        time.sleep(0.05)
        pending = [p for p in pending if p.alive()]
    for proc in pending:
        _signal(proc.pid, signal.SIGKILL)
    while any(p.alive() for p in pending):
        time.sleep(0.05)


def kill_pids(pids: Iterable[int]) -> None:
    """Stop processes known only by a PID read a moment ago (from a namespace's process list)."""
    procs = []
    for pid in pids:
        stat = _stat(pid)
        if stat is not None:
            procs.append(Proc(pid, stat[1]))
    stop(procs, timeout=5.0)


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)


def _reap(pid: int) -> None:
    """Collect the exit status of a child of ours, so that it does not stay a zombie."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _stat(pid: int) -> tuple[str, int] | None:
    """(state letter, start time) of a PID, or None if there is no such process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[19])
