"""A live progress display while nodes are contacted; nothing at all when not on a terminal.

Node and cluster names are data (a snapshot's inventory may come from anyone): they are shown
through escape.terminal in a column that parses no markup, so `a[/]b` is a name, not a tag."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from clustercheck.inventory.settings import ClusterSettings
from clustercheck.report import escape


def _ignore(node: str, event: str) -> None:
    """Progress sink used when no display is shown."""


@contextmanager
def progress_display(
    settings: ClusterSettings, enabled: bool
) -> Iterator[Callable[[str, str], None]]:
    if not enabled:
        yield _ignore
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    lock = threading.Lock()
    down: list[str] = []
    with Progress(
        TextColumn("gathering", style="bold"),
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        cluster = escape.terminal(settings.name)
        task = bar.add_task(cluster, total=len(settings.nodes))

        def advance(node: str, event: str) -> None:
            with lock:
                if event != "ok":
                    down.append(escape.terminal(node))
                note = f" ({len(down)} unreachable: {', '.join(down[-3:])})" if down else ""
                line = f"{cluster}: {escape.terminal(node)} {escape.terminal(event)}{note}"
                bar.update(task, advance=1, description=line)

        yield advance
