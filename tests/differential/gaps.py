"""Known disagreement classes: why clustercheck's verdict and the real software's differ.

Each class names what the software did (by the log signatures it wrote, tomcat_truth and
httpd_truth) and what clustercheck does not know or get right; the first class that matches a
disagreeing row is its gap. The expectations file records the class and its reason per case,
and the report of issue 13 sums them up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from differential.agreement import Row


@dataclass(frozen=True)
class Gap:
    name: str
    matches: Callable[[Row], bool]
    reason: str


def _caused(*signatures: str) -> Callable[[Row], bool]:
    return lambda row: any(s in row.causes for s in signatures)


def _claims_more(row: Row) -> bool:
    order = ["starts", "ignored", "component-fails", "refuses", "hangs"]
    return row.verdict in order and order.index(row.verdict) > order.index(row.truth)


GAPS: tuple[Gap, ...] = (
    Gap(
        "clustercheck-crashes",
        lambda row: row.verdict == "crashes",
        "clustercheck raises instead of judging the file (a bug; see the table's detail)",
    ),
    Gap(
        "attribute-name-first-letter",
        lambda row: row.mutation == "attr-case" and row.truth == "starts",
        "Tomcat finds an attribute's setter by capitalising its first letter, so Secret=, "
        "Port= or Address= work as secret=, port=, address=; clustercheck reads attribute names "
        "case-sensitively and misses the value",
    ),
    Gap(
        "claims-more",
        _claims_more,
        "clustercheck predicts a worse outcome than the real software shows",
    ),
    # --- httpd + mod_jk
    Gap(
        "line-not-read",
        _caused("line-not-read"),
        "mod_jk skips a line it cannot read as key=value; CC6034 does not report this one",
    ),
    Gap(
        "workers-model-differs",
        lambda row: bool(row.model_diff),
        "the workers mod_jk built (host:port, route) differ from clustercheck's reading",
    ),
    # --- Tomcat
    Gap(
        "unknown-class",
        _caused("class-not-found", "wrong-type"),
        "a className Tomcat cannot load or of the wrong kind stops the Digester; CC602 judges "
        "Tomcat's own classes from the generated tables, but not classes of other packages "
        "(TomEE's, an add-on jar's: named as not judged, since which jars the node's class "
        "loaders hold is not gathered)",
    ),
    Gap(
        "unknown-attribute",
        _caused("property-not-set"),
        "Tomcat ignores, with a Digester 'failed to set property' warning, an attribute whose "
        "setter throws on its value; CC604 reads each value as its setter does (numbers, "
        "booleans, send options, byte lists such as a uniqueId), but whether a host name "
        'resolves (a static Member\'s host="Node-2_IP", which StaticMember.setHost resolves '
        "at once) only the node's own resolver knows, and clustercheck judges the files "
        "offline",
    ),
)


def classify(row: Row) -> tuple[str, str]:
    for gap in GAPS:
        if gap.matches(row):
            return gap.name, gap.reason
    return "unclassified", "no known gap class matches: look at the table"
