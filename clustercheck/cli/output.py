"""Writing report files: atomically, so a cron job or a monitoring collector never reads half a
report; '-' means standard output, and a special file (/dev/null, a FIFO) is written in place,
never replaced. Content may come in chunks (the JSON of 100 nodes is a million of them), so
that a large report is never held twice in memory."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO


def write_output(target: str, content: str | Iterable[str]) -> None:
    if target == "-":
        _write(sys.stdout, content)
        sys.stdout.flush()
        return
    path = Path(target)
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8") as handle:
            _write(handle, content)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            _write(handle, content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write(handle: TextIO, content: str | Iterable[str]) -> None:
    if isinstance(content, str):
        handle.write(content)
    else:
        handle.writelines(content)
