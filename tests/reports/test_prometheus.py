"""The Prometheus textfile: valid exposition format (read back by a strict little parser), one
series per check and node, escaped labels, and the view metrics only when the views exist."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from exposition import Series, parse
from sample import make_report, rendered, result, sample_report, sample_results, sample_views

from clustercheck.engine.results import Status
from clustercheck.reports import prometheus


def value(families: dict[str, Series], family: str, **labels: str) -> float:
    return families[family][frozenset({"cluster": "shop-prod", **labels}.items())]


def test_the_sample_report_reads_back() -> None:
    families = parse(rendered(prometheus, sample_report()))
    assert set(families) == {
        "clustercheck_check_status",
        "clustercheck_check_waived",
        "clustercheck_worst_status",
        "clustercheck_node_reachable",
        "clustercheck_scope_partial",
        "clustercheck_nodes_judged",
        "clustercheck_nodes_left_out",
        "clustercheck_clock_offset_seconds",
        "clustercheck_clock_uncertainty_seconds",
        "clustercheck_multicast_members_heard",
        "clustercheck_multicast_members_expected",
        "clustercheck_run_duration_seconds",
        "clustercheck_last_run_timestamp_seconds",
    }
    assert len(families["clustercheck_check_status"]) == 17
    assert value(families, "clustercheck_worst_status") == 3


@pytest.mark.parametrize(
    ("status", "expected"),
    [(Status.SKIP, -1), (Status.PASS, 0), (Status.WARN, 1), (Status.FAIL, 2), (Status.ERROR, 3)],
)
def test_status_values(status: Status, expected: int) -> None:
    families = parse(rendered(prometheus, make_report([result("CC401", status, "web1")])))
    assert (
        value(families, "clustercheck_check_status", check="CC401", name="clock-skew", node="web1")
        == expected
    )


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([Status.PASS, Status.FAIL, Status.WARN], 2),
        ([Status.SKIP, Status.PASS], 0),
        ([Status.FAIL, Status.ERROR], 3),
    ],
)
def test_one_series_per_check_and_node_holding_the_worst(
    statuses: list[Status], expected: int
) -> None:
    report = make_report([result("CC701", s, "web1", f"app{i}") for i, s in enumerate(statuses)])
    families = parse(rendered(prometheus, report))
    assert families["clustercheck_check_status"] == {
        frozenset(
            {
                "cluster": "shop-prod",
                "check": "CC701",
                "name": "distributable",
                "node": "web1",
            }.items()
        ): expected
    }


def test_cluster_wide_results_have_an_empty_node() -> None:
    families = parse(rendered(prometheus, sample_report()))
    assert (
        value(families, "clustercheck_check_status", check="CC201", name="jvmroute-unique", node="")
        == 2
    )


def test_a_waived_finding_weighs_like_a_pass_and_is_counted_apart() -> None:
    results = [
        result("CC702", Status.FAIL, "tomcat03", waived="on purpose (until 2027-01-01)"),
        result("CC702", Status.WARN, "tomcat02"),
    ]
    families = parse(rendered(prometheus, make_report(results)))
    labels = {"check": "CC702", "name": "app-parity"}
    assert value(families, "clustercheck_check_status", node="tomcat03", **labels) == 0
    assert value(families, "clustercheck_check_status", node="tomcat02", **labels) == 1
    assert families["clustercheck_check_waived"] == {
        frozenset({"cluster": "shop-prod", "node": "tomcat03", **labels}.items()): 1
    }
    assert value(families, "clustercheck_worst_status") == 1


@pytest.mark.parametrize("cluster", ["back\\slash", 'a "quoted" name', "two\nlines", '\\"\n'])
def test_label_values_are_escaped(cluster: str) -> None:
    text = rendered(prometheus, make_report([result("CC101", Status.PASS)], cluster=cluster))
    families = parse(text)
    assert all(dict(key)["cluster"] == cluster for key in families["clustercheck_check_status"])
    assert len(text.splitlines()) == sum(len(f) + 2 for f in families.values())


def test_reachability_of_every_node() -> None:
    families = parse(rendered(prometheus, sample_report()))
    assert {dict(k)["node"]: v for k, v in families["clustercheck_node_reachable"].items()} == {
        "web1": 1,
        "tomcat02": 1,
        "tomcat03": 1,
        "tomcat04": 0,
    }


def test_clock_offsets_in_seconds_and_unmeasured_nodes_left_out() -> None:
    families = parse(rendered(prometheus, sample_report()))
    offsets = {dict(k)["node"]: v for k, v in families["clustercheck_clock_offset_seconds"].items()}
    assert offsets == pytest.approx({"web1": 0.0032, "tomcat02": 0.142, "tomcat03": -0.0125})


def test_multicast_members_heard() -> None:
    families = parse(rendered(prometheus, sample_report()))
    heard = {
        dict(k)["node"]: v for k, v in families["clustercheck_multicast_members_heard"].items()
    }
    assert heard == {"web1": 2, "tomcat02": 2, "tomcat03": 0}
    assert value(families, "clustercheck_multicast_members_expected") == 2


@pytest.mark.parametrize(
    ("views", "absent"),
    [
        ({}, {"clock", "multicast"}),
        ({"clocks"}, {"multicast"}),
        ({"multicast"}, {"clock"}),
    ],
)
def test_view_metrics_only_when_the_view_exists(views: set[str], absent: set[str]) -> None:
    chosen: dict[str, Any] = {k: v for k, v in sample_views().items() if k in views}
    text = rendered(prometheus, make_report(sample_results(), views=chosen))
    for prefix in absent:
        assert f"clustercheck_{prefix}" not in text
    parse(text)


def test_run_duration_and_timestamp() -> None:
    families = parse(
        rendered(prometheus, sample_report(started_at="2026-11-24T02:00:00+00:00", duration_s=12.5))
    )
    assert value(families, "clustercheck_run_duration_seconds") == 12.5
    finished = datetime.fromisoformat("2026-11-24T02:00:12.5+00:00").timestamp()
    assert value(families, "clustercheck_last_run_timestamp_seconds") == finished
