"""How httpd 2.4 reads mod_proxy's values (knowledge/modproxy.py), each rule against the case from
the httpd source that shows it."""

from __future__ import annotations

import pytest

from clustercheck.knowledge import modproxy


@pytest.mark.parametrize(
    ("value", "unit", "ms"),
    [
        ("5", "s", 5000.0),
        ("500ms", "s", 500.0),
        ("2mi", "s", 120000.0),
        ("2min", "s", 120000.0),
        ("1h", "s", 3600000.0),
        ("3000", "ms", 3000.0),
        ("10s", "ms", 10000.0),
        ("+7", "s", 7000.0),
        ("1m", "s", None),  # `m` alone is neither ms nor mi
        ("5x", "s", None),
        ("-1", "s", None),
        ("", "s", None),
        ("ms", "s", None),
    ],
)
def test_timeout_parameters_read_as_ap_timeout_parameter_parse(
    value: str, unit: str, ms: float | None
) -> None:
    assert modproxy.timeout_parameter_ms(value, unit) == ms


@pytest.mark.parametrize(
    ("io_buffer_size", "packet"),
    [
        (None, 8192),
        (512, 8192),
        (8192, 8192),
        (8193, 9216),
        (16384, 16384),
        (65536, 65536),
        (100000, 65536),
    ],
)
def test_the_ajp_packet_size_is_proxyiobuffersize_within_8_and_64_kib_aligned_up(
    io_buffer_size: int | None, packet: int
) -> None:
    assert modproxy.ajp_packet_size(io_buffer_size) == packet


@pytest.mark.parametrize(
    ("status", "flags", "activation"),
    [
        ("", set(), "A"),
        ("H", {"H"}, "H"),
        ("+H", {"H"}, "H"),
        ("d", {"D"}, "D"),
        ("S-E", {"S"}, "S"),
        ("-ES", set(), "A"),  # the `-` holds until a `+`
        ("N+H", {"N", "H"}, "N"),
        ("I", {"I"}, "A"),
        ("E", {"E"}, "E"),
        ("X", None, "A"),
        ("H+", None, "A"),
    ],
)
def test_status_flags_and_the_activation_they_give(
    status: str, flags: set[str] | None, activation: str
) -> None:
    assert modproxy.status_flags(status) == flags
    assert modproxy.activation(status) == activation


@pytest.mark.parametrize(
    ("name", "version", "added"),
    [
        ("secret", "2.4.41", "2.4.42"),
        ("SECRET", "2.4.6", "2.4.42"),
        ("secret", "2.4.42", None),
        ("secret", "2.4.62", None),
        ("secret", "2.4", None),  # not known closely enough to say
        ("secret", None, None),
        ("addressttl", "2.4.58", "2.4.59"),
        ("route", "2.4.6", None),
    ],
)
def test_parameters_an_older_httpd_does_not_know(
    name: str, version: str | None, added: str | None
) -> None:
    assert modproxy.since(modproxy.WORKER_PARAMETERS, name, version) == added
