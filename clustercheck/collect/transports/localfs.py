"""Transports on clustercheck's own filesystem: `local` (this machine) and `files` (a snapshot
or a copy of a node's files under a root directory, offline)."""

from __future__ import annotations

import contextlib
import errno
import os
import posixpath
import selectors
import signal
import stat
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from typing import IO, BinaryIO, TypeVar

from clustercheck.collect.transports.base import (
    DEFAULT_MAX_BYTES,
    MAX_DIR_ENTRIES,
    Capped,
    CommandResult,
    CommandUnavailable,
    ConnectError,
    DirEntry,
    FileReadError,
    LineReader,
    each_path,
    over_cap,
)

_KINDS = {
    errno.ENOENT: "missing",
    errno.EACCES: "denied",
    errno.EPERM: "denied",
    errno.EISDIR: "not_a_file",
    errno.ENOTDIR: "missing",
}
_CHUNK = 65536
_REAP_S = 5.0
# Opened without blocking (a FIFO without a writer would wait forever) and never as a terminal.
_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


def file_error(path: str, exc: OSError) -> FileReadError:
    """Map an OSError to the transport's error kinds with a one-line message."""
    kind = _KINDS.get(exc.errno or 0, "error")
    reason = {
        "missing": "no such file",
        "denied": "permission denied",
        "not_a_file": "is a directory",
    }.get(kind, exc.strerror or str(exc))
    return FileReadError(path, kind, f"{path}: {reason}")


def not_a_file(path: str, mode: int) -> FileReadError:
    """A directory, FIFO, socket or device where a file was expected: refused, never read."""
    reason = "is a directory" if stat.S_ISDIR(mode) else "not a regular file (a FIFO or device)"
    return FileReadError(path, "not_a_file", f"{path}: {reason}")


T = TypeVar("T")


def within(seconds: float, path: str, work: Callable[[], T]) -> T:
    """`work` (a filesystem call on `path`), given up after `seconds`. A hung mount (NFS, FUSE)
    blocks a read in the kernel, where nothing interrupts it: the run goes on without that
    file, and the blocked thread is left behind as a daemon, which never holds up the exit."""
    done = threading.Event()
    results: list[T] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(work())
        except BaseException as exc:  # raised again below, in the caller's thread
            errors.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, name=f"filesystem call on {path}", daemon=True).start()
    if not done.wait(seconds):
        message = f"{path}: no answer within {seconds:g} s (a hung mount?)"
        raise FileReadError(path, "error", message)
    if errors:
        raise errors[0]
    return results[0]


def too_many_entries(path: str) -> FileReadError:
    return FileReadError(path, "too_large", f"{path}: over {MAX_DIR_ENTRIES} entries")


class LocalTransport:
    """The machine clustercheck runs on; commands run without a shell, each in a process group
    of its own that is killed when it times out."""

    kind = "local"
    live = True

    def __init__(self, command_timeout: float = 60.0) -> None:
        self.command_timeout = command_timeout
        self.exchanges = 0

    def connect(self) -> None:
        """Nothing to open."""

    def _real(self, path: str) -> str:
        return path

    def _open(self, path: str) -> tuple[BinaryIO, int]:
        """A regular file open for reading, and its size. Its type is checked before it is
        opened (opening a device can act on it) and again on the open file (it may have been
        swapped in between)."""
        try:
            real = self._real(path)
            mode = os.stat(real).st_mode
            if not stat.S_ISREG(mode):
                raise not_a_file(path, mode)
            fd = os.open(real, _OPEN_FLAGS)
        except OSError as exc:
            raise file_error(path, exc) from None
        except ValueError:  # a NUL byte: no file has that name
            raise FileReadError(path, "missing", f"{path}: no such file") from None
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            raise not_a_file(path, info.st_mode)
        return os.fdopen(fd, "rb"), info.st_size

    def read_file(self, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
        self.exchanges += 1
        return within(self.command_timeout, path, lambda: self._read(path, max_bytes))

    def read_files(
        self, paths: Sequence[str], max_bytes: int = DEFAULT_MAX_BYTES
    ) -> dict[str, bytes | FileReadError]:
        """One read_file each; counted as the one exchange a remote node's batch costs."""
        return self._batch(paths, lambda path: self.read_file(path, max_bytes))

    def list_dirs(self, paths: Sequence[str]) -> dict[str, list[DirEntry] | FileReadError]:
        return self._batch(paths, self.list_dir)

    def _batch(self, paths: Sequence[str], one: Callable[[str], T]) -> dict[str, T | FileReadError]:
        before = self.exchanges
        found = each_path(paths, one)
        self.exchanges = before + (1 if found else 0)
        return found

    def _read(self, path: str, max_bytes: int) -> bytes:
        handle, size = self._open(path)
        with handle:
            if size > max_bytes:
                raise over_cap(path, size, max_bytes)
            try:
                data = handle.read(max_bytes + 1)
            except OSError as exc:
                raise file_error(path, exc) from None
        if len(data) > max_bytes:
            raise over_cap(path, 0, max_bytes)
        return data

    def open_binary(self, path: str) -> BinaryIO:
        self.exchanges += 1
        return within(self.command_timeout, path, lambda: self._open(path)[0])

    def list_dir(self, path: str) -> list[DirEntry]:
        self.exchanges += 1
        return within(self.command_timeout, path, lambda: self._list(path))

    def _list(self, path: str) -> list[DirEntry]:
        found: list[DirEntry] = []
        try:
            with os.scandir(self._real(path)) as entries:
                for entry in entries:
                    if len(found) == MAX_DIR_ENTRIES:
                        raise too_many_entries(path)
                    found.append(self._entry(path, entry))
        except OSError as exc:
            raise file_error(path, exc) from None
        except ValueError:
            raise FileReadError(path, "missing", f"{path}: no such file") from None
        return sorted(found, key=lambda e: e.name)

    def _entry(self, folder: str, entry: os.DirEntry[str]) -> DirEntry:
        """One entry with symlinks followed as this transport follows them (inside its root for
        the files transport); one that cannot be followed (a loop, a dangling link) is listed as
        a plain entry instead of failing the whole listing, and reading it says why."""
        try:
            info = os.stat(self._real(posixpath.join(folder, entry.name)))
        except OSError:
            return DirEntry(entry.name, False, 0)
        regular = stat.S_ISREG(info.st_mode)
        return DirEntry(entry.name, stat.S_ISDIR(info.st_mode), info.st_size if regular else 0)

    def run(
        self, argv: Sequence[str], *, timeout: float | None = None, stdin: bytes | None = None
    ) -> CommandResult:
        self.exchanges += 1
        start = time.monotonic()
        limit = self.command_timeout if timeout is None else timeout
        try:
            proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            return CommandResult(
                tuple(argv), 127, b"", str(exc).encode(), duration_s=time.monotonic() - start
            )
        try:
            out, err, finished = _communicate(proc, stdin or b"", start + limit)
        finally:
            _stop(proc)
        return CommandResult(
            tuple(argv),
            proc.returncode if finished else None,
            out,
            err,
            timed_out=not finished,
            duration_s=time.monotonic() - start,
        )

    def open_stream(self, argv: Sequence[str]) -> LocalStream:
        self.exchanges += 1
        return LocalStream(argv)

    def close(self) -> None:
        """Nothing to release."""


def _communicate(
    proc: subprocess.Popen[bytes], stdin: bytes, deadline: float
) -> tuple[bytes, bytes, bool]:
    """stdin fed, stdout and stderr read together and capped, until the command ends or the
    deadline; and whether it ended in time."""
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    out, err = Capped(DEFAULT_MAX_BYTES), Capped(DEFAULT_MAX_BYTES)
    pending = memoryview(stdin)
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ, out)
        selector.register(proc.stderr, selectors.EVENT_READ, err)
        if pending:
            os.set_blocking(proc.stdin.fileno(), False)
            selector.register(proc.stdin, selectors.EVENT_WRITE)
        else:
            proc.stdin.close()
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return bytes(out.data), bytes(err.data), False
            for key, _events in selector.select(remaining):
                if key.fileobj is proc.stdin:
                    pending = _feed(proc.stdin, pending)
                    if not pending:
                        selector.unregister(proc.stdin)
                        proc.stdin.close()
                elif chunk := os.read(key.fd, _CHUNK):
                    key.data.add(chunk)
                else:
                    selector.unregister(key.fileobj)
    try:
        proc.wait(max(0.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        return bytes(out.data), bytes(err.data), False
    return bytes(out.data), bytes(err.data), True


def _feed(pipe: IO[bytes], pending: memoryview) -> memoryview:
    try:
        return pending[os.write(pipe.fileno(), pending[:_CHUNK]) :]
    except BrokenPipeError:  # the command exited without reading its input
        return pending[:0]


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """Kill the command's whole process group if it is still there (what it started too), and
    release its pipes."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(_REAP_S)  # a process stuck in the kernel (a hung mount) is left behind
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


class LocalStream:
    """A local process with pipes, read line by line with a timeout."""

    def __init__(self, argv: Sequence[str]) -> None:
        self._proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._lines = LineReader(self._recv)

    def _recv(self, timeout: float) -> bytes | None:
        assert self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            return os.read(fd, _CHUNK) if selector.select(timeout) else None

    def write(self, data: bytes) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.write(data)
        self._proc.stdin.flush()

    def readline(self, timeout: float) -> bytes:
        return self._lines.readline(timeout)

    def read_until(self, marker: bytes, timeout: float, cap: int) -> bytes:
        return self._lines.read_until(marker, timeout, cap)

    def close(self) -> None:
        _stop(self._proc)


class FilesTransport(LocalTransport):
    """A node's filesystem mirrored under `root`: /opt/tomcat stands at ROOT/opt/tomcat and a
    Windows C:/tomcat at ROOT/C/tomcat. Offline: commands are unavailable."""

    kind = "files"
    live = False

    def __init__(self, root: str) -> None:
        super().__init__()
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
