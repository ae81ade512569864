"""server.xml as Tomcat's Digester reads it: exact-case elements, ${...}, AJP secrets, clusters,
and files that are not well-formed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clustercheck.parsers.serverxml import (
    Component,
    context_config,
    parse_server_xml,
    read_xml,
    substitute,
)

PATH = "/opt/tomcat/conf/server.xml"


def simple(component: Component) -> str:
    """The class name without its package."""
    return (component.class_name or "").rsplit(".", 1)[-1]


def server(
    engine_body: str = "", service_extra: str = "", engine_attrs: str = "", server_attrs: str = ""
) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Server port="8005" shutdown="SHUTDOWN"{server_attrs}>
  <Service name="Catalina">
    {service_extra}
    <Engine name="Catalina" defaultHost="localhost"{engine_attrs}>
      {engine_body}
      <Host name="localhost" appBase="webapps"/>
    </Engine>
  </Service>
</Server>
""".encode()


FULL_CLUSTER = """<Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster"
         channelSendOptions="8">
  <Manager className="org.apache.catalina.ha.session.DeltaManager"
           expireSessionsOnShutdown="false"/>
  <Channel className="org.apache.catalina.tribes.group.GroupChannel">
    <Membership className="org.apache.catalina.tribes.membership.McastService"
                address="228.0.0.9" port="45599" frequency="500" dropTime="3000"/>
    <Receiver className="org.apache.catalina.tribes.transport.nio.NioReceiver"
              address="auto" port="4000" autoBind="100"/>
    <Sender className="org.apache.catalina.tribes.transport.ReplicationTransmitter">
      <Transport className="org.apache.catalina.tribes.transport.nio.PooledParallelSender"/>
    </Sender>
    <Interceptor
      className="org.apache.catalina.tribes.group.interceptors.TcpFailureDetector"/>
    <Interceptor
      className="org.apache.catalina.tribes.group.interceptors.MessageDispatchInterceptor"/>
  </Channel>
  <Valve className="org.apache.catalina.ha.tcp.ReplicationValve" filter=""/>
  <Valve className="org.apache.catalina.ha.session.JvmRouteBinderValve"/>
  <Deployer className="org.apache.catalina.ha.deploy.FarmWarDeployer"/>
  <ClusterListener className="org.apache.catalina.ha.session.ClusterSessionListener"/>
</Cluster>"""

# The seed how-to's fragments, assembled as an operator would paste them (its `##` remarks are
# text between elements, which XML accepts).
SEED = """<?xml version='1.0' encoding='utf-8'?>
<Server port="8005" shutdown="SHUTDOWN">
<Service name="Catalina">
<Connector port="8019" protocol="AJP/1.3" redirectPort="8443" />
<Engine name="Catalina" defaultHost="localhost" jvmRoute="tomcat01">##jvmRoute为本tomcat在workers.properties中的名字
<cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster" channelSendOptions="10"> ##异步模式下完成完成Session的拷贝并效验
     <manager className="org.apache.catalina.ha.session.DeltaManager"
                expireSessionsOnShutdown="false"
                notifyListenersOnReplication="true"/>
       <channel className="org.apache.catalina.tribes.group.GroupChannel">
         <membership className="org.apache.catalina.tribes.membership.McastService"
                     address="228.0.0.4"   ##组播地址
                     port="45564"
                     frequency="500"
                     dropTime="3000"/>
         <receiver className="org.apache.catalina.tribes.transport.nio.NioReceiver"
                    address="auto"
                   port="4031"
                   autoBind="100"
                   selectorTimeout="1000"
                   maxThreads="6"/>
         <!-- timeout="60000"-->
         <sender className="org.apache.catalina.tribes.transport.ReplicationTransmitter">
           <transport className="org.apache.catalina.tribes.transport.nio.PooledParallelSender" />
         </sender>
         <interceptor className="org.apache.catalina.tribes.group.interceptors.TcpFailureDetector"/>
         <interceptor className="org.apache.catalina.tribes.group.interceptors.MessageDispatch15Interceptor"/>
         <interceptor className="org.apache.catalina.tribes.group.interceptors.ThroughputInterceptor"/>
       </channel>
       <valve className="org.apache.catalina.ha.tcp.ReplicationValve"
              filter=".*\\.gif;.*\\.js;.*\\.jpg;.*\\.png;.*\\.htm;.*\\.html;.*\\.css;.*\\.txt;"/>##过滤一些不需要同步session的文件,提高反应速度;
       <valve className="org.apache.catalina.ha.session.JvmRouteBinderValve"/>
       <clusterlistener className="org.apache.catalina.ha.session.JvmRouteSessionIDBinderListener"/>
       <clusterlistener className="org.apache.catalina.ha.session.ClusterSessionListener"/>
     </cluster>
<Host name="localhost" appBase="webapps"/>
</Engine>
</Service>
</Server>
"""  # noqa: E501 (the seed's lines, verbatim)


def test_full_cluster_in_engine() -> None:
    sx = parse_server_xml(server(FULL_CLUSTER, engine_attrs=' jvmRoute="node1"'), PATH)
    assert sx.ok and not sx.problems
    assert (sx.engine_name, sx.default_host, sx.jvm_route, sx.jvm_route_line) == (
        "Catalina",
        "localhost",
        "node1",
        5,
    )
    cluster = sx.cluster
    assert cluster is not None and sx.clusters == [cluster]
    assert (cluster.parent, cluster.host, cluster.line) == ("Engine", None, 6)
    assert cluster.class_name == "org.apache.catalina.ha.tcp.SimpleTcpCluster"
    assert cluster.attrs["channelSendOptions"] == "8"
    assert cluster.manager and simple(cluster.manager) == "DeltaManager"
    assert cluster.manager.attrs["expireSessionsOnShutdown"] == "false"
    assert cluster.membership and cluster.membership.attrs["address"] == "228.0.0.9"
    assert cluster.membership.line == 11
    assert cluster.membership.path == "Server/Service/Engine/Cluster/Channel/Membership"
    assert cluster.receiver and cluster.receiver.attrs["port"] == "4000"
    assert cluster.channel and simple(cluster.channel) == "GroupChannel"
    assert cluster.sender and cluster.transport
    assert simple(cluster.transport) == "PooledParallelSender"
    assert [simple(i) for i in cluster.interceptors] == [
        "TcpFailureDetector",
        "MessageDispatchInterceptor",
    ]
    assert [simple(v) for v in cluster.valves] == ["ReplicationValve", "JvmRouteBinderValve"]
    assert [simple(c) for c in cluster.listeners] == ["ClusterSessionListener"]
    assert cluster.deployer and simple(cluster.deployer) == "FarmWarDeployer"
    assert cluster.members == []
    assert sx.hosts[0].name == "localhost" and sx.hosts[0].app_base == "webapps"


def test_seed_howto_lowercase_cluster_is_not_a_cluster() -> None:
    sx = parse_server_xml(SEED.encode(), PATH)
    # the remark `##组播地址` sits inside the <membership> start tag: not well-formed there
    assert sx.ok and [p.line for p in sx.problems] == [12]
    assert sx.clusters == [] and sx.cluster is None
    assert sx.jvm_route == "tomcat01"
    [ajp] = sx.ajp_connectors
    assert (ajp.port, ajp.secret, ajp.secret_required, ajp.address) == (8019, None, None, None)
    assert sx.root is not None
    strangers = {e.path: e for e in sx.root.iter() if e.tag[0].islower()}
    assert "Server/Service/Engine/cluster" in strangers
    assert strangers["Server/Service/Engine/cluster"].line == 6
    assert "Server/Service/Engine/cluster/channel/membership" in strangers
    listeners = [
        e.attrs["className"].rsplit(".", 1)[1]
        for e in sx.root.iter()
        if e.path == "Server/Service/Engine/cluster/clusterlistener"
    ]
    assert listeners == ["JvmRouteSessionIDBinderListener", "ClusterSessionListener"]
    interceptors = [
        e.attrs["className"].rsplit(".", 1)[1] for e in sx.root.iter() if e.tag == "interceptor"
    ]
    assert "MessageDispatch15Interceptor" in interceptors
    valve = next(e for e in sx.root.iter() if e.tag == "valve")
    assert valve.attrs["filter"].endswith(r".*\.txt;")
    assert any("timeout" in text for text, _ in sx.comments)


def test_cluster_in_host() -> None:
    data = b"""<Server><Service><Engine name="E" defaultHost="h1">
<Host name="h1" appBase="apps1"/>
<Host name="h2" appBase="apps2">
  <Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster"/>
</Host></Engine></Service></Server>"""
    sx = parse_server_xml(data, PATH)
    [cluster] = sx.clusters
    assert (cluster.parent, cluster.host, cluster.line) == ("Host", "h2", 4)
    assert cluster.manager is None and cluster.channel is None and cluster.membership is None
    assert [(h.name, h.app_base) for h in sx.hosts] == [("h1", "apps1"), ("h2", "apps2")]


def test_contexts_of_a_host() -> None:
    """A Host's <Context> elements (exact case, direct children), with ${...} substituted."""
    data = b"""<Server><Service><Engine name="E" defaultHost="h1">
<Host name="h1" appBase="apps1">
  <Context path="/shop" docBase="shop" sessionCookieName="${cookie}"/>
  <context path="/ignored"/>
  <Valve className="x"><Context path="/nested"/></Valve>
</Host></Engine></Service></Server>"""
    [host] = parse_server_xml(data, PATH, {"cookie": "SHOPID"}).hosts
    [context] = host.contexts
    assert (context.file, context.line) == (PATH, 3)
    assert context.attrs == {"path": "/shop", "docBase": "shop", "sessionCookieName": "SHOPID"}


@pytest.mark.parametrize(
    ("data", "attrs"),
    [
        (b'<?xml version="1.0"?>\n<Context cookies="false">\n</Context>', {"cookies": "false"}),
        (b"<context cookies='false'/>", None),  # Tomcat's rule matches <Context> only
        (b"<Server/>", None),
        (b"", None),
    ],
)
def test_context_file(data: bytes, attrs: dict[str, str] | None) -> None:
    path = "/opt/tomcat/conf/context.xml"
    context = context_config(read_xml(data, path), path)
    assert (context.attrs if context else None) == attrs
    if context is not None:
        assert (context.file, context.line) == (path, 2)


def test_static_members_under_membership_and_interceptor() -> None:
    body = """<Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster">
<Channel className="org.apache.catalina.tribes.group.GroupChannel">
 <Membership className="org.apache.catalina.tribes.membership.StaticMembershipService">
  <Member className="org.apache.catalina.tribes.membership.StaticMember" host="a" port="4000"/>
 </Membership>
 <Interceptor className="org.apache.catalina.tribes.group.interceptors.StaticMembershipInterceptor">
  <Member className="org.apache.catalina.tribes.membership.StaticMember" host="b" port="4001"/>
 </Interceptor>
</Channel></Cluster>"""
    cluster = parse_server_xml(server(body), PATH).cluster
    assert cluster is not None
    assert [(m.attrs["host"], m.tag) for m in cluster.members] == [("a", "Member"), ("b", "Member")]


def test_last_manager_wins_like_the_setter() -> None:
    body = """<Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster">
<Manager className="org.apache.catalina.ha.session.DeltaManager"/>
<Manager className="org.apache.catalina.ha.session.BackupManager"/></Cluster>"""
    cluster = parse_server_xml(server(body), PATH).cluster
    assert cluster and cluster.manager and simple(cluster.manager) == "BackupManager"


@pytest.mark.parametrize(
    ("connector", "port", "secret", "attr", "required", "ajp"),
    [
        ('port="8009" protocol="AJP/1.3"', 8009, None, None, None, True),
        ('port="8009" protocol="AJP/1.3" secret="s3"', 8009, "s3", "secret", None, True),
        (
            'port="8009" protocol="AJP/1.3" requiredSecret="old"',
            8009,
            "old",
            "requiredSecret",
            None,
            True,
        ),
        (
            'port="8009" protocol="AJP/1.3" request.secret="t6"',
            8009,
            "t6",
            "request.secret",
            None,
            True,
        ),
        # both set: Tomcat applies attributes in order, the last one wins
        ('protocol="AJP/1.3" requiredSecret="a" secret="b"', None, "b", "secret", None, True),
        (
            'protocol="AJP/1.3" secret="b" requiredSecret="a"',
            None,
            "a",
            "requiredSecret",
            None,
            True,
        ),
        ('port="8009" protocol="AJP/1.3" secretRequired="false"', 8009, None, None, False, True),
        ('port="8009" protocol="AJP/1.3" secretRequired="TRUE"', 8009, None, None, True, True),
        ('port="8009" protocol="AJP/1.3" secretRequired="yes"', 8009, None, None, False, True),
        (
            'port="8009" protocol="org.apache.coyote.ajp.AjpNioProtocol"',
            8009,
            None,
            None,
            None,
            True,
        ),
        (
            'port="8009" protocol="org.apache.coyote.ajp.AjpAprProtocol"',
            8009,
            None,
            None,
            None,
            True,
        ),
        (
            'port="8009" protocol="org.apache.jk.server.JkCoyoteHandler"',
            8009,
            None,
            None,
            None,
            True,
        ),
        ('port="8009" protocol="ajp/1.3"', 8009, None, None, None, False),  # exact match only
        ('port="8080"', 8080, None, None, None, False),
        ('port="8080" protocol="HTTP/1.1"', 8080, None, None, None, False),
        ('port="@AJP@" protocol="AJP/1.3"', None, None, None, None, True),
    ],
)
def test_connectors(
    connector: str,
    port: int | None,
    secret: str | None,
    attr: str | None,
    required: bool | None,
    ajp: bool,
) -> None:
    sx = parse_server_xml(server(service_extra=f"<Connector {connector}/>"), PATH)
    [c] = sx.connectors
    assert (c.port, c.secret, c.secret_attr, c.secret_required, c.is_ajp) == (
        port,
        secret,
        attr,
        required,
        ajp,
    )
    assert c.line == 4
    assert sx.ajp_connectors == ([c] if ajp else [])


def test_connector_defaults_and_address() -> None:
    sx = parse_server_xml(
        server(
            service_extra='<Connector port="8009" protocol="AJP/1.3" '
            'address="0.0.0.0"/><Connector/>'
        ),
        PATH,
    )
    first, second = sx.connectors
    assert first.address == "0.0.0.0" and first.attrs["port"] == "8009"
    assert (second.port, second.protocol, second.address) == (None, "HTTP/1.1", None)


def test_port_offset() -> None:
    sx = parse_server_xml(
        server(
            service_extra='<Connector port="8009" protocol="AJP/1.3"/>',
            server_attrs=' portOffset="100"',
        ),
        PATH,
    )
    assert sx.port_offset == 100
    assert (sx.connectors[0].port, sx.connectors[0].effective_port) == (8009, 8109)


def test_connectors_from_every_service_engine_facts_from_the_first() -> None:
    data = b"""<Server>
<Service name="A"><Connector port="8009" protocol="AJP/1.3"/>
  <Engine name="EA" defaultHost="a" jvmRoute="ra"/></Service>
<Service name="B"><Connector port="8010" protocol="AJP/1.3"/>
  <Engine name="EB" defaultHost="b" jvmRoute="rb"/></Service>
</Server>"""
    sx = parse_server_xml(data, PATH)
    assert [c.port for c in sx.ajp_connectors] == [8009, 8010]
    assert (sx.engine_name, sx.jvm_route, sx.jvm_route_line) == ("EA", "ra", 3)


@pytest.mark.parametrize(
    ("attrs", "route", "line"),
    [("", None, 5), (' jvmRoute=""', None, 5), (' jvmRoute="n1"', "n1", 5)],
)
def test_jvm_route(attrs: str, route: str | None, line: int) -> None:
    sx = parse_server_xml(server(engine_attrs=attrs), PATH)
    assert (sx.jvm_route, sx.jvm_route_line) == (route, line)


def test_no_engine() -> None:
    sx = parse_server_xml(b"<Server><Service/></Server>", PATH)
    assert sx.ok and sx.jvm_route is None and sx.jvm_route_line is None and sx.hosts == []


# ----------------------------------------------------------------------- substitution


@pytest.mark.parametrize(
    ("value", "props", "expected", "unresolved"),
    [
        ("${jvmRoute}", {"jvmRoute": "n1"}, "n1", []),
        ("${jvmRoute}", {}, "${jvmRoute}", ["${jvmRoute}"]),
        ("${a:-dflt}", {}, "dflt", []),
        ("${a:-dflt}", {"a": "set"}, "set", []),
        ("${a:-}", {}, "", []),
        ("${a:-dflt}", {"a:-dflt": "whole"}, "whole", []),  # the whole name is tried first
        ("x${a}y${b}z", {"a": "1"}, "x1y${b}z", ["${b}"]),
        ("${a}", {"a": "${b}", "b": "2"}, "${b}", []),  # one pass, no recursion
        ("$a ${ $", {}, "$a ${ $", []),  # no closing brace: verbatim, not a token
        ("${}", {}, "${}", ["${}"]),
        ("#HOSTNAME# @AJP@", {}, "#HOSTNAME# @AJP@", []),  # other templating is not ours
    ],
)
def test_substitute(
    value: str, props: dict[str, str], expected: str, unresolved: list[str]
) -> None:
    assert substitute(value, props) == (expected, unresolved)


def test_substitution_in_the_tree() -> None:
    data = server(
        service_extra='<Connector port="${ajp.port}" protocol="AJP/1.3" secret="${ajp.secret}"/>',
        engine_attrs=' jvmRoute="${jvmRoute:-fallback}"',
    )
    sx = parse_server_xml(data, PATH, {"ajp.port": "8011"})
    assert sx.jvm_route == "fallback"
    [ajp] = sx.ajp_connectors
    assert (ajp.port, ajp.secret) == (8011, "${ajp.secret}")
    assert sx.unresolved == [("${ajp.secret}", 4)]
    assert sx.default_syntax == [("${jvmRoute:-fallback}", 5)]
    assert sx.root and sx.root.children[0].children[0].attrs["port"] == "8011"


def test_element_text_is_trimmed_and_substituted_as_the_digester_does() -> None:
    """An <Alias> names its host in its body: trimmed, `${...}` replaced like attributes."""
    body = "<Host name='www' appBase='w'>\n  <Alias> ${alias} </Alias><Alias>${nope}</Alias></Host>"
    sx = parse_server_xml(server(engine_body=body), PATH, {"alias": "WWW.example.com"})
    assert sx.root is not None
    aliases = [e.text for e in sx.root.iter() if e.tag == "Alias"]
    assert aliases == ["WWW.example.com", "${nope}"]
    assert sx.unresolved == [("${nope}", 7)]
    assert all(e.text == "" for e in sx.root.iter() if e.tag != "Alias")


def test_no_properties_means_every_token_unresolved() -> None:
    sx = parse_server_xml(server(engine_attrs=' jvmRoute="${jvmRoute}"'), PATH, None)
    assert sx.jvm_route == "${jvmRoute}" and sx.unresolved == [("${jvmRoute}", 5)]


# -------------------------------------------------------------------- broken files


def test_comment_closed_with_bang() -> None:
    data = server(
        '<!--\n<Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster"/>\n'
        '--!>\n<Realm className="org.apache.catalina.realm.LockOutRealm"/>',
        engine_attrs=' jvmRoute="t1"',
    )
    sx = parse_server_xml(data, PATH)
    assert sx.ok and sx.jvm_route == "t1" and sx.clusters == []
    [problem] = sx.problems
    assert problem.line == 8 and "not well-formed" in problem.message
    assert sx.root and [e.tag for e in sx.root.iter()] == [
        "Server",
        "Service",
        "Engine",
        "Realm",
        "Host",
    ]
    assert sx.comments[0][1] == 6


def test_stray_ampersand() -> None:
    data = server(service_extra='<Connector port="8009" protocol="AJP/1.3" secret="a&b&amp;c"/>')
    sx = parse_server_xml(data, PATH)
    assert sx.ajp_connectors[0].secret == "a&b&c"
    assert [p.line for p in sx.problems] == [4]


def test_truncated_file_keeps_what_was_read() -> None:
    data = b"""<Server port="8005">
<Service name="Catalina">
<Connector port="8009" protocol="AJP/1.3"/>
<Engine name="Catalina" jvmRoute="tomcat1">
<Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster">
<Manager className="org.apache.catalina.ha.session.BackupManager"/>
"""
    sx = parse_server_xml(data, PATH)
    assert sx.ok and sx.jvm_route == "tomcat1"
    assert sx.cluster and sx.cluster.manager and sx.cluster.manager.line == 6
    assert [p.line for p in sx.problems] == [7]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("a&amp;b", "a&b"),
        ("&#65;&#x42;", "AB"),
        ("&#xD800;", "&#xD800;"),
        ("&#0;", "&#0;"),
        ("&nbsp;", "&nbsp;"),
        ("x\ty", "x y"),
    ],
)
def test_references_when_tolerant(written: str, read: str) -> None:
    data = f'<Server><Service><Engine jvmRoute="{written}"/></Service></Server><oops'
    sx = parse_server_xml(data.encode(), PATH)
    assert sx.problems and sx.jvm_route == read


def test_mismatched_tags_and_junk_in_tags() -> None:
    data = b"""<Server><Service><Engine name="E" jvmRoute="r" -junk>
<Host name="h" appBase="a"></Hots>
</Host></Engine></Service></Server>"""
    sx = parse_server_xml(data, PATH)
    assert sx.ok and sx.jvm_route == "r" and [h.name for h in sx.hosts] == ["h"]
    assert sx.problems[0].line == 1


def test_crlf_line_numbers() -> None:
    data = server(FULL_CLUSTER).replace(b"\n", b"\r\n")
    sx = parse_server_xml(data, PATH)
    assert sx.cluster and sx.cluster.line == 6 and sx.cluster.membership
    assert sx.cluster.membership.line == 11


def test_crlf_line_numbers_when_tolerant() -> None:
    data = (server(FULL_CLUSTER) + b"<oops").replace(b"\n", b"\r\n")
    sx = parse_server_xml(data, PATH)
    assert sx.problems and sx.cluster and sx.cluster.membership
    assert (sx.cluster.line, sx.cluster.membership.line) == (6, 11)


def test_gbk_comment_without_declaration() -> None:
    data = '<Server>\n<!-- 组播地址 -->\n<Service><Engine jvmRoute="n"/></Service></Server>'
    sx = parse_server_xml(data.encode("gbk"), PATH)
    assert sx.ok and sx.jvm_route == "n"
    [problem] = sx.problems
    assert problem.line == 2 and "not valid utf-8" in problem.message


def test_gbk_bytes_under_a_utf8_declaration() -> None:
    data = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Server>\n<!-- 集群 -->\n'
        '<Service><Engine jvmRoute="n"/></Service></Server>'
    ).encode("gbk")
    sx = parse_server_xml(data, PATH)
    assert sx.jvm_route == "n"
    assert [p.line for p in sx.problems] == [3]
    assert "declared" in sx.problems[0].message


@pytest.mark.parametrize(
    ("encoding", "route"), [("ISO-8859-1", "né"), ("GBK", "节点"), ("windows-1252", "nœud")]
)
def test_declared_encoding_is_honoured(encoding: str, route: str) -> None:
    text = (
        f'<?xml version="1.0" encoding="{encoding}"?>\n'
        f'<Server><Service><Engine jvmRoute="{route}"/></Service></Server>'
    )
    sx = parse_server_xml(text.encode(encoding), PATH)
    assert not sx.problems and sx.jvm_route == route


def test_unknown_declared_encoding() -> None:
    sx = parse_server_xml(b'<?xml version="1.0" encoding="x-nope"?><Server/>', PATH)
    assert sx.ok and "unknown encoding" in sx.problems[0].message


def test_utf8_bom() -> None:
    sx = parse_server_xml(b"\xef\xbb\xbf" + server(engine_attrs=' jvmRoute="b"'), PATH)
    assert sx.jvm_route == "b" and not sx.problems


def test_entity_declarations_are_refused() -> None:
    data = b"""<?xml version="1.0"?>
<!DOCTYPE Server [
  <!ENTITY route "boom">
]>
<Server><Service><Engine jvmRoute="&route;"/></Service></Server>"""
    sx = parse_server_xml(data, PATH)
    assert not sx.ok and sx.root is None
    assert [(p.line, p.message) for p in sx.problems] == [
        (3, "entity declarations are not allowed")
    ]


def test_entity_declarations_are_refused_when_tolerant_too() -> None:
    data = b'<!DOCTYPE S [<!ENTITY e "x">]><Server a="&"><Service/></Server>'
    sx = parse_server_xml(data, PATH)
    assert not sx.ok and sx.problems[-1].message == "entity declarations are not allowed"


def test_external_dtd_is_neither_fetched_nor_an_error() -> None:
    data = b'<!DOCTYPE Server SYSTEM "http://127.0.0.1:9/x.dtd"><Server><Service/></Server>'
    sx = parse_server_xml(data, PATH)
    assert sx.ok and not sx.problems


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "no XML element found"),
        (b"just text", "no XML element found"),
        (b"<server><Service/></server>", "the root element is <server>"),
        (b"<Context docBase='x'/>", "the root element is <Context>"),
    ],
)
def test_nothing_usable(data: bytes, message: str) -> None:
    sx = parse_server_xml(data, PATH)
    assert not sx.ok
    assert message in sx.problems[-1].message


def test_wrong_root_keeps_its_tree() -> None:
    sx = parse_server_xml(b"<server><service/></server>", PATH)
    assert sx.root and [e.path for e in sx.root.iter()] == ["server", "server/service"]


def test_read_xml_keeps_every_top_level_element_of_a_fragment() -> None:
    doc = read_xml(b"<a/>\n<b>\n</c>", "f.xml")
    assert [(r.tag, r.line) for r in doc.roots] == [("a", 1), ("b", 2)]
    assert doc.problems


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_raise(data: bytes) -> None:
    parse_server_xml(data, PATH)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(SEED.encode()) - 1), st.integers(1, 40), st.binary(max_size=8))
def test_mangled_seed_never_raises(at: int, cut: int, junk: bytes) -> None:
    data = SEED.encode()
    parse_server_xml(data[:at] + junk + data[at + cut :], PATH, {"x": "y"})


def test_a_later_cluster_replaces_an_earlier_one_and_local_member_is_kept() -> None:
    tribes = "org.apache.catalina.tribes."
    body = f"""<Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster"/>
<Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster">
<Channel className="{tribes}group.GroupChannel">
 <Membership className="{tribes}membership.StaticMembershipService">
  <LocalMember className="{tribes}membership.StaticMember"/>
 </Membership>
</Channel></Cluster>"""
    first, second = parse_server_xml(server(body), PATH).clusters
    assert (first.replaced, second.replaced) == (True, False)
    assert first.local_member is None
    assert second.local_member is not None and second.local_member.line == 10
