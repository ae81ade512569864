"""An exception nobody expected is a bug in clustercheck, met on some data: a node's file, a
snapshot, a report being written. Its message may quote that data (a line holding a secret),
so by default it is described by its type and where it was raised, never by its message."""

from __future__ import annotations

import os
import sys


def describe_bug(exc: BaseException) -> str:
    """`KeyError at clustercheck.collect.tomcat:123`: the innermost frame outside the standard
    library (else the innermost); the message only with CLUSTERCHECK_DEBUG set."""
    import traceback  # only when there is a bug: not for every start (`--help`)

    frames = [
        (str(frame.f_globals.get("__name__", "?")), line)
        for frame, line in traceback.walk_tb(exc.__traceback__)
    ]
    ours = [f for f in frames if f[0].partition(".")[0] not in sys.stdlib_module_names]
    site = "".join(f" at {module}:{line}" for module, line in (ours or frames)[-1:])
    text = f"{type(exc).__name__}{site}"
    if os.environ.get("CLUSTERCHECK_DEBUG") and str(exc):
        text += f": {str(exc).splitlines()[0]}"
    return text
