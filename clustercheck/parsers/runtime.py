"""The output of the runtime script (collect/runtime.py): the node's clock, its process table
and its listening sockets, read in one command. Never raises."""

from __future__ import annotations

import json
from dataclasses import dataclass

from clustercheck.parsers.ps import ProcessTable, parse_ps, parse_windows_processes
from clustercheck.parsers.sockets import (
    Bound,
    Link,
    parse_proc_established,
    parse_proc_net_tcp,
    parse_ss,
    parse_ss_established,
    parse_windows_listeners,
)
from clustercheck.parsers.text import split_sections

# The sections the POSIX script prints, each after a line `== NAME`: which one of a pair came
# says which command answered.
SECTIONS = ("now", "ps etimes", "ps etime", "ss", "proc", "no sockets")


@dataclass(frozen=True)
class RuntimeOutput:
    """What the script told: the process table, the listening sockets and the established
    connections (None: unreadable)."""

    table: ProcessTable
    sockets: tuple[Bound, ...] | None
    sockets_error: str | None = None
    links: tuple[Link, ...] | None = None


def parse_runtime(text: str) -> RuntimeOutput:
    """The POSIX script's sections (`== now`, `== ps etimes` or `== ps etime`, `== ss` (listeners
    and established connections), or `== proc`, or `== no sockets`)."""
    sections = split_sections(text, SECTIONS)
    now_text = "".join(sections.get("now", [])).strip()
    now = float(now_text) if now_text.isascii() and now_text.isdigit() else None
    form = "etimes" if "ps etimes" in sections else "etime"
    table = parse_ps("\n".join(sections.get(f"ps {form}", [])), now, form)
    if now is None:
        table = ProcessTable(None, table.processes, "the node's clock (date +%s) was not read")
    if "ss" in sections:
        ss = "\n".join(sections["ss"])
        return RuntimeOutput(table, parse_ss(ss), links=parse_ss_established(ss))
    if "proc" in sections:
        proc = "\n".join(sections["proc"])
        return RuntimeOutput(table, parse_proc_net_tcp(proc), links=parse_proc_established(proc))
    return RuntimeOutput(table, None, "neither `ss -ltnH` nor /proc/net/tcp could be read")


def parse_windows_runtime(text: str) -> RuntimeOutput:
    """The Windows script's one JSON object: `now`, `processes`, `listeners` (or
    `listeners_error`, when Get-NetTCPConnection failed)."""
    try:
        data = json.loads(text.strip() or "null")
    except ValueError:
        data = None
    if not isinstance(data, dict):
        error = "the runtime script printed no JSON object"
        return RuntimeOutput(ProcessTable(None, error=error), None, error)
    now = data.get("now")
    now = float(now) if isinstance(now, int | float) else None
    table = parse_windows_processes(data.get("processes") or [], now)
    failure = data.get("listeners_error")
    if failure:
        return RuntimeOutput(table, None, f"Get-NetTCPConnection failed: {str(failure)[:200]}")
    return RuntimeOutput(table, parse_windows_listeners(data.get("listeners") or []))
