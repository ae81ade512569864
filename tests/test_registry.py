"""The registry's plugin rules, and the built-in checks' registration: every check module under
`clustercheck.checks` is reachable through an entry point of pyproject.toml, and every entry point
reaches a check that exists. A check without one would silently never run."""

from __future__ import annotations

import importlib
import pkgutil
import tomllib
from collections.abc import Iterator
from importlib.metadata import Distribution, EntryPoint, distribution
from pathlib import Path

import pytest
from support import REPO

import clustercheck.checks
from clustercheck.engine.check import Check, check, family
from clustercheck.engine.registry import GROUP, RegistryError, load_checks, select
from clustercheck.engine.results import Finding, Scope, passed


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


# --- families -----------------------------------------------------------------------------------

FAMILY_PLUGIN = '''
from clustercheck.engine.check import check, family
from clustercheck.engine.results import Scope, passed

DOC = """A check of a test plugin.

## Why it matters
Tests.

## How to fix
Nothing.
"""
ONE = family("XX500", "fam-one", "A family.\\n\\nOf a test plugin.")
TWO = family("XX500", "fam-two", "Another family with the same code.\\n\\nOf a test plugin.")


def judge(cluster):
    yield passed("fine")


judge.__doc__ = DOC
first = check("XX5001", "first", scope=Scope.CLUSTER, family=ONE)(judge)
second = check("XX5002", "second", scope=Scope.CLUSTER, family=TWO)(judge)
third = check("XX5003", "third", scope=Scope.CLUSTER, family=ONE)(judge)
plain = check("XX500", "plain", scope=Scope.CLUSTER)(judge)
named = check("XX600", "fam-one", scope=Scope.CLUSTER)(judge)
'''


def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *entries: str) -> list[EntryPoint]:
    """Entry points to checks of a plugin module written for the test."""
    (tmp_path / "famplugin.py").write_text(FAMILY_PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return [EntryPoint(code, f"famplugin:{attr}", GROUP) for code, attr in map(str.split, entries)]


def test_a_family_is_selected_by_its_code_and_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checks = load_checks(plugin(tmp_path, monkeypatch, "XX5001 first", "XX5003 third"))
    assert [c.code for c in select(checks, ["XX500"])] == ["XX5001", "XX5003"]
    assert [c.code for c in select(checks, ["fam-one"])] == ["XX5001", "XX5003"]


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (("XX5001 first", "XX5002 second"), "family XX500 is declared twice"),
        (("XX5001 first", "XX500 plain"), "family XX500 fam-one clashes with check XX500 plain"),
        (("XX5001 first", "XX600 named"), "family XX500 fam-one clashes with check XX600 fam-one"),
    ],
)
def test_a_family_that_would_select_ambiguously_is_refused_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entries: tuple[str, ...], message: str
) -> None:
    with pytest.raises(RegistryError, match=message):
        load_checks(plugin(tmp_path, monkeypatch, *entries))


def test_a_members_code_is_its_familys_and_one_digit() -> None:
    def judge(cluster: object) -> Iterator[Finding]:
        """Title.

        ## Why it matters
        Tests.

        ## How to fix
        Nothing."""
        yield passed("fine")

    fam = family("XX700", "fam", "A family.\n\nFor the test.")
    assert check("XX7001", "member", scope=Scope.CLUSTER, family=fam)(judge).family is fam
    for code, of in [("XX7101", fam), ("XX700", fam), ("XX70011", fam), ("XX7001", None)]:
        with pytest.raises(ValueError, match=r"must be|must look like"):
            check(code, "member", scope=Scope.CLUSTER, family=of)(judge)
    with pytest.raises(ValueError, match="must look like CC123"):
        family("XX7001", "fam", "A family.")
