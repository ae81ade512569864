"""Where Tomcat releases stop understanding each other on the cluster's wire: the known breaking
boundaries, each with the first version per maintained line that has the change, what a
configuration must use for it to matter, what breaks, and its source.

A boundary is crossed by two members when one runs a release with the change and the other one
without it: they cannot exchange what the change touches, whatever else agrees. The table is a
function of versions and configured features, so the same rule judges a mixed cluster today
(CC303) and a planned upgrade tomorrow (`crossed(current, target, features)`).

Sources are the changelogs (`apache/tomcat:webapps/docs/changelog.xml` of each branch) and the
code at the release tags. The changelogs name no other Tribes or session wire break: bug 62841's
DeltaRequest refactoring (9.0.21 / 8.5.42 / 7.0.95) kept DeltaRequest's externalized form.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Flag, auto

from clustercheck.knowledge.servlet import JAKARTA_FIRST
from clustercheck.knowledge.tomcat import Version, release_reached


class Feature(Flag):
    """What a member's configuration uses that a boundary may concern."""

    NONE = 0
    TRIBES = auto()  # a started SimpleTcpCluster: every Tribes message carries its sender
    SESSIONS = auto()  # sessions replicated by a DeltaManager or BackupManager
    ENCRYPT = auto()  # an EncryptInterceptor in the Channel
    ENCRYPT_DEFAULT_ALGORITHM = auto()  # ... with no encryptionAlgorithm written: the default


@dataclass(frozen=True)
class Boundary:
    """A change of the wire format: members on both sides of it cannot talk through it."""

    key: str
    what: str
    firsts: tuple[Version, ...]  # the first version with the change, one per line that got it
    first_text: str  # those versions as the changelogs write them
    applies: Feature  # every one of these features, on both members, for the break to matter
    consequence: str
    source: str

    def side(self, version: str | int | None) -> bool | None:
        """Whether this release has the change; None when the version does not tell (unknown,
        or a line like "9.0" whose releases lie on both sides)."""
        return release_reached(version, self.firsts)


TRIBES_MEMBER_FORMAT = Boundary(
    "tribes-member-format",
    "the Tribes member format of Tomcat 7",
    ((7, 0, 0),),
    "7.0.0",
    Feature.TRIBES,
    "Tomcat 7 gave the member data a version (its TRIBES-B marker grew two version bytes) "
    "and a UDP port; every heartbeat and every replication message carries its sender in "
    "that form, so members on either side never see each other's heartbeats, drop each "
    "other's messages, and replicate no session between them, without a log line at the "
    "default levels",
    "apache/tomcat commit a53f8b9883 (trunk, 2008-02-18: 'add in versioning support'); "
    "MemberImpl.TRIBES_MBR_BEGIN at tag 7.0.0 and ChannelData.getDataPackage (7.0.x); "
    "notes/protocols.md §1.3 (the Tomcat 6.0.x layout)",
)
JAKARTA = Boundary(
    "javax-jakarta",
    "the javax to jakarta namespace change of Tomcat 10",
    (JAKARTA_FIRST,),
    "10.0.0-M1",
    Feature.TRIBES | Feature.SESSIONS,
    "Tomcat 10 implements jakarta.servlet instead of javax.servlet, so each side runs its "
    "own build of the applications: a replicated session holding an object whose class "
    "uses the Servlet API (a session listener, a javax-only library) or exists in one "
    "build only cannot be deserialised on the other side, and state transfer and fail-over "
    "lose those sessions",
    "10.0.x changelog, Tomcat 10.0.0-M1 (2020-02-20), Catalina: 'Update to Jakarta Servlet "
    "5.0, Jakarta Server Pages 3.0 ...'",
)
ENCRYPT_REPLAY_PROTECTION = Boundary(
    "encrypt-replay-protection",
    "the EncryptInterceptor's replay protection",
    ((9, 0, 119), (10, 1, 56), (11, 0, 23)),
    "9.0.119 / 10.1.56 / 11.0.23",
    Feature.TRIBES | Feature.ENCRYPT,
    "from these releases the EncryptInterceptor encrypts an 8-byte timestamp with every "
    "message and expects one in every message it decrypts: a newer member rejects an "
    "older one's messages ('Failed to decrypt message: replay attack detected') and an "
    "older member cannot deserialise a newer one's, so no session is replicated between "
    "the sides",
    "changelogs 9.0.x (Tomcat 9.0.119, 2026-06-23), 10.1.x (10.1.56, 2026-06-23), 11.0.x "
    "(11.0.23, 2026-06-22), Cluster: 'Add replay protection to the EncryptInterceptor. "
    "This is a breaking change for the EncryptInterceptor.'; commit 6a7a432cd7 "
    "(EncryptInterceptor.sendMessage / messageReceived)",
)
ENCRYPT_DEFAULT_ALGORITHM = Boundary(
    "encrypt-default-algorithm",
    "the EncryptInterceptor's default algorithm",
    ((9, 0, 121), (10, 1, 58), (11, 0, 25)),
    "9.0.121 / 10.1.58 / 11.0.25",
    Feature.TRIBES | Feature.ENCRYPT | Feature.ENCRYPT_DEFAULT_ALGORITHM,
    "an EncryptInterceptor without encryptionAlgorithm encrypts with AES/CBC/PKCS5Padding "
    "before these releases and with AES/GCM/NoPadding from them: neither side can decrypt "
    "the other's messages ('Failed to decrypt message'), so no session is replicated "
    "between the sides",
    "changelogs 9.0.x (Tomcat 9.0.121), 10.1.x (10.1.58, tagged but not released: the "
    "first release with it is 10.1.59, 2026-08-20), 11.0.x (11.0.25, 2026-08-18), "
    "Cluster: 'Change the default encryptionAlgorithm for the EncryptInterceptor to "
    "AES/GCM/NoPadding. This is a breaking change for the EncryptInterceptor.'; commit "
    "9c7dce166f (DEFAULT_ENCRYPTION_ALGORITHM)",
)

BOUNDARIES = (TRIBES_MEMBER_FORMAT, JAKARTA, ENCRYPT_REPLAY_PROTECTION, ENCRYPT_DEFAULT_ALGORITHM)


def crossed(a: str | int | None, b: str | int | None, features: Feature) -> list[Boundary]:
    """The boundaries between releases `a` and `b` that matter to members configured with
    `features` (what both use): those both versions tell a side of, on different sides."""
    found = []
    for boundary in BOUNDARIES:
        sides = {boundary.side(a), boundary.side(b)}
        if boundary.applies in features and sides == {True, False}:
            found.append(boundary)
    return found
