"""Typed inventory settings: what the schema in DESIGN §2 turns into after validation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class SshSettings:
    """How to reach a node over SSH. Secrets are only ever referenced by environment variable."""

    user: str | None = None
    port: int | None = None
    identity_file: str | None = None
    password_env: str | None = None
    proxy_jump: str | None = None
    known_hosts: str | None = None
    config: str | None = None
    connect_timeout: float = 10.0
    command_timeout: float = 60.0
    become: bool = False
    become_password_env: str | None = None
    shell: str | None = None  # sh | cmd | powershell; None: the OS's default (NodeSettings.shell)


@dataclass(frozen=True)
class ApacheSettings:
    httpd_conf: str | None = None  # httpd's main file: everything is read from it
    jk_conf: str | None = None
    server_root: str | None = None
    workers_properties: str | None = None
    version: str | None = None  # httpd's version, when the node cannot tell
    logs: tuple[str, ...] = ()  # error logs and mod_jk logs, instead of those the config names
    jk_status_url: str | None = None  # mod_jk's status worker, when the config cannot tell
    balancer_manager_url: str | None = None  # mod_proxy's balancer-manager, likewise


@dataclass(frozen=True)
class TomcatSettings:
    catalina_base: str | None = None
    catalina_home: str | None = None
    server_xml: str | None = None
    appbase: str | None = None
    version: str | None = None
    java: str | None = None
    system_properties: dict[str, str] = field(default_factory=dict)
    logs: tuple[str, ...] = ()  # Tomcat's logs, instead of CATALINA_OUT and logging.properties'
    systemd_unit: str | None = None  # the unit it runs under: its journal is read too
    # the environment Tomcat starts with (a pod's env:), for cloud membership (CC507)
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def home(self) -> str | None:
        return self.catalina_home or self.catalina_base


@dataclass(frozen=True)
class NodeSettings:
    name: str
    host: str
    roles: tuple[str, ...]
    transport: str = "ssh"  # ssh | local | files
    root: str | None = None  # with transport files: the directory mirroring the node's filesystem
    os: str = "linux"  # linux | windows
    ssh: SshSettings = field(default_factory=SshSettings)
    apache: ApacheSettings = field(default_factory=ApacheSettings)
    tomcat: TomcatSettings = field(default_factory=TomcatSettings)

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def shell(self) -> str:
        """The shell the node's SSH server runs commands with: the inventory's, else sh, or
        cmd.exe on Windows (Windows OpenSSH's default)."""
        return self.ssh.shell or ("cmd" if self.os == "windows" else "sh")


@dataclass(frozen=True)
class NtpSettings:
    servers: tuple[str, ...] = ()
    warn_ms: float = 100.0
    fail_ms: float = 1000.0
    spread_warn_ms: float = 100.0
    spread_fail_ms: float = 1000.0


@dataclass(frozen=True)
class MulticastSettings:
    window_s: float | None = None  # None: as long as the members' dropTime asks (gather.py)
    interface: str | None = None


@dataclass(frozen=True)
class Waiver:
    code: str
    node: str | None
    reason: str
    expires: date | None  # the last day it applies
    # where its code is written ("inventory.yaml:12: waivers[0].code"), for the message that
    # refuses a code no installed check has (engine/waivers.py)
    where: str = field(default="", compare=False)

    def as_inventory(self) -> dict[str, object]:
        """The waiver as an inventory writes it (a snapshot's)."""
        return {
            key: value
            for key, value in (
                ("code", self.code),
                ("node", self.node),
                ("reason", self.reason),
                ("expires", self.expires),
            )
            if value is not None
        }


@dataclass(frozen=True)
class ClusterSettings:
    """The whole validated inventory."""

    name: str
    source: str  # the inventory file, for messages
    nodes: tuple[NodeSettings, ...]
    ntp: NtpSettings = field(default_factory=NtpSettings)
    multicast: MulticastSettings = field(default_factory=MulticastSettings)
    jdk_policy: str = "update"  # major | minor | update | exact
    ajp_timeout_ms: float = 2000.0
    waivers: tuple[Waiver, ...] = ()

    def node(self, name: str) -> NodeSettings:
        return next(n for n in self.nodes if n.name == name)
