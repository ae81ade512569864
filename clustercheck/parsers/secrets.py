"""Where a configuration file writes its secrets, found in the text as written: the values set
under a secret name (knowledge/secrets.py), in any file clustercheck reads and in any of its
syntaxes, commented out or not.

- XML: an attribute `name="value"` anywhere (in a tag, a comment, a CDATA section; over several
  lines; unquoted, as a file that is not well-formed may have it), a DOCTYPE's `<!ENTITY>`, the
  `value` of an element whose `name` says secret (`<Parameter>`, `<Environment>`), the text of
  an element named like a secret and of a `*-value` after a `*-name` that says secret (web.xml's
  `<param-value>`, CDATA included). Entities are decoded.
- catalina.properties: `key=value` as java.util.Properties reads it (continued lines, `\\uXXXX`
  in the key or the value).
- Any other text (workers.properties, uriworkermap, httpd's files, shell scripts): a line
  `key=value`, `key: value` or `Directive value`, commented out or not, and `name=value` inside a
  line or inside the quotes of another value (`JkWorkerProperty worker.x.secret=...`,
  `BalancerMember ... secret=...`, `export JAVA_OPTS="... -Dx.password=..."`).

A secret value is cut into parts: the text of the secret, and what is syntax around or inside it
(quotes, edge spaces, `${name}`, `$(name)` and `&entity;` references, mod_jk's `#`), so that a
snapshot can replace the text and keep what the file means. The names of settings are syntax
too, except the worker name inside a `worker.NAME.directive` key, which other values name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field

from clustercheck.knowledge.secrets import is_secret_name
from clustercheck.parsers.properties import parse_java_properties
from clustercheck.parsers.serverxml import unescape_attribute
from clustercheck.parsers.text import decode


@dataclass(frozen=True)
class Part:
    """A piece of a secret value as written; `secret` is the text it means when it is secret
    text (entities decoded), None when it is syntax kept as it stands."""

    text: str
    secret: str | None


@dataclass(frozen=True)
class SecretValue:
    """Where a secret value is written (`start`..`end` in the text) and what it is made of."""

    start: int
    end: int
    parts: tuple[Part, ...]
    references: tuple[str, ...]  # names of `${name}`, `$(name)`, `&name;` inside it


@dataclass
class Found:
    """What a text holds: its secret values, and the names of settings (syntax, never text to
    hide: a secret `password` must not rename the `password=` attribute)."""

    values: list[SecretValue] = field(default_factory=list)
    names: list[tuple[int, int]] = field(default_factory=list)

    @property
    def secrets(self) -> set[str]:
        return {p.secret for v in self.values for p in v.parts if p.secret}


def file_kind(path: str, text: str) -> str:
    """`xml` (by its name or its declaration: an httpd file may well start with `<IfModule`),
    `java` (java.util.Properties), `lines`, or `binary` (a NUL byte: a module's .so, which sets
    nothing, though its strings may look like settings: mod_jk.so holds `.secret`)."""
    if "\x00" in text:
        return "binary"
    name = path.rpartition("!/")[2].rpartition("/")[2].lower()
    if name.endswith(".xml") or text.lstrip("\ufeff \t\r\n").startswith("<?xml"):
        return "xml"
    return "java" if name == "catalina.properties" else "lines"


# What secrets_in found, by the file's digest and kind: the nodes of a cluster hold the same
# files (an application's web.xml, catalina.properties), each scanned once. Bounded in count.
_FOUND: dict[tuple[bytes, str], frozenset[str]] = {}
FOUND_MAX = 1024


def secrets_in(data: bytes, path: str) -> frozenset[str]:
    """Every secret a file read from a node holds, as it means it."""
    text = decode(data)
    kind = file_kind(path, text)
    key = (hashlib.blake2b(data, digest_size=16).digest(), kind)
    found = _FOUND.get(key)
    if found is None:
        if len(_FOUND) >= FOUND_MAX:
            _FOUND.clear()
        found = _FOUND[key] = frozenset(find_secrets(text, kind).secrets)
    return found


def find_secrets(text: str, kind: str, also: Collection[str] = ()) -> Found:
    """The secrets of `text`, a file of `kind`; names in `also` hold secrets too (properties and
    variables that some secret value references)."""
    found = Found()
    if kind == "binary":
        return found
    if kind == "xml":
        _xml(text, also, found)
    else:
        _lines(text, also, found, java=kind == "java")
    found.values.sort(key=lambda v: v.start)
    return found


def _secret(name: str, also: Collection[str]) -> bool:
    bare = name.removeprefix("-D")
    return is_secret_name(bare) or bare in also


# --------------------------------------------------------------------------------- parts

_REFERENCE = re.compile(r"\$\{([^}]*+)\}|\$\(([^)]*+)\)")
# in XML also an entity a DOCTYPE declares (`&pw;`); the predefined and numeric ones are text
_XML_REFERENCE = re.compile(
    _REFERENCE.pattern + r"|&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z_][\w.:-]*+);"
)
_EDGE = " \t\r\n\xa0"


def _parts(raw: str, xml: bool) -> tuple[tuple[Part, ...], tuple[str, ...]]:
    """A value as written cut into secret text and kept syntax: quotes around it (outside XML,
    where they are part of the attribute), spaces at the edges of each piece, references (a
    default after `:-` is secret text), and outside XML mod_jk's `#`."""
    parts: list[Part] = []
    names: list[str] = []
    quote = "" if xml else raw[:1]
    if quote in ("'", '"') and len(raw) > 1 and raw.endswith(quote):
        inner = _parts(raw[1:-1], xml)
        return (Part(quote, None), *inner[0], Part(quote, None)), inner[1]
    for piece in [raw] if xml else re.split(r"(#)", raw):
        if piece == "#":
            parts.append(Part(piece, None))
            continue
        at = 0
        for ref in (_XML_REFERENCE if xml else _REFERENCE).finditer(piece):
            parts += _literal(piece[at : ref.start()], xml)
            name = next(group for group in ref.groups() if group is not None)
            key, sep, default = name.partition(":-")
            if sep and ref.group(1) is not None:  # ${name:-default}
                names.append(key)
                parts.append(Part(ref.group(0)[: 2 + len(key) + 2], None))
                parts += _literal(default, xml)
                parts.append(Part("}", None))
            else:
                names.append(name)
                parts.append(Part(ref.group(0), None))
            at = ref.end()
        parts += _literal(piece[at:], xml)
    return tuple(p for p in parts if p.text), tuple(names)


def _literal(raw: str, xml: bool) -> list[Part]:
    """Secret text between kept spaces (mod_jk keeps a non-breaking space, which the checks
    report; the text around it is what is secret)."""
    core = raw.strip(_EDGE)
    if not core:
        return [Part(raw, None)]
    head, tail = raw[: len(raw) - len(raw.lstrip(_EDGE))], raw[len(raw.rstrip(_EDGE)) :]
    meaning = unescape_attribute(core) if xml else core
    return [Part(head, None), Part(core, meaning), Part(tail, None)]


def _value(found: Found, start: int, raw: str, xml: bool) -> None:
    if not raw.strip(_EDGE):
        return  # nothing set
    parts, names = _parts(raw, xml)
    found.values.append(SecretValue(start, start + len(raw), parts, names))


def _name(found: Found, start: int, name: str) -> None:
    """A setting's name is syntax; in `worker.NAME.directive` only `worker.` and the directive
    are: the worker's name is text other values name (worker.list, balance_workers, JkMount)."""
    end = start + len(name)
    if name.startswith("worker.") and name.count(".") >= 2:
        found.names += [(start, start + len("worker.")), (start + name.rindex("."), end)]
    else:
        found.names.append((start, end))


# ----------------------------------------------------------------------------------- XML

# Possessive quantifiers throughout: a hostile file (a megabyte of `<a` or of spaces) is read in
# one pass, never by backtracking.
_NAME = r"[A-Za-z_][\w.:-]*+"
_TAG = re.compile(rf"</?({_NAME})")
# quoted, or unquoted as the tolerant reader of a file that is not well-formed takes it
_ATTR = re.compile(rf"""(?<![\w.:-])({_NAME})\s*+=\s*+(?:"([^"]*+)"|'([^']*+)'|([^\s"'<>=/]++))""")
_ENTITY = re.compile(rf"""<!ENTITY\s++(?:%\s++)?({_NAME})\s++(?:"([^"]*+)"|'([^']*+)')""")
_START_TAG = re.compile(rf"""<{_NAME}((?:[^<>"']++|"[^"]*+"|'[^']*+')*+)>""")
# an element's text, or the inside of a CDATA section (which ends at the next `]]>`, or is taken
# to end where another one starts)
_TEXT = r"(?:<!\[CDATA\[(?P<cdata{n}>(?:[^\]<]++|\](?!\]>)|<(?!!\[CDATA\[))*+)\]\]>|([^<]*+))"
_ELEMENT_TEXT = re.compile(rf"<({_NAME})(?:\s[^<>]*+)?>" + _TEXT.format(n=1))
_NAME_VALUE = re.compile(
    r"<((?:[\w.:-]+-)?name)>([^<]*+)</\1\s*>\s*<((?:[\w.:-]+-)?value)(?:\s[^<>]*+)?>"
    + _TEXT.format(n=2)
)


def _xml(text: str, also: Collection[str], found: Found) -> None:
    for tag in _TAG.finditer(text):
        found.names.append(tag.span(1))
    secret_at: dict[int, str] = {}  # start of a secret value -> its raw text
    for attr in (*_ATTR.finditer(text), *_ENTITY.finditer(text)):
        found.names.append(attr.span(1))
        if _secret(attr.group(1), also):
            group = _value_group(attr)
            secret_at[attr.start(group)] = attr.group(group)
    for tag in _START_TAG.finditer(text):
        if "value" not in tag.group(1):
            continue  # no `value` to be secret (the common tag, not worth reading)
        attrs = {a.group(1): a for a in _ATTR.finditer(tag.group(1))}
        name, value = attrs.get("name"), attrs.get("value")
        if name and value and _secret(unescape_attribute(name.group(_value_group(name))), also):
            group = _value_group(value)
            secret_at[tag.start(1) + value.start(group)] = value.group(group)
    for start, raw in secret_at.items():
        _value(found, start, raw, xml=True)
    for element in _ELEMENT_TEXT.finditer(text):
        if _secret(element.group(1), also):
            _text(found, element, "cdata1", 3)
    for pair in _NAME_VALUE.finditer(text):
        if _secret(unescape_attribute(pair.group(2).strip()), also):
            _text(found, pair, "cdata2", 5)


def _value_group(match: re.Match[str]) -> int:
    """The group that holds the value of an attribute (or entity) however it is quoted."""
    return next(g for g in range(2, len(match.groups()) + 1) if match.group(g) is not None)


def _text(found: Found, match: re.Match[str], cdata: str, group: int) -> None:
    """An element's text: inside CDATA as it stands, else with its entities decoded."""
    if match.group(cdata) is not None:
        start, raw = match.start(cdata), match.group(cdata)
        core = raw.strip(_EDGE)
        if core:
            at = start + raw.index(core)
            found.values.append(SecretValue(at, at + len(core), (Part(core, core),), ()))
        return
    _value(found, match.start(group), match.group(group), xml=True)


# --------------------------------------------------------------------------------- lines

# `key=value`, `key: value` or `Directive value`, maybe behind a comment mark
_LINE = re.compile(
    r"^[ \t]*+(?:[#!;][#!; \t]*+)?(?P<key>[^\s=:#!;][^\s=:]*+)(?P<sep>[ \t]*+[=:][ \t]*+|[ \t]++)"
    r"(?P<value>[^\n]*)",
    re.M,
)
# `name=value` inside a line (an argument, a -D option, a shell assignment)
_INNER = re.compile(r"""(?<![^\s"'(,;])((?:-D)?[A-Za-z_][\w.-]*+)=("[^"]*+"|'[^']*+'|[^\s"']++)""")


def _lines(text: str, also: Collection[str], found: Found, java: bool) -> None:
    continued = 0  # where the last catalina.properties value ended, past its continued lines
    for line in _LINE.finditer(text):
        if line.start() < continued:
            continue
        key, start = line.group("key"), line.start("value")
        value = line.group("value").rstrip(" \t\r")
        _name(found, line.start("key"), key)
        if java and "\\" in key:  # a key may be written with escapes (`ajp.s\u0065cret`)
            key = next(iter(parse_java_properties(f"{key}=x")), key)
        if not _secret(key, also):
            _inner(found, value, start, also)
        elif java:
            continued = _java(found, text, start, value)
        else:
            _value(found, start, value, xml=False)


def _inner(found: Found, text: str, offset: int, also: Collection[str]) -> None:
    """`name=value` inside a line; inside the quotes of another one's value too
    (`export JAVA_OPTS="$JAVA_OPTS -Dajp.secret=..."`)."""
    for setting in _INNER.finditer(text):
        name, value, start = setting.group(1), setting.group(2), offset + setting.start(2)
        _name(found, offset + setting.start(1), name)
        if _secret(name, also):
            _value(found, start, value, xml=False)
        elif value[:1] in ("'", '"'):
            _inner(found, value[1:-1], start + 1, also)


def _java(found: Found, text: str, start: int, value: str) -> int:
    """A catalina.properties value runs on over the lines its trailing backslash continues,
    and means what java.util.Properties makes of it; returns where it ends."""
    end = start + len(value)
    while _continues(text[text.rfind("\n", 0, end) + 1 : end]) and end < len(text):
        next_end = text.find("\n", end + 1)
        end = len(text) if next_end < 0 else next_end
    raw = text[start:end].rstrip("\r")
    meaning = parse_java_properties(f"k={raw}").get("k", "")
    found.values.append(SecretValue(start, start + len(raw), (Part(raw, meaning),), ()))
    return end


def _continues(raw: str) -> bool:
    line = raw.rstrip("\r")
    return (len(line) - len(line.rstrip("\\"))) % 2 == 1


def layout(text: str, found: Found) -> Iterator[tuple[str, SecretValue | None, bool]]:
    """The text in order, as (chunk, the secret value it is, whether it is a name); the rest
    is text that may hold a secret somewhere else set (a worker named like it, a path)."""
    marks = sorted(
        [(v.start, v.end, v) for v in found.values] + [(a, b, None) for a, b in found.names],
        key=lambda m: (m[0], m[2] is None),
    )
    at = 0
    for start, end, value in marks:
        if start < at:
            continue  # inside a secret value: an attribute in a secret text, a continued line
        if start > at:
            yield text[at:start], None, False
        yield text[start:end], value, value is None
        at = end
    yield text[at:], None, False
