"""Discovery: the hosts to look at, and how to reach them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HostSpec:
    """A host to discover and how to reach it: what the inventory's node would say."""

    host: str  # address or name to connect to
    name: str | None = None  # a name for its nodes (Ansible's inventory_hostname), else derived
    # the inventory's `ssh:` keys (user, port, identity_file, proxy_jump, become, password_env,
    # config, known_hosts, ...), values exactly as the inventory accepts them
    ssh: Mapping[str, Any] = field(default_factory=dict)
    origin: str = ""  # where it came from, for the written inventory's comments
    transport: str = "ssh"  # the inventory's node transport: ssh, or local (this machine)
    refused: str | None = None  # why it cannot be reached as given: listed as a TODO, not probed
