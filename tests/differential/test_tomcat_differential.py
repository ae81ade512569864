"""Tomcat 10.1 as the judge of clustercheck's server.xml verdicts (issue 13).

Every case (mutations.py) is started on the real Tomcat (tomcat_truth.py) and judged by
clustercheck (verdicts.py); one test per case compares the two outcomes with the committed
expectations (expectations-tomcat.yaml): an agreed case that now disagrees fails, a known gap
is an xfail with its reason, a gap that closed shows as XPASS. The whole table is written to
<pytest basetemp>/differential/tomcat.tsv and summed up at the end of the run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from differential import agreement
from differential.agreement import Row
from differential.gaps import classify
from differential.mutations import FULL, ONLY, Case, selected
from differential.tomcat_truth import make_base, missing_prerequisites, run_tomcat
from differential.verdicts import judge_tomcat
from support import REPO, need

pytestmark = pytest.mark.differential

CORPUS = Path(os.environ.get("CLUSTERCHECK_CORPUS", REPO.parent / "shared" / "corpus"))
CORPUS_FOUND = (CORPUS / "serverxml").is_dir()
CASES = selected(CORPUS if CORPUS_FOUND else None)
EXPECTED = agreement.load_expectations(agreement.TOMCAT_EXPECTATIONS)


def run_case(case: Case, work: Path) -> Row:
    """Tomcat's truth and clustercheck's verdict on one case."""
    run = run_tomcat(make_base(work / "base", case.text))
    verdict = judge_tomcat(work / "judged", case.text)
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
        tuple(sorted(run.ignored())),
        tuple(sorted(verdict.ignored())),
    )


@pytest.fixture(scope="session")
def tomcat_rows(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Row]:
    """Every case, run once per session, several Tomcats at a time."""
    problems = missing_prerequisites()
    need(not problems, "Tomcat differential runs need: " + "; ".join(problems))
    return agreement.run_side(
        "tomcat", CASES, run_case, classify, agreement.TOMCAT_EXPECTATIONS, tmp_path_factory
    )


@pytest.mark.parametrize("case_id", [agreement.param(c.id, EXPECTED) for c in CASES])
def test_tomcat_and_clustercheck_agree(case_id: str, tomcat_rows: dict[str, Row]) -> None:
    agreement.judge_row(tomcat_rows[case_id], EXPECTED.get(case_id))


def test_expectations_cover_the_cases() -> None:
    """expectations-tomcat.yaml lists exactly the cases CI runs (regenerate it when cases
    change)."""
    if FULL or ONLY:
        pytest.skip("a wider or narrower set than CI's was asked for")
    need(CORPUS_FOUND, f"corpus not found at {CORPUS} (set CLUSTERCHECK_CORPUS)")
    assert set(EXPECTED) == {c.id for c in CASES}
