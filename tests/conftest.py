"""Shared test plumbing: real prerequisites are required in CI and skipped (with why) elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["sshd_server"]

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(condition: bool, reason: str) -> None:
    """Skip a test whose real prerequisite is missing, except in CI, where that is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"prerequisite missing in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared corpus of real config files (never copied into the project)."""
    path = Path(os.environ.get("CLUSTERCHECK_CORPUS", REPO.parent / "shared" / "corpus"))
    need(path.is_dir(), f"corpus not found at {path} (set CLUSTERCHECK_CORPUS)")
    return path
