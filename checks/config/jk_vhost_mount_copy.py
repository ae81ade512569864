"""CC6036 jk-vhost-mount-copy."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.common import some_of
from clustercheck.checks.config.jk_common import JK_CONFIG, JkConfig, judged
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, passed, warned
from clustercheck.facts.cluster import NodeFacts
from clustercheck.parsers.httpd import Mount


@check("CC6036", "jk-vhost-mount-copy", scope=Scope.NODE, roles=("apache",), family=JK_CONFIG)
def jk_vhost_mount_copy(node: NodeFacts) -> Iterator[Finding]:
    """Every VirtualHost with JkMount rules of its own gets the global mounts too

    mod_jk copies the global mounts into a VirtualHost with mount rules of its own only under
    `JkMountCopy` (On in that VirtualHost, or All globally); a VirtualHost that has its own
    rules and neither warns. VirtualHosts without any Jk directive get the global mounts and
    are not judged.

    ## Why it matters
    A VirtualHost without JkMountCopy serves its own pages instead of the application: the
    global `JkMount /* lb` does not reach it once it has a JkMount of its own.

    ## How to fix
    Put `JkMountCopy On` in each VirtualHost that should get the global mounts (or
    `JkMountCopy All` once, outside every VirtualHost), then restart httpd.
    """
    yield from judged(node, _vhosts, _summary)


def _vhosts(config: JkConfig) -> Iterator[Finding]:
    """VirtualHosts without any Jk directive are not in the facts, so only those with their
    own rules are judged."""
    apache = config.apache
    mount_copy = apache.jk.mount_copy if apache.jk else []
    copies = {vhost: value.lower() for value, vhost, _file, _line in mount_copy}
    shared = [m for m in apache.mounts if m.vhost is None and not (m.unmount or m.disabled)]
    if not shared or copies.get("") == "all":
        return
    own: dict[str, Mount] = {}
    for mount in apache.mounts:
        if mount.vhost is not None:
            own.setdefault(mount.vhost, mount)
    patterns = list(dict.fromkeys(m.pattern for m in shared))
    shown = some_of(patterns)
    for vhost, first in own.items():
        if vhost in copies:
            continue
        yield warned(
            f"<VirtualHost {vhost}> has JkMount rules of its own and no JkMountCopy: the "
            f"global mounts ({shown}) do not apply to its requests",
            file=first.file,
            line=first.line,
            details={"vhost": vhost, "global_mounts": patterns},
        )


def _summary(config: JkConfig) -> Finding:
    return passed(
        "no VirtualHost with JkMount rules of its own misses the global mounts",
        file=config.apache.jk_conf,
    )
