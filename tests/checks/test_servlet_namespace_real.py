"""Real Tomcat 10.1 (Debian's tomcat10, started by the test on a loopback port) as the judge of
what CC704 warns about: a javax.servlet application deployed in the appBase does not serve,
the same application put into the Host's legacyAppBase (webapps-javaee) is converted by
Tomcat's migration tool and serves. Skipped without tomcat10, javac, a javax servlet API jar
(Debian's libservlet-api-java) or the migration tool (tomcat-jakartaee-migration); in CI their
absence fails."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from clusterfiles import judge
from support import need

HOME = Path("/usr/share/tomcat10")
JAVAX_API = Path("/usr/share/java/servlet-api.jar")  # libservlet-api-java: javax.servlet 4.0
MIGRATION = Path("/usr/share/tomcat-jakartaee-migration/lib")  # tomcat-jakartaee-migration

HELLO = """\
import java.io.IOException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

public class Hello extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.getWriter().print("hello from javax");
    }
}
"""
WEB_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="http://xmlns.jcp.org/xml/ns/javaee" version="4.0">
  <servlet><servlet-name>hello</servlet-name><servlet-class>Hello</servlet-class></servlet>
  <servlet-mapping><servlet-name>hello</servlet-name><url-pattern>/hello</url-pattern></servlet-mapping>
</web-app>
"""
SERVER_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="{port}" address="127.0.0.1" protocol="HTTP/1.1"/>
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps"/>
    </Engine>
  </Service>
</Server>
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def javax_war(tmp: Path) -> bytes:
    """A one-servlet application compiled against javax.servlet, as a WAR."""
    src = tmp / "src"
    src.mkdir()
    (src / "Hello.java").write_text(HELLO)
    subprocess.run(
        [
            "javac",
            "--release",
            "11",
            "-cp",
            str(JAVAX_API),
            "-d",
            str(src),
            str(src / "Hello.java"),
        ],
        check=True,
        capture_output=True,
    )
    war = tmp / "hello.war"
    with zipfile.ZipFile(war, "w") as zf:
        zf.writestr("WEB-INF/web.xml", WEB_XML)
        zf.write(src / "Hello.class", "WEB-INF/classes/Hello.class")
    return war.read_bytes()


DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy


def get(url: str) -> tuple[int, str]:
    """The status and body of a GET; status 0 when nothing answers yet."""
    try:
        with DIRECT.open(url, timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, OSError):  # refused, reset, or no answer yet
        return 0, ""


@pytest.fixture
def tomcat10(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    """A CATALINA_BASE for Debian's Tomcat 10.1 with `plain.war` in webapps and `legacy.war`
    in webapps-javaee, started on a loopback port; stopped after the test."""
    need((HOME / "bin" / "bootstrap.jar").is_file(), "tomcat10 is not installed")
    need(shutil.which("javac") is not None, "no javac (a JDK) to compile the test servlet")
    need(JAVAX_API.is_file(), "no javax servlet API jar (apt-get install libservlet-api-java)")
    jars = sorted(MIGRATION.glob("jakartaee-migration-*.jar")) if MIGRATION.is_dir() else []
    need(bool(jars), "no migration tool (apt-get install tomcat-jakartaee-migration)")
    base, port = tmp_path / "base", free_port()
    for folder in ("conf", "lib", "logs", "temp", "work", "webapps", "webapps-javaee"):
        (base / folder).mkdir(parents=True)
    (base / "conf" / "server.xml").write_text(SERVER_XML.format(port=port))
    shutil.copy(HOME / "etc" / "web.xml", base / "conf" / "web.xml")
    (base / "lib" / jars[-1].name).symlink_to(jars[-1])  # Tomcat's own download has it in lib/
    war = javax_war(tmp_path)
    (base / "webapps" / "plain.war").write_bytes(war)
    (base / "webapps-javaee" / "legacy.war").write_bytes(war)
    classpath = f"{HOME}/bin/bootstrap.jar:{HOME}/bin/tomcat-juli.jar"
    process = subprocess.Popen(
        ["java", "-cp", classpath, f"-Dcatalina.home={HOME}", f"-Dcatalina.base={base}",
         f"-Djava.io.tmpdir={base / 'temp'}", "org.apache.catalina.startup.Bootstrap", "start"],
        stdout=(base / "logs" / "out.txt").open("wb"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 180
        while get(f"http://127.0.0.1:{port}/legacy/hello")[0] in (0, 404, 503):
            assert process.poll() is None, (base / "logs" / "out.txt").read_text()
            assert time.monotonic() < deadline, (base / "logs" / "out.txt").read_text()
            time.sleep(0.5)
        yield base, port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_tomcat_10_refuses_javax_and_converts_legacy_app_base(
    tomcat10: tuple[Path, int], tmp_path: Path
) -> None:
    base, port = tomcat10
    status, body = get(f"http://127.0.0.1:{port}/legacy/hello")
    assert (status, body) == (200, "hello from javax")  # converted from webapps-javaee
    status, _ = get(f"http://127.0.0.1:{port}/plain/hello")
    assert status in (404, 500)  # javax.servlet.http.HttpServlet does not load
    log = (base / "logs" / "out.txt").read_text(errors="replace")
    assert "ClassNotFoundException: javax.servlet.http.HttpServlet" in log
    # what CC704 says of the same node, read as it is (transport local)
    inventory = tmp_path / "inventory.yaml"
    tomcat = {"catalina_base": str(base), "catalina_home": str(HOME)}
    node = {"transport": "local", "roles": ["tomcat"], "tomcat": tomcat}
    inventory.write_text(yaml.safe_dump({"cluster": "real", "nodes": {"tomcat01": node}}))
    said = {r.details["webapp"]: r for r in judge(inventory, "CC704")}
    assert said["plain"].status.value == "warn"
    assert "Tomcat 10.1.60 runs jakarta.servlet only" in said["plain"].message
    assert "legacyAppBase webapps-javaee" in said["plain"].message
    # the converted copy keeps its Java EE web.xml, and runs: CC704 knows it from its original
    assert said["legacy"].status.value == "pass", said["legacy"].message
    assert "converted it to jakarta.servlet from" in said["legacy"].message
    assert said["legacy"].details["descriptor"] == said["plain"].details["descriptor"]
