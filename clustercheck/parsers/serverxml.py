"""Tomcat's conf/server.xml, read the way its Digester reads it, plus the XML reading it shares
with web.xml.

The XML is parsed strictly first (defusedxml over expat: entity declarations refused, external
DTDs never fetched). A file that is not well-formed still gets a tree from a tolerant reader, with a
Problem at the line expat reported, so that a check can say what the file *means* as well as that
Tomcat's own parser would reject it. Element and attribute names are kept exactly as written:
Tomcat matches them case-sensitively, so `<cluster>` is not a Cluster and is kept as a stranger.
"""

from __future__ import annotations

import bisect
import codecs
import io
import re
from array import array
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from xml.sax import SAXParseException, handler, xmlreader

from defusedxml import EntitiesForbidden
from defusedxml.expatreader import DefusedExpatParser

from clustercheck.knowledge.classes import capitalize, property_value
from clustercheck.knowledge.tomcat import is_ajp_protocol
from clustercheck.parsers.text import Kind, Problem, bounded_int, decode, size_text

# --------------------------------------------------------------------------------------- tree


@dataclass
class XmlElement:
    """One element as written: tag and attribute names keep their case (and any prefix)."""

    tag: str
    attrs: dict[str, str]
    line: int
    path: str  # e.g. "Server/Service/Engine/Cluster"
    children: list[XmlElement] = field(default_factory=list)
    text: str = ""  # the text directly inside it, trimmed (an <Alias>'s host name)

    def iter(self) -> Iterator[XmlElement]:
        """This element and all below it, in document order (no recursion: a deep tree costs
        no more per element than a flat one)."""
        pending = [self]
        while pending:
            element = pending.pop()
            yield element
            pending.extend(reversed(element.children))

    def find_all(self, tag: str) -> list[XmlElement]:
        """Direct children with exactly this tag (case-sensitive, as Tomcat matches)."""
        return [c for c in self.children if c.tag == tag]

    def find(self, tag: str) -> XmlElement | None:
        """The last direct child with this tag: for single-valued parts Tomcat's setter is
        called once per element, so the last one wins."""
        found = self.find_all(tag)
        return found[-1] if found else None


@dataclass
class XmlDoc:
    """What the XML reader made of a file: its top-level elements, comments and problems."""

    roots: list[XmlElement]
    comments: list[tuple[str, int]]  # (text, line of `<!--`)
    problems: list[Problem]
    public_id: str | None = None  # of the DOCTYPE (web.xml 2.2 and 2.3 have one)

    @property
    def root(self) -> XmlElement | None:
        return self.roots[0] if self.roots else None


@dataclass(frozen=True)
class XmlLimits:
    """How much clustercheck builds from one XML file, far above any real Tomcat file (they
    nest fewer than 10 deep, hold hundreds of elements and short values): a hostile one ends
    in a problem, not in gigabytes or hours."""

    depth: int = 128  # elements nested deeper are skipped, with what they hold
    elements: int = 100_000  # past this, nothing more of the file is built
    paths: int = 16 * 1024 * 1024  # characters of all element paths together, likewise
    value: int = 64 * 1024  # one attribute after ${name} substitution
    substituted: int = 4 * 1024 * 1024  # what substitution adds in one file


class _TreeBuilder:
    """Builds XmlElements from start/end events, both readers feed it, within `limits`: an
    element nested too deep is skipped with what it holds; past the element or path budget
    (a long tag name repeats in the path of every element below it) nothing more is built."""

    def __init__(self, limits: XmlLimits) -> None:
        self.roots: list[XmlElement] = []
        self.comments: list[tuple[str, int]] = []
        self.public_id: str | None = None
        self.too_deep: int | None = None  # line of the first element skipped for its depth
        self.stopped: int | None = None  # line where the budget ran out
        self._limits = limits
        self._stack: list[XmlElement] = []  # open elements that are built
        self._open: list[str] = []  # tags of every open element, built or skipped
        self._open_count: dict[str, int] = {}  # of each tag in _open: a stray end costs O(1)
        self._elements = self._paths = 0

    def start(self, tag: str, attrs: dict[str, str], line: int) -> None:
        if self.stopped is not None:
            return
        self._open.append(tag)
        self._open_count[tag] = self._open_count.get(tag, 0) + 1
        if len(self._open) > self._limits.depth:
            if self.too_deep is None:
                self.too_deep = line
            return
        parent = self._stack[-1] if self._stack else None
        path = f"{parent.path}/{tag}" if parent else tag
        self._elements, self._paths = self._elements + 1, self._paths + len(path)
        if self._elements > self._limits.elements or self._paths > self._limits.paths:
            self.stopped = line
            return
        element = XmlElement(tag, attrs, line, path)
        (parent.children if parent else self.roots).append(element)
        self._stack.append(element)

    def end(self, tag: str) -> None:
        """Closes `tag` and whatever was left open inside it; a stray end tag is ignored."""
        if not self._open_count.get(tag):
            return
        depth = len(self._open) - 1
        while self._open[depth] != tag:
            depth -= 1
        for closed in self._open[depth:]:
            self._open_count[closed] -= 1
        for element in self._stack[depth:]:
            element.text = element.text.strip()  # as the Digester trims a body
        del self._open[depth:]
        del self._stack[depth:]

    def characters(self, content: str) -> None:
        """The text of the innermost open element, if it is built, up to the value limit."""
        if self._stack and len(self._stack) == len(self._open):
            element = self._stack[-1]
            if len(element.text) < self._limits.value:
                element.text += content[: self._limits.value - len(element.text)]

    def comment(self, text: str, line: int) -> None:
        if self.stopped is None:
            self.comments.append((text, line))

    def problems(self, path: str) -> list[Problem]:
        """What the limits left out, as problems at the line where it began."""
        found = []
        if self.too_deep is not None:
            message = (
                f"elements nested deeper than {self._limits.depth} are not read "
                "(clustercheck's limit): what they hold is not judged"
            )
            found.append(Problem(path, self.too_deep, message, Kind.UNREADABLE))
        if self.stopped is not None:
            message = (
                f"clustercheck builds at most {self._limits.elements} elements and "
                f"{size_text(self._limits.paths)} of element paths from a file: from this "
                "line on nothing is read, nor judged"
            )
            found.append(Problem(path, self.stopped, message, Kind.UNREADABLE))
        return found


# ------------------------------------------------------------------------------- decoding

_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")


def _decode_xml(data: bytes, path: str) -> tuple[str, list[Problem]]:
    """Text of an XML file: the declared encoding when it fits the bytes, else UTF-8, else the
    lenient decode. A mismatch is a Problem because Tomcat's parser rejects such bytes."""
    declared = _DECLARED.match(data[:1024])
    encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    if data.startswith(codecs.BOM_UTF8) or data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return decode(data), []
    try:
        return data.decode(encoding), []
    except LookupError:
        why = f"declares the unknown encoding {encoding!r}"
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text = decode(data)
        said = "declared" if declared else "default"
        return text, [
            Problem(
                path,
                line,
                f"bytes are not valid {encoding} (the {said} "
                "encoding): Tomcat's XML parser rejects the file; read leniently",
                Kind.REFUSES_TO_START,
            )
        ]
    # a name Python does not know is, as a rule, one the JVM's parser rejects as well
    return decode(data), [Problem(path, 1, f"{why}; read leniently", Kind.REFUSES_TO_START)]


# -------------------------------------------------------------------------- strict reading


class _SaxAdapter(handler.ContentHandler):
    """Feeds SAX events (and comments, through the lexical handler) to the tree builder."""

    def __init__(self, builder: _TreeBuilder) -> None:
        super().__init__()
        self._builder = builder
        self._locator: xmlreader.Locator | None = None

    def setDocumentLocator(self, locator: xmlreader.Locator) -> None:  # SAX API names
        self._locator = locator

    def _line(self) -> int:
        return (self._locator.getLineNumber() if self._locator else None) or 0

    def startElement(self, name: str, attrs: xmlreader.AttributesImpl) -> None:
        self._builder.start(name, dict(attrs.items()), self._line())

    def endElement(self, name: str) -> None:
        self._builder.end(name)

    def characters(self, content: str) -> None:
        self._builder.characters(content)

    # xml.sax.handler.LexicalHandler
    def comment(self, content: str) -> None:
        self._builder.comment(content, self._line())

    def startDTD(self, name: str, public_id: str | None, system_id: str | None) -> None:
        self._builder.public_id = public_id

    def endDTD(self) -> None:
        pass

    def startCDATA(self) -> None:
        pass

    def endCDATA(self) -> None:
        pass


def _strict(text: str, limits: XmlLimits) -> _TreeBuilder:
    """Parses with expat through defusedxml; raises on anything not well-formed.

    External DTDs (web.xml 2.3's DOCTYPE) are skipped, never fetched; entity declarations are
    refused by defusedxml."""
    builder = _TreeBuilder(limits)
    adapter = _SaxAdapter(builder)
    parser = DefusedExpatParser(forbid_external=False)
    parser.setFeature(handler.feature_external_ges, False)
    parser.setFeature(handler.feature_external_pes, False)
    parser.setContentHandler(adapter)
    parser.setProperty(handler.property_lexical_handler, adapter)
    source = xmlreader.InputSource()
    source.setCharacterStream(io.StringIO(text))
    parser.parse(source)
    return builder


# ------------------------------------------------------------------------ tolerant reading


class _EntityDeclaration(Exception):
    """The tolerant reader met `<!ENTITY`: refused like defusedxml refuses it."""


# Markup other than a start tag, at a `<`: comments, CDATA, PIs and an internal subset may run
# to the end of the file, which they then consume.
_MARKUP = re.compile(
    r"""<!--(?P<comment>.*?)(?:--!?>|\Z)
      | <!\[CDATA\[.*?(?:\]\]>|\Z)
      | <!DOCTYPE(?P<doctype>[^\[>]*(?:\[.*?(?:\][^>]*|\Z))?)>?
      | <\?.*?(?:\?>|\Z)
      | </(?P<end>[^\s<>/]++)\s*+>
    """,
    re.S | re.X,
)
_PUBLIC_ID = re.compile(r"""\s*\S+\s+PUBLIC\s+(?:"([^"]*)"|'([^']*)')""")
_START = re.compile(r"<([A-Za-z_:][^\s<>/]*+)")  # a tag name runs to a blank, `/`, `<` or `>`
_TAG_STOP = re.compile(r"""[<>"']""")
# A name only where one begins, taken whole: never retried from inside a long run of name
# characters that no `=` follows (which made a 20 KB tag take 20 s).
_ATTR = re.compile(
    r"""(?<![^\s="'/<>])([^\s="'/<>]++)\s*+=\s*+(?:"([^"]*)"|'([^']*)'|([^\s"'<>]+))"""
)
_REF = re.compile(r"&(?:#(\d+)|#x([0-9A-Fa-f]+)|(amp|lt|gt|quot|apos));")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _xml_char(code: int) -> bool:
    """A character XML allows (no NUL, no lone surrogate), so nothing downstream chokes on it."""
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0x10FFFF


def unescape_attribute(value: str) -> str:
    """XML attribute-value normalisation and the predefined references; anything else (a stray
    `&`, an undeclared `&nbsp;`) stays as written."""

    def ref(m: re.Match[str]) -> str:
        if m.group(3):
            return _NAMED[m.group(3)]
        code = bounded_int(m.group(1)) if m.group(1) else int(m.group(2), 16)
        return chr(code) if _xml_char(code) else m.group(0)

    return _REF.sub(ref, re.sub(r"[\t\n]", " ", value))


class _TagEnds:
    """Where a start tag ends: its attributes run to the first `>` outside quoted values; a `<`
    outside them, an unclosed quote or the end of the file first means it is no tag.

    Every `<` may begin a tag, and in a broken file the attributes of one can hold the next
    (`<a "<b" "<b" ...` with no `>`): tried afresh from each, that is quadratic. From any
    position outside quotes the scan goes on the same way whoever reached it, so each outcome
    is kept at the positions it passed, and the file is scanned about once in all."""

    UNKNOWN = -2

    def __init__(self, text: str) -> None:
        self._text = text
        self._known = array("q", [self.UNKNOWN]) * (len(text) + 1)

    def end(self, at: int) -> int:
        """The index of the `>` that ends the tag whose attributes begin at `at`, or -1."""
        text, known = self._text, self._known
        passed: list[int] = []
        outcome = -1
        while (stop := _TAG_STOP.search(text, at)) is not None:
            at = stop.start()
            if known[at] != self.UNKNOWN:
                outcome = known[at]
                break
            passed.append(at)
            char = text[at]
            if char in "<>":
                outcome = at if char == ">" else -1
                break
            closing = text.find(char, at + 1)
            if closing < 0:
                break
            at = closing + 1
        for position in passed:
            known[position] = outcome
        return outcome


def _tolerant(text: str, limits: XmlLimits) -> _TreeBuilder:
    """A forgiving reader for files expat rejects: a comment may end with `--!>` or run to the
    end, stray `&` and `<` are text, junk inside a tag is skipped, mismatched end tags close
    what they match and unclosed elements end with the file. Linear in the file's size: each
    `<` is looked at once, and tags share their scans (_TagEnds)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    starts = [m.end() for m in re.finditer("\n", text)]
    builder = _TreeBuilder(limits)
    tag_ends = _TagEnds(text)
    at = text.find("<")
    while at >= 0:
        line = bisect.bisect_right(starts, at) + 1
        markup = _MARKUP.match(text, at)
        if markup is not None:
            if markup.group("comment") is not None:
                builder.comment(markup.group("comment"), line)
            elif markup.group("doctype") is not None and "<!ENTITY" in markup.group("doctype"):
                raise _EntityDeclaration
            elif markup.group("doctype") is not None:
                public = _PUBLIC_ID.match(markup.group("doctype"))
                builder.public_id = public.group(1) or public.group(2) if public else None
            elif markup.group("end"):
                builder.end(markup.group("end"))
            at = text.find("<", markup.end())
            continue
        name = _START.match(text, at)
        end = tag_ends.end(name.end()) if name else -1
        if name is None or end < 0:
            at = text.find("<", at + 1)
            continue
        empty = text[end - 1] == "/" and end - 1 >= name.end()
        attrs = {
            a.group(1): unescape_attribute(next(v for v in a.groups()[1:] if v is not None))
            for a in _ATTR.finditer(text, name.end(), end - 1 if empty else end)
        }
        builder.start(name.group(1), attrs, line)
        if empty:
            builder.end(name.group(1))
        at = text.find("<", end + 1)
    return builder


# ------------------------------------------------------------------------------- read_xml


def read_xml(data: bytes, path: str, limits: XmlLimits = XmlLimits()) -> XmlDoc:
    """Reads any XML config file into a tree with line numbers, never raising."""
    text, problems = _decode_xml(data, path)
    try:
        try:
            builder = _strict(text, limits)
        except SAXParseException as exc:
            problems.append(
                Problem(
                    path,
                    exc.getLineNumber(),
                    f"not well-formed XML: "
                    f"{exc.getMessage()}; Tomcat's XML parser rejects the file "
                    "(read tolerantly here)",
                    Kind.REFUSES_TO_START,
                )
            )
            builder = _tolerant(text, limits)
    except (EntitiesForbidden, _EntityDeclaration):
        line = text[: max(text.find("<!ENTITY"), 0)].count("\n") + 1
        # refused here (defusedxml), though Tomcat's parser may well accept them
        message = "entity declarations are not allowed"
        problems.append(Problem(path, line, message, Kind.UNREADABLE))
        return XmlDoc([], [], problems)
    problems += builder.problems(path)
    if not builder.roots:
        # only after a not well-formed file: Tomcat's parser rejects it for want of a root
        problems.append(Problem(path, None, "no XML element found", Kind.REFUSES_TO_START))
    return XmlDoc(builder.roots, builder.comments, problems, builder.public_id)


# ------------------------------------------------------------------- property substitution

_PROPERTY = re.compile(r"\$\{([^}]*)\}")
_WITH_DEFAULT = re.compile(r"\$\{[^}]*:-[^}]*\}")


class SubstitutionTooLong(ValueError):
    """Substituting would make the value longer than the limit it was given."""


def substitute(
    value: str, properties: Mapping[str, str], limit: int = XmlLimits.value
) -> tuple[str, list[str]]:
    """`${name}` and `${name:-default}` replaced as Tomcat's IntrospectionUtils does (one pass,
    the whole name is looked up before the `:-` split); returns the value and the `${...}`
    tokens nothing defined, which Tomcat leaves verbatim. Raises SubstitutionTooLong before
    the value grows past `limit` characters (a large property used many times)."""
    unresolved: list[str] = []
    pieces: list[str] = []
    size = done = 0
    for m in _PROPERTY.finditer(value):
        name = m.group(1)
        key, sep, default = name.partition(":-")
        if name in properties:
            replaced = properties[name]
        elif sep:
            replaced = properties.get(key, default)
        else:
            unresolved.append(m.group(0))
            replaced = m.group(0)
        size += m.start() - done + len(replaced)
        if size > limit:
            raise SubstitutionTooLong
        pieces += [value[done : m.start()], replaced]
        done = m.end()
    if size + len(value) - done > limit:
        raise SubstitutionTooLong
    return "".join([*pieces, value[done:]]), unresolved


def _substitute_tree(
    root: XmlElement, properties: Mapping[str, str], result: ServerXml, limits: XmlLimits
) -> None:
    """Replaces in place (attributes and text, as the Digester does), recording what stayed
    verbatim and every `${name:-default}`. A value that would grow past its limit, or past
    what the file may add, stays as written."""
    added = 0
    for element in root.iter():
        try:
            element.text, missing = substitute(element.text, properties, limits.value)
            result.unresolved += [(token, element.line) for token in missing]
        except SubstitutionTooLong:
            pass  # an <Alias> of 64 KiB names no host: kept as written
        for name, value in element.attrs.items():
            found = _WITH_DEFAULT.finditer(value)
            result.default_syntax += [(m.group(0), element.line) for m in found]
            room = min(limits.value, len(value) + limits.substituted - added)
            try:
                substituted, missing = substitute(value, properties, room)
            except SubstitutionTooLong:
                whole_file = room < limits.value
                problem = _not_substituted(result.path, element, name, limits, whole_file)
                result.problems.append(problem)
                if whole_file:
                    return
                continue
            added += max(len(substituted) - len(value), 0)
            element.attrs[name] = substituted
            result.unresolved += [(token, element.line) for token in missing]


def _not_substituted(
    path: str, element: XmlElement, name: str, limits: XmlLimits, whole_file: bool
) -> Problem:
    """The limit one attribute went past: its own, or what the whole file may add."""
    if whole_file:
        why = f"${{...}} in this file would add more than {size_text(limits.substituted)}"
        what = "it and every later attribute are"
    else:
        why = f"its ${{...}} would make it longer than {size_text(limits.value)}"
        what = "it is"
    message = (
        f"{name} on <{element.tag}> is not substituted: {why}, clustercheck's limit; {what} "
        "kept as written and not judged"
    )
    return Problem(path, element.line, message, Kind.UNREADABLE)


# ------------------------------------------------------------------------------ the model


@dataclass
class Component:
    """Any element Tomcat instantiates from `className` (Manager, Membership, Valve, ...)."""

    tag: str
    class_name: str | None
    attrs: dict[str, str]
    line: int
    path: str = ""


@dataclass
class Connector:
    """A `<Connector>`; `secret` comes from whichever secret attribute Tomcat would apply last."""

    port: int | None
    protocol: str
    address: str | None
    secret: str | None  # `secret`, deprecated `requiredSecret` or Tomcat 6 `request.secret`
    secret_required: bool | None  # None = not set (the version decides the default)
    is_ajp: bool
    line: int
    attrs: dict[str, str]
    secret_attr: str | None = None  # which attribute gave the secret
    effective_port: int | None = None  # port plus the Server's portOffset (Tomcat 9.0.13+)
    executor: Component | None = None  # the <Executor> its `executor` names, when Tomcat finds it


@dataclass
class ContextConfig:
    """A `<Context>` as one file writes it: inside a Host of server.xml, in conf/context.xml, in
    a Host's conf/<Engine>/<Host>/context.xml.default or NAME.xml, or in an application's
    META-INF/context.xml. Tomcat sets its attributes on the application's context in the order
    it reads those files, so a later file's attribute replaces an earlier one's."""

    file: str
    line: int
    attrs: dict[str, str]


def context_config(doc: XmlDoc, path: str) -> ContextConfig | None:
    """The Context a context file holds; None when its root is not `<Context>` (Tomcat's
    ContextRuleSet matches nothing else, case-sensitively: it reads nothing from the file)."""
    root = doc.root
    if root is None or root.tag != "Context":
        return None
    return ContextConfig(path, root.line, root.attrs)


@dataclass
class HostConfig:
    name: str
    app_base: str
    line: int
    attrs: dict[str, str]
    contexts: list[ContextConfig] = field(default_factory=list)  # <Context> inside the Host


@dataclass
class ClusterConfig:
    """A `<Cluster>` and the parts Tomcat reads from it (exact-case elements only)."""

    parent: str  # "Engine" or "Host"
    class_name: str | None
    attrs: dict[str, str]
    line: int
    manager: Component | None
    channel: Component | None
    membership: Component | None
    receiver: Component | None
    sender: Component | None
    transport: Component | None
    interceptors: list[Component]
    valves: list[Component]
    listeners: list[Component]  # ClusterListener elements
    deployer: Component | None
    host: str | None = None  # the Host's name when parent == "Host"
    # static <Member>s, of the Membership and of interceptors, and interceptors' <LocalMember>s
    members: list[Component] = field(default_factory=list)
    local_member: Component | None = None  # the Membership's <LocalMember>
    # a later <Cluster> of the same Engine or Host replaces this one before anything starts
    # (the container's setCluster keeps the last): Tomcat never starts it
    replaced: bool = False


@dataclass
class ServerXml:
    path: str
    ok: bool  # False when nothing usable could be parsed
    engine_name: str | None
    default_host: str | None
    jvm_route: str | None  # None when absent or empty (Tomcat then appends no route)
    jvm_route_line: int | None  # the <Engine> line, where the attribute is or belongs
    connectors: list[Connector]
    hosts: list[HostConfig]
    clusters: list[ClusterConfig]  # usually 0 or 1; in Engine or in a Host
    root: XmlElement | None  # the whole tree (attributes substituted), for element checks
    unresolved: list[tuple[str, int]]  # ${name} left verbatim, with line
    problems: list[Problem]
    comments: list[tuple[str, int]] = field(default_factory=list)
    port_offset: int = 0  # Server portOffset (9.0.13+), already in each Connector.effective_port
    # `${name:-default}` as written: Tomcat before 9.0.35 / 8.5.55 / 7.0.104 leaves it verbatim
    default_syntax: list[tuple[str, int]] = field(default_factory=list)

    @property
    def cluster(self) -> ClusterConfig | None:
        """The first cluster."""
        return self.clusters[0] if self.clusters else None

    @property
    def ajp_connectors(self) -> list[Connector]:
        return [c for c in self.connectors if c.is_ajp]


# --------------------------------------------------------------------------- extraction

_SECRET_ATTRS = ("secret", "requiredSecret", "request.secret")
_SECRET_SETTERS = frozenset(map(capitalize, _SECRET_ATTRS))
_NO_ELEMENT = XmlElement("", {}, 0, "")  # stands in for a missing <Channel>


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _component(element: XmlElement | None) -> Component | None:
    if element is None:
        return None
    return Component(
        element.tag, element.attrs.get("className"), element.attrs, element.line, element.path
    )


def _components(elements: list[XmlElement]) -> list[Component]:
    return [c for c in map(_component, elements) if c is not None]


def _connector(element: XmlElement, port_offset: int, service: XmlElement) -> Connector:
    attrs = element.attrs
    protocol = attrs.get("protocol", "HTTP/1.1")
    # Tomcat applies attributes in document order, and each of these sets the one secret; it
    # finds a setter by the name with its first letter upper-cased (`Secret=` sets the secret).
    secret_attr = next((a for a in reversed(attrs) if capitalize(a) in _SECRET_SETTERS), None)
    required = property_value(attrs, "secretRequired")
    port = _int(attrs.get("port"))
    return Connector(
        port=port,
        protocol=protocol,
        address=attrs.get("address"),
        secret=attrs[secret_attr] if secret_attr else None,
        secret_required=None if required is None else required.lower() == "true",
        is_ajp=is_ajp_protocol(protocol),
        line=element.line,
        attrs=attrs,
        secret_attr=secret_attr,
        effective_port=None if port is None else port + port_offset,
        executor=_component(_executor(element, service)),
    )


def _executor(connector: XmlElement, service: XmlElement) -> XmlElement | None:
    """ConnectorCreateRule: `executor` (exactly so) names one of the Service's Executors, the
    first of that name among those above the Connector (Tomcat adds each as it reads it)."""
    name = connector.attrs.get("executor")
    if name is None:
        return None
    for child in service.children:
        if child is connector:
            return None
        if child.tag == "Executor" and property_value(child.attrs, "name") == name:
            return child
    return None


def _cluster(element: XmlElement, parent: XmlElement) -> ClusterConfig:
    siblings = parent.find_all("Cluster")
    channel = element.find("Channel")
    inside = channel if channel is not None else _NO_ELEMENT
    membership, sender = inside.find("Membership"), inside.find("Sender")
    interceptors = inside.find_all("Interceptor")
    members = [
        m
        for owner in [membership, *interceptors]
        if owner is not None
        for m in owner.find_all("Member") + owner.find_all("LocalMember")
        if owner is not membership or m.tag == "Member"
    ]
    return ClusterConfig(
        parent=parent.tag,
        class_name=element.attrs.get("className"),
        attrs=element.attrs,
        line=element.line,
        manager=_component(element.find("Manager")),
        channel=_component(channel),
        membership=_component(membership),
        receiver=_component(inside.find("Receiver")),
        sender=_component(sender),
        transport=_component(sender.find("Transport") if sender is not None else None),
        interceptors=_components(interceptors),
        valves=_components(element.find_all("Valve")),
        listeners=_components(element.find_all("ClusterListener")),
        deployer=_component(element.find("Deployer")),
        host=parent.attrs.get("name") if parent.tag == "Host" else None,
        members=_components(members),
        local_member=_component(membership.find("LocalMember") if membership is not None else None),
        replaced=element is not siblings[-1],
    )


def _engines(server: XmlElement) -> list[XmlElement]:
    return [e for service in server.find_all("Service") for e in service.find_all("Engine")]


def parse_server_xml(
    data: bytes,
    path: str,
    properties: Mapping[str, str] | None = None,
    limits: XmlLimits = XmlLimits(),
) -> ServerXml:
    """server.xml as Tomcat's Digester sees it, `${...}` substituted from `properties`
    (catalina.properties merged with -D system properties). The first Engine gives the engine
    facts; connectors, hosts and clusters come from every Service."""
    doc = read_xml(data, path, limits)
    result = ServerXml(
        path, False, None, None, None, None, [], [], [], doc.root, [], doc.problems, doc.comments
    )
    root = doc.root
    if root is None:
        return result
    _substitute_tree(root, properties or {}, result, limits)
    if root.tag != "Server":
        result.problems.append(
            Problem(
                path,
                root.line,
                f"the root element is <{root.tag}>, "
                "not <Server>: Tomcat finds no configuration in it",
                Kind.REFUSES_TO_START,  # no Server is made: "Server instance is not configured"
            )
        )
        return result
    result.ok = True
    result.port_offset = _int(root.attrs.get("portOffset")) or 0
    result.connectors = [
        _connector(c, result.port_offset, s)
        for s in root.find_all("Service")
        for c in s.find_all("Connector")
    ]
    engines = _engines(root)
    if engines:
        engine = engines[0]
        result.engine_name = engine.attrs.get("name")
        result.default_host = engine.attrs.get("defaultHost")
        result.jvm_route = engine.attrs.get("jvmRoute") or None
        result.jvm_route_line = engine.line
    for engine in engines:
        hosts = engine.find_all("Host")
        result.hosts += [
            HostConfig(
                h.attrs.get("name", ""),
                h.attrs.get("appBase", "webapps"),
                h.line,
                h.attrs,
                [ContextConfig(path, c.line, c.attrs) for c in h.find_all("Context")],
            )
            for h in hosts
        ]
        result.clusters += [_cluster(c, engine) for c in engine.find_all("Cluster")]
        result.clusters += [_cluster(c, h) for h in hosts for c in h.find_all("Cluster")]
    return result
