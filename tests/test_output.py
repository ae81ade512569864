"""Report files are written atomically, and special files are never replaced."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from clustercheck.cli.output import write_output


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
