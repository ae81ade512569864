"""httpd + mod_jk as the judge of clustercheck's workers.properties verdicts (issue 13).

Every case (workers_mutations.py) is started on the real httpd with mod_jk (httpd_truth.py)
and judged by clustercheck (verdicts.py): the outcomes are compared, and so are the workers
mod_jk built (each AJP worker's host:port, each lb member's route) with the ones clustercheck
reads from the file. Expectations in expectations-httpd.yaml, the table in
<pytest basetemp>/differential/httpd.tsv; see test_tomcat_differential.py for the rules.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

import pytest
from differential import agreement
from differential.agreement import Row
from differential.gaps import classify
from differential.httpd_truth import make_root, missing_prerequisites, run_httpd
from differential.mutations import ONLY
from differential.verdicts import judge_httpd
from differential.workers_mutations import WorkersCase, all_cases
from support import REPO, need

pytestmark = pytest.mark.differential

CORPUS = Path(os.environ.get("CLUSTERCHECK_CORPUS", REPO.parent / "shared" / "corpus"))
CORPUS_FOUND = (CORPUS / "workers").is_dir()
CASES = [
    c for c in all_cases(CORPUS if CORPUS_FOUND else None) if not ONLY or re.search(ONLY, c.id)
]
EXPECTED = agreement.load_expectations(agreement.HTTPD_EXPECTATIONS)


def model_diff(real: Mapping[str, str], read: Mapping[str, str], what: str) -> list[str]:
    """Where mod_jk's `what` (targets or routes) and clustercheck's reading differ."""
    return [
        f"{what} of {name}: mod_jk {real.get(name, '-')}, clustercheck {read.get(name, '-')}"
        for name in sorted(set(real) | set(read))
        if real.get(name) != read.get(name)
    ]


def run_case(case: WorkersCase, work: Path) -> Row:
    run = run_httpd(make_root(work / "root", case.data, case.mount))
    verdict = judge_httpd(work / "judged", case.data, case.mount)
    diff: list[str] = []
    if run.started and verdict.crash is None:  # mod_jk built workers: compare them
        diff = model_diff(run.targets, verdict.targets, "target")
        diff += model_diff(run.routes, verdict.routes, "route")
    return Row(
        case.id,
        case.mutation,
        case.target,
        case.note,
        run.truth.value,
        run.summary(),
        verdict.outcome,
        verdict.summary(),
        run.seconds,
        tuple(run.causes),
        model_diff="; ".join(diff),
    )


@pytest.fixture(scope="session")
def httpd_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Row]:
    problems = missing_prerequisites()
    need(not problems, "httpd differential runs need: " + "; ".join(problems))
    return agreement.run_side(
        "httpd", CASES, run_case, classify, agreement.HTTPD_EXPECTATIONS, tmp_path_factory
    )


@pytest.mark.parametrize("case_id", [agreement.param(c.id, EXPECTED) for c in CASES])
def test_httpd_and_clustercheck_agree(case_id: str, httpd_rows: dict[str, Row]) -> None:
    agreement.judge_row(httpd_rows[case_id], EXPECTED.get(case_id))


def test_expectations_cover_the_cases() -> None:
    """expectations-httpd.yaml lists exactly the cases run (regenerate it when cases change)."""
    if ONLY:
        pytest.skip("a narrower set than CI's was asked for")
    need(CORPUS_FOUND, f"corpus not found at {CORPUS} (set CLUSTERCHECK_CORPUS)")
    assert set(EXPECTED) == {c.id for c in CASES}
