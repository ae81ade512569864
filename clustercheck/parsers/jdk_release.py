"""A JDK's `release` file: what the JVM is, read without starting it.

Every JDK since 7 (and every jlink image) has `KEY="value"` lines in JAVA_HOME/release:
JAVA_VERSION always; IMPLEMENTOR, IMPLEMENTOR_VERSION, JAVA_RUNTIME_VERSION, OS_ARCH and
JVM_VARIANT as the vendor's build wrote them (Oracle's Java 8 files name no implementor, a jlink
image often only JAVA_VERSION and MODULES). The result is the JavaInfo that `java -version`
would give, as far as the file tells: a field it does not tell stays None, never guessed."""

from __future__ import annotations

import re

from clustercheck.parsers.java import JavaInfo, arch_bits, java_version_tuple, vendor_name

_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")
# Java 7's files say JAVA_VERSION="1.7.0" whatever the update: a version without its update
_NO_UPDATE = re.compile(r"1\.[0-7]\.\d+")


def release_values(text: str) -> dict[str, str]:
    """The file's KEY -> value, quotes removed; lines of any other shape are left out."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        match = _LINE.match(line.strip())
        if match:
            value = match.group(2).strip()
            if len(value) > 1 and value[0] == value[-1] == '"':
                value = value[1:-1]
            values[match.group(1)] = value
    return values


def parse_release(text: str, java_home: str) -> JavaInfo | str:
    """The JVM the release file of `java_home` describes, or why it tells no version (then the
    JVM has to be asked)."""
    values = release_values(text)
    version = values.get("JAVA_VERSION", "").strip()
    if not version:
        return "it names no JAVA_VERSION"
    numbers = java_version_tuple(version)
    if numbers is None:
        return f'its JAVA_VERSION="{version[:40]}" is no Java version'
    if _NO_UPDATE.fullmatch(version):
        return f'its JAVA_VERSION="{version}" leaves out the update (as Java 7\'s files do)'
    implementor = values.get("IMPLEMENTOR") or None
    identity = f"{implementor or ''} | {values.get('IMPLEMENTOR_VERSION', '')}"
    commercial = "Oracle" if values.get("BUILD_TYPE") == "commercial" else None
    return JavaInfo(
        version=version,
        version_tuple=numbers,
        vendor=vendor_name(identity, version) or implementor or commercial,
        vm=values.get("JVM_VARIANT") or None,
        bits=arch_bits(values.get("OS_ARCH")),
        runtime=None,  # the runtime's name ("OpenJDK Runtime Environment") is not in the file
        java_home=java_home,
        raw=text,
        build=values.get("JAVA_RUNTIME_VERSION") or values.get("FULL_VERSION") or None,
    )
