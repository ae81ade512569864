"""The code stays as clean as it is: ruff's rules and mypy's types, checked with the tests."""

from __future__ import annotations

import shutil
import subprocess
import sys

from support import REPO, need

SOURCES = ["clustercheck", "checks", "reports"]


def test_ruff_finds_nothing() -> None:
    need(shutil.which("ruff") is not None or _module("ruff"), "ruff (in the test extras)")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *SOURCES, "tests"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_mypy_finds_nothing() -> None:
    need(_module("mypy"), "mypy (in the test extras)")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", *SOURCES],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def _module(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None
