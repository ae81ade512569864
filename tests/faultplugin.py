"""A plugin distribution that misbehaves on purpose, installed by a test the way any plugin is
(a dist-info with entry points on the path), so faults are injected through the plugin groups
and not by patching clustercheck's internals: a check that raises, one that yields no Finding,
one with a big report's worth of findings, a format that raises and one that writes slowly."""

from __future__ import annotations

import textwrap
from pathlib import Path

MODULE = '''
import os
import time
from pathlib import Path

from clustercheck.engine.check import check
from clustercheck.engine.results import Scope, failed
from clustercheck.report.formats import Format

DOC = """A fault on purpose.

## Why it matters
Tests.

## How to fix
Nothing.
"""


def raises(node):
    raise KeyError("a key the check expected")


def not_a_finding(node):
    yield "fail"


def many(cluster):
    count = int(os.environ.get("CC_FAULT_FINDINGS", "10"))
    for index in range(count):
        yield failed(f"finding {index} " + "x" * 200)


for judge in (raises, not_a_finding, many):
    judge.__doc__ = DOC
CC991 = check("CC991", "fault-raises", scope=Scope.NODE)(raises)
CC992 = check("CC992", "fault-not-a-finding", scope=Scope.NODE)(not_a_finding)
CC993 = check("CC993", "fault-many", scope=Scope.CLUSTER)(many)


def _raising(report, options):
    raise RuntimeError("the renderer broke")


def _slow(report, options):
    """Half the report, a mark the test waits for, then a long pause."""
    yield "{" + " " * 100_000
    Path(os.environ["CC_FAULT_MARK"]).touch()
    time.sleep(60)
    yield "}"


raising = Format("raising", "raises", _raising)
slow = Format("slow", "writes slowly", _slow)
'''

ENTRY_POINTS = """\
[clustercheck.checks]
CC991 = cc_faults:CC991
CC992 = cc_faults:CC992
CC993 = cc_faults:CC993

[clustercheck.reports]
raising = cc_faults:raising
slow = cc_faults:slow
"""


def install(folder: Path) -> Path:
    """Write the plugin distribution into folder; return it, to put on sys.path or PYTHONPATH."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cc_faults.py").write_text(textwrap.dedent(MODULE), encoding="utf-8")
    info = folder / "cc_faults-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: cc-faults\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    return folder
