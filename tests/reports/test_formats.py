"""Formats are found by name through the clustercheck.reports entry points, plugins included."""

from __future__ import annotations

from importlib.metadata import EntryPoint

import pytest

from clustercheck.report.formats import FormatError, find_format, load_formats

GROUP = "clustercheck.reports"


def test_every_built_in_format_is_registered_under_its_own_name() -> None:
    formats = load_formats()
    assert list(formats) == [
        "html",
        "json",
        "junit",
        "nagios",
        "prometheus",
        "summary",
        "terminal",
    ]
    assert all(name == fmt.name for name, fmt in formats.items())
    assert not formats["html"].to_stdout


@pytest.mark.parametrize(
    ("eps", "message"),
    [
        ([EntryPoint("xml", "clustercheck.reports.json_report:FORMAT", GROUP)], "registered as"),
        ([EntryPoint("json", "os.path:join", GROUP)], "is not a Format"),
        ([EntryPoint("json", "nowhere.at.all:FORMAT", GROUP)], "failed to load"),
        (
            [EntryPoint("json", "clustercheck.reports.json_report:FORMAT", GROUP)] * 2,
            "duplicate format json",
        ),
    ],
)
def test_a_bad_format_plugin_is_refused_with_one_line(eps: list[EntryPoint], message: str) -> None:
    with pytest.raises(FormatError, match=message):
        load_formats(eps)


def test_an_unknown_name_lists_the_known_ones() -> None:
    with pytest.raises(FormatError, match=r"no output format named 'csv' \(known: html, json"):
        find_format("csv")


def test_a_format_is_loaded_by_its_name_alone() -> None:
    eps = [
        EntryPoint("json", "clustercheck.reports.json_report:FORMAT", GROUP),
        EntryPoint("broken", "nowhere.at.all:FORMAT", GROUP),
    ]
    assert find_format("json", eps).name == "json"  # the broken one is never imported
    with pytest.raises(FormatError, match="failed to load"):
        find_format("broken", eps)
