"""Modification times of the files a node's servers read, by the node's own clock, in one
command: `stat` with every path a separate argument (quoted by the transport, after `--`), or
on Windows a constant PowerShell script with the paths as its $args. A file that is not there
is left out; a path the output cannot name back (a newline in it) is not stamped."""

from __future__ import annotations

import re
from collections.abc import Sequence

from clustercheck.collect.transports.base import Transport, TransportError
from clustercheck.collect.transports.shells import powershell_script

# Paths stamped per node: a Host with thousands of applications costs one long command, not an
# unbounded one. Windows passes them inside one -EncodedCommand word (UTF-16, base64), which
# must stay under CreateProcess's 32,767 characters: at most this many characters of paths.
MAX_PATHS = 2000
MAX_WINDOWS_CHARS = 6000

STAT_FORMAT = "%Y %n"  # whole seconds since the epoch, the name as given
# Windows: LastWriteTimeUtc in epoch seconds, then the path as given; missing ones are skipped.
POWERSHELL_STAMPS = r"""
foreach ($p in $args) { $i = Get-Item -LiteralPath $p -Force -ErrorAction SilentlyContinue
  if ($i) { '{0} {1}' -f ([DateTimeOffset]$i.LastWriteTimeUtc).ToUnixTimeSeconds(), $p } }
"""
_LINE = re.compile(r"(-?[0-9]{1,12}) (.+)")


def stamp_command(paths: Sequence[str], windows: bool = False) -> list[str]:
    """argv stamping `paths` (already capped)."""
    if windows:
        return powershell_script(POWERSHELL_STAMPS, list(paths))
    return ["stat", "-c", STAT_FORMAT, "--", *paths]


def capped(paths: Sequence[str], windows: bool = False) -> list[str]:
    """The first paths that fit one command."""
    kept = list(paths[:MAX_PATHS])
    if windows:
        total = 0
        for i, path in enumerate(kept):
            total += len(path) + 3
            if total > MAX_WINDOWS_CHARS:
                return kept[:i]
    return kept


def asked_paths(paths: Sequence[str], windows: bool = False) -> list[str]:
    """The paths to stamp: each once, as many as fit one command."""
    return capped(list(dict.fromkeys(paths)), windows)


def output_most(paths: Sequence[str]) -> int:
    """The most bytes stamping `paths` prints: a time, a space and the path per line."""
    return sum(len(path.encode("utf-8", "surrogateescape")) + 24 for path in paths)


def parse_stamps(text: str, asked: Sequence[str]) -> dict[str, float]:
    """'SECONDS PATH' lines of stat or the PowerShell script; only paths that were asked for
    (what the node prints is data: anything else is passed over)."""
    wanted = set(asked)
    found: dict[str, float] = {}
    for line in text.splitlines():
        matched = _LINE.fullmatch(line.rstrip("\r"))
        if matched and matched[2] in wanted:
            found[matched[2]] = float(matched[1])
    return found


def gather_stamps(
    transport: Transport, paths: Sequence[str], windows: bool = False
) -> dict[str, float]:
    """Path -> modification time (epoch seconds, node clock) of those of `paths` that exist;
    empty when the node cannot tell. stat exits 1 when a file is missing and still prints the
    others: the output is read whatever the exit status."""
    asked = asked_paths(paths, windows)
    if not asked:
        return {}
    try:
        result = transport.run(stamp_command(asked, windows))
    except TransportError:  # a path the shell cannot carry, a lost channel: no stamps
        return {}
    return parse_stamps(result.stdout.decode("utf-8", "surrogateescape"), asked)
