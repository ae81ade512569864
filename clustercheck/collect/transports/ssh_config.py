"""Where and how to reach a node: the inventory's `ssh` section merged with ssh_config.

Precedence is the inventory, then ssh_config (the inventory's `ssh.config`, else ~/.ssh/config),
then defaults; so a checked-in inventory means the same for everyone, while an operator's
aliases, keys and bastions still work for nodes the inventory says little about.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paramiko

from clustercheck.collect.transports.base import ConnectError
from clustercheck.collect.transports.hostkeys import KnownHostsFiles, known_hosts_name
from clustercheck.inventory.settings import NodeSettings, SshSettings

DEFAULT_CONFIG = "~/.ssh/config"
DEFAULT_KNOWN_HOSTS = "~/.ssh/known_hosts"
# What ssh tries when no identity is named (the key types it prefers, in its order).
DEFAULT_IDENTITIES = ("~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa")


@dataclass(frozen=True)
class Hop:
    """One SSH server on the way to a node (a bastion or the node itself)."""

    hostname: str
    port: int
    user: str
    identity_files: tuple[Path, ...]
    explicit_identity: bool  # named by the inventory or ssh_config, not ssh's defaults
    identities_only: bool
    host_key_alias: str | None = None

    @property
    def address(self) -> str:
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname  # IPv6
        return f"{host}:{self.port}"

    @property
    def known_hosts_name(self) -> str:
        return known_hosts_name(self.host_key_alias or self.hostname, self.port)


@dataclass(frozen=True)
class Route:
    """The node's hop, the bastions before it (outermost first) and the known_hosts to trust."""

    target: Hop
    jumps: tuple[Hop, ...]
    known_hosts: KnownHostsFiles

    @property
    def hops(self) -> tuple[Hop, ...]:
        return (*self.jumps, self.target)


def resolve_route(node: NodeSettings) -> Route:
    """Merge inventory and ssh_config for `node`; ConnectError when the settings cannot work."""
    config = _load_config(node)
    options = config.lookup(node.host)
    ssh = node.ssh
    jump_spec = ssh.proxy_jump or options.get("proxyjump")
    if jump_spec is None and options.get("proxycommand", "none").lower() != "none":
        raise ConnectError(
            f"{node.name}: ProxyCommand (from ssh_config) is not supported; use ProxyJump"
        )
    target = _hop(
        options,
        port=ssh.port,
        user=ssh.user,
        identity=ssh.identity_file,
        fallback_user=None,
    )
    jumps: tuple[Hop, ...] = ()
    if jump_spec is not None and jump_spec.lower() != "none":
        jumps = _jumps(node, config, jump_spec, target)
    return Route(target, jumps, _known_hosts(ssh, options))


def _load_config(node: NodeSettings) -> paramiko.SSHConfig:
    if node.ssh.config:
        path = Path(node.ssh.config).expanduser()
        if not path.exists():  # not is_file(): `-F /dev/null` is a common way to say "none"
            raise ConnectError(f"{node.name}: ssh config {path} not found")
    else:
        path = Path(DEFAULT_CONFIG).expanduser()
        if not path.is_file():
            return paramiko.SSHConfig()
    try:
        return paramiko.SSHConfig.from_path(str(path))
    except (OSError, paramiko.ConfigParseError) as exc:
        raise ConnectError(f"{node.name}: cannot read ssh config {path}: {exc}") from None


def _hop(
    options: dict[str, Any],
    *,
    port: int | None,
    user: str | None,
    identity: str | None,
    fallback_user: str | None,
) -> Hop:
    """A hop from ssh_config `options`, with explicit values winning over them."""
    named = [identity] if identity else options.get("identityfile", [])
    files = named or DEFAULT_IDENTITIES
    return Hop(
        hostname=options["hostname"],
        port=port or int(options.get("port", 22)),
        user=user or options.get("user") or fallback_user or getpass.getuser(),
        identity_files=tuple(Path(os.path.expanduser(f)) for f in files),
        explicit_identity=bool(named),
        identities_only=options.get("identitiesonly", "no").lower() == "yes",
        host_key_alias=options.get("hostkeyalias"),
    )


def _jumps(
    node: NodeSettings, config: paramiko.SSHConfig, spec: str, target: Hop
) -> tuple[Hop, ...]:
    """Bastions from a ProxyJump value: `[user@]host[:port]`, comma-separated, outermost first.

    A bastion's own ssh_config entry applies (HostName, Port, User, IdentityFile); without one,
    it is tried with the node's user and key, since a bastion usually takes the same login."""
    hops = []
    for item in spec.split(","):
        user, host, port = parse_jump(item)
        if not host:
            raise ConnectError(f"{node.name}: cannot parse ProxyJump entry {item.strip()!r}")
        options = config.lookup(host)
        hops.append(
            _hop(
                options,
                port=port,
                user=user,
                identity=None if "identityfile" in options else node.ssh.identity_file,
                fallback_user=target.user,
            )
        )
    return tuple(hops)


def parse_jump(item: str) -> tuple[str | None, str, int | None]:
    """`[ssh://][user@]host[:port]` (an IPv6 host in brackets) -> (user, host, port)."""
    rest = item.strip().removeprefix("ssh://")
    user, _, host = rest.rpartition("@")
    port: str | None = None
    if host.startswith("["):
        host, _, tail = host[1:].partition("]")
        port = tail.removeprefix(":") or None
    elif host.count(":") == 1:
        host, port = host.split(":")
    if port is not None and not port.isdigit():
        return None, "", None
    return user or None, host, int(port) if port else None


def _known_hosts(ssh: SshSettings, options: dict[str, Any]) -> KnownHostsFiles:
    """The inventory's file (else ~/.ssh/known_hosts) receives learnt keys; ssh_config's
    UserKnownHostsFile entries are trusted as well."""
    primary = Path(ssh.known_hosts or DEFAULT_KNOWN_HOSTS).expanduser()
    extra = tuple(
        Path(os.path.expanduser(p)) for p in options.get("userknownhostsfile", "").split()
    )
    return KnownHostsFiles(
        primary=primary,
        extra=extra,
        hash_new=options.get("hashknownhosts", "no").lower() == "yes",
    )
