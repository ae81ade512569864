"""A hosts file (/etc/hosts, Windows' drivers/etc/hosts), read as the resolver reads it: the
addresses a name has before DNS is asked.

glibc's files backend (nss/nss_files/files-hosts.c) reads one entry a line: an address, then
the names, separated by blanks; `#` starts a comment anywhere on a line; a line whose address
does not parse is skipped; names match without regard to case; every line naming the host
counts, in file order. Windows reads its file the same way.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from clustercheck.parsers.text import decode


@dataclass(frozen=True)
class HostsEntry:
    """One address of a name, and the line that gives it."""

    address: str  # normalised: 127.0.0.1, ::1
    line: int


@dataclass(frozen=True)
class HostsFile:
    path: str
    names: dict[str, tuple[HostsEntry, ...]]  # lower-case name -> its addresses, in file order

    def lookup(self, name: str) -> tuple[HostsEntry, ...]:
        """The addresses the file gives `name` (none: the resolver goes on to DNS)."""
        return self.names.get(name.lower(), ())


def parse_hosts(data: bytes, path: str) -> HostsFile:
    """Never raises: a line the resolver would skip is skipped here too."""
    names: dict[str, list[HostsEntry]] = {}
    for number, raw in enumerate(decode(data).splitlines(), start=1):
        fields = raw.split("#", 1)[0].split()
        if len(fields) < 2:
            continue
        address = _address(fields[0])
        if address is None:
            continue
        for name in fields[1:]:
            entries = names.setdefault(name.lower(), [])
            if all(e.address != address for e in entries):
                entries.append(HostsEntry(address, number))
    return HostsFile(path, {name: tuple(entries) for name, entries in names.items()})


def _address(text: str) -> str | None:
    """The address as inet_pton reads it (no zone index, no short IPv4 forms), else None."""
    if "%" in text:
        return None
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
