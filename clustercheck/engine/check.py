"""How a check is declared: a pure function plus metadata, with its documentation beside it.

A check's docstring is its documentation, in fixed sections (ruff style):

    One-line title.

    What it checks, in a paragraph or two.

    ## Why it matters
    The real-world symptom an operator would recognise.

    ## How to fix
    What to change, where.

`clustercheck explain CODE`, the README catalogue and every non-pass result are made from it.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from clustercheck.engine.results import Finding, Scope

CODE_RE = re.compile(r"^[A-Z]{2,5}\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
SECTION_RE = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)

Judge = Callable[..., Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    """A check: code and name are stable forever; `judge` never does I/O."""

    code: str
    name: str
    scope: Scope
    roles: tuple[str, ...]
    live: bool  # needs facts only a live node gives (skip "offline" otherwise)
    judge: Judge = field(repr=False)
    judges_unreachable: bool = False  # called for unreachable nodes too (CC001)
    needs: frozenset[str] = frozenset()  # costly facts to gather for it: "multicast"
    arguments: tuple[str, ...] = ("cluster",)  # what judge() declares, from ARGUMENTS
    doc: str = field(repr=False, default="")
    origin: str = ""  # the distribution that provided it

    @property
    def title(self) -> str:
        """The first paragraph of the documentation, on one line."""
        head = self.doc.strip().split("\n\n", 1)[0]
        return " ".join(head.split()).rstrip(".") or self.name

    def section(self, heading: str) -> str:
        """Text under a '## heading' of the documentation, or ''."""
        parts = SECTION_RE.split(self.doc)
        for index in range(1, len(parts) - 1, 2):
            if parts[index].strip().lower() == heading.lower():
                return _unwrap(parts[index + 1])
        return ""

    @property
    def summary(self) -> str:
        """What it checks: the text between the title and the first section."""
        intro = SECTION_RE.split(self.doc)[0].strip().split("\n\n", 1)
        return _unwrap(intro[1]) if len(intro) > 1 else ""

    @functools.cached_property
    def rationale(self) -> str:
        """Cached: every result of the check carries it (thousands on a large cluster)."""
        return self.section("Why it matters")

    @functools.cached_property
    def remediation(self) -> str:
        return self.section("How to fix")


def _unwrap(text: str) -> str:
    """Paragraphs joined into single lines; blank lines and list items keep their breaks."""
    out: list[str] = []
    for line in text.strip().splitlines():
        stripped = line.strip()
        if out and stripped and out[-1] and not stripped.startswith("- "):
            out[-1] += " " + stripped
        else:
            out.append(stripped)
    return "\n".join(out).strip()


# Facts the engine gathers only when a selected check needs them, because they cost time.
COSTLY_FACTS = frozenset({"multicast"})  # the heartbeat capture window

# What a judge may declare, by parameter name, as pluggy hook implementations do: the runner
# passes exactly those. `node` (node checks only): the NodeFacts judged; `cluster`: the
# ClusterFacts; `derived`: the run's Derived (worker targets, membership view, ...).
ARGUMENTS = frozenset({"node", "cluster", "derived"})


def check(
    code: str,
    name: str,
    *,
    scope: Scope,
    roles: tuple[str, ...] = ("tomcat",),
    live: bool = False,
    judges_unreachable: bool = False,
    needs: tuple[str, ...] = (),
) -> Callable[[Judge], Check]:
    """Declare a check. Its judge declares what it needs by parameter name (ARGUMENTS); a node
    check is called for each node with one of `roles` and must take `node`, a cluster check is
    called once and must not. `needs` names the costly facts (COSTLY_FACTS) the engine must
    gather for it."""
    if not CODE_RE.match(code):
        raise ValueError(f"check code {code!r} must look like CC123")
    if not NAME_RE.match(name):
        raise ValueError(f"check name {name!r} must be kebab-case")

    def wrap(func: Judge) -> Check:
        doc = inspect.getdoc(func) or ""
        if "## Why it matters" not in doc or "## How to fix" not in doc:
            raise ValueError(f"{code}: the docstring needs '## Why it matters' and '## How to fix'")
        unknown = set(needs) - COSTLY_FACTS
        if unknown:
            raise ValueError(f"{code}: unknown facts {sorted(unknown)}, known: {set(COSTLY_FACTS)}")
        arguments = tuple(inspect.signature(func).parameters)
        if set(arguments) - ARGUMENTS or ("node" in arguments) != (scope is Scope.NODE):
            raise ValueError(
                f"{code}: judge({', '.join(arguments)}) may take {sorted(ARGUMENTS)}; "
                "`node` exactly when the scope is node"
            )
        return Check(
            code,
            name,
            scope,
            roles,
            live,
            func,
            judges_unreachable,
            frozenset(needs),
            arguments,
            doc,
            origin=func.__module__,
        )

    return wrap


def describe(check_: Check) -> dict[str, Any]:
    """The catalogue entry of a check, for `clustercheck checks --json` and the docs."""
    return {
        "code": check_.code,
        "name": check_.name,
        "title": check_.title,
        "scope": check_.scope.value,
        "roles": list(check_.roles),
        "live": check_.live,
        "summary": check_.summary,
        "rationale": check_.rationale,
        "remediation": check_.remediation,
    }
