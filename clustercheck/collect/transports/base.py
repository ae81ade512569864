"""The small interface every transport (ssh, local, files) offers the gatherer.

Only the engine uses transports; checks never see one. A transport is opened once per node and
reused by every read, command and probe of that node.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO, Protocol

# Files bigger than this are refused: a hostile or runaway file must not exhaust memory.
DEFAULT_MAX_BYTES = 4 * 1024 * 1024


class TransportError(Exception):
    """Base of every transport failure; its str() is a one-line, user-facing message."""


class ConnectError(TransportError):
    """The node could not be reached or authenticated (becomes a CC001 error)."""


class FileReadError(TransportError):
    """A file could not be read. `kind` is one of: missing, denied, too_large, not_a_file, error."""

    def __init__(self, path: str, kind: str, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.kind = kind


class CommandUnavailable(TransportError):
    """The transport cannot run commands (the offline `files` transport)."""


@dataclass(frozen=True)
class CommandResult:
    """Outcome of one command; `exit_status` is None when it timed out or was killed."""

    argv: tuple[str, ...]
    exit_status: int | None
    stdout: bytes
    stderr: bytes
    timed_out: bool = False
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.exit_status == 0 and not self.timed_out

    @property
    def text(self) -> str:
        """stdout and stderr merged, decoded leniently (java -version writes to stderr)."""
        return (self.stdout + self.stderr).decode("utf-8", "replace")


@dataclass(frozen=True)
class DirEntry:
    name: str
    is_dir: bool
    size: int


class Stream(Protocol):
    """A long-lived command on a warm channel: write a line, read a line (clock sampling)."""

    def write(self, data: bytes) -> None: ...

    def readline(self, timeout: float) -> bytes:
        """One line; raise TimeoutError when none comes in time, b"" at end of output."""

    def close(self) -> None: ...


class Transport(Protocol):
    """What the gatherer needs from a node. Paths are the node's own, absolute."""

    kind: str  # "ssh" | "local" | "files"
    live: bool  # False when commands and probes cannot run (offline)

    def connect(self) -> None:
        """Open the connection; raise ConnectError with a one-line reason."""

    def read_file(self, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
        """Whole file, or FileReadError (too_large when over max_bytes)."""

    def open_binary(self, path: str) -> BinaryIO:
        """A seekable binary file object, for reading one member of a zip (WAR, catalina.jar)
        without copying the archive. Raise FileReadError."""

    def list_dir(self, path: str) -> list[DirEntry]:
        """Entries of a directory, or FileReadError."""

    def run(
        self, argv: Sequence[str], *, timeout: float | None = None, stdin: bytes | None = None
    ) -> CommandResult:
        """Run argv (quoted for the node's shell by the transport, never pasted) and return its
        result; CommandUnavailable when offline."""

    def open_stream(self, argv: Sequence[str]) -> Stream:
        """Start argv and keep its stdin/stdout open; CommandUnavailable when offline."""

    def close(self) -> None:
        """Release the connection; safe to call twice."""
