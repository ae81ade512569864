"""What a run judged: the nodes (after `--limit`), the checks (`--checks`, `--skip`) and where
the facts came from (live nodes, files only, a snapshot). Every format says it, because a
verdict on part of a cluster must never read as the cluster's verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from clustercheck.engine.results import some_of

SHOWN = 5  # left-out nodes the scope line names before it counts the rest (as_dict lists all)


@dataclass(frozen=True)
class RunScope:
    """The scope of one run; `whole` when nothing was left out."""

    inventory_nodes: tuple[str, ...] = ()  # every node of the inventory, in its order
    nodes: tuple[str, ...] = ()  # the nodes judged (all of them unless --limit)
    limit: tuple[str, ...] = ()  # --limit as given (node names and roles)
    checks: tuple[str, ...] = ()  # --checks as given
    skip: tuple[str, ...] = ()  # --skip as given
    offline: tuple[str, ...] = ()  # nodes judged from their files only (files transport)
    snapshot: str | None = None  # the snapshot directory the facts were read from

    @property
    def left_out(self) -> tuple[str, ...]:
        """Nodes of the inventory that --limit left out."""
        judged = set(self.nodes)
        return tuple(n for n in self.inventory_nodes if n not in judged)

    @property
    def whole(self) -> bool:
        """Every node and every check: nothing to say beyond where the facts came from."""
        return not (self.left_out or self.checks or self.skip)

    def parts(self) -> list[str]:
        """The scope as short phrases, one per restriction, for a line or a list."""
        said: list[str] = []
        if self.left_out:
            named = some_of(self.left_out, shown=SHOWN)
            said.append(
                f"--limit {','.join(self.limit)}: {len(self.nodes)} of "
                f"{len(self.inventory_nodes)} nodes (left out: {named})"
            )
        if self.checks:
            said.append(f"--checks {','.join(self.checks)}")
        if self.skip:
            said.append(f"--skip {','.join(self.skip)}")
        if self.snapshot:
            said.append(f"judged offline from the snapshot {self.snapshot}")
        elif self.offline:
            everyone = len(self.offline) == len(self.nodes)
            who = "every node" if everyone else ", ".join(self.offline)
            said.append(f"files only (no live probes): {who}")
        return said

    def describe(self) -> str:
        """One line: 'the whole cluster, live' or what was restricted."""
        parts = self.parts()
        if not parts:
            return "scope: the whole cluster, every check, live"
        return "scope: " + "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "whole": self.whole,
            "nodes": list(self.nodes),
            "left_out": list(self.left_out),
            "limit": list(self.limit),
            "checks": list(self.checks),
            "skip": list(self.skip),
            "offline": list(self.offline),
            "snapshot": self.snapshot,
        }
