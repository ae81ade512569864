"""`clustercheck discover` against the real lab: from its two front ends (web1 with mod_jk,
web2 with mod_proxy_ajp) it finds both httpds and the three Tomcats, and the inventory it
writes judges the lab exactly as the lab's own; members that reach no Tomcat (stray-members:
a host of the subnet where nothing answers, a port of n3 where no Tomcat listens) are TODOs
with the reason; a second Tomcat started on n3 is told apart from the first by its port."""

from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import labprobe
import labproc
import pytest
from lab import AJP_PORT, CATALINA_HOME, JAVA_HOME, JAVA_OPTS, STRAY_HOST, STRAY_PORT, Lab

from clustercheck.cli.main import main
from clustercheck.inventory.loader import load_inventory

pytestmark = pytest.mark.lab

SECOND_SERVER_XML = """<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="{port}" protocol="AJP/1.3" address="{ip}" secretRequired="false"/>
    <Engine name="Catalina" defaultHost="localhost" jvmRoute="{route}">
      <Host name="localhost" appBase="webapps" autoDeploy="false"/>
    </Engine>
  </Service>
</Server>
"""


def _discover(lab: Lab, out: Path, *nodes: int) -> int:
    hosts = [f"root@{lab.ip(n)}" for n in nodes]
    keys = ["--identity-file", str(lab.identity_file), "--known-hosts", str(lab.known_hosts)]
    return main(["discover", *hosts, *keys, "--cluster", "lab", "-o", str(out), "--force"])


def _results(inventory: Path, report: Path, names: dict[str, str]) -> Counter[tuple[str, ...]]:
    main(["run", str(inventory), "--json", str(report), "-q"])
    results = json.loads(report.read_text())["results"]
    return Counter((r["code"], names.get(r["node"], r["node"] or ""), r["status"]) for r in results)


def test_discovered_inventory_judges_the_lab_as_its_own(lab: Lab, tmp_path: Path) -> None:
    out = tmp_path / "discovered.yaml"
    started = time.monotonic()
    assert _discover(lab, out, 1, 2) == 0
    took = time.monotonic() - started
    nodes = {n.name: n for n in load_inventory(out).nodes}
    web1, web2 = f"httpd-{lab.ip(1)}", f"httpd-{lab.ip(2)}"
    assert sorted(nodes) == sorted([web1, web2, "tomcat01", "tomcat02", "tomcat03"])
    assert nodes[web1].apache.httpd_conf == str(lab.httpd_conf(1))
    assert nodes[web2].apache.httpd_conf == str(lab.httpd_conf(2))
    for n in (1, 2, 3):
        tomcat = nodes[lab.route(n)]
        assert (tomcat.host, tomcat.tomcat.catalina_base) == (lab.ip(n), str(lab.catalina_base(n)))
    print(f"discovering the lab took {took:.2f} s")  # the README's figure
    theirs = _results(lab.inventory, tmp_path / "lab.json", {"web1": web1, "web2": web2})
    ours = _results(out, tmp_path / "discovered.json", {})
    assert ours == theirs


@contextmanager
def _second_tomcat(lab: Lab, node: int, port: int, route: str, base: Path) -> Iterator[None]:
    """Another Tomcat instance in the node's namespace: its own catalina.base, an AJP connector
    on `port`, no cluster (it must not join the lab's); stopped after."""
    shutil.copytree(lab.catalina_base(node) / "conf", base / "conf")
    for folder in ("logs", "temp", "work", "webapps"):
        (base / folder).mkdir(exist_ok=True)
    server = SECOND_SERVER_XML.format(port=port, ip=lab.ip(node), route=route)
    (base / "conf" / "server.xml").write_text(server)
    env = {
        **labproc.CLEAN_ENV,
        "JAVA_HOME": JAVA_HOME,
        "CATALINA_HOME": str(CATALINA_HOME),
        "CATALINA_BASE": str(base),
        "JAVA_OPTS": JAVA_OPTS,
    }
    argv = [*lab.net.exec_argv(node), str(CATALINA_HOME / "bin" / "catalina.sh"), "run"]
    proc = labproc.spawn(argv, base / "logs" / "catalina.out", env)
    try:
        deadline = time.monotonic() + 60
        while not labprobe.tcp_open(lab.ip(node), port):
            assert proc.alive() and time.monotonic() < deadline, "the second Tomcat did not start"
            time.sleep(0.2)
        yield
    finally:
        labproc.stop([proc])


def test_strays_are_todos_and_a_second_instance_is_told_apart(lab: Lab, tmp_path: Path) -> None:
    out = tmp_path / "discovered.yaml"
    stray99 = lab.net.address(STRAY_HOST)
    with lab.fault("stray-members"):
        assert _discover(lab, out, 1) == 0
        text = out.read_text()
        assert sorted(n.name for n in load_inventory(out).nodes) == [
            f"httpd-{lab.ip(1)}",
            "tomcat01",
            "tomcat02",
            "tomcat03",
        ]
        todos = [line.strip() for line in text.splitlines() if line.strip().startswith("# TODO ")]
        assert len(todos) == 2
        assert f"({stray99}:{AJP_PORT}): host not reached: " in todos[0]
        assert todos[1].endswith(
            f"({lab.ip(3)}:{STRAY_PORT}): no running Tomcat has an AJP connector on port "
            f"{STRAY_PORT} ({lab.catalina_base(3)})"
        )

        second = tmp_path / "second"
        with _second_tomcat(lab, 3, STRAY_PORT, "tomcat03b", second):
            assert _discover(lab, out, 1) == 0
        text = out.read_text()
        nodes = {n.name: n for n in load_inventory(out).nodes}
        assert (nodes["tomcat03b"].host, nodes["tomcat03b"].tomcat.catalina_base) == (
            lab.ip(3),
            str(second),
        )
        assert nodes["tomcat03"].tomcat.catalina_base == str(lab.catalina_base(3))
        lines = text.splitlines()
        at = next(i for i, line in enumerate(lines) if line.strip() == '"tomcat03b":')
        notes = []  # tomcat03b's comment lines, written just over it
        for line in reversed(lines[:at]):
            if not line.strip().startswith("#"):
                break
            notes.append(line)
        assert any("# serves worker stray03 of" in line for line in notes), notes
        assert [line for line in text.splitlines() if line.strip().startswith("# TODO ")] == [
            line for line in text.splitlines() if "TODO worker stray99" in line
        ]
