"""What each node reads from, so that one instance listed under two names (a Tomcat copied to a
new node entry and never edited) is one inventory error, not findings about a cluster that is
not there (its jvmRoute "also used by" itself, its sessions "replicated" to itself)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from clustercheck.inventory.settings import NodeSettings

# the fields that say which httpd a node reads, in the order they are named in messages
APACHE_FILES = ("httpd_conf", "jk_conf", "workers_properties")


def duplicates(nodes: Iterable[NodeSettings]) -> Iterator[tuple[str, str]]:
    """(node, problem) for each node that reads an instance an earlier node already reads."""
    seen: dict[tuple[object, ...], str] = {}
    for node in nodes:
        for what, key, shown in _instances(node):
            first = seen.setdefault(key, node.name)
            if first != node.name:
                yield node.name, f"the same {what} as nodes.{first} ({shown}): list it once"


def _instances(node: NodeSettings) -> Iterator[tuple[str, tuple[object, ...], str]]:
    """(what, identity, how it is shown) of the Tomcat and the httpd the node reads."""
    if node.transport == "files":
        reach: tuple[object, ...] = ("files", node.root)
        place = f"in the files under {node.root}"
    elif node.transport == "local":
        reach, place = ("local",), "on this machine"
    else:
        port = node.ssh.port
        reach = ("ssh", node.host.lower(), port or 22)
        place = f"on {node.host}" + (f" port {port}" if port else "")
    if node.has_role("tomcat"):
        base = node.tomcat.catalina_base
        yield "Tomcat", (*reach, "tomcat", base), f"catalina_base {base} {place}"
    if node.has_role("apache"):
        files = {key: getattr(node.apache, key) for key in APACHE_FILES}
        named = next((f"{key} {value}" for key, value in files.items() if value), "httpd")
        yield "httpd", (*reach, "apache", *files.values()), f"{named} {place}"
