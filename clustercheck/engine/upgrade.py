"""Upgrade readiness: the checks judged a second time on the same facts, with the versions an
upgrade would bring, and the findings that would be new reported apart from today's.

The facts of an upgraded cluster are today's with the version facts replaced: each Tomcat node
on the target release (a node already at or past it stays), httpd on the target release, each
mod_jk module replaced by the target release built for the httpd it will run in (and
mod_proxy_ajp with httpd, whose module it is). Every check then applies the knowledge of that
version to the same files, processes and probes, so a rule is written once and judged twice.
Checks declared `rolling` are also judged on a half-upgraded cluster (one Tomcat node on the
target, the others as today): what breaks while a rolling upgrade is under way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from clustercheck.engine.check import Check
from clustercheck.engine.results import Result
from clustercheck.engine.runner import run_checks
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.facts.files import ApacheFacts
from clustercheck.knowledge.frontend import MODULE_APIS, api_of_line
from clustercheck.knowledge.releases import HTTPD, MODJK, TOMCAT
from clustercheck.knowledge.tomcat import parse_version
from clustercheck.parsers.httpd_module import ModuleBinary

TARGET_SOURCE = "upgrade target"  # what an upgraded node's version_source says


@dataclass(frozen=True)
class Target:
    """The releases an upgrade brings (resolved: "11.0.29", never "11.0"); None: unchanged."""

    tomcat: str | None = None
    httpd: str | None = None
    modjk: str | None = None

    def __bool__(self) -> bool:
        return any((self.tomcat, self.httpd, self.modjk))

    @property
    def label(self) -> str:
        """ "Tomcat 11.0.29, httpd 2.4.71" """
        named = (("Tomcat", self.tomcat), ("httpd", self.httpd), ("mod_jk", self.modjk))
        return ", ".join(f"{name} {version}" for name, version in named if version)

    def as_dict(self) -> dict[str, str | None]:
        return {"tomcat": self.tomcat, "httpd": self.httpd, "mod_jk": self.modjk}


@dataclass(frozen=True)
class Move:
    """One node's product, today and after the upgrade (`after` None: already there)."""

    node: str
    product: str  # Tomcat | httpd | mod_jk
    today: str | None  # None: not known
    after: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"node": self.node, "product": self.product, "from": self.today, "to": self.after}


@dataclass(frozen=True)
class Upgrade:
    """What an upgrade to `target` changes: findings new after it (`after`), new while some
    Tomcat nodes are upgraded and some not (`during`: with `rolling_node`, the first node whose
    upgrade alone breaks something, on the target and the others as today), and today's
    findings the upgrade makes go away (`gone`)."""

    target: Target
    moves: tuple[Move, ...]
    after: tuple[Result, ...]
    during: tuple[Result, ...] = ()
    gone: tuple[Result, ...] = ()
    rolling_node: str | None = None

    @property
    def results(self) -> tuple[Result, ...]:
        return self.after + self.during

    def counted(self) -> list[Result]:
        """What decides the exit code with a target: the new findings not waived."""
        return [r for r in self.results if not r.waived]

    def summary(self) -> dict[str, int]:
        counts = {"warn": 0, "fail": 0, "error": 0}
        for result in self.counted():
            counts[result.status.value] += 1
        return counts

    def with_results(self, marked: Sequence[Result]) -> Upgrade:
        """The same upgrade with its findings replaced by `marked` (the same, in the order of
        `results`, with the inventory's waivers applied)."""
        cut = len(self.after)
        return replace(self, after=tuple(marked[:cut]), during=tuple(marked[cut:]))

    def as_dict(self) -> dict[str, Any]:
        return {
            "target": self.target.as_dict(),
            "moves": [m.as_dict() for m in self.moves],
            "summary": self.summary(),
            "rolling_node": self.rolling_node,
            "after": [r.as_dict() for r in _worst_first(self.after)],
            "during": [r.as_dict() for r in _worst_first(self.during)],
            "gone": [
                {"code": r.code, "node": r.node, "status": r.status.value, "message": r.message}
                for r in self.gone
            ],
        }


def judge_upgrade(
    checks: Sequence[Check], facts: ClusterFacts, today: Sequence[Result], target: Target
) -> Upgrade:
    """The checks judged on the upgraded cluster (and the rolling ones on the half-upgraded
    one), against today's results."""
    moves = _moves(facts, target)
    upgraded = upgraded_facts(facts, target)
    after_all = run_checks(checks, upgraded)
    versions = _versions(moves)
    known = {_key(r, versions) for r in today if r.status.is_finding}
    after = [r for r in after_all if r.status.is_finding and _key(r, versions) not in known]
    seen_after = {_key(r, versions) for r in after_all if r.status.is_finding}
    gone = [r for r in today if r.status.is_finding and _key(r, versions) not in seen_after]
    rolling = [c for c in checks if c.rolling]
    moved = sorted(m.node for m in moves if m.product == "Tomcat" and m.after)
    during: list[Result] = []
    rolling_node = None
    listed = known | {_key(r, versions) for r in after}
    for node in moved if rolling else ():  # the first node whose upgrade alone breaks something
        half = upgraded_facts(facts, Target(tomcat=target.tomcat), only={node})
        during = [
            r
            for r in run_checks(rolling, half)
            if r.status.is_finding and _key(r, versions) not in listed
        ]
        if during:
            rolling_node = node
            break
    return Upgrade(
        target,
        tuple(moves),
        tuple(after),
        tuple(during),
        tuple(gone),
        rolling_node=rolling_node,
    )


def upgraded_facts(
    facts: ClusterFacts, target: Target, only: set[str] | None = None
) -> ClusterFacts:
    """Today's facts with the target's versions (on the nodes of `only`, else on all); the
    facts themselves are left as they are."""
    nodes = {
        name: node if only is not None and name not in only else _upgraded(node, target)
        for name, node in facts.nodes.items()
    }
    return replace(facts, nodes=nodes)


def _upgraded(node: NodeFacts, target: Target) -> NodeFacts:
    tomcat, apache = node.tomcat, node.apache
    if tomcat is not None and _moves_to(tomcat.version, target.tomcat):
        tomcat = replace(tomcat, version=target.tomcat, version_source=TARGET_SOURCE)
    if apache is not None and (target.httpd or target.modjk):
        apache = _upgraded_frontend(apache, target)
    return replace(node, tomcat=tomcat, apache=apache)


def _upgraded_frontend(apache: ApacheFacts, target: Target) -> ApacheFacts:
    """httpd on its target, and the connector modules an upgrade installs: mod_proxy_ajp comes
    with httpd, mod_jk is built for the httpd it runs in."""
    httpd = apache.httpd_version
    if _moves_to(httpd, target.httpd):
        httpd = target.httpd
    api = api_of_line(parse_version(httpd)) or MODULE_APIS[0]
    modules = dict(apache.module_files)
    for name, module in apache.module_files.items():
        if name == "jk_module" and target.modjk:
            jk = module.binary.jk_version if module.binary else None
            version = target.modjk if _moves_to(jk, target.modjk) else jk
        elif name != "jk_module" and target.httpd:
            version = None
        else:
            continue
        binary = ModuleBinary(api.cookie, api.mmn_major, None, version)
        modules[name] = replace(module, binary=binary, unread=None)
    return replace(apache, httpd_version=httpd, module_files=modules)


def _moves_to(today: str | None, target: str | None) -> bool:
    """Whether a product on `today` moves to `target`: never backwards, and an unknown version
    is taken to move."""
    if target is None:
        return False
    now, then = parse_version(today), parse_version(target)
    return now is None or then is None or now < then


def _moves(facts: ClusterFacts, target: Target) -> list[Move]:
    moves: list[Move] = []
    for node in facts.nodes.values():
        if node.tomcat is not None and target.tomcat:
            moves.append(_move(node.name, "Tomcat", node.tomcat.version, target.tomcat))
        if node.apache is not None and target.httpd:
            moves.append(_move(node.name, "httpd", node.apache.httpd_version, target.httpd))
        jk = node.apache.module_files.get("jk_module") if node.apache else None
        if jk is not None and target.modjk:
            today = jk.binary.jk_version if jk.binary else None
            moves.append(_move(node.name, "mod_jk", today, target.modjk))
    return moves


def _move(node: str, product: str, today: str | None, target: str) -> Move:
    return Move(node, product, today, target if _moves_to(today, target) else None)


def _versions(moves: Iterable[Move]) -> list[str]:
    """Every version string of the upgrade, longest first (10.1.62 before 10.1)."""
    found = {v for m in moves for v in (m.today, m.after) if v}
    return sorted(found, key=len, reverse=True)


def _key(result: Result, versions: Sequence[str]) -> tuple[Any, ...]:
    """What makes a finding the same before and after: its check, place and status, and its
    message with the versions it names left out ("node runs 9.0.85" is the same finding as
    "node runs 11.0.29")."""
    message = result.message
    for version in versions:
        message = message.replace(version, "<version>")
    return (result.code, result.node, result.file, result.line, result.status, message)


def _worst_first(results: Iterable[Result]) -> list[Result]:
    return sorted(results, key=lambda r: (-r.status.rank, r.code, r.node or ""))


def target_of(values: Mapping[str, str | None]) -> Target:
    """The Target of the command line's --target-* values ({"tomcat": "11.0", ...}); raises
    knowledge.releases.TargetError for a version clustercheck has no knowledge of."""
    resolve = {"tomcat": TOMCAT, "httpd": HTTPD, "modjk": MODJK}
    return Target(
        **{key: resolve[key].target(value) if value else None for key, value in values.items()}
    )
