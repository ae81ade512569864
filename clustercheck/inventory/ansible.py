"""An Ansible inventory, as `ansible-inventory --list` prints it, mapped to the hosts clustercheck
discovers and the `ssh:` keys of its inventory.

Ansible has already merged group_vars, host_vars, plugins and vault files; what is left here is
reading its connection variables the way its ssh connection plugin does: of two names for one
setting the later one wins (`ansible_ssh_user` over `ansible_user`), and in the ssh argument
variables the first value of an option wins, as in OpenSSH (`ansible_port` and friends come
before them on Ansible's ssh command line, so they win over the arguments). Nothing is guessed:
a host clustercheck cannot reach as Ansible would is kept with the reason (`refused`), and a
password is never a value, only the name of an environment variable.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from clustercheck.inventory.discovered import HostSpec

VAULT = "__ansible_vault"  # how --list prints an inline !vault value: {"__ansible_vault": text}

# each setting's variable names in Ansible's order: a later name wins
HOST = ("ansible_host", "ansible_ssh_host")
PORT = ("ansible_port", "ansible_ssh_port")
USER = ("ansible_user", "ansible_ssh_user")
KEY_FILE = ("ansible_private_key_file", "ansible_ssh_private_key_file")
PASSWORD = ("ansible_password", "ansible_ssh_pass", "ansible_ssh_password")
BECOME_PASSWORD = ("ansible_become_password", "ansible_become_pass", "ansible_sudo_pass")
BECOME_USER = ("ansible_become_user", "ansible_sudo_user")
SSH_ARGS = ("ansible_ssh_args", "ansible_ssh_common_args", "ansible_ssh_extra_args")
# the values clustercheck takes (so the ones worth decrypting); passwords are never taken
MAPPED = (
    *HOST,
    *PORT,
    *USER,
    *KEY_FILE,
    *SSH_ARGS,
    *BECOME_USER,
    "ansible_connection",
    "ansible_become",
    "ansible_become_method",
    "ansible_shell_type",
)

SSH_CONNECTIONS = ("ssh", "smart", "paramiko", "paramiko_ssh")
WINDOWS_CONNECTIONS = ("winrm", "psrp")
# Ansible's boolean(): what its play context makes of ansible_become
TRUE = ("y", "yes", "on", "1", "true", "t")
FALSE = ("n", "no", "off", "0", "false", "f")
# the only password value clustercheck takes: a lookup of an environment variable, by its name
ENV_LOOKUP = re.compile(
    r"""\{\{-?\s*lookup\(\s*(['"])(?:ansible\.builtin\.)?env\1\s*,\s*(['"])"""
    r"""([A-Za-z_][A-Za-z0-9_]*)\2\s*\)\s*-?\}\}"""
)
# OpenSSH's options that take a value (ssh(1)); the others are flags
TAKES_VALUE = frozenset("BbcDEeFIiJLlmOopQRSWw")
FLAG_OPTIONS = {"J": "proxyjump", "p": "port", "l": "user", "i": "identityfile"}
SSH_KEYS = {"user": "user", "port": "port", "identityfile": "identity_file"}


class Refused(Exception):
    """A host clustercheck cannot reach the way Ansible does; the message says why."""


@dataclass(frozen=True)
class Listing:
    """`ansible-inventory --list` (effective variables) and `--list --export` (variables where
    they are defined: a host's own, each group's), both parsed JSON."""

    merged: Mapping[str, Any]
    export: Mapping[str, Any]

    def groups(self) -> Mapping[str, Any]:
        return {k: v for k, v in self.merged.items() if k != "_meta" and isinstance(v, dict)}

    def hostvars(self, document: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        meta = document.get("_meta")
        found = meta.get("hostvars", {}).get(name) if isinstance(meta, dict) else None
        return found if isinstance(found, dict) else {}


def vaulted(listing: Listing) -> set[str]:
    """The ciphertexts of the inline-vaulted values clustercheck would take (never a password's):
    `--list` prints them encrypted, so Ansible's own ansible-vault decrypts them."""
    found = set()
    for name in host_names(listing):
        for key, value in listing.hostvars(listing.merged, name).items():
            if key in MAPPED and isinstance(value, dict) and isinstance(value.get(VAULT), str):
                found.add(value[VAULT])
    return found


def host_names(listing: Listing) -> list[str]:
    """Every host, in the inventory's order (groups walked from `all`, depth first)."""
    groups, walked = listing.groups(), set()
    order: dict[str, None] = {}  # ordered, without repeats

    def walk(group: str) -> None:
        walked.add(group)
        body = groups.get(group, {})
        order.update((str(host), None) for host in body.get("hosts", []))
        for child in body.get("children", []):
            if child not in walked:
                walk(child)

    walk("all")
    return list(order)


def ansible_hosts(listing: Listing, plain: Mapping[str, str], cwd: str) -> list[HostSpec]:
    """Each host of the listing. `plain`: the vaulted values decrypted, by ciphertext; `cwd`:
    the directory Ansible ran in, against which it resolves a relative key file."""
    parents = _parents(listing)
    return [_host(name, listing, parents, plain, cwd) for name in host_names(listing)]


def _parents(listing: Listing) -> dict[str, set[str]]:
    parents: dict[str, set[str]] = {}
    for group, body in listing.groups().items():
        for member in (*body.get("hosts", []), *body.get("children", [])):
            parents.setdefault(str(member), set()).add(group)
    return parents


def _ancestors(name: str, parents: Mapping[str, set[str]]) -> list[str]:
    """The groups holding `name`, directly or through a child group, nearest first."""
    found: list[str] = []
    todo = sorted(parents.get(name, ()))
    while todo:
        group = todo.pop(0)
        if group not in found:
            found.append(group)
            todo.extend(sorted(parents.get(group, ())))
    return found


def _depths(listing: Listing) -> dict[str, int]:
    """Each group's depth below `all`, as Ansible ranks group variables (deeper wins)."""
    groups, depth = listing.groups(), {"all": 0}
    todo = ["all"]
    while todo:
        group = todo.pop()
        for child in groups.get(group, {}).get("children", []):
            if depth.get(child, -1) < depth[group] + 1 and depth[group] < len(groups):
                depth[child] = depth[group] + 1
                todo.append(child)
    return depth


def _host(
    name: str,
    listing: Listing,
    parents: Mapping[str, set[str]],
    plain: Mapping[str, str],
    cwd: str,
) -> HostSpec:
    hostvars = listing.hostvars(listing.merged, name)
    groups = [g for g in _ancestors(name, parents) if g not in ("all", "ungrouped")]
    where = f"host {name}" + (f" in {', '.join(groups)}" if groups else "")
    sources = _sources(name, hostvars, listing, parents)
    variables = _Variables(hostvars, plain)
    notes: list[str] = []
    try:
        transport, host, ssh = _reach(name, variables, notes, cwd)
    except Refused as exc:
        return HostSpec(name, name, origin=_origin(where, sources, notes), refused=str(exc))
    return HostSpec(host, name, ssh, _origin(where, sources, notes), transport)


def _origin(where: str, sources: Mapping[str, str], notes: list[str]) -> str:
    """One line: the host's groups, where each variable taken was set, what was not taken."""
    parts = [f"ansible: {where}"]
    parts += [f"{key} from {source}" for key, source in sources.items()]
    return "; ".join(parts + notes)


def _sources(
    name: str, hostvars: Mapping[str, Any], listing: Listing, parents: Mapping[str, set[str]]
) -> dict[str, str]:
    """Where each connection variable of the host was set: its own variables (inventory line
    or host_vars), else the group Ansible ranks highest among those holding that value."""
    own = listing.hostvars(listing.export, name)
    depths = _depths(listing)
    groups = [*_ancestors(name, parents), "all"]
    sources = {}
    for key in sorted(k for k in hostvars if k in MAPPED):
        value = hostvars[key]
        if key in own and own[key] == value:
            sources[key] = "host vars"
            continue
        holders = [g for g in groups if _group_vars(listing, g).get(key) == value]
        if holders:
            best = max(holders, key=lambda g: (depths.get(g, 0), _priority(listing, g), g))
            sources[key] = f"group {best}"
    return sources


def _group_vars(listing: Listing, group: str) -> Mapping[str, Any]:
    body = listing.export.get(group)
    found = body.get("vars") if isinstance(body, dict) else None
    return found if isinstance(found, dict) else {}


def _priority(listing: Listing, group: str) -> int:
    value = _group_vars(listing, group).get("ansible_group_priority", 1)
    return value if isinstance(value, int) else 1


class _Variables:
    """A host's variables with the vaulted ones decrypted; a template is refused, never
    rendered (only Ansible could, with its facts and lookups)."""

    def __init__(self, hostvars: Mapping[str, Any], plain: Mapping[str, str]) -> None:
        self.hostvars = hostvars
        self.plain = plain

    def raw(self, names: tuple[str, ...]) -> tuple[str, Any]:
        """The variable that sets the setting (the last name present wins) and its value."""
        for name in reversed(names):
            if name in self.hostvars:
                return name, self.hostvars[name]
        return names[0], None

    def text(self, names: tuple[str, ...]) -> str | None:
        name, value = self.raw(names)
        if isinstance(value, dict) and isinstance(value.get(VAULT), str):
            value = self.plain.get(value[VAULT])
            if value is None:
                raise Refused(f"{name} is vaulted and could not be decrypted")
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise Refused(f"{name} is not a string")
        text = str(value)
        if "{{" in text or "{%" in text:
            raise Refused(f"{name} is a Jinja template: clustercheck does not render templates")
        return text


def _reach(
    name: str, variables: _Variables, notes: list[str], cwd: str
) -> tuple[str, str, dict[str, Any]]:
    """(transport, host, ssh keys), or Refused."""
    connection = (variables.text(("ansible_connection",)) or "ssh").removeprefix("ansible.builtin.")
    host = variables.text(HOST) or name
    if connection == "local":
        return "local", host, {}
    if connection in WINDOWS_CONNECTIONS:
        raise Refused(
            f"ansible_connection {connection}: clustercheck reaches Windows over OpenSSH only"
            " (Ansible's ssh connection, ansible_shell_type cmd or powershell)"
        )
    if connection not in SSH_CONNECTIONS:
        raise Refused(f"ansible_connection {connection}: clustercheck reaches hosts over SSH only")
    ssh = _from_ssh_args(variables, cwd)
    for names, key in ((USER, "user"), (KEY_FILE, "identity_file"), (PORT, "port")):
        value = variables.text(names)
        if value is not None:
            ssh[key] = value
    if "identity_file" in ssh:
        ssh["identity_file"] = _local_path(ssh["identity_file"], cwd)
    if "port" in ssh:
        ssh["port"] = _port(ssh["port"])
    shell = variables.text(("ansible_shell_type",))
    if shell in ("cmd", "powershell"):
        ssh["shell"] = shell
    if _become(variables):
        ssh["become"] = True
    ssh.update(_password_envs(variables, "become" in ssh, notes))
    return "ssh", host, ssh


def _port(value: Any) -> int:
    text = str(value)
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise Refused(f"SSH port {text!r} is not a port number")
    return int(text)


def _local_path(path: str, cwd: str) -> str:
    """A path on this machine as Ansible uses it: `~` kept (the inventory expands it), a
    relative one made absolute against the directory Ansible ran in."""
    return path if path.startswith("~") else posixpath.normpath(posixpath.join(cwd, path))


def _become(variables: _Variables) -> bool:
    _name, value = variables.raw(("ansible_become",))
    if isinstance(value, bool | int):
        value = str(int(value))
    if value is None or (isinstance(value, str) and value.lower() in FALSE):
        return False
    if not isinstance(value, str) or value.lower() not in TRUE:
        raise Refused(f"ansible_become {value!r} is not a boolean")
    method = variables.text(("ansible_become_method",)) or "sudo"
    user = variables.text(BECOME_USER) or "root"
    if method.removeprefix("ansible.builtin.") != "sudo" or user != "root":
        raise Refused(
            f"ansible_become_method {method} to user {user}: clustercheck becomes root through"
            " sudo only"
        )
    return True


def _password_envs(variables: _Variables, become: bool, notes: list[str]) -> dict[str, str]:
    """password_env / become_password_env when Ansible reads the password from an environment
    variable (`{{ lookup('env', 'VAR') }}`); any other value is left out, and said so."""
    found = {}
    wanted = (
        (PASSWORD, "password_env"),
        *([(BECOME_PASSWORD, "become_password_env")] if become else []),
    )
    for names, key in wanted:
        name, value = variables.raw(names)
        if value is None:
            continue
        match = ENV_LOOKUP.fullmatch(value.strip()) if isinstance(value, str) else None
        if match:
            found[key] = match.group(3)
        else:
            notes.append(
                f"{name} not taken (a password is taken only as {{{{ lookup('env', 'VAR') }}}}:"
                f" set ssh.{key})"
            )
    return found


def _from_ssh_args(variables: _Variables, cwd: str) -> dict[str, Any]:
    """The ssh keys set by options in ansible_ssh_args, _common_args and _extra_args, read in
    the order Ansible puts them on ssh's command line (the first value wins, as in OpenSSH)."""
    words: list[str] = []
    for name in SSH_ARGS:
        text = variables.text((name,))
        if text:
            try:
                words += shlex.split(text)
            except ValueError as exc:
                raise Refused(f"{name} cannot be split as Ansible does: {exc}") from None
    options, _rest = _ssh_options(words)
    ssh: dict[str, Any] = {
        SSH_KEYS[key]: value for key, value in options.items() if key in SSH_KEYS
    }
    if "userknownhostsfile" in options:
        files = options["userknownhostsfile"].split()
        if len(files) != 1:
            raise Refused("UserKnownHostsFile names several files: clustercheck reads one")
        ssh["known_hosts"] = _local_path(files[0], cwd)
    if "-F" in options:
        ssh["config"] = _local_path(options["-F"], cwd)
    jump = _jump(options)
    if jump:
        ssh["proxy_jump"] = jump
    return ssh


def _ssh_options(words: list[str]) -> tuple[dict[str, str], list[str]]:
    """OpenSSH's options among `words`, by lower-case -o name (`-p` is `port`, `-J` is
    `proxyjump`; `-F` and `-W` keep their flag), the first value of each winning; and the words
    that are not options (the destination, a command)."""
    options: dict[str, str] = {}
    rest: list[str] = []
    items: Iterator[str] = iter(words)
    for word in items:
        if len(word) < 2 or not word.startswith("-"):
            rest.append(word)
            continue
        flag = word[1]
        if flag not in TAKES_VALUE:
            continue
        value = word[2:] or next(items, "")
        if flag == "o":
            key, value = _option(value)
        else:
            key = FLAG_OPTIONS.get(flag, "-" + flag)
        if key in ("proxyjump", "proxycommand"):
            options.setdefault("-proxy", key)  # OpenSSH: whichever comes first disables the other
        options.setdefault(key, value.strip())
    return options, rest


def _option(text: str) -> tuple[str, str]:
    """`-o Name=value` or `-o "Name value"` -> (lower-case name, value)."""
    match = re.match(r"\s*([A-Za-z]+)\s*(?:=\s*|\s+)(.*)", text)
    return (match.group(1).lower(), match.group(2)) if match else (text.strip().lower(), "")


def _jump(options: Mapping[str, str]) -> str | None:
    """ProxyJump as clustercheck takes it (`user@host:port[,...]`): written as such, or the
    bastion of a ProxyCommand that is `ssh ... -W %h:%p bastion`; any other command refused."""
    kind = options.get("-proxy")
    value = options.get(kind, "") if kind else ""
    if not value or value.lower() == "none":
        return None
    if kind == "proxyjump":
        return value
    try:
        words = shlex.split(value)
    except ValueError:
        words = []
    inner, rest = _ssh_options(words[1:])
    if not words or posixpath.basename(words[0]) != "ssh" or inner.get("-W") != "%h:%p":
        raise Refused(
            "ansible_ssh_*_args: a ProxyCommand other than `ssh -W %h:%p BASTION`: clustercheck"
            " goes through bastions by ProxyJump"
        )
    if len(rest) != 1:
        raise Refused("ansible_ssh_*_args: the ProxyCommand names no single bastion")
    user, _, host = rest[0].rpartition("@")
    user = user or inner.get("user", "")
    if "port" in inner:
        host = (f"[{host}]" if ":" in host else host) + f":{inner['port']}"
    bastion = f"{user}@{host}" if user else host
    return f"{inner['proxyjump']},{bastion}" if "proxyjump" in inner else bastion
