"""Fewer malloc arenas for a run's many threads (glibc only).

glibc gives threads their own malloc arenas, up to eight per core, and each keeps what its
threads free for later: with a connection thread and a gathering thread per node, a 100-node
run held ~20 MB more than it used. Python allocates under its GIL anyway, so two arenas cost
no waiting worth measuring (bench/: the live run at N=100, 124 MB before, 112 MB after).
"""

from __future__ import annotations

import contextlib
import ctypes

M_ARENA_MAX = -8  # glibc's malloc.h
ARENAS = 2


def limit_arenas() -> None:
    """Cap glibc's malloc arenas before the gathering threads start; elsewhere (musl, macOS,
    Windows) nothing to do."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, ARENAS)
