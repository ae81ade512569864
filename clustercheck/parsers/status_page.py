"""What a running front end says of its balancers on its own status page (mod_jk's status
worker, mod_proxy_balancer's balancer-manager), as typed records both page parsers fill, and the
HTTP answer the fetch on the node printed. Never raises."""

from __future__ import annotations

import re
from dataclasses import dataclass

_STATUS_LINE = re.compile(r"HTTP/\S+ +(\d{3})\b")


@dataclass(frozen=True)
class RuntimeMember:
    """One member of a running balancer, as the module itself sees it now."""

    name: str  # mod_jk's worker name; mod_proxy's worker URL as it shows it (ajp://10.0.0.2)
    host: str
    port: int | None
    route: str
    state: str  # as shown: "OK/IDLE", "ERR" (mod_jk), "Init Ok", "Init Err" (mod_proxy)
    in_error: bool  # the module keeps it out for an error (mod_jk ERR*, mod_proxy Err, HcFl)
    activation: str  # A, D, S (mod_jk's ACT, DIS, STP); mod_proxy also N, H, R; "?" unknown
    busy: int | None = None  # requests it serves now
    errors: int | None = None  # mod_jk: errors since the last reset
    elected: int | None = None  # requests it was chosen for


@dataclass(frozen=True)
class RuntimeBalancer:
    """A balancer as the running module shows it: mod_jk's lb worker, `balancer://NAME`."""

    name: str
    members: tuple[RuntimeMember, ...]


@dataclass(frozen=True)
class StatusPage:
    """A parsed status page: its balancers, or why it said nothing usable."""

    balancers: tuple[RuntimeBalancer, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class HttpAnswer:
    """What the fetch printed: `HTTP/1.1 200 ...`, headers, a blank line and the body (python3
    and curl), the body alone (wget: status None), or `error: why` (no answer at all)."""

    status: int | None
    body: str
    error: str | None = None


def parse_answer(text: str) -> HttpAnswer:
    """The fetch script's output, split into the HTTP status and the body."""
    if text.startswith("error: "):
        return HttpAnswer(None, "", text[7:].strip().splitlines()[0][:200] or "no answer")
    found = _STATUS_LINE.match(text)
    if found is None:
        return HttpAnswer(None, text)
    ends = [at for at in (text.find("\r\n\r\n"), text.find("\n\n")) if at >= 0]
    end = min(ends) if ends else len(text)
    body = text[end:].lstrip("\r\n")
    return HttpAnswer(int(found.group(1)), body)


def to_int(text: str | None) -> int | None:
    """A count the page printed (decimal digits, within 2**53), else None."""
    if text is None or not re.fullmatch(r"\s*[0-9]{1,15}\s*", text):
        return None
    return int(text)
