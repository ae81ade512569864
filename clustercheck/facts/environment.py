"""The environment Tomcat starts with, as far as cloud membership reads it.

CloudMembershipService is configured by environment variables, not by server.xml; they come
from the running process (the truth, where readable), bin/setenv.sh, the systemd unit and the
inventory. Only the variables of knowledge.cloud.CLOUD_VARIABLES are ever kept: the rest of an
environment may hold secrets."""

from __future__ import annotations

from dataclasses import dataclass, field

from clustercheck.facts.record import Record


@dataclass(frozen=True)
class EnvSetting(Record):
    """One variable and where it was set."""

    value: str | None  # None: set by a shell expression clustercheck does not evaluate
    source: str  # "the environment of the running Tomcat, pid 812", a file's path, the inventory
    line: int | None = None  # in a file


@dataclass
class EnvironmentFacts(Record):
    """The cloud-membership variables of a Tomcat node, the source that wins for each."""

    variables: dict[str, EnvSetting] = field(default_factory=dict)
    # the running Tomcat's own environment was read: a variable it lacks is not set at all
    process: bool = False
    sources: tuple[str, ...] = ()  # what was read, in order
    # why the running Tomcat's environment could not be read (None: read, or no Tomcat runs)
    process_error: str | None = None
