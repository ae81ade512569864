"""The environment readers, on a public setenv.sh (tests/fixtures/cloud/, sources in
tests/fixtures/README.md) and the forms the shell and systemd give a value."""

from __future__ import annotations

from pathlib import Path

from clustercheck.parsers.environment import (
    process_environment,
    shell_assignments,
    unit_environment,
)

CLOUD = Path(__file__).parents[1] / "fixtures" / "cloud"
WANTED = ("LC_ALL", "LANG", "CATALINA_OPTS", "KUBERNETES_LABELS")


def test_a_public_setenv() -> None:
    """A literal is read; what the shell computes ($LC_ALL, ${CATALINA_OPTS} ...) is set but
    not known."""
    text = (CLOUD / "07_bee-infraverse_tomcat-cluster-lab_setenv.sh").read_text()
    assert shell_assignments(text, WANTED) == {
        "LC_ALL": ("en_US.utf-8", 2),
        "LANG": (None, 3),
        "CATALINA_OPTS": (None, 4),
    }


def test_shell_values() -> None:
    text = """\
KUBERNETES_LABELS=app=shop # first
export KUBERNETES_LABELS='app=shop,tier=$web'
  LANG=C.UTF-8; export LANG
LC_ALL=`locale -a | head -1`
XKUBERNETES_LABELS=other
"""
    assert shell_assignments(text, WANTED) == {
        "KUBERNETES_LABELS": ("app=shop,tier=$web", 2),  # single quotes: no expansion
        "LANG": ("C.UTF-8", 3),
        "LC_ALL": (None, 4),
    }


def test_unit_lines_and_reset() -> None:
    text = """\
[Unit]
Environment=KUBERNETES_LABELS=not-a-service-setting
[Service]
Environment="KUBERNETES_LABELS=app=a b" LANG=C
Environment=
Environment=LANG=C.UTF-8 "unbalanced
Environment=LANG=en_US.UTF-8
"""
    assert unit_environment(text, WANTED) == (True, {"LANG": ("en_US.UTF-8", 7)})
    assert unit_environment(text.replace("Environment=\n", ""), WANTED) == (
        False,
        {"KUBERNETES_LABELS": ("app=a b", 4), "LANG": ("en_US.UTF-8", 6)},
    )


def test_process_block_keeps_only_the_wanted() -> None:
    block = b"PATH=/usr/bin\0KUBERNETES_LABELS=app=shop\0DB_PASSWORD=x\0LANG\0"
    assert process_environment(block, WANTED) == {"KUBERNETES_LABELS": "app=shop"}
