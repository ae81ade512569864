"""What a node's <Cluster> means once Tomcat's defaults are filled in."""

from __future__ import annotations

import pytest

from clustercheck.derive.cluster_config import multicast_group, receiver_bind
from clustercheck.facts.cluster import NodeFacts
from clustercheck.facts.files import TomcatFacts
from clustercheck.inventory.settings import NodeSettings
from clustercheck.parsers.serverxml import parse_server_xml

SERVER = """<Server port="8005" shutdown="SHUTDOWN"><Service name="Catalina">
<Engine name="Catalina" defaultHost="localhost">
<Cluster className="org.apache.catalina.ha.tcp.SimpleTcpCluster"><Channel
 className="org.apache.catalina.tribes.group.GroupChannel">{membership}</Channel></Cluster>
<Host name="localhost" appBase="webapps"/></Engine></Service></Server>"""


def node(membership: str) -> NodeFacts:
    path = "/opt/tomcat/conf/server.xml"
    server = parse_server_xml(SERVER.format(membership=membership).encode(), path)
    tomcat = TomcatFacts("/opt/tomcat", "/opt/tomcat", path, server, version="10.1.60")
    return NodeFacts(NodeSettings("t1", "10.0.0.1", ("tomcat",)), tomcat=tomcat)


@pytest.mark.parametrize(
    ("membership", "group"),
    [
        pytest.param("", ("228.0.0.4", 45564), id="default McastService"),
        pytest.param(
            '<Membership className="org.apache.catalina.tribes.membership.McastService"'
            ' address="228.0.0.9" port="45999"/>',
            ("228.0.0.9", 45999),
            id="configured",
        ),
        pytest.param(
            '<Membership className="org.apache.catalina.cluster.mcast.McastService"/>',
            None,
            id="Tomcat 5's McastService: no group (it once crashed the planner)",
        ),
        pytest.param(
            '<Membership className="org.apache.catalina.tribes.membership.McastService"'
            ' port="45564x"/>',
            None,
            id="a port Tomcat cannot read",
        ),
    ],
)
def test_the_multicast_group_tomcat_joins(membership: str, group: tuple[str, int] | None) -> None:
    assert multicast_group(node(membership)) == group


@pytest.mark.parametrize(
    ("receiver", "bind"),
    [
        pytest.param("", ("auto", 4000), id="no Receiver: NioReceiver's defaults"),
        pytest.param(
            '<Receiver className="org.apache.catalina.tribes.transport.nio.NioReceiver"'
            ' address="10.0.0.1" port="4100"/>',
            ("10.0.0.1", 4100),
            id="configured",
        ),
        pytest.param(
            '<Receiver className="org.apache.catalina.tribes.transport.nio.NioReceiver"'
            ' port="4000x"/>',
            ("auto", None),
            id="a port Tomcat cannot read",
        ),
    ],
)
def test_where_the_receiver_binds(receiver: str, bind: tuple[str, int | None]) -> None:
    server = node(receiver).tomcat.server  # type: ignore[union-attr]
    assert server is not None and server.cluster is not None
    assert receiver_bind(server.cluster) == bind
