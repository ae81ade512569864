"""Facts read from a node's files: re-derivable from a snapshot's file tree by parsing it again,
so a snapshot records the files, not these records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clustercheck.parsers.httpd import Directive, JkSettings, Mount
    from clustercheck.parsers.httpd_eval import HttpdStartup, LoadedModule
    from clustercheck.parsers.httpd_module import ModuleFile
    from clustercheck.parsers.httpd_mpm import MpmSettings
    from clustercheck.parsers.proxy import ProxySettings
    from clustercheck.parsers.serverxml import ContextConfig, ServerXml
    from clustercheck.parsers.text import Problem
    from clustercheck.parsers.webxml import WebXml
    from clustercheck.parsers.workers import WorkersFile


@dataclass(frozen=True)
class FileRead:
    """One attempt to read a file on a node; `status` is ok or a FileReadError kind."""

    path: str
    status: str
    message: str | None = None
    size: int | None = None


@dataclass
class ApacheFacts:
    """httpd on this node, and the balancing modules in it (mod_jk, mod_proxy) as it sees
    them."""

    jk_conf: str | None = None
    server_root: str | None = None
    httpd_conf: str | None = None  # httpd's main file, when the inventory names it
    httpd_version: str | None = None  # e.g. "2.4.57": the inventory's, or `httpd -v` live
    startup: HttpdStartup | None = None  # what httpd was taken to know before its first line
    files_read: list[str] = field(default_factory=list)  # httpd's files read, in order
    # what httpd keeps of them, in order (Includes followed; with httpd_conf, evaluated)
    directives: list[Directive] = field(default_factory=list)
    found: dict[str, bool] = field(default_factory=dict)  # what <IfFile> found, by path
    # with httpd_conf: the modules httpd has (linked in, LoadModule'd) and its MPM's settings
    modules: dict[str, LoadedModule] = field(default_factory=dict)
    mpm: MpmSettings | None = None
    # the connector modules LoadModule'd (mod_jk, mod_proxy_ajp), with what their files tell
    module_files: dict[str, ModuleFile] = field(default_factory=dict)
    proxy: ProxySettings | None = None  # mod_proxy's directives; None when httpd.conf was not read
    jk: JkSettings | None = None
    workers: WorkersFile | None = None  # with mod_jk's defaults applied
    mounts: list[Mount] = field(default_factory=list)  # JkMount and uriworkermap rules
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Webapp:
    """A deployed web application and its descriptor."""

    name: str
    path: str  # directory or WAR on the node
    kind: str  # dir | war
    web_xml_path: str  # e.g. /opt/tomcat/webapps/shop.war!/WEB-INF/web.xml
    web_xml: WebXml | None = None  # None when the application has no web.xml
    error: str | None = None  # why the descriptor could not be read
    host: str = "localhost"  # the Host that deploys it
    # its own <Context>: conf/<Engine>/<Host>/NAME.xml, else its META-INF/context.xml (when the
    # Host's deployXML allows); None when it has neither
    context: ContextConfig | None = None
    # the Java EE original in the Host's legacyAppBase that Tomcat (10.0.4+) converted into this
    # application; None when there is none
    converted_from: str | None = None


@dataclass
class TomcatFacts:
    """One Tomcat instance: its server.xml, version and webapps."""

    catalina_base: str
    catalina_home: str
    server_xml_path: str
    server: ServerXml | None = None
    version: str | None = None
    version_source: str | None = None
    properties: dict[str, str] = field(default_factory=dict)  # -D, then catalina.properties
    catalina_properties: dict[str, str] = field(default_factory=dict)  # conf/catalina.properties
    webapps: list[Webapp] = field(default_factory=list)
    # folders of applications (appBase, conf/<Engine>/<Host>) that exist but could not be
    # listed, with why: their applications are unknown, which is not "there are none"
    unlisted: dict[str, str] = field(default_factory=dict)
    # appBase folders of Hosts with more applications than clustercheck reads: how many not
    unjudged: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)  # of the context files (CC701)
    # what every application starts from: conf/web.xml, conf/context.xml, and each Host's
    # conf/<Engine>/<Host>/context.xml.default by Host name (None, absent: no such file)
    default_web_xml: WebXml | None = None
    default_context: ContextConfig | None = None
    host_contexts: dict[str, ContextConfig] = field(default_factory=dict)
