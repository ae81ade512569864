"""How each application of a Tomcat node carries its session id: the cookie's name, the path
parameter of URL rewriting and the tracking modes, as Tomcat ends up with them after reading the
Context files and the web.xml files in its own order. Shared by the checks that hold them against
the balancer (CC203) and across nodes.

The Context's attributes come from, in the order Tomcat sets them (context.html "Defining a
context"; ContextConfig contextConfig): a `<Context>` in server.xml's Host, then conf/context.xml
and the Host's context.xml.default (skipped when the application's own Context says
override="true"), then the application's own file (conf/<Engine>/<Host>/NAME.xml, else its
META-INF/context.xml); a later file's attribute replaces an earlier one's. web.xml: the
application's `<session-config>` wins, conf/web.xml fills in what it leaves unset (WebXml merge).
What the application's code sets at run time (ServletContext.getSessionCookieConfig().setName in
a listener, a framework replacing Tomcat's sessions) is not in these files and not seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from clustercheck.derive.frontend import Seam
from clustercheck.facts.files import TomcatFacts, Webapp
from clustercheck.knowledge.classes import property_value
from clustercheck.knowledge.tomcat import (
    COOKIE,
    SESSION_COOKIE_NAME,
    SESSION_PARAMETER_NAME,
    URL,
)
from clustercheck.parsers.serverxml import ContextConfig
from clustercheck.parsers.webxml import SessionConfig, WebXml


@dataclass(frozen=True)
class AppSession:
    """One application's session id on one node, each value with what sets it."""

    app: Webapp
    context_path: str  # "/shop"; "/" for ROOT
    cookie: Seam[str]  # the session cookie's name
    parameter: Seam[str]  # the `;NAME=` path parameter URL rewriting writes
    tracking: Seam[frozenset[str]]  # COOKIE, URL, SSL

    @property
    def uses_cookie(self) -> bool:
        return COOKIE in self.tracking.value

    @property
    def uses_url(self) -> bool:
        return URL in self.tracking.value


def context_path(name: str) -> str:
    """The path Tomcat serves an application at, from its base name (ContextName): ROOT is the
    root, `##version` is no part of the path, `#` stands for `/`."""
    base = name.partition("##")[0]
    return "/" if base == "ROOT" else "/" + base.replace("#", "/")


def app_sessions(tomcat: TomcatFacts) -> list[AppSession]:
    """Every application of the node whose descriptor could be read (an unreadable one is
    CC701's to report), with its session id's names and tracking modes."""
    server_contexts = {
        (host.name, _path(context)): context
        for host in (tomcat.server.hosts if tomcat.server else [])
        for context in host.contexts
    }
    sessions = []
    for app in tomcat.webapps:
        if app.error is not None:
            continue
        path = context_path(app.name)
        layers = _layers(tomcat, app, server_contexts.get((app.host, path)))
        cookie = _cookie(layers, app.web_xml, tomcat.default_web_xml)
        if cookie.defaulted:
            parameter = Seam(SESSION_PARAMETER_NAME, "URL rewriting parameter", defaulted=True)
        else:
            parameter = cookie
        tracking = _tracking(layers, app.web_xml, tomcat.default_web_xml)
        sessions.append(AppSession(app, path, cookie, parameter, tracking))
    return sessions


def _path(context: ContextConfig) -> str:
    """A server.xml Context's path as StandardContext setPath fixes it: a leading `/` added,
    a trailing one removed."""
    path = context.attrs.get("path", "").strip("/")
    return "/" + path


def _layers(
    tomcat: TomcatFacts, app: Webapp, in_server_xml: ContextConfig | None
) -> list[ContextConfig]:
    """The Context elements that set the application's attributes, first to last."""
    own = app.context or in_server_xml
    override = property_value(own.attrs, "override") if own else None
    defaults = (
        []
        if override is not None and override.lower() == "true"
        else [
            tomcat.default_context,
            tomcat.host_contexts.get(app.host),
        ]
    )
    found = [in_server_xml, *defaults, app.context]
    return [layer for layer in found if layer is not None]


def _attribute(layers: Sequence[ContextConfig], name: str) -> Seam[str] | None:
    """The attribute as the last file that sets it writes it."""
    for layer in reversed(layers):
        value = property_value(layer.attrs, name)
        if value is not None:
            return Seam(value, f"<Context {name}>", layer.file, layer.line)
    return None


def _session_configs(app: WebXml | None, default: WebXml | None) -> list[tuple[str, SessionConfig]]:
    """The application's `<session-config>`, then conf/web.xml's, with their files."""
    return [(web.path, web.session) for web in (app, default) if web and web.session]


def _cookie(
    layers: Sequence[ContextConfig], app: WebXml | None, default: WebXml | None
) -> Seam[str]:
    """Context sessionCookieName wins, then web.xml's cookie name; an empty one counts as none
    (SessionConfig getConfiguredSessionCookieName)."""
    context = _attribute(layers, "sessionCookieName")
    if context is not None and context.value:
        return context
    for path, config in _session_configs(app, default):
        if config.cookie_name is not None:
            name = config.cookie_name
            return Seam(name.value, "<cookie-config><name>", path, name.line)
    return Seam(SESSION_COOKIE_NAME, "session cookie", defaulted=True)


def _tracking(
    layers: Sequence[ContextConfig], app: WebXml | None, default: WebXml | None
) -> Seam[frozenset[str]]:
    """web.xml's tracking modes, else URL and, unless the Context says cookies="false", COOKIE
    (ApplicationContext populateSessionTrackingModes)."""
    for path, config in _session_configs(app, default):
        if config.tracking_modes is not None:
            modes = config.tracking_modes
            return Seam(modes.value, "<tracking-mode>", path, modes.line)
    cookies = _attribute(layers, "cookies")
    if cookies is not None and cookies.value.lower() != "true":
        return Seam(frozenset({URL}), cookies.directive, cookies.file, cookies.line)
    return Seam(frozenset({COOKIE, URL}), "tracking modes", defaulted=True)
