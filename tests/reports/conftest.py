"""Fixtures of the renderer tests: where to keep artifacts a person may want to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """$CLUSTERCHECK_ARTIFACTS (CI uploads it), else a pytest temporary directory."""
    configured = os.environ.get("CLUSTERCHECK_ARTIFACTS")
    path = Path(configured) if configured else tmp_path_factory.mktemp("artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path
