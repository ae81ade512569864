"""The inventory discovery writes: YAML that clustercheck's loader reads back, with a comment
over each node saying where its values came from and the members that became no node as
commented-out TODO lines with the reason, never a guessed value.

Everything written comes from a node or the network, so nothing is pasted: every string is a
double-quoted YAML scalar (PyYAML's emitter escapes what needs it; non-ASCII too, so no bidi
override reaches the file), and a comment is one line with every unprintable character
escaped: a hostile path, hostname or jvmRoute cannot add a key, a node or a line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

import yaml

from clustercheck.inventory.discovered import DiscoveredNode, Discovery, Todo

HEAD = (
    "clustercheck inventory written by `clustercheck discover`: every value was read from the",
    "nodes, and the comment over each node says where. Review it, then: clustercheck run FILE",
)


def scalar(value: Any) -> str:
    """A YAML scalar that reads back as exactly `value` (str, int, float or bool)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = yaml.safe_dump(str(value), default_style='"', width=float("inf"), allow_unicode=False)
    return text.rstrip("\n")


def flow(mapping: Mapping[str, Any]) -> str:
    """`{key: value, ...}` with every key and value quoted as scalar() does."""
    return "{" + ", ".join(f"{_key(k)}: {scalar(v)}" for k, v in mapping.items()) + "}"


def _key(key: str) -> str:
    """A schema key (`identity_file`) plain, anything else quoted."""
    return key if re.fullmatch(r"[a-z_]+", key) else scalar(key)


def comment(text: str, indent: str = "") -> str:
    """`# text` on one line: a newline, a control character or a bidi override in it is
    written as its escape (`\\n`, `\\x1b`, `\\u202e`)."""
    shown = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
    return f"{indent}# {shown}".rstrip()


def write_inventory(discovery: Discovery) -> str:
    """The inventory's text."""
    lines = [comment(line) for line in (*HEAD, *discovery.notes)]
    lines.append(f"cluster: {scalar(discovery.cluster)}")
    lines.append(comment("ntp: {servers: [...]}  TODO: the NTP servers the nodes follow"))
    shared = _shared_ssh(discovery.nodes)
    if shared:
        lines += ["defaults:", f"  ssh: {flow(shared)}"]
    lines.append("nodes:" if discovery.nodes else "nodes: {}")
    for node in discovery.nodes:
        lines += _node(node, write_ssh=not shared)
    if discovery.todos:
        count = len(discovery.todos)
        lines.append(comment(f"TODO: {count} more node(s) could not be discovered, below."))
    for todo in discovery.todos:
        lines += _todo(todo)
    return "\n".join(lines) + "\n"


def _shared_ssh(nodes: Iterable[DiscoveredNode]) -> Mapping[str, Any]:
    """The nodes' ssh settings when all are the same: written once, in `defaults`."""
    found = [dict(node.ssh) for node in nodes]
    return found[0] if found and all(s == found[0] for s in found) else {}


def _node(node: DiscoveredNode, write_ssh: bool) -> list[str]:
    lines = [comment(note, "  ") for note in node.notes]
    lines.append(f"  {scalar(node.name)}:")
    lines.append(f"    host: {scalar(node.host)}")
    if node.transport != "ssh":
        lines.append(f"    transport: {scalar(node.transport)}")
    lines.append(f"    roles: [{', '.join(scalar(r) for r in node.roles)}]")
    sections = {"ssh": node.ssh if write_ssh else {}, "apache": node.apache, "tomcat": node.tomcat}
    lines += [f"    {key}: {flow(values)}" for key, values in sections.items() if values]
    return lines


def _todo(todo: Todo) -> list[str]:
    where = todo.host if todo.port is None else f"{todo.host}:{todo.port}"
    name = todo.host if todo.port is None else f"{todo.role}-{todo.host}-{todo.port}"
    key = "apache: {httpd_conf" if todo.role == "apache" else "tomcat: {catalina_base"
    section = f"{key}: ...}}"
    return [
        comment(f"TODO {todo.what} ({where}): {todo.reason}", "  "),
        comment(f"{scalar(name)}:", "  "),
        comment(f"  host: {scalar(todo.host)}", "  "),
        comment(f"  roles: [{scalar(todo.role)}]", "  "),
        comment(f"  {section}", "  "),
    ]
