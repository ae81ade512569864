"""CC804 balancer-runtime."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator

from clustercheck.derive.derived import Derived
from clustercheck.derive.frontend import FrontEnd, Module
from clustercheck.derive.status_pages import running_member, running_view
from clustercheck.derive.targets import MemberTarget
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, errored, failed, passed, skipped, warned
from clustercheck.facts.balancer import BalancerView

# How messages name an activation (mod_jk's letters; mod_proxy's status= flags beside them).
ACTIVATION_WORDS = {
    "A": "active",
    "D": "disabled",
    "S": "stopped",
    "N": "draining",
    "H": "hot standby",
    "R": "hot spare",
    "?": "unknown",
}

# How to give each module a status page that only the node itself may use.
ENABLE = {
    Module.MOD_JK: (
        "add a status worker that only the node itself may use: `worker.list=...,jkstatus`, "
        "`worker.jkstatus.type=status`, `worker.jkstatus.read_only=True`, and `JkMount "
        "/jkstatus jkstatus` with `<Location /jkstatus> Require local </Location>`; or name "
        "its URL in the inventory (apache.jk_status_url)"
    ),
    Module.MOD_PROXY: (
        "add `<Location /balancer-manager> SetHandler balancer-manager; Require local "
        "</Location>` and `ProxyPass /balancer-manager !` before a `ProxyPass /`; or name its "
        "URL in the inventory (apache.balancer_manager_url)"
    ),
}


@check("CC804", "balancer-runtime", scope=Scope.CLUSTER, roles=("apache",), live=True)
def balancer_runtime(derived: Derived) -> Iterator[Finding]:
    """Each running front end keeps its members in service as configured, every one the same.

    Each apache node's balancing module is asked on the node itself (over the SSH connection:
    no port needs to be open to clustercheck) for its own view: mod_jk's status worker
    (`?mime=prop`), found from the JkMount of a `type=status` worker, and mod_proxy_balancer's
    balancer-manager (`?xml=1`), found from a `<Location>` whose SetHandler is
    balancer-manager; the address is one httpd listens on (loopback first), with the
    VirtualHost's ServerName as Host. `apache.jk_status_url` and `apache.balancer_manager_url`
    name the page when the configuration cannot tell. Each member is found in that view
    (mod_jk by worker name, mod_proxy by host and port): one the module holds in error (mod_jk
    `ERR`, `ERR/REC`, `ERR/PRB`; mod_proxy `Err`, `HcFl`) fails; one whose activation at
    runtime is not its configuration's (disabled or stopped through jkstatus or
    balancer-manager, which the next restart undoes) warns; one the running module does not
    know (httpd not restarted since it was added) warns. Across apache nodes, each Tomcat's
    members must have the same activation: one front end that keeps a node out while another
    sends it users fails. Without a status page the check is skipped, saying how to add one.

    ## Why it matters
    The files say what httpd would do after a restart; the running module says what it does
    now. A member disabled by hand for a deploy and never enabled again takes no new users on
    that front end only: the Tomcat looks healthy, CPing answers, and its share of the load
    goes to the others ("one node never gets traffic through web1"). A member in error gets no
    requests until its recovery time has passed, and every front end decides that on its own.

    ## How to fix
    Look at the member on the status page named in the message: a member in error needs its
    Tomcat or the path to it fixed (see CC101, CC102, CC103); a member disabled or stopped at
    runtime is enabled again there (mod_jk's jkstatus: edit the member, activation Active;
    balancer-manager: clear Disabled or Stopped), or the change is written into the
    configuration if it is meant to last. Make every front end agree.
    """
    by_end: dict[tuple[str, Module], list[MemberTarget]] = defaultdict(list)
    for target in derived.targets:
        if target.balancer is not None:
            by_end[(target.apache.name, target.front_end.module)].append(target)
    if not by_end:
        yield skipped("no balanced member in any front end")
        return
    seen: dict[str, dict[str, str]] = defaultdict(dict)  # Tomcat -> front end -> activation
    for targets in by_end.values():
        front_end = targets[0].front_end
        view = _view(front_end)
        if isinstance(view, Finding):
            yield view
            continue
        yield from _judge_front_end(front_end, view, targets, seen)
    yield from _agreement(seen)


def _view(front_end: FrontEnd) -> BalancerView | Finding:
    """The front end's status page as asked, or the finding that says why there is none."""
    node, module = front_end.node, front_end.module
    if node.live.balancer is None:
        return skipped(f"{module}: its status page was not asked (a Windows node)", node=node.name)
    found = running_view(front_end)
    if found is None:
        return skipped(
            f"{module}: no status page in httpd's configuration, so its running balancers were "
            f"not asked; to have them judged, {ENABLE[module]}",
            node=node.name,
        )
    if found.error is not None:
        return errored(
            f"{module}: its status page {found.url} ({found.source}) told nothing: {found.error}",
            node=node.name,
            file=found.file,
            line=found.line,
            details={"module": str(module), "url": found.url},
        )
    return found


def _judge_front_end(
    front_end: FrontEnd,
    view: BalancerView,
    targets: list[MemberTarget],
    seen: dict[str, dict[str, str]],
) -> Iterator[Finding]:
    node, module = front_end.node.name, front_end.module
    page = f"{view.url}, from {view.source}"
    shown, problems = [], []
    names = [target.member.name for target in targets]
    for target in targets:
        member = target.member
        runtime = running_member(view, target)
        details: dict[str, object] = {"module": str(module), "url": view.url}
        details |= {"worker": member.name}
        if runtime is not None:
            details["runtime"] = dataclasses.asdict(runtime)
        where = {"node": node, **member.location(member.activation), "details": details}
        tomcat = f" -> {target.node.name}" if target.node is not None else ""
        if runtime is None:
            problems.append(
                warned(
                    f"{target.name}{tomcat}: not in the running {module}'s balancers ({page}): "
                    "httpd was not restarted since the member was added",
                    **where,
                )
            )
            continue
        if target.node is not None:
            seen[target.node.name][f"{node} ({module})"] = runtime.activation
        wanted = member.activation.value
        state = f"{runtime.state}" + (f", {runtime.errors} errors" if runtime.errors else "")
        label = target.node.name if target.node is not None else member.name
        shown.append(f"{label} {runtime.state} {runtime.activation}")
        if runtime.in_error:
            problems.append(
                failed(
                    f"{target.name}{tomcat}: {module} holds it in error ({state}, on {page}): "
                    "it sends it no request until it recovers",
                    **where,
                )
            )
        elif runtime.activation != wanted:
            problems.append(
                warned(
                    f"{target.name}{tomcat}: {ACTIVATION_WORDS.get(runtime.activation, '?')} "
                    f"({runtime.activation}) in the running {module} ({page}), while its "
                    f"configuration says {ACTIVATION_WORDS.get(wanted, wanted)} ({wanted}, "
                    f"{member.activation.where}): changed at runtime, undone by the next restart",
                    **where,
                )
            )
    if problems:
        yield from problems
    else:
        yield passed(
            f"the running {module} ({page}) keeps every member as configured: {', '.join(shown)}",
            node=node,
            file=view.file,
            line=view.line,
            details={"module": str(module), "url": view.url, "worker": names},
        )


def _agreement(seen: dict[str, dict[str, str]]) -> Iterator[Finding]:
    """Every Tomcat's members have one activation on every front end that runs one."""
    ends = sorted({end for by_end in seen.values() for end in by_end})
    if len(ends) < 2:
        return
    differ = {tomcat: by_end for tomcat, by_end in seen.items() if len(set(by_end.values())) > 1}
    for tomcat, by_end in sorted(differ.items()):
        sides = ", ".join(
            f"{ACTIVATION_WORDS.get(a, a)} ({a}) on {end}" for end, a in sorted(by_end.items())
        )
        yield failed(
            f"the front ends disagree on {tomcat}: {sides}: new users reach it through some front "
            "ends only",
            details={"tomcat": tomcat, "activation": dict(sorted(by_end.items()))},
        )
    if not differ:
        agreed = ", ".join(
            f"{tomcat} {'/'.join(sorted(set(by_end.values())))}"
            for tomcat, by_end in sorted(seen.items())
        )
        yield passed(f"{' and '.join(ends)} run the same members: {agreed}")
