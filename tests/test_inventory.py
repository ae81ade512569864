"""Inventory loading: every kind of mistake, reported at once with line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from clustercheck.cli.main import main
from clustercheck.inventory.loader import InventoryError, load_inventory

GOOD = """\
cluster: shop
ntp: {servers: [ntp1.example.com], warn_ms: 50}
defaults:
  ssh: {user: deploy, port: 2222, identity_file: keys/id_ed25519}
  tomcat: {catalina_base: /opt/tomcat, catalina_home: /usr/share/tomcat}
nodes:
  web1:
    host: 10.0.0.1
    roles: [apache, tomcat]
    apache: {jk_conf: /etc/httpd/conf.d/mod_jk.conf}
    tomcat: {catalina_base: /opt/tomcat01}
  tomcat02:
    host: 10.0.0.2
    roles: [tomcat]
    ssh: {port: 22}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "inventory.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(InventoryError) as caught:
        load_inventory(write(tmp_path, text))
    return caught.value.problems


def test_good_inventory_merges_defaults_key_by_key(tmp_path: Path) -> None:
    settings = load_inventory(write(tmp_path, GOOD))
    web1, tomcat02 = settings.nodes
    assert settings.name == "shop" and settings.ntp.servers == ("ntp1.example.com",)
    assert settings.ntp.warn_ms == 50 and settings.ntp.fail_ms == 1000
    assert web1.tomcat.catalina_base == "/opt/tomcat01"
    assert web1.tomcat.catalina_home == "/usr/share/tomcat"  # kept from defaults
    assert web1.ssh.port == 2222 and tomcat02.ssh.port == 22 and tomcat02.ssh.user == "deploy"
    # a path on clustercheck's machine resolves against the inventory's folder
    assert web1.ssh.identity_file == str((tmp_path / "keys/id_ed25519").resolve())
    # a path on the node stays as the node sees it
    assert web1.apache.jk_conf == "/etc/httpd/conf.d/mod_jk.conf"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "cluster: x\nnodes:\n  t1: {roles: [tomcat], tomcat: {catalina_base: /t}}\n",
            ":3: nodes.t1.host: required",
        ),
        (
            "cluster: x\nnodes:\n  t1: {host: h, tomcat: {catalina_base: /t}}\n",
            ":3: nodes.t1.roles: required",
        ),
        (
            "cluster: x\nnodes:\n  t1: {host: h, roles: [tomcat], hots: 1}\n",
            "nodes.t1.hots: unknown key (did you mean 'host'?)",
        ),
        (
            "cluster: x\nnodes:\n  t1: {host: h, roles: [tomcat]}\n",
            "nodes.t1.tomcat.catalina_base: required for role tomcat",
        ),
        (
            "cluster: x\nnodes:\n  t1: {host: h, roles: [httpd]}\n",
            "nodes.t1.roles: unknown role 'httpd'",
        ),
        (
            "cluster: x\nnodes:\n  t1: {host: h, roles: [apache]}\n",
            "nodes.t1.apache.jk_conf: required for role apache",
        ),
        (
            "cluster: x\nnodes:\n  t1: {host: h, roles: [tomcat], transport: telnet,"
            " tomcat: {catalina_base: /t}}\n",
            "nodes.t1.transport: must be one of ssh, local, files (got 'telnet')",
        ),
        (
            "cluster: x\nnodes:\n  t1: {host: h, roles: [tomcat], transport: files,"
            " tomcat: {catalina_base: /t}}\n",
            "nodes.t1.root: required with transport files",
        ),
        (
            "cluster: x\nnodes:\n  t1:\n    host: h\n    roles: [tomcat]\n    ssh: {port: 70000}\n"
            "    tomcat: {catalina_base: /t}\n",
            ":6: nodes.t1.ssh.port: must be between 1 and 65535",
        ),
        (
            "cluster: x\nnodes:\n  t1:\n    host: h\n    roles: [tomcat]\n    ssh: {becme: true}\n"
            "    tomcat: {catalina_base: /t}\n",
            ":6: nodes.t1.ssh.becme: unknown key (did you mean 'become'?)",
        ),
        (
            "cluster: x\nnodes:\n  t1:\n    host: h\n    roles: [tomcat]\n    ssh: {shell: bash}\n"
            "    tomcat: {catalina_base: /t}\n",
            ":6: nodes.t1.ssh.shell: must be one of sh, cmd, powershell (got 'bash')",
        ),
        (
            "cluster: x\nntp: {servers: [a], warn: 5}\nnodes:\n  t1: {host: h, roles: [tomcat],"
            " tomcat: {catalina_base: /t}}\n",
            ":2: ntp.warn: unknown key (did you mean 'warn_ms'?)",
        ),
        (
            "cluster: x\njdk: {policy: newest}\nnodes:\n  t1: {host: h, roles: [tomcat],"
            " tomcat: {catalina_base: /t}}\n",
            "jdk.policy: must be one of major, minor, update, exact",
        ),
        ("cluster: x\nnodes: {}\n", "nodes: required: a mapping of at least one node"),
        (
            "nodes:\n  t1: {host: h, roles: [tomcat], tomcat: {catalina_base: /t}}\n",
            "cluster: required",
        ),
        ("cluster: x\nnodes:\n  t1: {host: h, roles: [tomcat]\n", "inventory.yaml:4:"),
        ("cluster: x\ncluster: y\nnodes: {}\n", ":2: duplicate key 'cluster'"),
        ("- just\n- a list\n", "must be a mapping"),
        (
            "cluster: x\nwaivers: [{node: t1}]\nnodes:\n  t1: {host: h, roles: [tomcat],"
            " tomcat: {catalina_base: /t}}\n",
            "waivers[0].code: required",
        ),
    ],
)
def test_each_mistake_is_named_with_line_and_field(
    tmp_path: Path, text: str, expected: str
) -> None:
    found = problems(tmp_path, text)
    assert any(expected in p for p in found), found
    assert all(p.startswith(str(tmp_path / "inventory.yaml")) for p in found)


def test_all_mistakes_are_reported_at_once(tmp_path: Path) -> None:
    found = problems(
        tmp_path,
        """\
        cluster: x
        nodes:
          a: {roles: [tomcat], tomcat: {catalina_base: /t}}
          b: {host: h, roles: [tomcat], tomcat: {catalina_bse: /t}}
          c: {host: h, roles: [apache], apache: {jk_conf: 5}, colour: blue}
        """,
    )
    assert len(found) >= 4, found


def test_cli_prints_one_line_per_problem_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "cluster: x\nnodes:\n  t1: {roles: [tomcat], hots: h}\n")
    assert main(["run", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"clustercheck: {path}:3: nodes.t1.hots: unknown key (did you mean 'host'?)" in err


def test_missing_inventory_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", str(tmp_path / "nope.yaml")]) == 2
    assert (
        capsys.readouterr().err.strip() == f"clustercheck: {tmp_path / 'nope.yaml'}: no such file"
    )


def test_yaml_tags_are_refused_by_the_safe_loader(tmp_path: Path) -> None:
    found = problems(tmp_path, "cluster: !!python/object/apply:os.system ['true']\nnodes: {}\n")
    assert any("could not determine a constructor" in p for p in found), found
