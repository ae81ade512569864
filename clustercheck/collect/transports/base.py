"""The small interface every transport (ssh, local, files) offers the gatherer.

Only the engine uses transports; checks never see one. A transport is opened once per node and
reused by every read, command and probe of that node.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Protocol, TypeVar

# Files bigger than this are refused: a hostile or runaway file must not exhaust memory.
DEFAULT_MAX_BYTES = 4 * 1024 * 1024
# A directory with more entries is refused: a listing is one level and must stay bounded.
MAX_DIR_ENTRIES = 10_000
# A line of a long-lived command (the clock sampler) longer than this is not a line.
MAX_LINE_BYTES = 64 * 1024


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


def over_cap(path: str, size: int, max_bytes: int) -> FileReadError:
    """A file over its cap; `size` as measured or stated (not shown when unknown: 0)."""
    stated = f"{size} bytes, " if size else ""
    return FileReadError(path, "too_large", f"{path}: {stated}over the {max_bytes}-byte cap")


class CommandUnavailable(TransportError):
    """The transport cannot run commands (the offline `files` transport)."""


class CommandRefused(TransportError):
    """An argument cannot be passed safely to the node's shell (shells.Unquotable); nothing ran."""


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


class Capped:
    """Output kept up to a cap; the rest is read (so the command never blocks) and dropped: a
    command that prints forever costs its timeout, never the memory."""

    def __init__(self, cap: int) -> None:
        self.data = bytearray()
        self.cap = cap

    def add(self, chunk: bytes) -> None:
        room = self.cap - len(self.data)
        if room > 0:
            self.data += chunk[:room]


class LineReader:
    """Lines out of a byte source read with a timeout (`recv(seconds)`: b"" at the end, None
    when nothing came in time). A line never waits past its timeout and never grows past
    MAX_LINE_BYTES, whatever the other end prints."""

    def __init__(self, recv: Callable[[float], bytes | None]) -> None:
        self._recv = recv
        self._buffer = bytearray()

    def readline(self, timeout: float) -> bytes:
        deadline = time.monotonic() + timeout
        while (end := self._buffer.find(b"\n")) < 0:
            if len(self._buffer) > MAX_LINE_BYTES:
                raise OSError(f"a line longer than {MAX_LINE_BYTES} bytes")
            if not self._more(deadline, f"no line from the command within {timeout:g} s"):
                rest = bytes(self._buffer)
                self._buffer.clear()
                return rest
        line = bytes(self._buffer[: end + 1])
        del self._buffer[: end + 1]
        return line

    def read_until(self, marker: bytes, timeout: float, cap: int) -> bytes:
        """Everything before `marker` (which is consumed); TimeoutError when it does not come
        in time, OSError when more than `cap` bytes come first or the output ends."""
        deadline = time.monotonic() + timeout
        while (end := self._buffer.find(marker)) < 0:
            if len(self._buffer) > cap + len(marker):
                raise OSError(f"more than {cap} bytes before the end of a section")
            if not self._more(deadline, f"no end of a section within {timeout:g} s"):
                raise OSError("the output ended before the end of a section")
        data = bytes(self._buffer[:end])
        del self._buffer[: end + len(marker)]
        return data

    def _more(self, deadline: float, late: str) -> bool:
        """One more chunk into the buffer; False at the end of the output, TimeoutError(late)
        when none comes before `deadline`."""
        remaining = deadline - time.monotonic()
        chunk = self._recv(remaining) if remaining > 0 else None
        if chunk is None:
            raise TimeoutError(late)
        self._buffer += chunk
        return bool(chunk)


class Stream(Protocol):
    """A long-lived command on a warm channel: write a line, read a line (clock sampling)."""

    def write(self, data: bytes) -> None: ...

    def readline(self, timeout: float) -> bytes:
        """One line; raise TimeoutError when none comes in time, b"" at end of output."""

    def read_until(self, marker: bytes, timeout: float, cap: int) -> bytes:
        """Everything before `marker` (LineReader.read_until)."""

    def close(self) -> None: ...


class Transport(Protocol):
    """What the gatherer needs from a node. Paths are the node's own, absolute."""

    kind: str  # "ssh" | "local" | "files"
    live: bool  # False when commands and probes cannot run (offline)
    # How many times the node was waited on: each file, listing, command or stream, and each
    # batch (read_files, list_dirs) once. What round trips cost a run, node by node.
    exchanges: int

    def connect(self) -> None:
        """Open the connection; raise ConnectError with a one-line reason."""

    def read_file(self, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
        """Whole file, or FileReadError (too_large when over max_bytes; not_a_file for a FIFO,
        socket or device, which is never opened for reading: it could block or never end)."""

    def read_files(
        self, paths: Sequence[str], max_bytes: int = DEFAULT_MAX_BYTES
    ) -> dict[str, bytes | FileReadError]:
        """Every path's bytes or its FileReadError (as read_file gives them), in one exchange
        where the transport can: a node far away pays one round trip's worth, not one per file.
        A failure of the connection itself raises, as read_file's does."""

    def list_dirs(self, paths: Sequence[str]) -> dict[str, list[DirEntry] | FileReadError]:
        """Every folder's entries or its FileReadError (as list_dir gives them), in one
        exchange where the transport can."""

    def open_binary(self, path: str) -> BinaryIO:
        """A seekable binary file object, for reading one member of a zip (WAR, catalina.jar)
        without copying the archive. Raise FileReadError."""

    def list_dir(self, path: str) -> list[DirEntry]:
        """Entries of a directory (symlinks followed; an entry that cannot be followed, such as
        a loop, is a non-directory), or FileReadError (too_large over MAX_DIR_ENTRIES)."""

    def run(
        self, argv: Sequence[str], *, timeout: float | None = None, stdin: bytes | None = None
    ) -> CommandResult:
        """Run argv (quoted for the node's shell by the transport, never pasted) and return its
        result; a timed-out command is stopped. `timeout` None: the node's command_timeout.
        CommandUnavailable when offline, CommandRefused when an argument cannot be quoted."""

    def open_stream(self, argv: Sequence[str]) -> Stream:
        """Start argv and keep its stdin/stdout open; CommandUnavailable when offline."""

    def close(self) -> None:
        """Release the connection; safe to call twice."""


T = TypeVar("T")


def each_path(paths: Sequence[str], one: Callable[[str], T]) -> dict[str, T | FileReadError]:
    """A batch done one path at a time (a transport with no batched way, or its fallback): each
    path once, in order, its error kept as its answer."""
    found: dict[str, T | FileReadError] = {}
    for path in dict.fromkeys(paths):
        try:
            found[path] = one(path)
        except FileReadError as exc:
            found[path] = exc
    return found
