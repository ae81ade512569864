"""Builds small clusters out of real files (the `files` transport) and judges them with the real
engine, so check tests are tables of inputs and expected results, not hand-made facts."""

from __future__ import annotations

import dataclasses
import textwrap
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from clustercheck.collect.gather import gather
from clustercheck.derive.derived import Derived
from clustercheck.derive.frontend import Module
from clustercheck.engine.registry import load_checks, select
from clustercheck.engine.results import Result
from clustercheck.engine.runner import run_checks
from clustercheck.facts.jvm import JvmFacts
from clustercheck.inventory.loader import load_inventory

BASE = "/opt/tomcat"
JK_CONF = "/etc/httpd/conf.d/mod_jk.conf"


def server_xml(
    jvm_route: str | None = "tomcat01",
    ajp_port: int = 8009,
    *,
    ajp_extra: str = 'address="0.0.0.0" secret="s3cret"',
    cluster: str | None = None,
    engine_extra: str = "",
) -> str:
    """A Tomcat 10 server.xml with an AJP connector and, by default, a multicast Cluster."""
    route = f' jvmRoute="{jvm_route}"' if jvm_route is not None else ""
    if cluster is None:
        cluster = """
      <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster">
        <Channel className="org.apache.catalina.tribes.group.GroupChannel">
          <Membership className="org.apache.catalina.tribes.membership.McastService"
                      address="228.0.0.4" port="45564" frequency="500" dropTime="3000"/>
        </Channel>
      </Cluster>"""
    text = textwrap.dedent(f"""\
        <?xml version="1.0" encoding="UTF-8"?>
        <Server port="-1" shutdown="SHUTDOWN">
          <Service name="Catalina">
            <Connector port="8080" protocol="HTTP/1.1"/>
            <Connector port="{ajp_port}" protocol="AJP/1.3" {ajp_extra}/>
            <Engine name="Catalina" defaultHost="localhost"{route}{engine_extra}>CLUSTER
              <Host name="localhost" appBase="webapps"/>
            </Engine>
          </Service>
        </Server>
        """)
    return text.replace("CLUSTER", cluster)


def web_xml(distributable: bool = True) -> str:
    inner = "\n  <distributable/>" if distributable else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">'
        f"\n  <display-name>app</display-name>{inner}\n</web-app>\n"
    )


def catalina_jar(version: str) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(
            "org/apache/catalina/util/ServerInfo.properties",
            f"server.info=Apache Tomcat/{version}\nserver.number={version}.0\n",
        )
    return buffer.getvalue()


def war(files: Mapping[str, str]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return buffer.getvalue()


def tomcat_files(
    jvm_route: str | None = "tomcat01",
    version: str = "10.1.60",
    apps: Mapping[str, bool] | None = None,
    **server: Any,
) -> dict[str, str | bytes]:
    """Files of one Tomcat node at BASE: server.xml, catalina.jar, unpacked webapps."""
    files: dict[str, str | bytes] = {
        f"{BASE}/conf/server.xml": server_xml(jvm_route, **server),
        f"{BASE}/lib/catalina.jar": catalina_jar(version),
    }
    for name, dist in (apps if apps is not None else {"shop": True}).items():
        files[f"{BASE}/webapps/{name}/WEB-INF/web.xml"] = web_xml(dist)
    return files


def apache_files(workers: str, jk_conf: str | None = None) -> dict[str, str | bytes]:
    conf = jk_conf or "JkWorkersFile conf/workers.properties\nJkMount /* lb\n"
    return {JK_CONF: conf, "/etc/httpd/conf/workers.properties": textwrap.dedent(workers)}


def build(
    tmp: Path,
    nodes: Mapping[str, Mapping[str, Any]],
    files: Mapping[str, Mapping[str, str | bytes]],
    **top: Any,
) -> Path:
    """Write each node's files under tmp/NAME and an inventory of `files` nodes; return it.

    `nodes` maps a node name to its inventory fields (host, roles, sections); `files` maps a node
    name to {path on the node: content}."""
    inventory: dict[str, Any] = {"cluster": "test", **top, "nodes": {}}
    for name, fields in nodes.items():
        node = {"transport": "files", "root": name, **fields}
        if "tomcat" in node["roles"]:
            node.setdefault("tomcat", {"catalina_base": BASE})
        if "apache" in node["roles"]:
            node.setdefault("apache", {"jk_conf": JK_CONF, "server_root": "/etc/httpd"})
        inventory["nodes"][name] = node
        (tmp / name).mkdir(parents=True, exist_ok=True)
        for path, content in files.get(name, {}).items():
            target = tmp / name / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
    written = tmp / "inventory.yaml"
    written.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    return written


Expected = tuple[tuple[str, str, str], ...]  # (code, status, fragment of the message)


def assert_says(results: list[Result], expected: Expected, node: str = "web1") -> None:
    """A family's results on one node say what is expected: each (code, status, fragment) is
    in the results of that code (a family code: of each member), and no member gives a warn,
    fail or error that is not expected of it."""
    said = [(r.code, r.status.value, r.message) for r in results]
    members = {r.code for r in results}
    assert {r.node for r in results} == {node}, said
    findings = {(c, s) for c, s, _ in said if s != "pass"}
    wanted = {(c, s) for code, s, _ in expected if s != "pass" for c in of(members, code)}
    assert findings == wanted, said
    for code, status, fragment in expected:
        for member in of(members, code):
            assert any((c, s) == (member, status) and fragment in m for c, s, m in said), (
                member,
                status,
                fragment,
                said,
            )


def of(members: set[str], code: str) -> list[str]:
    """The members a code stands for: itself, or every member of a family."""
    return sorted(member for member in members if member.startswith(code))


def judge(inventory: Path, *codes: str) -> list[Result]:
    """Run the named checks (all when none) over the inventory with the real engine."""
    settings = load_inventory(inventory)
    checks = select(load_checks(), list(codes))
    return run_checks(checks, gather(settings))


def judge_live(
    inventory: Path,
    code: str,
    addresses: Mapping[str, Sequence[str]] | None = None,
    jvm_options: Mapping[str, str] | None = None,
    proxy: bool = False,
) -> list[Result]:
    """Like `judge`, with what a live run adds laid into the facts as a snapshot gives it:
    each node's interface addresses, the -D networking options of each running Tomcat.
    `proxy` makes every member a mod_proxy BalancerMember of the same host and port (the way
    to judge one until the mod_proxy front end is read from httpd.conf)."""
    facts = gather(load_inventory(inventory))
    for name, found in (addresses or {}).items():
        facts.nodes[name].live.addresses = list(found)
    if jvm_options is not None:
        for node in facts.tomcats:
            node.live.jvm = JvmFacts(
                "java", "running Tomcat process 812", "17.0.15", net_options=dict(jvm_options)
            )
    derived = Derived(facts)
    if proxy:
        derived.__dict__["targets"] = tuple(
            dataclasses.replace(
                t,
                member=dataclasses.replace(
                    t.member,
                    module=Module.MOD_PROXY,
                    name=f"ajp://{t.host}:{t.port}",
                    prefer_ipv6=None,
                    worker=None,
                ),
            )
            for t in derived.targets
        )
    return run_checks(select(load_checks(), [code]), facts, derived)


def outcome(results: list[Result]) -> set[tuple[str | None, str]]:
    """(node, status) pairs: what most tables assert."""
    return {(r.node, r.status.value) for r in results}


def three_tomcats(
    tmp: Path,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    workers: str | None = None,
    apache: bool = True,
) -> Path:
    """A healthy cluster: web1 (apache) in front of tomcat01..03, each on its own host; pass
    `overrides[name]` as keyword arguments of tomcat_files to break one node."""
    overrides = overrides or {}
    nodes: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for index in (1, 2, 3):
        name = f"tomcat0{index}"
        nodes[name] = {"host": f"10.0.0.{10 + index}", "roles": ["tomcat"]}
        files[name] = tomcat_files(**{"jvm_route": name, **overrides.get(name, {})})
    if apache:
        nodes["web1"] = {"host": "10.0.0.1", "roles": ["apache"]}
        files["web1"] = apache_files(workers or HEALTHY_WORKERS)
    return build(tmp, nodes, files)


HEALTHY_WORKERS = """\
    worker.list=lb,status
    worker.template.type=ajp13
    worker.template.port=8009
    worker.template.secret=s3cret
    worker.tomcat01.reference=worker.template
    worker.tomcat01.host=10.0.0.11
    worker.tomcat02.reference=worker.template
    worker.tomcat02.host=10.0.0.12
    worker.tomcat03.reference=worker.template
    worker.tomcat03.host=10.0.0.13
    worker.lb.type=lb
    worker.lb.balance_workers=tomcat01,tomcat02,tomcat03
    worker.status.type=status
    """


# Debian 12's /etc/hosts (netbase) on a host named web1: localhost is 127.0.0.1 and ::1
DEBIAN_HOSTS = """\
127.0.0.1\tlocalhost
127.0.1.1\tweb1.example.org\tweb1

# The following lines are desirable for IPv6 capable hosts
::1     localhost ip6-localhost ip6-loopback
ff02::1 ip6-allnodes
ff02::2 ip6-allrouters
"""


def one_host(
    tmp: Path,
    workers: str,
    ajp: str,
    hosts: str | None = DEBIAN_HOSTS,
    version: str = "10.1.60",
    properties: Mapping[str, str] | None = None,
    extra: Mapping[str, str] | None = None,
) -> Path:
    """httpd and a Tomcat on one host (web1, 10.0.0.1), as the seed and most small sites run
    them: this workers file, this AJP connector (its attributes), this /etc/hosts, the
    inventory's system_properties and `extra` files (path on the node: text)."""
    files: dict[str, str | bytes] = {
        **tomcat_files("tomcat01", version=version, ajp_extra=ajp),
        **apache_files(workers),
        **(extra or {}),
    }
    if hosts is not None:
        files["/etc/hosts"] = hosts
    tomcat: dict[str, Any] = {"catalina_base": BASE}
    if properties:
        tomcat["system_properties"] = dict(properties)
    node = {"host": "10.0.0.1", "roles": ["apache", "tomcat"], "tomcat": tomcat}
    return build(tmp, {"web1": node}, {"web1": files})
