"""CC704 servlet-namespace."""

from __future__ import annotations

from collections.abc import Iterator

from clustercheck.checks.common import unreadable_descriptor
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, errored, failed, passed, skipped, warned
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.facts.files import TomcatFacts, Webapp
from clustercheck.knowledge.classes import property_value
from clustercheck.knowledge.servlet import (
    LEGACY_APP_BASE_DEFAULT,
    ServletApi,
    converts_legacy_apps,
    descriptor_api,
    tomcat_api,
)
from clustercheck.knowledge.tomcat import TOMCAT_ADMIN_APPS


@check("CC704", "servlet-namespace", scope=Scope.NODE, roles=("tomcat",))
def servlet_namespace(node: NodeFacts, cluster: ClusterFacts) -> Iterator[Finding]:
    """Each web application is written for the Servlet API its Tomcat implements: javax.servlet
    up to Tomcat 9, jakarta.servlet from Tomcat 10.

    Reads each application's WEB-INF/web.xml (unpacked or inside its WAR): a Java EE descriptor
    (namespace http://java.sun.com/xml/ns/j2ee or javaee, http://xmlns.jcp.org/xml/ns/javaee, or
    the DTD of web.xml 2.2/2.3: Servlet 2.2 to 4.0) means javax.servlet, a Jakarta EE one
    (https://jakarta.ee/xml/ns/jakartaee: Servlet 5.0 and later) jakarta.servlet. The
    descriptor stands for the classes: a Java EE descriptor on Tomcat 10 or later warns (a
    hand-migrated application may have kept its old descriptor, which Tomcat still reads), a
    Jakarta EE one on Tomcat 9 or earlier fails. An application Tomcat (10.0.4 and later)
    converted from the Host's legacyAppBase (a Java EE original of the same name there) runs
    jakarta.servlet with its old descriptor kept, and passes. An application without a web.xml,
    or whose web.xml names neither schema, is not judged. With `--target-tomcat 10.1` this is the
    javax/jakarta wall of the upgrade, application by application.

    ## Why it matters
    Tomcat 10 renamed the Servlet API from javax.servlet to jakarta.servlet. An application
    compiled against the other one does not run: its servlets and filters fail to load
    (ClassNotFoundException, NoClassDefFoundError: javax/servlet/http/HttpServlet), the context
    fails to start or answers 404 and 500, and in a cluster the nodes on either side of the wall
    cannot share its sessions. Nothing in the configuration files changes, so the upgrade looks
    done until the first request.

    ## How to fix
    For Tomcat 10 and later, migrate the application to jakarta.servlet: rebuild it against the
    Jakarta EE APIs, or convert the built WAR with the Apache Tomcat migration tool for Jakarta
    EE (`bin/migrate.sh app.war app-jakarta.war`), or, from Tomcat 10.0.4, drop the Java EE WAR
    into the Host's legacyAppBase (`webapps-javaee` by default), which converts it into the
    appBase and deploys it. For Tomcat 9 and earlier, deploy the application's javax build, or
    move the node to Tomcat 10.1 or later first. Tomcat's own applications (manager, docs)
    are replaced by those of the new release.
    """
    tomcat = node.tomcat
    assert tomcat is not None
    if tomcat.version is None:
        yield errored(
            "Tomcat version unknown: set tomcat.version in the inventory (CC302 says why it "
            "could not be read)"
        )
        return
    runs = tomcat_api(tomcat.version)
    if runs is None:
        yield skipped(f"Tomcat {tomcat.version}: its Servlet API (javax or jakarta) is not known")
        return
    if not tomcat.webapps:
        yield skipped("no web application found in the appBase")
    for app in tomcat.webapps:
        yield _judge(app, tomcat, runs)


def _judge(app: Webapp, tomcat: TomcatFacts, runs: ServletApi) -> Finding:
    web = app.web_xml
    details = {"webapp": app.name, "tomcat_api": runs.value}
    if app.error:
        return unreadable_descriptor(app, details)
    if web is None or not web.ok:
        said = "has no WEB-INF/web.xml" if web is None else "has no <web-app> descriptor"
        return skipped(
            f"{app.name} {said}: the Servlet API it is written for is not known",
            file=app.web_xml_path,
            details=details,
        )
    written = descriptor_api(web.namespace, web.public_id, web.version)
    where = {"file": web.path, "line": web.root_line, "details": details}
    if written is None:
        return skipped(
            f"{app.name}: its web.xml names neither a Java EE nor a Jakarta EE schema: the "
            "Servlet API it is written for is not known",
            **where,
        )
    api, descriptor = written
    details.update(app_api=api.value, descriptor=descriptor)
    said = f"{app.name}: its web.xml is written for {api.value} ({descriptor} descriptor)"
    version = tomcat.version
    if api is runs:
        return passed(f"{said}, as Tomcat {version} runs", **where)
    if app.converted_from and runs is ServletApi.JAKARTA and converts_legacy_apps(version):
        return passed(
            f"{said}, and Tomcat {version} converted it to jakarta.servlet from "
            f"{app.converted_from} (the Host's legacyAppBase), keeping that descriptor",
            **where,
        )
    if app.name in TOMCAT_ADMIN_APPS:
        fix = f"it is Tomcat's own application: deploy the one shipped with Tomcat {version}"
    elif runs is ServletApi.JAKARTA:
        fix = _migrate(app, tomcat)
    else:
        fix = "deploy its javax.servlet build, or move this node to Tomcat 10.1 or later"
    if runs is ServletApi.JAKARTA:
        return warned(
            f"{said}: Tomcat {version} runs jakarta.servlet only, so its javax servlets and "
            f"filters cannot load; {fix}",
            **where,
        )
    return failed(
        f"{said}: Tomcat {version} runs javax.servlet only, so its classes cannot load and "
        f"the application does not start; {fix}",
        **where,
    )


def _migrate(app: Webapp, tomcat: TomcatFacts) -> str:
    """How to move a javax application onto this jakarta Tomcat: the migration tool, and the
    Host's legacyAppBase where the release converts what is put there."""
    fix = (
        "migrate it to jakarta.servlet (rebuild it, or convert the WAR with Tomcat's "
        "bin/migrate.sh)"
    )
    if not converts_legacy_apps(tomcat.version):
        return fix
    hosts = tomcat.server.hosts if tomcat.server else []
    host = next((h for h in hosts if h.name == app.host), None)
    legacy = property_value(host.attrs, "legacyAppBase") if host else None
    return (
        f"{fix}, or deploy it into Host {app.host}'s legacyAppBase "
        f"{legacy or LEGACY_APP_BASE_DEFAULT}, which converts it while deploying"
    )
