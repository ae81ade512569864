"""Report files are written atomically; special files and links are never replaced; one output
that cannot be written is that output's error, the others are written; SIGTERM leaves nothing
half written."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import REPO

from clustercheck.cli.main import main
from clustercheck.cli.output import OutputError, write_output

EXAMPLE = REPO / "examples" / "seed-cluster" / "inventory.yaml"


def test_a_report_replaces_the_old_one_whole(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "report.json"
    write_output(str(target), "first")
    write_output(str(target), "second")
    assert target.read_text() == "second"
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]  # no temp file left


def test_a_fifo_is_written_into_not_replaced(tmp_path: Path) -> None:
    """`--json /dev/null` once replaced the device with a file: special files stay special."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_output(str(fifo), "through the pipe")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_dev_null_stays_a_device() -> None:
    write_output("/dev/null", "nothing")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_chunks_are_written_and_a_failure_midway_keeps_the_old_report(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    write_output(str(target), iter(["{", '"ok": true', "}"]))
    assert target.read_text() == '{"ok": true}'

    def broken() -> Iterator[str]:
        yield "{"
        raise RuntimeError("renderer failed")

    with pytest.raises(RuntimeError):
        write_output(str(target), broken())
    assert target.read_text() == '{"ok": true}'
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


# -- where a report may go, and what it never replaces -----------------------------------------


def test_a_link_to_a_device_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    link = tmp_path / "null"
    link.symlink_to("/dev/null")
    write_output(str(link), "nothing")
    assert link.is_symlink() and os.readlink(link) == "/dev/null"


@pytest.mark.parametrize(
    ("points_to", "what"),
    [("precious.txt", "a file"), ("folder", "a folder"), ("nowhere", "nothing")],
)
def test_a_link_to_a_file_a_folder_or_nothing_is_refused_and_left_alone(
    tmp_path: Path, points_to: str, what: str
) -> None:
    """As root, a link planted at a report's path must not make clustercheck replace or write
    the file it points at (/etc/shadow): refused, the link and its target untouched."""
    (tmp_path / "precious.txt").write_text("precious")
    (tmp_path / "folder").mkdir()
    link = tmp_path / "report.json"
    link.symlink_to(points_to)
    with pytest.raises(OutputError) as refused:
        write_output(str(link), "report")
    assert str(refused.value) == (
        f"a symbolic link to {what} ({points_to}): refused (a report never replaces a link, nor "
        "writes through one to a file); give the path it points to"
    )
    assert link.is_symlink() and os.readlink(link) == points_to
    assert (tmp_path / "precious.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "precious.txt", "report.json"]


def test_a_fifo_that_no_one_reads_is_an_error_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="a FIFO that no one reads"):
        write_output(str(fifo), "lost")


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a directory"):
        write_output(str(tmp_path), "report")


@pytest.mark.parametrize("name", ["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_the_names_of_standard_output_are_standard_output(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    write_output(name, iter(["to ", "stdout"]))
    assert capsys.readouterr().out == "to stdout"


def test_dev_stdout_redirected_to_a_file_gets_the_report_and_stays_a_link(tmp_path: Path) -> None:
    """`--json /dev/stdout > f` as root once renamed a temporary file over /dev/stdout."""
    captured = tmp_path / "captured.json"
    with captured.open("w") as stdout:
        done = subprocess.run(
            [sys.executable, "-m", "clustercheck", "run", str(EXAMPLE), "-q", "--json",
             "/dev/stdout"],
            stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert json.loads(captured.read_text())["cluster"] == "seed-howto"  # the report, whole
    assert os.path.islink("/dev/stdout")


@pytest.mark.parametrize(
    "argv",
    [
        ["--json", "-", "--junit", "/dev/stdout"],
        ["--output", "json=/proc/self/fd/1", "--output", "junit=-"],
        ["--json", "-", "--nagios"],
    ],
)
def test_standard_output_for_two_outputs_is_a_usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(EXAMPLE), *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("clustercheck: only one report can go to standard output: ")
    assert len(captured.err.splitlines()) == 1


# -- an output that cannot be written is that output's error -----------------------------------


@pytest.mark.parametrize(
    ("where", "reason"),
    [("full_disk", "No space left on device"), ("read_only_dir", "Read-only file system")],
)
def test_an_output_that_cannot_be_written_is_one_line_and_the_others_are_written(
    where: str, reason: str, tmp_path: Path, request: pytest.FixtureRequest,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    bad: Path = request.getfixturevalue(where)
    code = main(
        ["run", str(EXAMPLE), "-q", "--json", str(bad / "report.json"),
         "--junit", str(tmp_path / "junit.xml"), "--output", f"prometheus={tmp_path / 'm.prom'}"]
    )  # fmt: skip
    assert code == 2  # README: a report that could not be written
    captured = capsys.readouterr()
    assert captured.err == (
        f"clustercheck: the json report {bad / 'report.json'} not written: {reason}\n"
    )
    assert captured.out.startswith("seed-howto: FAIL")  # the terminal report still comes
    assert "<testsuites" in (tmp_path / "junit.xml").read_text()
    assert "clustercheck_" in (tmp_path / "m.prom").read_text()
    assert list(bad.iterdir()) == []  # no temporary file left behind


SLOW_REPORT_TIMEOUT_S = 60


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [
        (signal.SIGTERM, 128 + signal.SIGTERM, "terminated by SIGTERM"),
        (signal.SIGINT, 130, "interrupted"),
    ],
)
def test_a_signal_mid_write_leaves_no_temporary_file_and_the_old_report(
    tmp_path: Path, faults: Path, signum: int, code: int, said: str
) -> None:
    """A real process stopped by cron's SIGTERM (or Ctrl-C) while its report is half written:
    the old report stays whole and no temporary file is left."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "report.json").write_text("the old report")
    mark = tmp_path / "halfway"
    env = {**os.environ, "PYTHONPATH": str(faults), "CC_FAULT_MARK": str(mark)}
    child = subprocess.Popen(
        [sys.executable, "-m", "clustercheck", "run", str(EXAMPLE), "-q",
         "--output", f"slow={out / 'report.json'}"],
        env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + SLOW_REPORT_TIMEOUT_S
        while not mark.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert mark.exists(), "the slow format never started writing"
        assert len(list(out.iterdir())) == 2  # the old report and the half-written new one
        child.send_signal(signum)
        _out, err = child.communicate(timeout=30)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == code
    assert err.splitlines()[-1] == f"clustercheck: {said}"
    assert [p.name for p in out.iterdir()] == ["report.json"]
    assert (out / "report.json").read_text() == "the old report"
