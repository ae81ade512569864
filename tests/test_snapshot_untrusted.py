"""A snapshot is untrusted input (it may come with a customer's ticket): judging it runs
nothing, connects nowhere and reads nothing outside its folder, whatever its inventory.yaml and
its files say; a malformed one is one line and exit 2. And `collect` writes nothing outside its
output folder, whatever the node names and paths."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import REPO

from clustercheck.cli.main import main
from clustercheck.collect.snapshot import (
    Recorder,
    SnapshotError,
    load_snapshot,
    node_folder,
    write_snapshot,
)
from clustercheck.collect.transports.base import FileReadError
from clustercheck.collect.transports.localfs import FilesTransport

V1 = REPO / "tests" / "fixtures" / "snapshot-v1"
TOMCAT01 = "nodes/tomcat01/tmp/ccv1/tomcat01"

# Runs `clustercheck run DIR` with an audit hook that reports every process started, every
# connection, datagram and name lookup, and every file opened under the bait folder.
AUDITED_RUN = r"""
import sys
bait, target = sys.argv[1], sys.argv[2]
LIVE = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
        "socket.connect", "socket.sendto", "socket.sendmsg", "socket.getaddrinfo",
        "socket.gethostbyname", "socket.gethostbyaddr")
def hook(event, args):
    if event in LIVE or (event in ("open", "os.listdir", "os.scandir")
                         and str(args[0]).startswith(bait)):
        sys.__stderr__.write(f"AUDIT {event} {args!r}\n")
sys.addaudithook(hook)
from clustercheck.cli.main import main
sys.exit(main(["run", target, "--json", "-", "--quiet"]))
"""


@pytest.fixture
def listener() -> Any:
    """A TCP port that counts who connects (where the hostile inventory points ssh)."""
    server = socket.create_server(("127.0.0.1", 0))
    server.setblocking(False)
    yield server
    server.close()


def hostile_snapshot(tmp: Path, port: int) -> tuple[Path, Path]:
    """The v1 fixture with an inventory that asks for every kind of live work and for files
    outside the snapshot, and with symlinks that lead out of it; and the bait folder."""
    bait = tmp / "bait"
    bait.mkdir()
    marker = bait / "executed"
    script = bait / "java"
    script.write_text(f"#!/bin/sh\ntouch {marker}\n")
    script.chmod(0o755)
    for name in ("id_key", "known_hosts", "ssh_config", "waivers.yaml", "server.xml"):
        (bait / name).write_text("secret: outside the snapshot\n")
    folder = tmp / "snapshot"
    shutil.copytree(V1, folder)
    inventory = yaml.safe_load((folder / "inventory.yaml").read_text())
    inventory["defaults"] = {
        "transport": "local",
        "ssh": {
            "identity_file": str(bait / "id_key"),
            "known_hosts": str(bait / "known_hosts"),
            "config": str(bait / "ssh_config"),
        },
    }
    inventory["ntp"]["servers"] = ["127.0.0.1", "ntp.example.invalid"]
    inventory["multicast"] = {"interface": "lo", "window_s": 1}
    nodes = inventory["nodes"]
    nodes["tomcat01"].update(transport="local")
    nodes["tomcat01"]["tomcat"]["java"] = str(script)
    nodes["tomcat02"].update(transport="ssh", host="127.0.0.1", ssh={"port": port}, root=str(bait))
    nodes["web1"].update(transport="ssh", host="web1.example.invalid", root="../../bait")
    (folder / "inventory.yaml").write_text(yaml.safe_dump(inventory))
    # a worker host that matches no node: a live run would ask DNS for it
    workers = folder / "nodes/web1/tmp/ccv1/web1/workers.properties"
    workers.write_text(workers.read_text().replace("192.0.2.2", "app.example.invalid", 1))
    # links out of the snapshot, absolute and relative
    server_xml = folder / TOMCAT01 / "conf/server.xml"
    server_xml.unlink()
    server_xml.symlink_to(bait / "server.xml")
    web_xml = folder / TOMCAT01 / "webapps/shop/WEB-INF/web.xml"
    web_xml.unlink()
    web_xml.symlink_to("../" * 12 + str(bait / "server.xml").lstrip("/"))
    return folder, bait


def test_judging_a_snapshot_runs_nothing_connects_nowhere_reads_nothing_outside(
    tmp_path: Path, listener: socket.socket
) -> None:
    """Before: its inventory's `transport: local` and `tomcat.java: <script>` executed the
    script, and ssh, NTP, DNS and the files it named were all used."""
    folder, bait = hostile_snapshot(tmp_path, listener.getsockname()[1])
    run = subprocess.run(
        [sys.executable, "-c", AUDITED_RUN, str(bait), str(folder)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    audit = [line for line in run.stderr.splitlines() if line.startswith("AUDIT")]
    assert audit == [] and run.returncode == 1, run.stderr
    assert not (bait / "executed").exists()
    with pytest.raises(BlockingIOError):
        listener.accept()  # nobody connected
    report = json.loads(run.stdout, parse_constant=_no_constant)
    nodes = {n["name"]: n for n in report["nodes"]}
    assert {n["transport"] for n in nodes.values()} == {"files"}
    results = {(r["code"], r["node"]): r for r in report["results"]}
    # the links out of the snapshot read inside it, where nothing is
    assert "no such file" in results[("CC601", "tomcat01")]["message"]
    # the roots named (`../../bait`, the bait's absolute path) are taken inside the snapshot
    assert results[("CC601", "tomcat02")]["status"] == "error"
    jk = [r["status"] for r in report["results"] if r["code"].startswith("CC603")]
    assert jk and set(jk) == {"error"}  # every member of the family: web1's root is empty


def test_the_files_transport_follows_links_as_the_node_would_inside_its_root(
    tmp_path: Path,
) -> None:
    """An absolute link starts again at the root, `..` stops there; a loop, a FIFO and a link
    to a device are errors of that file, and a listing shows links as what they lead to."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "opt/conf").mkdir(parents=True)
    (root / "opt/conf/server.xml").write_text("inside")
    outside.mkdir()
    (outside / "server.xml").write_text("outside")
    links = {
        "etc/conf": "/opt/conf",  # absolute: the node's /opt/conf
        "etc/up": "../../../../../opt/conf",  # climbs no higher than the root
        "etc/away": str(outside),  # a path of this machine means nothing on the node
        "etc/loop": "loop2",
        "etc/loop2": "loop",
        "etc/null": "/dev/null",
    }
    (root / "etc").mkdir()
    for name, target in links.items():
        (root / name).symlink_to(target)
    os.mkfifo(root / "etc/fifo")
    files = FilesTransport(str(root))
    assert files.read_file("/etc/conf/server.xml") == b"inside"
    assert files.read_file("/etc/up/server.xml") == b"inside"
    assert files.read_file("../../etc/conf/server.xml") == b"inside"
    assert _kind(files, "/etc/away/server.xml") == "missing"
    assert _kind(files, "/etc/loop") == "error"
    assert _kind(files, "/etc/null") == "missing"  # the root has no /dev/null
    assert _kind(files, "/etc/fifo") == "not_a_file"  # and opening it did not wait
    assert _kind(files, "/etc/x\0y") == "missing"
    listed = {e.name: e.is_dir for e in files.list_dir("/etc")}
    assert listed == {
        "away": False,
        "conf": True,
        "fifo": False,
        "loop": False,
        "loop2": False,
        "null": False,
        "up": True,
    }


def _kind(files: FilesTransport, path: str) -> str:
    with pytest.raises(FileReadError) as caught:
        files.read_file(path)
    return caught.value.kind


def _no_constant(name: str) -> None:
    raise AssertionError(f"{name} is not JSON")


def _edit_inventory(text: str) -> Any:
    def edit(folder: Path) -> None:
        (folder / "inventory.yaml").write_text(text)

    return edit


def _billion_laughs(folder: Path) -> None:
    levels = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 9)]
    inventory = (folder / "inventory.yaml").read_text()
    (folder / "inventory.yaml").write_text(
        inventory.replace("ntp:\n", "ntp:\n" + "".join(f"  {line}\n" for line in levels), 1)
    )


def _replace_with(kind: str, name: str) -> Any:
    def replace(folder: Path) -> None:
        (folder / name).unlink()
        if kind == "fifo":
            os.mkfifo(folder / name)
        else:
            (folder / name).symlink_to(folder.parent / "elsewhere.yaml")
            (folder.parent / "elsewhere.yaml").write_text((V1 / name).read_text())

    return replace


def _drop_node(folder: Path) -> None:
    inventory = yaml.safe_load((folder / "inventory.yaml").read_text())
    del inventory["nodes"]["tomcat02"]
    (folder / "inventory.yaml").write_text(yaml.safe_dump(inventory))


def _waiver_file(folder: Path) -> None:
    with (folder / "inventory.yaml").open("a") as handle:
        handle.write("waivers: ../elsewhere.yaml\n")


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        pytest.param(
            _edit_inventory("[" * 100_000), "inventory.yaml: nested too deeply)", id="deep"
        ),
        pytest.param(
            _billion_laughs, "more than 100000 values once its aliases are expanded", id="laughs"
        ),
        pytest.param(_edit_inventory("cluster: [\n"), "inventory.yaml:2: ", id="not-yaml"),
        pytest.param(
            _edit_inventory("cluster: x\nnodes: {a: {roles: [db]}}\n"),
            "inventory.yaml:2: nodes.a.roles: unknown role 'db'",
            id="invalid",
        ),
        pytest.param(_edit_inventory("\xff"), "inventory.yaml: ", id="not-utf8"),
        pytest.param(_replace_with("fifo", "inventory.yaml"), "not a regular file", id="fifo"),
        pytest.param(
            _replace_with("link", "inventory.yaml"), "(inventory.yaml: no such file)", id="link"
        ),
        pytest.param(
            _replace_with("link", "snapshot.json"), "(snapshot.json: no such file)", id="json-link"
        ),
        pytest.param(
            _drop_node,
            "node tomcat02 is in only one of inventory.yaml and snapshot.json",
            id="nodes-differ",
        ),
        pytest.param(_waiver_file, "waivers: inline in a snapshot, not a file", id="waivers"),
    ],
)
def test_a_snapshot_folder_that_is_not_one_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spoil: Any, message: str
) -> None:
    folder = tmp_path / "snapshot"
    shutil.copytree(V1, folder)
    spoil(folder)
    with pytest.raises(SnapshotError) as caught:
        load_snapshot(folder)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert "not a readable snapshot" in str(caught.value)
    assert main(["run", str(folder)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"clustercheck: {folder}") and "internal error" not in line


def test_a_snapshot_file_is_read_no_further_than_its_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import clustercheck.collect.snapshot as snapshot

    folder = tmp_path / "snapshot"
    shutil.copytree(V1, folder)
    monkeypatch.setattr(snapshot, "MAX_SNAPSHOT_BYTES", 1000)
    with pytest.raises(SnapshotError, match=r"snapshot.json: \d+ bytes, over the 1000-byte cap"):
        load_snapshot(folder)


# --- collect: nothing outside the output folder -----------------------------------------------

HOSTILE_NAMES = ["../escaped", "..", ".", "a/b", "a\\b", "/ABSOLUTE", "é n", "%2E%2E"]


def test_collect_keeps_every_node_name_and_path_inside_its_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Node names that are paths, and node paths with `..`: each node's files land in its own
    folder under nodes/, and the snapshot judges as the cluster did."""
    base = tmp_path / "tomcat"
    (base / "conf").mkdir(parents=True)
    (base / "conf" / "server.xml").write_text('<Server port="-1"><Service name="x"/></Server>')
    climbing = f"{base}/conf/../../tomcat/./conf/../"
    nodes = {
        name: {
            "host": "127.0.0.1",
            "roles": ["tomcat"],
            "transport": "files",
            "root": "/",
            # one folder, written differently for each node: one path given twice is refused
            "tomcat": {"catalina_base": climbing + "./" * index, "version": "10.1.20"},
        }
        for index, name in enumerate(HOSTILE_NAMES)
    }
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(yaml.safe_dump({"cluster": "c", "nodes": nodes}))
    work = tmp_path / "work"
    work.mkdir()
    out = work / "out"
    before = _tree(tmp_path)
    assert main(["collect", str(inventory), "-o", str(out)]) == 0
    assert {p for p in _tree(tmp_path) - before if not p.startswith("work/out")} == set()
    folders = sorted(p.name for p in (out / "nodes").iterdir())
    assert folders == sorted(node_folder(name) for name in HOSTILE_NAMES)
    assert len(set(folders)) == len(HOSTILE_NAMES)
    for name in HOSTILE_NAMES:
        copied = out / "nodes" / node_folder(name) / str(base).lstrip("/") / "conf/server.xml"
        assert copied.read_text().startswith("<Server")
    capsys.readouterr()
    live = _statuses(capsys, inventory)
    assert _statuses(capsys, out) == live and len(live) > len(HOSTILE_NAMES)


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _statuses(capsys: pytest.CaptureFixture[str], target: Path) -> list[tuple[str, str, str]]:
    main(["run", str(target), "--json", "-", "--quiet", "--skip", "CC001"])
    report = json.loads(capsys.readouterr().out)
    return sorted((r["code"], r["node"], r["status"]) for r in report["results"])


def test_a_link_planted_in_the_output_folder_is_never_followed(tmp_path: Path) -> None:
    """Another local user who gets a symlink into the folder while collect writes (the folder
    was empty when checked) gains nothing: no link is followed, no file replaced."""
    from clustercheck.collect.gather import gather
    from clustercheck.inventory.loader import load_inventory

    facts = gather(load_inventory(V1 / "inventory.yaml"))
    recorder = Recorder()
    recorder("web1", "/etc/passwd", b"root:x:0:0")
    elsewhere, out = tmp_path / "elsewhere", tmp_path / "out"
    (elsewhere / "etc").mkdir(parents=True)
    out.mkdir()
    (out / "nodes").symlink_to(elsewhere)
    with pytest.raises(SnapshotError) as caught:
        write_snapshot(facts, recorder, out)
    # written into a new folder of its own, which is never renamed over a folder not empty
    assert str(caught.value) == f"{out}: cannot write the snapshot (Directory not empty)"
    assert _tree(elsewhere) == {"etc"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elsewhere", "out"]  # nothing partial


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [
        (signal.SIGTERM, 128 + signal.SIGTERM, "terminated by SIGTERM"),
        (signal.SIGINT, 130, "interrupted"),
    ],
)
def test_a_collect_stopped_mid_write_leaves_no_snapshot_folder(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    signum: int,
    code: int,
    said: str,
) -> None:
    """cron's SIGTERM (or Ctrl-C) after the first file is written: the folder named by -o is a
    whole snapshot or absent, and nothing partial is left beside it."""
    from clustercheck.collect import snapshot

    write = snapshot._write

    def stopped(folder: int, path: str, data: bytes) -> None:
        write(folder, path, data)
        os.kill(os.getpid(), signum)

    monkeypatch.setattr(snapshot, "_write", stopped)
    out = tmp_path / "out"
    assert main(["collect", str(V1 / "inventory.yaml"), "-o", str(out)]) == code
    assert capsys.readouterr().err.splitlines()[-1] == f"clustercheck: {said}"
    assert list(tmp_path.iterdir()) == []


def test_collect_into_a_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "out").write_text("")
    assert main(["collect", str(V1 / "inventory.yaml"), "-o", str(tmp_path / "out")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.endswith("out: exists and is not an empty directory; choose a new one")
