"""An argv quoted for the shell that really runs it on the node.

An SSH server never execs an argv: it hands one command line to the login shell, a POSIX sh on
Unix; on Windows OpenSSH, cmd.exe by default (`cmd.exe /c "LINE"`) or PowerShell when the
server's DefaultShell is set to it (the inventory's `ssh.shell`). Each shell has its own rules,
so each has one function here; an argument a shell cannot carry intact is refused (Unquotable),
never approximated. PowerShell scripts travel base64-encoded, which every shell passes as is.
"""

from __future__ import annotations

import base64
import re
import shlex
import subprocess
from collections.abc import Callable, Sequence

# cmd.exe's longest command line; a longer one is cut, not run as written.
CMD_MAX_CHARS = 8191
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# What cmd.exe acts on outside double quotes; a caret makes it a plain character.
_CMD_SPECIAL = re.compile(r'([()^"<>&|])')
_CMD_NEEDS_QUOTES = re.compile(r"[\s()^<>&|,;=]")
# PowerShell ends a single-quoted string at any of these; doubled, each is one literal quote.
_PS_QUOTE = re.compile("(['\u2018\u2019\u201a\u201b])")


class Unquotable(ValueError):
    """An argument the node's shell cannot carry intact; str() is one line saying which, why."""


def command_line(shell: str, argv: Sequence[str]) -> bytes:
    """The bytes of the SSH exec request that run `argv` through `shell` (sh, cmd, powershell).
    On sh, file names that are not UTF-8 (surrogate-escaped in str) go back as their bytes."""
    if not argv:
        raise Unquotable("an empty command")
    quote = _QUOTERS.get(shell)
    if quote is None:
        raise Unquotable(f"unknown shell {shell!r}")
    return quote(argv)


def powershell_script(script: str, args: Sequence[str]) -> list[str]:
    """An argv that runs a PowerShell script with `args` as its $args. The script and its
    arguments (PowerShell string literals) are one base64 word, the same through every shell."""
    for arg in args:
        _refuse_unencodable(arg, "PowerShell", controls=False)
    text = "& {" + script + "} " + " ".join(_ps_literal(arg) for arg in args)
    encoded = base64.b64encode(text.encode("utf-16-le")).decode("ascii")
    return ["powershell", "-NoProfile", "-NonInteractive", "-EncodedCommand", encoded]


def _sh(argv: Sequence[str]) -> bytes:
    for arg in argv:
        if "\0" in arg:
            raise Unquotable(f"{_show(arg)} cannot be passed to sh: it holds a NUL byte")
    return shlex.join(argv).encode("utf-8", "surrogateescape")


def _cmd(argv: Sequence[str]) -> bytes:
    """The program in plain double quotes (cmd.exe finds it by that token; no Windows file name
    holds a quote), each argument quoted for the program's own parser (the C runtime's rules,
    as subprocess.list2cmdline writes them) and then every character cmd.exe acts on escaped
    with a caret. % and ! cannot be escaped for every cmd.exe (delayed expansion may be on)."""
    for arg in argv:
        _refuse_unencodable(arg, "cmd.exe")
        if "%" in arg or "!" in arg:
            raise Unquotable(
                f"{_show(arg)} cannot be passed to cmd.exe: it expands % and ! whatever the quoting"
            )
    program, *args = argv
    if '"' in program:
        raise Unquotable(f"{_show(program)} cannot be run by cmd.exe: a quote in a program name")
    words = [f'"{program}"' if _CMD_NEEDS_QUOTES.search(program) or not program else program]
    words += [_CMD_SPECIAL.sub(r"^\1", subprocess.list2cmdline([arg])) for arg in args]
    line = " ".join(words)
    if len(line) > CMD_MAX_CHARS:
        raise Unquotable(f"a command of {len(line)} characters, over cmd.exe's {CMD_MAX_CHARS}")
    return line.encode("utf-8")


def _powershell(argv: Sequence[str]) -> bytes:
    """`& 'program' 'arg' ...`: single-quoted literals expand nothing. Windows PowerShell then
    quotes each argument for the program itself, without escaping a double quote, dropping an
    empty argument and letting a trailing backslash eat the closing quote: those are refused."""
    for arg in argv:
        _refuse_unencodable(arg, "PowerShell")
    for arg in argv[1:]:
        if '"' in arg or not arg or (arg.endswith("\\") and re.search(r"\s", arg)):
            raise Unquotable(
                f"{_show(arg)} cannot be passed by PowerShell to a program intact"
                " (a double quote, an empty argument, or spaces and a trailing backslash)"
            )
    return ("& " + " ".join(_ps_literal(arg) for arg in argv)).encode("utf-8")


def _ps_literal(text: str) -> str:
    return "'" + _PS_QUOTE.sub(r"\1\1", text) + "'"


def _refuse_unencodable(arg: str, shell: str, controls: bool = True) -> None:
    """What a Windows shell's command line cannot hold: a NUL, a line break or another control
    character (the line ends there), a name that was not UTF-8 on a POSIX node."""
    if "\0" in arg or (controls and _CONTROL.search(arg)):
        raise Unquotable(f"{_show(arg)} cannot be passed to {shell}: a line break or control byte")
    try:
        arg.encode("utf-8")
    except UnicodeEncodeError:
        raise Unquotable(f"{_show(arg)} cannot be passed to {shell}: not valid Unicode") from None


def _show(arg: str) -> str:
    """The argument in a message: one line, short, control characters visible."""
    return ascii(arg if len(arg) <= 60 else arg[:57] + "...")


_QUOTERS: dict[str, Callable[[Sequence[str]], bytes]] = {
    "sh": _sh,
    "cmd": _cmd,
    "powershell": _powershell,
}
