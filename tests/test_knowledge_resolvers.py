"""How mod_jk, mod_proxy's resolver and Java pick addresses (knowledge/resolvers.py), rule by
rule; tests/differential/test_address_family.py holds the rules against the real software."""

from __future__ import annotations

import pytest

from clustercheck.knowledge.resolvers import JavaNet, jk_pick, resolver_orders

LOCALHOST = ("127.0.0.1", "::1")  # /etc/hosts order on Debian
DUAL = ("10.0.0.11", "fd00::11")


@pytest.mark.parametrize(
    ("answers", "prefer_ipv6", "pick"),
    [
        (("::1", "127.0.0.1"), False, "::1"),  # the first, whatever its family
        (("127.0.0.1", "::1"), False, "127.0.0.1"),
        (("127.0.0.1", "::1"), True, "::1"),
        (("127.0.0.1",), True, "127.0.0.1"),  # one answer is taken as it is
        (("10.0.0.11", "10.0.0.12"), True, None),  # several, none IPv6: cannot resolve
        ((), False, None),
    ],
)
def test_mod_jk_takes_the_first_answer_unless_prefer_ipv6(
    answers: tuple[str, ...], prefer_ipv6: bool, pick: str | None
) -> None:
    assert jk_pick(answers, prefer_ipv6) == pick


@pytest.mark.parametrize(
    ("answers", "own", "addrconfig", "orders"),
    [
        (LOCALHOST, ["127.0.0.1", "10.0.0.1", "::1", "fe80::1"], True, [("::1", "127.0.0.1")]),
        (LOCALHOST, ["127.0.0.1", "::1"], True, [("::1", "127.0.0.1")]),  # lo only: no filter
        (LOCALHOST, ["127.0.0.1", "10.0.0.1", "::1"], True, [("127.0.0.1",)]),
        (LOCALHOST, ["127.0.0.1", "10.0.0.1", "::1"], False, [("::1", "127.0.0.1")]),
        (LOCALHOST, None, True, [("::1", "127.0.0.1"), ("127.0.0.1",)]),
        (LOCALHOST, None, False, [("::1", "127.0.0.1")]),
        (("10.0.0.11",), None, True, [("10.0.0.11",)]),
        (DUAL, ["10.0.0.1", "fd00::1"], True, [("fd00::11", "10.0.0.11"), DUAL]),
        (DUAL, None, True, [("fd00::11", "10.0.0.11"), DUAL, ("10.0.0.11",)]),
    ],
)
def test_the_orders_getaddrinfo_can_return(
    answers: tuple[str, ...],
    own: list[str] | None,
    addrconfig: bool,
    orders: list[tuple[str, ...]],
) -> None:
    found = resolver_orders(answers, own, addrconfig, "web1")
    assert [o.addresses for o in found] == orders
    assert all(o.why.startswith("web1 ") for o in found if len(found) > 1)


@pytest.mark.parametrize(
    ("options", "loopback", "order", "binds_ipv6"),
    [
        ({}, "127.0.0.1", ["127.0.0.1", "::1"], True),
        ({"java.net.preferIPv6Addresses": "TRUE"}, "::1", ["::1", "127.0.0.1"], True),
        ({"java.net.preferIPv6Addresses": "system"}, "::1", None, True),
        ({"java.net.preferIPv6Addresses": "yes"}, "127.0.0.1", ["127.0.0.1", "::1"], True),
        ({"java.net.preferIPv4Stack": "true"}, "127.0.0.1", ["127.0.0.1"], False),
        (
            {"java.net.preferIPv4Stack": "True", "java.net.preferIPv6Addresses": "true"},
            "127.0.0.1",
            ["127.0.0.1"],
            False,
        ),
        ({"java.net.preferIPv4Stack": "1"}, "127.0.0.1", ["127.0.0.1", "::1"], True),
    ],
)
def test_java_reads_its_networking_options_as_the_jdk_does(
    options: dict[str, str], loopback: str, order: list[str] | None, binds_ipv6: bool
) -> None:
    """Measured on OpenJDK 17 (getLoopbackAddress, getAllByName, ServerSocketChannel.bind)."""
    net = JavaNet.of(options)
    assert net.loopback() == loopback
    assert net.order(["::1", "127.0.0.1"]) == order
    assert net.can_bind("::1") is binds_ipv6 and net.can_bind("::") is binds_ipv6
    assert net.can_bind("127.0.0.1")
    assert net.wildcard_families() == ((4, 6) if binds_ipv6 else (4,))
