"""Lenient decoding and the Problem record shared by every parser."""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# What shlex reads as more than a word's letters (quotes, the escape), and its blanks
_SHELL_QUOTING = re.compile(r"[\"'\\]")
_SHELL_BLANKS = re.compile(r"[ \t\r\n]+")


class Kind(StrEnum):
    """What a Problem means for the user: the consequence, decided once by the parser that
    finds it. Checks map kinds to statuses; they never read the message to judge it."""

    REFUSES_TO_START = "refuses-to-start"
    """The software rejects the file and does not start: httpd (mod_jk stops it too), Tomcat,
    or for a web.xml the application."""

    MEANS_SOMETHING_ELSE = "means-something-else"
    """Silently read differently from what was written: ignored (so a default applies), cut,
    joined or taken for something else, with no error at start."""

    MAY_MEAN_SOMETHING_ELSE = "may-mean-something-else"
    """Read one definite way that may not be what was meant, and the file alone does not tell:
    that depends on the writer's intent, on the environment, or on behaviour the software's
    documentation leaves open."""

    OVERRIDDEN = "overridden"
    """A later line replaces an earlier one: one of the two has no effect."""

    REDUNDANT = "redundant"
    """Harmless but useless: has no effect, and says nothing that would need one."""

    UNREADABLE = "unreadable"
    """clustercheck could not read or parse it (completely): nothing is known about what it
    means, so whatever depends on it cannot be judged."""


@dataclass(frozen=True)
class Problem:
    """Something a parser could not read or that the software would ignore or reject.

    `kind` has no default on purpose: every place that makes a Problem says what it means."""

    file: str
    line: int | None
    message: str
    kind: Kind


# More digits than any machine integer has; Python's int() refuses strings of over 4,300.
BIG_DIGITS = 30


def bounded_int(text: str) -> int:
    """int() of an optional sign and decimal digits as a file or a command wrote them; a number
    of more than BIG_DIGITS digits is counted as 10**BIG_DIGITS, sign kept: software that reads
    it into a machine word sees nothing closer to it, and int() would raise on 4,300 digits."""
    digits = text.lstrip("+-")
    if len(digits) <= BIG_DIGITS:
        return int(text)
    return -(10**BIG_DIGITS) if text.startswith("-") else 10**BIG_DIGITS


def decode(data: bytes) -> str:
    """Text of a config file as its reader would see it: UTF-8 first, then GBK (the seed's
    comments are Chinese), then Latin-1, which never fails. A UTF-8 BOM is kept as U+FEFF:
    mod_jk, and httpd on Unix, do not skip it, and the parsers say what it breaks."""
    if data[:2] in _UTF16_BOMS:
        return data.decode("utf-16", "replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def size_text(size: int) -> str:
    """A byte count as a limit is written in a message: 64 KiB, 8 MiB, 100 bytes."""
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} bytes"


def split_sections(text: str, names: Iterable[str]) -> dict[str, list[str]]:
    """A gathering script's output cut at its `== NAME` lines: NAME -> the lines after it.
    Lines before the first known section, and sections of unknown names, are dropped (a node's
    own output cannot open a section the script did not print)."""
    known = frozenset(names)
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if line.startswith("== ") and line[3:].strip() in known:
            current = sections.setdefault(line[3:].strip(), [])
        elif current is not None:
            current.append(line)
    return sections


def shell_words(line: str) -> list[str]:
    """A command line (a process table's) split as the shell that started it would have, or at
    its blanks when its quotes do not close. A line without quotes or backslashes is split at
    shlex's blanks directly: shlex reads a character at a time, every line of every ps."""
    if not _SHELL_QUOTING.search(line):
        return [word for word in _SHELL_BLANKS.split(line) if word]
    try:
        return shlex.split(line)
    except ValueError:
        return line.split()
