"""A web application's WEB-INF/web.xml: does it say `<distributable/>` where Tomcat looks?

Tomcat's web.xml digester matches `web-app/distributable` by local name (any namespace, any
prefix), case-sensitively, and ignores everything else without a word (it does not validate
rules). So a miscased, misplaced or commented-out `<distributable/>` is recorded as ignored, with
its line and why, for the check to explain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clustercheck.parsers.serverxml import XmlElement, read_xml
from clustercheck.parsers.text import Kind, Problem

ROOTS = ("web-app", "web-fragment")
_COMMENTED = re.compile(r"<\s*distributable\b[^>]*>", re.I)


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


def parse_web_xml(data: bytes, path: str) -> WebXml:
    """Whether Tomcat makes this application distributable, and every near miss."""
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
        result.metadata_complete = top.attrs.get("metadata-complete") == "true"
    counted = _counted(top)
    result.distributable = bool(counted)
    result.line = counted[0].line if counted else None
    ignored = _ignored_elements(doc.roots, counted) + _commented(doc.comments)
    result.ignored = sorted(ignored, key=lambda item: item[1])
    return result
