"""The differential suite's summary lines at the end of the run (for CI logs)."""

from __future__ import annotations

import pytest
from differential.agreement import SUMMARIES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in SUMMARIES:
        terminalreporter.write_line(line)
