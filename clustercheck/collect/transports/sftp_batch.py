"""Many files and listings over one SFTP session in a few round trips, not a few per file.

paramiko's SFTPClient waits for each answer before the next request (stat, open, read, read to
EOF, close: five round trips for a small file). SFTP lets a client send many requests before
reading the answers, so a batch is read in rounds: every stat, then every open (a FIFO or device
is never opened: the stat said what it is), then every read; each close is sent without waiting
for its answer. Listings likewise: stat and opendir, readdir until the end, then the symlinks'
targets. paramiko offers no public way to pipeline requests other than one file's readv, so its
request primitives (`_async_request`, `_read_response`, as `_read_dir` in ssh.py already uses)
are used; each answer waits at most the channel's timeout (a TimeoutError reaches the caller,
which drops the session).
"""

from __future__ import annotations

import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import paramiko
from paramiko import sftp as codes
from paramiko.message import Message
from paramiko.sftp import int64

from clustercheck.collect.transports.base import (
    MAX_DIR_ENTRIES,
    DirEntry,
    FileReadError,
    over_cap,
)
from clustercheck.collect.transports.localfs import file_error, not_a_file, too_many_entries

CHUNK = 32768  # bytes per read request, as paramiko asks
# A batch is read in groups: this many files, and no more bytes asked for at once than this
# (what one round may hold in memory; a bigger batch costs a few more rounds).
GROUP_FILES = 100
GROUP_BYTES = 16 * 1024 * 1024

Reply = tuple[int, Message]
Request = tuple[int, tuple[Any, ...]]


def remote(path: str) -> bytes:
    """A path as the node's bytes: names that were not UTF-8 keep their own bytes."""
    return path.encode("utf-8", "surrogateescape")


class _Replies:
    """Answers to pipelined requests by request number: paramiko hands each to the object the
    request was sent for."""

    def __init__(self) -> None:
        self.got: dict[int, Reply] = {}

    def _async_response(self, kind: int, msg: Message, num: int) -> None:
        self.got[num] = (kind, msg)


class _Ignored:
    """The answers nobody waits for (close): consumed whenever a later request reads."""

    def _async_response(self, kind: int, msg: Message, num: int) -> None:
        """Dropped."""


_IGNORED = _Ignored()


def _round(sftp: paramiko.SFTPClient, requests: Sequence[Request]) -> list[Reply]:
    """Send every request, then read every answer: one round trip for all of them."""
    if not requests:
        return []
    replies = _Replies()
    send = sftp._async_request  # type: ignore[attr-defined]
    sent = [send(replies, kind, *args) for kind, args in requests]
    while len(replies.got) < len(sent):
        sftp._read_response()  # type: ignore[attr-defined]
    return [replies.got[num] for num in sent]


def _forget(sftp: paramiko.SFTPClient, kind: int, *args: Any) -> None:
    sftp._async_request(_IGNORED, kind, *args)  # type: ignore[attr-defined]


def _error(sftp: paramiko.SFTPClient, reply: Reply) -> OSError | None:
    """The error an answer that is not the one asked for carries; None at the end of a file or
    listing (SFTP's EOF status)."""
    kind, msg = reply
    if kind != codes.CMD_STATUS:
        return OSError("an unexpected answer from the SFTP server")
    try:
        sftp._convert_status(msg)  # type: ignore[attr-defined]
    except EOFError:
        return None
    except OSError as exc:
        return exc
    except UnicodeError:  # paramiko decodes the server's messages strictly as UTF-8
        return OSError("an unreadable answer from the SFTP server")
    return OSError("an unexpected answer from the SFTP server")  # OK where data was asked for


def _failure(
    sftp: paramiko.SFTPClient, path: str, reply: Reply, expected: int
) -> FileReadError | None:
    """None when the answer is of the expected kind; else the failure as the transport's kinds."""
    if reply[0] == expected:
        return None
    return file_error(path, _error(sftp, reply) or OSError("an unexpected end"))


def _attributes(
    sftp: paramiko.SFTPClient, paths: Sequence[bytes]
) -> list[paramiko.SFTPAttributes | OSError]:
    """stat (symlinks followed) of every path, in one round."""
    found: list[paramiko.SFTPAttributes | OSError] = []
    for reply in _round(sftp, [(codes.CMD_STAT, (path,)) for path in paths]):
        if reply[0] == codes.CMD_ATTRS:
            found.append(_attrs(reply[1]))
        else:
            found.append(_error(sftp, reply) or OSError("an unexpected end"))
    return found


def _attrs(msg: Message) -> paramiko.SFTPAttributes:
    return paramiko.SFTPAttributes._from_msg(msg)  # type: ignore[attr-defined,no-any-return]


# -- files -------------------------------------------------------------------------------------


@dataclass
class _Open:
    """A file being read: what its stat said, what came so far."""

    path: str
    size: int
    handle: bytes = b""
    data: bytearray = field(default_factory=bytearray)
    result: bytes | FileReadError | None = None


def read_many(
    sftp: paramiko.SFTPClient, paths: Sequence[str], max_bytes: int
) -> dict[str, bytes | FileReadError]:
    """Each path's bytes or FileReadError, the same kinds and messages as one read gives."""
    results: dict[str, bytes | FileReadError] = {}
    for start in range(0, len(paths), GROUP_FILES):
        group = list(dict.fromkeys(paths[start : start + GROUP_FILES]))
        results |= _read_group(sftp, group, max_bytes)
    return results


def _read_group(
    sftp: paramiko.SFTPClient, paths: list[str], max_bytes: int
) -> dict[str, bytes | FileReadError]:
    results: dict[str, bytes | FileReadError] = {}
    regular: list[_Open] = []
    for path, attrs in zip(paths, _attributes(sftp, [remote(p) for p in paths]), strict=True):
        if isinstance(attrs, OSError):
            results[path] = file_error(path, attrs)
        elif not stat.S_ISREG(attrs.st_mode or 0):
            results[path] = not_a_file(path, attrs.st_mode or 0)
        elif (attrs.st_size or 0) > max_bytes:
            results[path] = over_cap(path, attrs.st_size or 0, max_bytes)
        else:
            regular.append(_Open(path, attrs.st_size or 0))
    for group in _by_size(regular):
        _open_and_read(sftp, group, max_bytes)
        results |= {f.path: f.result for f in group if f.result is not None}
    return results


def _by_size(files: list[_Open]) -> Iterator[list[_Open]]:
    """Files in groups whose sizes add up to at most GROUP_BYTES (a bigger file alone)."""
    group: list[_Open] = []
    total = 0
    for file in files:
        if group and total + file.size > GROUP_BYTES:
            yield group
            group, total = [], 0
        group.append(file)
        total += file.size
    if group:
        yield group


def _open_and_read(sftp: paramiko.SFTPClient, files: list[_Open], max_bytes: int) -> None:
    flags = codes.SFTP_FLAG_READ
    opens: list[Request] = [
        (codes.CMD_OPEN, (remote(f.path), flags, paramiko.SFTPAttributes())) for f in files
    ]
    for file, reply in zip(files, _round(sftp, opens), strict=True):
        failure = _failure(sftp, file.path, reply, codes.CMD_HANDLE)
        if failure is None:
            file.handle = reply[1].get_binary()
        file.result = failure
    reading = [f for f in files if f.result is None]
    while reading:
        _read_round(sftp, reading, max_bytes)
        for file in reading:
            if file.result is not None:
                _forget(sftp, codes.CMD_CLOSE, file.handle)
        reading = [f for f in reading if f.result is None]


def _read_round(sftp: paramiko.SFTPClient, files: list[_Open], max_bytes: int) -> None:
    """One round of reads: what the stat said is there, and a chunk past it that finds the end
    (or what the file grew by). An answer shorter than asked leaves the rest for the next round."""
    plan: list[tuple[_Open, int, int]] = []
    for file in files:
        got = len(file.data)
        end = max(file.size, got)
        offsets = [(o, min(CHUNK, end - o)) for o in range(got, end, CHUNK)]
        offsets.append((end, min(CHUNK, max_bytes + 1 - end)))
        plan += [(file, offset, length) for offset, length in offsets if length > 0]
        file.size = 0  # later rounds go on from what came
    requests: list[Request] = [
        (codes.CMD_READ, (f.handle, int64(o), length)) for f, o, length in plan
    ]
    cut: set[int] = set()
    for (file, offset, length), reply in zip(plan, _round(sftp, requests), strict=True):
        if file.result is not None or id(file) in cut or offset != len(file.data):
            continue
        if reply[0] != codes.CMD_DATA:
            error = _error(sftp, reply)
            file.result = bytes(file.data) if error is None else file_error(file.path, error)
            continue
        chunk = reply[1].get_string()
        file.data += chunk
        if len(file.data) > max_bytes:
            file.result = over_cap(file.path, len(file.data), max_bytes)
        elif not chunk:
            file.result = bytes(file.data)
        elif len(chunk) < length:
            cut.add(id(file))


# -- listings ----------------------------------------------------------------------------------


@dataclass
class _Listing:
    path: str
    handle: bytes = b""
    entries: list[tuple[bytes, paramiko.SFTPAttributes]] = field(default_factory=list)
    result: list[DirEntry] | FileReadError | None = None


def list_many(
    sftp: paramiko.SFTPClient, paths: Sequence[str]
) -> dict[str, list[DirEntry] | FileReadError]:
    """Each folder's entries (symlinks followed, a link that cannot be followed a plain entry)
    or FileReadError, as one listing gives them."""
    folders = [_Listing(p) for p in dict.fromkeys(paths)]
    requests: list[Request] = []
    for folder in folders:
        name = remote(folder.path)
        requests += [(codes.CMD_STAT, (name,)), (codes.CMD_OPENDIR, (name,))]
    replies = _round(sftp, requests)
    for i, folder in enumerate(folders):
        stated, opened = replies[2 * i], replies[2 * i + 1]
        if opened[0] == codes.CMD_HANDLE:
            folder.handle = opened[1].get_binary()
        folder.result = _folder_failure(sftp, folder.path, stated, opened)
        if folder.result is not None and folder.handle:
            _forget(sftp, codes.CMD_CLOSE, folder.handle)
    reading = [f for f in folders if f.result is None]
    while reading:
        _readdir_round(sftp, reading)
        reading = [f for f in reading if f.result is None]
    _follow_links(sftp, [f for f in folders if isinstance(f.result, list)])
    return {f.path: f.result for f in folders if f.result is not None}


def _folder_failure(
    sftp: paramiko.SFTPClient, path: str, stated: Reply, opened: Reply
) -> FileReadError | None:
    failure = _failure(sftp, path, stated, codes.CMD_ATTRS)
    if failure is not None:
        return failure
    if not stat.S_ISDIR(_attrs(stated[1]).st_mode or 0):
        return FileReadError(path, "missing", f"{path}: not a directory")
    return _failure(sftp, path, opened, codes.CMD_HANDLE)


def _readdir_round(sftp: paramiko.SFTPClient, folders: list[_Listing]) -> None:
    """Two readdirs per folder in one round: a small folder's entries and its end together."""
    plan = [folder for folder in folders for _ in range(2)]
    replies = _round(sftp, [(codes.CMD_READDIR, (f.handle,)) for f in plan])
    ended: set[int] = set()
    for folder, reply in zip(plan, replies, strict=True):
        if folder.result is not None:
            continue
        if reply[0] != codes.CMD_NAME:
            error = _error(sftp, reply)
            if error is None:
                ended.add(id(folder))
            else:
                folder.result = file_error(folder.path, error)
            continue
        msg = reply[1]
        for _ in range(msg.get_int()):
            name, _long = msg.get_string(), msg.get_string()
            attrs = _attrs(msg)
            if name in (b".", b".."):
                continue
            if len(folder.entries) == MAX_DIR_ENTRIES:
                folder.result = too_many_entries(folder.path)
                break
            folder.entries.append((name, attrs))
    for folder in folders:
        if folder.result is None and id(folder) in ended:
            folder.result = []  # filled in by _follow_links
        if folder.result is not None:
            _forget(sftp, codes.CMD_CLOSE, folder.handle)


def _follow_links(sftp: paramiko.SFTPClient, folders: list[_Listing]) -> None:
    """The entries of every listed folder, symlinks stat'ed (followed) all in one round."""
    links = [
        (folder, i, remote(folder.path).rstrip(b"/") + b"/" + name)
        for folder in folders
        for i, (name, attrs) in enumerate(folder.entries)
        if stat.S_ISLNK(attrs.st_mode or 0)
    ]
    targets = _attributes(sftp, [path for _folder, _i, path in links])
    for (folder, i, _path), target in zip(links, targets, strict=True):
        if not isinstance(target, OSError):
            folder.entries[i] = (folder.entries[i][0], target)
    for folder in folders:
        folder.result = [_entry(name, attrs) for name, attrs in folder.entries]


def _entry(name: bytes, attrs: paramiko.SFTPAttributes) -> DirEntry:
    mode = attrs.st_mode or 0
    size = (attrs.st_size or 0) if stat.S_ISREG(mode) else 0
    return DirEntry(name.decode("utf-8", "surrogateescape"), stat.S_ISDIR(mode), size)


# -- one archive, read where zipfile seeks -----------------------------------------------------

BLOCK = 128 * 1024  # what one round fetches around a read: an archive's tail holds its index
MAX_ROUND = 32 * CHUNK  # the most one round asks for (a larger read takes several)


class RemoteFile:
    """A regular file read in blocks, each one round of pipelined reads: zipfile's many small
    reads (the end record, the central directory, a member's header and data) cost a round
    each only when they leave the block, so a member of a WAR costs about four rounds (stat,
    open, the tail, the member), not one per read. A FIFO or device is never opened; the size
    is the stat's (a file that grows meanwhile is read as it was)."""

    def __init__(self, sftp: paramiko.SFTPClient, path: str) -> None:
        self._sftp = sftp
        self.path = path
        (attrs,) = _attributes(sftp, [remote(path)])
        if isinstance(attrs, OSError):
            raise file_error(path, attrs)
        if not stat.S_ISREG(attrs.st_mode or 0):
            raise not_a_file(path, attrs.st_mode or 0)
        self.size = attrs.st_size or 0
        flags = codes.SFTP_FLAG_READ
        (reply,) = _round(
            sftp, [(codes.CMD_OPEN, (remote(path), flags, paramiko.SFTPAttributes()))]
        )
        failure = _failure(sftp, path, reply, codes.CMD_HANDLE)
        if failure is not None:
            raise failure
        self._handle: bytes | None = reply[1].get_binary()
        self._pos = 0
        self._start = 0
        self._block = b""

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def read(self, size: int) -> bytes:
        """`size` bytes from the position, fewer only at the end."""
        out = bytearray()
        while len(out) < size and self._pos < self.size:
            at = self._pos - self._start
            if not 0 <= at < len(self._block):
                self._fill(size - len(out))
                at = self._pos - self._start
            piece = self._block[at : at + size - len(out)]
            if not piece:
                break  # the file ended before its stated size
            out += piece
            self._pos += len(piece)
        return bytes(out)

    def _fill(self, wanted: int) -> None:
        """The block around the position: from it onwards, or near the end the file's whole
        tail (where zipfile reads backwards from)."""
        start = min(self._pos, max(0, self.size - BLOCK))
        length = min(max(wanted + self._pos - start, BLOCK), MAX_ROUND, self.size - start)
        requests: list[Request] = [
            (codes.CMD_READ, (self._handle, int64(o), min(CHUNK, start + length - o)))
            for o in range(start, start + length, CHUNK)
        ]
        data = bytearray()
        for (_kind, (_h, _o, asked)), reply in zip(
            requests, _round(self._sftp, requests), strict=True
        ):
            if reply[0] != codes.CMD_DATA:
                failure = _error(self._sftp, reply)
                if failure is not None:
                    raise failure
                break  # the end of the file
            chunk = reply[1].get_string()
            data += chunk
            if len(chunk) < asked:  # a short answer: what follows would not be contiguous
                break
        self._start, self._block = start, bytes(data)

    def close(self) -> None:
        """The close is sent, not waited for."""
        if self._handle is not None:
            _forget(self._sftp, codes.CMD_CLOSE, self._handle)
            self._handle = None
