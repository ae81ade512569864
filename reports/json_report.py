"""The JSON report (DESIGN §4): stable, versioned by `schema_version`.

The JSON text goes through escape.json_text, on batches of the encoder's chunks (a string value
is always within one chunk): values stay exact, but no C1 control or bidi override is written
raw, and a lone surrogate (a name that was not UTF-8), which UTF-8 cannot encode, is written as
its visible escape."""

from __future__ import annotations

import json
from collections.abc import Iterator

from clustercheck.report import escape
from clustercheck.report.formats import Format, RenderOptions
from clustercheck.report.model import Report

BATCH = 1 << 16  # characters per chunk written


def render(report: Report, options: RenderOptions) -> Iterator[str]:
    """The report in chunks, for write_output: json.dumps would first gather them all in a list
    (about 60 MB for a cluster of 100 nodes). Always JSON: no fact is NaN or infinite (collect
    and the snapshot reader refuse them), and one that were would be a bug, not a report."""
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False, sort_keys=False, allow_nan=False)
    batch: list[str] = []
    size = 0
    for chunk in encoder.iterencode(report.as_dict(options.fail_on, options.exit_code)):
        batch.append(chunk)
        size += len(chunk)
        if size >= BATCH:
            yield escape.json_text("".join(batch))
            batch, size = [], 0
    yield escape.json_text("".join(batch)) + "\n"


FORMAT = Format("json", "the stable JSON report, versioned by schema_version", render)
