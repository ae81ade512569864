"""The JVM that runs a node's Tomcat, as its JDK's release file (or, where none told,
`java -version`) described it when it was gathered.

Parsed once, in collect: checks and the report read these fields and never parse the text again
(`raw` is kept, capped, for a person reading a snapshot)."""

from __future__ import annotations

from dataclasses import dataclass

from clustercheck.facts.record import Record
from clustercheck.parsers.java import java_version_tuple


@dataclass(frozen=True)
class JvmFacts(Record):
    """Which java binary, how it was found, and what it is; or why that could not be told."""

    java: str  # the binary, e.g. /usr/lib/jvm/java-17/bin/java, or "java"
    source: str  # how it was found: "running Tomcat process 812", "java on PATH ...", ...
    version: str | None = None  # as printed: "1.8.0_392", "17.0.15"
    vendor: str | None = None  # normalised: "Eclipse Adoptium", "Debian", ...
    vm: str | None = None
    bits: int | None = None
    build: str | None = None
    runtime: str | None = None
    java_home: str | None = None
    raw: str = ""  # the release file's start, or the end of the launcher's output
    error: str | None = None  # why no version could be read
    # the running Tomcat's -D options that decide how it resolves and binds addresses
    # (java.net.preferIPv4Stack, ...); None when no running Tomcat was found
    net_options: dict[str, str] | None = None
    # how the fields were read: "release file /usr/lib/jvm/x/release", or "java -version (owned
    # by root; no release file told: ...)"; None in a snapshot written before it was said
    read_from: str | None = None
    # /proc/PID/exe said " (deleted)": the JDK was updated since Tomcat started, and the fields
    # describe what is installed now, not what runs
    binary_deleted: bool = False

    def __post_init__(self) -> None:
        if (self.version is None) == (self.error is None):
            raise ValueError("a JVM has either a version or an error")

    @property
    def version_tuple(self) -> tuple[int, ...] | None:
        """(8, 0, 392) for 1.8.0_392: what the JDK policy compares."""
        return java_version_tuple(self.version)
