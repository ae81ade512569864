"""Secrets never leave clustercheck: a cluster full of distinct canary secrets, written in every
form a configuration file allows, is judged live and from its snapshot through every output, and
no byte written anywhere holds a canary or a piece of one; the snapshot still means what its
source means (the same findings)."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from clusterfiles import BASE, HEALTHY_WORKERS, JK_CONF, build, catalina_jar, three_tomcats, web_xml
from support import need

from clustercheck.cli.main import main
from clustercheck.collect.gather import gather
from clustercheck.collect.redact import Redactor
from clustercheck.collect.snapshot import Recorder, write_snapshot
from clustercheck.collect.transports.hostkeys import HostKeyStore
from clustercheck.collect.transports.ssh import SshTransport
from clustercheck.engine.check import check
from clustercheck.engine.results import Finding, Scope, warned
from clustercheck.engine.runner import run_checks
from clustercheck.facts.cluster import ClusterFacts
from clustercheck.facts.jvm import JvmFacts
from clustercheck.inventory.loader import load_inventory
from clustercheck.inventory.settings import NodeSettings, SshSettings
from clustercheck.knowledge.secrets import is_secret_name
from clustercheck.parsers.serverxml import parse_server_xml
from clustercheck.parsers.workers import parse_workers

# Canaries: upper-case letters G-Z only, so that no fingerprint (lower-case hex) and no word of a
# report can hold six letters of one by chance.
CANARY = {
    "ajp": "QTVXRMKZPWLN",  # worker template secret = tomcat01's connector secret
    "ajp2": "RZKWTMXQVPNL",  # tomcat02's connector, through ${ajp.secret}
    "ajp3": "WXTQZRKMNPLV",  # tomcat03's requiredSecret (different from the workers': CC103)
    "quoted": "KPZWXRTMQNLV",  # worker.tomcat03.secret="..." (mod_jk keeps the quotes)
    "cut1": "MZQXWKRTPVNL",  # worker.tomcat02.secret=cut1#cut2: mod_jk reads only cut1
    "cut2": "NXZWQKTRMPLV",
    "var": "PRQZXWTKMNLV",  # $(ajp_var) in worker.status.secret
    "named": "ZWQXKRTMPNLV",  # a worker named like its own secret
    "nbsp": "TQXZWKRMPNLV",  # a secret ending in a non-breaking space
    "ks1": "XQZKWRTMNPLV",  # keystorePass with an entity inside: ks1&ks2
    "ks2": "VKZQXWRTMPLN",
    "charref": "LZQXWKRTMPVN",  # truststorePass written with a character reference
    "default": "KQZXWRTMPNLV",  # ${undefined.pass:-default}
    "enc": "WQZXKRTMPNLV",  # EncryptInterceptor encryptionKey
    "realm": "XZQWKRTMPNLV",  # JNDIRealm connectionPassword
    "resource": "QZXWKRTMPNLV",  # a GlobalNamingResources Resource password
    "comment": "ZXQWKRTMPNLV",  # a secret in a commented-out Connector
    "multiline": "RQZXWKTMPNLV",  # Secret=\n"..." on tomcat02
    "props": "TZQXWKRMPNLV",  # catalina.properties, continued and \u-escaped
    "sysprop": "MQZXWKRTPNLV",  # the inventory's tomcat.system_properties
    "context": "NQZXWKRTMPLV",  # a context file's Resource password
    "param": "PQZXWKRTMNLV",  # a context file's <Parameter name=...password value=...>
    "webxml": "KZQXWRTMPNLV",  # web.xml param-value in CDATA
    "users": "WZQXKRTMPNLV",  # tomcat-users.xml
    "proxy": "XWQZKRTMPNLV",  # httpd BalancerMember secret=
    "ldap": "QXZWKRTMPNLV",  # httpd AuthLDAPBindPassword
    "jkprop": "ZQXWKRTMPNLV",  # JkWorkerProperty worker.tomcat03.secret=
    "broken": "RXZQWKTMPNLV",  # on the failing line of a malformed server.xml
    "brokenw": "TXZQWKRMPNLV",  # on a malformed line of a workers file
    # forms only a snapshot file holds (test_every_form_of_a_file_is_hidden_in_a_snapshot)
    "export": "VZQXWKRTMPNL",
    "opts": "LQZXWKRTMPNV",
    "windows": "MZXQWKRTPNLV",
    "entity": "NZXQWKRTMPLV",
    "unquoted": "PZXQWKRTMNLV",
    "escapedkey": "QVZXWKRTMPNL",
    "utf16": "RVZXWKQTMPNL",
    "ifmodule": "TVZXWKQRMPNL",
}
PIECE = 6  # no run of this many characters of a canary may be written anywhere


def _pieces() -> re.Pattern[bytes]:
    pieces = {c[i : i + PIECE] for c in CANARY.values() for i in range(len(c) - PIECE + 1)}
    return re.compile(b"|".join(re.escape(p.encode()) for p in sorted(pieces)))


PIECES = _pieces()


def leaks(data: bytes | str) -> list[str]:
    """Every canary piece found, with some context."""
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    return [
        raw[max(m.start() - 30, 0) : m.end() + 30].decode("utf-8", "replace")
        for m in PIECES.finditer(raw)
    ]


def written_under(folder: Path) -> Iterator[tuple[Path, bytes]]:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            yield path, path.read_bytes()


C = CANARY
SERVER_XML = {
    "tomcat01": f"""\
        <?xml version="1.0" encoding="UTF-8"?>
        <Server port="-1" shutdown="SHUTDOWN">
          <GlobalNamingResources>
            <Resource name="jdbc/db" auth="Container" type="javax.sql.DataSource"
                      username="app" password="{C["resource"]}"/>
          </GlobalNamingResources>
          <Service name="Catalina">
            <Connector port="8080" protocol="HTTP/1.1"/>
            <Connector port="8443" protocol="HTTP/1.1" SSLEnabled="true" scheme="https"
                       keystoreFile="conf/ks.p12" keystorePass="{C["ks1"]}&amp;{C["ks2"]}"
                       truststoreFile="conf/ts.p12"
                       truststorePass="&#{ord(C["charref"][0])};{C["charref"][1:]}"
                       certificateKeystorePassword="${{undefined.pass:-{C["default"]}}}"/>
            <!-- old: <Connector port="8010" protocol="AJP/1.3" secret="{C["comment"]}"/> -->
            <Connector port="8009" protocol="AJP/1.3" address="0.0.0.0" secret="{C["ajp"]}"/>
            <Engine name="Catalina" defaultHost="localhost" jvmRoute="tomcat01">
              <Realm className="org.apache.catalina.realm.JNDIRealm" connectionURL="ldap://ldap:389"
                     connectionName="cn=tomcat" connectionPassword="{C["realm"]}"/>
              <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster">
                <Channel className="org.apache.catalina.tribes.group.GroupChannel">
                  <Membership className="org.apache.catalina.tribes.membership.McastService"
                              address="228.0.0.4" port="45564" frequency="500" dropTime="3000"/>
                  <Interceptor
                    className="org.apache.catalina.tribes.group.interceptors.EncryptInterceptor"
                               encryptionKey="{C["enc"]}"/>
                </Channel>
              </Cluster>
              <Host name="localhost" appBase="webapps"/>
            </Engine>
          </Service>
        </Server>
        """,
    "tomcat02": f"""\
        <?xml version="1.0" encoding="UTF-8"?>
        <Server port="-1" shutdown="SHUTDOWN">
          <Service name="Catalina">
            <Connector port="8009" protocol="AJP/1.3" address="0.0.0.0" Secret="${{ajp.secret}}"/>
            <Connector port="8010" protocol="AJP/1.3" address="127.0.0.1"
                       keystorePass="${{sys.pass}}"
                       Secret=
                       "{C["multiline"]}"/>
            <Engine name="Catalina" defaultHost="localhost" jvmRoute="tomcat02">
              <Host name="localhost" appBase="webapps"/>
            </Engine>
          </Service>
        </Server>
        """,
    "tomcat03": f"""\
        <?xml version="1.0" encoding="UTF-8"?>
        <Server port="-1" shutdown="SHUTDOWN">
          <Service name="Catalina">
            <Connector port="8009" protocol="AJP/1.3" address="0.0.0.0"
                       requiredSecret='{C["ajp3"]}'/>
            <Connector port="8011" protocol="AJP/1.3" secret="{C["broken"]}" address=0.0.0.0/>
            <Engine name="Catalina" defaultHost="localhost" jvmRoute="tomcat03">
              <Host name="localhost" appBase="webapps"/>
            </Engine>
          </Service>
        </Server>
        """,
}
CATALINA_PROPERTIES = f"""\
    # the AJP secret, continued on a second line and with an escaped letter
    ajp.secret={C["ajp2"][:5]}\\
        \\u{ord(C["ajp2"][5]):04x}{C["ajp2"][6:]}
    other.password = {C["props"]}
    """
WORKERS = f"""\
    worker.list=lb,status,{C["named"]}
    ajp_var={C["var"]}
    worker.template.type=ajp13
    worker.template.port=8009
    worker.template.secret={C["ajp"]}
    worker.tomcat01.reference=worker.template
    worker.tomcat01.host=10.0.0.11
    worker.tomcat02.reference=worker.template
    worker.tomcat02.host=10.0.0.12
    worker.tomcat02.secret={C["cut1"]}#{C["cut2"]}
    worker.tomcat03.reference=worker.template
    worker.tomcat03.host=10.0.0.13
    worker.tomcat03.secret="{C["quoted"]}"
    worker.lb.type=lb
    worker.lb.balance_workers=tomcat01,tomcat02,tomcat03
    worker.lb.secret={C["nbsp"]}\u00a0
    worker.status.type=status
    worker.status.secret=$(ajp_var)
    worker.{C["named"]}.type=ajp13
    worker.{C["named"]}.host=10.0.0.11
    worker.{C["named"]}.port=8009
    worker.{C["named"]}.secret={C["named"]}
    worker.tomcat03.secret {C["brokenw"]}
    """
JK = f"""\
    JkWorkersFile conf/workers.properties
    JkWorkerProperty worker.tomcat03.secret={C["jkprop"]}
    JkMount /* lb
    <Proxy "balancer://other">
      BalancerMember ajp://10.0.0.11:8009 secret={C["proxy"]} route=tomcat01
    </Proxy>
    <Location /private>
      AuthLDAPBindPassword "{C["ldap"]}"
    </Location>
    """
CONTEXT = f"""\
    <Context docBase="/srv/apps/shop">
      <Resource name="jdbc/shop" type="javax.sql.DataSource" password="{C["context"]}"/>
      <Parameter name="shop.db.password" value="{C["param"]}" override="false"/>
    </Context>
    """
WEB_XML_WITH_PARAM = f"""\
    <?xml version="1.0" encoding="UTF-8"?>
    <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
      <distributable/>
      <context-param>
        <param-name>db.password</param-name>
        <param-value><![CDATA[{C["webxml"]}]]></param-value>
      </context-param>
    </web-app>
    """


def hostile_cluster(tmp: Path) -> Path:
    """Three Tomcats and a balancer whose files hold every canary."""
    nodes: dict[str, Any] = {"web1": {"host": "10.0.0.1", "roles": ["apache"]}}
    files: dict[str, Any] = {
        "web1": {
            JK_CONF: textwrap.dedent(JK),
            "/etc/httpd/conf/workers.properties": textwrap.dedent(WORKERS),
        }
    }
    for index, name in enumerate(SERVER_XML, start=1):
        nodes[name] = {"host": f"10.0.0.1{index}", "roles": ["tomcat"]}
        files[name] = {
            f"{BASE}/conf/server.xml": textwrap.dedent(SERVER_XML[name]),
            f"{BASE}/lib/catalina.jar": catalina_jar("10.1.60"),
            f"{BASE}/webapps/shop/WEB-INF/web.xml": textwrap.dedent(WEB_XML_WITH_PARAM),
            f"{BASE}/conf/tomcat-users.xml": (
                f'<tomcat-users><user username="admin" password="{C["users"]}"'
                ' roles="manager-gui"/></tomcat-users>\n'
            ),
            f"{BASE}/conf/Catalina/localhost/shop2.xml": textwrap.dedent(CONTEXT),
            "/srv/apps/shop/WEB-INF/web.xml": web_xml(True),
        }
    files["tomcat02"][f"{BASE}/conf/catalina.properties"] = textwrap.dedent(CATALINA_PROPERTIES)
    nodes["tomcat02"]["tomcat"] = {
        "catalina_base": BASE,
        "system_properties": {"sys.pass": C["sysprop"]},
    }
    return build(tmp, nodes, files)


def findings(report: dict[str, Any], root: Path) -> list[str]:
    """What a run found, in a comparable form (the folder that holds the nodes' files aside)."""
    keys = ("code", "node", "status", "message", "file", "line", "details")
    found = (json.dumps([r[k] for k in keys], sort_keys=True) for r in report["results"])
    return sorted(f.replace(str(root), "ROOT") for f in found)


def test_no_canary_reaches_any_output_and_the_snapshot_means_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = hostile_cluster(tmp_path / "cluster")
    out = tmp_path / "out"
    snapshot = tmp_path / "snapshot"
    written: list[tuple[str, bytes | str]] = []

    def run(*argv: str) -> int:
        code = main(list(argv))
        captured = capsys.readouterr()
        written.append((f"stdout of {argv}", captured.out))
        written.append((f"stderr of {argv}", captured.err))
        return code

    broken = tmp_path / "broken.yaml"  # the error path: every problem of an inventory is told
    broken.write_text(inventory.read_text().replace("system_properties:", "system_propertys:"))
    assert run("run", str(broken)) == 2
    reports = {}
    for target, tag in ((str(inventory), "live"), (str(snapshot), "snap")):
        if tag == "snap":
            assert run("collect", str(inventory), "-o", str(snapshot)) == 0
        run(
            "run",
            target,
            "--json",
            str(out / f"{tag}.json"),
            "--junit",
            str(out / f"{tag}.xml"),
            "--html",
            str(out / f"{tag}.html"),
            "--prometheus",
            str(out / f"{tag}.prom"),
            "--history",
            str(out / "history.db"),
        )
        run("run", target, "--nagios")
        run("run", target, "--output", "terminal=-")
        reports[tag] = json.loads((out / f"{tag}.json").read_text())
    run("history", str(out / "history.db"))
    for code in ("CC103", "CC603", "CC604"):
        run("explain", code)
    written += [(str(p), data) for p, data in written_under(out)]
    written += [(str(p), data) for p, data in written_under(snapshot)]
    found = {where: leaks(data) for where, data in written if leaks(data)}
    assert not found, "\n".join(f"{where}: {pieces}" for where, pieces in found.items())
    live = findings(reports["live"], inventory.parent)
    assert findings(reports["snap"], snapshot / "nodes") == live


@pytest.mark.parametrize(
    "name",
    [
        "secret", "Secret", "requiredSecret", "request.secret", "keystorePass", "truststorePass",
        "certificateKeystorePassword", "connectionPassword", "encryptionKey", "password",
        "secretkey", "SSLPassword", "javax.net.ssl.keyStorePassword", "DB_PASSWORD", "api.token",
        "secrte",
    ],
)  # fmt: skip
def test_names_that_hold_a_secret(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "secretRequired", "SecretRequired", "keystoreFile", "keyAlias", "truststoreType",
        "certificateKeyPasswordFile", "jvmRoute", "address", "username", "className", "route",
        "ProxyPass", "proxypass",
    ],
)  # fmt: skip
def test_names_that_do_not(name: str) -> None:
    assert not is_secret_name(name)


def redacted(files: dict[str, str]) -> tuple[dict[str, str], Redactor]:
    redactor = Redactor({path: text.encode() for path, text in files.items()}, ())
    return {p: redactor.file(p, t.encode()).decode() for p, t in files.items()}, redactor


def test_a_proxypass_rule_is_no_secret_but_its_secret_parameter_is() -> None:
    """ProxyPass ends like `keystorePass`: its rule stays in a snapshot (else the snapshot
    proxies nothing), and only its `secret=` is replaced."""
    rule = "ProxyPass /app ajp://10.0.0.11:8009/app"
    files, _redactor = redacted({"/etc/httpd/conf.d/proxy.conf": f"{rule} secret={C['proxy']}\n"})
    assert files["/etc/httpd/conf.d/proxy.conf"].startswith(f"{rule} secret=cc-hmac-")


def test_a_secret_written_like_a_name_or_a_word_keeps_what_the_files_mean() -> None:
    """`secret="secret"` keeps its attribute; a worker named like its secret is renamed
    everywhere it is named; a secret too short to hide elsewhere (`lb`) is hidden only where it
    is set, so the lb worker keeps its name and type."""
    files, redactor = redacted(
        {
            "/conf/server.xml": (
                '<Server><Service><Connector secret="secret" password="password"/></Service>'
                "</Server>"
            ),
            "/conf/workers.properties": (
                "worker.list=lb,backend1\nworker.lb.type=lb\nworker.lb.secret=lb\n"
                "worker.lb.balance_workers=backend1\nworker.backend1.secret=backend1\n"
            ),
            "/conf/httpd.conf": "JkMount /app/* backend1\n",
        }
    )
    connector = parse_server_xml(files["/conf/server.xml"].encode(), "server.xml").connectors[0]
    fingerprint = redactor.fingerprint
    assert connector.secret == fingerprint("secret")
    assert connector.attrs["password"] == fingerprint("password")
    workers = parse_workers(files["/conf/workers.properties"], "workers.properties")
    backend = fingerprint("backend1")
    assert workers.workers["lb"].type == "lb" and workers.workers["lb"].members == [backend]
    assert workers.workers["lb"].secret == fingerprint("lb")
    assert workers.workers[backend].secret == backend
    assert files["/conf/httpd.conf"] == f"JkMount /app/* {backend}\n"


def test_a_reference_keeps_pointing_at_a_hidden_value() -> None:
    """`${name}` and `$(name)` stay; what they name is hidden where it is set, whatever its name
    says, and so is a default after `:-`."""
    files, redactor = redacted(
        {
            "/t/conf/server.xml": (
                '<Server><Connector secret="${ajp.x}" keystorePass="${k:-defaultsecret}"/></Server>'
            ),
            "/t/conf/catalina.properties": "ajp.x=ajpsecretvalue\n",
            "/w/workers.properties": "shared=jksecretvalue\nworker.a.secret=$(shared)\n",
        }
    )
    fingerprint = redactor.fingerprint
    assert files["/t/conf/catalina.properties"] == f"ajp.x={fingerprint('ajpsecretvalue')}\n"
    assert 'secret="${ajp.x}"' in files["/t/conf/server.xml"]
    assert f'keystorePass="${{k:-{fingerprint("defaultsecret")}}}"' in files["/t/conf/server.xml"]
    workers = parse_workers(files["/w/workers.properties"], "workers.properties")
    assert workers.workers["a"].secret == fingerprint("jksecretvalue")
    assert redactor.value("ajp.x", "fromtheinventory") == fingerprint("fromtheinventory")


def test_no_result_shows_a_secret_of_the_facts_even_from_a_crashing_check(tmp_path: Path) -> None:
    """The runner, where findings become the text of every output, hides every secret of the
    facts in the message, the details and the file, also as repr() quotes it."""
    facts = gather(load_inventory(hostile_cluster(tmp_path)))

    def quotes(cluster: ClusterFacts) -> Iterator[Finding]:
        yield warned(f"see {C['ajp']!r}", file=f"/x/{C['realm']}", details={"v": [C["enc"]]})

    def crashes(cluster: ClusterFacts) -> Iterator[Finding]:
        raise ValueError(f"cannot read {C['props']}")

    checks = []
    for code, judge in (("XX900", quotes), ("XX901", crashes)):
        judge.__doc__ = "Quotes secrets.\n\n## Why it matters\nNo.\n\n## How to fix\nNo.\n"
        checks.append(check(code, judge.__name__, scope=Scope.CLUSTER)(judge))
    results = run_checks(checks, facts)
    assert [r.message for r in results] == [
        "see '***'",
        "check crashed: ValueError: cannot read ***",
    ]
    assert (results[0].file, results[0].details) == ("/x/***", {"v": ["***"]})


def test_the_sudo_password_travels_on_standard_input_never_in_a_command_line() -> None:
    node = NodeSettings("n", "h", ("tomcat",), ssh=SshSettings(become=True))
    transport = SshTransport(node, HostKeyStore())
    transport._become_password = C["users"]  # as read from become_password_env
    transport._sudo_needs_password = True
    argv, stdin = transport._as_root(("cat", "/opt/tomcat/conf/server.xml"), None)
    assert not leaks(" ".join(argv)) and stdin == C["users"].encode() + b"\n"


def test_the_launchers_output_in_a_snapshot_holds_no_secret(tmp_path: Path) -> None:
    """JAVA_TOOL_OPTIONS reach every JVM the probe starts, and it prints them."""
    inventory = hostile_cluster(tmp_path / "cluster")
    recorder = Recorder()
    facts = gather(load_inventory(inventory), on_read=recorder)
    raw = (
        f"Picked up JAVA_TOOL_OPTIONS: -Djavax.net.ssl.trustStorePassword={C['sysprop']}\n"
        "Property settings:\n"
        f"    javax.net.ssl.trustStorePassword = {C['sysprop']}\n    java.version = 17.0.9\n"
    )
    facts.nodes["tomcat01"].live.jvm = JvmFacts("java", "PATH", version="17.0.9", raw=raw)
    write_snapshot(facts, recorder, tmp_path / "snapshot")
    written = (tmp_path / "snapshot" / "snapshot.json").read_text()
    assert not leaks(written) and "java.version = 17.0.9" in written


def test_a_secret_that_is_also_a_nodes_name_is_hidden_only_where_it_is_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A node's name shows in every report and in a snapshot's layout: a secret equal to it is
    replaced where it is set, and the worker, jvmRoute and paths named like it keep their name,
    so the snapshot is judged as its source."""
    workers = HEALTHY_WORKERS.replace("secret=s3cret", "secret=tomcat01")
    inventory = three_tomcats(tmp_path / "cluster", workers=workers)
    snapshot = tmp_path / "snapshot"
    assert main(["collect", str(inventory), "-o", str(snapshot)]) == 0
    capsys.readouterr()
    reports = {}
    for target in (inventory, snapshot):
        main(["run", str(target), "--json", "-", "--quiet"])
        reports[target] = json.loads(capsys.readouterr().out)
    live = findings(reports[inventory], inventory.parent)
    assert findings(reports[snapshot], snapshot / "nodes") == live
    written = (snapshot / "nodes/web1/etc/httpd/conf/workers.properties").read_text()
    assert "worker.template.secret=cc-hmac-" in written
    assert "worker.tomcat01.host=10.0.0.11" in written


@pytest.mark.parametrize(
    ("path", "text", "kept"),
    [
        (
            "/opt/tomcat/bin/setenv.sh",
            f'export JAVA_OPTS="$JAVA_OPTS -Dajp.secret={C["export"]} -Xmx1g"\n'
            f"CATALINA_OPTS=-Djavax.net.ssl.keyStorePassword={C['opts']}\n"
            f'set "JAVA_OPTS=%JAVA_OPTS% -Dx.password={C["windows"]}"\n',
            ['export JAVA_OPTS="$JAVA_OPTS -Dajp.secret=cc-hmac-', " -Xmx1g", "set "],
        ),
        (
            "/opt/tomcat/conf/server.xml",
            f'<!DOCTYPE Server [<!ENTITY pw "{C["entity"]}">]>\n'
            f'<Server><Connector secret="&pw;" keystorePass={C["unquoted"]}/></Server>\n',
            ['<!ENTITY pw "cc-hmac-', 'secret="&pw;"', "keystorePass=cc-hmac-"],
        ),
        (
            "/etc/httpd/conf.d/ldap.conf",
            f'<IfModule ldap_module>\n  AuthLDAPBindPassword "{C["ifmodule"]}"\n</IfModule>\n',
            ['  AuthLDAPBindPassword "cc-hmac-'],
        ),
        (
            "/opt/tomcat/conf/catalina.properties",
            f"ajp.s\\u0065cret={C['escapedkey']}\n",
            ["ajp.s\\u0065cret=cc-hmac-"],
        ),
    ],
)
def test_every_form_of_a_file_is_hidden_in_a_snapshot(
    path: str, text: str, kept: list[str]
) -> None:
    """Secrets as scripts, DOCTYPEs, malformed XML and escaped keys write them."""
    files, _redactor = redacted({path: text})
    assert not leaks(files[path]) and all(k in files[path] for k in kept), files[path]


def test_a_utf16_file_keeps_its_encoding_and_loses_its_secret() -> None:
    data = f'\ufeff<Server><Connector secret="{C["utf16"]}"/></Server>'.encode("utf-16-le")
    written = Redactor({"server.xml": data}, ()).file("server.xml", data).decode("utf-16-le")
    assert not leaks(written) and written.startswith('\ufeff<Server><Connector secret="cc-hmac-')


def test_a_module_binary_keeps_every_byte_and_a_known_secret_is_masked_in_place() -> None:
    """A .so is no configuration: its strings (mod_jk.so holds `.secret`) set nothing, so the
    snapshot keeps it byte for byte; a known secret that happens to stand in it is masked in
    place, so that every offset (the module structure CC104 reads) holds."""
    module = Path("/usr/lib/apache2/modules/mod_jk.so")
    need(module.exists(), f"needs {module}")
    data = module.read_bytes()
    assert b".secret" in data
    assert Redactor({"mod_jk.so": data}, known=()).file("mod_jk.so", data) == data
    planted = data[:4096] + b"\x00labsecret-1234\x00" + data[4096:]
    kept = Redactor({"mod_jk.so": planted}, known={"labsecret-1234"}).file("mod_jk.so", planted)
    assert len(kept) == len(planted) and b"labsecret" not in kept
    assert kept.replace(b"*" * 14, b"labsecret-1234") == planted


@pytest.mark.parametrize(
    ("secret", "form"),
    [
        (
            "0123456789abcdef0123456789ABCDEF",
            r"cc0ffee5[0-9a-f]{24}",
        ),  # AES-128, as Tomcat takes it
        ("0123456789abcdef" * 5, r"cc0ffee5[0-9a-f]{72}"),  # longer than one digest
        ("0123456789abcde", r"cc-hmac-[0-9a-f]{20}"),  # odd: Tomcat refuses it, so may CC605
        ("GHIJKLMNOPQRSTUVWXYZ", r"cc-hmac-[0-9a-f]{20}"),
    ],
)
def test_a_hexadecimal_key_keeps_its_form_in_the_snapshot(secret: str, form: str) -> None:
    """An EncryptInterceptor's encryptionKey is hex digits, an even number of them: its
    fingerprint is too (same length), so what Tomcat makes of the key, judged by CC605 and
    CC508, is the same from the snapshot; equal keys stay equal, and the key is gone."""
    redactor = Redactor({}, known={secret})
    written = redactor.fingerprint(secret)
    assert re.fullmatch(form, written) and secret.lower() not in written.lower()
    assert written == redactor.fingerprint(secret) != Redactor({}, ()).fingerprint(secret)
