"""What discovery found, in the shape of the inventory it becomes: the nodes, each with where
its values came from, and the members that became no node, each with why. Built by
collect/discover.py from what the nodes said, written by writer.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class HostSpec:
    """A host to discover and how to reach it: what the inventory's node would say."""

    host: str  # address or name to connect to
    name: str | None = None  # a name for its nodes (Ansible's inventory_hostname), else derived
    ssh: Mapping[str, Any] = field(default_factory=dict)  # the inventory's `ssh:` keys
    origin: str = ""  # where it came from, for the written inventory's comments
    transport: str = "ssh"  # the inventory's node transport: ssh, or local (this machine)
    refused: str | None = None  # why it cannot be reached as given: listed as a TODO, not probed


@dataclass(frozen=True)
class DiscoveredNode:
    """One inventory node: an httpd, or one Tomcat instance. `ssh`, `apache` and `tomcat` hold
    the inventory's keys of those sections, values as the inventory accepts them."""

    name: str
    host: str
    roles: tuple[str, ...]
    ssh: Mapping[str, Any] = field(default_factory=dict)
    apache: Mapping[str, str] = field(default_factory=dict)
    tomcat: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()  # where the values came from, one comment line each
    transport: str = "ssh"  # ssh, or local: the inventory's default is ssh, written only if not


@dataclass(frozen=True)
class Todo:
    """What discovery could not make a node of: a member on a host not reached, or on which no
    Tomcat serves its port; a host given that was not reached. Written commented out, never
    with a guessed value."""

    host: str
    port: int | None  # the member's AJP port; None for a host given
    what: str  # `worker tomcat01 of 10.0.0.1 (workers.properties:3)`, or `host given`
    reason: str
    role: str = "tomcat"  # the role the node would have


@dataclass(frozen=True)
class Discovery:
    cluster: str
    nodes: tuple[DiscoveredNode, ...]
    todos: tuple[Todo, ...] = ()
    notes: tuple[str, ...] = ()  # lines for the file's head
