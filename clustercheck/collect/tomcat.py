"""Gathers one Tomcat instance: server.xml (with its ${...} properties), version, webapps."""

from __future__ import annotations

from clustercheck.collect.reader import NodeReader
from clustercheck.collect.transports.base import DirEntry
from clustercheck.facts.files import TomcatFacts, Webapp
from clustercheck.inventory.settings import TomcatSettings
from clustercheck.knowledge.classes import property_value
from clustercheck.knowledge.servlet import (
    LEGACY_APP_BASE_DEFAULT,
    ServletApi,
    converts_legacy_apps,
    descriptor_api,
)
from clustercheck.parsers.properties import load_java_properties, parse_server_info
from clustercheck.parsers.serverxml import (
    ContextConfig,
    HostConfig,
    context_config,
    parse_server_xml,
    read_xml,
)
from clustercheck.parsers.text import decode
from clustercheck.parsers.webxml import parse_web_xml

SERVER_INFO = "org/apache/catalina/util/ServerInfo.properties"
WEB_XML = "WEB-INF/web.xml"
CONTEXT_XML = "META-INF/context.xml"
# What every application starts from (ContextConfig: Constants.DefaultWebXml, DefaultContextXml
# and HostContextXml), read from CATALINA_BASE
DEFAULT_WEB_XML = "conf/web.xml"
DEFAULT_CONTEXT_XML = "conf/context.xml"
HOST_CONTEXT_XML = "context.xml.default"
# Each application costs a read (its web.xml, or its context file and then its web.xml): a
# Host with tens of thousands is judged up to this many, and CC701 says what was not
MAX_APPS_PER_HOST = 1000


def first_paths(reader: NodeReader, settings: TomcatSettings) -> list[str]:
    """The files gathering reads before any tells it more (gather_node fetches them in one
    exchange with the node's other first reads)."""
    base = settings.catalina_base or ""
    home = settings.home or base
    conf = ("conf/catalina.properties", DEFAULT_WEB_XML, DEFAULT_CONTEXT_XML, "bin/setenv.sh")
    return [
        settings.server_xml or reader.join(base, "conf/server.xml"),
        *(reader.join(base, name) for name in conf),
        reader.join(home, "bin/setenv.sh"),
    ]


def gather_tomcat(reader: NodeReader, settings: TomcatSettings) -> TomcatFacts:
    facts = gather_server(reader, settings)
    base, home = facts.catalina_base, facts.catalina_home
    facts.version, facts.version_source = _version(reader, settings, home)
    web = reader.read(reader.join(base, DEFAULT_WEB_XML))
    if web is not None:
        facts.default_web_xml = parse_web_xml(web, reader.join(base, DEFAULT_WEB_XML))
    facts.default_context = _context(reader, reader.join(base, DEFAULT_CONTEXT_XML), facts)
    facts.webapps = _webapps(reader, settings, facts)
    return facts


def gather_server(reader: NodeReader, settings: TomcatSettings) -> TomcatFacts:
    """server.xml with the properties Tomcat substitutes into it, and nothing else: what
    discovery needs of an instance (its connectors and jvmRoute)."""
    base = settings.catalina_base or ""
    home = settings.home or base
    facts = TomcatFacts(
        catalina_base=base,
        catalina_home=home,
        server_xml_path=settings.server_xml or reader.join(base, "conf/server.xml"),
    )
    facts.catalina_properties = _catalina_properties(reader, base)
    facts.properties = {
        "catalina.base": base,
        "catalina.home": home,
        **settings.system_properties,
        **facts.catalina_properties,
    }
    data = reader.read(facts.server_xml_path)
    if data is not None:
        facts.server = parse_server_xml(data, facts.server_xml_path, facts.properties)
    return facts


def _catalina_properties(reader: NodeReader, base: str) -> dict[str, str]:
    """conf/catalina.properties, which Tomcat loads with System.setProperty while it starts: for
    ${...} in server.xml it wins over a -D of the same name."""
    data = reader.read(reader.join(base, "conf/catalina.properties"))
    return load_java_properties(data) if data is not None else {}


def _version(
    reader: NodeReader, settings: TomcatSettings, home: str
) -> tuple[str | None, str | None]:
    if settings.version:
        return settings.version, "inventory"
    jar = reader.join(home, "lib/catalina.jar")
    data = reader.read_member(jar, SERVER_INFO)
    if data is None:
        return None, None
    return parse_server_info(decode(data)), f"{jar}!/{SERVER_INFO}"


def _webapps(reader: NodeReader, settings: TomcatSettings, facts: TomcatFacts) -> list[Webapp]:
    """Applications from every Host's appBase and from conf/<Engine>/<Host>/*.xml contexts."""
    server = facts.server
    hosts = list(server.hosts) if server and server.hosts else []
    if settings.appbase:
        name = hosts[0].name if hosts else "localhost"
        hosts = [HostConfig(name, settings.appbase, 0, hosts[0].attrs if hosts else {})]
    elif not hosts:
        hosts = [HostConfig("localhost", "webapps", 0, {})]
    engine = (server.engine_name if server else None) or "Catalina"
    places = [
        (
            reader.join(facts.catalina_base, host.app_base),
            reader.join(facts.catalina_base, "conf", engine, host.name),
        )
        for host in hosts
    ]
    reader.prefetch_dirs(folder for pair in places for folder in pair)
    listed = [
        (_from_app_base(reader, base_dir, facts), _context_files(reader, context_dir, facts))
        for base_dir, context_dir in places
    ]
    reader.prefetch(_host_paths(reader, places, listed))
    apps: dict[str, Webapp] = {}
    deploy_xml: dict[str, bool] = {}
    for host, (base_dir, context_dir), (found, contexts) in zip(hosts, places, listed, strict=True):
        room = max(0, MAX_APPS_PER_HOST - len(found))
        own = _read_context_files(reader, contexts[:room], facts)
        found += _from_context_files(reader, own, base_dir)
        total = len(found) + len(contexts) - min(room, len(contexts))
        if total > MAX_APPS_PER_HOST:
            facts.unjudged[base_dir] = (
                f"{total - MAX_APPS_PER_HOST} of Host {host.name}'s {total} applications and "
                f"context files, past the {MAX_APPS_PER_HOST} clustercheck reads per Host"
            )
        default = _context(reader, reader.join(context_dir, HOST_CONTEXT_XML), facts)
        if default is not None:
            facts.host_contexts[host.name] = default
        # HostConfig reads an application's META-INF/context.xml only with deployXML (default
        # true; IntrospectionUtils sets a boolean true only from "true")
        deploy = property_value(host.attrs, "deployXML")
        deploy_xml[host.name] = deploy is None or deploy.lower() == "true"
        for app in found[:MAX_APPS_PER_HOST]:
            app.host, app.context = host.name, own.get(app.name)
            apps.setdefault(app.path, app)
    for app in apps.values():
        _read_descriptors(reader, app, deploy_xml[app.host], facts)
    for host in hosts:
        javax = [a for a in apps.values() if a.host == host.name and _javax(a)]
        originals = _legacy_originals(reader, host, facts) if javax else {}
        for app in javax:
            app.converted_from = originals.get(app.name)
    return sorted(apps.values(), key=lambda a: a.name)


def _host_paths(
    reader: NodeReader,
    places: list[tuple[str, str]],
    listed: list[tuple[list[Webapp], list[str]]],
) -> list[str]:
    """What the Hosts' listings name, fetched together: the context files that will be read,
    each Host's context.xml.default, and the descriptors of the unpacked applications."""
    paths: list[str] = []
    for (_base_dir, context_dir), (found, contexts) in zip(places, listed, strict=True):
        paths += contexts[: max(0, MAX_APPS_PER_HOST - len(found))]
        paths.append(reader.join(context_dir, HOST_CONTEXT_XML))
        for app in found[:MAX_APPS_PER_HOST]:
            if app.kind == "dir":
                paths += [app.web_xml_path, reader.join(app.path, CONTEXT_XML)]
    return paths


def _listing(reader: NodeReader, folder: str, facts: TomcatFacts) -> list[DirEntry]:
    """A folder's entries; one that exists but cannot be listed is noted in the facts."""
    entries = reader.list_dir(folder)
    failure = reader.reads.get(folder)
    if entries is None and failure is not None and failure.status != "missing":
        facts.unlisted[folder] = failure.message or failure.status
    return entries or []


def _from_app_base(reader: NodeReader, base_dir: str, facts: TomcatFacts) -> list[Webapp]:
    entries = _listing(reader, base_dir, facts)
    dirs = {e.name for e in entries if e.is_dir}
    apps = [
        Webapp(name, reader.join(base_dir, name), "dir", reader.join(base_dir, name, WEB_XML))
        for name in sorted(dirs)
    ]
    for entry in entries:
        stem = entry.name[:-4]
        if not entry.is_dir and entry.name.lower().endswith(".war") and stem not in dirs:
            war = reader.join(base_dir, entry.name)
            apps.append(Webapp(stem, war, "war", f"{war}!/{WEB_XML}"))
    return apps


def _javax(app: Webapp) -> bool:
    """Whether the application's web.xml is a Java EE one (javax.servlet)."""
    web = app.web_xml
    written = descriptor_api(web.namespace, web.public_id, web.version) if web else None
    return written is not None and written[0] is ServletApi.JAVAX


def _legacy_originals(reader: NodeReader, host: HostConfig, facts: TomcatFacts) -> dict[str, str]:
    """The Java EE applications of the Host's legacyAppBase, by name: from 10.0.4 Tomcat
    converts each into the appBase under the same name (HostConfig.migrateLegacyApps), so the
    copy there runs jakarta.servlet whatever its web.xml says. Listed only for a Host with a
    Java EE application, on releases that convert: one listing, where it can change a verdict."""
    if converts_legacy_apps(facts.version) is False:
        return {}
    name = property_value(host.attrs, "legacyAppBase") or LEGACY_APP_BASE_DEFAULT
    folder = reader.join(facts.catalina_base, name)
    originals: dict[str, str] = {}
    for entry in _listing(reader, folder, facts):
        war = not entry.is_dir and entry.name.lower().endswith(".war")
        if entry.is_dir or war:
            originals.setdefault(
                entry.name[:-4] if war else entry.name, reader.join(folder, entry.name)
            )
    return originals


def _context_files(reader: NodeReader, context_dir: str, facts: TomcatFacts) -> list[str]:
    """The context descriptors of a Host (conf/<Engine>/<Host>/*.xml), by name."""
    entries = _listing(reader, context_dir, facts)
    names = sorted(e.name for e in entries if not e.is_dir and e.name.endswith(".xml"))
    return [reader.join(context_dir, name) for name in names]


def _context(reader: NodeReader, path: str, facts: TomcatFacts) -> ContextConfig | None:
    """The Context of one context file, None when there is none."""
    data = reader.read(path)
    return None if data is None else _parsed_context(data, path, facts)


def _parsed_context(data: bytes, path: str, facts: TomcatFacts) -> ContextConfig | None:
    """What its XML reader forgives, Tomcat's parser rejects (the application does not start):
    CC701 says so."""
    doc = read_xml(data, path)
    facts.problems.extend(doc.problems)
    return context_config(doc, path)


def _read_context_files(
    reader: NodeReader, paths: list[str], facts: TomcatFacts
) -> dict[str, ContextConfig]:
    """A Host's context descriptors by the application name their file name gives."""
    found = {}
    for path in paths:
        context = _context(reader, path, facts)
        if context is not None:
            found[path.rpartition("/")[2][:-4]] = context
    return found


def _from_context_files(
    reader: NodeReader, contexts: dict[str, ContextConfig], base_dir: str
) -> list[Webapp]:
    """Context descriptors deploy applications from outside the appBase through docBase."""
    apps = []
    for name, context in contexts.items():
        doc_base = context.attrs.get("docBase")
        if not doc_base:
            continue
        target = reader.join(base_dir, doc_base)
        if target.lower().endswith(".war"):
            apps.append(Webapp(name, target, "war", f"{target}!/{WEB_XML}"))
        else:
            apps.append(Webapp(name, target, "dir", reader.join(target, WEB_XML)))
    return apps


def _read_descriptors(
    reader: NodeReader, app: Webapp, deploy_xml: bool, facts: TomcatFacts
) -> None:
    """The application's web.xml, and its META-INF/context.xml when nothing in conf/ gives its
    Context and the Host reads that file."""
    wanted = (WEB_XML, CONTEXT_XML) if app.context is None and deploy_xml else (WEB_XML,)
    if app.kind == "war":
        found = reader.read_members(app.path, wanted)
        paths = {name: f"{app.path}!/{name}" for name in wanted}
    else:
        paths = {name: reader.join(app.path, name) for name in wanted}
        found = {name: reader.read(path) for name, path in paths.items()}
    context = found.get(CONTEXT_XML)
    if context is not None:
        app.context = _parsed_context(context, paths[CONTEXT_XML], facts)
    data = found[WEB_XML]
    if data is not None:
        app.web_xml = parse_web_xml(data, app.web_xml_path)
        return
    failure = reader.reads.get(app.web_xml_path)
    if failure and failure.status != "missing":
        app.error = failure.message
