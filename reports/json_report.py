"""The JSON report (DESIGN §4): stable, versioned by `schema_version`."""

from __future__ import annotations

import json
from collections.abc import Iterator

from clustercheck.report.formats import Format, RenderOptions
from clustercheck.report.model import Report


def render(report: Report, options: RenderOptions) -> Iterator[str]:
    """The report in chunks, for write_output: json.dumps would first gather them all in a list
    (about 60 MB for a cluster of 100 nodes). Always JSON: no fact is NaN or infinite (collect
    and the snapshot reader refuse them), and one that were would be a bug, not a report."""
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False, sort_keys=False, allow_nan=False)
    yield from encoder.iterencode(report.as_dict())
    yield "\n"


FORMAT = Format("json", "the stable JSON report, versioned by schema_version", render)
