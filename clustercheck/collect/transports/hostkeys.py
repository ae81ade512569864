"""known_hosts, parsed once per run and shared by every SSH connection of that run.

paramiko's own HostKeys builds a key object for every line and re-checks every earlier line while
loading (quadratic in the file's length); with a few thousand entries and dozens of nodes that
is the classic reason paramiko tools are slow to connect. Here a file is split into lines once,
keys are compared as base64 text, and every connection of the run asks the same store.

Policy: a known key passes; an unknown key is refused unless `accept_new` (then it is appended to
the known_hosts file, as OpenSSH's StrictHostKeyChecking=accept-new does); a changed or revoked
key is always refused. Nothing ever prompts.
"""

from __future__ import annotations

import base64
import binascii
import fcntl
import hashlib
import hmac
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from paramiko import PKey

from clustercheck.collect.transports.base import ConnectError

_HASHED = "|1|"
# paramiko negotiates RSA host keys as rsa-sha2-*, while known_hosts records them as ssh-rsa.
_NEGOTIATED_AS = {"ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256")}


def known_hosts_name(host: str, port: int) -> str:
    """The name OpenSSH files a host under: `host` on port 22, `[host]:port` elsewhere."""
    host = host.lower()  # ssh lowercases host names before looking them up or hashing them
    return host if port == 22 else f"[{host}]:{port}"


@dataclass(frozen=True)
class KnownHostsFiles:
    """The known_hosts files one connection trusts; learnt keys go to `primary`."""

    primary: Path
    extra: tuple[Path, ...] = ()
    hash_new: bool = False  # write learnt names hashed (ssh_config HashKnownHosts yes)

    @property
    def all(self) -> tuple[Path, ...]:
        return (self.primary, *(p for p in self.extra if p != self.primary))


@dataclass(frozen=True)
class _Line:
    """One key line of a known_hosts file."""

    hosts: str  # comma-separated patterns, or |1|salt|hash
    key_type: str
    key: str  # base64 of the public key blob
    marker: str  # "", "@revoked" or "@cert-authority"
    source: Path

    @property
    def hashed(self) -> bool:
        return self.hosts.startswith(_HASHED)

    @property
    def exact_names(self) -> tuple[str, ...] | None:
        """The names when the field is a plain list without wildcards or negation."""
        if self.hashed or any(c in self.hosts for c in "*?!"):
            return None
        return tuple(self.hosts.lower().split(","))

    @cached_property
    def _salt_and_digest(self) -> tuple[bytes, bytes] | None:
        parts = self.hosts.split("|")
        try:
            return base64.b64decode(parts[2]), base64.b64decode(parts[3])
        except (IndexError, binascii.Error):
            return None

    def matches(self, name: str) -> bool:
        if self.hashed:
            pair = self._salt_and_digest
            if pair is None:
                return False
            digest = hmac.new(pair[0], name.encode(), hashlib.sha1).digest()
            return hmac.compare_digest(digest, pair[1])
        return _matches_patterns(name.lower(), self.hosts.lower().split(","))


def _matches_patterns(name: str, patterns: Iterable[str]) -> bool:
    """OpenSSH's rule: any matching negated pattern vetoes; else any positive match wins."""
    matched = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        if _wildcard(pattern.removeprefix("!")).fullmatch(name):
            if negated:
                return False
            matched = True
    return matched


@lru_cache(maxsize=4096)
def _wildcard(pattern: str) -> re.Pattern[str]:
    """`*` and `?` are wildcards; everything else (including `[host]:port`) is literal."""
    return re.compile(
        "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    )


def parse_known_hosts(text: str, source: Path) -> list[_Line]:
    """Key lines of a known_hosts file; comments and malformed lines are skipped, as ssh does."""
    lines = []
    for raw in text.splitlines():
        fields = raw.split()
        if not fields or fields[0].startswith("#"):
            continue
        marker = fields.pop(0) if fields[0].startswith("@") else ""
        if len(fields) >= 3:
            lines.append(_Line(fields[0], fields[1], fields[2], marker, source))
    return lines


class _Index:
    """The lines of one file, with plain names in a dict so a lookup is mostly one probe."""

    def __init__(self, lines: Iterable[_Line]) -> None:
        self.exact: dict[str, list[_Line]] = {}
        self.scan: list[_Line] = []
        for line in lines:
            self.add(line)

    def add(self, line: _Line) -> None:
        names = line.exact_names
        if names is None:
            self.scan.append(line)
        for name in names or ():
            self.exact.setdefault(name, []).append(line)

    def lookup(self, name: str) -> list[_Line]:
        return self.exact.get(name.lower(), []) + [ln for ln in self.scan if ln.matches(name)]


def _describe(key: PKey) -> str:
    return f"{key.get_name()} {key.fingerprint}"


class HostKeyStore:
    """The run's known_hosts: each file read once, shared by all connections, thread-safe."""

    def __init__(self, *, accept_new: bool = False) -> None:
        self.accept_new = accept_new
        self._indexes: dict[Path, _Index] = {}
        self._lock = threading.Lock()

    def known_key_types(self, name: str, files: KnownHostsFiles) -> tuple[str, ...]:
        """Host key algorithms `name` is already known by, to be offered first: a host known by
        its RSA key is then checked against that key instead of looking unknown or changed."""
        with self._lock:
            known = [ln.key_type for ln in self._lookup(name, files) if not ln.marker]
        return tuple(dict.fromkeys(t for k in known for t in _NEGOTIATED_AS.get(k, (k,))))

    def verify(self, *, who: str, name: str, key: PKey, files: KnownHostsFiles) -> None:
        """Accept the server's key or raise ConnectError with a one-line reason.

        `who` names the node and address for the message; `name` is the known_hosts name."""
        key_type, blob = key.get_name(), key.get_base64()
        with self._lock:
            lines = self._lookup(name, files)
            if any(ln.marker == "@revoked" and ln.key == blob for ln in lines):
                raise ConnectError(f"{who}: host key {_describe(key)} is marked @revoked")
            known = [ln for ln in lines if not ln.marker]
            if any(ln.key == blob and ln.key_type == key_type for ln in known):
                return
            if known:
                raise ConnectError(
                    f"{who}: host key for {name} has changed: the server now offers "
                    f"{_describe(key)}, {known[0].source} holds another {known[0].key_type} key;"
                    f" if the change is expected, remove the old entry "
                    f"(ssh-keygen -R '{name}' -f {known[0].source})"
                )
            if not self.accept_new:
                raise ConnectError(
                    f"{who}: unknown host key for {name} ({_describe(key)}); check the "
                    f"fingerprint, then run with --accept-new-host-keys to learn it"
                )
            self._learn(who, name, key_type, blob, files)

    def _lookup(self, name: str, files: KnownHostsFiles) -> list[_Line]:
        return [ln for path in files.all for ln in self._index(path).lookup(name)]

    def _index(self, path: Path) -> _Index:
        index = self._indexes.get(path)
        if index is None:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""  # a missing or unreadable file knows no host, as with ssh
            index = self._indexes[path] = _Index(parse_known_hosts(text, path))
        return index

    def _learn(self, who: str, name: str, key_type: str, blob: str, files: KnownHostsFiles) -> None:
        """Append the key to the primary file under an exclusive lock (other processes may be
        learning too) and to the in-memory index, so later connections of this run see it."""
        hosts = _hash_name(name) if files.hash_new else name
        path = files.primary
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                handle.write(f"{hosts} {key_type} {blob}\n")
        except OSError as exc:
            raise ConnectError(
                f"{who}: cannot record the host key in {path}: {exc.strerror or exc}"
            ) from None
        self._index(path).add(_Line(hosts, key_type, blob, "", path))


def _hash_name(name: str) -> str:
    """OpenSSH's hashed form: |1|base64(salt)|base64(HMAC-SHA1(salt, name))."""
    salt = os.urandom(20)
    digest = hmac.new(salt, name.encode(), hashlib.sha1).digest()
    return f"{_HASHED}{base64.b64encode(salt).decode()}|{base64.b64encode(digest).decode()}"
