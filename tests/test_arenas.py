"""The run caps glibc's malloc arenas before its threads start (collect/arenas.py)."""

from __future__ import annotations

import ctypes
import platform

from support import need

from clustercheck.collect.arenas import ARENAS, M_ARENA_MAX, limit_arenas


def test_glibc_takes_the_cap_and_asking_again_is_harmless() -> None:
    need(platform.libc_ver()[0] == "glibc", "mallopt is glibc's")
    limit_arenas()
    limit_arenas()
    assert ctypes.CDLL(None).mallopt(M_ARENA_MAX, ARENAS) == 1
