"""Writing report files: atomically, so a cron job or a monitoring collector never reads half a
report, and safely, so a report path never destroys what it names.

- '-' and the names of standard output (/dev/stdout, /dev/fd/1, /proc/self/fd/1) are standard
  output, written in place (never a rename over /dev/stdout, which root could do).
- A regular file (or a new one) is replaced whole: a temporary file in the same folder, renamed
  over it; the temporary file is removed on any exit that Python sees (an error, Ctrl-C,
  SIGTERM; see main.py).
- A special file (/dev/null, a terminal, a FIFO) is written in place, never replaced; a FIFO that
  no one reads is an error, not a hang.
- A symbolic link is written through only when it leads to such a special file (/dev/stderr);
  one that leads to a regular file, a folder or nowhere is refused: as root, a link planted in
  a shared folder must not make clustercheck replace the file it points at (/etc/shadow).

Content may come in chunks (the JSON of 100 nodes is a million of them), so that a large report
is never held twice in memory.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

STDOUT_NAMES = frozenset({"-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"})


class OutputError(Exception):
    """A report path that is refused or cannot be written; one line, without the path (the
    caller names the output)."""


def is_stdout(target: str) -> bool:
    """Whether the target names standard output; at most one report may."""
    return target in STDOUT_NAMES


def write_output(target: str, content: str | Iterable[str]) -> None:
    """Write the content to the target as the module's rules say; OutputError (or OSError) when
    it cannot be, with any old report left as it was."""
    if is_stdout(target):
        _write(sys.stdout, content)
        sys.stdout.flush()
        return
    path = Path(target)
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and stat.S_ISLNK(mode):
        _write_through_link(path, content)
    elif mode is not None and stat.S_ISDIR(mode):
        raise OutputError("is a directory")
    elif mode is not None and not stat.S_ISREG(mode):
        _write_in_place(path, content, os.O_NOFOLLOW)
    else:
        _replace(path, content)


def _write_through_link(path: Path, content: str | Iterable[str]) -> None:
    try:
        leads_to = path.stat().st_mode
    except OSError:
        leads_to = None
    if leads_to is None or stat.S_ISREG(leads_to) or stat.S_ISDIR(leads_to):
        what = "nothing" if leads_to is None else "a folder" if stat.S_ISDIR(leads_to) else "a file"
        raise OutputError(
            f"a symbolic link to {what} ({os.readlink(path)}): refused (a report never replaces "
            "a link, nor writes through one to a file); give the path it points to"
        )
    _write_in_place(path, content, 0)


def _write_in_place(path: Path, content: str | Iterable[str], flags: int) -> None:
    """Into an existing special file, without creating or truncating anything: opened
    non-blocking (a FIFO without a reader fails at once instead of hanging), then checked
    again once open, so a file swapped in meanwhile is left untouched."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | flags)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OutputError("a FIFO that no one reads") from None
        raise
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            raise OutputError("changed into a regular file while being written; refused")
        fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        _write(handle, content)


def _replace(path: Path, content: str | Iterable[str]) -> None:
    """A whole new file renamed over the old one. The temporary file's name is chosen before it
    is created, so that an interruption at any point can remove it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.urandom(6).hex()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except FileExistsError:  # not ours: leave it alone
        raise OutputError(f"temporary file {tmp.name} exists") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            _write(handle, content)
        os.chmod(tmp, 0o644)  # the umask may have narrowed it; reports are for readers
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write(handle: TextIO, content: str | Iterable[str]) -> None:
    if isinstance(content, str):
        handle.write(content)
    else:
        handle.writelines(content)
