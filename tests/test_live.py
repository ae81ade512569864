"""Live facts: how the JVM that runs Tomcat is found, and the clock, JVM and time-sync facts
gathered for real over an SSH connection."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sshd_server import SshServer
from support import need

from clustercheck.collect.gather import TransportFactory, gather_node
from clustercheck.collect.jvm import find_tomcat_pid, java_home_from_setenv

BOOT = "-Dcatalina.home=/usr/share/tomcat10 -classpath x org.apache.catalina.startup.Bootstrap"
PS = f"""\
  1 /sbin/init
 812 /usr/lib/jvm/java-17/bin/java -Dcatalina.base=/srv/t1 {BOOT} start
 933 /opt/jdk-21/bin/java -Dcatalina.base=/srv/t2/ {BOOT} start
 950 grep -Dcatalina.base=/srv/t1
"""


@pytest.mark.parametrize(("base", "pid"), [("/srv/t1", 812), ("/srv/t2", 933), ("/srv/t3", None)])
def test_the_tomcat_process_is_found_by_its_catalina_base(base: str, pid: int | None) -> None:
    """Several Tomcats share a host: the one with this node's catalina.base is its JVM."""
    assert find_tomcat_pid(PS, base) == pid


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
    assert clock.samples >= 5 and clock.rtt_ms < 500
    jvm = facts.live.jvm
    assert jvm is not None
    assert jvm.source.startswith("java on PATH") and jvm.version, jvm
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
