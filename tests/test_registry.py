"""The registry's plugin rules, and the built-in checks' registration: every check module under
`clustercheck.checks` is reachable through an entry point of pyproject.toml, and every entry point
reaches a check that exists. A check without one would silently never run."""

from __future__ import annotations

import importlib
import pkgutil
import tomllib
from importlib.metadata import Distribution, EntryPoint, distribution
from pathlib import Path

import pytest
from support import REPO

import clustercheck.checks
from clustercheck.engine.check import Check
from clustercheck.engine.registry import GROUP, RegistryError, load_checks


def declared() -> dict[str, str]:
    """The built-in entry points as pyproject.toml declares them: name -> "module:attr"."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return dict(project["entry-points"][GROUP])


def check_modules() -> list[str]:
    """Every module of the installed `clustercheck.checks` package, subpackages included."""
    package = clustercheck.checks
    return [
        info.name
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
        if not info.ispkg
    ]


def defined_checks(module_name: str) -> dict[str, Check]:
    """The Checks a module defines (made by @check there, not imported from elsewhere)."""
    module = importlib.import_module(module_name)
    return {
        attr: obj
        for attr, obj in vars(module).items()
        if isinstance(obj, Check) and obj.origin == module_name
    }


def test_an_entry_point_named_other_than_its_check_is_refused_loudly(tmp_path: Path) -> None:
    """A plugin distribution whose entry point CC999 loads CC001: one line naming all three."""
    info = tmp_path / "acme_checks-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-checks\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[{GROUP}]\nCC999 = clustercheck.checks.nodes.node_reachable:node_reachable\n"
    )
    with pytest.raises(RegistryError) as caught:
        load_checks(Distribution.at(info).entry_points.select(group=GROUP))
    assert str(caught.value) == (
        "check plugin acme-checks: entry point CC999 = "
        "clustercheck.checks.nodes.node_reachable:node_reachable loads check CC001; name it CC001"
    )


def test_every_check_module_is_registered_and_every_entry_point_exists() -> None:
    entry_points = declared()
    modules = check_modules()
    assert modules, "walked no module under clustercheck.checks"
    registered = set(entry_points.values())
    unregistered = [
        f"{module}:{attr} ({obj.code})"
        for module in modules
        for attr, obj in defined_checks(module).items()
        if f"{module}:{attr}" not in registered
    ]
    assert not unregistered, (
        f"checks without an entry point in pyproject.toml [project.entry-points.{GROUP!r}]: "
        f"{unregistered}"
    )
    dangling = [
        f"{name} = {value}"
        for name, value in entry_points.items()
        if value.partition(":")[0] not in modules
    ]
    assert not dangling, f"entry points naming a module that does not exist: {dangling}"
    missing = [
        f"{name} = {value}"
        for name, value in entry_points.items()
        if value.partition(":")[2] not in defined_checks(value.partition(":")[0])
    ]
    assert not missing, f"entry points naming no check of their module: {missing}"


def test_the_installed_entry_points_are_those_of_pyproject() -> None:
    """The registry reads the installed metadata: a stale install runs a different catalogue."""
    installed = {
        ep.name: ep.value for ep in distribution("clustercheck").entry_points.select(group=GROUP)
    }
    assert installed == declared(), "stale install: run `pip install -e '.[test]'` again"


def test_the_declared_entry_points_load_as_named() -> None:
    eps = [EntryPoint(name, value, GROUP) for name, value in declared().items()]
    assert [c.code for c in load_checks(eps)] == sorted(declared())
