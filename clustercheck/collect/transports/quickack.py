"""A TCP socket that acknowledges at once (Linux TCP_QUICKACK, set again after every read).

sshd leaves Nagle on for sessions without a terminal, so when it answers with two small packets
the second waits for the first one's ACK, and Linux delays an ACK up to 40 ms: the ~45 ms "first
exec" (or SFTP open) of a fresh connection. TCP_NODELAY on our side cannot help; acknowledging
at once can. The kernel drops back to delayed ACKs on its own, hence the option after each read.
"""

from __future__ import annotations

import contextlib
import socket
from typing import Any, cast

QUICKACK: int | None = getattr(socket, "TCP_QUICKACK", None)  # Linux only


class QuickAckSocket:
    """`sock` for paramiko, acknowledging every read at once; everything else passes through."""

    def __init__(self, sock: socket.socket, option: int) -> None:
        self._sock = sock
        self._option = option

    def recv(self, size: int) -> bytes:
        data = self._sock.recv(size)
        if data:  # an OSError: a socket already shut down; the read said what there was
            with contextlib.suppress(OSError):
                self._sock.setsockopt(socket.IPPROTO_TCP, self._option, 1)
        return data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)


def quick_ack(sock: socket.socket) -> socket.socket:
    """`sock` wrapped where the kernel has TCP_QUICKACK, else as it is (typed as a socket:
    paramiko only reads, writes, times out, names the peer and closes it)."""
    return sock if QUICKACK is None else cast(socket.socket, QuickAckSocket(sock, QUICKACK))
