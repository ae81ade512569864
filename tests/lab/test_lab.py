"""The lab is real: balancing through both front ends, stickiness, replication, SSH, NTP, and
every fault's effect.

Each fault test checks the symptom a person (or clustercheck) would see on a real cluster, and
the `lab.fault()` block restores the healthy lab for the next test.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import labnet
import labproc
import labstate
import ntplib
import paramiko
import pytest
from lab import AJP_PORT, FRONT_ENDS, SHORT_IDLE_TIMEOUT_MS, Lab, sweep_stale
from labprobe import Response, cping, http_get, jk_status, tcp_open

pytestmark = pytest.mark.lab

ROUTES = {"tomcat01", "tomcat02", "tomcat03"}
WEB1, WEB2 = FRONT_ENDS  # httpd + mod_jk in n1, httpd + mod_proxy_ajp in n2
# 12 KB of request headers, each field within httpd's LimitRequestFieldSize (8190 bytes): httpd
# takes the request; it does not fit an AJP packet of 8192 bytes.
BIG_HEADERS = {"X-Big-1": "b" * 6144, "X-Big-2": "b" * 6144}
TOMCAT_REFUSES_PACKET = "received but the packetSize is only [8,192]"
TOMCAT_ERROR_PAGE = "HTTP Status 400"  # Tomcat's ErrorReportValve; httpd's page says "Bad Request"
DECRYPT_FAILED = "Failed to decrypt message"  # encryptInterceptor.decrypt.failed


def balanced(
    lab: Lab,
    count: int = 6,
    session: str | None = None,
    web: int = WEB1,
    headers: dict[str, str] | None = None,
) -> list[Response]:
    """Requests through a front end (web1 unless told), each with the same cookie."""
    return [http_get(lab.ip(web), 80, session=session, headers=headers) for _ in range(count)]


def browse(lab: Lab, web: int, count: int, session: str | None) -> list[Response]:
    """Requests through a front end as a browser sends them: each with the session id that the
    last answer set."""
    answers = []
    for _ in range(count):
        answers.append(http_get(lab.ip(web), 80, session=session))
        session = answers[-1].session or session
    return answers


def direct(lab: Lab, node: int, session: str | None = None, path: str = "/") -> Response:
    """A request straight to a Tomcat's HTTP connector, bypassing the front ends."""
    return http_get(lab.ip(node), 8080, path, session=session)


@contextmanager
def ssh(lab: Lab, node: int) -> Iterator[Callable[[str], str]]:
    """A paramiko session made only from what the inventory gives: key and known_hosts."""
    client = paramiko.SSHClient()
    client.load_host_keys(str(lab.known_hosts))
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    client.connect(
        lab.ip(node),
        username="root",
        key_filename=str(lab.identity_file),
        look_for_keys=False,
        allow_agent=False,
        timeout=5,
    )

    def run(command: str) -> str:
        _, out, _ = client.exec_command(command, timeout=10)
        return str(out.read().decode())

    try:
        yield run
    finally:
        client.close()


def clock_offset(lab: Lab, node: int) -> float:
    """The node's wall clock minus ours, as seen by a command started over SSH."""
    with ssh(lab, node) as run:
        before = time.time()
        remote = float(run("date +%s.%N"))
        return remote - (before + time.time()) / 2


class Logs:
    """What some log files gain from now on."""

    def __init__(self, *paths: Path) -> None:
        self.start = {path: path.stat().st_size for path in paths}

    def new(self) -> str:
        return "".join(
            path.read_bytes()[offset:].decode(errors="replace")
            for path, offset in self.start.items()
        )


def tomcat_logs(lab: Lab, *nodes: int) -> Logs:
    return Logs(*(lab.tomcat_log(n) for n in nodes or (1, 2, 3)))


def ajp_connections(lab: Lab, web: int, node: int) -> set[str]:
    """TCP states of a front end's connections to a node's AJP port, as `ss` shows them in the
    front end's namespace (ESTAB, CLOSE-WAIT, TIME-WAIT)."""
    target = f"{lab.ip(node)}:{AJP_PORT}"
    out = labnet.run(*lab.net.exec_argv(web), "ss", "-Htn", "state", "all", "dst", target)
    return {line.split()[0] for line in out.splitlines() if line.strip()}


# -- the healthy lab ------------------------------------------------------------------------


def test_inventory_loads_in_clustercheck(lab: Lab) -> None:
    from clustercheck.inventory.loader import load_inventory

    inventory = load_inventory(lab.inventory)
    assert inventory.name == "lab"
    assert inventory.ntp.servers == (lab.ntp_server,)
    web1, web2 = inventory.node("web1"), inventory.node("web2")
    assert (web1.host, web1.roles, web1.apache.jk_conf) == (
        lab.ip(1),
        ("apache",),
        str(lab.jk_conf),
    )
    assert (web2.host, web2.roles, web2.apache.jk_conf) == (lab.ip(2), ("apache",), None)
    assert web1.apache.httpd_conf == str(lab.httpd_conf(1))
    assert web2.apache.httpd_conf == str(lab.httpd_conf(2))
    for node in (1, 2, 3):
        tomcat = inventory.node(lab.route(node))
        assert tomcat.host == lab.ip(node)
        assert tomcat.tomcat.catalina_base == str(lab.catalina_base(node))
        assert tomcat.tomcat.catalina_home == "/usr/share/tomcat10"
        assert tomcat.ssh.identity_file == str(lab.identity_file)


@pytest.mark.parametrize("web", FRONT_ENDS, ids=[f.name for f in FRONT_ENDS.values()])
def test_front_end_balances_round_robin_and_sticks(lab: Lab, web: int) -> None:
    fresh = balanced(lab, web=web)
    assert {r.route for r in fresh} == ROUTES
    assert all(r.route == r.field("node") for r in fresh)  # cookie suffix .tomcat0N = jvmRoute
    again = balanced(lab, 3, session=fresh[0].session, web=web)
    assert {r.field("node") for r in again} == {fresh[0].route}
    assert [r.field("counter") for r in again] == ["2", "3", "4"]


def test_web2_reads_its_balancer_through_include(lab: Lab) -> None:
    assert "Include conf.d/*.conf" in lab.httpd_conf(WEB2).read_text()
    assert "<Proxy balancer://lab>" in lab.proxy_conf.read_text()
    assert lab.proxy_conf.parent == lab.httpd_root(WEB2) / "conf.d"


def test_session_is_replicated_to_the_other_nodes(lab: Lab) -> None:
    first = direct(lab, 1)
    second = direct(lab, 2, session=first.session)
    assert (second.field("node"), second.field("counter")) == ("tomcat02", "2")
    assert second.route == "tomcat02"  # JvmRouteBinderValve moved the session to its new home
    third = direct(lab, 3, session=second.session)
    assert third.field("counter") == "3"


def test_jk_status_worker_sees_three_healthy_members(lab: Lab) -> None:
    status = jk_status(lab.ip(1))
    for route in ROUTES:
        assert status[f"worker.{route}.state"] in ("OK", "OK/IDLE")
        assert status[f"worker.{route}.port"] == "8009"


@pytest.mark.parametrize("node", [1, 2, 3])
def test_sshd_with_lab_keys_shows_node_hostname_and_ntp_sync(lab: Lab, node: int) -> None:
    with ssh(lab, node) as run:
        assert run("hostname").strip() == lab.hostname(node)
        tracking = run("chronyc -n tracking")
    assert f"({lab.ntp_server})" in tracking  # this node's own chronyd follows the lab server
    assert "Leap status     : Normal" in tracking


def test_ntp_server_answers(lab: Lab) -> None:
    answer = ntplib.NTPClient().request(lab.ntp_server, version=3, timeout=2)
    assert answer.stratum == 8
    assert abs(answer.offset) < 0.05


def test_every_node_hears_every_heartbeat(lab: Lab) -> None:
    for node in (1, 3):
        heard = lab.heartbeats(node, 1.5)
        others = [lab.ip(n) for n in (1, 2, 3) if n != node]
        assert all(heard.get(ip) == [ip] for ip in others), heard


def test_clocks_agree_over_ssh(lab: Lab) -> None:
    assert all(abs(clock_offset(lab, node)) < 0.5 for node in (1, 2, 3))


# -- faults ---------------------------------------------------------------------------------


def test_mcast_cut_n3_sends_but_nobody_hears_it(lab: Lab) -> None:
    with lab.fault("mcast-cut"):
        heard_on_n1 = lab.heartbeats(1, 1.5)
        heard_on_n3 = lab.heartbeats(3, 1.5)
    assert lab.ip(3) not in heard_on_n1 and lab.ip(2) in heard_on_n1
    assert lab.ip(3) in heard_on_n3  # it still sends: its own heartbeats loop back
    assert lab.ip(1) in heard_on_n3  # and it still hears the others


def test_mcast_host_firewall_n3_receives_on_the_wire_only(lab: Lab) -> None:
    with lab.fault("mcast-host-firewall"):
        heard_on_n3 = lab.heartbeats(3, 1.5)
        heard_on_n1 = lab.heartbeats(1, 1.5)
    assert heard_on_n3 == {}
    assert lab.ip(3) in heard_on_n1


def test_clock_skew_n3_runs_five_seconds_ahead(lab: Lab) -> None:
    with lab.fault("clock-skew"):
        skewed, normal = clock_offset(lab, 3), clock_offset(lab, 1)
    assert 4.5 < skewed < 5.5
    assert abs(normal) < 0.5


def test_ajp_port_n2_listens_where_no_worker_points(lab: Lab) -> None:
    with lab.fault("ajp-port"):
        assert cping(lab.ip(2), 8010) == "cpong"
        assert cping(lab.ip(2), 8009) == "refused"
        routes = {web: {r.field("node") for r in balanced(lab, web=web)} for web in FRONT_ENDS}
        state = jk_status(lab.ip(1))["worker.tomcat02.state"]
    assert routes == {web: {"tomcat01", "tomcat03"} for web in FRONT_ENDS}
    assert state == "ERR"


def test_dup_jvmroute_sends_n3_sessions_to_n2(lab: Lab) -> None:
    with lab.fault("dup-jvmroute"):
        made_on_n3 = direct(lab, 3)
        follow_up = balanced(lab, 1, session=made_on_n3.session)[0]
    assert (made_on_n3.field("node"), made_on_n3.route) == ("tomcat03", "tomcat02")
    # stickiness follows the route to the wrong node; only replication hides it
    assert (follow_up.field("node"), follow_up.field("counter")) == ("tomcat02", "2")


def test_no_distributable_webapp_is_not_clustered(lab: Lab) -> None:
    logs = tomcat_logs(lab, 2)
    with lab.fault("no-distributable"):
        answer = direct(lab, 2, path="/nodist/")
        log = logs.new()
    assert (answer.status, answer.field("node")) == (200, "tomcat02")
    assert "webapps/nodist] has finished" in log
    assert "Register manager [localhost#]" in log  # ROOT joins the cluster...
    assert "Register manager [localhost#/nodist]" not in log  # ...the other app silently not
    assert not (lab.catalina_base(2) / "webapps" / "nodist").exists()


def test_ajp_no_secret_n3_listens_but_never_answers_cping(lab: Lab) -> None:
    with lab.fault("ajp-no-secret"):
        assert tcp_open(lab.ip(3), 8009)
        assert cping(lab.ip(3), 8009, timeout=1.5) == "timeout"
    assert cping(lab.ip(3), 8009) == "cpong"


def test_worker_secret_cpong_but_403_through_mod_jk(lab: Lab) -> None:
    on_n1, on_n3 = direct(lab, 1).session, direct(lab, 3).session
    with lab.fault("worker-secret"):
        assert cping(lab.ip(3), 8009) == "cpong"  # CPing does not check the secret
        assert balanced(lab, 1, session=on_n3)[0].status == 403
        assert balanced(lab, 1, session=on_n1)[0].status == 200


def test_receiver_loopback_n1_advertises_127_0_0_1(lab: Lab) -> None:
    logs = tomcat_logs(lab, 1)
    with lab.fault("receiver-loopback"):
        heard_on_n2 = lab.heartbeats(2, 1.5)
        log = logs.new()
    assert heard_on_n2[lab.ip(1)] == ["127.0.0.1"]  # sent from n1's address, naming loopback
    assert "Receiver Server Socket bound to:[/127.0.0.1:4000]" in log
    assert "No session state sent" in log  # peers could not answer it


def test_node_stopped_fails_sessions_over(lab: Lab) -> None:
    session = direct(lab, 3).session
    assert balanced(lab, 1, session=session)[0].field("counter") == "2"
    with lab.fault("node-stopped"):
        assert not tcp_open(lab.ip(3), 8080) and cping(lab.ip(3), 8009) == "refused"
        moved = balanced(lab, 1, session=session)[0]
        routes = {r.field("node") for r in balanced(lab)}
    assert moved.field("counter") == "3" and moved.field("node") != "tomcat03"
    assert moved.route == moved.field("node")  # the session id now names its new node
    assert routes == {"tomcat01", "tomcat02"}


def test_shutdown_in_window_n3_stops_cleanly_while_it_captures(lab: Lab) -> None:
    capture = ["timeout", "4", "tcpdump", "--immediate-mode", "-U", "-n", "-i", "any", "-w", "-"]
    wanted = f"udp and dst host {labnet.GROUP} and dst port {labnet.GROUP_PORT}"
    with lab.fault("shutdown-in-window"):
        tomcat = lab.state.procs["tomcat3"]
        assert tomcat.alive()  # armed: only a capture on n3 sets it off
        argv = [*lab.net.exec_argv(3), *capture, wanted]
        pcap = subprocess.run(argv, capture_output=True, check=False).stdout
        stopped_in_window = not tomcat.alive()
    assert stopped_in_window
    assert b"BABY-ALEX" in pcap  # its last heartbeat says it shuts down, inside the capture
    assert tcp_open(lab.ip(3), 8080)  # off restarts it


def test_foreign_member_tomcat04_joins_from_n4_and_leaves(lab: Lab) -> None:
    logs = tomcat_logs(lab, 1)
    with lab.fault("foreign-member"):
        heard_on_n1 = lab.heartbeats(1, 1.5)
        log = logs.new()
    assert heard_on_n1[lab.ip(4)] == [lab.ip(4)]
    stranger = "tcp://{" + lab.ip(4).replace(".", ", ") + "}:4000"
    assert any("Replication member added" in line and stranger in line for line in log.split("\n"))
    assert lab.ip(4) not in lab.heartbeats(1, 1.5)  # the healthy lab runs no fourth Tomcat


def test_proxy_packet_size_passes_big_headers_to_a_tomcat_that_refuses_them(lab: Lab) -> None:
    """Healthy, web2 refuses 12 KB of headers itself (they do not fit its 8192-byte AJP
    packet); with ProxyIOBufferSize 16384 it sends them, and the Tomcat, whose packetSize is
    8192, refuses them: still a 400, now from Tomcat, for requests the front end admits."""
    errors = Logs(lab.httpd_root(WEB2) / "logs" / "error.log")
    tomcats = tomcat_logs(lab)
    healthy = balanced(lab, 1, web=WEB2, headers=BIG_HEADERS)[0]
    refused_by_httpd, healthy_tomcats = errors.new(), tomcats.new()
    with lab.fault("proxy-packet-size"):
        tomcats = tomcat_logs(lab)
        big = balanced(lab, 3, web=WEB2, headers=BIG_HEADERS)
        small = balanced(lab, 3, web=WEB2)
        refused_by_tomcat = tomcats.new()
    assert healthy.status == 400 and TOMCAT_ERROR_PAGE not in healthy.body
    assert "AH00988: ajp_send_header: ajp_marshal_into_msgb failed" in refused_by_httpd
    assert TOMCAT_REFUSES_PACKET not in healthy_tomcats
    assert all(r.status == 400 and TOMCAT_ERROR_PAGE in r.body for r in big)
    assert "Header message of length [12," in refused_by_tomcat
    assert TOMCAT_REFUSES_PACKET in refused_by_tomcat
    assert {r.status for r in small} == {200} and {r.field("node") for r in small} == ROUTES


def test_worker_packet_size_passes_big_headers_to_tomcat02_that_refuses_them(lab: Lab) -> None:
    """The same through mod_jk, for the one worker with max_packet_size=16384: healthy, mod_jk
    answers 413 itself ("check max_packet_size"); under the fault tomcat02 answers 400."""
    session = direct(lab, 2).session
    healthy = balanced(lab, 1, session=session, headers=BIG_HEADERS)[0]
    with lab.fault("worker-packet-size"):
        tomcat02 = tomcat_logs(lab, 2)
        big = balanced(lab, 1, session=session, headers=BIG_HEADERS)[0]
        small = balanced(lab, 1, session=session)[0]
        refused = tomcat02.new()
    assert healthy.status == 413
    assert big.status == 400 and TOMCAT_ERROR_PAGE in big.body
    assert TOMCAT_REFUSES_PACKET in refused
    assert (small.status, small.field("node")) == (200, "tomcat02")


def test_idle_timeout_n3_closes_connections_the_front_ends_keep(lab: Lab) -> None:
    """Tomcat closes an idle AJP connection after connectionTimeout; the front ends, which keep
    theirs 600 s, still hold the closed ones (CLOSE-WAIT). Here the close reaches them (FIN) and
    they probe before use (mod_jk ping_mode=A, mod_proxy ping=), so requests still pass; a
    firewall that drops idle connections silently gives them no such chance."""
    idle_s = SHORT_IDLE_TIMEOUT_MS / 1000 + 1.0
    session = direct(lab, 3).session
    for web in FRONT_ENDS:
        balanced(lab, 1, session=session, web=web)
    time.sleep(idle_s)
    healthy = {web: ajp_connections(lab, web, 3) for web in FRONT_ENDS}
    with lab.fault("idle-timeout"):
        for web in FRONT_ENDS:
            balanced(lab, 1, session=session, web=web)
        time.sleep(idle_s)
        held = {web: ajp_connections(lab, web, 3) for web in FRONT_ENDS}
        again = [balanced(lab, 1, session=session, web=web)[0] for web in FRONT_ENDS]
    assert all("ESTAB" in states and "CLOSE-WAIT" not in states for states in healthy.values())
    assert all("CLOSE-WAIT" in states and "ESTAB" not in states for states in held.values())
    assert [(r.status, r.field("node")) for r in again] == [(200, "tomcat03")] * len(FRONT_ENDS)


def test_ajp_ipv6_n1_connector_never_starts_front_ends_fail_over(lab: Lab) -> None:
    """address="::1" under -Djava.net.preferIPv4Stack=true: Tomcat cannot even open an IPv6
    socket, so the connector fails at init while the rest of Tomcat starts; the front ends,
    which connect to n1's IPv4 address, are refused and send everything to the others."""
    logs = tomcat_logs(lab, 1)
    with lab.fault("ajp-ipv6"):
        log = logs.new()
        refused = cping(lab.ip(1), AJP_PORT)
        http_up = tcp_open(lab.ip(1), 8080)
        routes = {web: {r.field("node") for r in balanced(lab, web=web)} for web in FRONT_ENDS}
        state = jk_status(lab.ip(1))["worker.tomcat01.state"]
    assert 'Failed to initialize component [Connector["ajp-nio-0:0:0:0:0:0:0:1-8009"]]' in log
    assert "java.nio.channels.UnsupportedAddressTypeException" in log
    assert "Server startup in" in log
    assert (refused, http_up) == ("refused", True)
    assert routes == {web: {"tomcat02", "tomcat03"} for web in FRONT_ENDS}
    assert state == "ERR"


def test_balancer_route_web2_moves_n3_sessions_away(lab: Lab) -> None:
    """No BalancerMember has route tomcat03, so web2 balances a tomcat03 session anew; it lands
    on another node, whose JvmRouteBinderValve renames it there (replication keeps its data)."""
    healthy = browse(lab, WEB2, 3, direct(lab, 3).session)
    with lab.fault("balancer-route"):
        moved = browse(lab, WEB2, 3, direct(lab, 3).session)
    assert {r.field("node") for r in healthy} == {"tomcat03"}
    last = moved[-1]
    assert last.field("node") != "tomcat03"
    assert last.field("session").endswith("." + last.field("node"))  # renamed to its new node
    assert [r.field("counter") for r in moved] == ["2", "3", "4"]


def test_receivers_are_firewalled_from_the_host_until_receiver_exposed(lab: Lab) -> None:
    """Healthy, the host side of the bridge (clustercheck's machine) cannot reach a receiver,
    and the members still replicate (test_session_is_replicated_to_the_other_nodes); under
    receiver-exposed it reaches n2's, and only n2's."""
    assert not any(tcp_open(lab.ip(n), 4000) for n in (1, 2, 3))
    with lab.fault("receiver-exposed"):
        reached = [n for n in (1, 2, 3) if tcp_open(lab.ip(n), 4000)]
    assert reached == [2]


def replicated(lab: Lab, start: int, to: int) -> bool:
    """Whether a session made on node `start` is on node `to` (its counter goes on)."""
    first = direct(lab, start)
    return direct(lab, to, session=first.session).field("counter") == "2"


@pytest.mark.parametrize("fault", ["encrypt-two-nodes", "encrypt-wrong-key"])
def test_encryption_that_differs_on_n3_cuts_it_off_from_replication(lab: Lab, fault: str) -> None:
    """n1 and n2 still replicate between them; nothing crosses to or from n3, which cannot read
    their messages nor they its; and the nodes say so in their logs."""
    logs = tomcat_logs(lab)
    with lab.fault(fault):
        between_n1_n2 = replicated(lab, 1, 2)
        to_n3, from_n3 = replicated(lab, 1, 3), replicated(lab, 3, 2)
        log = logs.new()
    assert between_n1_n2 and not to_n3 and not from_n3
    assert DECRYPT_FAILED in log


# -- the machinery that keeps labs from piling up --------------------------------------------


def test_sweep_removes_stale_and_orphaned_labs_but_not_live_ones(lab: Lab, tmp_path: Path) -> None:
    dead = labproc.spawn(["true"], tmp_path / "true.log")
    while dead.alive():
        time.sleep(0.01)
    others = labstate.registered()
    stale = labnet.choose([s.net.subnet for s in others], [s.net.id for s in others])
    orphan = labnet.choose([stale.subnet], [stale.id])
    labstate.save(labstate.State(str(tmp_path), stale, owner=dead))
    labnet.create(stale)
    labnet.run("ip", "netns", "add", orphan.ns(1))
    with labstate.locked():
        sweep_stale()
    names = labnet.run("ip", "netns", "list") + labnet.run("ip", "-o", "link", "show")
    assert stale.bridge not in names and orphan.ns(1) not in names
    assert [s.net.id for s in labstate.registered()].count(lab.net.id) == 1
    assert lab.net.bridge in names
