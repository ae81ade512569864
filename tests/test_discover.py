"""Discovery without the lab: the inventory writer (values from a hostile node read back
exactly, comments stay comments), host arguments, the matching of members to Tomcats, and the
`discover` command when nothing is found. The lab runs it for real (tests/lab)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from clustercheck.cli.main import main
from clustercheck.collect.discover import (
    DiscoverError,
    HostProbe,
    HostSpec,
    HttpdFound,
    MemberFound,
    TomcatFound,
    assemble,
    parse_target,
)
from clustercheck.inventory.discovered import DiscoveredNode, Discovery, Todo
from clustercheck.inventory.loader import load_inventory
from clustercheck.inventory.writer import write_inventory
from clustercheck.parsers.httpd_build import parse_compiled_paths
from clustercheck.parsers.ps import ProcessTable, PsEntry, tomcat_processes

# What a node may say: YAML's specials, a comment, a key, a newline, a document end, a tag,
# an anchor, a bidi override, a byte that is not UTF-8, words YAML reads as other types
HOSTILE = [
    "tomcat01\n  evil: {host: x}",
    "a # not a comment",
    "key: value",
    "- item",
    "? question",
    "&anchor *alias !!python/object:os.system",
    "'single' \"double\" `back`",
    "{flow: [seq]}",
    "...\n---\ncluster: other",
    "\u202eroute",
    "caf\udce9",
    "true",
    "null",
    "8009",
    "1e3",
    " leading and trailing ",
    "tab\there\x1b[31m",
]


def _load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "inventory.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    return load_inventory(path)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_read_back_exactly(tmp_path: Path, value: str) -> None:
    node = DiscoveredNode(
        name=value,
        host=value,
        roles=("tomcat",),
        ssh={"user": value, "port": 2222, "become": True},
        tomcat={"catalina_base": f"/opt/{value}", "catalina_home": value},
        notes=(f"jvmRoute {value}", value),
    )
    apache = DiscoveredNode(
        "web", "w", ("apache",), {"user": "u"}, {"httpd_conf": f"/etc/{value}"}, notes=(value,)
    )
    todo = Todo(value, 8009, f"worker {value}", f"reason {value}")
    text = write_inventory(Discovery(value, (node, apache), (todo,), (value,)))
    settings = _load(tmp_path, text)
    assert settings.name == value
    assert [n.name for n in settings.nodes] == [value, "web"]
    read = settings.nodes[0]
    assert (read.host, read.ssh.user, read.ssh.port, read.ssh.become) == (value, value, 2222, True)
    assert (read.tomcat.catalina_base, read.tomcat.catalina_home) == (f"/opt/{value}", value)
    assert settings.nodes[1].apache.httpd_conf == f"/etc/{value}"
    # every line is a comment or the writer's own structure: nothing of the value's escaped it
    assert text.isascii()
    structure = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    assert len(structure) == 12


def test_shared_ssh_settings_are_written_once(tmp_path: Path) -> None:
    ssh = {"user": "deploy", "identity_file": "/keys/id"}
    nodes = tuple(
        DiscoveredNode(f"t{i}", f"10.0.0.{i}", ("tomcat",), ssh, tomcat={"catalina_base": "/t"})
        for i in range(2)
    )
    text = write_inventory(Discovery("c", nodes))
    assert text.count("deploy") == 1
    assert all(n.ssh.user == "deploy" for n in _load(tmp_path, text).nodes)


@pytest.mark.parametrize(
    ("text", "host", "ssh"),
    [
        ("web1", "web1", {}),
        ("root@10.0.0.1:2222", "10.0.0.1", {"user": "root", "port": 2222}),
        ("ops@[2001:db8::1]:22", "2001:db8::1", {"user": "ops", "port": 22}),
        ("2001:db8::1", "2001:db8::1", {}),
    ],
)
def test_targets(text: str, host: str, ssh: dict[str, object]) -> None:
    spec = parse_target(text)
    assert (spec.host, dict(spec.ssh)) == (host, ssh)


@pytest.mark.parametrize("text", ["@web1", "web1:ssh", "[::1]:x", ""])
def test_bad_targets(text: str) -> None:
    with pytest.raises(DiscoverError):
        parse_target(text)


def _tomcat(pid: int, base: str, route: str | None, *ports: int) -> TomcatFound:
    ajp = tuple((port, None, 7) for port in ports)
    return TomcatFound(pid, base, None, route, ajp, f"{base}/conf/server.xml", frozenset(ports))


def test_members_matched_by_port_among_instances() -> None:
    """Two Tomcats on one host: each member is the one whose AJP connector has its port; a
    member on a port none has, and one on a host not reached, are TODOs with the reason."""
    members = (
        MemberFound("worker a", "10.0.0.2", 8009, "w:1"),
        MemberFound("worker b", "10.0.0.2", 8019, "w:2"),
        MemberFound("worker c", "10.0.0.2", 8029, "w:3"),
        MemberFound("worker d", "10.0.0.9", 8009, "w:4"),
        MemberFound("worker e", "localhost", 8009, "w:5"),
    )
    web = HostProbe(
        HostSpec("10.0.0.1", origin="the command line"),
        httpds=(HttpdFound("/etc/httpd/conf/httpd.conf", None, "-f", ("mod_jk",), members),),
        tomcats=(_tomcat(7, "/srv/local", None, 8009),),
    )
    app = HostProbe(
        HostSpec("10.0.0.2"),
        tomcats=(_tomcat(10, "/srv/a", "same", 8009), _tomcat(11, "/srv/b", "same", 8019)),
        owners={8029: "pid 12 (nginx)"},
    )
    gone = HostProbe(HostSpec("10.0.0.9"), error="10.0.0.9:22: No route to host")
    found = assemble([web], [app, gone], "c")
    names = [n.name for n in found.nodes]
    assert names == ["httpd-10.0.0.1", "tomcat-10.0.0.1", "tomcat-10.0.0.2", "tomcat-10.0.0.2-2"]
    serves = {n.name: [x for x in n.notes if x.startswith("serves")] for n in found.nodes}
    assert serves["tomcat-10.0.0.2"] == ["serves worker a of httpd-10.0.0.1 (w:1)"]
    assert serves["tomcat-10.0.0.2-2"] == ["serves worker b of httpd-10.0.0.1 (w:2)"]
    assert serves["tomcat-10.0.0.1"] == ["serves worker e of httpd-10.0.0.1 (w:5)"]
    assert any("jvmRoute same is not unique" in x for x in found.nodes[2].notes)
    reasons = {t.what.split()[1]: t.reason for t in found.todos}
    assert reasons == {
        "c": "no running Tomcat has an AJP connector on port 8029 (/srv/a, /srv/b); "
        "port 8029 is listened on by pid 12 (nginx)",
        "d": "host not reached: 10.0.0.9:22: No route to host",
    }


def test_nothing_found_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Port 1 of loopback refuses: no node, no inventory, and why."""
    out = tmp_path / "inventory.yaml"
    known = tmp_path / "known_hosts"
    known.write_text("")
    argv = ["discover", "127.0.0.1:1", "--known-hosts", str(known), "-o", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "nothing found" in err
    assert "127.0.0.1: not reached:" in err
    assert not out.exists()


def test_existing_output_is_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "inventory.yaml"
    out.write_text("mine")
    assert main(["discover", "web1", "-o", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_text() == "mine"


def test_written_yaml_is_plain_yaml() -> None:
    """Any YAML tool reads it too (safe loader): the writer emits no tags or anchors."""
    node = DiscoveredNode("t", "h", ("tomcat",), tomcat={"catalina_base": "/t"})
    data = yaml.safe_load(write_inventory(Discovery("c", (node,))))
    assert data["nodes"]["t"]["tomcat"] == {"catalina_base": "/t"}


def test_compiled_paths() -> None:
    """`apache2 -V` on Debian 12, as printed (its end)."""
    text = (
        'Server compiled with....\n -D HTTPD_ROOT="/etc/apache2"\n'
        ' -D SUEXEC_BIN="/usr/lib/apache2/suexec"\n -D SERVER_CONFIG_FILE="apache2.conf"\n'
    )
    assert parse_compiled_paths(text) == ("/etc/apache2", "apache2.conf")
    assert parse_compiled_paths("apache2: command not found") == (None, None)


def test_tomcat_processes() -> None:
    line = (
        "/usr/bin/java -Dcatalina.base=/srv/old -Dcatalina.home=/usr/share/tomcat10 "
        "-Dcatalina.base='/srv/a b' org.apache.catalina.startup.Bootstrap start"
    )
    table = ProcessTable(0.0, (PsEntry(5, 1, "tomcat", 0.0, line), PsEntry(6, 1, "x", 0.0, "sh")))
    (found,) = tomcat_processes(table)
    assert (found.entry.pid, found.catalina_base, found.catalina_home) == (
        5,
        "/srv/a b",
        "/usr/share/tomcat10",
    )
