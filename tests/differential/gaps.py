"""Known disagreement classes: why clustercheck's verdict and the real software's differ.

Each class names what the software did (by the log signatures it wrote, tomcat_truth and
httpd_truth) and what clustercheck does not know or get right; the first class that matches a
disagreeing row is its gap. The expectations file records the class and its reason per case,
and the report of issue 13 sums them up.
"""

from __future__ import annotations

import re
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
        "unresolvable-worker-host",
        _caused("unresolvable-host"),
        "mod_jk cannot resolve a worker's host and forces the worker to stopped; CC603 says so "
        "for hosts no resolver takes ($TOMCAT_IP, host:port, text in parentheses), not yet for "
        "an undefined $(variable) left literal nor for a name that does not resolve on the httpd "
        "host (a .invalid name)",
    ),
    Gap(
        "duplicate-key",
        _caused("duplicate-key"),
        "mod_jk warns that a repeated key overwrites the earlier value; CC603 says nothing",
    ),
    Gap(
        "unused-user-variable",
        _caused("unused-variable"),
        "a key outside worker.* (workers.tomcat_home, ps=, a 'worker-template.' prefix) is a "
        "user variable that nothing uses, so the line does nothing; CC603 flags only the ones "
        "that look like misspelt worker keys (workers.list)",
    ),
    Gap(
        "line-not-read",
        _caused("line-not-read"),
        "mod_jk skips a line it cannot read as key=value; CC603 does not report this one",
    ),
    Gap(
        "undefined-variable-as-port",
        lambda row: re.search(r"mod_jk \S+:0\b", row.model_diff) is not None,
        "mod_jk reads a port it cannot parse (an undefined $(variable)) as 0 and targets "
        "host:0; CC603 says the worker is disabled, but clustercheck's model holds no port",
    ),
    Gap(
        "workers-model-differs",
        lambda row: bool(row.model_diff),
        "the workers mod_jk built (host:port, route) differ from clustercheck's reading",
    ),
    # --- Tomcat
    Gap(
        "cluster-does-not-start",
        _caused("cluster-failed"),
        "the Cluster fails to start (membership address not multicast, EncryptInterceptor "
        "after TcpFailureDetector or without a key, static membership without LocalMember, "
        "a member host that does not resolve) and takes the whole Server down; no check "
        "knows these start-time rules",
    ),
    Gap(
        "unknown-class",
        _caused("class-not-found", "wrong-type"),
        "a className Tomcat cannot load or of the wrong kind stops the Digester; CC602 judges "
        "Tomcat's own classes from the generated tables, but not classes of other packages "
        "(TomEE's, an add-on jar's: named as not judged) nor what an element needs around it "
        "(a Host's Cluster without a Channel, a static-membership interceptor without members)",
    ),
    Gap(
        "farm-deployer-outside-host",
        _caused("farm-host-only"),
        "FarmWarDeployer works only in a Host's Cluster and logs SEVERE in an Engine's; no "
        "check knows where a Deployer may sit",
    ),
    Gap(
        "unknown-attribute",
        _caused("property-not-set"),
        "Tomcat ignores, with a Digester 'failed to set property' warning, an attribute whose "
        "setter throws on its value (a static Member's host that does not resolve, a uniqueId "
        "that is not 16 bytes); CC604 judges how a value converts to the setter's type, not "
        "what the setter itself refuses",
    ),
)


def classify(row: Row) -> tuple[str, str]:
    for gap in GAPS:
        if gap.matches(row):
            return gap.name, gap.reason
    return "unclassified", "no known gap class matches: look at the table"
