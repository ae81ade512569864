"""mod_proxy_balancer's balancer-manager page: each balancer's members with the status flags
the running httpd holds in its shared memory. Never raises.

httpd 2.4 answers `?xml=1` in XML (mod_proxy_balancer.c `balancer_display_page`), but only
when the request carries a Referer naming the server itself: without one it ignores every
parameter (AH10187, "cross-site access") and shows the HTML page. Both forms are read here: the
XML by element, the HTML by the column names of its member table. The real httpd 2.4's
pages are in tests/fixtures/balancer-runtime.
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from clustercheck.knowledge.modproxy import (
    ACTIVATION_ORDER,
    ERROR_FLAGS,
    SCHEME_PORTS,
    STATUS_WORDS,
)
from clustercheck.parsers.status_page import RuntimeBalancer, RuntimeMember, StatusPage, to_int

NS = "{http://httpd.apache.org}"


def parse_balancer_manager(text: str) -> StatusPage:
    """The balancers of the XML or the HTML page; an error when it is neither."""
    if text.lstrip().startswith("<?xml"):
        return _xml(text)
    if "<th>Worker URL</th>" in text:
        return _html(text)
    return StatusPage(error="not a balancer-manager page")


def _xml(text: str) -> StatusPage:
    try:
        root = fromstring(text)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        return StatusPage(error=f"balancer-manager XML not readable: {exc}")
    balancers = []
    for balancer in root.iter(f"{NS}balancer"):
        members = tuple(_xml_member(worker) for worker in balancer.iter(f"{NS}worker"))
        balancers.append(RuntimeBalancer(_text(balancer, "name"), members))
    return StatusPage(tuple(balancers))


def _text(element: Element, name: str) -> str:
    found = element.find(f"{NS}{name}")
    return (found.text or "").strip() if found is not None else ""


def _xml_member(worker: Element) -> RuntimeMember:
    scheme, host = _text(worker, "scheme"), _text(worker, "hostname")
    port = to_int(_text(worker, "port"))
    return _member(
        name=_text(worker, "name") or f"{scheme}://{host}",
        host=host,
        port=port,
        route=_text(worker, "route"),
        status=_text(worker, "status"),
        busy=_text(worker, "busy"),
        elected=_text(worker, "elected"),
    )


def _member(
    name: str, host: str, port: int | None, route: str, status: str, busy: str, elected: str
) -> RuntimeMember:
    """A member from its status words (`Init Dis Ok`): in error by E or C, its activation the
    strongest of the flags that keep it from taking requests (as the config's status= reads)."""
    flags = {STATUS_WORDS[word] for word in status.split() if word in STATUS_WORDS}
    activation = next((f for f in ACTIVATION_ORDER if f in flags and f != "E"), "A")
    return RuntimeMember(
        name=name,
        host=host,
        port=port,
        route=route,
        state=" ".join(status.split()),
        in_error=bool(flags & ERROR_FLAGS),
        activation=activation,
        busy=to_int(busy),
        elected=to_int(elected),
    )


class _Tables(HTMLParser):
    """The member tables of the HTML page, each after the heading naming its balancer."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.balancers: list[tuple[str, list[list[str]]]] = []
        self.heading: str | None = None
        self.row: list[str] | None = None
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "h3":
            self.heading = ""
        elif tag == "tr":
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h3" and self.heading is not None:
            name = next((w for w in self.heading.split() if w.startswith("balancer://")), "")
            self.balancers.append((name, []))
            self.heading = None
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.balancers:
                self.balancers[-1][1].append(self.row)
            self.row = None

    def handle_data(self, data: str) -> None:
        if self.heading is not None:
            self.heading += data
        if self.cell is not None:
            self.cell.append(data)


def _html(text: str) -> StatusPage:
    tables = _Tables()
    try:
        tables.feed(text)
        tables.close()
    except (AssertionError, ValueError) as exc:  # HTMLParser on broken markup
        return StatusPage(error=f"balancer-manager page not readable: {exc}")
    balancers = []
    for name, rows in tables.balancers:
        header = next((row for row in rows if "Worker URL" in row), None)
        if header is None:
            continue
        at = {column: index for index, column in enumerate(header)}
        members = tuple(
            _html_member(row, at) for row in rows[rows.index(header) + 1 :] if len(row) >= len(at)
        )
        balancers.append(RuntimeBalancer(name, members))
    return StatusPage(tuple(balancers))


def _html_member(row: list[str], at: dict[str, int]) -> RuntimeMember:
    def cell(column: str) -> str:
        return row[at[column]] if column in at else ""

    url = cell("Worker URL")
    parts = urlsplit(url)
    try:
        port = parts.port or SCHEME_PORTS.get(parts.scheme.lower())
    except ValueError:
        port = None
    return _member(
        name=url,
        host=parts.hostname or "",
        port=port,
        route=cell("Route"),
        status=cell("Status"),
        busy=cell("Busy"),
        elected=cell("Elected"),
    )
