"""Runs the cases (the real software and clustercheck on each file), compares, and writes the
agreement table; reads and writes the committed expectations."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import yaml

HERE = Path(__file__).resolve().parent
TOMCAT_EXPECTATIONS = HERE / "expectations-tomcat.yaml"
HTTPD_EXPECTATIONS = HERE / "expectations-httpd.yaml"
WRITE = os.environ.get("CLUSTERCHECK_DIFFERENTIAL_WRITE", "") not in ("", "0")
# Tomcat runs are mostly waiting (McastService sleeps 2 s at start): more runs than cores.
WORKERS = int(os.environ.get("CLUSTERCHECK_DIFFERENTIAL_WORKERS", "0")) or max(
    3, 2 * (os.cpu_count() or 1)
)


@dataclass(frozen=True)
class Row:
    """One case of the agreement table."""

    case: str
    mutation: str
    target: str
    note: str
    truth: str  # what the real software did (tomcat_truth.Truth / httpd_truth.Truth)
    truth_detail: str
    verdict: str  # what clustercheck says it will do, in the same terms
    verdict_detail: str
    seconds: float  # the real software's run
    causes: tuple[str, ...] = ()  # the log signatures seen (tomcat_truth.SIGNATURES)
    truth_ignored: tuple[str, ...] = ()  # what the software skipped, when it did
    verdict_ignored: tuple[str, ...] = ()  # what clustercheck says it skips
    model_diff: str = ""  # where what mod_jk built differs from clustercheck's reading

    @property
    def same_subjects(self) -> bool:
        """When both say "ignored": about the same things (always, when subjects are not
        compared: the httpd side)."""
        if self.truth != "ignored" or self.verdict != "ignored":
            return True
        return set(self.truth_ignored) == set(self.verdict_ignored)

    @property
    def agree(self) -> bool:
        """Same outcome, about the same things, and the same workers built."""
        return self.truth == self.verdict and self.same_subjects and not self.model_diff

    @property
    def pair(self) -> str:
        """The outcome pair, "ignored/starts"; "ignored/ignored-other" when both say ignored
        about different things; "+model" when mod_jk built other workers than clustercheck
        reads."""
        pair = f"{self.truth}/{self.verdict}"
        if not self.same_subjects:
            pair += "-other"
        return pair + ("+model" if self.model_diff else "")


@dataclass(frozen=True)
class Expected:
    """A case as the committed expectations have it: the outcome pair and, for a known gap,
    its class and reason."""

    truth: str
    verdict: str
    gap: str | None = None
    reason: str | None = None

    @property
    def agreed(self) -> bool:
        return self.gap is None


SUMMARIES: list[str] = []  # one line per suite, printed at the end of the run (conftest.py)
T = TypeVar("T")
R = TypeVar("R")


def run_parallel(items: Sequence[T], one: Callable[[T], R], workers: int = WORKERS) -> list[R]:
    with ThreadPoolExecutor(max(1, workers)) as pool:
        return list(pool.map(one, items))


def write_table(rows: Iterable[Row], path: Path) -> Path:
    """The table as TSV (one row a case, for people) and JSON beside it (for tools)."""
    rows = list(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    head = ["case", "mutation", "truth", "clustercheck", "agree", "seconds", "real", "cc"]
    lines = ["\t".join(head)]
    for r in rows:
        cells = [r.case, r.mutation, r.truth, r.verdict, "yes" if r.agree else "NO"]
        cells += [f"{r.seconds:.1f}", r.truth_detail, r.verdict_detail]
        if not r.same_subjects:
            cells[-1] += (
                f" [real ignores {sorted(r.truth_ignored)}, cc {sorted(r.verdict_ignored)}]"
            )
        if r.model_diff:
            cells[-1] += f" [model: {r.model_diff}]"
        lines.append("\t".join(c.replace("\t", " ").replace("\n", " ") for c in cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = [{**asdict(r), "agree": r.agree} for r in rows]
    path.with_suffix(".json").write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path


def summary_line(name: str, rows: Sequence[Row], seconds: float) -> str:
    agree = sum(r.agree for r in rows)
    pairs = Counter(r.pair for r in rows if not r.agree)
    worst = ", ".join(f"{pair} {n}" for pair, n in pairs.most_common(4))
    return (
        f"differential {name}: {len(rows)} cases, {agree} agree, {len(rows) - agree} disagree"
        f" ({worst or 'none'}) in {seconds:.0f} s"
    )


def load_expectations(path: Path) -> dict[str, Expected]:
    if not path.exists():
        return {}
    data: Mapping[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    reasons: Mapping[str, str] = data.get("gaps") or {}
    return {
        case: Expected(e["real"], e["clustercheck"], e.get("gap"), reasons.get(e.get("gap", "")))
        for case, e in (data.get("cases") or {}).items()
    }


HEADER = """\
# What the differential suite (tests/differential) found, case by case: what the real software
# did with the file (`real`: Tomcat 10.1, or httpd + mod_jk) and what clustercheck says it
# will do (`clustercheck`), in the same terms: starts, ignored, component-fails, refuses
# (hangs; crashes when clustercheck raised). A case without `gap` is agreed: a run in which
# the two differ fails. A case with `gap` is a known disagreement, run as xfail with the
# reason `gaps` gives for its class (tests/differential/gaps.py).
# Regenerate after a change that moves cases (and review the diff):
#   CLUSTERCHECK_DIFFERENTIAL_WRITE=1 pytest tests/differential
"""


def judge_row(row: Row, expected: Expected | None) -> None:
    """The test of one case: an agreed (or new) case must agree; a known gap is an xfail."""
    said = (
        f"real: {row.truth} ({row.truth_detail}); clustercheck: {row.verdict} "
        f"({row.verdict_detail}){f'; model: {row.model_diff}' if row.model_diff else ''}"
    )
    if expected is None:
        assert row.agree, f"new case (not in the expectations) disagrees: {said}"
    elif expected.agreed:
        assert row.agree, f"agreed case now disagrees: {said}"
    elif not row.agree:
        pytest.xfail(f"known gap {expected.gap}: {expected.reason} -- {said}")


def param(case_id: str, expectations: Mapping[str, Expected]) -> Any:
    """A pytest parameter for one case; a known gap carries its xfail mark (non-strict: a
    closed gap shows as XPASS, a hint to regenerate the expectations)."""
    expected = expectations.get(case_id)
    if expected is None or expected.agreed:
        return pytest.param(case_id, id=case_id)
    mark = pytest.mark.xfail(reason=f"{expected.gap}: {expected.reason}", strict=False)
    return pytest.param(case_id, id=case_id, marks=mark)


def dump_expectations(
    rows: Iterable[Row], classify: Callable[[Row], tuple[str, str]], path: Path
) -> Path:
    """The expectations for these rows: agreed as they agree, each disagreement with the gap
    class and reason `classify` gives it."""
    cases: dict[str, dict[str, str]] = {}
    reasons: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: r.case):
        entry = {"real": row.truth, "clustercheck": row.verdict}
        if not row.agree:
            gap, reason = classify(row)
            entry["gap"] = gap
            reasons[gap] = reason
        cases[row.case] = entry
    data = {"gaps": dict(sorted(reasons.items())), "cases": cases}
    text = yaml.safe_dump(data, sort_keys=False, width=100, allow_unicode=True)
    path.write_text(HEADER + text, encoding="utf-8")
    return path


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.monotonic()

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started


def run_side(
    side: str,
    cases: Sequence[T],
    run_case: Callable[[T, Path], Row],
    classify: Callable[[Row], tuple[str, str]],
    expectations: Path,
    factory: pytest.TempPathFactory,
) -> dict[str, Row]:
    """Every case of one side (tomcat, httpd) once per session, several at a time: the table
    to `<basetemp>/differential/SIDE.tsv`, the summary line, and the expectations rewritten on
    request."""
    root = factory.mktemp(f"{side}-cases")
    clock = Stopwatch()
    rows = run_parallel(list(enumerate(cases)), lambda item: run_case(item[1], root / str(item[0])))
    table = write_table(rows, factory.getbasetemp() / "differential" / f"{side}.tsv")
    SUMMARIES.append(f"{summary_line(side, rows, clock.seconds)}; table: {table}")
    if WRITE:
        dump_expectations(rows, classify, expectations)
    return {r.case: r for r in rows}
