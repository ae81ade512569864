"""Reads files of one node through its transport, remembering every attempt as a FileRead.

Every read goes through here so that a missing or unreadable file is recorded once, with the
path as the node sees it, and can be reported by the check that needed it.
"""

from __future__ import annotations

import io
import lzma
import posixpath
import zipfile
import zlib
from collections.abc import Callable, Iterable
from typing import BinaryIO

from clustercheck.collect.transports.base import (
    DEFAULT_MAX_BYTES,
    DirEntry,
    FileReadError,
    Transport,
    over_cap,
)
from clustercheck.facts.files import FileRead
from clustercheck.parsers.secrets import secrets_in

# A descriptor inside an archive larger than this is not a descriptor.
MAX_MEMBER_BYTES = 1024 * 1024
# All that is read of one archive for one member: its central directory (tens of thousands of
# entries are a few MB) and the member.
MAX_ARCHIVE_READ = 64 * 1024 * 1024
# What zipfile raises on foreign bytes: a bad structure or a truncated file, an encrypted
# member (RuntimeError), an unknown compression method, corrupt compressed data.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    OSError,
    EOFError,
    ValueError,
    RuntimeError,
    NotImplementedError,
    zlib.error,
    lzma.LZMAError,
)


class NodeReader:
    def __init__(
        self,
        transport: Transport,
        windows: bool = False,
        on_read: Callable[[str, bytes], None] | None = None,
    ) -> None:
        self.transport = transport
        self.windows = windows
        self.reads: dict[str, FileRead] = {}
        self.secrets: set[str] = set()  # found in every file read, for no report to show
        self._cache: dict[str, bytes | None] = {}
        # fetched ahead in one exchange, not yet asked for: (the cap used, the answer)
        self._ahead: dict[str, tuple[int, bytes | FileReadError]] = {}
        self._listed_ahead: dict[str, list[DirEntry] | FileReadError] = {}
        self._on_read = on_read

    def join(self, base: str, *parts: str) -> str:
        """Join node paths; an absolute part (or a drive letter on Windows) restarts the path."""
        path = base.replace("\\", "/") if self.windows else base
        for part in parts:
            part = part.replace("\\", "/") if self.windows else part
            if part.startswith("/") or (self.windows and len(part) > 1 and part[1] == ":"):
                path = part
            else:
                path = posixpath.join(path, part)
        return posixpath.normpath(path)

    def prefetch(self, paths: Iterable[str], max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        """Fetch files that are about to be read, all in one exchange with the node. Nothing is
        recorded here: a later `read` takes its answer from what came and records it exactly as
        a direct read would; a file fetched and never read is never recorded (nor kept)."""
        wanted = [
            p for p in dict.fromkeys(paths) if p and p not in self._cache and p not in self._ahead
        ]
        if wanted:
            found = self.transport.read_files(wanted, max_bytes)
            self._ahead |= {path: (max_bytes, answer) for path, answer in found.items()}

    def prefetch_dirs(self, paths: Iterable[str]) -> None:
        """List folders that are about to be listed, all in one exchange; `list_dir` takes
        each answer once."""
        wanted = [p for p in dict.fromkeys(paths) if p and p not in self._listed_ahead]
        if wanted:
            self._listed_ahead |= self.transport.list_dirs(wanted)

    def _fetched(self, path: str, max_bytes: int) -> bytes:
        """The file as a direct read with `max_bytes` gives it: from what was fetched ahead
        when that answers for this cap, else read now."""
        cap, answer = self._ahead.pop(path, (0, None))
        if isinstance(answer, bytes):
            if len(answer) > max_bytes:
                raise over_cap(path, len(answer), max_bytes)
            return answer
        if answer is not None and (answer.kind != "too_large" or cap == max_bytes):
            raise answer
        return self.transport.read_file(path, max_bytes)

    def read(self, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes | None:
        """The file's bytes, or None (the failure is kept in `reads`)."""
        if path in self._cache:
            return self._cache[path]
        try:
            data = self._fetched(path, max_bytes)
        except FileReadError as exc:
            self.reads[path] = FileRead(path, exc.kind, str(exc))
            self._cache[path] = None
            return None
        self._got(path, data)
        self._cache[path] = data
        return data

    def list_dir(self, path: str) -> list[DirEntry] | None:
        try:
            listed = self._listed_ahead.pop(path, None)
            if isinstance(listed, FileReadError):
                raise listed
            return listed if listed is not None else self.transport.list_dir(path)
        except FileReadError as exc:
            self.reads[path] = FileRead(path, exc.kind, str(exc))
            return None

    def read_member(self, archive: str, member: str) -> bytes | None:
        """One member of a zip (WAR, JAR) read through a seekable remote file, so only the
        central directory and that member cross the wire, never the whole archive."""
        return self.read_members(archive, (member,))[member]

    def read_members(self, archive: str, members: tuple[str, ...]) -> dict[str, bytes | None]:
        """Several members of one zip, its central directory read once; each member's bytes or
        None (the failure is kept in `reads` under `archive!/member`)."""
        found: dict[str, bytes | None] = dict.fromkeys(members)
        done: list[str] = []
        try:
            # the sizes an archive states are the node's word: the cap holds on what is read
            with (
                self.transport.open_binary(archive) as handle,
                zipfile.ZipFile(Budget(handle, MAX_ARCHIVE_READ)) as zf,
            ):
                for member in members:
                    found[member] = self._member(zf, archive, member)
                    done.append(member)
        except FileReadError as exc:
            self._failed(archive, members, done, exc.kind, str(exc))
        except ZIP_ERRORS as exc:
            self._failed(archive, members, done, "error", f"{archive}: not a readable zip ({exc})")
        return found

    def _failed(
        self, archive: str, members: tuple[str, ...], done: list[str], kind: str, message: str
    ) -> None:
        for member in members:
            if member not in done:
                display = f"{archive}!/{member}"
                self.reads[display] = FileRead(display, kind, message)

    def _member(self, zf: zipfile.ZipFile, archive: str, member: str) -> bytes | None:
        display = f"{archive}!/{member}"
        try:
            with zf.open(member) as entry:
                data = entry.read(MAX_MEMBER_BYTES + 1)
        except KeyError:
            self.reads[display] = FileRead(display, "missing", f"{display}: not in the archive")
            return None
        if len(data) > MAX_MEMBER_BYTES:
            self.reads[display] = FileRead(
                display, "too_large", f"{display}: over the {MAX_MEMBER_BYTES}-byte cap"
            )
            return None
        self._got(display, data)
        return data

    def _got(self, path: str, data: bytes) -> None:
        self.reads[path] = FileRead(path, "ok", size=len(data))
        self.secrets |= secrets_in(data, path)
        if self._on_read:
            self._on_read(path, data)


class Budget:
    """A seekable file read no further than `budget` bytes in all: zipfile believes the sizes an
    archive states (its central directory's too), and they are the node's word."""

    def __init__(self, handle: BinaryIO, budget: int) -> None:
        self.handle = handle
        self.budget = self.left = budget

    def read(self, size: int = -1) -> bytes:
        if size < 0:  # to the end, in steps: a buffered file allocates what it is asked for
            return b"".join(iter(lambda: self.read(io.DEFAULT_BUFFER_SIZE), b""))
        data = self.handle.read(min(size, self.left + 1))
        self.left -= len(data)
        if self.left < 0:
            raise OSError(f"more than {self.budget} bytes to read")
        return data

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.handle.seek(offset, whence)

    def tell(self) -> int:
        return self.handle.tell()

    def seekable(self) -> bool:
        return True
