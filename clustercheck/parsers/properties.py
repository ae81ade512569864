"""Java .properties files as java.util.Properties.load reads them: catalina.properties (whose
entries become system properties visible to server.xml's `${...}`) and the ServerInfo.properties
inside catalina.jar that holds the Tomcat version."""

from __future__ import annotations

import re
from collections.abc import Iterator

_NATURAL_LINE = re.compile(r"\r\n|\r|\n")
_BLANK = " \t\f"
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}
_VERSION = re.compile(r"(\d+)\.(\d+)\.(\d+)")


def _continues(line: str) -> bool:
    """An odd number of trailing backslashes escapes the line terminator."""
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


def _logical_lines(text: str) -> Iterator[str]:
    """Joins continued lines (dropping the next line's leading blanks); skips blank and comment
    lines. A comment line never continues: each needs its own `#` or `!`."""
    lines = _NATURAL_LINE.split(text)
    i = 0
    while i < len(lines):
        line = lines[i].lstrip(_BLANK)
        i += 1
        if not line or line[0] in "#!":
            continue
        # joined once at the end (joining at each line made 1 MB of continuations take
        # seconds); the last piece alone tells whether the joined line continues: the one
        # before it ends in an even run of backslashes once its escaping one is dropped
        pieces = [line]
        while _continues(pieces[-1]) and i < len(lines):
            pieces[-1] = pieces[-1][:-1]
            pieces.append(lines[i].lstrip(_BLANK))
            i += 1
        line = "".join(pieces)
        yield line[:-1] if _continues(pieces[-1]) else line


def _unescape(raw: str) -> str:
    r"""`\t \n \r \f`, `\uXXXX`, and a backslash before any other character is dropped. A
    malformed `\u` (Java would throw) is kept as the literal character `u`."""
    out: list[str] = []
    i = 0
    while i < len(raw):
        char = raw[i]
        i += 1
        if char != "\\" or i == len(raw):
            out.append(char)
            continue
        char = raw[i]
        i += 1
        hex_digits = raw[i : i + 4]
        if char == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", hex_digits):
            out.append(chr(int(hex_digits, 16)))
            i += 4
        else:
            out.append(_ESCAPES.get(char, char))
    return "".join(out)


def _split(line: str) -> tuple[str, str]:
    """Key ends at the first unescaped `=`, `:` or blank; then blanks, at most one `=`/`:`,
    and blanks again separate it from the value."""
    i = 0
    while i < len(line) and line[i] not in "=:" + _BLANK:
        i += 2 if line[i] == "\\" else 1
    key, rest = line[:i], line[i:].lstrip(_BLANK)
    if rest[:1] in ("=", ":"):
        rest = rest[1:].lstrip(_BLANK)
    return _unescape(key), _unescape(rest)


def parse_java_properties(text: str) -> dict[str, str]:
    """All entries; a later duplicate replaces an earlier one, as in Properties.load."""
    return dict(_split(line) for line in _logical_lines(text))


def load_java_properties(data: bytes) -> dict[str, str]:
    """From bytes as Properties.load(InputStream) reads them, which is ISO-8859-1 (non-ASCII
    must be written as \\uXXXX): catalina.properties is loaded this way."""
    return parse_java_properties(data.decode("latin-1"))


def parse_server_info(text: str) -> str | None:
    """The Tomcat version x.y.z from ServerInfo.properties: `server.number` (x.y.z.0), else the
    version in `server.info` ("Apache Tomcat/9.0.85"), which admins sometimes blank out."""
    props = parse_java_properties(text)
    for key in ("server.number", "server.info"):
        found = _VERSION.search(props.get(key, ""))
        if found:
            return found.group(0)
    return None
