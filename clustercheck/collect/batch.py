"""Several small POSIX commands in one exec. Each exec costs the node a session, a login shell
and the command timeout's wrapper (~6 ms of CPU) and the run about three round trips; commands
that need nothing from each other's answers are asked together instead.

The commands are constants of clustercheck (argvs quoted here, never text from a node). Each
is one of a group of alternatives, tried in order until one exits 0 with output, as the
collectors that ask them decide; what a collector gets is each command's exit status and
stdout (stderr is dropped, NUL bytes too: the shell's $(...) cannot hold them, so only text
commands belong here). A command the script did not get to (an alternative not needed, the
timeout) has no answer, and its collector asks it alone, as it would have without the batch.
"""

from __future__ import annotations

import re
import secrets
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from clustercheck.collect.transports.base import Transport, TransportError

Argv = tuple[str, ...]

# `run I ARGV...`: the command's stdout and status between a header naming them and an end
# line; true when it answered (status 0, some output). "$0" is a nonce: no output can fake a
# header or an end, and a section cut short (the timeout) has none.
_RUN = (
    'run() { i=$1; shift; o=$("$@" 2>/dev/null; echo ".$?"); s=${o##*.}; o=${o%.*}; '
    'printf "== %s %s %s\\n%s\\n== %s\\n" "$0" "$i" "$s" "$o" "$0"; '
    '[ "$s" = 0 ] && [ -n "$o" ]; }; '
)


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
    """Each whole section's Answer, from the script's output."""
    marker = re.escape(f"== {nonce}".encode())
    section = re.compile(marker + rb" ([0-9]{1,4}) ([0-9]{1,3})\n(.*?)\n" + marker + rb"\n", re.S)
    answers: Answers = {}
    for found in section.finditer(output):
        index = int(found[1])
        if index < len(commands):
            answers[commands[index]] = Answer(int(found[2]), found[3])
    return answers


def ask_together(transport: Transport, groups: Sequence[Sequence[Argv]]) -> Answers:
    """The groups' commands asked in one exec; empty when it could not run at all (each
    collector then asks alone and meets the failure itself)."""
    commands = [argv for group in groups for argv in group]
    if not commands:
        return {}
    nonce = secrets.token_hex(8)
    try:
        result = transport.run(["sh", "-c", script(groups), nonce])
    except TransportError:
        return {}
    return parse(result.stdout, nonce, commands)
