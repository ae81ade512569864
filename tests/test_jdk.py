"""JDK parity under the major / minor / update / exact policies."""

from __future__ import annotations

import dataclasses

import pytest

from clustercheck.derive.jdk import compare_jvms
from clustercheck.parsers.java import JavaInfo, java_version_tuple, parse_java_version


def jvm(
    version: str, vendor: str | None = "Debian", bits: int | None = 64, build: str | None = None
) -> JavaInfo:
    return JavaInfo(
        version=version,
        version_tuple=java_version_tuple(version),
        vendor=vendor,
        vm="OpenJDK 64-Bit Server VM",
        bits=bits,
        runtime="OpenJDK Runtime Environment",
        java_home=None,
        raw="",
        build=build,
    )


DEBIAN = jvm("17.0.15")
CORRETTO_11 = jvm("11.0.22", "Amazon Corretto")


@pytest.mark.parametrize(
    ("policy", "jvms", "status", "message"),
    [
        pytest.param(
            "update", {"t1": DEBIAN, "t2": DEBIAN, "t3": DEBIAN},
            "pass", "all 3 nodes run 17.0.15 (Debian)", id="all-equal",
        ),
        pytest.param(
            "update", {"tomcat01": DEBIAN, "tomcat02": DEBIAN, "tomcat03": CORRETTO_11},
            "fail", "versions differ at the update level, vendors differ: "
            "tomcat03 runs 11.0.22 (Amazon Corretto), the others 17.0.15 (Debian)",
            id="odd-one-out",
        ),
        pytest.param(
            "update", {"t1": DEBIAN, "t2": jvm("17.0.14"), "t3": DEBIAN},
            "fail", "versions differ at the update level: "
            "t2 runs 17.0.14 (Debian), the others 17.0.15 (Debian)",
            id="update-differs-under-update",
        ),
        pytest.param(
            "minor", {"t1": DEBIAN, "t2": jvm("17.0.14"), "t3": DEBIAN},
            "pass", "versions agree at the minor level but differ below it: "
            "t2 runs 17.0.14 (Debian), the others 17.0.15 (Debian)",
            id="update-differs-under-minor",
        ),
        pytest.param(
            "major", {"t1": DEBIAN, "t2": jvm("17.0.14")},
            "pass", "versions agree at the major level but differ below it: "
            "t1 runs 17.0.15 (Debian), t2 runs 17.0.14 (Debian)",
            id="update-differs-under-major-no-majority",
        ),
        pytest.param(
            "major", {"t1": DEBIAN, "t2": jvm("21.0.2")},
            "fail", "versions differ at the major level: "
            "t1 runs 17.0.15 (Debian), t2 runs 21.0.2 (Debian)",
            id="major-differs",
        ),
        pytest.param(
            "major", {"t1": jvm("1.8.0_392"), "t2": jvm("1.8.0_402")},
            "pass", "versions agree at the major level but differ below it: "
            "t1 runs 1.8.0_392 (Debian), t2 runs 1.8.0_402 (Debian)",
            id="1.x-numbering-major",
        ),
        pytest.param(
            "minor", {"t1": jvm("1.8.0_392"), "t2": jvm("1.8.0_402")},
            "pass", "versions agree at the minor level but differ below it: "
            "t1 runs 1.8.0_392 (Debian), t2 runs 1.8.0_402 (Debian)",
            id="1.x-numbering-minor",
        ),
        pytest.param(
            "update", {"t1": jvm("1.8.0_392"), "t2": jvm("1.8.0_402")},
            "fail", "versions differ at the update level: "
            "t1 runs 1.8.0_392 (Debian), t2 runs 1.8.0_402 (Debian)",
            id="1.x-numbering-update",
        ),
        pytest.param(
            "major", {"t1": jvm("1.8.0_392"), "t2": jvm("11.0.22")},
            "fail", "versions differ at the major level: "
            "t1 runs 1.8.0_392 (Debian), t2 runs 11.0.22 (Debian)",
            id="8-vs-11",
        ),
        pytest.param(
            "update", {"t1": DEBIAN, "t2": DEBIAN, "t3": jvm("17.0.15", "Eclipse Adoptium")},
            "warn", "vendors differ: t3 runs 17.0.15 (Eclipse Adoptium), "
            "the others 17.0.15 (Debian)",
            id="vendor-only",
        ),
        pytest.param(
            "update",
            {"t1": jvm("1.8.0_402", "Oracle", 32), "t2": jvm("1.8.0_402", "Oracle", 64),
             "t3": jvm("1.8.0_402", "Oracle", 64)},
            "warn", "bitness differs: t1 runs 1.8.0_402 (Oracle, 32-bit), "
            "the others 1.8.0_402 (Oracle, 64-bit)",
            id="bitness-only",
        ),
        pytest.param(
            "minor", {"t1": DEBIAN, "t2": jvm("17.0.14", "Eclipse Adoptium")},
            "warn", "vendors differ, versions agree at the minor level but differ below it: "
            "t1 runs 17.0.15 (Debian), t2 runs 17.0.14 (Eclipse Adoptium)",
            id="vendor-and-finer-version",
        ),
        pytest.param(
            "update", {"t1": DEBIAN, "t2": jvm("17.0.15", vendor=None, bits=None)},
            "pass", "both nodes run 17.0.15 (Debian)", id="unknown-vendor-is-no-difference",
        ),
        pytest.param(
            "exact",
            {"t1": jvm("17.0.15", build="17.0.15+6-Debian-1deb12u1"),
             "t2": jvm("17.0.15", build="17.0.15+6-Debian-1deb12u1")},
            "pass", "both nodes run 17.0.15 (Debian)", id="exact-equal",
        ),
        pytest.param(
            "exact",
            {"t1": jvm("17.0.15", build="17.0.15+6-Debian-1deb12u1"),
             "t2": jvm("17.0.15", build="17.0.15+6-Debian-1deb12u2")},
            "fail", "versions or builds differ (exact policy): "
            "t1 runs 17.0.15 (Debian, build 17.0.15+6-Debian-1deb12u1), "
            "t2 runs 17.0.15 (Debian, build 17.0.15+6-Debian-1deb12u2)",
            id="exact-build-differs",
        ),
        pytest.param(
            "exact", {"t1": jvm("1.8.0_402"), "t2": jvm("1.8.0_402-internal")},
            "fail", "versions or builds differ (exact policy): "
            "t1 runs 1.8.0_402 (Debian), t2 runs 1.8.0_402-internal (Debian)",
            id="exact-suffix-differs",
        ),
        pytest.param(
            "update", {"t1": jvm("1.8.0_402"), "t2": jvm("1.8.0_402-internal")},
            "pass", "versions agree at the update level but differ below it: "
            "t1 runs 1.8.0_402 (Debian), t2 runs 1.8.0_402-internal (Debian)",
            id="suffix-below-update",
        ),
        pytest.param(
            "update",
            {"a": DEBIAN, "b": jvm("17.0.14"), "c": jvm("17.0.13"), "d": DEBIAN},
            "fail", "versions differ at the update level: b runs 17.0.14 (Debian); "
            "c runs 17.0.13 (Debian); the others 17.0.15 (Debian)",
            id="three-groups",
        ),
        pytest.param(
            "update", {"a": DEBIAN, "b": CORRETTO_11, "c": CORRETTO_11, "d": DEBIAN, "e": DEBIAN},
            "fail", "versions differ at the update level, vendors differ: "
            "b, c run 11.0.22 (Amazon Corretto), the others 17.0.15 (Debian)",
            id="two-odd-ones",
        ),
        pytest.param(
            "update", {"tomcat01": DEBIAN},
            "pass", "only tomcat01's JVM is known (17.0.15 (Debian)), nothing to compare",
            id="single-node",
        ),
        pytest.param("update", {}, "pass", "no JVM to compare", id="no-nodes"),
    ],
)  # fmt: skip
def test_compare_jvms(policy: str, jvms: dict[str, JavaInfo], status: str, message: str) -> None:
    result = compare_jvms(jvms, policy)
    assert (result.status, result.message) == (status, message)


def test_groups_are_keyed_by_version_vendor_and_bitness() -> None:
    result = compare_jvms(
        {"tomcat01": DEBIAN, "tomcat02": DEBIAN, "tomcat03": CORRETTO_11}, "update"
    )
    assert result.groups == {
        "17.0.15 Debian 64-bit": ["tomcat01", "tomcat02"],
        "11.0.22 Amazon Corretto 64-bit": ["tomcat03"],
    }


def test_exact_groups_show_the_build() -> None:
    result = compare_jvms({"t1": jvm("17.0.15", build="17.0.15+6")}, "exact")
    assert result.groups == {"17.0.15 Debian 64-bit (build 17.0.15+6)": ["t1"]}


def test_missing_version_tuple_is_derived_from_the_version() -> None:
    """The engine may build a JavaInfo by hand; 1.x numbering still counts as its major."""
    bare = dataclasses.replace(jvm("1.8.0_392"), version_tuple=None)
    assert compare_jvms({"t1": bare, "t2": jvm("1.8.0_402")}, "minor").status == "pass"
    assert compare_jvms({"t1": bare, "t2": jvm("11.0.22")}, "major").status == "fail"


def test_parsed_outputs_compare() -> None:
    """Temurin 8 and Corretto 8 at the same update: same version, different vendors."""
    temurin = parse_java_version(
        'openjdk version "1.8.0_402"\n'
        "OpenJDK Runtime Environment (Temurin)(build 1.8.0_402-b06)\n"
        "OpenJDK 64-Bit Server VM (Temurin)(build 25.402-b06, mixed mode)\n"
    )
    corretto = parse_java_version(
        'openjdk version "1.8.0_402"\n'
        "OpenJDK Runtime Environment Corretto-8.402.08.1 (build 1.8.0_402-b08)\n"
        "OpenJDK 64-Bit Server VM Corretto-8.402.08.1 (build 25.402-b08, mixed mode)\n"
    )
    assert temurin is not None and corretto is not None
    result = compare_jvms({"n1": temurin, "n2": corretto}, "update")
    assert result.status == "warn"
    assert compare_jvms({"n1": temurin, "n2": corretto}, "exact").status == "fail"


def test_unknown_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown JDK policy 'patch'"):
        compare_jvms({"t1": DEBIAN}, "patch")
