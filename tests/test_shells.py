"""Commands for a node are quoted for the shell that really runs them there (issue 14): POSIX sh,
cmd.exe (Windows OpenSSH's default) or PowerShell. No Windows host runs here, so each Windows
form is checked by replaying, in Python, what that shell and the program's C runtime do with it,
on hostile values; what a shell cannot carry intact is refused in one line naming the node."""

from __future__ import annotations

import base64
import dataclasses
import re
import shlex
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support import NON_UTF8

from clustercheck.collect.jvm import gather_jvm
from clustercheck.collect.reader import NodeReader
from clustercheck.collect.runtime import Running
from clustercheck.collect.transports.base import (
    DEFAULT_MAX_BYTES,
    CommandRefused,
    FileReadError,
)
from clustercheck.collect.transports.hostkeys import HostKeyStore
from clustercheck.collect.transports.shells import (
    CMD_MAX_CHARS,
    Unquotable,
    command_line,
    powershell_script,
)
from clustercheck.collect.transports.ssh import SshTransport
from clustercheck.facts.runtime import RuntimeFacts
from clustercheck.inventory.settings import NodeSettings, SshSettings, TomcatSettings

HOSTILE = [
    "plain",
    "two words",
    'say "hi"',
    "it's",
    "a & calc",
    "x | more",
    "x > out",
    "<in",
    "(group)",
    "^caret",
    "trailing\\",
    'back\\"slash',
    "C:\\Program Files (x86)\\Java\\bin\\java.exe",
    "",
    "tab\there",
    "$(touch PWNED) `x` $HOME ; rm -rf /",
    "\u2018smart\u2019 quotes",
]


# -- cmd.exe, replayed ----------------------------------------------------------------------


def cmd_passes_on(line: str) -> str:
    """What cmd.exe hands the program after its special-character phase: a caret outside double
    quotes makes the next character plain, an unescaped quote toggles quoting; any & | < > ( )
    left unescaped outside quotes is one cmd.exe would act on (the test fails)."""
    out, quoted, index = [], False, 0
    while index < len(line):
        char = line[index]
        if quoted:
            quoted = char != '"'
        elif char == "^":
            index += 1
            char = line[index]
        elif char == '"':
            quoted = True
        elif char in "&|<>()%!":
            raise AssertionError(f"cmd.exe would act on {char!r} in {line!r}")
        out.append(char)
        index += 1
    return "".join(out)


def c_runtime_argv(line: str) -> list[str]:
    """The argv a Windows program's C runtime makes of its command line (CommandLineToArgvW's
    rules: 2n backslashes and a quote are n backslashes and a toggle, 2n+1 and a quote are n
    backslashes and a literal quote; "" inside quotes is a literal quote)."""
    args: list[str] = []
    index, size = 0, len(line)
    while True:
        while index < size and line[index] in " \t":
            index += 1
        if index >= size:
            return args
        arg: list[str] = []
        quoted = False
        while index < size and (quoted or line[index] not in " \t"):
            char = line[index]
            if char == "\\":
                end = index
                while end < size and line[end] == "\\":
                    end += 1
                count = end - index
                if end < size and line[end] == '"':
                    arg.append("\\" * (count // 2))
                    if count % 2:
                        arg.append('"')
                        end += 1
                else:
                    arg.append("\\" * count)
                index = end
            elif char == '"':
                if quoted and line[index + 1 : index + 2] == '"':
                    arg.append('"')
                    index += 2
                else:
                    quoted = not quoted
                    index += 1
            else:
                arg.append(char)
                index += 1
        args.append("".join(arg))


def through_cmd(argv: list[str]) -> list[str]:
    """Windows OpenSSH runs `cmd.exe /c "LINE"`: cmd.exe strips the outer quotes it added, acts
    on LINE, and the program parses what is left."""
    line = command_line("cmd", argv).decode("utf-8")
    return c_runtime_argv(cmd_passes_on(line))


@pytest.mark.parametrize("value", HOSTILE)
def test_cmd_carries_each_hostile_value_as_one_argument(value: str) -> None:
    argv = ["C:\\Program Files\\Java\\bin\\java.exe", "-version", value, "last"]
    assert through_cmd(argv) == argv


def test_cmd_quotes_the_program_plainly_and_escapes_arguments_with_carets() -> None:
    line = command_line("cmd", ["C:\\Program Files\\java.exe", 'a "b" & c', "d|e"])
    assert line == b'"C:\\Program Files\\java.exe" ^"a \\^"b\\^" ^& c^" d^|e'


@given(
    st.lists(
        st.text(alphabet=st.sampled_from(" \t\"\\^&|<>()abc'xyz;,=é"), max_size=12),
        min_size=1,
        max_size=5,
    )
)
def test_cmd_round_trips_any_argument_it_accepts(args: list[str]) -> None:
    argv = ["java", *args]
    assert through_cmd(argv) == argv


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("%PATH%", "it expands % and ! whatever the quoting"),
        ("!x!", "it expands % and ! whatever the quoting"),
        ("two\nlines", "a line break or control byte"),
        ("cr\rhere", "a line break or control byte"),
        ("nul\0here", "a line break or control byte"),
        (NON_UTF8, "not valid Unicode"),
    ],
)
def test_cmd_refuses_what_it_cannot_carry(value: str, reason: str) -> None:
    with pytest.raises(Unquotable) as caught:
        command_line("cmd", ["java", value])
    assert str(caught.value) == f"{value!a} cannot be passed to cmd.exe: {reason}"


def test_cmd_refuses_a_quote_in_the_program_and_an_overlong_line() -> None:
    with pytest.raises(Unquotable, match="a quote in a program name"):
        command_line("cmd", ['C:\\a"b\\java.exe'])
    with pytest.raises(Unquotable, match=f"over cmd.exe's {CMD_MAX_CHARS}"):
        command_line("cmd", ["java", "x" * CMD_MAX_CHARS])


# -- PowerShell, replayed -------------------------------------------------------------------

_LITERAL = re.compile("'((?:[^'\u2018\u2019\u201a\u201b]|['\u2018\u2019\u201a\u201b]{2})*)'")


def through_powershell(argv: list[str]) -> list[str]:
    """PowerShell reads `& 'program' 'arg' ...` (single-quoted literals, a doubled quote is one),
    then Windows PowerShell quotes each argument for the program: in double quotes when it holds
    whitespace, nothing escaped. The program's C runtime parses that."""
    line = command_line("powershell", argv).decode("utf-8")
    assert line.startswith("& ")
    words = [m.group(1) for m in _LITERAL.finditer(line)]
    assert " ".join(f"'{w}'" for w in words) == line[2:], "nothing outside the literals"
    values = [re.sub("(['\u2018\u2019\u201a\u201b])\\1", r"\1", w) for w in words]
    program, *args = values
    passed = " ".join(f'"{a}"' if re.search(r"\s", a) else a for a in args)
    return [program, *c_runtime_argv(passed)]


@pytest.mark.parametrize("value", [v for v in HOSTILE if v and '"' not in v])
def test_powershell_carries_each_hostile_value_as_one_argument(value: str) -> None:
    argv = ["C:\\Program Files\\Java\\bin\\java.exe", "-version", value, "last"]
    assert through_powershell(argv) == argv


def test_powershell_uses_literals_that_expand_nothing() -> None:
    line = command_line("powershell", ["java.exe", "$(calc)", "it's", "\u2018x\u2019"])
    assert line == "& 'java.exe' '$(calc)' 'it''s' '\u2018\u2018x\u2019\u2019'".encode()


@pytest.mark.parametrize("value", ['say "hi"', "", "C:\\a b\\", "two\nlines"])
def test_powershell_refuses_what_it_would_pass_on_mangled(value: str) -> None:
    with pytest.raises(Unquotable, match="PowerShell"):
        command_line("powershell", ["java.exe", value])


def test_a_powershell_script_travels_base64_with_its_arguments_as_literals() -> None:
    argv = powershell_script("$args[0]", ["it's", "a & b", "two\nlines", "%PATH%"])
    assert argv[:4] == ["powershell", "-NoProfile", "-NonInteractive", "-EncodedCommand"]
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", argv[4])
    text = base64.b64decode(argv[4]).decode("utf-16-le")
    assert text == "& {$args[0]} 'it''s' 'a & b' 'two\nlines' '%PATH%'"
    for shell in ("sh", "cmd", "powershell"):  # safe through every shell
        command_line(shell, argv)


# -- sh -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [*HOSTILE, NON_UTF8])
def test_sh_carries_each_value_as_one_word(value: str) -> None:
    line = command_line("sh", ["printf", "%s", value])
    assert shlex.split(line.decode("utf-8", "surrogateescape")) == ["printf", "%s", value]
    result = subprocess.run(["sh", "-c", line], capture_output=True, check=True)
    assert result.stdout == value.encode("utf-8", "surrogateescape")


def test_sh_refuses_a_nul() -> None:
    with pytest.raises(Unquotable, match="NUL"):
        command_line("sh", ["echo", "a\0b"])


# -- where it is used: one-line refusals naming the node and the field ------------------------


WINDOWS = NodeSettings(
    "tomcat03",
    "10.0.0.13",
    ("tomcat",),
    os="windows",
    tomcat=TomcatSettings(catalina_base="C:/tomcat", java="C:/jdk\n/bin/java.exe"),
)


def test_the_ssh_transport_quotes_for_the_nodes_shell() -> None:
    transport = SshTransport(WINDOWS, HostKeyStore())
    with pytest.raises(CommandRefused) as caught:
        transport.run(["C:/jdk\n/bin/java.exe", "-version"])  # refused before connecting
    assert str(caught.value) == (
        "tomcat03 (10.0.0.13): 'C:/jdk\\n/bin/java.exe' cannot be passed to cmd.exe:"
        " a line break or control byte"
    )
    powershell = dataclasses.replace(WINDOWS, ssh=SshSettings(shell="powershell"))
    with pytest.raises(CommandRefused, match="cannot be passed to PowerShell"):
        SshTransport(powershell, HostKeyStore()).run(["C:/jdk\n/bin/java.exe"])


class NoReleaseFile(SshTransport):
    """The Windows node without connecting: no JDK release file (so java.exe is to be run)."""

    def read_file(self, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
        raise FileReadError(path, "missing", f"{path}: no such file")


def test_an_unquotable_tomcat_java_is_a_finding_naming_node_and_field() -> None:
    transport = NoReleaseFile(WINDOWS, HostKeyStore())
    unread = Running(RuntimeFacts(0.0, processes_error="not asked"))
    facts = gather_jvm(transport, NodeReader(transport, windows=True), WINDOWS, unread)
    assert facts.source == "the inventory's tomcat.java"
    assert facts.error == (
        "tomcat03 (10.0.0.13): 'C:/jdk\\n/bin/java.exe' cannot be passed to cmd.exe:"
        " a line break or control byte"
    )


def test_node_settings_default_shell_follows_the_os() -> None:
    linux = NodeSettings("a", "h", ("tomcat",))
    windows = dataclasses.replace(linux, os="windows")
    assert (linux.shell, windows.shell) == ("sh", "cmd")
    configured = dataclasses.replace(windows, ssh=SshSettings(shell="powershell"))
    assert configured.shell == "powershell"
