"""The JSON report (DESIGN §4): stable, versioned by `schema_version`."""

from __future__ import annotations

import json

from clustercheck.report import Report


def render(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
