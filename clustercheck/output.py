"""Writing report files: atomically, so a cron job or a monitoring collector never reads half a
report; '-' means standard output, and a special file (/dev/null, a FIFO) is written in place,
never replaced."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path


def write_output(target: str, content: str) -> None:
    if target == "-":
        sys.stdout.write(content)
        sys.stdout.flush()
        return
    path = Path(target)
    if path.exists() and not path.is_file():
        with path.open("w", encoding="utf-8") as handle:
            handle.write(content)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
