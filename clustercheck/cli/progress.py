"""A live progress display while nodes are contacted; nothing at all when not on a terminal."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from clustercheck.inventory.settings import ClusterSettings


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
        TextColumn("[bold]gathering[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(settings.name, total=len(settings.nodes))

        def advance(node: str, event: str) -> None:
            with lock:
                if event != "ok":
                    down.append(node)
                note = f" ({len(down)} unreachable: {', '.join(down[-3:])})" if down else ""
                bar.update(task, advance=1, description=f"{settings.name}: {node} {event}{note}")

        yield advance
