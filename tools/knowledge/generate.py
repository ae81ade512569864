"""Builds clustercheck's Tomcat version knowledge from Tomcat itself.

    python tools/knowledge/generate.py                 # the installed Tomcat (Debian's tomcat10)
    python tools/knowledge/generate.py --tomcat-home /opt/tomcat   # any unpacked Tomcat

needs a JDK (javac and java on PATH; 17 here). It compiles TomcatKnowledge.java (beside this file)
into a temporary directory, runs it with the Tomcat's jars on the class path (lib/*.jar,
bin/bootstrap.jar, bin/tomcat-juli.jar), and writes what it printed, reshaped, to
clustercheck/knowledge/data/tomcat-<major.minor>.json. The Java program reads the start Digester
that Catalina builds for server.xml (element patterns, the class each creates and the type its
parent takes), and loads by reflection every class a server.xml can name: its types, its setters
as IntrospectionUtils.setProperty finds them, and its getters' values on a fresh instance (the
defaults). About 5 s.

    python tools/knowledge/generate.py --source GIT_DIR --tag 9.0.121 [--tag 11.0.25 ...]

reads other Tomcat lines from their published Java source instead (a git clone of
apache/tomcat, read with git by tag; nothing is compiled or run): each class's setter
signatures, supertypes and constructors, resolved through the source tree (source_scan.py), the
Connector's attribute aliases and the attributes its Digester rule leaves out. Such a table has
no defaults, and takes its element rules from the 10.1 table on the paths the version's element
list knows. A few seconds a tag (two tags a line: the one given and X.Y.0).

A node may run any release of its line, so each table also holds what the line's first release
(X.Y.0) had and later ones dropped: a source table always merges it in, and the reflection run
does with --first-release-from GIT_DIR. Every table records the tags it came from.

The files are data, committed with the code; tests/test_knowledge.py checks that they load and
answer known facts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DATA = REPO / "clustercheck" / "knowledge" / "data"
FORMAT = 1

# The setProperty(String, String) fallbacks whose meaning reflection cannot tell (they return
# whether they took the value). Read from Tomcat's source (10.1.x; the same in 9.0 and 11.0):
#   Connector           hands the attribute to its protocol handler (IntrospectionUtils again)
#   AbstractProtocol    hands it to its endpoint: "socket.X" to SocketProperties, else the
#                       endpoint's own setters, without a fallback (AbstractEndpoint.setProperty)
#   ErrorReportValve    takes "errorCode.NNN" (NNN an int) and "exceptionType.NAME"
#   CloudMembershipService  stores any name in its Properties (true the first time)
KNOWN_FALLBACKS = {
    "org.apache.catalina.connector.Connector": "protocol-handler",
    "org.apache.coyote.ProtocolHandler": "endpoint",
    "org.apache.catalina.valves.ErrorReportValve": "error-pages",
    "org.apache.catalina.tribes.membership.cloud.CloudMembershipService": "any",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tomcat-home", type=Path, default=None)
    parser.add_argument("--source", type=Path, help="a git clone (or mirror) of apache/tomcat")
    parser.add_argument("--tag", action="append", default=[], help="with --source")
    parser.add_argument(
        "--first-release-from",
        type=Path,
        metavar="GIT_DIR",
        help="merge in what the line's first release had (its Java source, from this clone)",
    )
    parser.add_argument("--out", type=Path, default=DATA)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(HERE))
    from source_scan import first_tag, merge, scan, scan_line  # beside this file

    if args.source:
        for tag in args.tag:
            write(args.out, scan_line(args.source, tag))
        return 0
    found = jars(args.tomcat_home)
    data = from_reflection(run_reflection(found), args.tomcat_home)
    data["packages"] = packages(_jar_classes(found))
    if args.first_release_from:
        first = first_tag(args.first_release_from, data["line"])
        if first and first != data["tomcat"]:
            data = merge(data, scan(args.first_release_from, first))
    write(args.out, data)
    return 0


# ----------------------------------------------------------------------------- reflection


def jars(home: Path | None) -> list[Path]:
    """The jars a Tomcat puts on its class path: bin's bootstrap and juli, then lib/*.jar."""
    if home is None:
        home = Path("/usr/share/tomcat10")
    found = [home / "bin" / "bootstrap.jar", home / "bin" / "tomcat-juli.jar"]
    found = [j for j in found if j.exists()] + sorted((home / "lib").glob("*.jar"))
    if not any(j.name == "catalina.jar" for j in found):
        sys.exit(f"no Tomcat at {home}: lib/catalina.jar missing (use --tomcat-home)")
    return found


def _jar_classes(found: list[Path]) -> list[str]:
    names = []
    for jar in found:
        with zipfile.ZipFile(jar) as zf:
            names += [
                n[: -len(".class")].replace("/", ".")
                for n in zf.namelist()
                if n.endswith(".class") and "$" not in n and not n.startswith("META-INF/")
            ]
    return names


def packages(names: list[str]) -> dict[str, list[str]]:
    """Every top-level class Tomcat ships in org.apache.*, as package -> simple names: a
    className outside this list is not Tomcat's (or not in this version)."""
    result: dict[str, list[str]] = {}
    for name in names:
        package, _, simple = name.rpartition(".")
        if package.startswith("org.apache.") and simple != "package-info":
            result.setdefault(package, []).append(simple)
    return {p: sorted(set(s)) for p, s in sorted(result.items())}


def run_reflection(classpath: list[Path]) -> dict[str, Any]:
    for tool in ("javac", "java"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: a JDK (17 or later) is needed")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["javac", "-d", tmp, str(HERE / "TomcatKnowledge.java")],
            check=True,
        )
        cp = ":".join([tmp, *map(str, classpath)])
        result = subprocess.run(
            [
                "java",
                "-Djava.awt.headless=true",
                "-cp",
                cp,
                "TomcatKnowledge",
                *map(str, classpath),
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _fallback(name: str, raw: dict[str, Any], classes: dict[str, Any]) -> str | None:
    """What a setProperty(String, String) fallback accepts: "any" (void: everything), one of
    KNOWN_FALLBACKS' meanings, or "unknown" (a boolean one nobody has read yet)."""
    kind = raw.get("fallback")
    if kind is None:
        return None
    if kind == "void":
        return "any"
    for owner, meaning in KNOWN_FALLBACKS.items():
        if name == owner or owner in raw.get("types", []):
            return meaning
    if name.endswith("ErrorReportValve"):  # its subclasses (Json, Proxy) keep its setProperty
        return "error-pages"
    print(f"warning: {name}.setProperty returns boolean; read it and add it to KNOWN_FALLBACKS")
    return "unknown"


def from_reflection(raw: dict[str, Any], home: Path | None) -> dict[str, Any]:
    version = ".".join(raw["version"].split(".")[:3])
    classes: dict[str, Any] = {}
    for name, info in raw["classes"].items():
        entry: dict[str, Any] = {"types": info["types"], "setters": info["setters"]}
        fallback = _fallback(name, info, classes)
        if fallback:
            entry["fallback"] = fallback
        if "defaults" in info:
            entry["defaults"] = info["defaults"]
        classes[name] = entry
    connector: dict[str, Any] = {}
    for protocol, info in raw["connector"].items():
        for part in ("endpoint", "socket"):
            described = info[f"{part}_class"]
            entry = {"types": [], "setters": described["setters"]}
            if described.get("fallback"):
                entry["fallback"] = "unknown"
            classes.setdefault(info[part], entry)
        connector[protocol] = {
            "handler": info["handler"],
            "endpoint": info["endpoint"],
            "socket": info["socket"],
            "defaults": {
                "connector": info["connector_defaults"],
                "endpoint": info["endpoint_defaults"],
                "socket": info["socket_defaults"],
            },
        }
    where = home or Path("/usr/share/tomcat10")
    return {
        "format": FORMAT,
        "line": ".".join(version.split(".")[:2]),
        "tomcat": version,
        "method": "reflection",
        "source": (
            f"reflection over the jars of the Tomcat {version} installed at {where} "
            f"(Catalina.createStartDigester and the classes of lib/*.jar), JDK {raw['java']}"
        ),
        "generated": dt.date.today().isoformat(),
        "elements": _elements(raw["elements"]),
        "fake_attributes": raw["fake"],
        "classes": classes,
        "connector": connector,
    }


def _elements(raw: dict[str, Any]) -> dict[str, Any]:
    """Only what a judgement needs: the created class, the attribute naming it, the type the
    parent takes, whether attributes become properties and which are left out."""
    elements = {}
    for path, rule in raw.items():
        element: dict[str, Any] = {}
        for key in ("class", "class_attribute", "type"):
            if rule.get(key) is not None:
                element[key] = rule[key]
        if rule.get("properties"):
            element["properties"] = True
            if rule.get("excludes"):
                element["excludes"] = rule["excludes"]
        elements[path] = element
    return elements


# ---------------------------------------------------------------------------------- write


def write(folder: Path, data: dict[str, Any]) -> Path:
    """Compact and sorted, one class (or element) a line, so a regeneration diffs by class."""
    path = folder / f"tomcat-{data['line']}.json"
    lines = ["{"]
    items = sorted(data.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if isinstance(value, dict) and key in ("elements", "classes", "connector", "packages"):
            lines.append(f"{json.dumps(key)}:{{")
            inner = sorted(value.items())
            for j, (name, item) in enumerate(inner):
                more = "," if j < len(inner) - 1 else ""
                lines.append(f"{json.dumps(name)}:{_compact(item)}{more}")
            lines.append(f"}}{comma}")
        else:
            lines.append(f"{json.dumps(key)}:{_compact(value)}{comma}")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    count = len(data["classes"])
    setters = sum(len(c["setters"]) for c in data["classes"].values())
    print(f"{path}: Tomcat {data['tomcat']}, {count} classes, {setters} setters")
    return path


def _compact(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


if __name__ == "__main__":
    sys.exit(main())
