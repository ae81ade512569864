"""The code stays as clean as it is: ruff's rules and mypy's types, checked with the tests.

mypy reads the package as it is installed, not the source tree: only in the installed layout are
checks/ and reports/ the packages clustercheck.checks and clustercheck.reports (setuptools
`package-dir`), so only there does every import resolve. The test builds the wheel from a copy of
the sources (the build writes nothing into the repository), unpacks it into a temporary
directory (a pure wheel's files are its installed layout) and type-checks that directory, then
tests/ and bench/ against it."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from support import REPO, need

LINTED = ["clustercheck", "checks", "reports", "tests", "bench", "tools"]

# The folders the tests and the benchmark run from, as sys.path entries: pytest's test folders
# with their own conftest.py (no __init__.py anywhere), tests/reports also for its `sample`
# module, and bench/. Other folders under tests/ are namespace packages (`parsers.test_tribes`).
ROOTS = ["tests", "tests/reports", "tests/lab", "bench"]

# PEP 517, as pip calls a backend without build isolation: the test extras carry the backend.
BUILD_WHEEL = (
    "import importlib, sys; print(importlib.import_module(sys.argv[1]).build_wheel(sys.argv[2]))"
)

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_ruff_finds_nothing() -> None:
    need(shutil.which("ruff") is not None or _module("ruff"), "ruff (in the test extras)")
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", *LINTED],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The distribution built as a wheel by its own build backend and unpacked: site-packages."""
    system = PYPROJECT["build-system"]
    backend = system["build-backend"]
    need(_module(backend.partition(".")[0]), f"{system['requires']} (in the test extras)")
    work = tmp_path_factory.mktemp("installed")
    source = work / "source"
    source.mkdir()
    shutil.copy2(REPO / "pyproject.toml", source)
    shutil.copy2(REPO / PYPROJECT["project"]["readme"], source)
    for folder in set(PYPROJECT["tool"]["setuptools"]["package-dir"].values()):
        shutil.copytree(
            REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    build = subprocess.run(
        [sys.executable, "-c", BUILD_WHEEL, backend, str(work)],
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, (
        f"building the wheel with {system['requires']} (in the test extras) failed:\n"
        f"{build.stderr[-3000:]}"
    )
    site = work / "site"
    with zipfile.ZipFile(work / build.stdout.strip().splitlines()[-1]) as wheel:
        wheel.extractall(site)
    return site


def test_the_installed_packages_are_marked_typed(installed: Path) -> None:
    """PEP 561: without py.typed, mypy ignores the installed package in a plugin's type check."""
    packages = PYPROJECT["tool"]["setuptools"]["package-dir"]
    unmarked = [p for p in packages if not (installed / p.replace(".", "/") / "py.typed").is_file()]
    assert not unmarked, f"installed without py.typed: {unmarked}"


def test_mypy_finds_nothing_in_the_installed_package_tests_and_bench(installed: Path) -> None:
    """One mypy run per group of files whose module names are distinct (each conftest.py is
    `conftest`), all sharing the repository's mypy cache, which is keyed by content."""
    need(_module("mypy"), "mypy (in the test extras)")
    roots = [REPO / root for root in ROOTS]
    env = {**os.environ, "MYPYPATH": os.pathsep.join(map(str, [installed, *roots]))}
    errors: list[str] = []
    for files in _groups(installed / "clustercheck", roots):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "mypy",
                "--config-file",
                str(REPO / "pyproject.toml"),
                "--cache-dir",
                str(REPO / ".mypy_cache"),
                "--explicit-package-bases",
                *map(str, files),
            ],
            cwd=installed.parent,  # not the repository: its source folders are no packages
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            errors.append(_to_sources(result.stdout + result.stderr))
    assert not errors, "\n".join(errors)[-6000:]


def _groups(package: Path, roots: list[Path]) -> list[list[Path]]:
    """The installed package plus the project's .py files under the roots (tracked or new, not
    ignored: no bench/work), split so that no run names a module twice."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", *ROOTS],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    files = sorted({REPO / name for name in listed.split("\0") if name.endswith(".py")})
    groups: list[tuple[set[str], list[Path]]] = [({"clustercheck"}, [package])]
    for path in files:
        base = max((r for r in roots if path.is_relative_to(r)), key=lambda r: len(r.parts))
        name = ".".join(path.relative_to(base).with_suffix("").parts)
        group = next((g for g in groups if name not in g[0]), None)
        if group is None:
            group = (set(), [])
            groups.append(group)
        group[0].add(name)
        group[1].append(path)
    return [paths for _, paths in groups]


def _to_sources(output: str) -> str:
    """mypy's paths into the installed package (of this or an earlier run, replayed from the
    cache) shown as the source paths they were built from."""
    for package, folder in sorted(
        PYPROJECT["tool"]["setuptools"]["package-dir"].items(), key=lambda item: -len(item[0])
    ):
        installed_path = re.escape(package.replace(".", "/") + "/")
        output = re.sub(rf"(?m)^(\S*/)?site/{installed_path}", f"{folder}/", output)
    return output.replace(f"{REPO}/", "")


def _module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None
