"""Test helpers importable from any test module (a module named `conftest` is not: several
folders have one): where the repository is, and the CI-aware skip."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(condition: bool, reason: str) -> None:
    """Skip a test whose real prerequisite is missing, except in CI, where that is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"prerequisite missing in CI: {reason}", pytrace=False)
    pytest.skip(reason)


# A Latin-1 file name, as Python gives a name that is not UTF-8 (surrogate-escaped).
NON_UTF8 = os.fsdecode(b"caf\xe9")


def alive(pid: int) -> bool:
    """Whether `pid` is still a running process (a zombie waiting for its parent is not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def stop(process: subprocess.Popen[bytes], grace_s: float) -> None:
    """Stop a process the test started, by its PID (never by name: the machine may run others
    of the same program): SIGTERM, then SIGKILL after `grace_s`."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
