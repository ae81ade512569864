"""clustercheck's verdict on the same file Tomcat (or httpd) was started on, in Tomcat's terms.

The file is judged offline, as a user would: a `files`-transport inventory of one node whose
root mirrors the CATALINA_BASE the real software ran on (same server.xml, same
catalina.properties, same webapp, the real catalina.jar's version), every registered check run
by the real engine. What the checks say is reduced by a small table (`CLAIMS`) to the claims
clustercheck makes about what the software will do: "Tomcat does not start", "a connector
does not start", "... is ignored". A finding that makes no such claim (a jvmRoute missing, a
cluster that cannot be compared with others) is advice: it is kept in the table, and the
verdict is "starts".
"""

from __future__ import annotations

import io
import re
import traceback
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import yaml
from differential.httpd_truth import httpd_conf
from differential.tomcat_truth import CATALINA_HOME, WEB_XML, Truth, conf_files

from clustercheck.collect.gather import gather
from clustercheck.engine.check import Check
from clustercheck.engine.registry import load_checks
from clustercheck.engine.results import Result, Status
from clustercheck.engine.runner import run_checks
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.inventory.loader import load_inventory
from clustercheck.parsers.workers import WorkersFile

BASE = "/opt/tomcat"
SERVER_INFO = "org/apache/catalina/util/ServerInfo.properties"


@dataclass(frozen=True)
class Claim:
    """A finding that says what Tomcat will do, and which of the truth's kinds that is."""

    code: str
    kind: Truth
    pattern: re.Pattern[str]


def _claim(code: str, kind: Truth, pattern: str) -> Claim:
    return Claim(code, kind, re.compile(pattern))


# What the checks' messages claim (any status but skip: CC103 passes a connector it says will
# not start). First match wins per result. The messages are the checks' (checks/config,
# checks/ajp); a reworded message that no longer matches shows up as a new disagreement. A
# claim's code is a prefix, as --checks reads one: CC603 is every member of the jk-config
# family (CC6031..., which split the one check CC603 without changing a message).
CLAIMS: tuple[Claim, ...] = (
    _claim("CC601", Truth.REFUSES, r"^Tomcat does not start"),
    _claim("CC601", Truth.REFUSES, r"^server\.xml is unreadable"),
    _claim("CC601", Truth.IGNORED, r" is ignored"),
    _claim("CC602", Truth.REFUSES, r"Tomcat does not start"),
    _claim("CC602", Truth.COMPONENT_FAILS, r"connector fails to initiali[sz]e"),
    _claim("CC602", Truth.IGNORED, r"is not read by Tomcat|ignored with a Digester warning"),
    _claim(
        "CC103", Truth.COMPONENT_FAILS, r"this connector does not start|Tomcat refuses to start it"
    ),
    _claim("CC604", Truth.REFUSES, r"Tomcat does not start"),
    _claim(
        "CC604",
        Truth.COMPONENT_FAILS,
        r"connector does not start|has no default host|every web application fails to start",
    ),
    _claim("CC604", Truth.IGNORED, r"and ignores it"),
    _claim("CC605", Truth.REFUSES, r"^Tomcat does not start"),
    _claim("CC605", Truth.COMPONENT_FAILS, r"^the cluster's \w+ fails"),
    _claim("CC606", Truth.REFUSES, r"Tomcat does not start"),
    _claim(
        "CC606",
        Truth.COMPONENT_FAILS,
        r"connector does not start|has no default host|drops it|"
        r"every web application fails to start",
    ),
    _claim("CC603", Truth.REFUSES, r"refuses to start|httpd does not start|cannot create it"),
    _claim("CC603", Truth.COMPONENT_FAILS, r"HTTP 50[03]|disables the worker|stops it as a member"),
    _claim("CC603", Truth.IGNORED, r"\bignored?\b|\bignores\b|overwritten|user variable"),
)


@dataclass(frozen=True)
class Said:
    """One result, and the claim it makes (None: advice)."""

    code: str
    status: str
    message: str
    kind: Truth | None
    subject: str | None = None  # what an "ignored" claim names, as tomcat_truth names it

    def __str__(self) -> str:
        return f"{self.code} {self.status}: {self.message}"


CRASHES = "crashes"  # the outcome when clustercheck itself raised: a bug, never an agreement


@dataclass(frozen=True)
class Verdict:
    said: tuple[Said, ...]
    crash: str | None = None  # what clustercheck raised instead of judging
    targets: Mapping[str, str] = field(default_factory=dict)  # mod_jk worker → host:port
    routes: Mapping[str, str] = field(default_factory=dict)  # lb member → route

    @property
    def outcome(self) -> str:
        """The worst claim; "starts" when clustercheck claims nothing about the start."""
        if self.crash is not None:
            return CRASHES
        kinds = [s.kind for s in self.said if s.kind is not None]
        return max(kinds, key=lambda k: k.rank, default=Truth.STARTS).value

    def ignored(self) -> set[str]:
        """The subjects of the "ignored" claims ("Server/Service/Engine/cluster",
        "Membership@mcastAddr"), to compare with TomcatRun.ignored."""
        claims = [s for s in self.said if s.kind == Truth.IGNORED]
        named = {s.subject for s in claims if s.subject}
        return named or {f"{s.code}: {s.message}" for s in claims}

    def claims(self) -> list[Said]:
        return [s for s in self.said if s.kind is not None]

    def advice(self) -> list[Said]:
        return [s for s in self.said if s.kind is None and s.status in ("warn", "fail", "error")]

    def summary(self) -> str:
        if self.crash is not None:
            return f"clustercheck raised {self.crash}"
        shown = self.claims() or self.advice()
        return "; ".join(str(s)[:200] for s in shown)


def claim_of(result: Result) -> Truth | None:
    if result.status is Status.SKIP:
        return None
    for claim in CLAIMS:
        if result.code.startswith(claim.code) and claim.pattern.search(result.message):
            return claim.kind
    return None


def subject_of(result: Result) -> str | None:
    """The element path (CC601) or "Tag@attribute" (CC602) a finding is about."""
    details = result.details
    if "attribute" in details and "element" in details:
        return f"{details['element'].rpartition('/')[2]}@{details['attribute']}"
    element = details.get("element")
    return element if isinstance(element, str) else None


def reduce(results: list[Result]) -> Verdict:
    said = tuple(
        Said(r.code, r.status.value, r.message, claim_of(r), subject_of(r))
        for r in results
        if r.status is not Status.SKIP
    )
    return Verdict(said)


@cache
def checks() -> list[Check]:
    return load_checks()


@cache
def catalina_jar() -> bytes:
    """A catalina.jar holding only the real one's ServerInfo.properties (all the `files`
    transport reads of it): the version clustercheck judges is the one that ran."""
    with zipfile.ZipFile(CATALINA_HOME / "lib" / "catalina.jar") as real:
        info = real.read(SERVER_INFO)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as jar:
        jar.writestr(SERVER_INFO, info)
    return buffer.getvalue()


def _write(root: Path, files: Mapping[str, str | bytes]) -> None:
    for path, content in files.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")


def _inventory(work: Path, nodes: Mapping[str, object]) -> Path:
    inventory = work / "inventory.yaml"
    text = yaml.safe_dump({"cluster": "differential", "nodes": nodes}, sort_keys=False)
    inventory.write_text(text, encoding="utf-8")
    return inventory


def judge_tomcat(work: Path, server_xml: bytes) -> Verdict:
    """clustercheck's verdict on one Tomcat node whose CATALINA_BASE is the one Tomcat ran."""
    files: dict[str, str | bytes] = {
        f"{BASE}/conf/{name}": text for name, text in conf_files().items()
    }
    files[f"{BASE}/conf/server.xml"] = server_xml
    files[f"{BASE}/lib/catalina.jar"] = catalina_jar()
    files[f"{BASE}/webapps/ROOT/WEB-INF/web.xml"] = WEB_XML
    _write(work / "tomcat01", files)
    node = {
        "host": "127.0.0.1",
        "roles": ["tomcat"],
        "transport": "files",
        "root": "tomcat01",
        "tomcat": {"catalina_base": BASE},
    }
    return _judge(_inventory(work, {"tomcat01": node}))


def judge_httpd(work: Path, workers: bytes, mount: str) -> Verdict:
    """clustercheck's verdict on one apache node with the httpd.conf and workers file httpd
    ran on (its ServerRoot /etc/httpd in the copy), and what it reads mod_jk will build."""
    root = "/etc/httpd"
    files: dict[str, str | bytes] = {
        f"{root}/conf/httpd.conf": httpd_conf(root, mount),
        f"{root}/workers.properties": workers,
    }
    _write(work / "web1", files)
    node = {
        "host": "127.0.0.1",
        "roles": ["apache"],
        "transport": "files",
        "root": "web1",
        "apache": {"jk_conf": f"{root}/conf/httpd.conf", "server_root": root},
    }
    return _judge(_inventory(work, {"web1": node}), model=_workers_model)


def _workers_model(facts: ClusterFacts, verdict: Verdict) -> Verdict:
    """The AJP workers clustercheck reads that mod_jk creates (worker.list and the members of
    listed lbs), with host:port, and every listed lb member's route."""
    apache = facts.nodes["web1"].apache
    workers = apache.workers if apache else None
    if workers is None:
        return verdict
    targets, routes = {}, {}
    for name in _created(workers):
        worker = workers.workers.get(name)
        if worker is None or worker.type not in ("ajp13", "ajp14"):
            continue
        targets[name] = f"{worker.host or 'localhost'}:{worker.port}"
    for name in workers.listed_names:
        lb = workers.workers.get(name)
        if lb is not None and lb.type == "lb":
            for member in lb.members:
                found = workers.workers.get(member)
                routes[member] = (found.route if found else None) or member
    return replace(verdict, targets=targets, routes=routes)


def _created(workers: WorkersFile) -> list[str]:
    names = list(workers.listed_names)
    for name in list(names):
        lb = workers.workers.get(name)
        if lb is not None and lb.type == "lb":
            names += [m for m in lb.members if m not in names]
    return names


def _judge(
    inventory: Path, model: Callable[[ClusterFacts, Verdict], Verdict] | None = None
) -> Verdict:
    """Gather and check as `clustercheck run` does; a crash is a verdict of its own."""
    try:
        facts = gather(load_inventory(inventory), multicast=False)
        verdict = reduce(run_checks(checks(), facts))
        return model(facts, verdict) if model else verdict
    except Exception as exc:  # any crash of clustercheck's is reported, whatever it raised
        where = traceback.extract_tb(exc.__traceback__)[-1]
        origin = f"{Path(where.filename).name}:{where.lineno}"
        return Verdict((), crash=f"{type(exc).__name__}: {exc} at {origin}")
