"""Runs the selected checks over the gathered facts and stamps their findings into Results.

The runner owns the rules every check would otherwise repeat: unreachable nodes are skipped
(never dropped), live checks skip offline nodes, cluster checks say whom they could not judge,
and a check that crashes becomes an `error` result instead of aborting the run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from clustercheck.derive.derived import Derived
from clustercheck.engine.check import Check
from clustercheck.engine.results import Finding, Result, Scope, Status, skipped
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
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
    if not nodes:
        return [skipped(f"no node with role {' or '.join(check.roles)}")]
    judged = [n for n in nodes if n.reachable]
    if not judged:
        return [skipped("node unreachable: no " + "/".join(check.roles) + " node could be judged")]
    if check.live and all(n.offline and not n.recorded for n in judged):
        return [skipped("offline")]
    findings = _judged(check, {"cluster": facts, "derived": derived})
    missing = [n.name for n in nodes if not n.reachable]
    if not missing:
        return findings
    note = f" (not judged: {', '.join(missing)} unreachable)"
    return [
        Finding(
            f.status,
            f.message + note if f.node is None else f.message,
            f.node,
            f.file,
            f.line,
            {**f.details, "not_judged": missing} if f.node is None else f.details,
        )
        for f in findings
    ]


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
