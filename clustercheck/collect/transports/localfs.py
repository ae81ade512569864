"""Transports on clustercheck's own filesystem: `local` (this machine) and `files` (a snapshot
or a copy of a node's files under a root directory, offline)."""

from __future__ import annotations

import errno
import os
import posixpath
import select
import stat
import subprocess
import time
from collections.abc import Sequence
from typing import BinaryIO

from clustercheck.collect.transports.base import (
    DEFAULT_MAX_BYTES,
    CommandResult,
    CommandUnavailable,
    ConnectError,
    DirEntry,
    FileReadError,
)

_KINDS = {
    errno.ENOENT: "missing",
    errno.EACCES: "denied",
    errno.EPERM: "denied",
    errno.EISDIR: "not_a_file",
    errno.ENOTDIR: "missing",
}


def file_error(path: str, exc: OSError) -> FileReadError:
    """Map an OSError to the transport's error kinds with a one-line message."""
    kind = _KINDS.get(exc.errno or 0, "error")
    reason = {
        "missing": "no such file",
        "denied": "permission denied",
        "not_a_file": "is a directory",
    }.get(kind, exc.strerror or str(exc))
    return FileReadError(path, kind, f"{path}: {reason}")


class LocalTransport:
    """The machine clustercheck runs on; commands run without a shell."""

    kind = "local"
    live = True

    def connect(self) -> None:
        """Nothing to open."""

    def _real(self, path: str) -> str:
        return path

    def read_file(self, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
        try:
            with self.open_binary(path) as handle:
                size = os.fstat(handle.fileno()).st_size
                if size > max_bytes:
                    raise FileReadError(
                        path, "too_large", f"{path}: {size} bytes, over the {max_bytes}-byte cap"
                    )
                data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise file_error(path, exc) from None
        if len(data) > max_bytes:
            raise FileReadError(path, "too_large", f"{path}: over the {max_bytes}-byte cap")
        return data

    def open_binary(self, path: str) -> BinaryIO:
        """The regular file at `path`; opening never waits (a FIFO or a device is refused)."""
        try:
            fd = os.open(self._real(path), os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as exc:
            raise file_error(path, exc) from None
        except ValueError:  # a NUL byte: no file has that name
            raise FileReadError(path, "missing", f"{path}: no such file") from None
        handle = os.fdopen(fd, "rb")
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            handle.close()
            reason = "is a directory" if stat.S_ISDIR(mode) else "not a regular file"
            raise FileReadError(path, "not_a_file", f"{path}: {reason}")
        return handle

    def list_dir(self, path: str) -> list[DirEntry]:
        try:
            with os.scandir(self._real(path)) as entries:
                return sorted((self._entry(path, e) for e in entries), key=lambda e: e.name)
        except OSError as exc:
            raise file_error(path, exc) from None
        except ValueError:
            raise FileReadError(path, "missing", f"{path}: no such file") from None

    def _entry(self, folder: str, entry: os.DirEntry[str]) -> DirEntry:
        """An entry with its symlink followed; a link that leads nowhere (dangling, a loop) is
        listed as what it is, and reading it says why."""
        try:
            info = os.stat(self._real(posixpath.join(folder, entry.name)))
        except OSError:
            return DirEntry(entry.name, False, 0)
        regular = stat.S_ISREG(info.st_mode)
        return DirEntry(entry.name, stat.S_ISDIR(info.st_mode), info.st_size if regular else 0)

    def run(
        self, argv: Sequence[str], *, timeout: float | None = None, stdin: bytes | None = None
    ) -> CommandResult:
        start = time.monotonic()
        try:
            proc = subprocess.run(
                list(argv), input=stdin, capture_output=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired as exc:
            return CommandResult(
                tuple(argv),
                None,
                exc.stdout or b"",
                exc.stderr or b"",
                timed_out=True,
                duration_s=time.monotonic() - start,
            )
        except OSError as exc:
            return CommandResult(
                tuple(argv), 127, b"", str(exc).encode(), duration_s=time.monotonic() - start
            )
        return CommandResult(
            tuple(argv),
            proc.returncode,
            proc.stdout,
            proc.stderr,
            duration_s=time.monotonic() - start,
        )

    def open_stream(self, argv: Sequence[str]) -> LocalStream:
        return LocalStream(argv)

    def close(self) -> None:
        """Nothing to release."""


class LocalStream:
    """A local process with pipes, read line by line with a timeout."""

    def __init__(self, argv: Sequence[str]) -> None:
        self._proc = subprocess.Popen(
            list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )

    def write(self, data: bytes) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.write(data)
        self._proc.stdin.flush()

    def readline(self, timeout: float) -> bytes:
        assert self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError("no line in time")
        return self._proc.stdout.readline()

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        for pipe in (self._proc.stdin, self._proc.stdout):
            if pipe:
                pipe.close()


class FilesTransport(LocalTransport):
    """A node's filesystem mirrored under `root`: /opt/tomcat stands at ROOT/opt/tomcat and a
    Windows C:/tomcat at ROOT/C/tomcat. Offline: commands are unavailable."""

    kind = "files"
    live = False

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)

    def connect(self) -> None:
        if not os.path.isdir(self.root):
            raise ConnectError(f"root directory {self.root} does not exist")

    def _real(self, path: str) -> str:
        return resolve_in_root(self.root, path)

    def run(
        self, argv: Sequence[str], *, timeout: float | None = None, stdin: bytes | None = None
    ) -> CommandResult:
        raise CommandUnavailable("offline: commands cannot run on a files node")

    def open_stream(self, argv: Sequence[str]) -> LocalStream:
        raise CommandUnavailable("offline: commands cannot run on a files node")


def node_relative(path: str) -> str:
    """The path below a files root: drive letters become a folder, and no `..` may climb out."""
    path = path.replace("\\", "/")
    if len(path) >= 2 and path[1] == ":":
        path = f"/{path[0].upper()}{path[2:]}"
    return posixpath.normpath("/" + path).lstrip("/")


MAX_SYMLINKS = 40  # as many as Linux follows in one path


def resolve_in_root(root: str, path: str) -> str:
    """Where a node's `path` is under `root`, its symlinks followed as the node would follow
    them: an absolute target starts again at root and `..` stops there, so nothing under root
    leads out of it (a copied `/etc/x -> /usr/y` stays in the copy, a snapshot's link to
    `/etc/shadow` reads the snapshot's own, if any). OSError ELOOP past MAX_SYMLINKS links."""
    done: list[str] = []
    todo = node_relative(path).split("/")[::-1]
    links = 0
    while todo:
        part = todo.pop()
        if part in ("", "."):
            continue
        if part == "..":
            del done[-1:]
            continue
        try:
            target = os.readlink(os.path.join(root, *done, part))
        except OSError:  # not a link, or not there: opening it tells which
            done.append(part)
            continue
        links += 1
        if links > MAX_SYMLINKS:
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
        if target.startswith("/"):
            done = []
        todo.extend(target.split("/")[::-1])
    return os.path.join(root, *done)
