"""CC804 balancer-runtime, from the pages the real mod_jk and httpd printed in the lab
(tests/fixtures/balancer-runtime), laid into the live facts as a snapshot hands them over; the
files are the lab's two front ends over tomcat01..03 on 10.99.240.11..13: web1 with mod_jk,
web2 with mod_proxy_balancer. Also: where each status page is found in httpd's configuration,
and the fetch scripts run for real against a page served here."""

from __future__ import annotations

import http.server
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from clusterfiles import build, tomcat_files

from clustercheck.collect.balancer import fetch_command
from clustercheck.collect.gather import gather
from clustercheck.derive.status_pages import StatusEndpoint, status_endpoints
from clustercheck.engine.registry import load_checks, select
from clustercheck.engine.runner import run_checks
from clustercheck.facts.balancer import BalancerView
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.inventory.loader import load_inventory
from clustercheck.parsers.balancer_manager import parse_balancer_manager
from clustercheck.parsers.jkstatus import parse_jkstatus
from clustercheck.parsers.status_page import parse_answer

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "balancer-runtime"
IPS = {"tomcat01": "10.99.240.11", "tomcat02": "10.99.240.12", "tomcat03": "10.99.240.13"}
JK_CONF = "/etc/httpd/conf.d/mod_jk.conf"
HTTPD_CONF = "/etc/httpd/conf/httpd.conf"

WORKERS = """\
worker.list=controller,jkstatus
worker.template.type=ajp13
worker.template.port=8009
worker.template.secret=labsecret
{members}
worker.controller.type=lb
worker.controller.balance_workers=tomcat01,tomcat02,tomcat03
worker.jkstatus.type=status
"""
WEB2 = """\
ServerRoot /etc/httpd
Listen 10.99.240.12:80
Listen 127.0.0.1:80
LoadModule proxy_module modules/mod_proxy.so
LoadModule proxy_ajp_module modules/mod_proxy_ajp.so
LoadModule proxy_balancer_module modules/mod_proxy_balancer.so
<Proxy balancer://lab>
{members}
</Proxy>
<Location /balancer-manager>
    SetHandler balancer-manager
    Require local
</Location>
ProxyPass /balancer-manager !
ProxyPass / balancer://lab/ stickysession=JSESSIONID
"""


def lab_files(tmp: Path, jk_extra: str = "", jk_mount: str = "JkMount /jkstatus jkstatus") -> Path:
    members = "\n".join(
        f"worker.{name}.reference=worker.template\nworker.{name}.host={ip}"
        for name, ip in IPS.items()
    )
    balancer = "\n".join(
        f"    BalancerMember ajp://{ip}:8009 route={name} secret=labsecret"
        for name, ip in IPS.items()
    )
    nodes: dict[str, dict[str, object]] = {
        name: {"host": ip, "roles": ["tomcat"]} for name, ip in IPS.items()
    }
    files = {name: tomcat_files(jvm_route=name) for name in IPS}
    nodes["web1"] = {"host": "10.99.240.11", "roles": ["apache"]}
    files["web1"] = {
        JK_CONF: f"JkWorkersFile conf/workers.properties\nJkMount /* controller\n{jk_mount}\n",
        "/etc/httpd/conf/workers.properties": WORKERS.format(members=members) + jk_extra,
    }
    nodes["web2"] = {
        "host": "10.99.240.12",
        "roles": ["apache"],
        "apache": {"httpd_conf": HTTPD_CONF},
    }
    files["web2"] = {HTTPD_CONF: WEB2.format(members=balancer)}
    return build(tmp, nodes, files)


def view(module: str, name: str | None = None, error: str | None = None) -> BalancerView:
    """The view gathering makes of a captured page (None: the page told nothing, `error`)."""
    url = "http://127.0.0.1:80/jkstatus?mime=prop"
    source = "JkMount /jkstatus jkstatus"
    if module == "mod_proxy":
        url = "http://127.0.0.1:80/balancer-manager?xml=1"
        source = "<Location /balancer-manager> SetHandler balancer-manager"
    if name is None:
        return BalancerView(module, url, source, error=error)
    text = (PAGES / name).read_text()
    parsed = parse_jkstatus(text) if module == "mod_jk" else parse_balancer_manager(text)
    return BalancerView(module, url, source, balancers=parsed.balancers, error=parsed.error)


@pytest.fixture
def cluster(tmp_path: Path) -> Callable[..., ClusterFacts]:
    def make(
        web1: tuple[BalancerView, ...] | None, web2: tuple[BalancerView, ...] | None, **kw: str
    ) -> ClusterFacts:
        facts = gather(load_inventory(lab_files(tmp_path, **kw)))
        for node in facts.nodes.values():
            node.recorded = True
        facts.nodes["web1"].live.balancer = web1
        facts.nodes["web2"].live.balancer = web2
        return facts

    return make


def judge(facts: ClusterFacts) -> list[tuple[str | None, str, str]]:
    results = run_checks(select(load_checks(), ["CC804"]), facts)
    return [(r.node, r.status.value, r.message) for r in results]


JK_OK, PROXY_OK = (
    view("mod_jk", "jkstatus-healthy.prop"),
    view("mod_proxy", "balancer-manager-healthy.xml"),
)
CASES = [
    pytest.param(
        (JK_OK,),
        (PROXY_OK,),
        "",
        {("web1", "pass"), ("web2", "pass"), (None, "pass")},
        "keeps every member as configured: tomcat01 OK/IDLE A, tomcat02 OK/IDLE A",
        id="healthy",
    ),
    pytest.param(
        (JK_OK,),
        (view("mod_proxy", "balancer-manager-healthy.html"),),
        "",
        {("web1", "pass"), ("web2", "pass"), (None, "pass")},
        "web1 (mod_jk) and web2 (mod_proxy) run the same members: tomcat01 A, tomcat02 A",
        id="healthy-html-page",
    ),
    pytest.param(
        (view("mod_jk", "jkstatus-disabled.prop"),),
        (PROXY_OK,),
        "",
        {("web1", "warn"), ("web2", "pass"), (None, "fail")},
        "the front ends disagree on tomcat03: disabled (D) on web1 (mod_jk), active (A) on web2",
        id="disabled-on-one-front-end",
    ),
    pytest.param(
        (view("mod_jk", "jkstatus-disabled.prop"),),
        (PROXY_OK,),
        "",
        {("web1", "warn"), ("web2", "pass"), (None, "fail")},
        "disabled (D) in the running mod_jk (http://127.0.0.1:80/jkstatus?mime=prop, from JkMount "
        "/jkstatus jkstatus), while its configuration says active (A, default)",
        id="disabled-at-runtime-warns",
    ),
    pytest.param(
        (view("mod_jk", "jkstatus-disabled.prop"),),
        (PROXY_OK,),
        "worker.tomcat03.activation=D\n",
        {("web1", "pass"), ("web2", "pass"), (None, "fail")},
        "disabled (D) on web1 (mod_jk), active (A) on web2 (mod_proxy)",
        id="disabled-as-configured-still-disagrees",
    ),
    pytest.param(
        (view("mod_jk", "jkstatus-error.prop"),),
        (view("mod_proxy", "balancer-manager-error.xml"),),
        "",
        {("web1", "fail"), ("web2", "fail"), (None, "pass")},
        "worker tomcat03 (10.99.240.13:8009) -> tomcat03: mod_jk holds it in error (ERR, 1 errors",
        id="in-error-on-both",
    ),
    pytest.param(
        (JK_OK,),
        (view("mod_proxy", "balancer-manager-disabled.xml"),),
        "",
        {("web1", "pass"), ("web2", "warn"), ("web2", "fail"), (None, "fail")},
        "BalancerMember ajp://10.99.240.13:8009 (10.99.240.13:8009) -> tomcat03: mod_proxy holds "
        "it in error (Init Err",
        id="balancer-manager-disabled-and-error",
    ),
    pytest.param(
        (view("mod_jk", error="HTTP 403"),),
        (PROXY_OK,),
        "",
        {("web1", "error"), ("web2", "pass")},
        "mod_jk: its status page http://127.0.0.1:80/jkstatus?mime=prop (JkMount /jkstatus "
        "jkstatus) told nothing: HTTP 403",
        id="page-refused",
    ),
    pytest.param(
        (),
        (PROXY_OK,),
        "",
        {("web1", "skip"), ("web2", "pass")},
        "mod_jk: no status page in httpd's configuration, so its running balancers were not "
        "asked; to have them judged, add a status worker",
        id="no-status-page",
    ),
    pytest.param(
        None,
        None,
        "",
        {("web1", "skip"), ("web2", "skip")},
        "its status page was not asked",
        id="not-asked",
    ),
]


@pytest.mark.parametrize(("web1", "web2", "jk_extra", "expected", "says"), CASES)
def test_cc804_judges_each_running_front_end_and_their_agreement(
    cluster: Callable[..., ClusterFacts],
    web1: tuple[BalancerView, ...] | None,
    web2: tuple[BalancerView, ...] | None,
    jk_extra: str,
    expected: set[tuple[str | None, str]],
    says: str,
) -> None:
    judged = judge(cluster(web1, web2, jk_extra=jk_extra))
    assert {(node, status) for node, status, _ in judged} == expected, judged
    assert any(says in message for _, _, message in judged), judged


def test_a_member_the_running_module_does_not_know_warns(
    cluster: Callable[..., ClusterFacts],
) -> None:
    """A worker added to the files, httpd not restarted: the running lb has no such member."""
    extra = "worker.controller.balance_workers=tomcat01,tomcat02,tomcat03,tomcat04\n"
    extra += "worker.tomcat04.reference=worker.template\nworker.tomcat04.host=10.99.240.14\n"
    judged = judge(cluster((JK_OK,), (PROXY_OK,), jk_extra=extra))
    assert ("web1", "warn") in {(n, s) for n, s, _ in judged}
    assert any("tomcat04" in m and "not restarted" in m for _, _, m in judged), judged


# --- where the status page is found ----------------------------------------------------------


def endpoints(tmp: Path, **kw: str) -> dict[str, list[StatusEndpoint]]:
    facts = gather(load_inventory(lab_files(tmp, **kw)))
    return {name: status_endpoints(facts.nodes[name]) for name in ("web1", "web2")}


def test_each_status_page_is_found_where_httpd_serves_it(tmp_path: Path) -> None:
    """web1's JkMount (no Listen read from a jk_conf alone: port 80), web2's Location, asked
    at its loopback Listen."""
    found = endpoints(tmp_path)
    assert found["web1"] == [
        StatusEndpoint(
            "mod_jk",
            "http://127.0.0.1:80/jkstatus?mime=prop",
            None,
            "JkMount /jkstatus jkstatus",
            JK_CONF,
            3,
        )
    ]
    assert [(e.module, e.url, e.line) for e in found["web2"]] == [
        ("mod_proxy", "http://127.0.0.1:80/balancer-manager?xml=1", 13)
    ]


def test_a_mount_in_a_virtual_host_is_asked_there_by_its_name(tmp_path: Path) -> None:
    mount = (
        "Listen 10.99.240.11:8081\n<VirtualHost 10.99.240.11:8081>\n  ServerName admin.lab\n"
        "  JkMount /status/* jkstatus\n</VirtualHost>"
    )
    [found] = endpoints(tmp_path, jk_mount=mount)["web1"]
    assert (found.url, found.host_header) == (
        "http://10.99.240.11:8081/status/?mime=prop",
        "admin.lab",
    )


def test_no_status_worker_mounted_no_page(tmp_path: Path) -> None:
    assert endpoints(tmp_path, jk_mount="")["web1"] == []


# --- the fetch, run for real ----------------------------------------------------------------


@pytest.fixture
def served() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """mod_jk's real page served on loopback; each request's headers are kept."""
    seen: list[dict[str, str]] = []
    body = (PAGES / "jkstatus-healthy.prop").read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(dict(self.headers))
            self.send_response(200 if self.path.startswith("/jkstatus") else 404)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()


@pytest.mark.parametrize("flavour", ["python3", "shell"])
def test_the_fetch_sends_host_and_referer_and_reads_the_page(
    served: tuple[str, list[dict[str, str]]], flavour: str
) -> None:
    if flavour == "shell" and not shutil.which("curl"):
        pytest.skip("no curl here")
    base, seen = served
    url = f"{base}/jkstatus?mime=prop"
    argv = fetch_command(flavour, url, "web1.lab", "http://web1.lab/jkstatus")
    done = subprocess.run(
        argv,
        capture_output=True,
        timeout=30,
        check=True,
        env={"PATH": "/usr/bin:/bin", "http_proxy": "http://192.0.2.1:9"},
    )
    answer = parse_answer(done.stdout.decode())
    assert answer.status == 200
    assert len(parse_jkstatus(answer.body).balancers[0].members) == 3
    assert seen[-1]["Host"] == "web1.lab" and seen[-1]["Referer"] == "http://web1.lab/jkstatus"
    missing = parse_answer(
        subprocess.run(
            fetch_command(flavour, f"{base}/nothing", "x", "x"),
            capture_output=True,
            timeout=30,
            check=True,
        ).stdout.decode()
    )
    assert missing.status == 404
