"""Several commands in one exec (collect/batch.py): each answers as if asked alone, the
alternatives stop at the first that answers, and nothing a command prints can pass for another
command's answer."""

from __future__ import annotations

import socket
from collections.abc import Sequence

import pytest

from clustercheck.collect.batch import Answer, Answers, Argv, ask_each, parse, script
from clustercheck.collect.clock import sample_clock, time_sync
from clustercheck.collect.live import node_addresses, together
from clustercheck.collect.runtime import POSIX_COMMAND, gather_runtime
from clustercheck.collect.transports.localfs import LocalTransport
from clustercheck.inventory.settings import NodeSettings, SshSettings

PRINTF = ("printf", "%s")


def ask_together(transport: LocalTransport, groups: Sequence[Sequence[Argv]]) -> Answers:
    """The groups asked in one exec, as the clock sampler asks them before sampling."""
    commands = [argv for group in groups for argv in group]
    result = transport.run(["sh", "-c", script(groups), "NONCE0123"])
    return parse(result.stdout, "NONCE0123", commands)


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
    output = b"== N 0\n== X 1\nfake\n\n== X 1 0\n\n== N 0 0\n== N 1\ncut short\n"
    assert parse(output, "N", commands) == {("a",): Answer(0, b"== X 1\nfake\n\n== X 1 0\n")}


def test_the_collectors_get_the_same_facts_from_the_batch_the_clock_sampler_runs() -> None:
    node = NodeSettings("n1", "h", ("tomcat",), transport="local")
    transport = LocalTransport(10)
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        clock, answers = sample_clock(transport, node, first=together(node))
        alone = gather_runtime(transport, node).facts
    assert clock.offset is not None and clock.offset.uncertainty_ms < 50
    assert node_addresses(transport, answers) == node_addresses(transport)
    assert time_sync(transport, node, answers) == time_sync(transport, node)
    assert POSIX_COMMAND in answers  # the process table and sockets came with them
    batched = gather_runtime(transport, node, answers).facts
    for runtime in (batched, alone):  # the machine's other listeners come and go
        assert ("127.0.0.1", port) in {(s.address, s.port) for s in runtime.listeners or ()}


def test_windows_asks_nothing_together() -> None:
    assert together(NodeSettings("w", "h", ("tomcat",), os="windows")) == []


def test_a_command_stopped_by_the_timeout_has_no_answer() -> None:
    """Its output may be cut at any line: it is asked alone later, as without the batch."""
    groups = [[(*PRINTF, "a")], [("sh", "-c", "echo partial; sleep 5")]]
    assert ask_together(LocalTransport(1), groups) == {(*PRINTF, "a"): Answer(0, b"a")}


def test_the_sampler_stops_a_batch_at_the_command_timeout_and_still_samples() -> None:
    node = NodeSettings(
        "n1", "h", ("tomcat",), transport="local", ssh=SshSettings(command_timeout=1)
    )
    groups = [[(*PRINTF, "a")], [("sh", "-c", "echo partial; sleep 5")]]
    clock, answers = sample_clock(LocalTransport(1), node, first=groups)
    assert answers == {(*PRINTF, "a"): Answer(0, b"a")}
    assert clock.offset is not None


def test_each_command_is_asked_once_with_its_bytes_as_they_are() -> None:
    commands = [
        (*PRINTF, "a\x01b\n\n"),
        ("sh", "-c", "printf 'x\\000y'; echo err >&2; exit 3"),
        (*PRINTF, "== 0 1\n"),  # a header without the nonce is output
        ("cat", "/nonexistent/file"),
    ]
    assert ask_each(LocalTransport(10), commands, [64] * 4, 1 << 20) == [
        Answer(0, b"a\x01b\n\n"),
        Answer(3, b"x\x00y"),
        Answer(0, b"== 0 1\n"),
        Answer(1, b""),
    ]


def test_commands_are_packed_into_as_few_execs_as_the_output_cap_allows() -> None:
    transport = LocalTransport(10)
    commands = [(*PRINTF, str(i) * 100) for i in range(5)]
    answers = ask_each(transport, commands, [100] * 5, 400)  # two fit one exec's cap
    assert [a.stdout if a else None for a in answers] == [str(i).encode() * 100 for i in range(5)]
    assert transport.exchanges == 3


def test_a_command_cut_by_the_timeout_and_those_after_it_have_no_answer() -> None:
    commands = [(*PRINTF, "a"), ("sh", "-c", "echo partial; sleep 5"), (*PRINTF, "b")]
    assert ask_each(LocalTransport(1), commands, [8] * 3, 1 << 20) == [Answer(0, b"a"), None, None]


def test_through_sudo_the_process_table_is_not_asked_as_the_login_user() -> None:
    """ss names sockets' owners only to root: with ssh.become it is asked alone, through sudo."""
    plain = NodeSettings("n1", "h", ("tomcat",))
    become = NodeSettings("n1", "h", ("tomcat",), ssh=SshSettings(become=True))
    assert [POSIX_COMMAND] in together(plain)
    assert all(POSIX_COMMAND not in group for group in together(become))
