"""A Tomcat line's table from its published Java source (a git clone of apache/tomcat, read by
tag with git; nothing is compiled or run), for generate.py --source.

What it reads, per tag:
- every top-level type under java/org/apache/: package, imports, whether it is a public
  concrete class, its constructors (is there a public no-argument one, declared or implicit),
  what it extends and implements;
- each class's public one-argument setX methods and a setProperty(String, String) fallback,
  inherited along the superclass chain as Class.getMethods() would list them;
- which element types each class has (the closure of its supertypes), for the types the server.xml
  Digester's SetNextRules take (from the 10.1 table, the same in every line for the Cluster and
  container elements) plus ProtocolHandler and UpgradeProtocol;
- from Connector.java, the attribute aliases it applies before handing an attribute to the
  protocol handler (`replacements`, 7.0 and 8.5), and from Catalina.java the attributes the
  Connector rule leaves out.

It reads no defaults (it runs nothing), and no Digester patterns: the loader falls back to the
reflection table's element rules for those, on the paths the version's own element list knows.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[2] / "clustercheck" / "knowledge" / "data"
EXTRA_TYPES = ("org.apache.coyote.ProtocolHandler", "org.apache.coyote.UpgradeProtocol")
SOCKET = "org.apache.tomcat.util.net.SocketProperties"
CONNECTOR = "org.apache.catalina.connector.Connector"

# protocol="..." per line, as Connector / ProtocolHandler.create resolve it without APR
# (7.0: Connector.setProtocol; 8.5 and 9.0: Connector(String) with useAprConnector false, the
# default; 10.1 on: ProtocolHandler.create), and the NIO2 handlers by class name.
PROTOCOLS = {
    "7.0": {
        "HTTP/1.1": "org.apache.coyote.http11.Http11Protocol",
        "AJP/1.3": "org.apache.coyote.ajp.AjpProtocol",
    },
    "default": {
        "HTTP/1.1": "org.apache.coyote.http11.Http11NioProtocol",
        "AJP/1.3": "org.apache.coyote.ajp.AjpNioProtocol",
    },
}
BY_CLASS = (
    "org.apache.coyote.http11.Http11Nio2Protocol",
    "org.apache.coyote.ajp.AjpNio2Protocol",
    "org.apache.coyote.http11.Http11NioProtocol",
    "org.apache.coyote.ajp.AjpNioProtocol",
)


@dataclass
class JavaType:
    name: str  # fully qualified
    kind: str  # class, interface, enum, record
    public: bool
    abstract: bool
    extends: list[str]  # resolved names (a class has at most one)
    implements: list[str]
    setters: dict[str, set[str]]  # suffix -> parameter types
    fallback: str | None  # "void" or "boolean"
    no_arg_constructor: bool
    endpoint: str | None = None  # `new XEndpoint()` in its body, for protocol handlers
    text: str = field(default="", repr=False)


# ------------------------------------------------------------------------------ git


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", str(_git_dir(repo)), *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _git_dir(repo: Path) -> Path:
    return repo / ".git" if (repo / ".git").exists() else repo


def _sources(repo: Path, tag: str) -> dict[str, str]:
    """path -> text of every .java file under java/org/apache/ at the tag."""
    listed = _git(repo, "ls-tree", "-r", "--name-only", tag, "--", "java/org/apache/")
    paths = [p for p in listed.splitlines() if p.endswith(".java")]
    batch = subprocess.run(
        ["git", "--git-dir", str(_git_dir(repo)), "cat-file", "--batch"],
        input="".join(f"{tag}:{p}\n" for p in paths).encode(),
        check=True,
        capture_output=True,
    ).stdout
    texts: dict[str, str] = {}
    pos = 0
    for path in paths:
        header_end = batch.index(b"\n", pos)
        size = int(batch[pos:header_end].split()[2])
        texts[path] = batch[header_end + 1 : header_end + 1 + size].decode("utf-8", "replace")
        pos = header_end + 1 + size + 1
    return texts


# ---------------------------------------------------------------------------- Java text

_STRIP = re.compile(
    r"""//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'""",
    re.S,
)


def _strip(text: str) -> str:
    """Comments removed, string and char literals emptied (so braces in them do not count)."""

    def one(m: re.Match[str]) -> str:
        token = m.group(0)
        if token.startswith("//") or token.startswith("/*"):
            return "\n" * token.count("\n")
        return token[0] * 2

    return _STRIP.sub(one, text)


def _no_generics(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, re.sub(r"<[^<>]*>", "", text)
    return text


def _depth1(body: str) -> str:
    """A class body (from its opening brace) at its own level: members' headers are kept, each
    nested block (a method's or an inner class's insides) shrinks to "{}"."""
    out: list[str] = []
    depth = 0
    for ch in body:
        if ch == "{":
            depth += 1
            if depth == 2:
                out.append("{")
        elif ch == "}":
            if depth == 2:
                out.append("}")
            depth -= 1
            if depth == 0:
                break
        elif depth == 1:
            out.append(ch)
    return "".join(out)


_DECL = re.compile(
    r"(?P<mods>(?:@\w+(?:\([^)]*\))?\s+|\b(?:public|protected|private|abstract|final|static|"
    r"sealed|non-sealed|strictfp)\s+)*)"
    r"\b(?P<kind>class|interface|enum|record)\s+(?P<name>\w+)(?P<rest>[^{]*)\{",
)
_METHOD = re.compile(
    r"\bpublic\s+(?P<mods>(?:(?:static|final|synchronized|abstract|native|default)\s+)*)"
    r"(?P<ret>[\w.\[\]]+)\s+(?P<name>set\w+)\s*\((?P<params>[^)]*)\)"
)
_CTOR = (
    r"(?P<mods>(?:public|protected|private)\s+)?{name}\s*\((?P<params>[^)]*)\)"
    r"\s*(?:throws[^{{;]*)?\{{"
)
_PRIMITIVES = {"int", "long", "boolean", "double", "float", "short", "byte", "char"}
_LANG = {"String", "Integer", "Long", "Boolean", "Double", "Float", "Short", "Byte", "Object"}


def _param_types(params: str) -> list[str]:
    params = _no_generics(params).strip()
    if not params:
        return []
    types = []
    for param in params.split(","):
        words = [w for w in re.sub(r"@\w+(\([^)]*\))?", " ", param).split() if w != "final"]
        types.append(" ".join(words[:-1]).replace("...", "[]"))
    return types


def _parse(path: str, text: str) -> tuple[JavaType, dict[str, str], str] | None:
    """The file's top-level type, its imports (simple -> full name) and its package."""
    stripped = _strip(text)
    package = re.search(r"^\s*package\s+([\w.]+)\s*;", stripped, re.M)
    if not package:
        return None
    simple = Path(path).stem
    imports = {
        m.group(1).rpartition(".")[2]: m.group(1)
        for m in re.finditer(r"^\s*import\s+([\w.]+)\s*;", stripped, re.M)
    }
    for m in _DECL.finditer(stripped):
        if m.group("name") == simple:
            break
    else:
        return None
    mods = m.group("mods")
    rest = _no_generics(m.group("rest"))
    extends = re.search(r"\bextends\s+(.+?)(?:\bimplements\b|\bpermits\b|$)", rest, re.S)
    implements = re.search(r"\bimplements\s+(.+?)(?:\bpermits\b|$)", rest, re.S)

    def names(found: re.Match[str] | None) -> list[str]:
        return [n.strip() for n in found.group(1).split(",") if n.strip()] if found else []

    body = _depth1(stripped[m.end() - 1 :])
    setters: dict[str, set[str]] = {}
    fallback = None
    for method in _METHOD.finditer(body):
        types = _param_types(method.group("params"))
        name = method.group("name")
        if name == "setProperty" and len(types) == 2:
            fallback = "boolean" if method.group("ret") == "boolean" else "void"
        elif len(types) == 1 and len(name) > 3:
            setters.setdefault(name[3:], set()).add(types[0])
    ctors = list(re.finditer(_CTOR.format(name=re.escape(simple)), body))
    no_arg = not ctors or any(
        (c.group("mods") or "").strip() == "public" and not c.group("params").strip() for c in ctors
    )
    endpoint = re.search(r"\bnew\s+(\w+Endpoint)\s*\(\s*\)", stripped)
    java = JavaType(
        name=f"{package.group(1)}.{simple}",
        kind=m.group("kind"),
        public="public" in mods.split(),
        abstract="abstract" in mods.split() or m.group("kind") == "interface",
        extends=names(extends),
        implements=names(implements),
        setters=setters,
        fallback=fallback,
        no_arg_constructor=no_arg,
        endpoint=endpoint.group(1) if endpoint else None,
        text=text,
    )
    return java, imports, package.group(1)


def _resolve(name: str, imports: dict[str, str], package: str, known: set[str]) -> str:
    name = name.strip()
    if "." in name and name in known:
        return name
    head, _, tail = name.partition(".")
    if head in imports:
        return imports[head] + (f".{tail}" if tail else "")
    same = f"{package}.{name}"
    if same in known:
        return same
    if name in _PRIMITIVES:
        return name
    if name in _LANG:
        return name
    return imports.get(name, name)


def _param(name: str, imports: dict[str, str], package: str, known: set[str]) -> str:
    resolved = _resolve(name, imports, package, known)
    if resolved == "java.net.InetAddress" or (name == "InetAddress" and "." not in resolved):
        return "InetAddress"
    if resolved.startswith("java.lang.") and resolved.count(".") == 2:
        return resolved.rpartition(".")[2]
    return resolved


# ------------------------------------------------------------------------------- scan


def first_tag(repo: Path, line: str) -> str | None:
    """The line's first release tag (X.Y.0, or the lowest X.Y.Z there is)."""
    tags = [t for t in _git(repo, "tag", "--list", f"{line}.*").split() if t.count(".") == 2]
    numbered = [t for t in tags if t.rpartition(".")[2].isdigit()]
    return min(numbered, key=lambda t: int(t.rpartition(".")[2]), default=None)


def merge(newest: dict[str, Any], older: dict[str, Any]) -> dict[str, Any]:
    """One table for the whole line: what the newest release has, plus the classes, setters and
    class names an older release of the line had and later ones dropped (a node may run any
    release of the line; a class or attribute any of them accepts is not reported)."""
    classes = {name: dict(entry) for name, entry in newest["classes"].items()}
    for name, entry in older["classes"].items():
        if name not in classes:
            classes[name] = {k: v for k, v in entry.items() if k != "defaults"}
            continue
        setters = {s: list(t) for s, t in classes[name]["setters"].items()}
        for suffix, params in entry["setters"].items():
            setters[suffix] = sorted(set(setters.get(suffix, [])) | set(params))
        classes[name]["setters"] = dict(sorted(setters.items()))
    packages = {p: set(n) for p, n in newest["packages"].items()}
    for package, names in older["packages"].items():
        packages.setdefault(package, set()).update(names)
    return {
        **newest,
        "tomcat": newest["tomcat"],
        "also": older["tomcat"],
        "source": f"{newest['source']}; with what {older['tomcat']} had and later releases "
        f"dropped (Java source of tag {older['tomcat']})",
        "classes": classes,
        "packages": {p: sorted(n) for p, n in sorted(packages.items())},
    }


def scan_line(repo: Path, tag: str) -> dict[str, Any]:
    """scan() of the tag, merged with the line's first release."""
    newest = scan(repo, tag)
    first = first_tag(repo, newest["line"])
    return newest if first is None or first == tag else merge(newest, scan(repo, first))


def scan(repo: Path, tag: str) -> dict[str, Any]:
    texts = _sources(repo, tag)
    parsed = {}
    for path, text in texts.items():
        found = _parse(path, text)
        if found:
            parsed[found[0].name] = found
    known = set(parsed)
    types: dict[str, JavaType] = {}
    for name, (java, imports, package) in parsed.items():
        java.extends = [_resolve(n, imports, package, known) for n in java.extends]
        java.implements = [_resolve(n, imports, package, known) for n in java.implements]
        java.setters = {
            s: {_param(t, imports, package, known) for t in ts} for s, ts in java.setters.items()
        }
        if java.endpoint:
            java.endpoint = _resolve(java.endpoint, imports, package, known)
        types[name] = java

    reference = json.loads((DATA / "tomcat-10.1.json").read_text(encoding="utf-8"))
    kinds = {r["type"] for r in reference["elements"].values() if r.get("type")}
    kinds |= set(EXTRA_TYPES)
    fixed = {r["class"] for r in reference["elements"].values() if r.get("class")}
    line = ".".join(tag.split(".")[:2])
    protocols = PROTOCOLS.get(line, PROTOCOLS["default"])

    def supertypes(name: str, seen: set[str] | None = None) -> set[str]:
        seen = set() if seen is None else seen
        java = types.get(name)
        if java is None or name in seen:
            return set()
        seen.add(name)
        result = set(java.extends) | set(java.implements)
        for parent in java.extends + java.implements:
            result |= supertypes(parent, seen)
        return result

    def chain(name: str) -> list[JavaType]:
        found = []
        while name in types and types[name].kind != "interface":
            found.append(types[name])
            name = types[name].extends[0] if types[name].extends else ""
        return found

    def setters_of(name: str) -> tuple[dict[str, list[str]], str | None]:
        merged: dict[str, set[str]] = {}
        fallback = None
        for java in chain(name):
            for suffix, params in java.setters.items():
                merged.setdefault(suffix, set()).update(params)
            fallback = fallback or java.fallback
        return {s: sorted(p) for s, p in sorted(merged.items())}, fallback

    def endpoint_of(handler: str) -> str | None:
        return next((j.endpoint for j in chain(handler) if j.endpoint), None)

    classes: dict[str, Any] = {}
    for name, java in sorted(types.items()):
        if not name.startswith("org.apache.") or java.kind != "class":
            continue
        if not java.public or java.abstract or not java.no_arg_constructor:
            continue
        has = sorted(kinds & (supertypes(name) | {name}))
        if not has and name not in fixed:
            continue
        setters, fallback = setters_of(name)
        entry: dict[str, Any] = {"types": has, "setters": setters}
        if fallback:
            entry["fallback"] = _meaning(name, has, fallback)
        classes[name] = entry

    connector: dict[str, Any] = {}
    handlers = {**protocols, **{c: c for c in BY_CLASS if c in classes}}
    for protocol, handler in handlers.items():
        endpoint = endpoint_of(handler) if handler in types else None
        if handler not in classes or endpoint is None:
            continue
        for part in (endpoint, SOCKET):
            if part in types and part not in classes:
                setters, fallback = setters_of(part)
                classes[part] = {"types": [], "setters": setters}
        connector[protocol] = {
            "handler": handler,
            "endpoint": endpoint,
            "socket": SOCKET,
            "defaults": {"connector": {}, "endpoint": {}, "socket": {}},
        }

    connector_text = types[CONNECTOR].text
    replacements = dict(re.findall(r'replacements\.put\("(\w+)",\s*"(\w+)"\)', connector_text))
    catalina = types["org.apache.catalina.startup.Catalina"].text
    excludes_found = re.search(
        r'"Server/Service/Connector",\s*(?:new\s+SetAllPropertiesRule\(\s*)?new\s+String\[\]\s*'
        r"\{([^}]*)\}",
        catalina,
    )
    excludes = sorted(re.findall(r'"([^"]+)"', excludes_found.group(1))) if excludes_found else []
    packages: dict[str, set[str]] = {}
    for name in types:
        package, _, simple = name.rpartition(".")
        packages.setdefault(package, set()).add(simple)
    commit = _git(repo, "rev-list", "-n", "1", tag).strip()
    return {
        "format": 1,
        "line": line,
        "tomcat": tag,
        "method": "source",
        "source": (
            f"Java source of apache/tomcat tag {tag} (commit {commit}): setter signatures, "
            "supertypes and constructors, no defaults; element rules from the reflection table"
        ),
        "generated": dt.date.today().isoformat(),
        "elements": {
            "Server/Service/Connector": {
                "class": CONNECTOR,
                "type": CONNECTOR,
                "properties": True,
                **({"excludes": excludes} if excludes else {}),
            }
        },
        "connector_replacements": replacements,
        "classes": classes,
        "connector": connector,
        "packages": {p: sorted(s) for p, s in sorted(packages.items())},
    }


def _meaning(name: str, types: list[str], fallback: str) -> str:
    """As generate.KNOWN_FALLBACKS: what a setProperty(String, String) takes."""
    if fallback == "void":
        return "any"
    if name == CONNECTOR:
        return "protocol-handler"
    if "org.apache.coyote.ProtocolHandler" in types:
        return "endpoint"
    if name.endswith("ErrorReportValve"):
        return "error-pages"
    if name.endswith("CloudMembershipService"):
        return "any"
    if name == "org.apache.catalina.ha.tcp.SimpleTcpCluster":
        return "none"  # 7.0: logs "Dynamic setProperty ... has been disabled" and returns false
    print(f"warning: {name}.setProperty returns boolean; read it and add it to KNOWN_FALLBACKS")
    return "unknown"
