"""The engine over a real OpenSSH server: files read and commands run over one connection per
node, and nodes that cannot be reached become CC001 errors while the rest is still checked."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import yaml
from clusterfiles import tomcat_files
from sshd_server import SshServer

from clustercheck.cli.main import main

pytestmark = pytest.mark.sshd


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def lay_out(tmp: Path, name: str, route: str) -> str:
    """Tomcat files for one node on this machine (the sshd's host); returns CATALINA_BASE."""
    base = tmp / name / "tomcat"
    for path, content in tomcat_files(route).items():
        target = base / path.removeprefix("/opt/tomcat/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content)
    return str(base)


def inventory(tmp: Path, sshd: SshServer, nodes: dict[str, dict]) -> Path:
    ssh = {
        "user": sshd.user,
        "port": sshd.port,
        "identity_file": str(sshd.client_key),
        "known_hosts": str(sshd.known_hosts),
        "config": str(sshd.ssh_config),
        "connect_timeout": 5,
    }
    data = {"cluster": "ssh-test", "defaults": {"ssh": ssh}, "nodes": nodes}
    path = tmp / "inventory.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(["run", *argv, "--json", "-", "-q"])
    return code, json.loads(capsys.readouterr().out)


def by(report: dict, code: str) -> dict[str | None, dict]:
    return {r["node"]: r for r in report["results"] if r["code"] == code}


def test_reachable_node_is_judged_and_broken_ones_are_cc001_errors(
    tmp_path: Path, sshd: SshServer, capsys: pytest.CaptureFixture[str]
) -> None:
    good = {
        "host": sshd.host,
        "roles": ["tomcat"],
        "tomcat": {"catalina_base": lay_out(tmp_path, "good", "good")},
    }
    nodes = {
        "good": good,
        "closed": {**good, "ssh": {"port": free_port()}},
        "badkey": {
            **good,
            "ssh": {"identity_file": str(sshd.stranger_key)},
            # a Tomcat of its own: one instance listed twice is an inventory error
            "tomcat": {"catalina_base": lay_out(tmp_path, "badkey", "badkey")},
        },
    }
    code, report = run(capsys, str(inventory(tmp_path, sshd, nodes)))
    assert code == 1
    reach = by(report, "CC001")
    assert reach["good"]["status"] == "pass"
    assert reach["closed"]["status"] == "error" and "refused" in reach["closed"]["message"]
    assert reach["badkey"]["status"] == "error" and "authentication" in reach["badkey"]["message"]
    dist = by(report, "CC701")
    assert dist["good"]["status"] == "pass"
    assert dist["closed"]["status"] == "skip" and dist["closed"]["message"] == "node unreachable"
    node = next(n for n in report["nodes"] if n["name"] == "good")
    assert node["tomcat_version"] == "10.1.60"  # read from inside catalina.jar over SFTP


def test_unknown_host_key_is_refused_then_learned_with_the_flag(
    tmp_path: Path, sshd: SshServer, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    nodes = {
        "n1": {
            "host": sshd.host,
            "roles": ["tomcat"],
            "ssh": {"known_hosts": str(empty)},
            "tomcat": {"catalina_base": lay_out(tmp_path, "n1", "n1")},
        }
    }
    path = inventory(tmp_path, sshd, nodes)
    _code, report = run(capsys, str(path))
    reach = by(report, "CC001")["n1"]
    assert reach["status"] == "error" and "--accept-new-host-keys" in reach["message"]
    _code, report = run(capsys, str(path), "--accept-new-host-keys")
    assert by(report, "CC001")["n1"]["status"] == "pass"
    assert f"[{sshd.host}]:{sshd.port}" in empty.read_text()
    _code, report = run(capsys, str(path))  # now known: no flag needed
    assert by(report, "CC001")["n1"]["status"] == "pass"


def test_live_facts_include_the_nodes_interface_addresses(tmp_path: Path, sshd: SshServer) -> None:
    from clustercheck.collect.gather import gather
    from clustercheck.inventory.loader import load_inventory

    nodes = {
        "n1": {
            "host": sshd.host,
            "roles": ["tomcat"],
            "tomcat": {"catalina_base": lay_out(tmp_path, "n1", "n1")},
        }
    }
    facts = gather(load_inventory(inventory(tmp_path, sshd, nodes)))
    assert "127.0.0.1" in facts.nodes["n1"].live.addresses
