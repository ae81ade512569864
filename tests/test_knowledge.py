"""The version tables generated from Tomcat itself (tools/knowledge/generate.py) load and answer
what Tomcat's own source says, and the rules that read them behave as IntrospectionUtils does."""

from __future__ import annotations

import pytest

from clustercheck.knowledge import classes, tomcat
from clustercheck.knowledge.classes import Outcome, TomcatTable, for_version, java_integer, load
from clustercheck.knowledge.tomcat import (
    _KNOWN,
    _knows,
    encrypt_order_checked,
    local_member_among_members,
)

CLUSTER = "Server/Service/Engine/Cluster"
CHANNEL = f"{CLUSTER}/Channel"
CONNECTOR = "Server/Service/Connector"
HA, TRIBES = "org.apache.catalina.ha.", "org.apache.catalina.tribes."
DELTA = f"{HA}session.DeltaManager"
BACKUP = f"{HA}session.BackupManager"
MCAST = f"{TRIBES}membership.McastService"
NIO_RECEIVER = f"{TRIBES}transport.nio.NioReceiver"
ENGINE = "org.apache.catalina.core.StandardEngine"
CONNECTOR_CLASS = "org.apache.catalina.connector.Connector"
ENGINE_TYPE = "org.apache.catalina.Engine"
SIMPLE_TCP = f"{HA}tcp.SimpleTcpCluster"
STATIC_MEMBER = f"{TRIBES}membership.StaticMember"


@pytest.fixture(scope="module")
def t101() -> TomcatTable:
    table = load("10.1")
    assert table is not None
    return table


def test_the_10_1_table_says_where_it_comes_from(t101: TomcatTable) -> None:
    assert t101.tomcat.startswith("10.1.") and t101.method == "reflection"
    assert "reflection over the jars of the Tomcat 10.1." in t101.source
    assert t101.generated[:4].isdigit() and "10.1" in t101.source
    assert len(t101.classes) > 100 and "10.1" in classes.lines()


@pytest.mark.parametrize(
    ("version", "line"), [("10.1.60", "10.1"), ("10.1.0-M17", "10.1"), ("10", "10.1")]
)
def test_a_version_finds_its_line(version: str, line: str) -> None:
    table = for_version(version)
    assert table is not None and table.line == line


def test_no_table_for_a_line_never_generated() -> None:
    assert for_version("5.5.36") is None and for_version(None) is None


@pytest.mark.parametrize(
    ("class_name", "attr", "java_type", "default"),
    [
        (DELTA, "expireSessionsOnShutdown", "boolean", "false"),
        (DELTA, "stateTransferTimeout", "int", "60"),
        # setMapSendOptions(String) wins over int; the default shown as Tomcat names it
        (BACKUP, "mapSendOptions", "String", "6 (sync, use_ack)"),
        (BACKUP, "rpcTimeout", "long", "15000"),
        (NIO_RECEIVER, "port", "int", "4000"),
        (NIO_RECEIVER, "autoBind", "int", "100"),
        (MCAST, "address", "String", "228.0.0.4"),
        (MCAST, "port", "int", "45564"),
        (MCAST, "dropTime", "long", "3000"),
        (ENGINE, "jvmRoute", "String", None),
    ],
)
def test_known_properties_and_defaults(
    t101: TomcatTable, class_name: str, attr: str, java_type: str, default: str | None
) -> None:
    info = t101.class_info(class_name)
    assert info is not None
    setting = t101.set_property(_path(class_name), class_name, attr, "1")
    assert setting.outcome is Outcome.SET and setting.java_type == java_type, setting
    assert setting.has_default and setting.default == default


def _path(class_name: str) -> str:
    return {
        DELTA: f"{CLUSTER}/Manager",
        BACKUP: f"{CLUSTER}/Manager",
        NIO_RECEIVER: f"{CHANNEL}/Receiver",
        MCAST: f"{CHANNEL}/Membership",
        ENGINE: "Server/Service/Engine",
    }[class_name]


def test_setter_names_match_case_sensitively_but_for_the_first_letter(t101: TomcatTable) -> None:
    """IntrospectionUtils looks for "set" + capitalize(name) with String.equals."""
    path = f"{CHANNEL}/Membership"
    assert t101.set_property(path, MCAST, "Port", "45565").outcome is Outcome.SET
    for wrong in ("PORT", "mcastPort", "mcastAddr"):
        assert t101.set_property(path, MCAST, wrong, "1").outcome is Outcome.IGNORED, wrong
    assert t101.suggest_attribute(path, MCAST, "PORT") == "port"
    engine = "Server/Service/Engine"
    assert t101.set_property(engine, ENGINE, "jvmroute", "n1").outcome is Outcome.IGNORED
    assert t101.suggest_attribute(engine, ENGINE, "jvmroute") == "jvmRoute"


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("45564", True),
        ("+45564", True),
        ("-1", True),
        ("45564x", False),
        (" 45564", False),
        ("45_564", False),
        ("0x1F", False),
        ("", False),
        ("2147483648", False),
        ("٤٥٥٦٤", True),  # Character.digit takes any Unicode decimal digit
    ],
)
def test_int_values_parse_as_integer_value_of(t101: TomcatTable, value: str, ok: bool) -> None:
    setting = t101.set_property(f"{CHANNEL}/Receiver", NIO_RECEIVER, "port", value)
    assert (setting.outcome is Outcome.SET) is ok, setting
    if not ok:
        assert setting.default == "4000" and "not an int" in setting.reason


@pytest.mark.parametrize(
    ("value", "release", "outcome", "says"),
    [
        ("8", "10.1.60", Outcome.SET, None),
        ("+6", "10.1.60", Outcome.SET, None),
        ("async", "10.1.60", Outcome.SET, None),
        ("sync, use_ack", "10.1.60", Outcome.SET, None),
        ("async ,\tmulticast,", "10.1.60", Outcome.SET, None),  # blanks by commas, a last comma
        ("8x", "10.1.60", Outcome.IGNORED, '"8x" is none of them'),
        ("${cc.undefined}", "10.1.60", Outcome.IGNORED, "is none of them"),
        ("Async", "10.1.60", Outcome.IGNORED, '"Async" is none'),  # names are case-sensitive
        (" async", "10.1.60", Outcome.IGNORED, '" async" is none'),  # a blank before the first
        ("async;sync", "10.1.60", Outcome.IGNORED, "is none of them"),
        ("async,,sync", "10.1.60", Outcome.IGNORED, '"" is none'),
        ("2147483648", "10.1.60", Outcome.IGNORED, "is none of them"),  # not an int: a name
        ("0", "10.1.60", Outcome.SET, "sets only a number above 0"),
        ("-8", "10.1.60", Outcome.SET, "sets only a number above 0"),
        ("", "10.1.60", Outcome.SET, "reads an empty value as 0"),
        ("", "10.1.57", Outcome.IGNORED, '"" is none'),  # before 10.1.58 it looked "" up
    ],
)
def test_send_options_as_channel_parse_send_options_reads_them(
    t101: TomcatTable, value: str, release: str, outcome: Outcome, says: str | None
) -> None:
    setting = t101.set_property(CLUSTER, SIMPLE_TCP, "channelSendOptions", value, None, release)
    assert setting.outcome is outcome, setting
    assert setting.default == "8 (async)"
    said = setting.reason if outcome is Outcome.IGNORED else setting.unchanged
    assert (said is None) if says is None else (said is not None and says in said), setting


def test_send_options_as_text_from_9_0_an_int_before() -> None:
    t85, t90 = load("8.5"), load("9.0")
    assert t85 is not None and t90 is not None
    on_9 = t90.set_property(CLUSTER, SIMPLE_TCP, "channelSendOptions", "async", None, "9.0.85")
    assert on_9.outcome is Outcome.SET and on_9.java_type == "String"
    on_8 = t85.set_property(CLUSTER, SIMPLE_TCP, "channelSendOptions", "async", None, "8.5.100")
    assert on_8.outcome is Outcome.IGNORED and "not an int" in on_8.reason
    backup = t90.set_property(f"{CLUSTER}/Manager", BACKUP, "mapSendOptions", "6x")
    assert backup.outcome is Outcome.IGNORED and backup.default == "6 (sync, use_ack)"
    assert classes.send_options_text(6) == "6 (sync, use_ack)"


@pytest.mark.parametrize(
    ("attr", "value", "says"),
    [
        ("uniqueId", "{0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15}", None),
        ("uniqueId", "{-128,1,2,3,4,5,6,7,8,9,10,11,12,13,14,127}", None),
        ("uniqueId", "{{0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15}}", None),  # "{,}" separate
        ("uniqueId", "{0,1,2,3,4,5,6,7,8,9}", 'it has 10: "UUID must be exactly 16 bytes"'),
        ("uniqueId", "{0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,128}", '"128" is not a byte'),
        ("uniqueId", "{0, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15}", '" 1" is not a byte'),
        ("uniqueId", "0102030405060708090a0b0c0d0e0f10", 'does not start with "{"'),
        ("host", "node-2.example", None),  # resolved, or not, on the node
        ("host", "{10,0,0,2}", None),
        ("host", "{10,0,0,x}", '"x" is not a byte'),
        ("host", "${member.host}", "no host name has this text"),
        ("domain", "staging-cluster", None),  # the text's own bytes
        ("domain", "{1,2,x}", '"x" is not a byte'),
    ],
)
def test_a_static_member_reads_bytes_and_host_names(
    t101: TomcatTable, attr: str, value: str, says: str | None
) -> None:
    path = f"{CHANNEL}/Interceptor/Member"
    setting = t101.set_property(path, STATIC_MEMBER, attr, value, None, "10.1.60")
    if says is None:
        assert setting.outcome is Outcome.SET, setting
    else:
        assert setting.outcome is Outcome.IGNORED and says in setting.reason, setting


def test_long_range() -> None:
    assert java_integer("9223372036854775807", classes.LONG_RANGE) is not None
    assert java_integer("9223372036854775808", classes.LONG_RANGE) is None


def test_a_boolean_takes_anything_and_reads_other_text_as_false(t101: TomcatTable) -> None:
    yes = t101.set_property(CONNECTOR, CONNECTOR_CLASS, "secretRequired", "yes", "AJP/1.3")
    assert yes.outcome is Outcome.SET and yes.read_as == "false"
    true = t101.set_property(CONNECTOR, CONNECTOR_CLASS, "secretRequired", "TRUE", "AJP/1.3")
    assert true.outcome is Outcome.SET and true.read_as is None


def test_connector_attributes_reach_handler_endpoint_and_socket(t101: TomcatTable) -> None:
    def owner(attr: str, value: str = "1", protocol: str | None = "AJP/1.3") -> str | None:
        setting = t101.set_property(CONNECTOR, CONNECTOR_CLASS, attr, value, protocol)
        assert setting.outcome is Outcome.SET, setting
        return (setting.owner or "").rpartition(".")[2]

    assert owner("port") == "Connector"
    assert owner("secret") == "AjpNioProtocol"
    assert owner("requiredSecret") == "AjpNioProtocol"  # the alias is still in 10.1
    assert owner("packetSize") == "AjpNioProtocol"
    assert owner("socket.soKeepAlive", "true") == "SocketProperties"
    assert owner("maxHttpHeaderSize", protocol=None) == "Http11NioProtocol"
    ignored = t101.set_property(CONNECTOR, CONNECTOR_CLASS, "maxConnection", "8192", "AJP/1.3")
    assert ignored.outcome is Outcome.IGNORED
    assert t101.suggest_attribute(CONNECTOR, CONNECTOR_CLASS, "maxConnection", "AJP/1.3") == (
        "maxConnections"
    )
    # protocol, executor and sslImplementationName are read by ConnectorCreateRule
    protocol = t101.set_property(CONNECTOR, CONNECTOR_CLASS, "protocol", "AJP/1.3", "AJP/1.3")
    assert protocol.outcome is Outcome.NOT_A_PROPERTY


def test_ajp_defaults_from_a_fresh_connector(t101: TomcatTable) -> None:
    ajp = t101.set_property(CONNECTOR, CONNECTOR_CLASS, "secretRequired", "true", "AJP/1.3")
    assert ajp.default == "true"
    address = t101.set_property(CONNECTOR, CONNECTOR_CLASS, "address", "::1", "AJP/1.3")
    assert address.default == "127.0.0.1"  # AbstractAjpProtocol sets the loopback address


def test_classes_and_the_elements_they_may_stand_in(t101: TomcatTable) -> None:
    assert t101.has_class(DELTA) and t101.has_class(f"{TRIBES}membership.StaticMembershipService")
    assert not t101.has_class(f"{HA}session.JvmRouteSessionIDBinderListener")
    assert not t101.has_class(f"{TRIBES}group.interceptors.MessageDispatch15Interceptor")
    assert not t101.has_class("org.apache.coyote.ajp.AjpAprProtocol")
    assert t101.may_stand_in(DELTA, f"{CLUSTER}/Manager")
    standard = "org.apache.catalina.session.StandardManager"
    assert not t101.may_stand_in(standard, f"{CLUSTER}/Manager")
    assert t101.may_stand_in(f"{HA}tcp.ReplicationValve", f"{CLUSTER}/Valve")
    assert t101.may_stand_in("com.example.Foo", f"{CLUSTER}/Valve") is None
    assert t101.suggest_class(
        "org.apache.catalina.cluster.tcp.SimpleTcpCluster", "org.apache.catalina.Cluster"
    ) == (f"{HA}tcp.SimpleTcpCluster")
    assert t101.suggest_class(
        f"{TRIBES}group.interceptors.MessageDispatch15Interceptor",
        f"{TRIBES}ChannelInterceptor",
    ) == (f"{TRIBES}group.interceptors.MessageDispatchInterceptor")


def test_fake_attributes_as_the_digester_looks_them_up(t101: TomcatTable) -> None:
    """className is fake on every class but those with their own list (Connector, Context)."""
    valve = f"{CLUSTER}/Valve"
    replication = f"{HA}tcp.ReplicationValve"
    setting = t101.set_property(valve, replication, "className", replication)
    assert setting.outcome is Outcome.NOT_A_PROPERTY
    on_connector = t101.set_property(CONNECTOR, CONNECTOR_CLASS, "className", "x", "AJP/1.3")
    assert on_connector.outcome is Outcome.IGNORED
    port_offset = t101.set_property(CONNECTOR, CONNECTOR_CLASS, "portOffset", "1", "AJP/1.3")
    assert port_offset.outcome is Outcome.NOT_A_PROPERTY
    # a Context's className picks its class, though the fake list (["source"]) misses it
    context, replicated = "Server/Service/Engine/Host/Context", f"{HA}context.ReplicatedContext"
    chosen = t101.set_property(context, replicated, "className", replicated)
    assert chosen.outcome is Outcome.NOT_A_PROPERTY


def test_the_hand_element_list_is_tomcat_10_1s_digester(t101: TomcatTable) -> None:
    """knowledge.tomcat's element paths for 10 are exactly the rules Catalina registers."""
    assert {p for p in _KNOWN if _knows(p, 10)} == set(t101.elements)


# ------------------------------------------------------------------- the lines from source


@pytest.mark.parametrize(
    ("line", "first"),
    [("7.0", "7.0.0"), ("8.5", "8.5.0"), ("9.0", "9.0.0"), ("10.1", "10.1.0"), ("11.0", "11.0.0")],
)
def test_every_line_records_where_it_comes_from(line: str, first: str) -> None:
    table = load(line)
    assert table is not None and table.line == line and table.also == first
    assert table.releases == f"{first} to {table.tomcat}"
    assert f"tag {first}" in table.source
    if table.method == "source":
        assert f"apache/tomcat tag {table.tomcat} (commit " in table.source
    # element rules: its own Connector rule, the rest from the reflection table
    assert table.rule(CONNECTOR) is not None and table.rule(f"{CHANNEL}/Membership") is not None


@pytest.mark.parametrize(
    ("version", "line"), [("9", "9.0"), ("8", "8.5"), ("7.0.109", "7.0"), ("11.0.2", "11.0")]
)
def test_majors_find_their_maintained_line(version: str, line: str) -> None:
    table = for_version(version)
    assert table is not None and table.line == line


@pytest.mark.parametrize(
    ("class_name", "lines_with_it"),
    [
        (f"{TRIBES}membership.StaticMembershipService", {"9.0", "10.1", "11.0"}),
        (f"{TRIBES}group.interceptors.MessageDispatch15Interceptor", {"7.0"}),
        (f"{HA}session.JvmRouteSessionIDBinderListener", {"7.0"}),
        ("org.apache.coyote.ajp.AjpProtocol", {"7.0", "8.5"}),  # 8.5: deprecated, NIO inside
        ("org.apache.coyote.ajp.AjpAprProtocol", {"7.0", "8.5", "9.0"}),
        ("org.apache.coyote.ajp.AjpNio2Protocol", {"8.5", "9.0", "10.1", "11.0"}),
        (f"{TRIBES}group.interceptors.EncryptInterceptor", {"7.0", "8.5", "9.0", "10.1", "11.0"}),
        # in 9.0.0, gone later in 9.0: a node on an early 9.0 may still name it
        ("org.apache.catalina.mbeans.JmxRemoteLifecycleListener", {"7.0", "8.5", "9.0"}),
    ],
)
def test_which_lines_ship_a_class(class_name: str, lines_with_it: set[str]) -> None:
    found = {line for line in classes.lines() if (t := load(line)) and t.has_class(class_name)}
    assert found == lines_with_it


def test_secret_attributes_per_line() -> None:
    def outcome(line: str, attr: str) -> Outcome:
        table = load(line)
        assert table is not None
        return table.set_property(CONNECTOR, CONNECTOR_CLASS, attr, "s", "AJP/1.3").outcome

    assert outcome("9.0", "requiredSecret") is Outcome.SET
    assert outcome("11.0", "requiredSecret") is Outcome.IGNORED  # removed in 11
    assert all(outcome(line, "secret") is Outcome.SET for line in classes.lines())


def test_multicast_attributes_removed_in_8() -> None:
    path = f"{CHANNEL}/Membership"
    t7, t85 = load("7.0"), load("8.5")
    assert t7 is not None and t85 is not None
    assert t7.set_property(path, MCAST, "mcastAddr", "228.0.0.4").outcome is Outcome.SET
    assert t85.set_property(path, MCAST, "mcastAddr", "228.0.0.4").outcome is Outcome.IGNORED


def test_connector_aliases_of_7_0() -> None:
    """7.0 and 8.5's Connector.setProperty renames connectionTimeout to soTimeout, ..."""
    t7 = load("7.0")
    assert t7 is not None and t7.connector_replacements["connectionTimeout"] == "soTimeout"
    ajp = t7.protocol("AJP/1.3")
    assert ajp is not None and ajp.handler == "org.apache.coyote.ajp.AjpProtocol"
    setting = t7.set_property(CONNECTOR, CONNECTOR_CLASS, "acceptCount", "10", "HTTP/1.1")
    assert setting.outcome is Outcome.SET and setting.attr == "acceptCount"


def test_a_type_a_line_lacks_is_not_judged() -> None:
    """7.0's <Resources> are DirContexts, not 10.1's WebResourceRoot: no verdict."""
    t7 = load("7.0")
    assert t7 is not None
    resources = "Server/Service/Engine/Host/Context/Resources"
    assert t7.may_stand_in("org.apache.naming.resources.VirtualDirContext", resources) is None
    assert t7.may_stand_in(DELTA, f"{CLUSTER}/Manager") is True


@pytest.mark.parametrize(
    ("version", "order_checked", "local_from_members"),
    [
        ("7.0.109", True, False),
        ("8.5.38", True, False),
        ("9.0.14", False, False),  # EncryptInterceptor came in 9.0.13, its order check in 9.0.15
        ("9.0.15", True, False),
        ("9.0.16", True, False),
        ("9.0.17", True, True),  # StaticMembershipService finds its local member among Members
        ("10.1.60", True, True),
        ("11", True, True),
        (None, None, None),
    ],
)
def test_cluster_start_rules_per_version(
    version: str | None, order_checked: bool | None, local_from_members: bool | None
) -> None:
    assert encrypt_order_checked(version) is order_checked
    assert local_member_among_members(version) is local_from_members


def test_two_swapped_letters_suggest_the_attribute(t101: TomcatTable) -> None:
    """The differential suite's typo operator swaps two neighbouring letters: "prot" is too far
    from "port" for difflib, not for a person."""
    assert t101.suggest_attribute(CONNECTOR, CONNECTOR_CLASS, "prot", "AJP/1.3") == "port"
    assert t101.suggest_attribute("Server/Service/Engine", ENGINE, "defalutHost") == "defaultHost"
    written = {"minSpareThreads": "5", "maxSpareThreads": "2"}  # both meant: not a typo
    assert t101.intended_attribute(CONNECTOR, CONNECTOR_CLASS, "maxSpareThreads", written) is None


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("[fe80::1%eth0]", True),
        ("node1.example", True),  # resolves, or not, on the node
        ("", True),  # InetAddress.getByName("") is the loopback address
        ("${cc.undefined.address}", False),
        ("node 1", False),
    ],
)
def test_an_address_converts_unless_no_host_name_has_that_text(
    t101: TomcatTable, value: str, ok: bool
) -> None:
    setting = t101.set_property(CONNECTOR, CONNECTOR_CLASS, "address", value, "AJP/1.3")
    assert (setting.outcome is Outcome.SET) is ok, setting
    assert setting.java_type == "InetAddress"


def test_property_value_is_the_last_attribute_the_setter_takes() -> None:
    assert classes.property_value({"name": "a", "Name": "b"}, "name") == "b"
    assert classes.property_value({"NAME": "a"}, "name") is None
    assert classes.property_value({"DefaultHost": "x"}, "defaultHost") == "x"


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("org.apache.coyote.ajp.AjpNioProtocol", True),
        ("com.example.Outer$Inner", True),
        ("$Proxy1", True),
        ("${cc.undefined.protocol}", False),
        ("HTTP/2", False),
        ("a..b", False),
        ("1a.B", False),
    ],
)
def test_names_a_class_can_have(name: str, ok: bool) -> None:
    assert tomcat.is_class_name(name) is ok


# What java.util.regex.Pattern.compile did with each (OpenJDK 17): a "{" that starts no count
# throws "Illegal repetition"; other errors (unclosed groups) are not looked for.
@pytest.mark.parametrize(
    ("pattern", "illegal"),
    [
        ("${cc.undefined.filter}", True),
        ("a{b", True),
        ("a{,3}", True),
        ("a{ 2}", True),
        ("[a-z&&[^b]]{", True),
        (".*\\.gif|.*\\.js|.*\\.css", False),
        ("a{2}", False),
        ("a{2,}", False),
        ("a{2,3}", False),
        ("[{]", False),
        ("[]{]", False),
        ("\\{", False),
        ("\\p{L}+", False),
        ("\\x{41}", False),
        ("x\\Q{\\E", False),
        ("a}", False),
    ],
)
def test_illegal_repetition_as_java_compiles_it(pattern: str, illegal: bool) -> None:
    assert (tomcat.illegal_repetition(pattern) is not None) is illegal


def test_a_replication_filter_is_compiled_from_7_0_6() -> None:
    valve = "org.apache.catalina.ha.tcp.ReplicationValve"
    assert tomcat.uncompilable(valve, "filter", "${f}", "10.1.60") is not None
    assert tomcat.uncompilable(valve, "filter", "${f}", "6.0.29") is None  # a `;` list then
    assert tomcat.uncompilable(valve, "filter", ".*\\.gif", "10.1.60") is None


@pytest.mark.parametrize(
    ("types", "attr", "version", "says"),
    [
        ({CONNECTOR_CLASS}, "port", "7.0.109", "this connector does not start"),
        ({CONNECTOR_CLASS}, "port", "11.0.2", "this connector does not start"),
        ({"org.apache.catalina.Engine"}, "defaultHost", "10.1.60", "answers 404"),
        ({"org.apache.catalina.Engine"}, "defaultHost", "7.0.109", "answers 400"),
        ({"org.apache.catalina.core.StandardHost"}, "name", "8.5.100", "Tomcat does not start"),
        ({"org.apache.catalina.core.StandardHost"}, "name", "7.0.109", "no request reaches it"),
        ({CONNECTOR_CLASS}, "address", "10.1.60", None),
        # an Engine without a name: the ArrayDeque of 8.5.83 / 9.0.66 / 10.0.25 / 10.1.0-M20
        ({ENGINE_TYPE}, "name", "10.1.60", "every web application fails to start"),
        ({ENGINE_TYPE}, "name", "10.1.0", "every web application fails to start"),
        ({ENGINE_TYPE}, "name", "10.1.0-M17", None),  # released before the change
        ({ENGINE_TYPE}, "name", "11.0.0-M1", "every web application fails to start"),
        ({ENGINE_TYPE}, "name", "9.0.67", "every web application fails to start"),
        ({ENGINE_TYPE}, "name", "9.0.65", None),
        ({ENGINE_TYPE}, "name", "8.5.83", "every web application fails to start"),
        ({ENGINE_TYPE}, "name", "8.5.82", None),
        ({ENGINE_TYPE}, "name", "10.0.26", "every web application fails to start"),
        ({ENGINE_TYPE}, "name", "7.0.109", None),
        ({ENGINE_TYPE}, "name", "9.0", "every web application may fail to start"),
        ({ENGINE_TYPE}, "name", "9", "every web application may fail to start"),
        ({ENGINE_TYPE}, "name", "10", "every web application fails to start"),  # 10.1: all
    ],
)
def test_what_an_unset_value_breaks(
    types: set[str], attr: str, version: str, says: str | None
) -> None:
    effect = tomcat.unset_effect(types, attr, version)
    assert (effect is None) if says is None else (effect is not None and says in effect.text)
    if effect is not None and says is not None:
        assert effect.certain is ("may" not in says)


def test_a_user_database_needs_its_type_and_a_factory() -> None:
    memory = "org.apache.catalina.users.MemoryUserDatabaseFactory"
    assert tomcat.no_user_database("org.apache.catalina.UserDatabase", memory) is None
    assert "has no type" in (tomcat.no_user_database(None, memory) or "")
    assert "has type=" in (tomcat.no_user_database("UserDatabase", memory) or "")
    assert "has no factory" in (
        tomcat.no_user_database("org.apache.catalina.UserDatabase", None) or ""
    )
    assert tomcat.no_user_database(None, "com.example.MyFactory") is None  # not judged
