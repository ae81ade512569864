"""Every secret of a run's facts, in the forms a message may quote it: what the runner hides
from every result before any output sees it (knowledge/secrets.py says which names hold one)."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.knowledge.secrets import forms, is_secret_name


def secret_values(facts: ClusterFacts) -> frozenset[str]:
    """The secrets as written in the files read (collect finds them in every file) and as the
    parsers resolved them (`${name}` from catalina.properties or the inventory, `$(name)` and
    `reference` in workers.properties, httpd's `${VAR}` in a mod_proxy `secret=`)."""
    found = {form for node in facts.nodes.values() for s in _resolved(node) for form in forms(s)}
    # a reference nothing defines is kept as written: its name is no secret, and the text
    # around it was found in the file
    found = {s for s in found if "${" not in s and "$(" not in s}
    return frozenset(s for node in facts.nodes.values() for s in node.secrets) | found


def _resolved(node: NodeFacts) -> Iterator[str]:
    if node.tomcat:
        yield from (v for k, v in node.tomcat.properties.items() if is_secret_name(k))
        root = node.tomcat.server.root if node.tomcat.server else None
        for element in root.iter() if root else ():
            yield from (v for k, v in element.attrs.items() if is_secret_name(k))
            if is_secret_name(element.attrs.get("name", "")) and "value" in element.attrs:
                yield element.attrs["value"]
    workers = node.apache.workers if node.apache else None
    if workers:
        settings = [s for w in workers.workers.values() for s in w.settings.items()]
        for name, setting in settings + list(workers.global_settings.items()):
            if is_secret_name(name):
                yield setting.value
        yield from (v for k, v in workers.variables.items() if is_secret_name(k))
    proxy = node.apache.proxy if node.apache else None
    if proxy:  # BalancerMember / ProxyPass / ProxySet `secret=`, after Define and ${VAR}
        yield from (p.value for p in proxy.params() if is_secret_name(p.name))


def public_names(facts: ClusterFacts) -> tuple[str, ...]:
    """What names the cluster, its nodes and their files: shown by every report and in a
    snapshot's layout, so a secret inside one of them is no secret to hide elsewhere."""
    settings = facts.settings
    names = [settings.name, *(path for node in facts.nodes.values() for path in node.files)]
    for node in settings.nodes:
        names += [node.name, node.host or "", node.root or ""]
        names += [
            v
            for v in (*vars(node.apache).values(), *vars(node.tomcat).values())
            if isinstance(v, str)
        ]
    return tuple(names)
