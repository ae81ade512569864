"""Shared fixtures. Helpers for test modules live in support.py (import them from there)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from support import REPO, need

pytest_plugins = ["sshd_server"]

# Property tests judge behaviour, not speed: no per-example deadline (hypothesis's 200 ms fails
# at random on a 2-core CI machine busy with the lab). Speed has its place in bench/.
settings.register_profile("clustercheck", deadline=None)
settings.load_profile("clustercheck")


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared corpus of real config files (never copied into the project)."""
    path = Path(os.environ.get("CLUSTERCHECK_CORPUS", REPO.parent / "shared" / "corpus"))
    need(path.is_dir(), f"corpus not found at {path} (set CLUSTERCHECK_CORPUS)")
    return path
