"""mod_jk's status worker page in its properties form (`?mime=prop`, jk_status.c): each lb
worker's members with their state and activation as the running mod_jk holds them in its shared
memory. Never raises.

The page repeats `worker.LB.balance_workers=MEMBER` once per member, each followed by that
member's own `worker.MEMBER.*` lines (as the real mod_jk 1.2.48 prints it,
tests/fixtures/balancer-runtime/jkstatus-*.prop); `worker.result.type` says whether the request
itself was served.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from clustercheck.knowledge.modjk import LB, STATUS_ACTIVATIONS, STATUS_ERROR_PREFIX
from clustercheck.parsers.status_page import RuntimeBalancer, RuntimeMember, StatusPage, to_int


@dataclass
class _Lb:
    members: list[str] = field(default_factory=list)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # member -> attribute -> value


def parse_jkstatus(text: str) -> StatusPage:
    """The balancers of a `mime=prop` page; an error when it is not one, or says it failed."""
    lbs: dict[str, _Lb] = {}
    current: tuple[str, str] | None = None  # (lb, member) the member lines belong to
    result: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        parts = key.split(".")
        if not sep or len(parts) < 3 or parts[0] != "worker":
            continue
        name, attribute = ".".join(parts[1:-1]), parts[-1]
        if name == "result":
            result[attribute] = value
        elif attribute == "type" and value == LB:
            lbs.setdefault(name, _Lb())
            current = None
        elif name in lbs and attribute in ("balance_workers", "balanced_workers"):
            lbs[name].members.append(value)
            lbs[name].values.setdefault(value, {})
            current = (name, value)
        elif current is not None and name == current[1]:
            lbs[current[0]].values[name][attribute] = value
    if not result and not lbs:
        return StatusPage(error="not a mod_jk status page (no worker.* properties)")
    if result.get("type", "OK") != "OK":
        message = result.get("message", "")
        return StatusPage(error=f"the status worker answered {result['type']}: {message}")
    balancers = tuple(
        RuntimeBalancer(name, tuple(_member(m, lb.values[m]) for m in lb.members))
        for name, lb in lbs.items()
    )
    return StatusPage(balancers)


def _member(name: str, values: dict[str, str]) -> RuntimeMember:
    state = values.get("state", "")
    activation = values.get("activation", "")
    return RuntimeMember(
        name=name,
        host=values.get("host", ""),
        port=to_int(values.get("port")),
        route=values.get("route", name),
        state=state,
        in_error=state.upper().startswith(STATUS_ERROR_PREFIX),
        activation=STATUS_ACTIVATIONS.get(activation.upper(), "?"),
        busy=to_int(values.get("busy")),
        errors=to_int(values.get("errors")),
        elected=to_int(values.get("elected")),
    )
