"""What runs: the runtime script's output, ps in both forms, the socket tables and the Windows
script's JSON, parsed from recorded output (tests/fixtures/runtime/README.md says where each
came from), and the servers found in them."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clustercheck.parsers.httpd_build import BINARIES, may_run_httpd
from clustercheck.parsers.ps import find_httpd, find_tomcat, parse_ps
from clustercheck.parsers.runtime import parse_runtime, parse_windows_runtime
from clustercheck.parsers.sockets import (
    Bound,
    Link,
    normal_address,
    parse_proc_established,
    parse_proc_net_tcp,
    parse_ss,
    parse_ss_established,
)
from clustercheck.parsers.text import shell_words

FIXTURES = Path(__file__).parent.parent / "fixtures" / "runtime"
LAB = "/tmp/cclab-runtime"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_the_lab_node_script_output_gives_clock_processes_and_owned_sockets() -> None:
    output = parse_runtime(fixture("n1-script.txt"))
    assert output.table.now == 1796340242.0 and output.table.error is None
    assert output.sockets is not None
    assert Bound("10.132.58.11", 8009, 12513) in output.sockets
    assert Bound("127.0.0.1", 80, 12509) in output.sockets  # httpd's parent and child share it
    assert Bound("127.0.0.1", 80, 12521) in output.sockets
    tomcat = find_tomcat(output.table, f"{LAB}/n1/tomcat")
    assert tomcat is not None and (tomcat.pid, tomcat.user) == (12513, "root")
    assert tomcat.started_at == 1796340242.0 - 1660
    assert "-Djava.net.preferIPv4Stack=true" in tomcat.words
    # tomcat03 was stopped (the node-stopped fault) when the table was read
    assert find_tomcat(output.table, f"{LAB}/n3/tomcat") is None


@pytest.mark.parametrize(
    ("conf", "pid"),
    [
        (f"{LAB}/n1/httpd/httpd.conf", 12509),
        (f"{LAB}/n2/httpd/httpd.conf", 12511),
        ("/etc/apache2/apache2.conf", None),  # two httpds run, neither for this file
    ],
)
def test_httpd_is_the_parent_started_for_the_nodes_file(conf: str, pid: int | None) -> None:
    table = parse_runtime(fixture("n1-script.txt")).table
    found = find_httpd(table, conf, None)
    assert (found.pid if found else None) == pid


@given(st.text(alphabet=st.sampled_from("ab-=/ \t\r\n\x0b\x0c\xa0\u2028#$;\"'\\"), max_size=12))
def test_a_command_line_is_split_as_shlex_splits_it(line: str) -> None:
    """shell_words splits a line without quotes itself: exactly where shlex would."""
    try:
        expected = shlex.split(line)
    except ValueError:  # a quote that does not close
        expected = line.split()
    assert shell_words(line) == expected


@st.composite
def _httpd_lines(draw: st.DrawFn) -> str:
    """An httpd binary's name as a shell may write it (any case, quotes and escapes between its
    letters, a folder before it), then anything."""
    name = draw(st.sampled_from(BINARIES))
    quoted = "".join(
        draw(st.sampled_from(["", "''", '""', "\\"])) + draw(st.sampled_from([c, c.upper()]))
        for c in name
    )
    folder = draw(st.sampled_from(["", "/usr/sbin/", "'/opt/a b/'"]))
    return folder + quoted + draw(st.text(alphabet=" \t-'\"\\aX", max_size=8))


@given(_httpd_lines())
def test_a_line_whose_program_is_httpd_may_run_httpd(line: str) -> None:
    """may_run_httpd passes over a line only when its program cannot be an httpd binary."""
    words = shell_words(line)
    program = words[0].rpartition("/")[2].lower() if words else ""
    assert may_run_httpd(line) or program not in BINARIES


def test_ps_without_etimes_gives_elapsed_times_as_dd_hh_mm_ss() -> None:
    table = parse_ps(fixture("ps-etime.txt"), 100000.0, "etime")
    first = table.processes[0]
    assert (first.pid, first.ppid, first.user) == (1, 0, "root")  # the header line is no process
    assert first.started_at == 100000.0 - (9 * 3600 + 34 * 60 + 32)
    tomcat = find_tomcat(table, f"{LAB}/n1/tomcat/")
    assert tomcat is not None and tomcat.started_at == 100000.0 - (27 * 60 + 44)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("05:07", 307), ("1-02:03:04", 93784), ("02:03:04", 7384), ("x", None)],
)
def test_etime_forms(text: str, seconds: int | None) -> None:
    table = parse_ps(f"7 1 root {text} /bin/sleep 9\n", 100000.0, "etime")
    started = table.processes[0].started_at
    assert started == (None if seconds is None else 100000.0 - seconds)


def test_a_java_on_a_dual_stack_socket_is_read_alike_from_ss_and_proc() -> None:
    """A JVM (OpenJDK 17) binding 0.0.0.0, 127.0.0.1, nothing and ::1 on IPv6 sockets:
    ss writes `*`, [::ffff:127.0.0.1] and [::1]; /proc/net/tcp6 the same in hex."""
    ss = parse_ss(fixture("java-dualstack-ss.txt"))
    assert {(b.address, b.port) for b in ss} == {
        ("::", 38081),
        ("127.0.0.1", 38082),
        ("::", 38083),
        ("::1", 38084),
    }
    assert {b.pid for b in ss} == {26484}
    proc = parse_proc_net_tcp(fixture("java-dualstack-proc-net-tcp6.txt"))
    assert {(b.address, b.port) for b in proc if b.port >= 48081} == {
        ("::", 48081),
        ("127.0.0.1", 48082),
        ("::", 48083),
        ("::1", 48084),
    }


def test_proc_net_tcp_keeps_listeners_only() -> None:
    """n1's namespace: six listeners, and established and closing connections, which are not."""
    found = parse_proc_net_tcp(fixture("n1-proc-net-tcp.txt"))
    assert sorted((b.address, b.port) for b in found) == [
        ("10.132.58.11", 22),
        ("10.132.58.11", 80),
        ("10.132.58.11", 4000),
        ("10.132.58.11", 8009),
        ("10.132.58.11", 8080),
        ("127.0.0.1", 80),
    ]


def test_proc_net_tcp_gives_the_established_tribes_connections() -> None:
    """n1's namespace in the multicast lab: tomcat02 connected to n1's receiver (4000), and n1
    to tomcat02's; the listeners are no connection."""
    assert parse_proc_established(fixture("n1-proc-net-tcp.txt")) == (
        Link("10.132.58.11", 4000, "10.132.58.12", 45132),
        Link("10.132.58.11", 38818, "10.132.58.12", 4000),
    )


def test_ss_established_lines_are_the_estab_ones_beside_the_listeners() -> None:
    text = (
        'LISTEN 0 100 10.148.99.1:8009 0.0.0.0:* users:(("java",pid=812,fd=40))\n'
        'ESTAB 0      0      10.148.99.1:51022 10.148.99.11:22 users:(("sshd",pid=9,fd=4))\n'
        "ESTAB 0 0 [::1]:8009 [::1]:41234\n"
    )
    assert parse_ss_established(text) == (
        Link("10.148.99.1", 51022, "10.148.99.11", 22),
        Link("::1", 8009, "::1", 41234),
    )
    assert parse_ss_established("garbage\nESTAB 0 0 host:x y:z\n0 0 1.2.3.4:5 1.2.3.5:6\n") == ()


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("*", "::"),
        ("[::ffff:10.0.0.5]", "10.0.0.5"),
        ("fe80::1%eth0", "fe80::1"),
        ("0.0.0.0", "0.0.0.0"),
        ("node1", None),
    ],
)
def test_normal_address(text: str, address: str | None) -> None:
    assert normal_address(text) == address


@pytest.mark.parametrize(
    "text",
    [
        "",
        "== now\nsoon\n== ps etimes\n",
        "== ps etimes\n1 0 root x\n== ss\nLISTEN 0 1 nohost:port *:*\n",
        "\x00\xff== ss\n" + "LISTEN " * 10000,
    ],
)
def test_what_a_node_prints_never_raises(text: str) -> None:
    output = parse_runtime(text)
    assert output.table.error is not None
    assert output.sockets is None or all(isinstance(s, Bound) for s in output.sockets)


def test_no_socket_table_is_said_not_taken_for_none() -> None:
    output = parse_runtime("== now\n5\n== ps etimes\n1 0 root 3 init\n== no sockets\n\n")
    assert output.sockets is None and output.sockets_error
    assert output.table.error is None and output.table.processes[0].started_at == 2.0


def test_windows_script_output() -> None:
    """The Windows script's JSON as ConvertTo-Json writes it (not recorded on a real host:
    there is none here): a Tomcat started by catalina.bat, one run by procrun, Apache's
    service process and its child."""
    output = parse_windows_runtime(fixture("windows-script.json"))
    assert output.table.now == 1741000000.0
    tomcat = find_tomcat(output.table, "C:/tomcat")
    assert tomcat is not None and (tomcat.pid, tomcat.user) == (5120, "SHOP\\svc-tomcat")
    assert tomcat.started_at == 1740990000.0
    assert "-Dcatalina.base=C:\\tomcat" in tomcat.words
    service = find_tomcat(output.table, "C:/Tomcat2/", "c:\\tomcat2")
    assert service is not None and service.pid == 3344
    httpd = find_httpd(output.table, "C:/Apache24/conf/httpd.conf", None)
    assert httpd is not None and httpd.pid == 2020
    assert output.sockets is not None
    assert Bound("::", 8080, 5120) in output.sockets


@pytest.mark.parametrize(
    "text", ["", "[1, 2]", '{"now": "x", "processes": {"pid": "1"}}', '{"listeners": 3}']
)
def test_windows_output_that_does_not_fit_never_raises(text: str) -> None:
    output = parse_windows_runtime(text)
    assert output.table.processes == () or output.table.error


def test_windows_listeners_that_failed_are_an_error() -> None:
    output = parse_windows_runtime('{"now": 5, "processes": [], "listeners_error": "denied"}')
    assert output.sockets is None and output.sockets_error == "Get-NetTCPConnection failed: denied"
