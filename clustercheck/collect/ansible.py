"""The user's Ansible inventory, read by Ansible itself: `ansible-inventory --list` run on this
machine (so group_vars, host_vars, inventory plugins, vault and the user's ansible.cfg work
exactly as in Ansible), then mapped to the hosts discovery probes.

Ansible runs as a separate program, never imported: the one on PATH (the user's own, with their
collections), else the one installed beside clustercheck (`clustercheck[ansible]`).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clustercheck.collect.transports.base import DEFAULT_MAX_BYTES, CommandResult, TransportError
from clustercheck.collect.transports.localfs import LocalTransport
from clustercheck.inventory import ansible as mapping
from clustercheck.inventory.discovered import HostSpec

# a dynamic inventory (a cloud's API) may take a while; a hung one must not hold discovery
TIMEOUT_S = 120.0
MISSING = "ansible-inventory not found: install clustercheck[ansible] or ansible-core"
# Ansible only warns about an inventory source it cannot parse and goes on without its hosts:
# a partial inventory would be a silent hole, so it is an error unless the user says otherwise
STRICT = "ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED"
MAX_MESSAGE = 300


class AnsibleError(Exception):
    """ansible-inventory is missing or failed; the message is one line."""


def ansible_hosts(path: str, limit: str | None) -> list[HostSpec]:
    """The hosts of the Ansible inventory at `path` (anything `ansible-inventory -i` takes),
    only those matching the Ansible host pattern `limit` when given."""
    program = _program("ansible-inventory")
    environment = [] if STRICT in os.environ else [f"{STRICT}=True"]
    argv = ["/usr/bin/env", *environment, program, f"--inventory={path}", "--list"]
    argv += [f"--limit={limit}"] if limit else []
    with ThreadPoolExecutor(2) as pool:  # the two listings cost one start of Ansible's time
        merged, export = pool.map(_listing, [argv, [*argv, "--export"]])
    listing = mapping.Listing(merged.document, export.document)
    if not mapping.host_names(listing):
        matched = f" matching --limit {limit}" if limit else ""
        raise AnsibleError(_line(f"{path}: no hosts{matched}{_said(merged.result)}"))
    plain = _decrypt(mapping.vaulted(listing), program)
    return mapping.ansible_hosts(listing, plain, os.getcwd())


def _program(name: str) -> str:
    """An Ansible program on PATH, else beside the Python running clustercheck."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if not found:
        raise AnsibleError(MISSING)
    return found


@dataclass(frozen=True)
class _Listed:
    """One listing: the command's result (its warnings) and the JSON it printed."""

    result: CommandResult
    document: dict[str, Any]


def _listing(argv: list[str]) -> _Listed:
    result = _run(argv, "ansible-inventory")
    if len(result.stdout) >= DEFAULT_MAX_BYTES:
        raise AnsibleError(
            f"ansible-inventory: over {DEFAULT_MAX_BYTES} bytes of output: narrow it with --limit"
        )
    try:
        document = json.loads(result.stdout)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise AnsibleError(_line(f"ansible-inventory printed no inventory{_said(result)}"))
    return _Listed(result, document)


def _run(argv: list[str], program: str) -> CommandResult:
    """argv on this machine, stdin empty (a vault password prompt gets no answer and fails
    instead of waiting), within TIMEOUT_S; AnsibleError with Ansible's own error when it fails."""
    result = LocalTransport(TIMEOUT_S).run(argv)
    if result.timed_out:
        raise AnsibleError(f"{program}: no answer within {TIMEOUT_S:g} s")
    if not result.ok:
        raise AnsibleError(_line(f"{program}: {_error(result)}"))
    return result


def _error(result: CommandResult) -> str:
    """Ansible's first error line, with the parser's reason when it gave one in a warning."""
    lines = [line.strip() for line in result.stderr.decode("utf-8", "replace").splitlines()]
    marked = [line for line in lines if line.startswith(("[ERROR]", "ERROR!"))]
    if not marked:
        return next((line for line in reversed(lines) if line), f"exit {result.exit_status}")
    error = marked[0].removeprefix("[ERROR]").removeprefix("ERROR!").lstrip(":").strip()
    cause = next((line for line in lines if "Failed to parse" in line and ": " in line), "")
    reason = cause.split(": ", 1)[1] if cause.startswith("[WARNING]") else cause
    return f"{error} ({reason})" if reason else error


def _said(result: CommandResult) -> str:
    """Ansible's first warning, when it gave one (`Could not match supplied host pattern`)."""
    lines = result.stderr.decode("utf-8", "replace").splitlines()
    warning = next((line.strip() for line in lines if line.startswith("[WARNING]")), "")
    return f" (ansible-inventory: {warning.removeprefix('[WARNING]:').strip()})" if warning else ""


def _line(message: str) -> str:
    """One line, capped: the CLI prints it through its escaping."""
    flat = " ".join(message.split())
    return flat if len(flat) <= MAX_MESSAGE else flat[: MAX_MESSAGE - 3] + "..."


def _decrypt(ciphertexts: set[str], program: str) -> dict[str, str]:
    """Inline-vaulted values decrypted by the user's own ansible-vault, with the vault secrets
    their ansible.cfg or environment gives it, in one run: each written to a file of a private
    temporary directory, decrypted in place, read back."""
    if not ciphertexts:
        return {}
    vault = _program_beside(program, "ansible-vault")
    local = LocalTransport(TIMEOUT_S)
    with tempfile.TemporaryDirectory(prefix="clustercheck-vault-") as folder:
        paths = {
            text: os.path.join(folder, f"{index}.vault")
            for index, text in enumerate(sorted(ciphertexts))
        }
        for text, path in paths.items():
            Path(path).write_text(text, encoding="utf-8")
        _run([vault, "decrypt", "--", *paths.values()], "ansible-vault (decrypting)")
        try:
            return {text: local.read_file(path).decode("utf-8") for text, path in paths.items()}
        except (TransportError, UnicodeDecodeError) as exc:
            raise AnsibleError(
                _line(f"ansible-vault: cannot read what it decrypted: {exc}")
            ) from None


def _program_beside(program: str, name: str) -> str:
    beside = Path(program).parent / name
    return str(beside) if os.access(beside, os.X_OK) else _program(name)
