"""Live facts: how the JVM that runs Tomcat is found (and that a binary a node's process points
at is not run unless only root or the login user could have put it there), and the clock, JVM
and time-sync facts gathered for real over an SSH connection."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sshd_server import SshServer
from support import need

from clustercheck.collect import jvm
from clustercheck.collect.batch import Answer
from clustercheck.collect.gather import TransportFactory, gather_node
from clustercheck.collect.jvm import java_home_from_setenv, net_options
from clustercheck.collect.reader import NodeReader
from clustercheck.collect.runtime import POSIX_COMMAND, gather_runtime
from clustercheck.collect.transports.base import CommandResult
from clustercheck.collect.transports.localfs import LocalTransport
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.inventory.settings import NodeSettings, TomcatSettings
from clustercheck.parsers.ps import find_tomcat, parse_ps

BOOT = "-Dcatalina.home=/usr/share/tomcat10 -classpath x org.apache.catalina.startup.Bootstrap"
IPV4 = "-Djava.net.preferIPv4Stack=true"
PS = parse_ps(
    f"""\
    1     0 root     9000 /sbin/init
  812     1 tomcat    600 /usr/lib/jvm/java-17/bin/java -Dcatalina.base=/srv/t1 {BOOT} start
  933     1 tomcat    300 /opt/jdk-21/bin/java {IPV4} -Dcatalina.base=/srv/t2/ {BOOT} start
  950   812 root        0 grep -Dcatalina.base=/srv/t1
""",
    10000.0,
)


@pytest.mark.parametrize(("base", "pid"), [("/srv/t1", 812), ("/srv/t2", 933), ("/srv/t3", None)])
def test_the_tomcat_process_is_found_by_its_catalina_base(base: str, pid: int | None) -> None:
    """Several Tomcats share a host: the one with this node's catalina.base is its JVM."""
    found = find_tomcat(PS, base)
    assert (found.pid if found else None) == pid


@pytest.mark.parametrize(
    ("base", "options"),
    [
        ("/srv/t1", {}),
        ("/srv/t2", {"java.net.preferIPv4Stack": "true"}),
    ],
)
def test_the_running_tomcats_networking_options_are_kept(
    base: str, options: dict[str, str]
) -> None:
    """How the JVM binds and resolves (CC108) comes from the process's own -D options."""
    found = find_tomcat(PS, base)
    assert found is not None and net_options(found.words) == options


def test_only_networking_options_are_kept_and_the_last_wins() -> None:
    """Other -D options may hold secrets: they are never kept."""
    words = [
        "-Ddb.password=hunter2",
        "-Djava.net.preferIPv6Addresses=true",
        "-Djava.net.preferIPv6Addresses=system",
        "-Djava.net.preferIPv4Stack",  # no value: not a setting the JDK reads as true
    ]
    assert net_options(words) == {"java.net.preferIPv6Addresses": "system"}


@pytest.mark.parametrize(
    ("text", "home"),
    [
        ("JAVA_HOME=/opt/jdk-17\n", "/opt/jdk-17"),
        ('export JRE_HOME="/usr/lib/jvm/jre"\n', "/usr/lib/jvm/jre"),
        ("# JAVA_HOME=/old\nCATALINA_OPTS=-Xmx1g\n", None),
        ("JAVA_HOME=$(dirname $(readlink -f /usr/bin/java))\n", None),
    ],
)
def test_java_home_from_setenv(text: str, home: str | None) -> None:
    assert java_home_from_setenv(text) == home


@pytest.mark.sshd
def test_live_facts_over_ssh(tmp_path: Path, sshd: SshServer) -> None:
    need(shutil.which("java") is not None, "a JDK (java on PATH) for the JVM facts")
    from dataclasses import replace

    from clustercheck.inventory.settings import TomcatSettings

    node = replace(
        sshd.node("t1"),
        roles=("tomcat",),
        tomcat=TomcatSettings(catalina_base=str(tmp_path / "none")),
    )
    transport = TransportFactory()(node)
    try:
        facts = gather_node(node, transport)
    finally:
        transport.close()
    assert facts.reachable, facts.live.error
    assert facts.live.clock is not None
    clock = facts.live.clock.offset
    assert clock is not None, facts.live.clock
    # the node is this machine: its true offset is 0, which must lie within the bound
    assert abs(clock.offset_ms) <= clock.uncertainty_ms + 1.0, clock
    assert clock.samples >= 2 and clock.rtt_ms < 500
    jvm = facts.live.jvm
    assert jvm is not None
    assert jvm.source.startswith("java on PATH") and jvm.version, jvm
    assert jvm.net_options is None  # no running Tomcat: its options are not known
    assert facts.hosts is not None and facts.hosts.path == "/etc/hosts"
    assert "127.0.0.1" in [e.address for e in facts.hosts.lookup("localhost")]
    assert facts.live.timesync is not None
    assert facts.live.timesync.daemon  # whatever keeps this machine's time, said


MEMBERSHIP = """
      <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster">
        <Channel className="org.apache.catalina.tribes.group.GroupChannel">
          <Membership className="org.apache.catalina.tribes.membership.McastService" {}/>
        </Channel>
      </Cluster>"""


@pytest.mark.parametrize(
    ("membership", "inventory_window", "window"),
    [
        ("", None, 4.0),  # Tomcat's defaults: dropTime 3000 + 2 x 500 ms
        ('frequency="1000" dropTime="6000"', None, 8.0),
        ("", 10, 10.0),  # the inventory may ask for more ...
        ('dropTime="9000"', 2, 10.0),  # ... never for less than dropTime asks
        ('dropTime="3600000"', None, 60.0),  # a node's server.xml makes the run wait 60 s at most
        ('dropTime="3600000"', 120, 120.0),  # the inventory may ask for more
        (f'dropTime="{"9" * 400}"', None, 4.0),  # no number: as if not set (it overflowed)
    ],
)
def test_capture_window_is_as_long_as_dropTime_asks(
    tmp_path: Path, membership: str, inventory_window: float | None, window: float
) -> None:
    from clusterfiles import build, tomcat_files

    from clustercheck.collect.gather import capture_window, gather
    from clustercheck.inventory.loader import load_inventory

    files = {"t1": tomcat_files("t1", cluster=MEMBERSHIP.format(membership))}
    top = {"multicast": {"window_s": inventory_window}} if inventory_window else {}
    inventory = build(tmp_path, {"t1": {"host": "10.0.0.11", "roles": ["tomcat"]}}, files, **top)
    assert capture_window(gather(load_inventory(inventory))) == window


def _cluster_with_workers(text: str, command_timeout: float = 60.0) -> ClusterFacts:
    """One live apache node whose workers.properties is `text`."""
    from clustercheck.facts.cluster import NodeFacts
    from clustercheck.facts.files import ApacheFacts
    from clustercheck.inventory.settings import ClusterSettings, SshSettings
    from clustercheck.parsers.workers import parse_workers, with_defaults

    workers = with_defaults(parse_workers(text, "/etc/httpd/conf/workers.properties"))
    ssh = SshSettings(command_timeout=command_timeout)
    settings = NodeSettings("web1", "10.0.0.1", ("apache",), ssh=ssh)
    node = NodeFacts(settings, apache=ApacheFacts(workers=workers))
    return ClusterFacts(ClusterSettings("c", "inventory.yaml", (settings,)), {"web1": node}, "")


def test_dns_is_asked_only_about_worker_hosts_that_may_resolve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A host mod_jk cannot resolve anyway ($(X) left as written, host:port, .invalid) is no
    name to look up, nor one of a worker mod_jk does not create (not listed, no lb member); a
    name no node is known by is."""
    from clustercheck.collect import live

    hosts = ["tc1.lan", "$(TC2)", "tc3:8009", "tc4.invalid", "localhost"]
    text = "".join(f"worker.w{i}.host={host}\n" for i, host in enumerate(hosts))
    text += "worker.unused.host=unused.lan\nworker.list=" + ",".join(
        f"w{i}" for i in range(len(hosts))
    )
    asked: list[str] = []

    def lookup(host: str) -> list[str]:
        asked.append(host)
        return ["10.0.0.9"]

    monkeypatch.setattr(live, "_lookup", lookup)
    cluster = _cluster_with_workers(text + "\n")
    assert live.resolve_unmatched_worker_hosts(cluster) == ({"tc1.lan": ["10.0.0.9"]}, {})
    assert asked == ["tc1.lan"]


def test_dns_of_a_hostile_workers_file_is_capped_and_given_up_at_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A thousand listed worker hosts get MAX_DNS_NAMES lookups, and lookups that never
    return (a dead resolver) are given up at the node's command timeout: each unresolved host
    is said so, for CC101 to say it cannot tell."""
    import threading
    import time

    from clustercheck.collect import live

    text = "".join(f"worker.w{i}.host=h{i:05}.lan\n" for i in range(1000))
    text += "worker.list=" + ",".join(f"w{i}" for i in range(1000)) + "\n"
    asked: list[str] = []
    never = threading.Event()

    def lookup(host: str) -> list[str]:
        asked.append(host)
        if host == "h00000.lan":
            return ["10.0.0.9"]
        never.wait()  # getaddrinfo with no answer: cannot be cancelled
        return []

    monkeypatch.setattr(live, "_lookup", lookup)
    started = time.monotonic()
    answers, unresolved = live.resolve_unmatched_worker_hosts(_cluster_with_workers(text, 0.3))
    assert time.monotonic() - started < 2
    never.set()  # the abandoned threads end
    assert answers == {"h00000.lan": ["10.0.0.9"]}
    assert len(asked) <= live.DNS_THREADS + 1  # stuck threads take no further host
    assert len(unresolved) == 999
    assert unresolved["h00001.lan"] == "no answer within 0.3 s"
    assert unresolved[f"h{live.MAX_DNS_NAMES:05}.lan"] == (
        f"more than {live.MAX_DNS_NAMES} names to look up"
    )


# -- the JVM: a process that looks like Tomcat is not an order to run its binary -------------


class Recording(LocalTransport):
    """The local transport, remembering every program it was asked to run."""

    def __init__(self) -> None:
        super().__init__(command_timeout=10)
        self.programs: list[str] = []

    def run(
        self, argv: Sequence[str], *, timeout: float | None = None, stdin: bytes | None = None
    ) -> CommandResult:
        self.programs.append(argv[0])
        return super().run(argv, timeout=timeout, stdin=stdin)


@pytest.fixture
def fake_tomcat(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """(catalina_base, binary): a process any local user could start, whose command line looks
    like the node's Tomcat and whose binary (/proc/PID/exe) is a copy of sh they could write."""
    base = tmp_path / "tomcat"
    (base / "conf").mkdir(parents=True)
    folder = tmp_path / "bin"
    folder.mkdir()
    binary = folder / "java"
    shutil.copy("/bin/sh", binary)
    binary.chmod(0o777)
    proc = subprocess.Popen(
        [
            str(binary),
            "-c",
            "sleep 60; :",
            "java",
            f"-Dcatalina.base={base}",
            "org.apache.catalina.startup.Bootstrap",
            "start",
        ]
    )
    try:
        yield base, binary
    finally:
        proc.kill()
        proc.wait()


def gather_jvm_of(base: Path, transport: LocalTransport, java: str | None = None) -> jvm.JvmFacts:
    node = NodeSettings(
        "t1",
        "localhost",
        ("tomcat",),
        transport="local",
        tomcat=TomcatSettings(catalina_base=str(base), java=java),
    )
    return jvm.gather_jvm(transport, NodeReader(transport), node, gather_runtime(transport, node))


def test_a_binary_others_can_write_is_reported_not_run(fake_tomcat: tuple[Path, Path]) -> None:
    base, binary = fake_tomcat
    transport = Recording()
    facts = gather_jvm_of(base, transport)
    assert str(binary) not in transport.programs
    assert (facts.java, facts.source.startswith("running Tomcat process")) == (str(binary), True)
    assert facts.error == (
        f"not run: {binary} can be written by group or others (mode 777);"
        " set tomcat.java in the inventory to the JVM to run"
    )


def test_a_binary_of_another_user_is_reported_not_run(fake_tomcat: tuple[Path, Path]) -> None:
    """As root (or through `become`), a binary another user owns is theirs to change."""
    need(os.geteuid() == 0, "root, to give the binary to another user")
    base, binary = fake_tomcat
    binary.chmod(0o755)
    os.chown(binary, 65534, 65534)
    facts = gather_jvm_of(base, transport := Recording())
    assert str(binary) not in transport.programs
    assert facts.error and facts.error.startswith(
        f"not run: {binary} belongs to uid 65534 (not root, not uid 0 running this)"
    )


def test_the_inventory_vouches_for_a_binary_or_names_the_one_to_run(
    fake_tomcat: tuple[Path, Path],
) -> None:
    base, binary = fake_tomcat
    vouched = gather_jvm_of(base, transport := Recording(), java=str(binary))
    assert str(binary) in transport.programs  # the user named it: it runs (and is no JVM)
    assert vouched.source.startswith("running Tomcat process") and vouched.error
    java = shutil.which("java")
    need(java is not None, "a JDK (java on PATH)")
    assert java is not None
    chosen = gather_jvm_of(base, transport := Recording(), java=java)
    assert str(binary) not in transport.programs
    assert chosen.version and chosen.java == java
    assert chosen.source == (
        f"the inventory's tomcat.java ({binary} not run:"
        f" {binary} can be written by group or others (mode 777))"
    )


def test_a_jvm_only_root_could_install_is_run() -> None:
    java = shutil.which("java")
    need(java is not None, "a JDK (java on PATH)")
    assert java is not None
    real = os.path.realpath(java)
    need(os.stat(real).st_uid == 0 and not os.stat(real).st_mode & stat.S_IWOTH, "a root's JDK")
    assert jvm.untrusted_reason(LocalTransport(), java) == jvm.Vetted(real, "root")


def test_setenv_java_home_is_node_data_too(tmp_path: Path) -> None:
    base = tmp_path / "tomcat"
    (base / "bin").mkdir(parents=True)
    home = tmp_path / "jdk"
    (home / "bin").mkdir(parents=True)
    shutil.copy("/bin/true", home / "bin" / "java")
    (home / "bin").chmod(0o777)
    (base / "bin" / "setenv.sh").write_text(f"JAVA_HOME={home}\n")
    facts = gather_jvm_of(base, transport := Recording())
    assert str(home / "bin" / "java") not in transport.programs
    assert facts.source == f"JAVA_HOME in {base}/bin/setenv.sh"
    assert facts.error and f"{home}/bin can be written by group or others" in facts.error


def test_a_node_keeps_only_the_sockets_on_its_own_wildcard_and_loopback_addresses() -> None:
    """A socket table shared with other hosts (containers in one network namespace, the
    benchmark's simulated nodes) is kept to the node's own sockets; unknown addresses keep all."""
    table = (
        "== now\n1796000000\n== ps etimes\n== ss\n"
        "LISTEN 0 100 10.0.0.5:8009 0.0.0.0:*\n"
        "LISTEN 0 100 10.0.0.6:8009 0.0.0.0:*\n"
        "LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n"
        "LISTEN 0 128 [::]:22 [::]:*\n"
        "LISTEN 0 511 127.0.0.1:80 0.0.0.0:*\n"
        "ESTAB 0 0 10.0.0.5:4000 10.0.0.6:51234\n"
        "ESTAB 0 0 10.0.0.6:51234 10.0.0.5:4000\n"
    )
    answers = {POSIX_COMMAND: Answer(0, table.encode())}
    node = NodeSettings("n1", "h", ("tomcat",))
    kept = gather_runtime(LocalTransport(), node, answers, ["10.0.0.5", "127.0.0.1"]).facts
    assert [(s.address, s.port) for s in kept.listeners or ()] == [
        ("10.0.0.5", 8009),
        ("0.0.0.0", 22),
        ("::", 22),
        ("127.0.0.1", 80),
    ]
    assert [(c.local, c.remote) for c in kept.connections or ()] == [("10.0.0.5", "10.0.0.6")]
    every = gather_runtime(LocalTransport(), node, answers).facts
    assert len(every.listeners or ()) == 5 and len(every.connections or ()) == 2
