"""CC303 wire-compatibility on real server.xml files of the corpus (../shared/corpus/serverxml,
sources in its SOURCES.md), each node given a Tomcat version through its catalina.jar: which
boundaries a cluster crosses, and which nodes the check puts on which side."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from clusterfiles import BASE, build, catalina_jar, judge

from clustercheck.knowledge.wire import BOUNDARIES

T6 = "11_Vengat_tomcat-cluster-with-apache_tomcat6-node1.xml"  # Tomcat 6.0.53, DeltaManager
T7 = "19_ramkicse_tomcat-clustering-session-replication-_tc7-instance1.xml"  # Tomcat 7
T9 = "09_AdoreJE_docker-httpd-tomcat-cluster_tc9-secretrequired.xml"  # DeltaManager, no encryption
BACKUP = "12_adrianeOliveira_tomcat-clustering-in-docker_backup-throughput.xml"  # BackupManager
NO_MANAGER = "03_andrewliles_docker-nginx-http2-tomcat_mcast-no-manager.xml"  # DeltaManager default
NO_CLUSTER = "28_drshiki_app-test-env_nocluster-tc9.xml"
# As published, its EncryptInterceptor (without encryptionAlgorithm) sits in the <Cluster>, where
# Tomcat has no rule for an <Interceptor> (CC601's finding): this cluster encrypts nothing.
MISPLACED = "16_hasalex_tomcat-cluster-examples_dns-membership-encrypt.xml"


def in_channel(text: str) -> str:
    """MISPLACED's interceptors where its author meant them: in the Channel."""
    return text.replace("        </Channel>\n", "").replace(
        "      </Cluster>", "        </Channel>\n      </Cluster>"
    )


def with_gcm(text: str) -> str:
    """... and with the algorithm written, as the Tomcat docs advise."""
    return in_channel(text).replace(
        "encryptionKey=", 'encryptionAlgorithm="AES/GCM/NoPadding" encryptionKey='
    )


ENCRYPT = (MISPLACED, in_channel)
GCM = (MISPLACED, with_gcm)

Source = str | tuple[str, Callable[[str], str]]  # a corpus server.xml, or an edit of one
Node = tuple[Source, str | None]  # its server.xml and Tomcat version (None: no catalina.jar)


def cluster(tmp: Path, corpus: Path, nodes: dict[str, Node], inventory_version: str = "") -> Path:
    """tomcat01.. with these server.xml files and versions; the first node's inventory may
    state a version instead."""
    layout: dict[str, dict[str, Any]] = {}
    files: dict[str, dict[str, str | bytes]] = {}
    for index, (name, (source, version)) in enumerate(nodes.items()):
        file, edit = source if isinstance(source, tuple) else (source, str)
        text = edit((corpus / "serverxml" / file).read_text(encoding="utf-8"))
        layout[name] = {"host": f"10.0.0.{11 + index}", "roles": ["tomcat"]}
        if index == 0 and inventory_version:
            layout[name]["tomcat"] = {"catalina_base": BASE, "version": inventory_version}
        files[name] = {f"{BASE}/conf/server.xml": text}
        if version is not None:
            files[name][f"{BASE}/lib/catalina.jar"] = catalina_jar(version)
    return build(tmp, layout, files)


def three(source: Source, *versions: str) -> dict[str, Node]:
    return {f"tomcat0{i}": (source, v) for i, v in enumerate(versions, 1)}


# nodes → the boundaries crossed (details.boundary of each fail), the statuses, a message fragment
CASES = [
    pytest.param(three(ENCRYPT, "11.0.25", "11.0.25", "11.0.25"), set(), {"pass"}, "", id="same"),
    pytest.param(
        three(ENCRYPT, "11.0.22", "11.0.22", "11.0.23"),
        {"encrypt-replay-protection"},
        {"fail"},
        "the EncryptInterceptor's replay protection (from 9.0.119 / 10.1.56 / 11.0.23): "
        "tomcat01, tomcat02 on 11.0.22 before it, tomcat03 on 11.0.23 from it",
        id="replay-11.0",
    ),
    pytest.param(
        three(ENCRYPT, "9.0.118", "9.0.119", "9.0.119"),
        {"encrypt-replay-protection"},
        {"fail"},
        "tomcat01 on 9.0.118 before it",
        id="replay-9.0",
    ),
    pytest.param(
        three(ENCRYPT, "10.1.56", "10.1.57", "10.1.56"), set(), {"pass"}, "", id="replay-same-side"
    ),
    pytest.param(
        three(MISPLACED, "11.0.22", "11.0.22", "11.0.23"), set(), {"pass"}, "", id="misplaced"
    ),
    pytest.param(
        three(ENCRYPT, "10.1.57", "10.1.58", "10.1.59"),
        {"encrypt-default-algorithm"},
        {"fail"},
        "tomcat01 on 10.1.57 before it, tomcat02 on 10.1.58; tomcat03 on 10.1.59 from it",
        id="default-algorithm-10.1",
    ),
    pytest.param(
        three(GCM, "10.1.57", "10.1.58", "10.1.59"), set(), {"pass"}, "", id="algorithm-written"
    ),
    pytest.param(
        three(T9, "9.0.118", "9.0.119", "9.0.121"), set(), {"pass"}, "", id="no-encryption"
    ),
    pytest.param(
        three(ENCRYPT, "8.5.100", "9.0.119", "9.0.119"),
        {"encrypt-replay-protection"},
        {"fail"},
        "tomcat01 on 8.5.100 before it",
        id="8.5-never-got-it",
    ),
    pytest.param(
        {"tomcat01": (T9, "9.0.100"), "tomcat02": (T9, "9.0.100"), "tomcat03": (T9, "10.1.60")},
        {"javax-jakarta"},
        {"fail"},
        "the javax to jakarta namespace change of Tomcat 10 (from 10.0.0-M1): "
        "tomcat01, tomcat02 on 9.0.100 before it, tomcat03 on 10.1.60 from it",
        id="jakarta",
    ),
    pytest.param(
        {"tomcat01": (BACKUP, "9.0.100"), "tomcat02": (NO_MANAGER, "10.0.27")},
        {"javax-jakarta"},
        {"fail"},
        "tomcat02 on 10.0.27 from it",
        id="jakarta-backupmanager-and-default-manager",
    ),
    pytest.param(
        {"tomcat01": (ENCRYPT, "9.0.118"), "tomcat02": (ENCRYPT, "11.0.25")},
        {"javax-jakarta", "encrypt-replay-protection", "encrypt-default-algorithm"},
        {"fail"},
        "",
        id="three-at-once",
    ),
    pytest.param(
        {"tomcat01": (T6, "6.0.53"), "tomcat02": (T7, "7.0.109"), "tomcat03": (T7, "7.0.109")},
        {"tribes-member-format"},
        {"fail"},
        "the Tribes member format of Tomcat 7 (from 7.0.0): tomcat01 on 6.0.53 before it, "
        "tomcat02, tomcat03 on 7.0.109 from it",
        id="tomcat6-and-7",
    ),
    pytest.param(
        {"tomcat01": (T6, "6.0.53"), "tomcat02": (T6, "6.0.53")}, set(), {"pass"}, "", id="two-6"
    ),
    pytest.param(
        {
            "tomcat01": (T9, "9.0.119"),
            "tomcat02": (T9, "9.0.119"),
            "tomcat03": (NO_CLUSTER, "8.5.5"),
        },
        set(),
        {"pass"},
        "",
        id="not-a-member",
    ),
    pytest.param(
        {
            "tomcat01": (ENCRYPT, None),
            "tomcat02": (ENCRYPT, "11.0.22"),
            "tomcat03": (ENCRYPT, "11.0.23"),
        },
        {"encrypt-replay-protection"},
        {"skip", "fail"},
        "tomcat02 on 11.0.22 before it, tomcat03 on 11.0.23 from it",
        id="one-version-unknown",
    ),
    pytest.param(
        {"tomcat01": (ENCRYPT, "11.0.25"), "tomcat02": (T9, None)},
        set(),
        {"skip"},
        "fewer than two clustered nodes of known version",
        id="one-member-left",
    ),
]


@pytest.mark.parametrize(("nodes", "boundaries", "statuses", "message"), CASES)
def test_wire_compatibility(
    tmp_path: Path,
    corpus_dir: Path,
    nodes: dict[str, Node],
    boundaries: set[str],
    statuses: set[str],
    message: str,
) -> None:
    results = judge(cluster(tmp_path, corpus_dir, nodes), "CC303")
    said = [(r.node, r.status.value, r.message) for r in results]
    assert {r.status.value for r in results} == statuses, said
    failed = [r for r in results if r.status.value == "fail"]
    assert [r.details["boundary"] for r in failed] == [
        b.key for b in BOUNDARIES if b.key in boundaries
    ], said
    assert all(r.node is None for r in failed), said
    assert any(message in r.message for r in results), said


def test_a_vague_version_among_others_warns(tmp_path: Path, corpus_dir: Path) -> None:
    """tomcat.version "11.0" in the inventory: 11.0 releases lie on both sides of 11.0.23 and
    of 11.0.25, so neither boundary can be judged for that node."""
    nodes = three(ENCRYPT, "11.0.22", "11.0.23", "11.0.23")
    results = judge(cluster(tmp_path, corpus_dir, nodes, inventory_version="11.0"), "CC303")
    assert {r.status.value for r in results} == {"warn"}
    replay, default = results
    assert (replay.details["boundary"], default.details["boundary"]) == (
        "encrypt-replay-protection",
        "encrypt-default-algorithm",
    )
    assert replay.details["undetermined"] == {"tomcat01": "11.0"}
    assert "cannot tell which side of it tomcat01 on 11.0 lies, beside tomcat02, tomcat03" in (
        replay.message
    )
