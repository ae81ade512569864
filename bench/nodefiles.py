"""Realistic files of the simulated nodes: a Tomcat 10.1 instance per node (server.xml with a
SimpleTcpCluster, catalina.properties, lib/catalina.jar, three unpacked webapps and one WAR) and
one httpd node with mod_jk (mod_jk.conf, workers.properties balancing over every Tomcat,
uriworkermap.properties).

The texts follow the files Tomcat 10.1 and the mod_jk distribution ship (comments included, so
the sizes are those of real files: server.xml ~9 KB, catalina.properties ~9 KB). The archives
are real zips with the entry counts and sizes of the real thing (catalina.jar: ~650 classes,
~1.7 MB; the WAR: ~300 entries, ~3 MB); they are made once and hard-linked into every node.
"""

from __future__ import annotations

import os
import random
import shutil
import zipfile
from pathlib import Path

TOMCAT_VERSION = "10.1.34"
AJP_PORT = 8009
AJP_SECRET = "Zx9-bench-ajp-secret-7Q"
UNPACKED_APPS = ("shop", "account", "search")
WAR_APP = "api"

LICENSE = """<!--
  Licensed to the Apache Software Foundation (ASF) under one or more
  contributor license agreements.  See the NOTICE file distributed with
  this work for additional information regarding copyright ownership.
  The ASF licenses this file to You under the Apache License, Version 2.0
  (the "License"); you may not use this file except in compliance with
  the License.  You may obtain a copy of the License at

      http://www.apache.org/licenses/LICENSE-2.0

  Unless required by applicable law or agreed to in writing, software
  distributed under the License is distributed on an "AS IS" BASIS,
  WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
  See the License for the specific language governing permissions and
  limitations under the License.
-->"""


def server_xml(
    route: str, address: str, ajp_port: int = AJP_PORT, receiver_port: int = 4000
) -> str:
    """Tomcat 10.1's default server.xml, with an AJP connector and the cluster-howto's Cluster."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{LICENSE}
<!-- Note:  A "Server" is not itself a "Container", so you may not
     define subcomponents such as "Valves" at this level.
     Documentation at /docs/config/server.html
 -->
<Server port="8005" shutdown="SHUTDOWN">
  <Listener className="org.apache.catalina.startup.VersionLoggerListener" />
  <!-- Security listener. Documentation at /docs/config/listeners.html
  <Listener className="org.apache.catalina.security.SecurityListener" />
  -->
  <!-- APR library loader. Documentation at /docs/apr.html -->
  <Listener className="org.apache.catalina.core.AprLifecycleListener" />
  <!-- Prevent memory leaks due to use of particular java/javax APIs-->
  <Listener className="org.apache.catalina.core.JreMemoryLeakPreventionListener" />
  <Listener className="org.apache.catalina.mbeans.GlobalResourcesLifecycleListener" />
  <Listener className="org.apache.catalina.core.ThreadLocalLeakPreventionListener" />

  <!-- Global JNDI resources
       Documentation at /docs/jndi-resources-howto.html
  -->
  <GlobalNamingResources>
    <!-- Editable user database that can also be used by
         UserDatabaseRealm to authenticate users
    -->
    <Resource name="UserDatabase" auth="Container"
              type="org.apache.catalina.UserDatabase"
              description="User database that can be updated and saved"
              factory="org.apache.catalina.users.MemoryUserDatabaseFactory"
              pathname="conf/tomcat-users.xml" />
  </GlobalNamingResources>

  <!-- A "Service" is a collection of one or more "Connectors" that share
       a single "Container" Note:  A "Service" is not itself a "Container",
       so you may not define subcomponents such as "Valves" at this level.
       Documentation at /docs/config/service.html
   -->
  <Service name="Catalina">

    <!--The connectors can use a shared executor, you can define one or more named thread pools-->
    <!--
    <Executor name="tomcatThreadPool" namePrefix="catalina-exec-"
        maxThreads="150" minSpareThreads="4"/>
    -->

    <!-- A "Connector" represents an endpoint by which requests are received
         and responses are returned. Documentation at :
         HTTP Connector: /docs/config/http.html
         AJP  Connector: /docs/config/ajp.html
         Define a non-SSL/TLS HTTP/1.1 Connector on port 8080
    -->
    <Connector port="8080" protocol="HTTP/1.1"
               connectionTimeout="20000"
               redirectPort="8443"
               maxParameterCount="1000"
               />
    <!-- Define an SSL/TLS HTTP/1.1 Connector on port 8443 with HTTP/2
         This connector uses the NIO implementation. The default
         SSLImplementation will depend on the presence of the APR/native
         library and the useOpenSSL attribute of the AprLifecycleListener.
    -->
    <!--
    <Connector port="8443" protocol="org.apache.coyote.http11.Http11NioProtocol"
               maxThreads="150" SSLEnabled="true"
               maxParameterCount="1000"
               >
        <UpgradeProtocol className="org.apache.coyote.http2.Http2Protocol" />
        <SSLHostConfig>
            <Certificate certificateKeystoreFile="conf/localhost-rsa.jks"
                         certificateKeystorePassword="changeit" type="RSA" />
        </SSLHostConfig>
    </Connector>
    -->

    <!-- Define an AJP 1.3 Connector on port {ajp_port}: mod_jk on the web tier connects here -->
    <Connector protocol="AJP/1.3"
               address="{address}"
               port="{ajp_port}"
               secret="{AJP_SECRET}"
               redirectPort="8443"
               maxParameterCount="1000"
               />

    <!-- An Engine represents the entry point (within Catalina) that processes
         every request.  The Engine implementation for Tomcat stand alone
         analyzes the HTTP headers included with the request, and passes them
         on to the appropriate Host (virtual host).
         Documentation at /docs/config/engine.html -->

    <Engine name="Catalina" defaultHost="localhost" jvmRoute="{route}">

      <!-- Session replication between the members: see /docs/cluster-howto.html -->
      <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster"
               channelSendOptions="8">

        <Manager className="org.apache.catalina.ha.session.DeltaManager"
                 expireSessionsOnShutdown="false"
                 notifyListenersOnReplication="true"/>

        <Channel className="org.apache.catalina.tribes.group.GroupChannel">
          <Membership className="org.apache.catalina.tribes.membership.McastService"
                      address="228.0.0.4"
                      port="45564"
                      frequency="500"
                      dropTime="3000"/>
          <Receiver className="org.apache.catalina.tribes.transport.nio.NioReceiver"
                    address="auto"
                    port="{receiver_port}"
                    autoBind="100"
                    selectorTimeout="5000"
                    maxThreads="6"/>

          <Sender className="org.apache.catalina.tribes.transport.ReplicationTransmitter">
            <Transport className="org.apache.catalina.tribes.transport.nio.PooledParallelSender"/>
          </Sender>
          <Interceptor className="org.apache.catalina.tribes.group.interceptors.TcpFailureDetector"/>
          <Interceptor className="org.apache.catalina.tribes.group.interceptors.MessageDispatchInterceptor"/>
        </Channel>

        <Valve className="org.apache.catalina.ha.tcp.ReplicationValve"
               filter=""/>
        <Valve className="org.apache.catalina.ha.session.JvmRouteBinderValve"/>

        <ClusterListener className="org.apache.catalina.ha.session.ClusterSessionListener"/>
      </Cluster>

      <!-- Use the LockOutRealm to prevent attempts to guess user passwords
           via a brute-force attack -->
      <Realm className="org.apache.catalina.realm.LockOutRealm">
        <!-- This Realm uses the UserDatabase configured in the global JNDI
             resources under the key "UserDatabase".  Any edits
             that are performed against this UserDatabase are immediately
             available for use by the Realm.  -->
        <Realm className="org.apache.catalina.realm.UserDatabaseRealm"
               resourceName="UserDatabase"/>
      </Realm>

      <Host name="localhost"  appBase="webapps"
            unpackWARs="true" autoDeploy="true">

        <!-- SingleSignOn valve, share authentication between web applications
             Documentation at: /docs/config/valve.html -->
        <!--
        <Valve className="org.apache.catalina.authenticator.SingleSignOn" />
        -->

        <!-- Access log processes all example.
             Documentation at: /docs/config/valve.html
             Note: The pattern used is equivalent to using pattern="common" -->
        <Valve className="org.apache.catalina.valves.AccessLogValve" directory="logs"
               prefix="localhost_access_log" suffix=".txt"
               pattern="%h %l %u %t &quot;%r&quot; %s %b" />

      </Host>
    </Engine>
  </Service>
</Server>
"""


_JARS_TO_SKIP = """\
annotations-api.jar,\\
ant-junit*.jar,\\
ant-launcher*.jar,\\
ant*.jar,\\
asm-*.jar,\\
aspectj*.jar,\\
bcel*.jar,\\
biz.aQute.bnd*.jar,\\
bootstrap.jar,\\
catalina-ant.jar,\\
catalina-ha.jar,\\
catalina-ssi.jar,\\
catalina-storeconfig.jar,\\
catalina-tribes.jar,\\
catalina.jar,\\
cglib-*.jar,\\
cobertura-*.jar,\\
commons-beanutils*.jar,\\
commons-codec*.jar,\\
commons-collections*.jar,\\
commons-compress*.jar,\\
commons-daemon.jar,\\
commons-dbcp*.jar,\\
commons-digester*.jar,\\
commons-fileupload*.jar,\\
commons-httpclient*.jar,\\
commons-io*.jar,\\
commons-lang*.jar,\\
commons-logging*.jar,\\
commons-math*.jar,\\
commons-pool*.jar,\\
derby-*.jar,\\
dom4j-*.jar,\\
easymock-*.jar,\\
ecj-*.jar,\\
el-api.jar,\\
geronimo-spec-jaxrpc*.jar,\\
h2*.jar,\\
ha-api-*.jar,\\
hamcrest-*.jar,\\
hibernate*.jar,\\
httpclient*.jar,\\
icu4j-*.jar,\\
jakartaee-migration-*.jar,\\
jasper-el.jar,\\
jasper.jar,\\
jaspic-api.jar,\\
jaxb-*.jar,\\
jaxen-*.jar,\\
jaxws-rt-*.jar,\\
jdom-*.jar,\\
jetty-*.jar,\\
jmx-tools.jar,\\
jmx.jar,\\
jsp-api.jar,\\
jstl.jar,\\
jta*.jar,\\
junit-*.jar,\\
junit.jar,\\
log4j*.jar,\\
mail*.jar,\\
objenesis-*.jar,\\
oraclepki.jar,\\
oro-*.jar,\\
servlet-api-*.jar,\\
servlet-api.jar,\\
slf4j*.jar,\\
taglibs-standard-spec-*.jar,\\
tagsoup-*.jar,\\
tomcat-api.jar,\\
tomcat-coyote.jar,\\
tomcat-dbcp.jar,\\
tomcat-i18n-*.jar,\\
tomcat-jdbc.jar,\\
tomcat-jni.jar,\\
tomcat-juli-adapters.jar,\\
tomcat-juli.jar,\\
tomcat-util-scan.jar,\\
tomcat-util.jar,\\
tomcat-websocket.jar,\\
tools.jar,\\
unboundid-ldapsdk-*.jar,\\
websocket-api.jar,\\
websocket-client-api.jar,\\
wsdl4j*.jar,\\
xercesImpl.jar,\\
xml-apis.jar,\\
xmlParserAPIs-*.jar,\\
xmlParserAPIs.jar,\\
xom-*.jar"""


def catalina_properties(route: str) -> str:
    """conf/catalina.properties as Tomcat 10.1 ships it, plus two site properties."""
    header = "\n".join(
        "# " + line if line else "#"
        for line in LICENSE.strip("<!->\n").replace("  ", "", 1).splitlines()
    )
    return f"""{header}

#
# List of comma-separated packages that start with or equal this string
# will cause a security exception to be thrown when
# passed to checkPackageAccess unless the
# corresponding RuntimePermission ("accessClassInPackage."+package) has
# been granted.
package.access=sun.,org.apache.catalina.,org.apache.coyote.,org.apache.jasper.,org.apache.tomcat.
#
# List of comma-separated packages that start with or equal this string
# will cause a security exception to be thrown when
# passed to checkPackageDefinition unless the
# corresponding RuntimePermission ("defineClassInPackage."+package) has
# been granted.
#
# by default, no packages are restricted for definition, and none of
# the class loaders supplied with the JDK call checkPackageDefinition.
#
package.definition=sun.,java.,org.apache.catalina.,org.apache.coyote.,\\
org.apache.jasper.,org.apache.naming.,org.apache.tomcat.

#
#
# List of comma-separated paths defining the contents of the "common"
# classloader. Prefixes should be used to define what is the repository type.
# Path may be relative to the CATALINA_HOME or CATALINA_BASE path or absolute.
# If left as blank,the JVM system loader will be used as Catalina's "common"
# loader.
# Examples:
#     "foo": Add this folder as a class repository
#     "foo/*.jar": Add all the JARs of the specified folder as class
#                  repositories
#     "foo/bar.jar": Add bar.jar as a class repository
#
# Note: Values are enclosed in double quotes ("...") in case either the
#       ${{catalina.base}} path or the ${{catalina.home}} path contains a comma.
#       Because double quotes are used for quoting, the double quote character
#       may not appear in a path.
common.loader="${{catalina.base}}/lib","${{catalina.base}}/lib/*.jar","${{catalina.home}}/lib","${{catalina.home}}/lib/*.jar"

#
# List of comma-separated paths defining the contents of the "server"
# classloader. Prefixes should be used to define what is the repository type.
# Path may be relative to the CATALINA_HOME or CATALINA_BASE path or absolute.
# If left as blank, the "common" loader will be used as Catalina's "server"
# loader.
server.loader=

#
# List of comma-separated paths defining the contents of the "shared"
# classloader. Prefixes should be used to define what is the repository type.
# Path may be relative to the CATALINA_BASE path or absolute. If left as blank,
# the "common" loader will be used as Catalina's "shared" loader.
# Please note that for single jars, e.g. bar.jar, you need the URL form
# starting with file:.
shared.loader=

# Default list of JAR files that should not be scanned using the JarScanner
# functionality. This is typically used to scan JARs for configuration
# information. JARs that do not contain such information may be excluded from
# the scan to speed up the JarScanner process.
tomcat.util.scan.StandardJarScanFilter.jarsToSkip=\\
{_JARS_TO_SKIP}

# Default list of JAR files that should be scanned that overrides the default
# jarsToSkip list above. This is typically used to include a specific JAR that
# has been excluded by a broad file name pattern in the jarsToSkip list.
tomcat.util.scan.StandardJarScanFilter.jarsToScan=\\
log4j-taglib*.jar,\\
log4j-web*.jar,\\
log4javascript*.jar,\\
slf4j-taglib*.jar

# String cache configuration.
tomcat.util.buf.StringCache.byte.enabled=true
#tomcat.util.buf.StringCache.char.enabled=true
#tomcat.util.buf.StringCache.trainThreshold=500000
#tomcat.util.buf.StringCache.cacheSize=5000

# Disables the automatic detection of the JDBC drivers of the web applications
# (default true in the reference configuration).
# jdbc.drivers.scan=false

# Site settings (ops team)
site.node.name={route}
site.log.dir=${{catalina.base}}/logs
"""


def web_xml(app: str) -> str:
    """A Jakarta EE 10 web.xml of an ordinary application, distributable."""
    cls = app.capitalize()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee"
         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
         xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee
                             https://jakarta.ee/xml/ns/jakartaee/web-app_6_0.xsd"
         version="6.0"
         metadata-complete="false">

  <display-name>{app}</display-name>
  <description>The {app} application of the shop cluster</description>

  <!-- Sessions of this application are replicated across the cluster (DeltaManager) -->
  <distributable/>

  <context-param>
    <param-name>contextConfigLocation</param-name>
    <param-value>/WEB-INF/spring/root-context.xml</param-value>
  </context-param>
  <context-param>
    <param-name>app.environment</param-name>
    <param-value>production</param-value>
  </context-param>

  <listener>
    <listener-class>org.springframework.web.context.ContextLoaderListener</listener-class>
  </listener>
  <listener>
    <listener-class>com.example.{app}.web.SessionAuditListener</listener-class>
  </listener>

  <filter>
    <filter-name>encodingFilter</filter-name>
    <filter-class>org.springframework.web.filter.CharacterEncodingFilter</filter-class>
    <init-param>
      <param-name>encoding</param-name>
      <param-value>UTF-8</param-value>
    </init-param>
    <init-param>
      <param-name>forceEncoding</param-name>
      <param-value>true</param-value>
    </init-param>
  </filter>
  <filter>
    <filter-name>securityFilter</filter-name>
    <filter-class>com.example.{app}.web.SecurityFilter</filter-class>
    <async-supported>true</async-supported>
  </filter>
  <filter-mapping>
    <filter-name>encodingFilter</filter-name>
    <url-pattern>/*</url-pattern>
  </filter-mapping>
  <filter-mapping>
    <filter-name>securityFilter</filter-name>
    <url-pattern>/secure/*</url-pattern>
    <dispatcher>REQUEST</dispatcher>
    <dispatcher>FORWARD</dispatcher>
  </filter-mapping>

  <servlet>
    <servlet-name>dispatcher</servlet-name>
    <servlet-class>org.springframework.web.servlet.DispatcherServlet</servlet-class>
    <init-param>
      <param-name>contextConfigLocation</param-name>
      <param-value>/WEB-INF/spring/servlet-context.xml</param-value>
    </init-param>
    <load-on-startup>1</load-on-startup>
    <async-supported>true</async-supported>
  </servlet>
  <servlet>
    <servlet-name>{app}Health</servlet-name>
    <servlet-class>com.example.{app}.web.{cls}HealthServlet</servlet-class>
  </servlet>
  <servlet-mapping>
    <servlet-name>dispatcher</servlet-name>
    <url-pattern>/</url-pattern>
  </servlet-mapping>
  <servlet-mapping>
    <servlet-name>{app}Health</servlet-name>
    <url-pattern>/health</url-pattern>
  </servlet-mapping>

  <session-config>
    <session-timeout>30</session-timeout>
    <cookie-config>
      <http-only>true</http-only>
      <secure>true</secure>
    </cookie-config>
    <tracking-mode>COOKIE</tracking-mode>
  </session-config>

  <error-page>
    <error-code>404</error-code>
    <location>/WEB-INF/views/error/404.jsp</location>
  </error-page>
  <error-page>
    <error-code>500</error-code>
    <location>/WEB-INF/views/error/500.jsp</location>
  </error-page>

  <security-constraint>
    <web-resource-collection>
      <web-resource-name>admin</web-resource-name>
      <url-pattern>/admin/*</url-pattern>
    </web-resource-collection>
    <auth-constraint>
      <role-name>{app}-admin</role-name>
    </auth-constraint>
  </security-constraint>
  <login-config>
    <auth-method>FORM</auth-method>
    <form-login-config>
      <form-login-page>/login</form-login-page>
      <form-error-page>/login?error</form-error-page>
    </form-login-config>
  </login-config>
  <security-role>
    <role-name>{app}-admin</role-name>
  </security-role>

  <welcome-file-list>
    <welcome-file>index.jsp</welcome-file>
  </welcome-file-list>
</web-app>
"""


CONTEXT_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!-- The contents of this file will be loaded for each web application -->
<Context>
    <WatchedResource>WEB-INF/web.xml</WatchedResource>
    <WatchedResource>WEB-INF/tomcat-web.xml</WatchedResource>
    <WatchedResource>${catalina.base}/conf/web.xml</WatchedResource>
</Context>
"""


def _class_names(rng: random.Random, packages: list[str], count: int) -> list[str]:
    words = [
        "Standard",
        "Context",
        "Host",
        "Engine",
        "Wrapper",
        "Pipeline",
        "Valve",
        "Request",
        "Response",
        "Session",
        "Manager",
        "Cluster",
        "Deployer",
        "Loader",
        "Realm",
        "Filter",
        "Chain",
        "Config",
        "Listener",
        "Support",
        "Util",
        "Mapper",
        "Adapter",
        "Container",
        "Lifecycle",
        "Base",
        "Facade",
        "Dispatcher",
        "Async",
        "Jar",
        "Scanner",
        "Naming",
        "Resource",
    ]
    names: set[str] = set()
    while len(names) < count:
        pkg = rng.choice(packages)
        cls = "".join(rng.choice(words) for _ in range(rng.randint(1, 3)))
        suffix = rng.choice(["", "", "", "$1", "$Holder", "Impl"])
        names.add(f"{pkg}/{cls}{suffix}.class")
    return sorted(names)


def _blob(rng: random.Random, size: int) -> bytes:
    """Bytes that compress like class files (~50%): half random, half repeated."""
    half = size // 2
    return rng.randbytes(half) + bytes(size - half)


def catalina_jar(path: Path) -> None:
    """lib/catalina.jar: ~650 entries, ~1.7 MB, with the real ServerInfo.properties member."""
    rng = random.Random(10134)
    packages = [
        "org/apache/catalina",
        "org/apache/catalina/core",
        "org/apache/catalina/connector",
        "org/apache/catalina/session",
        "org/apache/catalina/startup",
        "org/apache/catalina/loader",
        "org/apache/catalina/mapper",
        "org/apache/catalina/realm",
        "org/apache/catalina/util",
        "org/apache/catalina/valves",
        "org/apache/catalina/webresources",
        "org/apache/catalina/authenticator",
        "org/apache/catalina/deploy",
        "org/apache/catalina/filters",
        "org/apache/catalina/mbeans",
    ]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "META-INF/MANIFEST.MF",
            "Manifest-Version: 1.0\nCreated-By: Apache Ant\n"
            f"Implementation-Title: Apache Tomcat\nImplementation-Version: {TOMCAT_VERSION}\n",
        )
        for name in _class_names(rng, packages, 640):
            zf.writestr(name, _blob(rng, rng.randint(1500, 8000)))
        for pkg in packages:
            zf.writestr(f"{pkg}/LocalStrings.properties", "# messages\n" * rng.randint(50, 200))
        zf.writestr(
            "org/apache/catalina/util/ServerInfo.properties",
            f"server.info=Apache Tomcat/{TOMCAT_VERSION}\n"
            f"server.number={TOMCAT_VERSION}.0\n"
            "server.built=Dec 2 2026 14:20:40 UTC\n",
        )


def war(path: Path) -> None:
    """webapps/api.war: ~300 entries, ~3 MB: classes, JSPs, bundled jars, WEB-INF/web.xml."""
    rng = random.Random(4242)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nCreated-By: Maven WAR Plugin\n")
        zf.writestr("index.jsp", '<%@ page contentType="text/html" %>\n<html>api</html>\n')
        for i in range(40):
            zf.writestr(f"WEB-INF/views/page{i:02d}.jsp", "<div>${model}</div>\n" * 40)
        for name in _class_names(rng, ["WEB-INF/classes/com/example/api"], 220):
            zf.writestr(name, _blob(rng, rng.randint(1000, 6000)))
        for i in range(25):  # bundled libraries are stored (already compressed)
            zf.writestr(
                zipfile.ZipInfo(f"WEB-INF/lib/dependency-{i:02d}-1.0.jar"),
                rng.randbytes(rng.randint(20_000, 120_000)),
            )
        zf.writestr("WEB-INF/web.xml", web_xml(WAR_APP))


def write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")


def java_home() -> str:
    """The JDK whose bin/java is on PATH (setenv.sh names it, as most installations do)."""
    java = shutil.which("java")
    if java is None:
        return "/usr/lib/jvm/default-java"
    return str(Path(os.path.realpath(java)).parent.parent)


def setenv_sh(home: str) -> str:
    return f"""#!/bin/sh
# Site settings of this Tomcat instance (sourced by catalina.sh)
JAVA_HOME={home}
CATALINA_PID="$CATALINA_BASE/temp/catalina.pid"
CATALINA_OPTS="$CATALINA_OPTS -Xms1024m -Xmx2048m -XX:+UseG1GC"
CATALINA_OPTS="$CATALINA_OPTS -Djava.security.egd=file:/dev/./urandom"
UMASK=0027
export JAVA_HOME CATALINA_PID CATALINA_OPTS UMASK
"""


def tomcat_node(
    base: Path,
    route: str,
    address: str,
    jar: Path,
    war_file: Path,
    ajp_port: int = AJP_PORT,
    receiver_port: int = 4000,
    jdk: str | None = None,
) -> None:
    """One CATALINA_BASE (also its CATALINA_HOME)."""
    write(base / "conf/server.xml", server_xml(route, address, ajp_port, receiver_port))
    write(base / "bin/setenv.sh", setenv_sh(jdk or java_home()))
    write(base / "conf/catalina.properties", catalina_properties(route))
    write(base / "conf/context.xml", CONTEXT_XML)
    (base / "conf/Catalina/localhost").mkdir(parents=True, exist_ok=True)
    (base / "lib").mkdir(parents=True, exist_ok=True)
    write(base / "logs/catalina.out", "")  # CC803 reads it since Tomcat's start
    _link(jar, base / "lib/catalina.jar")
    for app in UNPACKED_APPS:
        write(base / f"webapps/{app}/WEB-INF/web.xml", web_xml(app))
        write(base / f"webapps/{app}/index.jsp", f"<html><body>{app}</body></html>\n")
        write(base / f"webapps/{app}/META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n")
    _link(war_file, base / f"webapps/{WAR_APP}.war")


def _link(source: Path, target: Path) -> None:
    if target.exists():
        target.unlink()
    try:
        os.link(source, target)
    except OSError:
        target.write_bytes(source.read_bytes())


def mod_jk_conf() -> str:
    return """# mod_jk for the shop cluster (managed by ops; see workers.properties)
LoadModule jk_module modules/mod_jk.so

<IfModule jk_module>
    JkWorkersFile conf/workers.properties
    JkMountFile conf/uriworkermap.properties
    JkShmFile run/mod_jk.shm
    JkLogFile logs/mod_jk.log
    JkLogLevel warn
    JkLogStampFormat "[%a %b %d %H:%M:%S %Y] "
    JkOptions +ForwardKeySize +ForwardURICompatUnparsed -ForwardDirectories
    JkRequestLogFormat "%w %V %T"

    JkMount /* lb
    JkUnMount /static/* lb
    JkUnMount /favicon.ico lb

    <Location /jkstatus>
        JkMount jkstatus
        Require ip 127.0.0.1
    </Location>
</IfModule>
"""


def workers_properties(members: list[tuple[str, str]], ajp_port: int = AJP_PORT) -> str:
    """workers.properties with a template worker and one lb over every (name, address)."""
    lines = [
        "# mod_jk workers of the shop cluster",
        "worker.list=lb,jkstatus",
        "",
        "# Shared settings of every Tomcat",
        "worker.template.type=ajp13",
        f"worker.template.port={ajp_port}",
        f"worker.template.secret={AJP_SECRET}",
        "worker.template.socket_connect_timeout=5000",
        "worker.template.socket_keepalive=true",
        "worker.template.ping_mode=A",
        "worker.template.ping_timeout=10000",
        "worker.template.connection_pool_timeout=600",
        "worker.template.lbfactor=1",
        "",
    ]
    for name, address in members:
        lines += [
            f"worker.{name}.reference=worker.template",
            f"worker.{name}.host={address}",
        ]
    lines += [
        "",
        "worker.lb.type=lb",
        f"worker.lb.balance_workers={','.join(name for name, _ in members)}",
        "worker.lb.sticky_session=true",
        "worker.lb.method=Busyness",
        "",
        "worker.jkstatus.type=status",
        "",
    ]
    return "\n".join(lines)


URIWORKERMAP = """# Mount points handled by mod_jk (in addition to JkMount in mod_jk.conf)
/shop/*=lb
/account/*=lb
/search/*=lb
/api/*=lb
!/shop/static/*=lb
/jkstatus=jkstatus
"""


def apache_node(
    root: Path, members: list[tuple[str, str]], ajp_port: int = AJP_PORT
) -> tuple[str, str]:
    """httpd files under root/etc/httpd; returns (jk_conf, server_root) as absolute paths."""
    server_root = root / "etc/httpd"
    write(server_root / "conf.d/mod_jk.conf", mod_jk_conf())
    write(server_root / "logs/mod_jk.log", "")  # JkLogFile, which CC803 reads
    write(server_root / "conf/workers.properties", workers_properties(members, ajp_port))
    write(server_root / "conf/uriworkermap.properties", URIWORKERMAP)
    return str(server_root / "conf.d/mod_jk.conf"), str(server_root)


def tomcat_reads(base: str) -> dict:
    """What clustercheck reads on a Tomcat node (the floor and ansible read the same)."""
    return {
        "files": [f"{base}/conf/catalina.properties", f"{base}/conf/server.xml"]
        + [f"{base}/webapps/{app}/WEB-INF/web.xml" for app in UNPACKED_APPS]
        + [f"{base}/bin/setenv.sh"],
        "dirs": [f"{base}/webapps", f"{base}/conf/Catalina/localhost"],
        "members": [
            [f"{base}/lib/catalina.jar", "org/apache/catalina/util/ServerInfo.properties"],
            [f"{base}/webapps/{WAR_APP}.war", "WEB-INF/web.xml"],
        ],
    }


def apache_reads(jk_conf: str, server_root: str) -> dict:
    return {
        "files": [
            jk_conf,
            f"{server_root}/conf/workers.properties",
            f"{server_root}/conf/uriworkermap.properties",
        ],
        "dirs": [],
        "members": [],
    }


def hostile_server_xml(path: Path, size: int) -> None:
    """A well-formed server.xml of `size` bytes: a real one padded by one giant comment."""
    head = server_xml("hostile", "127.0.0.1").encode()
    pad = size - len(head) - len(b"<!--  -->\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        out.write(head)
        out.write(b"<!-- ")
        chunk = b"x" * (1 << 20)
        while pad > 0:
            out.write(chunk[: min(pad, len(chunk))])
            pad -= len(chunk)
        out.write(b" -->\n")
