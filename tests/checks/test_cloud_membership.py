"""CC507 cloud-membership and CC505's comparison per membership kind, on public cloud setups.

The server.xml files and Kubernetes manifests are public: the shared corpus's serverxml/14 and
16, and the cloud setups kept in tests/fixtures/cloud/ (sources in tests/fixtures/README.md).
A manifest's container `env:` is what the pod's Tomcat starts with: its literal values, and
`fieldRef: metadata.namespace` as the kubelet fills it in (the namespace the manifest is applied
to), given to clustercheck as the inventory's `tomcat.environment`. The environment of a real
process is read through the local transport.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from clusterfiles import BASE, build, catalina_jar, judge, outcome, server_xml, web_xml

from clustercheck.collect.environment import gather_environment
from clustercheck.collect.reader import NodeReader
from clustercheck.collect.transports.localfs import LocalTransport
from clustercheck.facts.runtime import RuntimeFacts, ServerProcess
from clustercheck.inventory.settings import NodeSettings, TomcatSettings
from clustercheck.knowledge.cloud import CLOUD_VARIABLES

T1, T2, T3 = "tomcat01", "tomcat02", "tomcat03"
NAMESPACE = "shop"  # the namespace the manifests are applied to
CLOUD = Path(__file__).parents[1] / "fixtures" / "cloud"  # absolute: `corpus / CLOUD/x` is CLOUD/x
K8S_XML = f"{CLOUD}/01_hasalex_tomcat-cluster-examples_server-k8s.xml"  # provider: full class name
SHORTCUT_XML = "serverxml/14_bee-infraverse_tomcat-cluster-lab_cloud-membership-k8s.xml"
DNS_XML = "serverxml/16_hasalex_tomcat-cluster-examples_dns-membership-encrypt.xml"
LABELLED = f"{CLOUD}/02_hasalex_tomcat-cluster-examples_deploy-k8s-labels.yaml"
DNS_POD = f"{CLOUD}/03_hasalex_tomcat-cluster-examples_deploy-dns.yaml"
STATEFULSET = f"{CLOUD}/05_bee-infraverse_tomcat-cluster-lab_statefulset-env.yaml"


def pod_environment(manifest: Path, namespace: str = NAMESPACE) -> dict[str, str]:
    """The cloud-membership variables the manifest's first container starts with."""
    for document in yaml.safe_load_all(manifest.read_text(encoding="utf-8")):
        if document and document.get("kind") in ("Deployment", "StatefulSet"):
            container = document["spec"]["template"]["spec"]["containers"][0]
            found = {}
            for item in container.get("env", []):
                field = (item.get("valueFrom") or {}).get("fieldRef", {}).get("fieldPath")
                value = namespace if field == "metadata.namespace" else item.get("value")
                if item["name"] in CLOUD_VARIABLES and value is not None:
                    found[item["name"]] = str(value)
            return found
    raise AssertionError(f"no workload in {manifest}")


def cloud_cluster(
    tmp: Path,
    corpus: Path,
    xml: str,
    env: Mapping[str, Mapping[str, str]] | None = None,
    version: str = "10.1.60",
    extra: Mapping[str, Mapping[str, str]] | None = None,
) -> Path:
    """Three Tomcat nodes running the corpus's server.xml `xml` (a path in the corpus, or the
    text itself), with each node's environment (`env[name]`) and extra files."""
    text = (corpus / xml).read_text(encoding="utf-8") if xml.endswith(".xml") else xml
    nodes: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for index, name in enumerate((T1, T2, T3), 1):
        tomcat: dict[str, Any] = {"catalina_base": BASE}
        if env and name in env:
            tomcat["environment"] = dict(env[name])
        nodes[name] = {"host": f"10.0.0.{10 + index}", "roles": ["tomcat"], "tomcat": tomcat}
        files[name] = {
            f"{BASE}/conf/server.xml": text,
            f"{BASE}/lib/catalina.jar": catalina_jar(version),
            f"{BASE}/webapps/shop/WEB-INF/web.xml": web_xml(True),
            **(extra or {}).get(name, {}),
        }
    return build(tmp, nodes, files)


def same(env: Mapping[str, str]) -> dict[str, Mapping[str, str]]:
    return {T1: env, T2: env, T3: env}


def messages(results: list[Any]) -> str:
    return "\n".join(r.message for r in results)


SETENV_LITERAL = """\
#!/bin/sh
# cloud membership: the pods of this namespace with the application's label
export KUBERNETES_NAMESPACE=shop
export KUBERNETES_LABELS="app=shop,tier=web"
CATALINA_OPTS="$CATALINA_OPTS -Xmx1g"
"""
SETENV_COMPUTED = """\
#!/bin/sh
KUBERNETES_NAMESPACE=${POD_NAMESPACE:-shop}
export KUBERNETES_NAMESPACE
"""


def test_pod_environment_of_the_manifests(corpus_dir: Path) -> None:
    """What the test takes from each manifest: only the variables cloud membership reads."""
    assert pod_environment(corpus_dir / LABELLED) == {
        "KUBERNETES_NAMESPACE": NAMESPACE,
        "KUBERNETES_LABELS": "app=tomcat",
    }
    assert pod_environment(corpus_dir / DNS_POD) == {"DNS_MEMBERSHIP_SERVICE_NAME": "tomcat0"}
    assert pod_environment(corpus_dir / STATEFULSET) == {
        "DNS_MEMBERSHIP_SERVICE_NAME": "tomcat-membership",
        "KUBERNETES_SERVICE_HOST": "kubernetes.default.svc.cluster.local",
        "KUBERNETES_NAMESPACE": NAMESPACE,
        "KUBERNETES_LABELS": "app=tomcat",
    }


# (id, server.xml, manifest for every node's env, version, extra files, expected, fragment)
CC507_CASES = [
    ("k8s-labelled", K8S_XML, LABELLED, "10.1.60", None, "pass", "labelled 'app=tomcat'"),
    ("shortcut-statefulset", SHORTCUT_XML, STATEFULSET, "11.0.5", None, "pass", "'shop'"),
    ("k8s-no-namespace", K8S_XML, DNS_POD, "10.1.60", None, "warn", "refuses to start"),
    ("k8s-no-labels", K8S_XML, DNS_POD, "10.1.60", None, "warn", "every Running pod"),
    ("dns-named", DNS_XML, DNS_POD, "10.1.60", None, "pass", "headless Service"),
    ("dns-unnamed", DNS_XML, LABELLED, "10.1.60", None, "warn", "looks up 'shop'"),
    ("dns-too-old", DNS_XML, DNS_POD, "9.0.14", None, "fail", "added in 9.0.15"),
    ("cloud-on-8.5", K8S_XML, LABELLED, "8.5.100", None, "skip", "CC602"),
    ("setenv", K8S_XML, None, "10.1.60", {"bin/setenv.sh": SETENV_LITERAL}, "pass", "setenv.sh:4"),
    ("setenv-computed", K8S_XML, None, "9.0.100", {"bin/setenv.sh": SETENV_COMPUTED}, "warn", ""),
    ("nothing-anywhere", K8S_XML, None, "10.1.60", None, "warn", "was not read"),
]


@pytest.mark.parametrize(
    ("xml", "manifest", "version", "extra", "status", "fragment"),
    [pytest.param(*c[1:], id=c[0]) for c in CC507_CASES],
)
def test_cc507(
    tmp_path: Path,
    corpus_dir: Path,
    xml: str,
    manifest: str | None,
    version: str,
    extra: Mapping[str, str] | None,
    status: str,
    fragment: str,
) -> None:
    env = same(pod_environment(corpus_dir / manifest)) if manifest else None
    files = {name: {f"{BASE}/{p}": text for p, text in (extra or {}).items()} for name in (T1,)}
    inventory = cloud_cluster(tmp_path, corpus_dir, xml, env, version, files)
    results = [r for r in judge(inventory, "CC507") if r.node == T1]
    assert status in {r.status.value for r in results}, messages(results)
    assert fragment in messages(results)


def test_cc507_provider_shortcut_is_case_sensitive(tmp_path: Path, corpus_dir: Path) -> None:
    text = (corpus_dir / SHORTCUT_XML).read_text(encoding="utf-8")
    text = text.replace(
        'membershipProviderClassName="kubernetes"', 'membershipProviderClassName="DNS"'
    )
    inventory = cloud_cluster(tmp_path, corpus_dir, text, same({"KUBERNETES_NAMESPACE": "x"}))
    results = judge(inventory, "CC507")
    assert outcome(results) == {(T1, "fail"), (T2, "fail"), (T3, "fail")}
    assert "case-sensitive" in results[0].message


def test_cc507_setenv_points_at_its_lines(tmp_path: Path, corpus_dir: Path) -> None:
    """A computed value counts as set; the missing labels point at server.xml's Membership."""
    files = {T1: {f"{BASE}/bin/setenv.sh": SETENV_COMPUTED}}
    inventory = cloud_cluster(tmp_path, corpus_dir, K8S_XML, None, "10.1.60", files)
    results = [r for r in judge(inventory, "CC507") if r.node == T1]
    assert [(r.status.value, r.line) for r in results] == [("warn", 28)], messages(results)
    assert "KUBERNETES_LABELS is not set" in results[0].message
    assert f"{BASE}/bin/setenv.sh" in results[0].message
    passing = cloud_cluster(
        tmp_path / "lit",
        corpus_dir,
        K8S_XML,
        None,
        "10.1.60",
        {T1: {f"{BASE}/bin/setenv.sh": SETENV_LITERAL}},
    )
    ok = [r for r in judge(passing, "CC507") if r.node == T1]
    assert [r.status.value for r in ok] == ["pass"]
    assert "'app=shop,tier=web'" in ok[0].message
    assert "multicast" not in ok[0].message


def test_cc507_skips_other_memberships(tmp_path: Path) -> None:
    nodes = {T1: {"host": "10.0.0.11", "roles": ["tomcat"]}}
    files: dict[str, dict[str, str | bytes]] = {
        T1: {
            f"{BASE}/conf/server.xml": server_xml(),
            f"{BASE}/lib/catalina.jar": catalina_jar("10.1.60"),
        }
    }
    results = judge(build(tmp_path, nodes, files), "CC507")
    assert outcome(results) == {(T1, "skip")}


# ----------------------------------------------------------------------------- CC505 per kind


def test_cc505_cloud_agrees(tmp_path: Path, corpus_dir: Path) -> None:
    env = same(pod_environment(corpus_dir / LABELLED))
    results = judge(cloud_cluster(tmp_path, corpus_dir, K8S_XML, env), "CC505")
    assert outcome(results) == {(None, "pass")}
    assert "KubernetesMembershipProvider, namespace shop, labels app=tomcat" in results[0].message


def test_cc505_cloud_labels_differ(tmp_path: Path, corpus_dir: Path) -> None:
    env = same(pod_environment(corpus_dir / LABELLED))
    env[T3] = {**env[T3], "KUBERNETES_LABELS": "app=shop"}
    results = judge(cloud_cluster(tmp_path, corpus_dir, K8S_XML, env), "CC505")
    assert outcome(results) == {(None, "fail")}
    assert (
        "labels differs: tomcat03: app=shop; tomcat01, tomcat02: app=tomcat" in results[0].message
    )


def test_cc505_cloud_providers_differ(tmp_path: Path, corpus_dir: Path) -> None:
    """One node on the DNS provider: the others' Kubernetes provider never lists it."""
    dns = (corpus_dir / DNS_XML).read_text(encoding="utf-8")
    env = same(pod_environment(corpus_dir / STATEFULSET))
    files = {T2: {f"{BASE}/conf/server.xml": dns}}
    results = judge(cloud_cluster(tmp_path, corpus_dir, SHORTCUT_XML, env, extra=files), "CC505")
    assert outcome(results) == {(None, "fail")}
    assert (
        "provider differs: tomcat02: DNSMembershipProvider; "
        "tomcat01, tomcat03: KubernetesMembershipProvider" in results[0].message
    )


STATIC = """
      <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster" channelStartOptions="15">
        <Channel className="org.apache.catalina.tribes.group.GroupChannel">
          <Membership className="org.apache.catalina.tribes.membership.StaticMembershipService">
MEMBERS
          </Membership>
        </Channel>
      </Cluster>"""
MEMBER = """            <Member className="org.apache.catalina.tribes.membership.StaticMember"
                host="10.0.0.{n}" port="4000" uniqueId="{{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,{n}}}"/>"""
LISTED = STATIC.replace("MEMBERS", "\n".join(MEMBER.format(n=n) for n in (11, 12, 13)))


def manager(attrs: str) -> str:
    """The default multicast Cluster with a Manager element."""
    return f"""
      <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster">
        <Manager className="org.apache.catalina.ha.session.{attrs}/>
      </Cluster>"""


CC505_CASES = [
    (
        "static-listed",
        {T1: LISTED, T2: LISTED, T3: LISTED},
        "pass",
        "StaticMembershipService static",
    ),
    (
        "static-one-without-list",
        {T1: LISTED, T2: LISTED, T3: STATIC.replace("MEMBERS", "")},
        "fail",
        "static members differs: tomcat01, tomcat02: listed; tomcat03: none",
    ),
    (
        "manager-class",
        {T1: manager('DeltaManager"'), T2: manager('DeltaManager"'), T3: manager('BackupManager"')},
        "fail",
        "manager differs",
    ),
    (
        "expire-on-shutdown",
        {T1: manager('DeltaManager" expireSessionsOnShutdown="TRUE"')},
        "fail",
        "expireSessionsOnShutdown differs: tomcat02, tomcat03: false; tomcat01: true",
    ),
    (
        "attribute-filter",
        {T2: manager('DeltaManager" sessionAttributeNameFilter="^(user|cart)$"')},
        "fail",
        "sessionAttributeNameFilter differs",
    ),
    (
        "notify-listeners-is-not-compared",
        {T2: manager('DeltaManager" notifyListenersOnReplication="false"')},
        "pass",
        "DeltaManager",
    ),
]


@pytest.mark.parametrize(
    ("clusters", "status", "fragment"), [pytest.param(*c[1:], id=c[0]) for c in CC505_CASES]
)
def test_cc505_per_kind(
    tmp_path: Path, clusters: Mapping[str, str], status: str, fragment: str
) -> None:
    nodes: dict[str, Any] = {}
    files: dict[str, dict[str, str | bytes]] = {}
    for index, name in enumerate((T1, T2, T3), 1):
        nodes[name] = {"host": f"10.0.0.{10 + index}", "roles": ["tomcat"]}
        files[name] = {
            f"{BASE}/conf/server.xml": server_xml(name, cluster=clusters.get(name)),
            f"{BASE}/lib/catalina.jar": catalina_jar("10.1.60"),
        }
    results = judge(build(tmp_path, nodes, files), "CC505")
    assert outcome(results) == {(None, status)}, messages(results)
    assert fragment in results[0].message


# ------------------------------------------------------------------ the process environment


def test_process_environment_keeps_only_cloud_variables(tmp_path: Path) -> None:
    """Read from a real process through the local transport: the cloud variables, and nothing
    else of its environment, neither in the facts nor anywhere they are written."""
    secret = "hunter2-never-kept"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "KUBERNETES_NAMESPACE": "shop",
        "KUBERNETES_LABELS": "app=shop",
        "DB_PASSWORD": secret,
        "KUBERNETES_CLIENT_KEY_PASSWORD": secret,
        "XKUBERNETES_LABELS": secret,
    }
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"], env=env)
    try:
        node = NodeSettings(
            "t1",
            "127.0.0.1",
            ("tomcat",),
            transport="local",
            tomcat=TomcatSettings(
                catalina_base=str(tmp_path), environment={"KUBERNETES_LABELS": "app=old"}
            ),
        )
        (tmp_path / "bin").mkdir()
        (tmp_path / "bin/setenv.sh").write_text("export KUBERNETES_NAMESPACE=fromfile\n")
        transport = LocalTransport()
        runtime = RuntimeFacts(0.0, tomcat=ServerProcess(child.pid, "root", 0.0))
        facts = gather_environment(transport, NodeReader(transport), node, runtime)
    finally:
        child.kill()
        child.wait()
    assert facts.process and facts.process_error is None
    assert {n: (s.value, s.source) for n, s in facts.variables.items()} == {
        "KUBERNETES_NAMESPACE": ("shop", f"the environment of the running Tomcat, pid {child.pid}"),
        "KUBERNETES_LABELS": (
            "app=shop",
            f"the environment of the running Tomcat, pid {child.pid}",
        ),
    }
    assert secret not in repr(facts.to_json())


def test_process_environment_of_a_gone_process_says_why(tmp_path: Path) -> None:
    node = NodeSettings(
        "t1",
        "127.0.0.1",
        ("tomcat",),
        transport="local",
        tomcat=TomcatSettings(catalina_base=str(tmp_path)),
    )
    transport = LocalTransport()
    runtime = RuntimeFacts(0.0, tomcat=ServerProcess(2**22 + 7, "root", 0.0))
    facts = gather_environment(transport, NodeReader(transport), node, runtime)
    assert not facts.process and facts.variables == {}
    assert facts.process_error and "/proc/4194311/environ could not be read" in facts.process_error


# Debian 12's tomcat10 package unit (/lib/systemd/system/tomcat10.service on this machine), and
# the drop-in `systemctl edit tomcat10` writes.
DEBIAN_UNIT = Path("/lib/systemd/system/tomcat10.service")
DROP_IN = """\
### Editing /etc/systemd/system/tomcat10.service.d/override.conf
### Anything between here and the comment below will become the contents of the drop-in file

[Service]
Environment="KUBERNETES_NAMESPACE=shop" "KUBERNETES_LABELS=app=shop,tier=web"
Environment=DNS_MEMBERSHIP_SERVICE_NAME=ignored-by-the-kubernetes-provider

### Edits below this comment will be discarded
"""


def test_systemd_unit_and_drop_in(tmp_path: Path, corpus_dir: Path) -> None:
    """The unit named in the inventory: its file from the load path, then its drop-ins."""
    if not DEBIAN_UNIT.is_file():
        pytest.skip("Debian's tomcat10 package is not installed")
    files = {
        T1: {
            str(DEBIAN_UNIT): DEBIAN_UNIT.read_text(encoding="utf-8"),
            "/etc/systemd/system/tomcat10.service.d/override.conf": DROP_IN,
        }
    }
    inventory = cloud_cluster(tmp_path, corpus_dir, K8S_XML, None, "10.1.60", files)
    text = inventory.read_text(encoding="utf-8").replace(
        "catalina_base: /opt/tomcat\n",
        "catalina_base: /opt/tomcat\n      systemd_unit: tomcat10\n",
        1,
    )
    inventory.write_text(text, encoding="utf-8")
    results = [r for r in judge(inventory, "CC507") if r.node == T1]
    assert [r.status.value for r in results] == ["pass"], messages(results)
    override = "/etc/systemd/system/tomcat10.service.d/override.conf"
    assert f"KUBERNETES_LABELS in {override}:5" in results[0].message
    assert results[0].details["variables"]["DNS_MEMBERSHIP_SERVICE_NAME"]["line"] == 6
