"""derive/sessions: the session cookie name, the URL path parameter and the tracking modes of
each application, from real files gathered by the real collector, in the order Tomcat reads
them (server.xml Context, conf/context.xml, the Host's context.xml.default, the application's
own context file or META-INF/context.xml; its web.xml, then conf/web.xml)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from clusterfiles import BASE, build, tomcat_files, war

from clustercheck.collect.gather import gather
from clustercheck.derive.sessions import AppSession, app_sessions, context_path
from clustercheck.inventory.loader import load_inventory

CONTEXT_XML = f"{BASE}/conf/context.xml"
HOST_DEFAULT = f"{BASE}/conf/Catalina/localhost/context.xml.default"
SHOP_XML = f"{BASE}/conf/Catalina/localhost/shop.xml"
META_INF = f"{BASE}/webapps/shop/META-INF/context.xml"
SHOP_WEB = f"{BASE}/webapps/shop/WEB-INF/web.xml"
CONF_WEB = f"{BASE}/conf/web.xml"
SERVER_XML = f"{BASE}/conf/server.xml"


def context(attrs: str) -> str:
    return f"<Context {attrs}/>\n"


def web(session_config: str) -> str:
    return (
        '<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">\n'
        f"<distributable/>\n<session-config>{session_config}</session-config>\n</web-app>\n"
    )


def name(value: str) -> str:
    return web(f"<cookie-config><name>{value}</name></cookie-config>")


def sessions(
    tmp: Path, files: Mapping[str, str | bytes], host: str = "", in_host: str = ""
) -> dict[str, AppSession]:
    """The applications of one node whose files are the defaults plus `files`; `host` adds
    attributes to the Host, `in_host` elements inside it."""
    node = tomcat_files("tomcat01")
    server = node[f"{BASE}/conf/server.xml"]
    assert isinstance(server, str)
    node[SERVER_XML] = server.replace(
        '<Host name="localhost" appBase="webapps"/>',
        f'<Host name="localhost" appBase="webapps"{host}>{in_host}</Host>',
    )
    node.update(files)
    inventory = build(
        tmp, {"tomcat01": {"host": "10.0.0.11", "roles": ["tomcat"]}}, {"tomcat01": node}
    )
    tomcat = gather(load_inventory(inventory)).nodes["tomcat01"].tomcat
    assert tomcat is not None
    return {s.app.name: s for s in app_sessions(tomcat)}


IN_SERVER_XML = '<Context path="/shop" docBase="shop" sessionCookieName="FROM_SERVER_XML"/>'


@pytest.mark.parametrize(
    ("files", "in_host", "host", "cookie", "where"),
    [
        ({}, "", "", "JSESSIONID", None),
        ({CONF_WEB: name("FROM_CONF_WEB")}, "", "", "FROM_CONF_WEB", (CONF_WEB, 3)),
        (  # the application's web.xml wins over conf/web.xml
            {CONF_WEB: name("FROM_CONF_WEB"), SHOP_WEB: name("FROM_APP")},
            "",
            "",
            "FROM_APP",
            (SHOP_WEB, 3),
        ),
        (  # any Context sessionCookieName wins over web.xml
            {SHOP_WEB: name("FROM_APP"), CONTEXT_XML: context('sessionCookieName="FROM_CONF"')},
            "",
            "",
            "FROM_CONF",
            (CONTEXT_XML, 1),
        ),
        ({}, IN_SERVER_XML, "", "FROM_SERVER_XML", (SERVER_XML, 13)),
        (  # the default Context overwrites a server.xml Context (context.html)...
            {CONTEXT_XML: context('sessionCookieName="FROM_CONF"')},
            IN_SERVER_XML,
            "",
            "FROM_CONF",
            (CONTEXT_XML, 1),
        ),
        (  # ...unless that one says override="true"
            {CONTEXT_XML: context('sessionCookieName="FROM_CONF"')},
            IN_SERVER_XML.replace("/>", ' override="true"/>'),
            "",
            "FROM_SERVER_XML",
            (SERVER_XML, 13),
        ),
        (  # the Host's default comes after conf/context.xml
            {
                CONTEXT_XML: context('sessionCookieName="FROM_CONF"'),
                HOST_DEFAULT: context('sessionCookieName="FROM_HOST"'),
            },
            "",
            "",
            "FROM_HOST",
            (HOST_DEFAULT, 1),
        ),
        (  # the application's META-INF/context.xml comes last
            {
                CONTEXT_XML: context('sessionCookieName="FROM_CONF"'),
                META_INF: context('sessionCookieName="FROM_META_INF"'),
            },
            "",
            "",
            "FROM_META_INF",
            (META_INF, 1),
        ),
        (  # conf/<Engine>/<Host>/NAME.xml is read instead of META-INF/context.xml
            {
                SHOP_XML: context('sessionCookieName="FROM_HOST_CONF"'),
                META_INF: context('sessionCookieName="FROM_META_INF"'),
            },
            "",
            "",
            "FROM_HOST_CONF",
            (SHOP_XML, 1),
        ),
        (  # a Host with deployXML="false" does not read META-INF/context.xml
            {META_INF: context('sessionCookieName="FROM_META_INF"')},
            "",
            ' deployXML="false"',
            "JSESSIONID",
            None,
        ),
        (  # an empty name set last is no name: web.xml's applies
            {
                CONTEXT_XML: context('sessionCookieName="FROM_CONF"'),
                SHOP_XML: context('sessionCookieName=""'),
                SHOP_WEB: name("FROM_APP"),
            },
            "",
            "",
            "FROM_APP",
            (SHOP_WEB, 3),
        ),
        (  # Tomcat's setter lookup also takes a capital first letter
            {SHOP_XML: context('SessionCookieName="CAPITAL"')},
            "",
            "",
            "CAPITAL",
            (SHOP_XML, 1),
        ),
    ],
)
def test_cookie_name(
    tmp_path: Path,
    files: Mapping[str, str],
    in_host: str,
    host: str,
    cookie: str,
    where: tuple[str, int] | None,
) -> None:
    shop = sessions(tmp_path, files, host, in_host)["shop"]
    assert shop.cookie.value == cookie
    assert ((shop.cookie.file, shop.cookie.line) if where else None) == where
    assert shop.cookie.defaulted is (where is None)
    # URL rewriting writes ;jsessionid=, or the configured name
    assert shop.parameter.value == ("jsessionid" if where is None else cookie)


@pytest.mark.parametrize(
    ("files", "modes", "where"),
    [
        ({}, {"COOKIE", "URL"}, None),
        ({SHOP_XML: context('cookies="false"')}, {"URL"}, (SHOP_XML, 1)),
        ({SHOP_XML: context('cookies="no"')}, {"URL"}, (SHOP_XML, 1)),  # only "true" is true
        ({SHOP_XML: context('cookies="TRUE"')}, {"COOKIE", "URL"}, None),
        ({CONF_WEB: web("<tracking-mode>COOKIE</tracking-mode>")}, {"COOKIE"}, (CONF_WEB, 3)),
        (
            {
                CONF_WEB: web("<tracking-mode>COOKIE</tracking-mode>"),
                SHOP_WEB: web("<tracking-mode>URL</tracking-mode>"),
            },
            {"URL"},
            (SHOP_WEB, 3),
        ),
    ],
)
def test_tracking_modes(
    tmp_path: Path, files: Mapping[str, str], modes: set[str], where: tuple[str, int] | None
) -> None:
    shop = sessions(tmp_path, files)["shop"]
    assert shop.tracking.value == modes
    assert ((shop.tracking.file, shop.tracking.line) if where else None) == where
    assert (shop.uses_cookie, shop.uses_url) == ("COOKIE" in modes, "URL" in modes)


def test_a_war_context_is_read_with_its_web_xml(tmp_path: Path) -> None:
    """Both descriptors of a WAR come out of one read of its central directory."""
    app = war(
        {
            "WEB-INF/web.xml": name("FROM_WAR_WEB"),
            "META-INF/context.xml": context('cookies="false"'),
        }
    )
    found = sessions(tmp_path, {f"{BASE}/webapps/cart.war": app})["cart"]
    assert found.cookie.value == "FROM_WAR_WEB"
    assert found.cookie.file == f"{BASE}/webapps/cart.war!/WEB-INF/web.xml"
    assert (found.tracking.value, found.tracking.file) == (
        {"URL"},
        f"{BASE}/webapps/cart.war!/META-INF/context.xml",
    )


def test_a_context_file_without_docbase_configures_the_app_base_application(
    tmp_path: Path,
) -> None:
    found = sessions(tmp_path, {SHOP_XML: context('sessionCookieName="X"')})
    assert list(found) == ["shop"] and found["shop"].cookie.value == "X"


def test_an_unreadable_web_xml_is_left_out(tmp_path: Path) -> None:
    assert "broken" not in sessions(tmp_path, {f"{BASE}/webapps/broken.war": b"not a zip"})


@pytest.mark.parametrize(
    ("name", "path"),
    [("ROOT", "/"), ("shop", "/shop"), ("foo#bar", "/foo/bar"), ("shop##42", "/shop")],
)
def test_context_path(name: str, path: str) -> None:
    assert context_path(name) == path
