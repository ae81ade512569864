"""Ansible inventories read through ansible-core itself (from PyPI): INI and YAML with
group_vars, a host_vars override, a child group, a ProxyJump in ansible_ssh_common_args, an
inline-vaulted variable decrypted with the vault password the user's ansible.cfg names, --limit
by group and by pattern; and the one-line errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO, need

from clustercheck.collect.ansible import MISSING, AnsibleError, ansible_hosts
from clustercheck.collect.discover import HostSpec
from clustercheck.inventory.ansible import Listing
from clustercheck.inventory.ansible import ansible_hosts as mapped

FIXTURE = REPO / "tests" / "fixtures" / "ansible"
BESIDE = f"{os.environ.get('PATH', '')}{os.pathsep}{Path(sys.executable).parent}"
JUMP = "bastion@10.0.0.1:2222"


@pytest.fixture
def inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture copied to a private folder, run from there as a user would (Ansible reads
    ./ansible.cfg), with tomcat03's address vaulted under a password only ansible.cfg names."""
    vault = shutil.which("ansible-vault", path=BESIDE)
    need(vault is not None, "ansible-core (pip install clustercheck[ansible])")
    assert vault is not None
    folder = tmp_path / "inventory"
    shutil.copytree(FIXTURE, folder)
    (folder / "vault-password").write_text("correct horse battery staple\n")
    monkeypatch.chdir(folder)
    command = [vault, "encrypt_string", "--vault-password-file=vault-password"]
    encrypted = subprocess.run(
        [*command, "--name=ansible_host", "tomcat03.example.com"],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    (folder / "host_vars" / "tomcat03.yml").write_bytes(encrypted)
    (folder / "ansible.cfg").write_text("[defaults]\nvault_password_file = vault-password\n")
    for name in ("ANSIBLE_CONFIG", "ANSIBLE_VAULT_PASSWORD_FILE", "ANSIBLE_INVENTORY"):
        monkeypatch.delenv(name, raising=False)
    return folder


def cluster(folder: Path) -> dict[str, HostSpec]:
    """What both inventories say of the four cluster hosts."""
    seen = {"proxy_jump": JUMP, "known_hosts": str(folder / "known_hosts")}
    tomcat = {
        **seen,
        "user": "tomcat",
        "identity_file": str(folder / "keys" / "tomcat_ed25519"),
        "become": True,
        "become_password_env": "TOMCAT_SUDO_PASSWORD",
    }
    where = "ansible: host {} in tomcat, backend; "
    common = "ansible_ssh_common_args from group all; "
    become = "ansible_become from group tomcat; "
    key = "ansible_ssh_private_key_file from group tomcat"
    return {
        "web1": HostSpec(
            "192.0.2.10",
            "web1",
            {**seen, "user": "deploy"},
            "ansible: host web1 in apache; ansible_host from host vars; "
            f"{common}ansible_user from group all",
        ),
        "tomcat01": HostSpec(
            "192.0.2.21",
            "tomcat01",
            {**tomcat, "user": "ops"},
            f"{where.format('tomcat01')}{become}ansible_host from host vars; {common}{key}; "
            "ansible_user from host vars; ansible_password not taken (a password is taken only"
            " as {{ lookup('env', 'VAR') }}: set ssh.password_env)",
        ),
        "tomcat02": HostSpec(
            "192.0.2.22",
            "tomcat02",
            {**tomcat, "port": 2222},
            f"{where.format('tomcat02')}{become}ansible_host from host vars; "
            f"ansible_port from host vars; {common}{key}; ansible_user from group tomcat",
        ),
        "tomcat03": HostSpec(
            "tomcat03.example.com",
            "tomcat03",
            tomcat,
            f"{where.format('tomcat03')}{become}ansible_host from host vars; {common}{key}; "
            "ansible_user from group tomcat",
        ),
    }


@pytest.mark.parametrize("source", ["hosts.ini", "hosts.yml"])
def test_the_cluster_as_ansible_resolves_it(inventory: Path, source: str) -> None:
    hosts = {spec.name: spec for spec in ansible_hosts(source, None)}
    assert {name: hosts[name] for name in cluster(inventory)} == cluster(inventory)
    assert "hunter2" not in repr(hosts)  # a password value is never taken


def test_hosts_reached_otherwise_or_refused(inventory: Path) -> None:
    hosts = {spec.name: spec for spec in ansible_hosts("hosts.yml", "other")}
    assert set(hosts) == {"control", "winbox", "behind", "netcat", "su-host"}
    assert (hosts["control"].transport, hosts["control"].refused) == ("local", None)
    assert hosts["behind"].ssh["proxy_jump"] == "jump@gw.example.com:2200"  # ProxyCommand ssh -W
    assert hosts["behind"].refused is None
    refused = {name: spec.refused for name, spec in hosts.items() if spec.refused}
    assert refused == {
        "winbox": "ansible_connection winrm: clustercheck reaches Windows over OpenSSH only"
        " (Ansible's ssh connection, ansible_shell_type cmd or powershell)",
        "netcat": "ansible_ssh_*_args: a ProxyCommand other than `ssh -W %h:%p BASTION`:"
        " clustercheck goes through bastions by ProxyJump",
        "su-host": "ansible_become_method su to user root: clustercheck becomes root through"
        " sudo only",
    }


@pytest.mark.parametrize(
    ("limit", "names"),
    [
        ("tomcat", ["tomcat01", "tomcat02", "tomcat03"]),
        ("backend", ["tomcat01", "tomcat02", "tomcat03"]),  # the parent of tomcat
        ("tomcat0*:!tomcat03", ["tomcat01", "tomcat02"]),
        ("web1:tomcat02", ["web1", "tomcat02"]),
    ],
)
def test_limit(inventory: Path, limit: str, names: list[str]) -> None:
    assert [spec.name for spec in ansible_hosts("hosts.ini", limit)] == names


def test_limit_matching_nothing_says_so(inventory: Path) -> None:
    with pytest.raises(AnsibleError) as caught:
        ansible_hosts("hosts.ini", "nosuchhost")
    assert str(caught.value) == (
        "hosts.ini: no hosts matching --limit nosuchhost (ansible-inventory: Could not match"
        " supplied host pattern, ignoring: nosuchhost)"
    )


def test_vault_without_its_password_is_ansibles_error(inventory: Path) -> None:
    (inventory / "ansible.cfg").unlink()
    with pytest.raises(AnsibleError) as caught:
        ansible_hosts("hosts.ini", "tomcat03")
    message = str(caught.value)
    # no vault password given: Ansible asks for one, on an empty stdin (never a hang)
    assert message.startswith("ansible-vault (decrypting): EOFError"), message
    assert "\n" not in message


def test_a_syntax_error_is_ansibles_first_error_line(inventory: Path) -> None:
    (inventory / "broken.yml").write_text("all:\n  hosts:\n    web1: {ansible_host: [1\n")
    with pytest.raises(AnsibleError) as caught:
        ansible_hosts("broken.yml", None)
    message = str(caught.value)
    assert message.startswith(
        "ansible-inventory: Completely failed to parse inventory source "
        f"{inventory / 'broken.yml'} (Failed to parse inventory with 'auto' plugin: YAML parsing"
        " failed:"
    ), message
    assert "\n" not in message and "Traceback" not in message


def test_missing_ansible_inventory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python3"))
    with pytest.raises(AnsibleError) as caught:
        ansible_hosts("hosts.ini", None)
    assert str(caught.value) == MISSING


def listing(hostvars: dict[str, dict[str, object]]) -> Listing:
    """A --list document of ungrouped hosts, each with its own variables."""
    document = {
        "_meta": {"hostvars": hostvars},
        "all": {"children": ["ungrouped"]},
        "ungrouped": {"hosts": list(hostvars)},
    }
    return Listing(document, document)


@pytest.mark.parametrize(
    ("variables", "ssh"),
    [
        # OpenSSH takes an option's first value; -J and -o ProxyJump are one setting
        ({"ansible_ssh_common_args": "-J a@j1 -o ProxyJump=b@j2"}, {"proxy_jump": "a@j1"}),
        ({"ansible_ssh_common_args": "-oProxyJump=a@j1:22,b@j2"}, {"proxy_jump": "a@j1:22,b@j2"}),
        ({"ansible_ssh_common_args": "-o 'ProxyJump none'"}, {}),
        # the common arguments come first: their ProxyJump disables the extra ProxyCommand
        (
            {"ansible_ssh_common_args": "-J a@j1", "ansible_ssh_extra_args": "-o ProxyCommand=x"},
            {"proxy_jump": "a@j1"},
        ),
        # ansible_port and friends precede the argument variables on Ansible's command line
        (
            {"ansible_port": 2200, "ansible_ssh_extra_args": "-p 2300 -l x"},
            {"port": 2200, "user": "x"},
        ),
        (
            {"ansible_ssh_args": "-F ssh.cfg -i ~/k"},
            {"config": "/run/ssh.cfg", "identity_file": "~/k"},
        ),
        # of two names of a setting, the later in Ansible's list wins
        ({"ansible_user": "a", "ansible_ssh_user": "b"}, {"user": "b"}),
        ({"ansible_shell_type": "powershell", "ansible_become": False}, {"shell": "powershell"}),
        (
            {"ansible_ssh_common_args": "-o ProxyCommand='ssh -W %h:%p -l u -p 2 fe80::1'"},
            {"proxy_jump": "u@[fe80::1]:2"},
        ),
        (
            {
                "ansible_become": "True",
                "ansible_become_pass": "{{ lookup('ansible.builtin.env', 'P') }}",
            },
            {"become": True, "become_password_env": "P"},
        ),
    ],
)
def test_connection_variables(variables: dict[str, object], ssh: dict[str, object]) -> None:
    (host,) = mapped(listing({"h": variables}), {}, "/run")
    assert (host.refused, dict(host.ssh)) == (None, ssh)


@pytest.mark.parametrize(
    ("variables", "refused"),
    [
        (
            {"ansible_host": "{{ inventory_hostname }}.example.com"},
            "ansible_host is a Jinja template",
        ),
        ({"ansible_port": "ssh"}, "SSH port 'ssh' is not a port number"),
        ({"ansible_become": "maybe"}, "ansible_become 'maybe' is not a boolean"),
        ({"ansible_connection": "community.docker.docker"}, "ansible_connection community.docker"),
        (
            {"ansible_host": {"__ansible_vault": "$ANSIBLE_VAULT;1.1;AES256\n00"}},
            "ansible_host is vaulted",
        ),
    ],
)
def test_what_cannot_be_taken_is_refused(variables: dict[str, object], refused: str) -> None:
    (host,) = mapped(listing({"h": variables}), {}, "/run")
    assert host.refused is not None and host.refused.startswith(refused), host.refused
