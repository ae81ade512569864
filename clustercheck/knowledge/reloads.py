"""When Tomcat and httpd read their files again without a restart, as seen on the real software
(CC802 config-not-applied): a file modified after its reader last read it runs the old
configuration until that reader reads it again.

Tomcat 10.1 (Debian's tomcat10, a CATALINA_BASE of its own, Engine backgroundProcessorDelay 2 s)
after `touch` of each file while it ran:
- conf/server.xml, conf/catalina.properties, conf/logging.properties: nothing, with or without
  autoDeploy (read once at start: Catalina.load, CatalinaProperties, JULI's LogManager).
- with the Host's autoDeploy="true" (its default): WEB-INF/web.xml "Reloading Context with name
  [] has started" (a WatchedResource of the stock conf/context.xml); conf/web.xml reloads every
  context (the stock conf/context.xml watches `${catalina.base}/conf/web.xml`); conf/context.xml
  undeploys and deploys every application, conf/Catalina/localhost/ext.xml and an application's
  META-INF/context.xml (new or touched) redeploy theirs (HostConfig.addGlobalRedeployResources,
  redeployResources); a touched WAR is undeployed, re-expanded and deployed.
- with autoDeploy="false": none of these is re-read (the log stays silent, the expanded WAR
  keeps its time); HostConfig.check() runs checkResources only `if (host.getAutoDeploy())`.
- a WAR touched while Tomcat was stopped: at start ExpandWar logs "An expanded directory [...]
  was found with a last modified time that did not match the associated WAR. It will be
  deleted." and expands it again. ExpandWar.expand keeps an expanded directory as it is when its
  META-INF/war-tracker is missing, or when that file's modification time equals the WAR's (it
  sets the one to the other after each expansion): seen, war-tracker and WAR had the same second.

httpd 2.4.71 (Debian's apache2 with mod_jk 1.2.48, prefork, a ServerRoot of its own): SIGUSR1
(`apachectl graceful`) and SIGHUP re-read every configuration file, workers.properties included
(mod_jk logged the changed worker again at the graceful's second), in the same parent process
(same PID, same start time); each rewrote the PidFile, so its modification time is the time the
configuration was last read (server/log.c ap_log_pid: "AP_SIG_GRACEFUL and HUP call this
function each restart").
"""

from __future__ import annotations

# Modification times and process start times are both the node's clock; the slack absorbs whole
# seconds (stat %Y, ps start times) and the moment between reading a file and writing the PidFile.
SLACK_S = 2.0

# Read only while Tomcat starts, relative to CATALINA_BASE (server.xml may be elsewhere: the
# inventory's tomcat.server_xml).
TOMCAT_START_ONLY = ("conf/catalina.properties", "conf/logging.properties")
# Re-read by every application's reload or redeploy under autoDeploy (stock conf/context.xml's
# WatchedResource; HostConfig.addGlobalRedeployResources)
TOMCAT_GLOBAL_APP_FILES = ("conf/web.xml", "conf/context.xml")
# ExpandWar's marker inside an expanded WAR (Constants.WarTracker)
WAR_TRACKER = "META-INF/war-tracker"

# httpd's PidFile when none is written: include/httpd.h DEFAULT_PIDLOG (DEFAULT_REL_RUNTIMEDIR
# "logs"), relative to ServerRoot; Debian's apache2 is built with /run/apache2.pid (`apache2 -V`
# here), and its apache2.conf writes `PidFile ${APACHE_PID_FILE}` (envvars).
DEFAULT_PID_FILE = "logs/httpd.pid"
DEBIAN_PID_FILE = "/run/apache2.pid"
DEBIAN_CONF_DIR = "/etc/apache2/"


def default_pid_file(conf: str) -> str:
    """The PidFile httpd uses when its configuration names none, by the layout `conf` (its main
    file, or the Jk file) suggests; relative paths are under ServerRoot."""
    return (
        DEBIAN_PID_FILE
        if conf.replace("\\", "/").startswith(DEBIAN_CONF_DIR)
        else (DEFAULT_PID_FILE)
    )


def is_true(value: str | None, default: bool) -> bool:
    """A Tomcat boolean attribute: IntrospectionUtils sets true only from "true"."""
    return default if value is None else value.strip().lower() == "true"
