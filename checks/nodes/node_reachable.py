"""CC001 node-reachable."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, errored, passed
from clustercheck.facts.cluster import ClusterFacts, NodeFacts


@check(
    "CC001", "node-reachable", scope=Scope.NODE, roles=("apache", "tomcat"), judges_unreachable=True
)
def node_reachable(node: NodeFacts, cluster: ClusterFacts) -> Iterator[Finding]:
    """The node was connected to and logged into.

    Every other check needs the node's facts. A node that cannot be reached gets one `error`
    here, and every other check skips it with the reason "node unreachable": it is never
    silently dropped from a report, and never counted as a pass.

    ## Why it matters
    An unreachable node is either down (the balancer is already failing over to the others) or
    cannot be checked at all; both need a person's attention before a deploy.

    ## How to fix
    Read the message: "connection refused" means sshd is not listening on that port; "timed out"
    means a firewall or the wrong address; "authentication failed" means the user or key in the
    inventory (`ssh.user`, `ssh.identity_file`) is not accepted; an unknown host key is learned
    once with `--accept-new-host-keys`. For a `files` node, check its `root` directory.
    "gathering failed" is a bug in clustercheck met on that node's data: please report it with
    the message, which names the exception and where it was raised, not its text (that may
    quote the node's files; CLUSTERCHECK_DEBUG=1 adds it). The other nodes are judged as usual.
    """
    settings = node.settings
    if not node.reachable:
        yield errored(node.live.error or "unreachable")
        return
    if node.recorded:
        yield passed(f"reachable when the snapshot was taken ({node.live.collected_at})")
    elif settings.transport == "files":
        yield passed(f"files read from {settings.root}")
    else:
        took = f" in {node.live.duration_s:.2f} s" if node.live.duration_s is not None else ""
        yield passed(f"connected over {settings.transport} to {settings.host}{took}")
