"""JDK parity across a cluster's nodes.

Session replication serialises attributes on one JVM and reads them on another, so the nodes
should run the same Java; how close the versions must be is the operator's policy. A vendor or
bitness difference is a smell rather than a proven fault, so it warns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from clustercheck.parsers.java import java_version_tuple

# How many numbers of the version must agree; "exact" compares the version string and build.
PRECISION = {"major": 1, "minor": 2, "update": 3}
POLICIES = (*PRECISION, "exact")


class JvmIdentity(Protocol):
    """What the comparison reads of a JVM: a node's JvmFacts, or a parsed JavaInfo."""

    @property
    def version(self) -> str | None: ...
    @property
    def version_tuple(self) -> tuple[int, ...] | None: ...
    @property
    def vendor(self) -> str | None: ...
    @property
    def bits(self) -> int | None: ...
    @property
    def build(self) -> str | None: ...


@dataclass(frozen=True)
class JdkComparison:
    status: str  # "pass" | "warn" | "fail"
    message: str  # one line
    groups: dict[str, list[str]]  # "17.0.15 Debian 64-bit" -> node names


def compare_jvms(jvms: Mapping[str, JvmIdentity], policy: str = "update") -> JdkComparison:
    """Fail on a version difference at the policy's precision, warn on a vendor or bitness
    difference, pass a finer version difference but say so."""
    if policy not in POLICIES:
        raise ValueError(f"unknown JDK policy {policy!r}; expected one of {', '.join(POLICIES)}")
    groups = _group(jvms, lambda info: _label(info, policy))
    if len(jvms) < 2:
        return JdkComparison("pass", _alone(jvms, policy), groups)
    infos = list(jvms.values())
    smells = [
        text
        for text, attribute in (("vendors differ", "vendor"), ("bitness differs", "bits"))
        if _distinct(infos, attribute)
    ]
    if _versions_differ(infos, policy):
        status, reasons = "fail", [_version_reason(policy), *smells]
    elif _distinct(infos, "version"):
        status = "warn" if smells else "pass"
        reasons = [*smells, f"versions agree at the {policy} level but differ below it"]
    elif smells:
        status, reasons = "warn", smells
    else:
        everyone = "both nodes" if len(jvms) == 2 else f"all {len(jvms)} nodes"
        return JdkComparison("pass", f"{everyone} run {_only(jvms, policy)}", groups)
    return JdkComparison(status, f"{', '.join(reasons)}: {_who_runs_what(jvms, policy)}", groups)


def _versions_differ(infos: list[JvmIdentity], policy: str) -> bool:
    if policy == "exact":
        return _distinct(infos, "version") or _distinct(infos, "build")
    return len({_precise(info, policy) for info in infos}) > 1


def _version_reason(policy: str) -> str:
    if policy == "exact":
        return "versions or builds differ (exact policy)"
    return f"versions differ at the {policy} level"


def _distinct(infos: list[JvmIdentity], attribute: str) -> bool:
    """More than one known value; an unknown vendor, bitness or build is not a difference."""
    values = {getattr(info, attribute) for info in infos}
    values.discard(None)
    return len(values) > 1


def _precise(info: JvmIdentity, policy: str) -> object:
    """The version to the policy's precision; 1.8.0_392 and 8.0.392 are the same."""
    numbers = info.version_tuple or java_version_tuple(info.version)
    return numbers[: PRECISION[policy]] if numbers else info.version


def _label(info: JvmIdentity, policy: str) -> str:
    """The group key: '17.0.15 Debian 64-bit', with the build under the exact policy."""
    parts = [info.version or "unknown version", info.vendor or ""]
    parts.append(f"{info.bits}-bit" if info.bits else "")
    if policy == "exact" and info.build:
        parts.append(f"(build {info.build})")
    return " ".join(part for part in parts if part)


def _describe(info: JvmIdentity, jvms: Mapping[str, JvmIdentity], policy: str) -> str:
    """'11.0.22 (Amazon Corretto)': the details in parentheses only where the nodes differ."""
    infos = list(jvms.values())
    details = [info.vendor]
    if _distinct(infos, "bits"):
        details.append(f"{info.bits}-bit" if info.bits else "unknown bitness")
    if policy == "exact" and _distinct(infos, "build"):
        details.append(f"build {info.build or 'unknown'}")
    known = ", ".join(detail for detail in details if detail)
    version = info.version or "unknown version"
    return f"{version} ({known})" if known else version


def _who_runs_what(jvms: Mapping[str, JvmIdentity], policy: str) -> str:
    """'tomcat03 runs 11.0.22 (Amazon Corretto), the others 17.0.15 (Debian)'; without a
    majority every group is named."""
    groups = sorted(
        _group(jvms, lambda info: _describe(info, jvms, policy)).items(),
        key=lambda item: -len(item[1]),
    )
    majority = len(groups) > 1 and len(groups[0][1]) > len(groups[1][1])
    named = groups[1:] if majority else groups
    parts = [
        f"{', '.join(nodes)} {'runs' if len(nodes) == 1 else 'run'} {description}"
        for description, nodes in named
    ]
    if majority:
        parts.append(f"the others {groups[0][0]}")
    return ", ".join(parts) if len(parts) == 2 else "; ".join(parts)


def _group(
    jvms: Mapping[str, JvmIdentity], key: Callable[[JvmIdentity], str]
) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for node, info in jvms.items():
        groups.setdefault(key(info), []).append(node)
    return groups


def _only(jvms: Mapping[str, JvmIdentity], policy: str) -> str:
    return _describe(next(iter(jvms.values())), jvms, policy)


def _alone(jvms: Mapping[str, JvmIdentity], policy: str) -> str:
    if not jvms:
        return "no JVM to compare"
    node = next(iter(jvms))
    return f"only {node}'s JVM is known ({_only(jvms, policy)}), nothing to compare"
