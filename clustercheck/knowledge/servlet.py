"""The Servlet API a web application is written for, as its web.xml declares it, and the one a
Tomcat release implements: the javax to jakarta wall of Tomcat 10.

Sources:
- Descriptor namespaces and DTD public ids: apache/tomcat 10.1.59,
  java/org/apache/tomcat/util/descriptor/XmlIdentifiers.java (WEB_22_PUBLIC, WEB_23_PUBLIC,
  JAVAEE_1_4_NS, JAVAEE_5_NS = JAVAEE_6_NS, JAVAEE_7_NS = JAVAEE_8_NS for Servlet 2.4 to 4.0;
  JAKARTAEE_9_NS = JAKARTAEE_10_NS for Servlet 5.0 and later).
- jakarta.servlet from Tomcat 10.0.0-M1: 10.0.x changelog, 10.0.0-M1 (2020-02-20), Catalina:
  "Update to Jakarta Servlet 5.0, Jakarta Server Pages 3.0 ..." (notes/field.md §4).
- The Host's legacyAppBase (default webapps-javaee), whose Java EE applications Tomcat converts
  with its migration tool before deploying them: apache/tomcat commit 9e6f3b7328 (2021-02-11,
  "Add legacyAppBase property with default of "webapps-javaee""); 10.0.x changelog, section
  10.0.3 (marked "not released"): "Integrate the Tomcat Migration Tool for JakartaEE at
  deployment time. Java EE web applications placed in the webapps-javaee directory will be
  migrated ...", so first released in 10.0.4 (2021-03-10). StandardHost has it at tags 10.0.4,
  10.1.59 and 11.0.25, not at 10.0.2; webapps/docs/config/host.xml (10.1.59), legacyAppBase.
"""

from __future__ import annotations

from enum import Enum

from clustercheck.knowledge.tomcat import Version, release_reached


class ServletApi(Enum):
    """The package a web application's servlets are compiled against."""

    JAVAX = "javax.servlet"
    JAKARTA = "jakarta.servlet"


# A milestone sorts before its release (10.0.0-M1 as patch -1, as release_reached reads it).
JAKARTA_FIRST: Version = (10, 0, -1)
LEGACY_APP_BASE_FIRST: Version = (10, 0, 4)
LEGACY_APP_BASE_DEFAULT = "webapps-javaee"  # StandardHost.legacyAppBase

# descriptor namespace -> (its API, the Servlet versions it serves, as messages say them)
NAMESPACES: dict[str, tuple[ServletApi, str]] = {
    "http://java.sun.com/xml/ns/j2ee": (ServletApi.JAVAX, "Servlet 2.4"),
    "http://java.sun.com/xml/ns/javaee": (ServletApi.JAVAX, "Servlet 2.5 or 3.0"),
    "http://xmlns.jcp.org/xml/ns/javaee": (ServletApi.JAVAX, "Servlet 3.1 or 4.0"),
    "https://jakarta.ee/xml/ns/jakartaee": (ServletApi.JAKARTA, "Servlet 5.0 or later"),
}
# DTD public id -> its Servlet version (web.xml 2.2 and 2.3 have a DOCTYPE and no namespace)
PUBLIC_IDS: dict[str, str] = {
    "-//Sun Microsystems, Inc.//DTD Web Application 2.2//EN": "2.2",
    "-//Sun Microsystems, Inc.//DTD Web Application 2.3//EN": "2.3",
}


def descriptor_api(
    namespace: str | None, public_id: str | None, version: str | None
) -> tuple[ServletApi, str] | None:
    """The API a web.xml is written for and the Servlet version it declares ("Servlet 3.0"),
    from its root's namespace, else its DTD; None when it names neither."""
    if public_id in PUBLIC_IDS:
        return ServletApi.JAVAX, f"Servlet {PUBLIC_IDS[public_id]}"
    known = NAMESPACES.get((namespace or "").strip())
    if known is None:
        return None
    api, versions = known
    return api, f"Servlet {version}" if version else versions


def tomcat_api(tomcat_version: str | int | None) -> ServletApi | None:
    """The API a Tomcat release implements; None when its version does not tell."""
    jakarta = release_reached(tomcat_version, (JAKARTA_FIRST,))
    if jakarta is None:
        return None
    return ServletApi.JAKARTA if jakarta else ServletApi.JAVAX


def converts_legacy_apps(tomcat_version: str | int | None) -> bool | None:
    """Whether the release converts the Java EE applications of a Host's legacyAppBase."""
    return release_reached(tomcat_version, (LEGACY_APP_BASE_FIRST,))
