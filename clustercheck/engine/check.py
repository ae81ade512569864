"""How a check is declared: a pure function plus metadata, with its documentation beside it.

A check's docstring is its documentation, in fixed sections (ruff style):

    One-line title.

    What it checks, in a paragraph or two.

    ## Why it matters
    The real-world symptom an operator would recognise.

    ## How to fix
    What to change, where.

`clustercheck explain CODE`, the README catalogue and every non-pass result are made from it.

A check that was split into one check per fault a user would waive on its own keeps its old
code as a family: the members' codes add one digit to it (CC603 -> CC6031, CC6032...), so
selecting or waiving the old code, a prefix as ruff's --select reads one, still takes them all.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from clustercheck.engine.results import Finding, Scope

# CC123 (a check, or a family), CC1234 (a member of family CC123): the family, then the digit
CODE_RE = re.compile(r"^([A-Z]{2,5}\d{3})(\d?)$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
SECTION_RE = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)

Judge = Callable[..., Iterable[Finding]]


@dataclass(frozen=True)
class Family:
    """The checks one code was split into, still selected and waived together by that code or
    name. Its documentation is a title and what the members share; each member has its own
    why and fix."""

    code: str
    name: str
    doc: str = field(repr=False, default="")

    @property
    def title(self) -> str:
        return _title(self.doc) or self.name

    @property
    def summary(self) -> str:
        return _summary(self.doc)


def family(code: str, name: str, doc: str) -> Family:
    """Declare a family; its members pass it to @check(family=...)."""
    matched = CODE_RE.match(code)
    if not matched or matched[2]:
        raise ValueError(f"family code {code!r} must look like CC123")
    if not NAME_RE.match(name):
        raise ValueError(f"family name {name!r} must be kebab-case")
    return Family(code, name, inspect.cleandoc(doc))


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
    family: Family | None = None  # the family it is a member of (its code is the family's + 1)
    # judges members on different releases: an upgrade target also judges it on a half-upgraded
    # cluster (engine/upgrade.py), for what breaks during a rolling upgrade
    rolling: bool = False
    # judges the seam between its roles (a front end and the Tomcats behind it): with every
    # node of one role left out by --limit there is nothing to judge (engine/runner.py)
    seam: bool = False

    @property
    def title(self) -> str:
        """The first paragraph of the documentation, on one line."""
        return _title(self.doc) or self.name

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
        return _summary(self.doc)

    @functools.cached_property
    def rationale(self) -> str:
        """Cached: every result of the check carries it (thousands on a large cluster)."""
        return self.section("Why it matters")

    @functools.cached_property
    def remediation(self) -> str:
        return self.section("How to fix")


def _title(doc: str) -> str:
    """The first paragraph of a documentation, on one line."""
    head = doc.strip().split("\n\n", 1)[0]
    return " ".join(head.split()).rstrip(".")


def _summary(doc: str) -> str:
    """The text between the title and the first section."""
    intro = SECTION_RE.split(doc)[0].strip().split("\n\n", 1)
    return _unwrap(intro[1]) if len(intro) > 1 else ""


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
    family: Family | None = None,
    rolling: bool = False,
    seam: bool = False,
) -> Callable[[Judge], Check]:
    """Declare a check. Its judge declares what it needs by parameter name (ARGUMENTS); a node
    check is called for each node with one of `roles` and must take `node`, a cluster check is
    called once and must not. `needs` names the costly facts (COSTLY_FACTS) the engine must
    gather for it. A member of a `family` has the family's code and one digit more. A
    `rolling` check judges members on different releases, so an upgrade target also judges it
    on a half-upgraded cluster. A `seam` check judges what nodes of different roles must agree
    on (a front end's members and the Tomcats behind them), so it needs a node of each."""
    matched = CODE_RE.match(code)
    if family is None and (not matched or matched[2]):
        raise ValueError(f"check code {code!r} must look like CC123 (CC1234 in a family)")
    if family is not None and (not matched or not matched[2] or matched[1] != family.code):
        raise ValueError(f"check code {code!r} of family {family.code} must be {family.code}N")
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
            family=family,
            rolling=rolling,
            seam=seam,
        )

    return wrap


def describe(check_: Check) -> dict[str, Any]:
    """The catalogue entry of a check, for `clustercheck checks --json` and the docs."""
    return {
        "code": check_.code,
        "name": check_.name,
        "family": check_.family.code if check_.family else None,
        "title": check_.title,
        "scope": check_.scope.value,
        "roles": list(check_.roles),
        "live": check_.live,
        "summary": check_.summary,
        "rationale": check_.rationale,
        "remediation": check_.remediation,
    }
