"""Environment variables as three places write them: a POSIX shell script (bin/setenv.sh), a
systemd unit file's Environment= lines and a process environment (/proc/PID/environ,
NUL-separated). Each reader keeps only the names asked for; none raises."""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection

# NAME=value, optionally exported, at the start of a line
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_UNQUOTED = re.compile(r"[^\s;&|#]*")


def shell_assignments(text: str, wanted: Collection[str]) -> dict[str, tuple[str | None, int]]:
    """The last assignment of each wanted name in a shell script: (value, line). The value is
    None when the shell would compute it (`$VAR`, a command substitution): a literal is all
    clustercheck reads, nothing of the script is run. Conditions are not followed: the last
    assignment wins, as when every branch runs."""
    found: dict[str, tuple[str | None, int]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = _ASSIGNMENT.match(line)
        if match and match.group(1) in wanted:
            found[match.group(1)] = (_literal(match.group(2)), number)
    return found


def _literal(rest: str) -> str | None:
    """The value a shell gives `NAME=rest`, when it is a literal."""
    if rest.startswith("'"):
        end = rest.find("'", 1)
        return rest[1:end] if end > 0 else None
    if rest.startswith('"'):
        end = rest.find('"', 1)
        quoted = rest[1:end] if end > 0 else None
        return None if quoted is None or any(c in quoted for c in "$`\\") else quoted
    unquoted = _UNQUOTED.match(rest)
    word = unquoted.group(0) if unquoted else ""
    return None if any(c in word for c in "$`\\'\"") else word


def unit_environment(text: str, wanted: Collection[str]) -> tuple[bool, dict[str, tuple[str, int]]]:
    """The wanted variables a unit file (or drop-in) sets in its [Service] section, with their
    lines, and whether it resets the list first (an empty `Environment=`), as systemd.exec(5)
    reads them: space-separated assignments, quoted when they hold a space; the last wins."""
    found: dict[str, tuple[str, int]] = {}
    reset, section = False, ""
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line.startswith("["):
            section = line
            continue
        key, equals, value = line.partition("=")
        if section != "[Service]" or not equals or key.strip() != "Environment":
            continue
        if not value.strip():
            reset, found = True, {}
            continue
        try:
            words = shlex.split(value)
        except ValueError:  # an unbalanced quote: systemd ignores the line too
            continue
        found |= {name: (v, number) for name, v in _pairs(words, wanted).items()}
    return reset, found


def process_environment(data: bytes, wanted: Collection[str]) -> dict[str, str]:
    """The wanted variables of a NUL-separated environment block (/proc/PID/environ)."""
    words = data.decode("utf-8", "surrogateescape").split("\0")
    return _pairs(words, wanted)


def _pairs(words: list[str], wanted: Collection[str]) -> dict[str, str]:
    found = {}
    for word in words:
        name, equals, value = word.partition("=")
        if equals and name in wanted:
            found[name] = value
    return found
