"""What a front end's build must be: the module API each httpd line takes, and the httpd and mod_jk
releases with known defects that matter to an httpd balancing Tomcats over AJP (CC104).

Sources: httpd's include/ap_mmn.h of each line (MODULE_MAGIC_COOKIE, MODULE_MAGIC_NUMBER_MAJOR)
and modules/core/mod_so.c (load_module refuses a structure whose magic is not the cookie);
server/config.c (ap_add_module refuses another MODULE_MAGIC_NUMBER_MAJOR); httpd's security
records (https://httpd.apache.org/security/vulnerabilities_24.html, the JSON of each CVE in
apache/httpd-site content/security/json/); Tomcat's JK security page
(https://tomcat.apache.org/security-jk.html, apache/tomcat-site xdocs/security-jk.xml) and the
announcement of CVE-2023-41081 (oss-security, 2023-09-28).
"""

from __future__ import annotations

from dataclasses import dataclass

from clustercheck.knowledge.tomcat import Version

# --- the module API ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ModuleApi:
    """What a module must be built with to be taken by one httpd line."""

    line: str  # "2.4"
    cookie: str  # MODULE_MAGIC_COOKIE as its four letters: "AP24" is 0x41503234
    mmn_major: int  # MODULE_MAGIC_NUMBER_MAJOR of the line's releases

    @property
    def magic(self) -> str:
        """The cookie as httpd prints it in its refusal: "41503234"."""
        return self.cookie.encode().hex()


# ap_mmn.h: "AP24" since 2.3 (2.4.1 set the major to 20120211 for the whole 2.4 line), "AP22"
# since 2.1.7 (20051115 from 2.2.0), "AP20" (20020903 for 2.0.41 and later), "AP13" (19990320
# from 1.3.6).
MODULE_APIS = (
    ModuleApi("2.4", "AP24", 20120211),
    ModuleApi("2.2", "AP22", 20051115),
    ModuleApi("2.0", "AP20", 20020903),
    ModuleApi("1.3", "AP13", 19990320),
)
COOKIES = tuple(api.cookie for api in MODULE_APIS)


def api_of_line(version: Version | None) -> ModuleApi | None:
    """The API an httpd of this version takes (2.3 is 2.4's development line, 2.1 2.2's)."""
    if version is None:
        return None
    line = f"{version[0]}.{version[1] + version[1] % 2}"
    return next((api for api in MODULE_APIS if api.line == line), None)


def api_of_cookie(cookie: str | None) -> ModuleApi | None:
    return next((api for api in MODULE_APIS if api.cookie == cookie), None)


# The connector modules of a front end: the module that speaks AJP to Tomcat (CC104 judges its
# build), by module name, with the name users know it by.
CONNECTORS = {"jk_module": "mod_jk", "proxy_ajp_module": "mod_proxy_ajp"}

# httpd 2.2.34 (2017-07-11) was the last 2.2 release: the line has had no fixes since
# (https://httpd.apache.org/ "Apache httpd 2.2 End-of-Life"); 2.4 is the supported line.
SUPPORTED_LINE = (2, 4)
LAST_22_RELEASE = "2.2.34"


# --- releases with known defects -----------------------------------------------------------------


@dataclass(frozen=True)
class Defect:
    """A vulnerability fixed in `fixed_in`, which matters to a front end only when `needs` holds:
    a module the configuration loads (httpd), or a JkOptions flag set (mod_jk)."""

    cve: str
    fixed_in: Version
    what: str
    needs: str | None = None


# httpd 2.4: the fixes for mod_proxy, mod_proxy_ajp and mod_proxy_balancer (each record's
# "affected ... lessThanOrEqual" in apache/httpd-site content/security/json/CVE-*.json, and the
# release that fixed it). Those of other proxy schemes (uwsgi, fcgi, ftp, http2, wstunnel) and
# Windows-only ones do not touch an AJP front end and are left out.
HTTPD_DEFECTS = (
    Defect("CVE-2021-40438", (2, 4, 49), "mod_proxy SSRF (a crafted request URI)", "proxy_module"),
    Defect(
        "CVE-2022-26377",
        (2, 4, 54),
        "mod_proxy_ajp request smuggling to the AJP backend",
        "proxy_ajp_module",
    ),
    Defect(
        "CVE-2022-31813",
        (2, 4, 54),
        "mod_proxy drops X-Forwarded-* on a client's Connection header (IP-based access "
        "control on the backend bypassed)",
        "proxy_module",
    ),
    Defect(
        "CVE-2022-36760",
        (2, 4, 55),
        "mod_proxy_ajp request smuggling to the AJP backend",
        "proxy_ajp_module",
    ),
    Defect(
        "CVE-2022-37436",
        (2, 4, 55),
        "mod_proxy: a backend can split the response headers",
        "proxy_module",
    ),
    Defect(
        "CVE-2023-25690",
        (2, 4, 56),
        "request splitting with mod_rewrite or ProxyPassMatch and mod_proxy",
        "proxy_module",
    ),
    Defect(
        "CVE-2024-38473",
        (2, 4, 60),
        "mod_proxy encoding problem (authentication bypass)",
        "proxy_module",
    ),
    Defect(
        "CVE-2024-38477",
        (2, 4, 60),
        "mod_proxy crash on a malicious request (denial of service)",
        "proxy_module",
    ),
    # CVE-2026-28780 (heap overflow on a crafted AJP reply) and CVE-2026-34032 (over-read in
    # ajp_msg_get_string): "through 2.4.66 ... upgrade to version 2.4.67"
    Defect(
        "CVE-2026-28780",
        (2, 4, 67),
        "mod_proxy_ajp heap overflow on a crafted AJP reply",
        "proxy_ajp_module",
    ),
    Defect(
        "CVE-2026-34032",
        (2, 4, 67),
        "mod_proxy_ajp heap over-read on a crafted AJP message",
        "proxy_ajp_module",
    ),
)

# mod_jk (security-jk.html). Left out: CVE-2018-1323 and CVE-2016-6808, which concern the IIS
# (ISAPI) redirector only, not mod_jk; and CVE-2024-46544 (1.2.50: the shared memory file
# readable by local users), which needs a local account on the front end and which
# distributions fixed without changing the version mod_jk reports (Debian 12's 1.2.48-2+deb12u2),
# so a version alone would accuse patched front ends.
JK_DEFECTS = (
    Defect(
        "CVE-2007-1860",
        (1, 2, 23),
        "URLs decoded twice: a JkMount prefix can reach another application",
    ),
    Defect(
        "CVE-2008-5519",
        (1, 2, 27),
        "one user can be sent the response to another user's request",
    ),
    Defect(
        "CVE-2014-8111",
        (1, 2, 41),
        "repeated slashes bypass JkUnmount",
    ),
    Defect(
        "CVE-2018-11759",
        (1, 2, 46),
        "path normalisation bypass: applications or the status worker reachable past "
        "JkMount and httpd's access control",
    ),
    # "in some circumstances, such as when a configuration included JkOptions
    # +ForwardDirectories": the implicit mapping 1.2.49 removed; Debian 12 backported the fix
    # into 1.2.48-2+deb12u1, which still reports 1.2.48
    Defect(
        "CVE-2023-41081",
        (1, 2, 49),
        "an unmapped request goes to the first worker (the status worker exposed, httpd's "
        "access control bypassed)",
        "ForwardDirectories",
    ),
)


def open_defects(table: tuple[Defect, ...], version: Version, holds: set[str]) -> list[Defect]:
    """The defects of `table` a release has, among those whose condition `holds`."""
    return [d for d in table if version < d.fixed_in and (d.needs is None or d.needs in holds)]


def version_text(version: Version) -> str:
    return ".".join(map(str, version))
