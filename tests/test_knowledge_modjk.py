"""knowledge.modjk: mod_jk's readers of workers.properties values, rule by rule, and what each
reading is judged to mean. What the real httpd + mod_jk 1.2.48 shows of the same values is in
tests/checks/test_jk_real_httpd.py."""

from __future__ import annotations

import pytest

from clustercheck.knowledge import modjk
from clustercheck.parsers.text import Kind

MEANS, MAY, REDUNDANT = Kind.MEANS_SOMETHING_ELSE, Kind.MAY_MEAN_SOMETHING_ELSE, Kind.REDUNDANT


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("8009", 8009),
        ("  -3", -3),
        ("+7x", 7),
        ("8009\xa0", 8009),  # atoi stops at it
        ("\xa08009", 0),  # and starts nowhere after it
        ("8k", 8192),
        ("8 k", 8192),  # the multiplier is the LAST character's
        ("2M", 2 * 1024 * 1024),
        ("8k\xa0", 8),
        ("ten", 0),
        ("1.5", 1),
    ],
)
def test_jk_int_is_atoi_with_the_last_characters_multiplier(value: str, read: int) -> None:
    assert modjk.jk_int(value) == read


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("off", False), ("OFF", False), ("false", False), ("No", False), ("0", False),
        ("on", True), ("True", True), ("yes", True), ("1", True),
        ("00", None), ("disabled", None), ("enabled", None), ("off\xa0", None), ("2", None),
    ],
)  # fmt: skip
def test_bool_code(value: str, code: bool | None) -> None:
    assert modjk.bool_code(value) is code


@pytest.mark.parametrize(
    ("value", "mode"),
    [
        ("A", "CPI"), ("a", "CPI"), ("C", "C"), ("pc", "CP"), ("I", "I"), ("CPI", "CPI"),
        ("true", ""), ("none", ""), ("cping", "CPI"), ("disabled", "CPI"), ("CX", "C"),
    ],
)  # fmt: skip
def test_ping_mode_reads_every_letter(value: str, mode: str) -> None:
    assert modjk.ping_mode(value) == mode


@pytest.mark.parametrize(
    ("value", "size"),
    [("8192", 8192), ("8k", 8192), ("4096", 8192), ("20000", 20480), ("100000", 65536),
     ("65536", 65536), ("ten", 8192)],
)  # fmt: skip
def test_max_packet_size_is_aligned_and_bounded(value: str, size: int) -> None:
    assert modjk.max_packet_size(value) == size


@pytest.mark.parametrize(
    ("value", "code"),
    [("A", "A"), ("active", "A"), ("0", "A"), ("disabled", "D"), ("1", "D"), ("S", "S"),
     ("2", "S"), ("off", "A"), ("X", "A"), ("standby", "S")],
)  # fmt: skip
def test_activation_code_is_the_first_character(value: str, code: str) -> None:
    assert modjk.activation_code(value) == code


@pytest.mark.parametrize(
    ("judge", "value", "kind", "fragment"),
    [
        (modjk.judge_activation, "off", MEANS, "uses A (active) instead"),
        (modjk.judge_activation, "maintenance", MEANS, "uses A (active) instead"),
        (modjk.judge_activation, "enabled", MAY, "which 'enabled' probably meant"),
        (modjk.judge_activation, "1", MAY, "its own code for D (disabled)"),
        (modjk.judge_activation, "standby", MAY, "so it uses S (stopped)"),
        (modjk.judge_activation, "Disabled", None, ""),
        (modjk.judge_activation, "stop", None, ""),
        (modjk.judge_lbfactor, "0", MEANS, "raises a factor below 1 to 1"),
        (modjk.judge_lbfactor, "-2", MEANS, "raises a factor below 1 to 1"),
        (modjk.judge_lbfactor, "high", MAY, "mod_jk reads 0 and raises it to 1"),
        (modjk.judge_lbfactor, "1.5", MAY, "reads it as 1"),
        (modjk.judge_lbfactor, "3", None, ""),
        (modjk.judge_lbfactor, "2k", None, ""),
        (modjk.judge_max_packet_size, "20000", MAY, "uses 20480 instead"),
        (modjk.judge_max_packet_size, "16k", None, ""),
        (modjk.judge_pool_size, "0", MEANS, "HTTP 503"),
        (modjk.judge_pool_size, "ten", MEANS, "reads as 0"),
        (modjk.judge_pool_size, "-1", MAY, "ignores a negative size"),
        (modjk.judge_pool_size, "25", None, ""),
        (modjk.judge_ping_mode, "true", MEANS, "it probes no connection"),
        (modjk.judge_ping_mode, "disabled", MEANS, "it uses CPI, so it probes"),
        (modjk.judge_ping_mode, "none", REDUNDANT, "the default anyway"),
        (modjk.judge_ping_mode, "cping", MAY, "skips 'g', 'n': it uses CPI"),
        (modjk.judge_ping_mode, "CP", None, ""),
        (lambda v: modjk.judge_bool("sticky_session", v), "disabled", MEANS, "default, true"),
        (lambda v: modjk.judge_bool("sticky_session", v), "enabled", MAY, "default, true"),
        (lambda v: modjk.judge_bool("sticky_session", v), "0", None, ""),
        (lambda v: modjk.judge_code("method", v), "least", MAY, "it uses Request instead"),
        (lambda v: modjk.judge_code("method", v), "Busyness", None, ""),
        (lambda v: modjk.judge_code("lock", v), "pessimistic", None, ""),
    ],
)
def test_what_a_reading_means(judge, value: str, kind: Kind | None, fragment: str) -> None:  # type: ignore[no-untyped-def]
    reading = judge(value)
    assert (reading.kind if reading else None) == kind
    assert reading is None or fragment in reading.message


@pytest.mark.parametrize(
    ("host", "why"),
    [
        ("tomcat1", None),
        ("10.0.0.11", None),
        ("10.0.0.300", None),  # inet_addr's business, not the resolver's
        ("::1", None),
        ("fe80::1%eth0", None),
        ("app_server-1.example", None),
        ("$(TOMCAT_IP)", "unless httpd's environment defines TOMCAT_IP"),
        ("$(TOMCAT_IP).internal", "mod_jk keeps the text $(TOMCAT_IP)"),
        ("tomcat03.invalid", "the reserved .invalid domain"),
        ("INVALID.", "the reserved .invalid domain"),
        ("invalid-host.test", None),  # .test names resolve where /etc/hosts says so
        ("localhost", None),
        ("$TOMCAT_IP", "is no variable to mod_jk"),
        ("${TOMCAT_IP}", "is no variable to mod_jk"),
        ("localhost(tomcat server ip or hostname)", "a placeholder"),
        ("<tomcat-host>", "a placeholder"),
        ('""', "the quotes are part of the value"),
        ("10.0.0.11:8010", "no release splits a port off the host"),
        ("tomcat1:8010", "no release splits a port off the host"),
        ("[::1]:8010", "no release splits a port off the host"),
        ("tomcat1\xa0", "non-breaking space"),
        ("two words", "a host name has no ' '"),
    ],
)
def test_hosts_no_resolver_takes(host: str, why: str | None) -> None:
    found = modjk.unresolvable(host)
    assert (found is None) == (why is None), found
    assert why is None or why in str(found)
