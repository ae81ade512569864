"""The `lab` fixture: one real cluster lab per test session, torn down whatever happens.

Teardown runs on failures and on Ctrl-C (pytest tears session fixtures down on interrupt). If
pytest itself is killed, the lab counts as stale because its owner is gone, and the next
`up` on this machine removes it.
"""

from __future__ import annotations

from collections.abc import Iterator

import labnet
import pytest
from lab import Lab, missing_prerequisites
from support import need

_timings: dict[str, float] = {}


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """A running lab (healthy; use `lab.fault(name)` to break it for one block)."""
    yield from _running(tmp_path_factory, "multicast")


@pytest.fixture(scope="module")
def static_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """The static-membership lab, for the module that asks for it only (it is down before the
    next module, so two labs run side by side no longer than needed)."""
    yield from _running(tmp_path_factory, "static")


def _running(factory: pytest.TempPathFactory, membership: str) -> Iterator[Lab]:
    problems = missing_prerequisites()
    need(not problems, "lab prerequisites missing: " + "; ".join(problems))
    the_lab = Lab.up(factory.mktemp(f"lab-{membership}"), membership=membership)
    prefix = "" if membership == "multicast" else f"{membership} "
    _timings.update({prefix + k: v for k, v in the_lab.state.timings.items()})
    try:
        yield the_lab
    finally:
        _timings[f"{prefix}down total"] = round(the_lab.down(), 2)
        _assert_gone(the_lab)


def _assert_gone(lab: Lab) -> None:
    """Teardown really removed everything: no namespace, link or process of this lab is left."""
    left = [ns for ns in lab.net.netns if ns in labnet.run("ip", "netns", "list")]
    left += [key for key, proc in lab.state.procs.items() if proc.alive()]
    if lab.net.bridge in labnet.run("ip", "-o", "link", "show"):
        left.append(lab.net.bridge)
    assert not left, f"lab teardown left {left}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print how long the lab took to come up and go down, for CI logs."""
    if _timings:
        text = ", ".join(f"{key} {value} s" for key, value in _timings.items())
        terminalreporter.write_line(f"lab timings: {text}")
