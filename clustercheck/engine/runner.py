"""Runs the selected checks over the gathered facts and stamps their findings into Results.

The runner owns the rules every check would otherwise repeat: unreachable nodes are skipped
(never dropped), live checks skip offline nodes, cluster checks say whom they could not judge,
and a check that crashes becomes an `error` result instead of aborting the run.

`--limit` (ClusterFacts.left_out) is said the same way, so that a verdict on part of a cluster
never reads as the cluster's: each finding of a cluster check whose roles a left-out node has
ends with "(not judged: web1 left out by --limit)" and lists them in `details["left_out"]`.
Its status stays what the check said, as with unreachable nodes: a pass on the nodes judged
is a pass, and the note and the report's scope say it is not the cluster's. A check with no
node in scope, or a seam check (Check.seam) with no node of one of its roles, skips with the
real cause: "no node with role apache in scope: --limit left out web1".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from clustercheck.derive.derived import Derived
from clustercheck.engine.check import Check
from clustercheck.engine.results import Finding, Result, Scope, Status, skipped, some_of
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.inventory.settings import NodeSettings
from clustercheck.knowledge.secrets import Secrets


def run_checks(
    checks: Sequence[Check], facts: ClusterFacts, derived: Derived | None = None
) -> list[Result]:
    """Every selected check over the facts; `derived` (made here when not given) is shared by
    all of them, so each derivation is computed once per run. No result holds a secret of the
    facts: this is where findings become the text every output shows."""
    derived = derived if derived is not None else Derived(facts)
    results: list[Result] = []
    for check in checks:
        if check.scope is Scope.NODE:
            for node in _applicable(check, facts):
                findings = _judge_node(check, node, facts, derived)
                results.extend(_stamp(check, findings, node.name, derived.secrets))
        else:
            findings = _judge_cluster(check, facts, derived)
            results.extend(_stamp(check, findings, None, derived.secrets))
    return results


def _applicable(check: Check, facts: ClusterFacts) -> list[NodeFacts]:
    return [n for n in facts.nodes.values() if any(n.settings.has_role(r) for r in check.roles)]


def _judge_node(
    check: Check, node: NodeFacts, facts: ClusterFacts, derived: Derived
) -> list[Finding]:
    if not node.reachable and not check.judges_unreachable:
        return [skipped("node unreachable")]
    if check.live and node.offline and not node.recorded:
        return [skipped("offline")]
    return _judged(check, {"node": node, "cluster": facts, "derived": derived})


def _judge_cluster(check: Check, facts: ClusterFacts, derived: Derived) -> list[Finding]:
    nodes = _applicable(check, facts)
    out_of_scope = _out_of_scope(check, nodes, facts.left_out)
    if out_of_scope:
        return [out_of_scope]
    if not nodes:
        return [skipped(f"no node with role {' or '.join(check.roles)}")]
    judged = [n for n in nodes if n.reachable]
    if not judged:
        return [skipped("node unreachable: no " + "/".join(check.roles) + " node could be judged")]
    if check.live and all(n.offline and not n.recorded for n in judged):
        return [skipped("offline")]
    findings = _judged(check, {"cluster": facts, "derived": derived})
    missing = [n.name for n in nodes if not n.reachable]
    if missing:
        note = f" (not judged: {', '.join(missing)} unreachable)"
        findings = [
            _noted(f, note, {"not_judged": missing}) if f.node is None else f for f in findings
        ]
    left_out = [n.name for n in facts.left_out if _has_role(check, n)]
    if left_out:
        # every finding, a node's too: a cluster check judges each node against its peers
        note = f" (not judged: {some_of(left_out)} left out by --limit)"
        # (a skip already says it judged nothing)
        findings = [
            f if f.status is Status.SKIP else _noted(f, note, {"left_out": left_out})
            for f in findings
        ]
    return findings


def _out_of_scope(
    check: Check, nodes: Sequence[NodeFacts], left_out: Sequence[NodeSettings]
) -> Finding | None:
    """The skip that says why --limit left the check nothing to judge: no node of its roles in
    scope, or (a seam check) none of one of them; None when it did not."""
    present = {role for n in nodes for role in check.roles if n.settings.has_role(role)}
    if not nodes:
        wanting = [check.roles]
    else:
        wanting = [(role,) for role in check.roles if check.seam and role not in present]
    for roles in wanting:
        names = [n.name for n in left_out if any(n.has_role(role) for role in roles)]
        if names:
            return skipped(
                f"no node with role {' or '.join(roles)} in scope: "
                f"--limit left out {some_of(names)}",
                details={"left_out": names},
            )
    return None


def _has_role(check: Check, node: NodeSettings) -> bool:
    return any(node.has_role(role) for role in check.roles)


def _noted(finding: Finding, note: str, details: Mapping[str, Any]) -> Finding:
    """The finding with `note` after its message and `details` added to its details."""
    return replace(finding, message=finding.message + note, details={**finding.details, **details})


def _judged(check: Check, given: Mapping[str, object]) -> list[Finding]:
    """The judge called with the arguments it declares. A crashing check is a bug in the check,
    reported as `error`, never a lost node."""
    try:
        findings = list(check.judge(**{name: given[name] for name in check.arguments}))
        for finding in findings:
            if not isinstance(finding, Finding) or not isinstance(finding.status, Status):
                raise TypeError(f"it gave {finding!r}, not a Finding")
        return findings
    except Exception as exc:  # the whole point: no check may abort the run
        return [Finding(Status.ERROR, f"check crashed: {type(exc).__name__}: {exc}")]


def _stamp(
    check: Check, findings: Iterable[Finding], node: str | None, secrets: Secrets
) -> list[Result]:
    return [
        Result(
            code=check.code,
            name=check.name,
            status=f.status,
            node=f.node if f.node is not None else node,
            message=secrets.hide(f.message),
            file=None if f.file is None else secrets.hide(f.file),
            line=f.line,
            rationale=check.rationale,
            remediation=check.remediation,
            details=_hidden(f.details, secrets),
        )
        for f in findings
    ]


def _hidden(value: Any, secrets: Secrets) -> Any:
    """A finding's details with every secret hidden, at any depth."""
    if isinstance(value, str):
        return secrets.hide(value)
    if isinstance(value, Mapping):
        return {key: _hidden(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_hidden(item, secrets) for item in value)
    return value
