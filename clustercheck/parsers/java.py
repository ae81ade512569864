"""`java -XshowSettings:properties -version` output in every format vendors print it.

The properties block (JDK 7+ HotSpot-family launchers) is exact, so it wins; the version lines
are the fallback for JVMs without it (Sun 6, IBM J9) and fill in what the block leaves out.
Warnings and `Picked up …` lines can come first, so nothing relies on line positions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from clustercheck.parsers.text import bounded_int


@dataclass(frozen=True)
class JavaInfo:
    """What one `java` binary says about itself."""

    version: str | None  # as printed: "1.6.0_17", "17.0.15", "13-ea"
    version_tuple: tuple[int, ...] | None  # "1." stripped, at least 3 numbers: (8, 0, 392)
    vendor: str | None  # normalised: "Eclipse Adoptium", "Azul Zulu", "Debian", ...
    vm: str | None  # "OpenJDK 64-Bit Server VM", "Eclipse OpenJ9 VM", ...
    bits: int | None  # 32 | 64
    runtime: str | None  # "OpenJDK Runtime Environment", "IBM Semeru Runtime Open Edition"
    java_home: str | None  # java.home, only when the properties block is present
    raw: str  # the text as received, for the report
    build: str | None = None  # java.runtime.version or the runtime line's build, for "exact"


_HEADER = "Property settings:"
_PROPERTY = re.compile(r"^ {4}(?! )(\S+) =(?: (.*))?$")  # 8-space lines continue paths
_SKIP = re.compile(r"^\s*(?:NOTE: )?Picked up |VM warning:|\[warning\]")
_QUOTED_VERSION = re.compile(r'\bversion "([^"]+)"')
_GNU_VERSION = re.compile(r"^(?:openjdk|java) (\d[\w.+-]*) \d{4}-\d{2}-\d{2}")
_RUNTIME_NAME = re.compile(r"^(.*?\bRuntime(?: Environment| (?:Open|Certified) Edition)?)")
_VM_NAME = re.compile(r"^(.*?\bVM)\b")
_BUILD = re.compile(r"\bbuild (.+)")

# fmt: off
_ARCH_BITS = {
    "amd64": 64, "x86_64": 64, "aarch64": 64, "arm64": 64, "ppc64": 64, "ppc64le": 64,
    "s390x": 64, "sparcv9": 64, "riscv64": 64, "loongarch64": 64, "ia64": 64,
    "x86": 32, "i386": 32, "i486": 32, "i586": 32, "i686": 32, "arm": 32, "ppc": 32,
    "s390": 32, "sparc": 32,
}
# fmt: on

# First match wins, so distributions that also name their base (Semeru says IBM, OpenJ9 builds
# by AdoptOpenJDK say OpenJ9, IcedTea on Ubuntu says ubuntu) come before that base.
_VENDORS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), name)
    for pattern, name in (
        (r"Zing|Azul Prime|Azul Platform Prime", "Azul Zing"),
        (r"GraalVM", "GraalVM"),
        (r"Semeru", "IBM Semeru"),
        (r"IBM J9|IBM Corporation|International Business Machines", "IBM"),
        (r"Temurin|Eclipse Adoptium", "Eclipse Adoptium"),
        (r"AdoptOpenJDK", "AdoptOpenJDK"),
        (r"Zulu|Azul Systems", "Azul Zulu"),
        (r"Corretto|Amazon\.com", "Amazon Corretto"),
        (r"\bamzn", "Amazon Linux"),
        (r"Red[ _]Hat", "Red Hat"),
        (r"Microsoft", "Microsoft"),
        (r"Liberica|BellSoft", "BellSoft Liberica"),
        (r"SapMachine|\bSAP SE\b", "SapMachine"),
        (r"Dragonwell|Alibaba", "Alibaba Dragonwell"),
        (r"Tencent|\bKona\b", "Tencent Kona"),
        (r"JetBrains", "JetBrains"),
        (r"OpenJ9", "Eclipse OpenJ9"),
        (r"IcedTea", "IcedTea"),
        (r"Debian", "Debian"),
        (r"Ubuntu", "Ubuntu"),
        (r"Sun Microsystems", "Sun"),
        (r"Oracle Corporation|Java\(TM\)|HotSpot\(TM\)", "Oracle"),
    )
)
_IDENTITY_KEYS = (
    "java.vendor",
    "java.vendor.version",
    "java.vm.vendor",
    "java.runtime.name",
    "java.vm.name",
)


def parse_java_version(text: str) -> JavaInfo | None:
    """The JVM described by `java [-XshowSettings:properties] -version` (stdout and stderr merged);
    None when the text holds no Java version at all (a failed launch, a shell error)."""
    props = parse_properties_block(text)
    lines = [line for line in text.splitlines() if not _SKIP.search(line)]
    start, printed = _version_line(lines)
    version = props.get("java.version") or printed
    if not version:
        return None
    rest = lines[start + 1 :] if start is not None else []
    runtime_line = next((line.strip() for line in rest if "Runtime" in line), None)
    vm_line = _vm_line(rest)
    return JavaInfo(
        version=version,
        version_tuple=java_version_tuple(version),
        vendor=_vendor(props, runtime_line, vm_line, version),
        vm=props.get("java.vm.name") or _first_group(_VM_NAME, vm_line),
        bits=_bits(props, vm_line),
        runtime=props.get("java.runtime.name") or _first_group(_RUNTIME_NAME, runtime_line),
        java_home=props.get("java.home"),
        raw=text,
        build=props.get("java.runtime.version") or _runtime_build(runtime_line),
    )


def parse_properties_block(text: str) -> dict[str, str]:
    """The `Property settings:` block as a dict; path continuation lines are left out (none of
    the keys clustercheck reads is path-like)."""
    props: dict[str, str] = {}
    inside = False
    for line in text.splitlines():
        if line.strip() == _HEADER:
            inside = True
        elif inside and (match := _PROPERTY.match(line)):
            props[match.group(1)] = (match.group(2) or "").strip()
        elif inside and not line.startswith(" " * 8):
            inside = False
    return props


def java_version_tuple(version: str | None) -> tuple[int, ...] | None:
    """'1.8.0_392' -> (8, 0, 392), '17.0.15' -> (17, 0, 15), '13-ea' -> (13, 0, 0),
    '9.0.4+11' -> (9, 0, 4): the `+build` and `-suffix` are not part of the version."""
    if not version:
        return None
    head = re.split(r"[+-]", version.strip(), maxsplit=1)[0]
    numbers: list[int] = []
    for part in re.split(r"[._]", head):
        if not (part.isascii() and part.isdigit()):
            break
        numbers.append(bounded_int(part))
    if len(numbers) > 1 and numbers[0] == 1:
        numbers = numbers[1:]
    if not numbers:
        return None
    return tuple(numbers + [0] * (3 - len(numbers)))


def _version_line(lines: list[str]) -> tuple[int | None, str | None]:
    """Index and version of the `… version "x"` line (or the GNU `openjdk x date` form)."""
    for index, line in enumerate(lines):
        match = _QUOTED_VERSION.search(line) or _GNU_VERSION.match(line.strip())
        if match:
            return index, match.group(1)
    return None, None


def _vm_line(lines: list[str]) -> str | None:
    """The VM line, joined with its continuation lines: J9 and OpenJ9 close the parenthesis
    opened by `(build` only after several `OpenJ9 - …`, `OMR - …` lines."""
    for index, line in enumerate(lines):
        if re.search(r"\bVM\b", line):
            joined = line.strip()
            for more in lines[index + 1 :]:
                if joined.count("(") <= joined.count(")"):
                    break
                joined += " " + more.strip()
            return joined
    return None


def _first_group(pattern: re.Pattern[str], line: str | None) -> str | None:
    match = pattern.match(line) if line else None
    return match.group(1).strip() if match else None


def _runtime_build(line: str | None) -> str | None:
    """The last top-level parenthesised part of the runtime line, without `build `:
    '(build 8.0.5.27 - pxa6480sr5fp27-20190104_01(SR5 FP27))' keeps its inner parentheses."""
    if not line:
        return None
    groups: list[str] = []
    depth = begin = 0
    for position, char in enumerate(line):
        if char == "(":
            if depth == 0:
                begin = position + 1
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0:
                groups.append(line[begin:position])
    if not groups:
        return None
    match = _BUILD.search(groups[-1])
    return (match.group(1) if match else groups[-1]).strip()


def _vendor(
    props: Mapping[str, str], runtime_line: str | None, vm_line: str | None, version: str
) -> str | None:
    """The distribution, recognised from the vendor properties and the runtime and VM lines."""
    identity = " | ".join(
        [props.get(key, "") for key in _IDENTITY_KEYS] + [runtime_line or "", vm_line or ""]
    )
    known = vendor_name(identity, version)
    if known is not None:
        return known
    if props.get("java.vendor") not in (None, "", "N/A"):
        return props["java.vendor"]
    return "OpenJDK" if "OpenJDK" in identity else None


def vendor_name(identity: str, version: str) -> str | None:
    """The distribution a JVM's self-description names (vendor properties, version lines, a
    release file's IMPLEMENTOR), normalised; None when no known one is named. One table for
    every way the JVM is read, so two nodes read differently still compare."""
    for pattern, name in _VENDORS:
        if pattern.search(identity):
            if name == "Oracle" and (java_version_tuple(version) or (99,))[0] <= 6:
                return "Sun"  # Java 6 and older were Sun's, even after Oracle bought it
            return name
    return None


def arch_bits(arch: str | None) -> int | None:
    """32 or 64 for an os.arch (or a release file's OS_ARCH): amd64, x86_64, i586, aarch64..."""
    return _ARCH_BITS.get(arch or "")


def _bits(props: Mapping[str, str], vm_line: str | None) -> int | None:
    """sun.arch.data.model, else os.arch, else the VM line's markers: `64-Bit`, J9's `amd64-64`
    or `x86-32` (and z/OS `s390-31`), and a HotSpot `Client VM`/`Server VM` without 64-Bit."""
    model = props.get("sun.arch.data.model")
    if model in ("32", "64"):
        return int(model)
    if bits := arch_bits(props.get("os.arch")):
        return bits
    if not vm_line:
        return None
    if re.search(r"64-Bit|-64\b", vm_line):
        return 64
    if re.search(r"-3[12]\b|\b(?:Client|Server) VM\b", vm_line):
        return 32
    return None
