"""Reads a node's hosts file: the addresses its resolver gives a name before DNS, which decide
where a front end connects (a member's `host`) and what a Tomcat binds (a connector's
`address` written as a name)."""

from __future__ import annotations

from clustercheck.collect.reader import NodeReader
from clustercheck.inventory.settings import NodeSettings
from clustercheck.knowledge.resolvers import hosts_path
from clustercheck.parsers.hosts import HostsFile, parse_hosts

# Far above a hand-kept file; a blocklist of hundreds of thousands of names is not read (its
# failure is kept with the node's reads, and names are then judged as DNS would answer them)
MAX_HOSTS_BYTES = 1024 * 1024


def gather_hosts(reader: NodeReader, node: NodeSettings) -> HostsFile | None:
    """The node's hosts file parsed, or None when it cannot be read."""
    path = hosts_path(node.os)
    data = reader.read(path, MAX_HOSTS_BYTES)
    return parse_hosts(data, path) if data is not None else None
