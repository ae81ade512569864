"""The lab's network: one bridge, a network namespace per node, and the multicast faults.

Every name starts with PREFIX and the lab id, and every lab gets a /24 of 10.0.0.0/8 that no
interface, route or other lab uses, so two labs on one machine never meet. The namespaces have
no default route: traffic can only reach the other nodes and the host end of the bridge. Tribes
multicast is routed to eth0 inside each namespace; never in the root namespace, where it would
follow the default route off the machine.
"""

from __future__ import annotations

import ipaddress
import json
import random
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from labproc import kill_pids

PREFIX = "cclab"
NODES = (1, 2, 3)  # the inventory's nodes
STRANGER = 4  # a node outside the inventory, whose Tomcat only runs for the foreign-member fault
NAMESPACES = (*NODES, STRANGER)  # an empty namespace costs a few ms: all are made at `up`
GROUP, GROUP_PORT = "228.0.0.4", 45564
RECEIVER_PORTS = "4000-4099"  # the Receiver's port and its autoBind range
RECEIVER_TABLE = "cclab_receiver"  # inside each node's namespace, gone with it


@dataclass(frozen=True)
class Net:
    """Names and addresses of one lab's network, as recorded in its state file."""

    id: str
    subnet: str
    bridge: str
    netns: tuple[str, ...]
    veths: tuple[str, ...]
    nft_table: str

    @classmethod
    def named(cls, lab_id: str, subnet: str) -> Net:
        base = PREFIX + lab_id
        return cls(
            lab_id,
            subnet,
            base,
            tuple(f"{base}-n{i}" for i in NAMESPACES),
            tuple(f"{base}v{i}" for i in NAMESPACES),
            base,
        )

    @property
    def host_ip(self) -> str:
        """The root namespace's address on the bridge, from which tests and clustercheck run."""
        return self.address(1)

    def ip(self, node: int) -> str:
        return self.address(10 + node)

    def ns(self, node: int) -> str:
        return self.netns[node - 1]

    def exec_argv(self, node: int) -> list[str]:
        """Command prefix that runs a program inside the node's namespace."""
        return ["ip", "netns", "exec", self.ns(node)]

    def address(self, host: int) -> str:
        """Any address of the lab's subnet (`address(99)`: one no node has)."""
        return str(ipaddress.ip_network(self.subnet).network_address + host)


def run(*argv: str, check: bool = True) -> str:
    """Run a command and return its stdout; a failure raises with the command's stderr."""
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {done.stderr.strip() or done.returncode}")
    return done.stdout


def choose(taken: Iterable[str], taken_ids: Iterable[str]) -> Net:
    """A fresh lab id and a /24 that overlaps no address, route or other lab on this machine."""
    used = [ipaddress.ip_network(n) for n in (*taken, *_networks_in_use())]
    names = {*_link_names(), *_netns_names(), *_nft_bridge_tables()}
    rng = random.SystemRandom()
    for _ in range(200):
        lab_id = f"{rng.randrange(16**4):04x}"
        subnet = ipaddress.ip_network(f"10.{rng.randrange(64, 255)}.{rng.randrange(256)}.0/24")
        net = Net.named(lab_id, str(subnet))
        if lab_id in taken_ids or any(n.startswith(net.bridge) for n in names):
            continue
        if not any(subnet.overlaps(u) for u in used):
            return net
    raise RuntimeError("no free lab id and /24 in 10.0.0.0/8 found")


def create(net: Net) -> None:
    """Bridge, namespaces and veth pairs; multicast flooded to every port (no IGMP querier)."""
    prefix_len = ipaddress.ip_network(net.subnet).prefixlen
    run("ip", "link", "add", net.bridge, "type", "bridge")
    _sysctl(f"/sys/class/net/{net.bridge}/bridge/multicast_snooping", "0")
    _sysctl(f"/proc/sys/net/ipv6/conf/{net.bridge}/disable_ipv6", "1")
    run("ip", "addr", "add", f"{net.host_ip}/{prefix_len}", "dev", net.bridge)
    run("ip", "link", "set", net.bridge, "up")
    for node in NAMESPACES:
        ns, veth = net.ns(node), net.veths[node - 1]
        run("ip", "netns", "add", ns)
        run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
        _sysctl(f"/proc/sys/net/ipv6/conf/{veth}/disable_ipv6", "1")
        run("ip", "link", "set", veth, "master", net.bridge, "up")
        run("ip", "netns", "exec", ns, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1")
        run("ip", "-n", ns, "addr", "add", f"{net.ip(node)}/{prefix_len}", "dev", "eth0")
        run("ip", "-n", ns, "link", "set", "lo", "up")
        run("ip", "-n", ns, "link", "set", "eth0", "up")
        run("ip", "-n", ns, "route", "add", "224.0.0.0/4", "dev", "eth0")


def destroy(net: Net) -> None:
    """Remove everything `create` and the faults made; absent pieces are fine (after a crash)."""
    existing = set(_netns_names())
    for ns in net.netns:
        if ns in existing:
            kill_pids(_netns_pids(ns))
            run("ip", "netns", "del", ns)
    links = set(_link_names())
    for veth in net.veths:  # usually gone with its namespace, which the kernel frees lazily
        if veth in links:
            run("ip", "link", "del", veth, check=False)
    if net.bridge in links:
        run("ip", "link", "del", net.bridge)
    if net.nft_table in _nft_bridge_tables():
        run("nft", "delete", "table", "bridge", net.nft_table)


def sweep_orphans(known_ids: set[str]) -> list[str]:
    """Delete namespaces, links and nft tables of ours that no recorded lab owns.

    They are left when a run was killed before it could write its state. Processes still
    inside such a namespace are stopped by their PID first. Returns what was removed.
    """

    def orphaned(names: list[str]) -> list[str]:
        return [n for n in names if n.startswith(PREFIX) and n[len(PREFIX) :][:4] not in known_ids]

    namespaces = orphaned(_netns_names())
    for ns in namespaces:
        kill_pids(_netns_pids(ns))
        run("ip", "netns", "del", ns)
    links = orphaned(_link_names())
    for link in links:
        run("ip", "link", "del", link, check=False)  # a veth may have gone with its namespace
    tables = orphaned(_nft_bridge_tables())
    for table in tables:
        run("nft", "delete", "table", "bridge", table)
    return [*namespaces, *links, *tables]


def set_mcast_cut(net: Net, node: int, on: bool) -> None:
    """Drop the node's heartbeats at the bridge: it still sends, nobody hears it.

    Like a switch or firewall between hosts that does not pass multicast. The rule sits in the
    lab's own nft table in the root namespace and matches only this lab's veth.
    """
    exists = net.nft_table in _nft_bridge_tables()
    if on and not exists:
        chain = f"bridge {net.nft_table} mcfilter"  # nft reads a whole command from one argument
        rule = f"iifname {net.veths[node - 1]} ip daddr {GROUP} udp dport {GROUP_PORT} counter drop"
        run("nft", f"add table bridge {net.nft_table}")
        run("nft", f"add chain {chain} {{ type filter hook forward priority 0; policy accept; }}")
        run("nft", f"add rule {chain} {rule}")
    elif not on and exists:
        run("nft", "delete", "table", "bridge", net.nft_table)


def set_host_firewall(net: Net, node: int, on: bool) -> None:
    """An INPUT drop of the group inside the node: its NIC gets the heartbeats, no socket does.

    tcpdump on that node still shows them (it taps before netfilter): a trap for any check that
    trusts a capture to prove a node receives.
    """
    rule = ["INPUT", "-d", GROUP, "-p", "udp", "--dport", str(GROUP_PORT), "-j", "DROP"]
    iptables = [*net.exec_argv(node), "iptables", "-w"]
    present = subprocess.run([*iptables, "-C", *rule], capture_output=True).returncode == 0
    if on and not present:
        run(*iptables, "-A", *rule)
    elif not on and present:
        run(*iptables, "-D", *rule)


def set_receiver_firewall(net: Net, node: int, on: bool) -> None:
    """Inside the node, drop TCP from the host side of the bridge (clustercheck's machine) to
    the replication receiver ports, as a data centre keeps the receivers to the members: the
    other nodes still connect. Off, the host reaches the receiver like any member."""
    nft = [*net.exec_argv(node), "nft"]
    present = subprocess.run([*nft, "list", "table", "inet", RECEIVER_TABLE], capture_output=True)
    if on and present.returncode != 0:
        chain = f"inet {RECEIVER_TABLE} input"
        rule = f"ip saddr {net.host_ip} tcp dport {RECEIVER_PORTS} counter drop"
        run(*nft, f"add table inet {RECEIVER_TABLE}")
        run(*nft, f"add chain {chain} {{ type filter hook input priority 0; policy accept; }}")
        run(*nft, f"add rule {chain} {rule}")
    elif not on and present.returncode == 0:
        run(*nft, "delete", "table", "inet", RECEIVER_TABLE)


def _networks_in_use() -> list[str]:
    """Every IPv4 prefix on an interface or in a routing table of the root namespace."""
    prefixes = []
    for link in json.loads(run("ip", "-j", "-4", "addr", "show") or "[]"):
        for addr in link.get("addr_info", []):
            prefixes.append(f"{addr['local']}/{addr['prefixlen']}")
    for route in json.loads(run("ip", "-j", "-4", "route", "show", "table", "all") or "[]"):
        dst = route.get("dst", "default")
        if dst != "default":
            prefixes.append(dst if "/" in dst else f"{dst}/32")
    return [str(ipaddress.ip_network(p, strict=False)) for p in prefixes]


def _netns_names() -> list[str]:
    return [line.split()[0] for line in run("ip", "netns", "list").splitlines() if line.strip()]


def _netns_pids(ns: str) -> list[int]:
    return [int(p) for p in run("ip", "netns", "pids", ns, check=False).split()]


def _link_names() -> list[str]:
    return [link["ifname"] for link in json.loads(run("ip", "-j", "link", "show") or "[]")]


def _nft_bridge_tables() -> list[str]:
    tables = json.loads(run("nft", "-j", "list", "tables", "bridge") or "{}")
    return [t["table"]["name"] for t in tables.get("nftables", []) if "table" in t]


def _sysctl(path: str, value: str) -> None:
    Path(path).write_text(value)
