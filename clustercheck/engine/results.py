"""The one results model that every check produces and every renderer reads."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Outcome of one judgement. `error` means "could not judge", never "judged bad"."""

    SKIP = "skip"
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"

    @property
    def rank(self) -> int:
        """Order used for worst-first sorting and `--fail-on` (error is above fail)."""
        return _RANK[self]

    @property
    def is_finding(self) -> bool:
        """warn, fail and error: what a person has to look at."""
        return self.rank >= _RANK[Status.WARN]


_RANK = {Status.SKIP: 0, Status.PASS: 1, Status.WARN: 2, Status.FAIL: 3, Status.ERROR: 4}


class Scope(StrEnum):
    """A node check judges one node at a time; a cluster check sees every node at once."""

    NODE = "node"
    CLUSTER = "cluster"


@dataclass(frozen=True)
class Finding:
    """What a check says; the runner adds the check's identity and documentation."""

    status: Status
    message: str
    node: str | None = None
    file: str | None = None
    line: int | None = None
    details: Mapping[str, Any] = field(default_factory=dict)


def passed(message: str, **kw: Any) -> Finding:
    return Finding(Status.PASS, message, **kw)


def warned(message: str, **kw: Any) -> Finding:
    return Finding(Status.WARN, message, **kw)


def failed(message: str, **kw: Any) -> Finding:
    return Finding(Status.FAIL, message, **kw)


def errored(message: str, **kw: Any) -> Finding:
    return Finding(Status.ERROR, message, **kw)


def skipped(message: str, **kw: Any) -> Finding:
    return Finding(Status.SKIP, message, **kw)


@dataclass(frozen=True)
class Result:
    """A finding stamped with the check that made it: the unit of every report."""

    code: str
    name: str
    status: Status
    node: str | None
    message: str
    file: str | None = None
    line: int | None = None
    rationale: str = ""
    remediation: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    waived: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data = {
            "code": self.code,
            "name": self.name,
            "status": self.status.value,
            "node": self.node,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "rationale": self.rationale if self.status is not Status.PASS else "",
            "remediation": self.remediation if self.status is not Status.PASS else "",
            "details": dict(self.details),
        }
        if self.waived:
            data["waived"] = self.waived
        return data


SHOWN = 3  # names one message lists before "and N more"


def some_of(names: Sequence[str], sep: str = ", ", shown: int = SHOWN) -> str:
    """The first `shown` names, then how many more: a message about one node that names the
    others stays short however large the cluster, so a report grows with its findings, not with
    the square of its nodes (the views, the details and the other nodes' results name the rest)."""
    more = len(names) - shown
    return sep.join(names[:shown]) + (f" and {more} more" if more > 0 else "")
