"""Who hears whom: scenarios of notes/lab.md §7 and the misconfigurations of protocols.md §1,
built as synthetic captures of three nodes (heartbeats made by the decoder tests' encoder), and
the real lab captures where they show the same thing."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

import pytest
from parsers.test_tribes import MEMBER, captures_dir, encode

from clustercheck.collect.multicast import collapse_repeats
from clustercheck.derive import membership as mb
from clustercheck.derive.membership import Capture, MembershipView, Pair, judge_membership, matrix
from clustercheck.engine.results import Status
from clustercheck.parsers.pcap import Datagram, read_pcap
from clustercheck.parsers.tribes import SHUTDOWN, TOMCAT6

ADDRESSES = {"n1": "10.77.0.11", "n2": "10.77.0.12", "n3": "10.77.0.13"}
GROUP = ("228.0.0.4", 45564)
BEATS = 4  # heartbeats per sender in the window, 0.5 s apart


def beat(sender: str, number: int, group: tuple[str, int] = GROUP, **changes: object) -> Datagram:
    """One heartbeat of a lab node, sent to `group`; changes go to the advertised member."""
    defaults = {
        "host": ADDRESSES[sender],
        "unique_id": sender.encode().ljust(16, b"\x00"),
        "alive_ms": 20_000 + 500 * number,
    }
    member = replace(MEMBER, **(defaults | changes))  # type: ignore[arg-type]
    time = 1_795_528_272.0 + 0.5 * number
    return Datagram(time, ADDRESSES[sender], group[0], group[1], group[1], encode(member))


def _everyone() -> dict[str, set[str]]:
    return {node: set(ADDRESSES) for node in ADDRESSES}


@dataclass
class World:
    """Three healthy nodes; a scenario breaks it the way the lab broke it."""

    sent: dict[str, list[Datagram]] = field(
        default_factory=lambda: {n: [beat(n, i) for i in range(BEATS)] for n in ADDRESSES}
    )
    on_wire: dict[str, set[str]] = field(default_factory=_everyone)
    in_socket: dict[str, set[str]] = field(default_factory=_everyone)
    config: dict[str, dict[str, object]] = field(default_factory=dict)
    no_wire: set[str] = field(default_factory=set)
    no_socket: set[str] = field(default_factory=set)
    extra: list[Datagram] = field(default_factory=list)  # in every view (a stranger, junk)

    def captures(self) -> list[Capture]:
        return [self._capture(node) for node in ADDRESSES]

    def _capture(self, node: str) -> Capture:
        settings: dict[str, object] = {
            "address": ADDRESSES[node],
            "group": GROUP,
            "domain": b"",
            "tomcat_format": "tomcat7+",
        }
        settings.update(self.config.get(node, {}))
        return Capture(
            node=node,
            wire=None if node in self.no_wire else self._view(self.on_wire[node]),
            socket=None if node in self.no_socket else self._view(self.in_socket[node]),
            **settings,  # type: ignore[arg-type]
        )

    def _view(self, senders: Iterable[str]) -> list[Datagram]:
        seen = [d for sender in senders for d in self.sent[sender]] + self.extra
        return sorted(seen, key=lambda d: d.time)

    def judge(self) -> MembershipView:
        return judge_membership(self.captures(), {n: {a} for n, a in ADDRESSES.items()})


def _without(view: dict[str, set[str]], who: Iterable[str], missing: str) -> None:
    for node in who:
        view[node].discard(missing)


def unusual_pairs(view: MembershipView) -> dict[tuple[str, str], tuple[bool, str]]:
    """Every pair that is not plainly heard: (listener, sender) -> (heard, diagnosis)."""
    return {
        (p.listener, p.sender): (p.heard, p.diagnosis)
        for p in view.pairs
        if p.diagnosis != mb.HEARD
    }


# --- the scenarios --------------------------------------------------------------------------


def healthy(world: World) -> None:
    """All three send and hear."""


def cut_at_the_bridge(world: World) -> None:
    """lab §7 A: n3 still sends (its own tcpdump sees it), the bridge drops it for everyone."""
    _without(world.on_wire, ["n1", "n2"], "n3")
    _without(world.in_socket, ["n1", "n2"], "n3")


def host_firewall_on_n3(world: World) -> None:
    """lab §7 B: INPUT drop on n3; tcpdump taps before netfilter, the socket gets nothing."""
    world.in_socket["n3"] = set()


def n3_not_sending(world: World) -> None:
    """lab §7 C: OUTPUT drop (sendto fails) or Tomcat down: n3 is on no wire, not even its own."""
    for node in ADDRESSES:
        world.on_wire[node].discard("n3")
        world.in_socket[node].discard("n3")


def n3_on_another_port(world: World) -> None:
    """n3 configured with 45565: its heartbeats go to a group nobody else listens to."""
    other = (GROUP[0], 45565)
    world.config["n3"] = {"group": other}
    world.sent["n3"] = [beat("n3", i, group=other) for i in range(BEATS)]
    cut_at_the_bridge(world)  # the others' captures and sockets filter on their own group
    world.in_socket["n3"] = {"n3"}


def n3_in_another_domain(world: World) -> None:
    """Membership does not filter on domain: heard, yet worth saying (DomainFilterInterceptor)."""
    world.config["n3"] = {"domain": b"qa"}
    world.sent["n3"] = [beat("n3", i, domain=b"qa") for i in range(BEATS)]


def n3_runs_tomcat6(world: World) -> None:
    """The bytes arrive everywhere, but neither format's receiver can read the other's."""
    world.config["n3"] = {"tomcat_format": TOMCAT6}
    world.sent["n3"] = [beat("n3", i, format=TOMCAT6, udp_port=None) for i in range(BEATS)]


def n3_shuts_down(world: World) -> None:
    """n3's last heartbeat carries BABY-ALEX in the command field."""
    world.sent["n3"][-1] = beat("n3", BEATS - 1, command=SHUTDOWN)


def n3_restarts(world: World) -> None:
    """n3 shuts down and is back, with a new uniqueId, before the window ends."""
    n3_shuts_down(world)
    world.sent["n3"].append(beat("n3", BEATS, unique_id=b"\x01" * 16, alive_ms=0))


def undecodable_in_the_group(world: World) -> None:
    """A channel message in the group (twice) and noise in another group."""
    junk = Datagram(1_795_528_272.1, "10.77.0.50", *GROUP, GROUP[1], b"FLT2002 channel bytes")
    elsewhere = Datagram(1_795_528_272.1, "10.77.0.50", "239.1.1.1", 5000, 5000, b"noise")
    world.extra = [junk, elsewhere, replace(junk, time=junk.time + 1)]


def stranger_in_the_group(world: World) -> None:
    """A fourth Tomcat (say QA on the default group) that no inventory node is."""
    stranger = replace(MEMBER, host="10.77.0.99", unique_id=b"\x99" * 16)
    world.extra = [Datagram(1_795_528_272.2, "10.77.0.99", *GROUP, GROUP[1], encode(stranger))]


def n3_advertises_loopback(world: World) -> None:
    """Receiver address="auto" on a host whose name maps to 127.0.0.1."""
    world.sent["n3"] = [beat("n3", i, host="127.0.0.1") for i in range(BEATS)]


def n2_not_measured(world: World) -> None:
    world.no_wire.add("n2")
    world.no_socket.add("n2")


def tcpdump_only(world: World) -> None:
    """No socket test anywhere: the wire is what a listener heard."""
    world.no_socket.update(ADDRESSES)


def n3_unmeasured_and_silent(world: World) -> None:
    n3_not_sending(world)
    world.no_wire.add("n3")
    world.no_socket.add("n3")


NOT_SENDING = (False, mb.NOT_SENDING)
CUT = (False, mb.CUT)
HOST_DROP = (False, mb.HOST_DROP)
OTHER_GROUP = (False, mb.OTHER_GROUP)
OTHER_DOMAIN = (True, mb.OTHER_DOMAIN)
FORMATS = (False, mb.FORMATS)
SHUT_DOWN = (False, mb.SHUT_DOWN)
NO_CAPTURE = (False, mb.NO_CAPTURE)
UNKNOWN = (False, mb.UNKNOWN_SENDER)
WITH_N3 = [("n1", "n3"), ("n2", "n3"), ("n3", "n1"), ("n3", "n2")]


SCENARIOS = [
    (healthy, {}),
    (tcpdump_only, {}),
    (cut_at_the_bridge, {("n1", "n3"): CUT, ("n2", "n3"): CUT}),
    (host_firewall_on_n3, {("n3", "n1"): HOST_DROP, ("n3", "n2"): HOST_DROP}),
    (n3_not_sending, {("n1", "n3"): NOT_SENDING, ("n2", "n3"): NOT_SENDING}),
    (n3_on_another_port, dict.fromkeys(WITH_N3, OTHER_GROUP)),
    (n3_in_another_domain, dict.fromkeys(WITH_N3, OTHER_DOMAIN)),
    (n3_runs_tomcat6, dict.fromkeys(WITH_N3, FORMATS)),
    (n3_shuts_down, {("n1", "n3"): SHUT_DOWN, ("n2", "n3"): SHUT_DOWN}),
    (stranger_in_the_group, {}),
    (n3_advertises_loopback, {}),
    (n2_not_measured, {("n2", "n1"): NO_CAPTURE, ("n2", "n3"): NO_CAPTURE}),
    (
        n3_unmeasured_and_silent,
        {("n1", "n3"): UNKNOWN, ("n2", "n3"): UNKNOWN}
        | {("n3", "n1"): NO_CAPTURE, ("n3", "n2"): NO_CAPTURE},
    ),
]


@pytest.mark.parametrize(("scenario", "expected"), SCENARIOS)
def test_who_hears_whom(
    scenario: Callable[[World], None], expected: dict[tuple[str, str], tuple[bool, str]]
) -> None:
    world = World()
    scenario(world)
    view = world.judge()
    assert view.members == ["n1", "n2", "n3"]
    assert len(view.pairs) == 6 and all(p.listener != p.sender for p in view.pairs)
    assert unusual_pairs(view) == expected


def collapsed(capture: Capture) -> Capture:
    """The capture as the engine records it: one datagram per member state, with its count."""
    wire, socket = capture.wire, capture.socket
    return replace(
        capture,
        wire=None if wire is None else collapse_repeats(wire),
        socket=None if socket is None else collapse_repeats(socket),
    )


@pytest.mark.parametrize(
    "scenario", [s for s, _ in SCENARIOS] + [undecodable_in_the_group, n3_restarts]
)
def test_collapsing_repeated_heartbeats_changes_no_judgement(
    scenario: Callable[[World], None],
) -> None:
    world = World()
    scenario(world)
    captures = world.captures()
    addresses = {n: {a} for n, a in ADDRESSES.items()}
    kept = [collapsed(c) for c in captures]
    assert sum(len(c.wire or ()) for c in kept) < sum(len(c.wire or ()) for c in captures)
    assert judge_membership(kept, addresses) == judge_membership(captures, addresses)


def test_healthy_cluster_advertises_every_node_and_nothing_else() -> None:
    view = World().judge()
    assert {node: h.host for node, h in view.advertised.items()} == ADDRESSES
    assert view.advertised["n1"].alive_ms == 20_000 + 500 * (BEATS - 1)  # the latest
    assert (view.foreign, view.undecodable, view.loopback_advertisers) == ([], {}, [])


def test_a_stranger_is_foreign_once_with_its_latest_heartbeat() -> None:
    world = World()
    stranger_in_the_group(world)
    [foreign] = world.judge().foreign
    assert foreign.host == "10.77.0.99"


def test_loopback_advertiser_is_still_matched_by_its_source() -> None:
    world = World()
    n3_advertises_loopback(world)
    view = world.judge()
    assert view.loopback_advertisers == ["n3"]
    assert view.advertised["n3"].host == "127.0.0.1" and view.foreign == []


def test_advertising_an_address_other_than_the_cluster_one_is_flagged() -> None:
    world = World()
    world.sent["n2"] = [beat("n2", i, host="192.168.1.12") for i in range(BEATS)]
    assert world.judge().loopback_advertisers == ["n2"]


def test_without_its_cluster_address_a_node_is_judged_by_its_packets_source() -> None:
    world = World()
    world.config["n2"] = {"address": None}
    world.sent["n2"] = [beat("n2", i, host="192.168.1.12") for i in range(BEATS)]
    assert world.judge().loopback_advertisers == ["n2"]


def test_loopback_addresses_of_nodes_identify_no_one() -> None:
    world = World()
    stranger = replace(MEMBER, host="127.0.0.1", unique_id=b"\x77" * 16)
    world.extra = [Datagram(1_795_528_272.2, "10.77.0.77", *GROUP, GROUP[1], encode(stranger))]
    addresses = {n: {a, "127.0.0.1", "::1"} for n, a in ADDRESSES.items()}
    view = judge_membership(world.captures(), addresses)
    assert [h.host for h in view.foreign] == ["127.0.0.1"] and view.ambiguous == []


def test_a_node_matched_by_its_advertised_host_when_it_sends_from_elsewhere() -> None:
    world = World()
    world.sent["n2"] = [replace(d, src="172.16.0.12") for d in world.sent["n2"]]
    view = world.judge()
    assert unusual_pairs(view) == {}
    assert view.loopback_advertisers == []  # it advertises its own cluster address
    assert view.advertised["n2"].host == ADDRESSES["n2"]


def test_tomcat6_is_told_apart_by_its_heartbeats_when_versions_are_unknown() -> None:
    world = World()
    n3_runs_tomcat6(world)
    for node in ADDRESSES:
        world.config.setdefault(node, {})["tomcat_format"] = None
    view = world.judge()
    assert view.advertised["n3"].format == TOMCAT6
    assert unusual_pairs(view) == dict.fromkeys(WITH_N3, FORMATS)


def test_a_sender_heard_by_others_but_not_by_one_is_cut_even_without_its_own_wire() -> None:
    world = World()
    world.no_wire.add("n3")
    _without(world.on_wire, ["n1"], "n3")
    _without(world.in_socket, ["n1"], "n3")
    assert unusual_pairs(world.judge()) == {("n1", "n3"): CUT}


def test_sending_to_another_group_than_configured_is_a_group_mismatch() -> None:
    world = World()
    elsewhere = ("228.0.0.5", 45564)
    world.sent["n3"] = [beat("n3", i, group=elsewhere) for i in range(BEATS)]
    assert unusual_pairs(world.judge()) == {("n1", "n3"): OTHER_GROUP, ("n2", "n3"): OTHER_GROUP}


def test_a_restart_after_the_shutdown_is_heard_again() -> None:
    world = World()
    n3_restarts(world)
    view = world.judge()
    assert unusual_pairs(view) == {}
    assert view.advertised["n3"].unique_id == b"\x01" * 16


def test_undecodable_datagrams_in_the_group_are_counted_by_reason() -> None:
    world = World()
    undecodable_in_the_group(world)
    view = world.judge()
    assert view.undecodable == {"channel message (FLT2002), not a heartbeat": 12}  # 3 nodes x 2 x 2
    assert unusual_pairs(view) == {}


def two_on_one_host(receiver_ports: dict[str, int | None]) -> MembershipView:
    """n1 and n2 are two Tomcats on one machine (ports 4000 and 4001), n3 elsewhere."""
    world = World()
    world.sent["n2"] = [
        replace(beat("n2", i, host=ADDRESSES["n1"], port=4001), src=ADDRESSES["n1"])
        for i in range(BEATS)
    ]
    for node, port in receiver_ports.items():
        world.config[node] = {"address": ADDRESSES["n1"], "receiver_port": port}
    addresses = {"n1": {ADDRESSES["n1"]}, "n2": {ADDRESSES["n1"]}, "n3": {ADDRESSES["n3"]}}
    return judge_membership(world.captures(), addresses)


def test_nodes_sharing_an_address_are_told_apart_by_receiver_port() -> None:
    view = two_on_one_host({"n1": 4000, "n2": 4001})
    assert (view.advertised["n1"].port, view.advertised["n2"].port) == (4000, 4001)
    assert unusual_pairs(view) == {} and view.ambiguous == []


def test_nodes_sharing_an_address_without_ports_are_ambiguous_not_guessed() -> None:
    view = two_on_one_host({"n1": None, "n2": None})
    assert "n1" not in view.advertised and "n2" not in view.advertised
    assert sorted(h.port for h in view.ambiguous) == [4000, 4001]
    assert view.foreign == []


def n1_configured_with_port_4000(advertises: int, stranger_port: int | None) -> MembershipView:
    """n1's receiver is configured on 4000; it advertises `advertises`, and a second Tomcat on
    n1's host (same source address, another uniqueId), not in the inventory, may join too."""
    world = World()
    world.sent["n1"] = [beat("n1", i, port=advertises) for i in range(BEATS)]
    if stranger_port is not None:
        stranger = b"\x42" * 16
        world.extra = [beat("n1", i, port=stranger_port, unique_id=stranger) for i in range(BEATS)]
    world.config["n1"] = {"receiver_port": 4000}
    return world.judge()


def test_an_unlisted_tomcat_on_a_listed_host_is_foreign_by_its_receiver_port() -> None:
    view = n1_configured_with_port_4000(advertises=4000, stranger_port=4001)
    assert [h.port for h in view.foreign] == [4001]
    assert view.advertised["n1"].port == 4000 and unusual_pairs(view) == {}


def test_a_node_moved_by_receiver_autobind_keeps_its_heartbeats() -> None:
    view = n1_configured_with_port_4000(advertises=4001, stranger_port=None)
    assert view.advertised["n1"].port == 4001 and view.foreign == []
    assert unusual_pairs(view) == {}


def test_ipv6_group_and_addresses_compare_in_any_spelling() -> None:
    group = ("FF02:0:0:0:0:0:0:4", 45564)
    world = World()
    for node in ADDRESSES:
        world.config[node] = {"group": group}
        world.sent[node] = [
            replace(d, src=f"fd00::{node[1]}", dst="ff02::4") for d in world.sent[node]
        ]
    addresses = {n: {f"FD00:0::{n[1]}"} for n in ADDRESSES}
    view = judge_membership(world.captures(), addresses)
    assert unusual_pairs(view) == {}


def test_matrix_holds_every_pair_by_listener_and_sender() -> None:
    world = World()
    cut_at_the_bridge(world)
    table = matrix(world.judge())
    assert table["n1"]["n3"] == Pair("n1", "n3", False, mb.CUT)
    assert table["n1"]["n3"].status is Status.FAIL
    assert table["n3"]["n1"] == Pair("n3", "n1", True, mb.HEARD)
    assert table["n3"]["n1"].status is Status.PASS
    assert sorted(table) == ["n1", "n2", "n3"] and all(len(row) == 2 for row in table.values())


def test_pairs_are_in_a_stable_order() -> None:
    assert [(p.listener, p.sender) for p in World().judge().pairs] == [
        ("n1", "n2"),
        ("n1", "n3"),
        ("n2", "n1"),
        ("n2", "n3"),
        ("n3", "n1"),
        ("n3", "n2"),
    ]
    assert World().judge().pairs[0] == Pair("n1", "n2", True, mb.HEARD)


# --- the real lab captures ------------------------------------------------------------------


def real(name: str) -> list[Datagram]:
    datagrams, problems = read_pcap((captures_dir() / name).read_bytes())
    assert problems == []
    return datagrams


def lab_capture(node: str, wire: list[Datagram] | None) -> Capture:
    return Capture(node, ADDRESSES[node], wire, None, GROUP, b"", None)


def test_real_capture_of_n1_shows_all_three_heard() -> None:
    wire = real("tribes.pcap")  # taken on n1; in the lab n2 and n3 saw the same
    view = judge_membership(
        [lab_capture(node, wire) for node in ADDRESSES], {n: {a} for n, a in ADDRESSES.items()}
    )
    assert unusual_pairs(view) == {}
    assert {n: h.member_id[-8:] for n, h in view.advertised.items()} == {
        "n1": "3454c174",
        "n2": "857b4499",
        "n3": "79758646",
    }


@pytest.mark.parametrize(
    ("name", "repeats"),
    [("tribes.pcap", [6, 6, 6]), ("tribes-shutdown.pcap", [2, 1]), ("tribes-auto.pcap", [3])],
)
def test_the_engine_keeps_one_record_per_member_state(name: str, repeats: list[int]) -> None:
    datagrams = real(name)
    kept = collapse_repeats(datagrams)
    assert [d.repeats for d in kept] == repeats
    for record in kept:  # the latest of each member state is kept
        state = [d for d in datagrams if d.src == record.src and d.time <= record.time]
        assert record == replace(state[-1], repeats=record.repeats)


def test_real_shutdown_and_loopback_captures() -> None:
    addresses = {n: {a} for n, a in ADDRESSES.items()}
    shutdown = real("tribes-shutdown.pcap")
    view = judge_membership([lab_capture("n1", shutdown), lab_capture("n3", shutdown)], addresses)
    assert matrix(view)["n1"]["n3"] == Pair("n1", "n3", False, mb.SHUT_DOWN)
    assert matrix(view)["n1"]["n3"].status is Status.WARN
    assert view.advertised["n3"].alive_ms > 1_700_000_000_000  # epoch ms after the recovery
    auto = real("tribes-auto.pcap")
    view = judge_membership([lab_capture("n1", auto), lab_capture("n3", auto)], addresses)
    assert view.loopback_advertisers == ["n3"] and view.foreign == []


@pytest.mark.parametrize(
    ("heard", "diagnosis", "status"),
    [
        (True, mb.HEARD, Status.PASS),
        (True, mb.OTHER_DOMAIN, Status.WARN),
        (False, mb.SHUT_DOWN, Status.WARN),
        (False, mb.CUT, Status.FAIL),
        (False, mb.NO_CAPTURE, Status.ERROR),
    ],
)
def test_a_pair_carries_cc501s_verdict_for_the_check_and_every_matrix(
    heard: bool, diagnosis: str, status: Status
) -> None:
    pair = Pair("n1", "n2", heard, diagnosis)
    assert pair.status is status
    view = MembershipView(["n1", "n2"], [pair], {}, [], {}, [])
    assert matrix(view)["n1"]["n2"].status is status
