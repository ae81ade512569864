"""The inventory schema of DESIGN §2 as data: every key, its type, and where it may appear.

Keeping the schema as one table means the validator, the error hints ("did you mean") and the
README's inventory reference all come from the same place.
"""

from __future__ import annotations

from dataclasses import dataclass

from clustercheck.knowledge.cloud import CLOUD_VARIABLES


@dataclass(frozen=True)
class Field:
    """One key: its kind, allowed values, and a line of documentation."""

    # str | int | number | bool | date | path | list[str] | map[str] | enum | roles | section
    kind: str
    doc: str
    choices: tuple[str, ...] = ()
    local_path: bool = False  # a path on clustercheck's machine: resolved against the inventory
    minimum: float | None = None
    maximum: float | None = None


# upper bounds of waits: beyond them a value is a typo (or 1e300), and timers overflow
DAY_S, HOUR_S, MINUTE_MS = 86400, 3600, 60_000

SSH: dict[str, Field] = {
    "user": Field("str", "login user (else ssh_config's User, else the local user)"),
    "port": Field("int", "SSH port (else ssh_config's Port, else 22)", minimum=1, maximum=65535),
    "identity_file": Field("path", "private key file", local_path=True),
    "password_env": Field("str", "name of an environment variable holding the login password"),
    "proxy_jump": Field("str", "bastion(s) to go through: user@host:port[,user@host:port]"),
    "known_hosts": Field("path", "known_hosts file (default ~/.ssh/known_hosts)", local_path=True),
    "config": Field("path", "ssh_config file (default ~/.ssh/config)", local_path=True),
    "connect_timeout": Field(
        "number", "seconds to connect and log in (default 10)", minimum=0.1, maximum=DAY_S
    ),
    "command_timeout": Field(
        "number", "seconds one command may run (default 60)", minimum=0.1, maximum=DAY_S
    ),
    "become": Field("bool", "read files and run commands through sudo -n"),
    "become_password_env": Field("str", "environment variable holding the sudo password"),
    "shell": Field(
        "enum",
        "the shell the SSH server runs commands with (default sh; cmd on Windows)",
        choices=("sh", "cmd", "powershell"),
    ),
}

APACHE: dict[str, Field] = {
    "httpd_conf": Field("str", "httpd's main configuration file, read as httpd reads it"),
    "jk_conf": Field("str", "httpd file holding the Jk directives (JkWorkersFile, JkMount)"),
    "server_root": Field("str", "httpd ServerRoot, against which relative paths resolve"),
    "workers_properties": Field("str", "workers.properties, when not found through jk_conf"),
    "version": Field("str", "httpd version, when `httpd -v` cannot tell"),
    "logs": Field(
        "list[str]",
        "httpd error logs and mod_jk logs to read (CC803), instead of ErrorLog and JkLogFile",
    ),
    "jk_status_url": Field(
        "str", "mod_jk's status worker as asked on the node (default: found from JkMount)"
    ),
    "balancer_manager_url": Field(
        "str", "mod_proxy's balancer-manager as asked on the node (default: found from SetHandler)"
    ),
}

TOMCAT: dict[str, Field] = {
    "catalina_base": Field("str", "CATALINA_BASE of this Tomcat instance"),
    "catalina_home": Field("str", "CATALINA_HOME (default: catalina_base)"),
    "server_xml": Field("str", "server.xml (default CATALINA_BASE/conf/server.xml)"),
    "appbase": Field("str", "webapps directory (default: the Host appBase of server.xml)"),
    "version": Field("str", "Tomcat version, when lib/catalina.jar cannot tell"),
    "java": Field("str", "java binary that runs this Tomcat, when it cannot be found"),
    "system_properties": Field(
        "map[str]",
        "-D properties given to Tomcat, for ${...} in server.xml (and its java.net options when"
        " no running Tomcat shows them)",
    ),
    "logs": Field(
        "list[str]",
        "Tomcat logs to read (CC803), instead of CATALINA_OUT and logging.properties' files",
    ),
    "systemd_unit": Field(
        "str", "systemd unit Tomcat runs under: its journal is read too (else its cgroup's)"
    ),
    "environment": Field(
        "map[str]",
        "environment Tomcat starts with (a pod's env:), for cloud membership: KUBERNETES_NAMESPACE,"
        " KUBERNETES_LABELS, DNS_MEMBERSHIP_SERVICE_NAME",
        choices=CLOUD_VARIABLES,
    ),
}

NODE: dict[str, Field] = {
    "host": Field("str", "address or name clustercheck connects to (and workers point at)"),
    "roles": Field("roles", "apache and/or tomcat", choices=("apache", "tomcat")),
    "transport": Field("enum", "how the node is reached", choices=("ssh", "local", "files")),
    "root": Field(
        "path", "with transport files: directory mirroring the node's filesystem", local_path=True
    ),
    "os": Field("enum", "the node's operating system", choices=("linux", "windows")),
    "ssh": Field("section", "SSH settings"),
    "apache": Field("section", "where the httpd / mod_jk files are"),
    "tomcat": Field("section", "where the Tomcat instance is"),
}

SECTIONS: dict[str, dict[str, Field]] = {"ssh": SSH, "apache": APACHE, "tomcat": TOMCAT}

NTP: dict[str, Field] = {
    "servers": Field("list[str]", "NTP servers giving the reference time"),
    "warn_ms": Field("number", "offset from NTP that warns (default 100)", minimum=0),
    "fail_ms": Field("number", "offset from NTP that fails (default 1000)", minimum=0),
    "spread_warn_ms": Field("number", "spread between nodes that warns (default 100)", minimum=0),
    "spread_fail_ms": Field("number", "spread between nodes that fails (default 1000)", minimum=0),
}

MULTICAST: dict[str, Field] = {
    "window_s": Field(
        "number",
        "seconds to listen for heartbeats (default: dropTime + 2 heartbeats, 4 s by default)",
        minimum=0.5,
        maximum=HOUR_S,
    ),
    "interface": Field("str", "interface for listening from clustercheck's own machine"),
}

JDK: dict[str, Field] = {
    "policy": Field(
        "enum",
        "how close JVM versions must be (default update)",
        choices=("major", "minor", "update", "exact"),
    ),
}

AJP: dict[str, Field] = {
    "timeout_ms": Field("number", "AJP CPing timeout (default 2000)", minimum=1, maximum=MINUTE_MS),
}

WAIVER: dict[str, Field] = {
    "code": Field("str", "check code, e.g. CC702"),
    "node": Field("str", "node name (omit to waive every result of the check)"),
    "reason": Field("str", "why the finding is accepted"),
    "expires": Field("date", "date (YYYY-MM-DD) after which the waiver no longer applies"),
}

TOP: dict[str, Field] = {
    "cluster": Field("str", "name of the cluster, shown in every report"),
    "ntp": Field("section", "reference time"),
    "multicast": Field("section", "membership capture"),
    "jdk": Field("section", "JDK parity policy"),
    "ajp": Field("section", "AJP probes"),
    "waivers": Field("list[waiver]", "accepted findings (or a path to a YAML file of them)"),
    "defaults": Field("section", "any node field, applied to every node"),
    "nodes": Field("section", "the nodes, by name"),
}

CLUSTER_SECTIONS: dict[str, dict[str, Field]] = {
    "ntp": NTP,
    "multicast": MULTICAST,
    "jdk": JDK,
    "ajp": AJP,
}
