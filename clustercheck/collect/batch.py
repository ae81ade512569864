"""Several small POSIX commands in one exec. Each exec costs the node a session, a login shell
and the command timeout's wrapper (~6 ms of CPU) and the run about three round trips; commands
that need nothing from each other's answers are asked together instead: alternatives until one
answers (`script`, text only; the clock sampler runs it before sampling), or every command once
with its output streamed as it is (`ask_each`, for logs and stamps).

The scripts are constants of clustercheck; every argument (a path a node's file names, too) is
quoted here as one word, never run as code. In `script` each command is one of a group of
alternatives, tried in order until one exits 0 with output, as the collectors that ask them
decide; what a collector gets is each command's exit status and stdout (stderr is dropped, NUL
bytes too: the shell's $(...) cannot hold them, so only text commands belong there). A command
the script did not get to (an alternative not needed, the timeout) has no answer, and its
collector asks it alone, as it would have without the batch.
"""

from __future__ import annotations

import re
import secrets
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from clustercheck.collect.transports.base import CommandRefused, Transport

Argv = tuple[str, ...]

# Both scripts frame command I's stdout the same way: a line "== NONCE I", the output, and a
# line "== NONCE I STATUS" after a newline of its own. "$0" is the nonce: no output can fake a
# header or an end, and a section cut short (the timeout) has none.
# `run I ARGV...` also says whether the command answered (status 0, some output).
_RUN = (
    'run() { i=$1; shift; o=$("$@" 2>/dev/null; echo ".$?"); s=${o##*.}; o=${o%.*}; '
    'printf "== %s %s\\n%s\\n== %s %s %s\\n" "$0" "$i" "$o" "$0" "$i" "$s"; '
    '[ "$s" = 0 ] && [ -n "$o" ]; }; '
)
_INDEX = re.compile(rb"[0-9]{1,4}")
_STATUS = re.compile(rb"[0-9]{1,3}")


@dataclass(frozen=True)
class Answer:
    """One command's exit status and stdout."""

    exit_status: int
    stdout: bytes

    @property
    def ok(self) -> bool:
        return self.exit_status == 0


Answers = dict[Argv, Answer]


def script(groups: Sequence[Sequence[Argv]]) -> str:
    """The sh script running each group's alternatives until one answers."""
    numbered: list[str] = []
    index = 0
    for group in groups:
        calls = []
        for argv in group:
            calls.append(f"run {index} {shlex.join(argv)}")
            index += 1
        numbered.append(" || ".join(calls))
    return _RUN + "; ".join(numbered) + "; exit 0"


def parse(output: bytes, nonce: str, commands: Sequence[Argv]) -> Answers:
    """Each whole section's Answer, by the command it answers."""
    found = sections(output, nonce)
    return {commands[i]: answer for i, answer in found.items() if i < len(commands)}


def sections(output: bytes, nonce: str) -> dict[int, Answer]:
    """Every whole section of either script's output, by its index. Found with bytes.find, not
    a regular expression: a lazy match over a node's process table cost 8 ms per node."""
    head = f"== {nonce} ".encode()
    found: dict[int, Answer] = {}
    at = 0
    while (start := output.find(head, at)) >= 0:
        at = start + len(head)
        line_end = output.find(b"\n", at)
        index = output[at:line_end]
        if line_end < 0 or not _INDEX.fullmatch(index):
            continue
        end = b"\n" + head + index + b" "
        stop = output.find(end, line_end + 1)
        status_end = output.find(b"\n", stop + len(end)) if stop >= 0 else -1
        if status_end < 0:
            continue  # cut short (the timeout), or a header inside another command's output
        status = output[stop + len(end) : status_end]
        if _STATUS.fullmatch(status):
            found[int(index)] = Answer(int(status), output[line_end + 1 : stop])
            at = status_end + 1
    return found


def each_script(commands: Sequence[Argv]) -> str:
    """The sh script running every command once, its stdout streamed as it is (NUL bytes
    too), framed as `run` frames it."""
    steps = [
        f"printf '== %s {i}\\n' \"$0\"; {shlex.join(argv)} </dev/null 2>/dev/null; "
        f'printf \'\\n== %s {i} %s\\n\' "$0" "$?"'
        for i, argv in enumerate(commands)
    ]
    return "; ".join(steps) + "; exit 0"


def ask_each(
    transport: Transport, commands: Sequence[Argv], most: Sequence[int], cap: int
) -> list[Answer | None]:
    """Every command asked once, as few execs as the output `cap` of one exec allows (`most`:
    the most bytes each command prints). None for a command that got no whole answer (its
    exec failed, was cut by the cap or stopped by the timeout)."""
    answers: list[Answer | None] = []
    for start, stop in _packs(most, cap):
        answers += _ask_pack(transport, commands[start:stop])
    return answers


def _ask_pack(transport: Transport, commands: Sequence[Argv]) -> list[Answer | None]:
    """One exec for `commands`; one each when the transport cannot carry one of them (a
    path it refuses to quote), so that only that one goes unanswered. A lost connection is
    the node's error: it goes on up."""
    nonce = secrets.token_hex(8)
    try:
        result = transport.run(["sh", "-c", each_script(commands), nonce])
    except CommandRefused:
        if len(commands) == 1:
            return [None]
        return [answer for argv in commands for answer in _ask_pack(transport, [argv])]
    found = sections(result.stdout, nonce)
    return [found.get(i) for i in range(len(commands))]


_FRAMING = 64  # bytes of header and end line per command


def _packs(most: Sequence[int], cap: int) -> list[tuple[int, int]]:
    """[start, stop) runs of commands whose output fits one exec's cap together."""
    packs: list[tuple[int, int]] = []
    start, size = 0, 0
    for i, bytes_out in enumerate(most):
        need = bytes_out + _FRAMING
        if i > start and size + need > cap:
            packs.append((start, i))
            start, size = i, 0
        size += need
    if start < len(most):
        packs.append((start, len(most)))
    return packs
