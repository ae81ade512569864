"""Prometheus metrics in the text exposition format, for node_exporter's textfile collector: the
nightly job writes them to a .prom file (atomically, clustercheck/output.py) and alerts fire on
the values.

A check may give several results per node, but a series must be unique, so each check on each
node is one series holding the worst status there; waived findings weigh like a pass and are
counted in clustercheck_check_waived instead (see reports/common.py). A family without samples is
left out rather than written empty. With an upgrade target (and only then), a gauge of the
findings the upgrade would bring, by status, with the target as a label; clustercheck_worst_status
then counts them too (Report.worst).

The run's scope (report/scope.py): how many inventory nodes were judged and how many --limit
left out (each by name in clustercheck_node_left_out), and clustercheck_scope_partial, 1 when
--limit, --checks or --skip restricted the run: an alert on the cluster's health should not
fire, nor clear, on a partial run.

Label values go through escape.prometheus_label and HELP texts through escape.prometheus_help;
metric and label names are checked against the format's grammar, so a slip in this module is an
error here, not a textfile the collector rejects.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from clustercheck.engine.results import Status
from clustercheck.report import escape
from clustercheck.report.formats import Format, RenderOptions
from clustercheck.report.model import Report
from clustercheck.reports.common import UPGRADE_ORDER, cells

STATUS_VALUE = {Status.SKIP: -1, Status.PASS: 0, Status.WARN: 1, Status.FAIL: 2, Status.ERROR: 3}
STATUS_HELP = "-1 skip, 0 pass, 1 warn, 2 fail, 3 error"
METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")  # and not starting with "__" (reserved)

Labels = dict[str, str]
Sample = tuple[Labels, float]


def render(report: Report, options: RenderOptions) -> str:
    cluster = {"cluster": report.cluster}
    grid = cells(report)
    names = {r.code: r.name for r in report.results}
    status_samples = [
        ({**cluster, "check": code, "name": names[code], "node": node or ""}, cell)
        for (code, node), cell in grid.items()
    ]
    families = [
        _family(
            "clustercheck_check_status",
            f'Worst status of a check on a node (node="" cluster-wide): {STATUS_HELP};'
            " a waived finding counts as pass.",
            [(labels, STATUS_VALUE[cell.status]) for labels, cell in status_samples],
        ),
        _family(
            "clustercheck_check_waived",
            "Waived findings of a check on a node (accepted until the waiver expires).",
            [(labels, cell.waived) for labels, cell in status_samples if cell.waived],
        ),
        _family(
            "clustercheck_worst_status",
            f"Worst status of the run, waived findings aside: {STATUS_HELP}.",
            [(cluster, STATUS_VALUE[report.worst()])],
        ),
        _family(
            "clustercheck_node_reachable",
            "1 when clustercheck connected to the node, 0 when it could not.",
            [({**cluster, "node": n.name}, int(n.reachable)) for n in report.facts.nodes.values()],
        ),
        *_scope_families(report, cluster),
        *_upgrade_families(report, cluster),
        *_clock_families(report, cluster),
        *_multicast_families(report, cluster),
        _family(
            "clustercheck_run_duration_seconds",
            "How long gathering the facts took.",
            [(cluster, report.facts.duration_s)],
        ),
        _family(
            "clustercheck_last_run_timestamp_seconds",
            "When the run finished, in seconds since the epoch; alert when it gets old.",
            [(cluster, _finished(report))],
        ),
    ]
    return "".join(families)


def _scope_families(report: Report, cluster: Labels) -> list[str]:
    scope = report.scope
    return [
        _family(
            "clustercheck_scope_partial",
            "1 when the run judged part of the cluster or of the checks (--limit, --checks,"
            " --skip), 0 when it judged the whole.",
            [(cluster, int(not scope.whole))],
        ),
        _family(
            "clustercheck_nodes_judged",
            "Inventory nodes the run judged (all of them unless --limit).",
            [(cluster, len(scope.nodes))],
        ),
        _family(
            "clustercheck_nodes_left_out",
            "Inventory nodes --limit left out: neither contacted nor judged.",
            [(cluster, len(scope.left_out))],
        ),
        _family(
            "clustercheck_node_left_out",
            "1 for each inventory node --limit left out.",
            [({**cluster, "node": node}, 1) for node in scope.left_out],
        ),
    ]


def _upgrade_families(report: Report, cluster: Labels) -> list[str]:
    upgrade = report.upgrade
    if upgrade is None:
        return []
    summary = upgrade.summary()
    target = {**cluster, "target": upgrade.target.label}
    return [
        _family(
            "clustercheck_upgrade_findings",
            "Findings an upgrade to the target would bring (after it, and during the rolling"
            " upgrade), waived ones aside, by status.",
            [({**target, "status": s.value}, summary[s.value]) for s in UPGRADE_ORDER],
        )
    ]


def _clock_families(report: Report, cluster: Labels) -> list[str]:
    view = report.views.clocks
    if view is None:
        return []
    return [
        _family(
            "clustercheck_clock_offset_seconds",
            "The node's clock minus the reference clock.",
            [
                ({**cluster, "node": n.node}, n.offset_ms / 1000)
                for n in view.nodes
                if n.offset_ms is not None
            ],
        ),
        _family(
            "clustercheck_clock_uncertainty_seconds",
            "How far the measured offset may be off (half the round trip and more).",
            [
                ({**cluster, "node": n.node}, n.uncertainty_ms / 1000)
                for n in view.nodes
                if n.offset_ms is not None and n.uncertainty_ms is not None
            ],
        ),
    ]


def _multicast_families(report: Report, cluster: Labels) -> list[str]:
    view = report.views.multicast
    if view is None:
        return []
    members = view.members
    heard = [
        (
            {**cluster, "node": listener},
            sum(
                1
                for sender, pair in view.matrix[listener].items()
                if sender != listener and pair.heard
            ),
        )
        for listener in members
        if listener in view.matrix
    ]
    return [
        _family(
            "clustercheck_multicast_members_heard",
            "How many other members' heartbeats the node heard.",
            heard,
        ),
        _family(
            "clustercheck_multicast_members_expected",
            "How many other members each node should hear (members minus itself).",
            [(cluster, max(len(members) - 1, 0))],
        ),
    ]


def _finished(report: Report) -> float:
    started = datetime.fromisoformat(report.facts.started_at)
    if started.tzinfo is None:
        started = started.replace(tzinfo=UTC)
    return (started + timedelta(seconds=report.facts.duration_s)).timestamp()


def _family(name: str, help_text: str, samples: Iterable[Sample]) -> str:
    if not METRIC_NAME.fullmatch(name):
        raise ValueError(f"not a Prometheus metric name: {name!r}")
    lines = [f"{name}{_labels(labels)} {_number(value)}" for labels, value in samples]
    if not lines:
        return ""
    help_line = f"# HELP {name} {escape.prometheus_help(help_text)}"
    return f"{help_line}\n# TYPE {name} gauge\n" + "\n".join(lines) + "\n"


def _labels(labels: Labels) -> str:
    bad = [key for key in labels if not LABEL_NAME.fullmatch(key) or key.startswith("__")]
    if bad:
        raise ValueError(f"not a Prometheus label name: {bad[0]!r}")
    pairs = (f'{key}="{escape.prometheus_label(value)}"' for key, value in labels.items())
    return "{" + ",".join(pairs) + "}"


def _number(value: float) -> str:
    """An integer as is; a float as Python writes it, and the format's NaN, +Inf and -Inf."""
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


FORMAT = Format(
    "prometheus", "node_exporter textfile-collector metrics, written atomically", render
)
