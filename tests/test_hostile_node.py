"""A node is untrusted (issue 14): what it holds is data. Each case is built here for real on
this machine and read through the local and files transports: symlink loops, FIFOs, devices,
names that are not UTF-8, outputs that never end, commands that never end. Each ends in a
finding for that node, within the node's timeouts (the SSH side: test_ssh_hostile.py)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from clusterfiles import BASE, build, judge, tomcat_files
from support import NON_UTF8, alive

from clustercheck.collect.clock import sample_clock
from clustercheck.collect.transports import localfs
from clustercheck.collect.transports.base import (
    DEFAULT_MAX_BYTES,
    MAX_LINE_BYTES,
    FileReadError,
)
from clustercheck.collect.transports.localfs import LocalStream, LocalTransport
from clustercheck.inventory.settings import NodeSettings, SshSettings

# -- files: FIFOs, devices, loops, names -----------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "device", "directory"])
def test_only_regular_files_are_opened(tmp_path: Path, kind: str) -> None:
    """A FIFO without a writer would block open() forever, a device may never end: both are
    refused before they are opened, by read_file and by open_binary (the WAR reader)."""
    path = tmp_path / "app.war"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        path = Path("/dev/zero")
    transport = LocalTransport()
    start = time.monotonic()
    for read in (transport.read_file, transport.open_binary):
        with pytest.raises(FileReadError) as caught:
            read(str(path))
        assert caught.value.kind == "not_a_file"
    assert time.monotonic() - start < 1
    reason = "is a directory" if kind == "directory" else "not a regular file (a FIFO or device)"
    assert str(caught.value) == f"{path}: {reason}"


def test_a_listing_survives_loops_dangling_links_fifos_and_names_not_utf8(tmp_path: Path) -> None:
    """One entry that cannot be followed used to fail the whole listing (every application
    vanished); now it is one plain entry among the others."""
    (tmp_path / "shop").mkdir()
    (tmp_path / NON_UTF8).mkdir()
    os.symlink("loop-b", tmp_path / "loop-a")
    os.symlink("loop-a", tmp_path / "loop-b")
    os.symlink("nowhere", tmp_path / "dangling")
    os.mkfifo(tmp_path / "pipe.war")
    entries = LocalTransport().list_dir(str(tmp_path))
    assert [(e.name, e.is_dir) for e in entries] == [
        ("caf\udce9", True),
        ("dangling", False),
        ("loop-a", False),
        ("loop-b", False),
        ("pipe.war", False),
        ("shop", True),
    ]


def test_a_listing_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(localfs, "MAX_DIR_ENTRIES", 3)
    for index in range(4):
        (tmp_path / f"app{index}").mkdir()
    with pytest.raises(FileReadError) as caught:
        LocalTransport().list_dir(str(tmp_path))
    assert (caught.value.kind, str(caught.value)) == ("too_large", f"{tmp_path}: over 3 entries")


def test_hostile_webapps_end_in_findings_for_that_node(tmp_path: Path) -> None:
    """The reproduction of issue 14: a symlink loop in webapps/ turned CC701's fail into a skip
    (every application vanished), and a FIFO named like a WAR hung the run. Now each is judged
    on its own, the other nodes and findings are untouched, and the run ends at once."""
    files = tomcat_files(apps={"shop": False, "ok": True})
    files[f"{BASE}/webapps/{NON_UTF8}/WEB-INF/web.xml"] = files[
        f"{BASE}/webapps/shop/WEB-INF/web.xml"
    ]
    inventory = build(tmp_path, {"t1": {"host": "10.0.0.11", "roles": ["tomcat"]}}, {"t1": files})
    webapps = tmp_path / "t1" / BASE.lstrip("/") / "webapps"
    os.symlink("loop-b", webapps / "loop-a")
    os.symlink("loop-a", webapps / "loop-b")
    os.mkfifo(webapps / "stuck.war")
    start = time.monotonic()
    results = judge(inventory, "CC701")
    assert time.monotonic() - start < 10
    found = {r.details.get("webapp"): (r.status.value, r.message) for r in results}
    assert found["shop"][0] == "fail" and found["caf\udce9"][0] == "fail"
    assert found["ok"][0] == "pass"
    fifo = f"{BASE}/webapps/stuck.war: not a regular file (a FIFO or device)"
    assert found["stuck"] == ("error", f"stuck: cannot read its web.xml: {fifo}")


def test_an_application_folder_that_cannot_be_listed_is_an_error_not_a_skip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "No application found" must not be said of a folder nobody could read."""
    files = tomcat_files(apps={"shop": False})
    inventory = build(tmp_path, {"t1": {"host": "10.0.0.11", "roles": ["tomcat"]}}, {"t1": files})
    monkeypatch.setattr(localfs, "MAX_DIR_ENTRIES", 0)
    (result,) = judge(inventory, "CC701")
    assert (result.status.value, result.message, result.file) == (
        "error",
        f"cannot list the applications: {BASE}/webapps: over 0 entries",
        f"{BASE}/webapps",
    )


# -- commands: endless outputs, endless commands ------------------------------------------


def test_endless_output_is_capped_and_stopped_at_the_timeout() -> None:
    start = time.monotonic()
    result = LocalTransport().run(["sh", "-c", "yes; :"], timeout=1)
    assert time.monotonic() - start < 3
    assert (result.timed_out, result.exit_status) == (True, None)
    assert len(result.stdout) == DEFAULT_MAX_BYTES


def test_a_timed_out_command_is_killed_with_everything_it_started() -> None:
    """The whole process group goes, not only the process clustercheck started."""
    result = LocalTransport().run(["sh", "-c", "sleep 60 & echo $!; sleep 60"], timeout=0.5)
    assert result.timed_out
    child = int(result.stdout)
    deadline = time.monotonic() + 3
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(child)


def test_the_nodes_command_timeout_is_the_default() -> None:
    start = time.monotonic()
    assert LocalTransport(command_timeout=0.5).run(["sleep", "10"]).timed_out
    assert time.monotonic() - start < 2


def test_a_stream_line_never_waits_or_grows_past_its_bounds() -> None:
    partial = LocalStream(["sh", "-c", "printf 'no newline'; sleep 60"])
    try:
        start = time.monotonic()
        with pytest.raises(TimeoutError):
            partial.readline(0.5)
        assert time.monotonic() - start < 1.5
    finally:
        partial.close()
    endless = LocalStream(["sh", "-c", "tr -d '\\n' < /dev/zero"])
    try:
        with pytest.raises(OSError, match=f"longer than {MAX_LINE_BYTES} bytes"):
            endless.readline(5)
    finally:
        endless.close()


class SilentSampler(LocalTransport):
    """A node whose clock sampler starts and never answers."""

    def open_stream(self, argv: Sequence[str]) -> LocalStream:
        return LocalStream(["sleep", "60"])


def test_the_clock_sampler_is_bounded_by_the_nodes_command_timeout() -> None:
    node = NodeSettings("n1", "localhost", ("tomcat",), ssh=SshSettings(command_timeout=0.5))
    start = time.monotonic()
    sample, _ = sample_clock(SilentSampler(), node)
    assert time.monotonic() - start < 1.5
    assert sample.offset is None and sample.error and sample.error.startswith("no clock sample")


def test_a_filesystem_call_that_never_returns_is_given_up_within_the_timeout() -> None:
    """A hung NFS or FUSE mount blocks a read in the kernel, where nothing interrupts it: the
    call is given up at the node's timeout and the run goes on (the blocked thread stays
    behind, a daemon)."""
    hung = threading.Event()
    started = time.monotonic()
    with pytest.raises(FileReadError, match=r"^/mnt/nfs/conf: no answer within 0.2 s"):
        localfs.within(0.2, "/mnt/nfs/conf", hung.wait)
    assert time.monotonic() - started < 2
    hung.set()
    assert localfs.within(5, "/etc/hostname", lambda: "read") == "read"

    def denied() -> str:
        raise PermissionError("denied")

    with pytest.raises(PermissionError):  # what the call raises, the caller gets
        localfs.within(5, "/root/x", denied)
