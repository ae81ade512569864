"""The wire boundaries as a function of two versions and what the members use: same line,
across lines, each boundary's first releases, with and without the features it needs."""

from __future__ import annotations

import pytest

from clustercheck.knowledge.wire import BOUNDARIES, Boundary, Feature, crossed

ALL = Feature.TRIBES | Feature.SESSIONS | Feature.ENCRYPT | Feature.ENCRYPT_DEFAULT_ALGORITHM
SESSIONS = Feature.TRIBES | Feature.SESSIONS
ENCRYPT = Feature.TRIBES | Feature.ENCRYPT  # an encryptionAlgorithm written
TRIBES6, JAKARTA = "tribes-member-format", "javax-jakarta"
REPLAY, GCM = "encrypt-replay-protection", "encrypt-default-algorithm"

PAIRS = [
    ("9.0.118", "9.0.118", ALL, []),
    ("9.0.100", "9.0.118", ALL, []),
    ("9.0.118", "9.0.119", ENCRYPT, [REPLAY]),
    ("9.0.119", "9.0.118", ENCRYPT, [REPLAY]),
    ("9.0.118", "9.0.119", SESSIONS, []),
    ("10.1.55", "10.1.56", ENCRYPT, [REPLAY]),
    ("11.0.22", "11.0.23", ENCRYPT, [REPLAY]),
    ("10.1.56", "11.0.23", ALL, []),
    ("10.1.55", "11.0.23", ALL, [REPLAY]),
    ("8.5.100", "9.0.119", ENCRYPT, [REPLAY]),  # 8.5 never got it
    ("10.0.27", "10.1.56", ENCRYPT, [REPLAY]),  # nor 10.0
    ("7.0.109", "8.5.100", ALL, []),
    ("9.0.120", "9.0.121", ALL, [GCM]),
    ("9.0.120", "9.0.121", ENCRYPT, []),
    ("10.1.57", "10.1.58", ALL, [GCM]),  # 10.1.58 was tagged, not released
    ("10.1.58", "10.1.59", ALL, []),
    ("11.0.24", "11.0.25", ALL, [GCM]),
    ("11.0.25", "12.0.0-M1", ALL, []),
    ("9.0.118", "10.1.58", ALL, [JAKARTA, REPLAY, GCM]),
    ("9.0.119", "10.1.56", ALL, [JAKARTA]),
    ("9.0.100", "10.0.0-M1", SESSIONS, [JAKARTA]),
    ("9.0.100", "10.1.60", Feature.TRIBES, []),  # no session replication
    ("9", "10", SESSIONS, [JAKARTA]),
    ("6.0.53", "7.0.0", Feature.TRIBES, [TRIBES6]),
    ("6.0.53", "9.0.100", SESSIONS, [TRIBES6]),
    ("6.0.53", "6.0.45", ALL, []),
    ("6.0.53", "7.0.109", Feature.NONE, []),  # not clustered
    ("9.0", "9.0.119", ENCRYPT, []),  # 9.0 releases lie on both sides: not known to cross
    (None, "10.1.60", ALL, []),
]


@pytest.mark.parametrize(("a", "b", "features", "expected"), PAIRS)
def test_crossed(a: str | None, b: str, features: Feature, expected: list[str]) -> None:
    assert [boundary.key for boundary in crossed(a, b, features)] == expected


@pytest.mark.parametrize("boundary", BOUNDARIES, ids=lambda b: b.key)
def test_each_first_release_is_the_first_with_the_change(boundary: Boundary) -> None:
    """The release before each first one is on the old side, the first one on the new side,
    and the changelogs' text names exactly those firsts."""
    shown = []
    for major, minor, patch in boundary.firsts:
        first = f"{major}.{minor}.{patch}" if patch >= 0 else f"{major}.{minor}.0-M1"
        assert boundary.side(first) is True
        if patch > 0:
            assert boundary.side(f"{major}.{minor}.{patch - 1}") is False
        shown.append(first)
    assert boundary.first_text == " / ".join(shown)
    assert boundary.side(f"{boundary.firsts[0][0] - 1}") is False
