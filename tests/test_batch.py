"""Several commands in one exec (collect/batch.py): each answers as if asked alone, the
alternatives stop at the first that answers, and nothing a command prints can pass for another
command's answer."""

from __future__ import annotations

import pytest

from clustercheck.collect.batch import Answer, ask_together, parse
from clustercheck.collect.clock import time_sync
from clustercheck.collect.live import node_addresses, together
from clustercheck.collect.transports.localfs import LocalTransport
from clustercheck.inventory.settings import NodeSettings

PRINTF = ("printf", "%s")


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        pytest.param(
            [[(*PRINTF, "a\n\n"), (*PRINTF, "b")]],
            {(*PRINTF, "a\n\n"): Answer(0, b"a\n\n")},
            id="trailing-newlines-kept-and-the-alternative-not-run",
        ),
        pytest.param(
            [[("false",), (*PRINTF, "")], [(*PRINTF, "x.y")]],
            {
                ("false",): Answer(1, b""),
                (*PRINTF, ""): Answer(0, b""),
                (*PRINTF, "x.y"): Answer(0, b"x.y"),
            },
            id="no-output-is-no-answer",
        ),
        pytest.param(
            [[("no-such-command-here",), ("sh", "-c", "echo out; echo err >&2; exit 3")]],
            {
                ("no-such-command-here",): Answer(127, b""),
                ("sh", "-c", "echo out; echo err >&2; exit 3"): Answer(3, b"out\n"),
            },
            id="missing-command-and-stderr-dropped",
        ),
    ],
)
def test_each_command_answers_as_if_asked_alone(
    groups: list[list[tuple[str, ...]]], expected: dict[tuple[str, ...], Answer]
) -> None:
    assert ask_together(LocalTransport(10), groups) == expected


def test_no_output_passes_for_a_header() -> None:
    """A command printing what looks like the next header (without the nonce) is its own
    output; a section without its end is no answer."""
    commands = [("a",), ("b",)]
    output = b"== N 0 0\n== X 1 0\nfake\n\n== X\n\n== N\n== N 1 0\ncut short\n"
    assert parse(output, "N", commands) == {("a",): Answer(0, b"== X 1 0\nfake\n\n== X\n")}


def test_the_collectors_get_the_same_facts_from_the_batch() -> None:
    node = NodeSettings("n1", "h", ("tomcat",))
    transport = LocalTransport(10)
    answers = ask_together(transport, together(node))
    assert answers
    assert node_addresses(transport, answers) == node_addresses(transport)
    assert time_sync(transport, node, answers) == time_sync(transport, node)


def test_windows_asks_nothing_together() -> None:
    assert together(NodeSettings("w", "h", ("tomcat",), os="windows")) == []


def test_a_command_stopped_by_the_timeout_has_no_answer() -> None:
    """Its output may be cut at any line: it is asked alone later, as without the batch."""
    groups = [[(*PRINTF, "a")], [("sh", "-c", "echo partial; sleep 5")]]
    assert ask_together(LocalTransport(1), groups) == {(*PRINTF, "a"): Answer(0, b"a")}
