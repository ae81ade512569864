"""Inventory loading: every kind of mistake, reported at once with line and field, hostile values
(NaN, infinity, dates that do not exist, thresholds that contradict) included."""

from __future__ import annotations

import textwrap
from datetime import date
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
            "nodes.t1.roles: unknown role 'httpd' (known: apache, tomcat)",
        ),
        (
            "cluster: x\nnodes:\n  t1: {host: h, roles: [apache]}\n",
            "nodes.t1.apache.httpd_conf: required for role apache (or jk_conf, or "
            "workers_properties)",
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


# (id, a node's fields, the one problem after 'inventory.yaml:'): a field that is there but
# wrong is that problem alone, never also "required"
ONE_PROBLEM = [
    ("a role mistyped", "{host: h, roles: [tomcat, tomcta], tomcat: {catalina_base: /t}}",
     "3: nodes.t1.roles: unknown role 'tomcta' (did you mean 'tomcat'?)"),
    ("a role list that is a number", "{host: h, roles: 5, tomcat: {catalina_base: /t}}",
     "3: nodes.t1.roles: must be a list of strings"),
    ("an empty host", "{host: '', roles: [tomcat], tomcat: {catalina_base: /t}}",
     "3: nodes.t1.host: must be a non-empty string"),
    ("a root that is a number", "{host: h, roles: [tomcat], transport: files, root: [],"
     " tomcat: {catalina_base: /t}}", "3: nodes.t1.root: must be a non-empty string"),
    ("an empty catalina_base", "{host: h, roles: [tomcat], tomcat: {catalina_base: ''}}",
     "3: nodes.t1.tomcat.catalina_base: must be a non-empty string"),
    ("an empty jk_conf", "{host: h, roles: [apache], apache: {jk_conf: ''}}",
     "3: nodes.t1.apache.jk_conf: must be a non-empty string"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("node", "problem"), [c[1:] for c in ONE_PROBLEM], ids=[c[0] for c in ONE_PROBLEM]
)
def test_a_wrong_field_is_one_problem(tmp_path: Path, node: str, problem: str) -> None:
    path = tmp_path / "inventory.yaml"
    assert problems(tmp_path, f"cluster: x\nnodes:\n  t1: {node}\n") == [f"{path}:{problem}"]


def test_a_mistake_in_defaults_is_one_problem_on_its_line(tmp_path: Path) -> None:
    """Not once per node that uses it, nor on the node's line."""
    found = problems(
        tmp_path,
        """\
        cluster: x
        defaults:
          os: linx
          ssh: {port: 0, usr: deploy}
          tomcat: [catalina_base]
        nodes:
          a: {host: a, roles: [tomcat], tomcat: {catalina_base: /a}}
          b: {host: b, roles: [tomcat], tomcat: {catalina_base: /b}}
          c: {host: c, roles: [tomcat], tomcat: {catalina_base: /c}, ssh: {port: 22}}
        """,
    )
    path = tmp_path / "inventory.yaml"
    assert found == [
        f"{path}:4: defaults.ssh.usr: unknown key (did you mean 'user'?)",
        f"{path}:3: defaults.os: must be one of linux, windows (got 'linx')",
        f"{path}:4: defaults.ssh.port: must be between 1 and 65535",
        f"{path}:5: defaults.tomcat: must be a mapping",
    ]


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("{host: h, roles: [tomcat], tomcat: {catalina_base: /t}}",
         "{host: h, roles: [tomcat], tomcat: {catalina_base: /t}}",
         "the same Tomcat as nodes.a (catalina_base /t on h)"),
        ("{host: h, roles: [tomcat], ssh: {port: 22}, tomcat: {catalina_base: /t}}",
         "{host: H, roles: [tomcat], tomcat: {catalina_base: /t}}",
         "the same Tomcat as nodes.a (catalina_base /t on H)"),
        ("{host: h, roles: [apache, tomcat], apache: {jk_conf: /j}, tomcat: {catalina_base: /t}}",
         "{host: h, roles: [apache], apache: {jk_conf: /j}}",
         "the same httpd as nodes.a (jk_conf /j on h)"),
        ("{transport: local, roles: [tomcat], tomcat: {catalina_base: /t}}",
         "{transport: local, roles: [tomcat], tomcat: {catalina_base: /t}}",
         "the same Tomcat as nodes.a (catalina_base /t on this machine)"),
        ("{host: h, roles: [tomcat], tomcat: {catalina_base: /t}}",
         "{host: h, roles: [tomcat], tomcat: {catalina_base: /u}}", None),
        ("{host: h, roles: [tomcat], tomcat: {catalina_base: /t}}",
         "{host: h, roles: [tomcat], ssh: {port: 2222}, tomcat: {catalina_base: /t}}", None),
        ("{host: h, roles: [apache], apache: {jk_conf: /j}}",
         "{host: h, roles: [tomcat], tomcat: {catalina_base: /j}}", None),
        ("{host: h, roles: [tomcat], transport: files, root: r1, tomcat: {catalina_base: /t}}",
         "{host: h, roles: [tomcat], transport: files, root: r2, tomcat: {catalina_base: /t}}",
         None),
    ],
)  # fmt: skip
def test_one_instance_under_two_names_is_one_problem(
    tmp_path: Path, first: str, second: str, same: str | None
) -> None:
    text = f"cluster: x\nnodes:\n  a: {first}\n  b: {second}\n"
    if same is None:
        assert len(load_inventory(write(tmp_path, text)).nodes) == 2
    else:
        assert problems(tmp_path, text) == [
            f"{tmp_path / 'inventory.yaml'}:4: nodes.b: {same}: list it once"
        ]


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


# -- numbers that are none, combinations that cannot be, dates that do not exist ---------------

NODE = "nodes:\n  t1: {host: h, roles: [tomcat], tomcat: {catalina_base: /t}}\n"

HOSTILE = [
    # (id, inventory lines before NODE, the exact problem after 'inventory.yaml:')
    ("NaN", "ntp: {warn_ms: .nan}", "2: ntp.warn_ms: .nan is not a finite number"),
    ("infinity", "ntp:\n  fail_ms: .inf", "3: ntp.fail_ms: .inf is not a finite number"),
    ("minus infinity", "multicast: {window_s: -.Inf}",
     "2: multicast.window_s: -.Inf is not a finite number"),
    ("NaN in a list", "ntp: {servers: [a, .NaN]}",
     "2: ntp.servers[1]: .NaN is not a finite number"),
    ("NaN as a string field", "defaults: {tomcat: {version: .nan}}",
     "2: defaults.tomcat.version: .nan is not a finite number"),
    ("a number too big to wait for", "defaults: {ssh: {connect_timeout: 1.0e+300}}",
     "2: defaults.ssh.connect_timeout: must be between 0.1 and 86400"),
    ("a month 13", "waivers: [{code: CC302, reason: r, expires: 2027-13-45}]",
     "2: waivers[0].expires: '2027-13-45' is not a valid date"),
    ("a quoted month 13", "waivers: [{code: CC302, reason: r, expires: '2027-13-45'}]",
     "2: waivers[0].expires: must be a date, YYYY-MM-DD (got '2027-13-45')"),
    ("a time, not a date", "waivers: [{code: CC302, reason: r, expires: 2027-03-01T10:00:00}]",
     "2: waivers[0].expires: must be a date, YYYY-MM-DD"
     " (got datetime.datetime(2027, 3, 1, 10, 0))"),
    ("words, not a date", "waivers: [{code: CC302, reason: r, expires: next spring}]",
     "2: waivers[0].expires: must be a date, YYYY-MM-DD (got 'next spring')"),
    ("a tagged timestamp that is none",
     "waivers: [{code: CC302, reason: r, expires: !!timestamp x}]",
     "2: waivers[0].expires: 'x' is not a valid date"),
    ("a tagged integer that is none", "ajp: {timeout_ms: !!int abc}",
     "2: ajp.timeout_ms: 'abc' is not a valid integer"),
    ("a tagged boolean that is none", "defaults: {ssh: {become: !!bool maybe}}",
     "2: defaults.ssh.become: 'maybe' is not a valid boolean"),
    ("warn above fail", "ntp:\n  warn_ms: 2000\n  fail_ms: 1000",
     "3: ntp.warn_ms: ntp.warn_ms 2000 is above ntp.fail_ms 1000: it could never warn"),
    ("spread warn above spread fail", "ntp: {spread_warn_ms: 500, spread_fail_ms: 100}",
     "2: ntp.spread_warn_ms: ntp.spread_warn_ms 500 is above ntp.spread_fail_ms 100: it could"
     " never warn"),
    ("fail below the default warn", "ntp:\n  servers: [a]\n  fail_ms: 50",
     "4: ntp.warn_ms: ntp.warn_ms 100 (the default) is above ntp.fail_ms 50: it could never warn"),
    ("sudo on Windows", "defaults: {os: windows, ssh: {become: true}}",
     "4: nodes.t1.ssh.become: Windows has no sudo: log in as an administrator instead"
     " (ssh.become: false)"),
]  # fmt: skip


@pytest.mark.parametrize(("head", "problem"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_impossible_values_are_one_line_with_file_line_and_field(
    tmp_path: Path, head: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, f"cluster: x\n{head}\n{NODE}")
    assert main(["run", str(path)]) == 2
    assert capsys.readouterr().err == f"clustercheck: {path}:{problem}\n"  # not an internal error


def test_a_waiver_file_s_problems_name_that_file_and_its_lines(tmp_path: Path) -> None:
    (tmp_path / "waivers.yaml").write_text(
        "- {code: CC302, reason: upgrade window}\n- code: CC701\n  expires: '2027-02-30'\n"
    )
    found = problems(tmp_path, f"cluster: x\nwaivers: waivers.yaml\n{NODE}")
    waivers = tmp_path / "waivers.yaml"
    assert found == [
        f"{waivers}:2: waivers[1].reason: required",
        f"{waivers}:3: waivers[1].expires: must be a date, YYYY-MM-DD (got '2027-02-30')",
    ]


def test_a_waiver_s_date_is_a_date_and_goes_through_a_snapshot_unchanged(tmp_path: Path) -> None:
    from clustercheck.collect.redact import Redactor
    from clustercheck.collect.snapshot import _inventory_yaml

    settings = load_inventory(
        write(
            tmp_path,
            f"cluster: x\nwaivers: [{{code: CC302, reason: r, expires: 2027-03-31}}]\n{NODE}",
        )
    )
    assert settings.waivers[0].expires == date(2027, 3, 31)
    again = write(tmp_path, _inventory_yaml(settings, Redactor({}, ())))
    assert load_inventory(again).waivers == settings.waivers
