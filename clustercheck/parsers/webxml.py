"""A web application's WEB-INF/web.xml (or Tomcat's conf/web.xml, the defaults of every
application): does it say `<distributable/>` where Tomcat looks, and what its `<session-config>`
names the session cookie and how it tracks sessions.

Tomcat's web.xml digester matches `web-app/distributable` by local name (any namespace, any
prefix), case-sensitively, and ignores everything else without a word (it does not validate
rules). So a miscased, misplaced or commented-out `<distributable/>` is recorded as ignored, with
its line and why, for the check to explain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from clustercheck.knowledge.tomcat import TRACKING_MODES
from clustercheck.parsers.serverxml import XmlElement, read_xml
from clustercheck.parsers.text import Kind, Problem

T = TypeVar("T")

ROOTS = ("web-app", "web-fragment")
_COMMENTED = re.compile(r"<\s*distributable\b[^>]*>", re.I)


@dataclass(frozen=True)
class Written(Generic[T]):
    """A value as the descriptor sets it, and the line of the element that sets it."""

    value: T
    line: int


@dataclass(frozen=True)
class SessionConfig:
    """What `<session-config>` sets, as Tomcat's WebRuleSet reads it (None: not set, so the
    defaults of conf/web.xml, then Tomcat's, apply)."""

    line: int
    cookie_name: Written[str] | None = None  # <cookie-config><name>; the last one wins
    tracking_modes: Written[frozenset[str]] | None = None  # every <tracking-mode>: the first's line


@dataclass
class WebXml:
    path: str
    ok: bool
    distributable: bool
    line: int | None  # the <distributable/> that counts
    ignored: list[tuple[str, int, str]]  # (as written, line, why Tomcat ignores it)
    metadata_complete: bool
    problems: list[Problem]
    root: str | None = None  # "web-app", or "web-fragment" for a web-fragment.xml
    version: str | None = None  # the Servlet version the descriptor declares
    root_line: int | None = None  # of <web-app>
    namespace: str | None = None  # of the root element (Java EE or Jakarta EE schemas)
    public_id: str | None = None  # of its DOCTYPE (web.xml 2.2 and 2.3)
    session: SessionConfig | None = None  # None: no <session-config>


def _local(tag: str) -> str:
    return tag.rpartition(":")[2]


def _counted(top: XmlElement) -> list[XmlElement]:
    """The `<distributable/>` elements Tomcat reads: direct children of the root, by local name
    (its digester ignores namespaces and prefixes), case-sensitively."""
    if _local(top.tag) not in ROOTS:
        return []
    return [c for c in top.children if _local(c.tag) == "distributable"]


def _ignored_elements(
    roots: list[XmlElement], counted: list[XmlElement]
) -> list[tuple[str, int, str]]:
    """Every distributable-like element that is not one Tomcat reads."""
    found = []
    for top in roots:
        for element in top.iter():
            name = _local(element.tag)
            if name.lower() != "distributable" or any(element is c for c in counted):
                continue
            if name != "distributable":
                why = "element names are case-sensitive: Tomcat only reads <distributable/>"
            elif element is top:
                why = "it is not inside <web-app>"
            else:
                parent = element.path.split("/")[-2]
                why = f"it is inside <{parent}>, not a direct child of <web-app>"
            found.append((f"<{element.tag}>", element.line, why))
    return found


def _commented(comments: list[tuple[str, int]]) -> list[tuple[str, int, str]]:
    found = []
    for text, line in comments:
        for m in _COMMENTED.finditer(text):
            at = line + text.count("\n", 0, m.start())
            found.append((m.group(0), at, "it is commented out"))
    return found


def _children(element: XmlElement, name: str) -> list[XmlElement]:
    """Direct children by local name, case-sensitively (as Tomcat's digester matches)."""
    return [c for c in element.children if _local(c.tag) == name]


def _session_config(top: XmlElement, path: str, problems: list[Problem]) -> SessionConfig | None:
    """The first `<session-config>` (a second one makes Tomcat refuse the whole descriptor,
    WebRuleSet SetSessionConfig), its cookie name (an empty one is no name: SessionConfig
    ignores it) and its tracking modes (SessionTrackingMode.valueOf: exact capitals)."""
    found = _children(top, "session-config")
    if not found:
        return None
    for extra in found[1:]:
        problems.append(
            Problem(
                path,
                extra.line,
                f"a second <session-config> (the first is at line {found[0].line}): Tomcat "
                'refuses the descriptor ("element is limited to 1 occurrence") and does not '
                "deploy the application",
                Kind.REFUSES_TO_START,
            )
        )
    config = found[0]
    names = [n for c in _children(config, "cookie-config") for n in _children(c, "name")]
    name = names[-1] if names and names[-1].text else None
    modes = _children(config, "tracking-mode")
    for mode in modes:
        if mode.text not in TRACKING_MODES:
            problems.append(
                Problem(
                    path,
                    mode.line,
                    f"<tracking-mode>{mode.text}</tracking-mode> is not COOKIE, URL or SSL (in "
                    "capitals): Tomcat refuses the descriptor and does not deploy the application",
                    Kind.REFUSES_TO_START,
                )
            )
    return SessionConfig(
        config.line,
        Written(name.text, name.line) if name else None,
        Written(frozenset(m.text for m in modes), modes[0].line) if modes else None,
    )


def parse_web_xml(data: bytes, path: str) -> WebXml:
    """Whether Tomcat makes this application distributable, and every near miss; its session
    configuration."""
    doc = read_xml(data, path)
    result = WebXml(path, False, False, None, [], False, doc.problems)
    top = doc.root
    if top is None:
        return result
    if _local(top.tag) not in ROOTS:
        result.problems.append(
            Problem(
                path,
                top.line,
                f"the root element is <{top.tag}>, not "
                "<web-app>: this is not a deployment descriptor",
                # Tomcat's web.xml rules all start at web-app: it reads nothing from the file
                Kind.MEANS_SOMETHING_ELSE,
            )
        )
    else:
        result.ok = True
        result.root = _local(top.tag)
        result.version = top.attrs.get("version")
        result.root_line = top.line
        prefix, _, _ = top.tag.rpartition(":")
        result.namespace = top.attrs.get(f"xmlns:{prefix}" if prefix else "xmlns")
        result.public_id = doc.public_id
        result.metadata_complete = top.attrs.get("metadata-complete") == "true"
        result.session = _session_config(top, path, result.problems)
    counted = _counted(top)
    result.distributable = bool(counted)
    result.line = counted[0].line if counted else None
    ignored = _ignored_elements(doc.roots, counted) + _commented(doc.comments)
    result.ignored = sorted(ignored, key=lambda item: item[1])
    return result
