"""What every renderer shares: the weight of a who-hears-whom cell, as CC501 judges the pair."""

from __future__ import annotations

import pytest

from clustercheck.derive.membership import CUT, HEARD, OTHER_DOMAIN, SHUT_DOWN
from clustercheck.engine.results import Status
from clustercheck.reports.common import matrix_cell_status


@pytest.mark.parametrize(
    ("heard", "diagnosis", "status"),
    [
        (True, HEARD, Status.PASS),
        (True, OTHER_DOMAIN, Status.WARN),
        (False, SHUT_DOWN, Status.WARN),
        (False, CUT, Status.FAIL),
    ],
)
def test_a_matrix_cell_weighs_as_cc501_judges_the_pair(
    heard: bool, diagnosis: str, status: Status
) -> None:
    assert matrix_cell_status({"heard": heard, "diagnosis": diagnosis}) is status
