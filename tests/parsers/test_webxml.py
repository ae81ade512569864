"""web.xml: the <distributable/> Tomcat reads, and every one it silently ignores."""

from __future__ import annotations

import pytest

from clustercheck.parsers.text import Kind
from clustercheck.parsers.webxml import parse_web_xml

PATH = "/opt/tomcat/webapps/shop/WEB-INF/web.xml"
NS = 'xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0"'


def web(body: str, root_attrs: str = NS) -> bytes:
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    return f"{head}\n<web-app {root_attrs}>\n{body}\n</web-app>\n".encode()


@pytest.mark.parametrize(
    ("body", "distributable", "line"),
    [
        ("<distributable/>", True, 3),
        ("<distributable />", True, 3),
        ("<distributable></distributable>", True, 3),
        ("<display-name>x</display-name>\n<distributable/>", True, 4),
        ("<distributable/>\n<distributable/>", True, 3),  # the first one is reported
        ("<display-name>x</display-name>", False, None),
        ("", False, None),
    ],
)
def test_distributable(body: str, distributable: bool, line: int | None) -> None:
    wx = parse_web_xml(web(body), PATH)
    assert wx.ok and not wx.problems and not wx.ignored
    assert (wx.distributable, wx.line) == (distributable, line)


@pytest.mark.parametrize(
    ("body", "written", "line", "why"),
    [
        ("<Distributable/>", "<Distributable>", 3, "case-sensitive"),
        ("<DISTRIBUTABLE/>", "<DISTRIBUTABLE>", 3, "case-sensitive"),
        (
            "<servlet>\n<distributable/>\n</servlet>",
            "<distributable>",
            4,
            "inside <servlet>, not a direct child of <web-app>",
        ),
        (
            "<session-config><distributable/></session-config>",
            "<distributable>",
            3,
            "inside <session-config>",
        ),
        ("<!-- <distributable/> -->", "<distributable/>", 3, "commented out"),
        ("<!--\n  keep off:\n  <distributable />\n-->", "<distributable />", 5, "commented out"),
    ],
)
def test_ignored(body: str, written: str, line: int, why: str) -> None:
    wx = parse_web_xml(web(body), PATH)
    assert wx.ok and not wx.distributable and wx.line is None
    [(as_written, at, reason)] = wx.ignored
    assert (as_written, at) == (written, line) and why in reason


def test_ignored_ones_are_listed_even_when_a_real_one_counts() -> None:
    wx = parse_web_xml(web("<Distributable/>\n<distributable/>"), PATH)
    assert wx.distributable and wx.line == 4
    assert [i[:2] for i in wx.ignored] == [("<Distributable>", 3)]


@pytest.mark.parametrize(
    "data",
    [
        b'<j:web-app xmlns:j="http://xmlns.jcp.org/xml/ns/javaee"><j:distributable/></j:web-app>',
        b'<web-app xmlns="http://java.sun.com/xml/ns/j2ee"><distributable/></web-app>',
        b"<web-app><distributable/></web-app>",  # no namespace at all (2.3 style)
        b'<j:web-app xmlns:j="urn:x"><distributable/></j:web-app>',  # matched by local name
    ],
)
def test_any_namespace_or_prefix(data: bytes) -> None:
    wx = parse_web_xml(data, PATH)
    assert wx.distributable and wx.root == "web-app"


def test_servlet_23_doctype_is_not_fetched() -> None:
    data = (
        b'<!DOCTYPE web-app PUBLIC "-//Sun Microsystems, Inc.//DTD Web Application 2.3//EN"\r\n'
        b' "http://127.0.0.1:9/web-app_2_3.dtd">\r\n<web-app>\r\n<distributable/>\r\n'
        b"</web-app>\r\n"
    )
    wx = parse_web_xml(data, PATH)
    assert wx.distributable and wx.line == 4 and not wx.problems


@pytest.mark.parametrize(
    ("attrs", "complete", "version"),
    [
        (NS + ' metadata-complete="true"', True, "6.0"),
        (NS + ' metadata-complete="false"', False, "6.0"),
        (NS + ' metadata-complete="TRUE"', False, "6.0"),  # Tomcat compares with "true" exactly
        ("", False, None),
    ],
)
def test_metadata_complete_and_version(attrs: str, complete: bool, version: str | None) -> None:
    wx = parse_web_xml(web("", attrs), PATH)
    assert (wx.metadata_complete, wx.version) == (complete, version)


def test_web_fragment() -> None:
    wx = parse_web_xml(b"<web-fragment><distributable/></web-fragment>", PATH)
    assert wx.ok and wx.distributable and wx.root == "web-fragment"


def test_seed_fragment_in_a_web_app_is_read_tolerantly() -> None:
    # The seed how-to's web.xml lines: `<display -name>` is not well-formed XML.
    data = web("<display -name>Tomcat</display>\n   <distributable />  ##在两者之间加入这句")
    wx = parse_web_xml(data, PATH)
    assert wx.ok and wx.distributable and wx.line == 4
    [problem] = wx.problems
    assert problem.line == 3 and "not well-formed" in problem.message


def test_seed_fragment_alone_has_no_web_app() -> None:
    data = "<display -name>Tomcat</display>\n<distributable />  ##在两者之间加入这句\n</web-app>"
    wx = parse_web_xml(data.encode(), PATH)
    assert not wx.ok and not wx.distributable
    assert ("<distributable>", 2, "it is not inside <web-app>") in wx.ignored


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "no XML element found"),
        (b"<beans><distributable/></beans>", "the root element is <beans>"),
        (b'<!DOCTYPE w [<!ENTITY x "y">]><web-app/>', "entity declarations are not allowed"),
    ],
)
def test_not_a_descriptor(data: bytes, message: str) -> None:
    wx = parse_web_xml(data, PATH)
    assert not wx.ok and not wx.distributable
    assert message in wx.problems[-1].message


def test_latin1_declared_and_crlf() -> None:
    data = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\r\n<web-app>\r\n'
        "<description>Café</description>\r\n<distributable/>\r\n</web-app>"
    ).encode("latin-1")
    wx = parse_web_xml(data, PATH)
    assert wx.distributable and wx.line == 4 and not wx.problems


# ------------------------------------------------------------------------ <session-config>


@pytest.mark.parametrize(
    ("body", "name", "modes"),
    [
        ("<session-config><session-timeout>30</session-timeout></session-config>", None, None),
        (
            "<session-config>\n<cookie-config>\n<name> SHOPID </name>\n</cookie-config>\n"
            "</session-config>",
            ("SHOPID", 5),  # trimmed, as Tomcat's digester does
            None,
        ),
        (  # each <name> calls the setter: the last one wins
            "<session-config><cookie-config><name>A</name></cookie-config>\n"
            "<cookie-config><name>B</name></cookie-config></session-config>",
            ("B", 4),
            None,
        ),
        (
            "<session-config><cookie-config><name></name></cookie-config></session-config>",
            None,
            None,
        ),
        (
            "<session-config>\n<tracking-mode>COOKIE</tracking-mode>\n"
            "<tracking-mode>URL</tracking-mode>\n</session-config>",
            None,
            ({"COOKIE", "URL"}, 4),
        ),
        (  # Tomcat matches elements by local name, whatever the prefix
            '<j:session-config xmlns:j="urn:x"><j:tracking-mode>URL</j:tracking-mode>'
            "</j:session-config>",
            None,
            ({"URL"}, 3),
        ),
    ],
)
def test_session_config(
    body: str, name: tuple[str, int] | None, modes: tuple[set[str], int] | None
) -> None:
    wx = parse_web_xml(web(body), PATH)
    assert not wx.problems and wx.session is not None
    cookie, tracking = wx.session.cookie_name, wx.session.tracking_modes
    assert ((cookie.value, cookie.line) if cookie else None) == name
    assert ((set(tracking.value), tracking.line) if tracking else None) == modes


@pytest.mark.parametrize(
    "body",
    [
        "<distributable/>",
        # not a child of <web-app>: no rule of Tomcat's reads it
        "<servlet><session-config><tracking-mode>URL</tracking-mode></session-config></servlet>",
        "<Session-config><tracking-mode>URL</tracking-mode></Session-config>",
    ],
)
def test_no_session_config(body: str) -> None:
    assert parse_web_xml(web(body), PATH).session is None


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        (
            "<session-config/>\n<session-config/>",
            4,
            "a second <session-config> (the first is at line 3)",
        ),
        (
            "<session-config>\n<tracking-mode>cookie</tracking-mode>\n</session-config>",
            4,
            "<tracking-mode>cookie</tracking-mode> is not COOKIE, URL or SSL",
        ),
    ],
)
def test_session_config_tomcat_refuses(body: str, line: int, message: str) -> None:
    wx = parse_web_xml(web(body), PATH)
    [problem] = wx.problems
    assert (problem.line, problem.kind) == (line, Kind.REFUSES_TO_START)
    assert message in problem.message and "does not deploy the application" in problem.message
