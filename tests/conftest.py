"""Shared fixtures. Helpers for test modules live in support.py (import them from there)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import faultplugin
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


@pytest.fixture
def faults(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The misbehaving plugin distribution of faultplugin.py, on sys.path for this test (and
    returned, for a child process's PYTHONPATH)."""
    folder = faultplugin.install(tmp_path_factory.mktemp("plugins"))
    monkeypatch.syspath_prepend(str(folder))
    return folder


def _mounted(mount: Path, *argv: str) -> Iterator[Path]:
    need(os.geteuid() == 0, "root, to mount a file system for the test")
    mount.mkdir()
    subprocess.run(argv, check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 KiB tmpfs of the test's own: a disk that fills up with the first report."""
    mount = tmp_path / "full"
    yield from _mounted(mount, "mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(mount))


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A folder mounted read-only (root ignores permission bits, not a read-only mount)."""
    source = tmp_path / "source"
    source.mkdir()
    mount = tmp_path / "read-only"
    yield from _mounted(mount, "mount", "--bind", "-o", "ro", str(source), str(mount))
