"""lab.py's commands with no lab up: each says so on stderr and how to start one, and exits 1
(a `faults` listing every fault "off" would hide a mistyped --dir). No lab is started: lab.py
is run as a person runs it, on an empty folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

LAB = Path(__file__).resolve().parent / "lab.py"


@pytest.mark.parametrize(
    "command", [["faults"], ["fault", "mcast-cut", "on"], ["status"], ["down"]]
)
def test_a_command_with_no_lab_in_its_folder_says_how_to_start_one(
    tmp_path: Path, command: list[str]
) -> None:
    folder = tmp_path / "cclab-mine"
    done = subprocess.run(
        [sys.executable, str(LAB), *command, "--dir", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr == f"lab.py: no lab in {folder} (start one: lab.py up --dir {folder})\n"
    assert done.stdout == "" and not folder.exists()


def test_help_says_what_the_default_folder_is_and_when_to_give_another() -> None:
    done = subprocess.run(
        [sys.executable, str(LAB), "faults", "--help"], capture_output=True, text=True, check=True
    )
    assert "default /tmp/cclab, one for the whole machine" in " ".join(done.stdout.split())
