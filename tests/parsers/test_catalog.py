"""The per-version catalogue of server.xml elements, classes, attributes and defaults."""

from __future__ import annotations

import pytest

from clustercheck.knowledge import tomcat as cat

E = "Server/Service/Engine"
C = f"{E}/Cluster"
H = f"{E}/Host"
TRIBES = "org.apache.catalina.tribes."
MD15 = TRIBES + "group.interceptors.MessageDispatch15Interceptor"
BINDER = "org.apache.catalina.ha.session.JvmRouteSessionIDBinderListener"
VALVE = "org.apache.catalina.ha.tcp.ReplicationValve"
SEED_FILTER = r".*\.gif;.*\.js;.*\.jpg;.*\.png;.*\.htm;.*\.html;.*\.css;.*\.txt;"


@pytest.mark.parametrize(
    ("version", "parsed", "major"),
    [
        ("9.0.85", (9, 0, 85), 9),
        ("10.1.0-M17", (10, 1, 0), 10),
        ("Apache Tomcat/8.5.100", (8, 5, 100), 8),
        ("11", (11, 0, 0), 11),
        ("6.0.53", (6, 0, 53), 6),
        ("", None, None),
        (None, None, None),
        ("unknown", None, None),
    ],
)
def test_versions(
    version: str | None, parsed: tuple[int, int, int] | None, major: int | None
) -> None:
    assert cat.parse_version(version) == parsed
    assert cat.tomcat_major(version) == major


def test_assumed_version_is_the_newest_line() -> None:
    assert cat.assumed_version(8)[:2] == (8, 5)
    assert cat.assumed_version(10)[:2] == (10, 1)
    assert cat.assumed_version(9)[:2] == (9, 0)


# ----------------------------------------------------------------------------- elements


@pytest.mark.parametrize(
    ("path", "major", "known"),
    [
        ("Server", None, True),
        ("Server/Listener", None, True),
        ("Server/GlobalNamingResources/Resource", None, True),
        ("Server/GlobalNamingResources/Environment", None, True),
        ("Server/Service/Executor", None, True),
        ("Server/Service/Connector", None, True),
        ("Server/Service/Connector/SSLHostConfig/Certificate", 9, True),
        ("Server/Service/Connector/SSLHostConfig", 7, False),
        ("Server/Service/Connector/UpgradeProtocol", 9, True),
        (E, None, True),
        (f"{E}/Realm", None, True),
        (f"{E}/Realm/Realm", None, True),
        (f"{E}/Realm/Realm/Realm", None, True),
        (f"{E}/Realm/Realm/Realm/Realm", None, False),  # three levels only
        (f"{E}/Realm/CredentialHandler", 9, True),
        (f"{E}/Valve", None, True),
        (H, None, True),
        (f"{H}/Alias", None, True),
        (f"{H}/Context", None, True),
        (f"{H}/Context/Manager", None, True),
        (f"{H}/Context/Resources/PreResources", 9, True),
        (f"{H}/Context/InstanceListener", 7, True),
        (f"{H}/Context/InstanceListener", 9, False),
        (f"{H}/Context/Environment", None, True),
        (f"{H}/Context/Valve/init-param", 11, True),
        (f"{H}/Context/Valve/init-param", 10, False),
        (C, None, True),
        (f"{H}/Cluster", None, True),
        (f"{C}/Manager", None, True),
        (f"{C}/Channel", None, True),
        (f"{C}/Channel/Membership", None, True),
        (f"{C}/Channel/Membership/Member", 9, True),
        (f"{C}/Channel/Membership/Member", 8, False),  # StaticMembershipService is 9.0.11+
        (f"{C}/Channel/Receiver", None, True),
        (f"{C}/Channel/Sender/Transport", None, True),
        (f"{C}/Channel/Interceptor", None, True),
        (f"{C}/Channel/Interceptor/Member", 8, True),
        (f"{C}/Channel/Interceptor/LocalMember", None, True),
        (f"{C}/Valve", None, True),
        (f"{C}/Deployer", None, True),
        (f"{C}/ClusterListener", None, True),
        (f"{H}/Cluster/Channel/Membership", None, True),
        # the Digester is case-sensitive
        (f"{E}/cluster", None, False),
        (f"{E}/cluster/manager", None, False),
        (f"{C}/manager", None, False),
        ("server", None, False),
        # misplaced
        (f"{C}/Membership", None, False),  # Tomcat 5 layout: belongs in Channel
        ("Server/Connector", None, False),
        (f"{E}/Context", None, False),
        (f"{H}/Context/Cluster", None, False),
        (f"{E}/Logger", 6, False),  # Tomcat 5.0
        # Tomcat 5 is not judged
        (f"{E}/Logger", 5, True),
    ],
)
def test_known_element(path: str, major: int | None, known: bool) -> None:
    assert cat.known_element(path, major) is known


@pytest.mark.parametrize(
    ("tag", "parent", "suggestion"),
    [
        ("cluster", E, "Cluster"),
        ("CLUSTER", E, "Cluster"),
        ("manager", f"{E}/cluster", "Manager"),  # children of a stranger still get one
        ("membership", f"{E}/cluster/channel", "Membership"),
        ("clusterlistener", f"{E}/cluster", "ClusterListener"),
        ("valve", f"{E}/cluster", "Valve"),
        ("Reciever", f"{C}/Channel", "Receiver"),
        ("Membershp", f"{C}/Channel", "Membership"),
        ("Interceptors", f"{C}/Channel", "Interceptor"),
        ("host", E, "Host"),
        ("connector", "Server/Service", "Connector"),
        ("Cluster", E, None),  # already right
        ("Manager", f"{E}/cluster", None),  # right name; the parent is what is wrong
        ("Banana", E, None),
        ("cluster", "Nowhere/At/All", None),
        ("Member", f"{C}/Channel/Membership", None),
    ],
)
def test_suggest_element(tag: str, parent: str, suggestion: str | None) -> None:
    assert cat.suggest_element(tag, parent) == suggestion


def test_suggestion_respects_the_version() -> None:
    assert cat.suggest_element("member", f"{C}/Channel/Membership", 9) == "Member"
    assert cat.suggest_element("member", f"{C}/Channel/Membership", 8) is None


def test_expected_parents() -> None:
    assert cat.expected_parents("Membership") == [f"{C}/Channel", f"{H}/Cluster/Channel"]
    assert cat.expected_parents("Alias") == [H]
    assert cat.expected_parents("Nope") == []


# ------------------------------------------------------------------------------ classes


@pytest.mark.parametrize(
    ("class_name", "major", "removed_in", "replacement"),
    [
        (BINDER, 7, None, None),
        (BINDER, 8, "8.0.0", None),
        (BINDER, 11, "8.0.0", None),
        (MD15, 7, None, None),
        (MD15, 8, "8.5.0", TRIBES + "group.interceptors.MessageDispatchInterceptor"),
        (MD15, 9, "8.5.0", TRIBES + "group.interceptors.MessageDispatchInterceptor"),
        ("org.apache.coyote.ajp.AjpAprProtocol", 9, None, None),
        ("org.apache.coyote.ajp.AjpAprProtocol", 10, "10.1.0", "AjpNioProtocol"),
        ("org.apache.coyote.http11.Http11AprProtocol", 11, "10.1.0", "Http11NioProtocol"),
        ("org.apache.coyote.ajp.AjpProtocol", 8, None, None),
        ("org.apache.coyote.ajp.AjpProtocol", 9, "9.0.0", "AjpNioProtocol"),
        ("org.apache.coyote.ajp.AjpNio2Protocol", 11, None, None),
        ("org.apache.catalina.core.JasperListener", 8, "8.0.0", None),
        ("org.apache.catalina.mbeans.ServerLifecycleListener", 7, "7.0.9", None),
        ("org.apache.catalina.cluster.tcp.SimpleTcpCluster", 6, "6.0.0", "org.apache.catalina.ha"),
        ("org.apache.catalina.cluster.mcast.McastService", 9, "6.0.0", "org.apache.catalina.ha"),
        ("org.apache.catalina.cluster.tcp.SimpleTcpCluster", 5, None, None),
        (TRIBES + "transport.bio.BioReceiver", 9, None, None),
        (TRIBES + "transport.bio.BioReceiver", 10, "10.0.0", "NioReceiver"),
        ("org.apache.catalina.ha.session.JvmRouteBinderValve", 11, None, None),
        ("org.apache.catalina.ha.tcp.SimpleTcpCluster", 11, None, None),
        ("com.example.Whatever", 9, None, None),
    ],
)
def test_removed_class(
    class_name: str, major: int, removed_in: str | None, replacement: str | None
) -> None:
    removal = cat.removed_class(class_name, major)
    if removed_in is None:
        assert removal is None
        return
    assert removal is not None
    assert (removal.what, removal.removed_in) == (class_name, removed_in)
    if replacement is None:
        assert removal.replacement is None
    else:
        assert removal.replacement and replacement in removal.replacement


@pytest.mark.parametrize(
    ("class_name", "effect"),
    [
        (MD15, "does not start"),
        (BINDER, "does not start"),
        ("org.apache.coyote.ajp.AjpAprProtocol", "connector fails to initialise"),
        ("org.apache.catalina.core.JasperListener", 'optional="true"'),
    ],
)
def test_removal_effects(class_name: str, effect: str) -> None:
    removal = cat.removed_class(class_name, 11)
    assert removal and effect in removal.effect


@pytest.mark.parametrize(
    ("class_name", "version", "removed"),
    [
        (MD15, "8.0.32", False),  # a deprecated empty subclass in late 8.0
        (MD15, "8.5.0", True),
        ("org.apache.coyote.ajp.AjpAprProtocol", "10.0.27", False),
        ("org.apache.coyote.ajp.AjpAprProtocol", "10.1.0", True),
        ("org.apache.catalina.mbeans.ServerLifecycleListener", "7.0.8", False),
        ("org.apache.catalina.mbeans.ServerLifecycleListener", "7.0.9", True),
        (BINDER, "7.0.109", False),
        (BINDER, "nonsense", False),
    ],
)
def test_removed_class_by_exact_version(class_name: str, version: str, removed: bool) -> None:
    assert (cat.removed_class_v(class_name, version) is not None) is removed


@pytest.mark.parametrize(
    ("class_name", "version", "missing"),
    [
        (TRIBES + "membership.StaticMembershipService", "8.5.100", True),
        (TRIBES + "membership.StaticMembershipService", "9.0.10", True),
        (TRIBES + "membership.StaticMembershipService", "9.0.11", False),
        (TRIBES + "membership.cloud.CloudMembershipService", "9.0.12", True),
        (TRIBES + "membership.cloud.CloudMembershipService", "10.1.20", False),
        (TRIBES + "group.interceptors.EncryptInterceptor", "7.0.99", True),
        (TRIBES + "group.interceptors.EncryptInterceptor", "7.0.100", False),
        (TRIBES + "group.interceptors.EncryptInterceptor", "8.0.53", True),  # never in 8.0
        (TRIBES + "group.interceptors.EncryptInterceptor", "8.5.37", True),
        (TRIBES + "group.interceptors.EncryptInterceptor", "8.5.38", False),
        (TRIBES + "group.interceptors.EncryptInterceptor", "9.0.12", True),
        (TRIBES + "group.interceptors.EncryptInterceptor", "10.0.0", False),
        ("org.apache.coyote.ajp.AjpNio2Protocol", "7.0.109", True),
        ("org.apache.coyote.ajp.AjpNio2Protocol", "8.5.0", False),
        (TRIBES + "membership.McastService", "6.0.53", False),
    ],
)
def test_added_class(class_name: str, version: str, missing: bool) -> None:
    addition = cat.added_class_v(class_name, version)
    assert (addition is not None) is missing
    if addition:
        assert addition.what == class_name and "ClassNotFoundException" in addition.effect


# --------------------------------------------------------------------------- attributes


@pytest.mark.parametrize(
    ("tag", "class_name", "attr", "major", "replacement", "effect"),
    [
        ("Membership", cat.MCAST_SERVICE, "mcastAddr", 8, "address", "228.0.0.4"),
        ("Membership", cat.MCAST_SERVICE, "mcastPort", 9, "port", "45564"),
        ("Membership", cat.MCAST_SERVICE, "mcastFrequency", 11, "frequency", "500 ms"),
        ("Membership", cat.MCAST_SERVICE, "mcastTTL", 8, "ttl", "TTL"),
        ("Membership", cat.MCAST_SERVICE, "mcastSoTimeout", 8, "soTimeout", "frequency"),
        ("Connector", "AJP/1.3", "requiredSecret", 11, "secret", "refuses to start"),
        (
            "Connector",
            "org.apache.coyote.ajp.AjpNioProtocol",
            "requiredSecret",
            11,
            "secret",
            "no secret",
        ),
        ("Connector", "AJP/1.3", "request.secret", 7, "secret", "no secret"),
    ],
)
def test_removed_attribute(
    tag: str, class_name: str, attr: str, major: int, replacement: str, effect: str
) -> None:
    removal = cat.removed_attribute(tag, class_name, attr, major)
    assert removal is not None and removal.what == attr
    assert removal.replacement and removal.replacement.startswith(replacement)
    assert effect in removal.effect and removal.effect.startswith("ignored with a Digester")


@pytest.mark.parametrize(
    ("tag", "class_name", "attr", "major"),
    [
        ("Membership", cat.MCAST_SERVICE, "mcastAddr", 7),  # deprecated but still set in 7
        ("Membership", cat.MCAST_SERVICE, "mcastDropTime", 9),  # still exists
        ("Membership", cat.MCAST_SERVICE, "mcastBindAddress", 9),
        ("Membership", cat.MCAST_SERVICE, "address", 11),
        ("Membership", TRIBES + "membership.StaticMembershipService", "mcastAddr", 9),
        ("Connector", "AJP/1.3", "requiredSecret", 10),  # alias until 10.1
        ("Connector", "HTTP/1.1", "requiredSecret", 11),  # not an AJP connector
        ("Connector", "AJP/1.3", "request.secret", 6),
        ("Connector", "AJP/1.3", "secret", 11),
    ],
)
def test_attribute_still_there(tag: str, class_name: str, attr: str, major: int) -> None:
    assert cat.removed_attribute(tag, class_name, attr, major) is None


# -------------------------------------------------------------------- changed semantics


@pytest.mark.parametrize(
    ("tag", "class_name", "attr", "value", "version", "says"),
    [
        ("Valve", VALVE, "filter", SEED_FILTER, "9", r'filter=".*\.gif|.*\.js|'),
        ("Valve", VALVE, "filter", SEED_FILTER, "7.0.6", "one regular expression"),
        ("Valve", VALVE, "filter", SEED_FILTER, "7.0.5", None),  # still a list then
        ("Valve", VALVE, "filter", SEED_FILTER, "6.0.53", None),
        ("Valve", VALVE, "filter", r".*\.gif|.*\.js", "9", None),
        ("Valve", VALVE, "filter", "", "9", None),
        ("Valve", "org.apache.catalina.valves.AccessLogValve", "filter", "a;b", "9", None),
        ("Context", None, "distributable", "true", "7", "WEB-INF/web.xml"),
        ("Context", None, "distributable", "true", "10.1.20", "has no effect"),
        ("Context", None, "distributable", "true", "6.0.53", None),
        ("Context", None, "reloadable", "true", "9", None),
        ("Valve", VALVE, "filter", SEED_FILTER, "x", None),
    ],
)
def test_changed_semantics(
    tag: str, class_name: str | None, attr: str, value: str, version: str, says: str | None
) -> None:
    message = cat.changed_semantics_v(tag, class_name, attr, value, version)
    assert (message is None) is (says is None)
    assert says is None or (message is not None and says in message)


def test_changed_semantics_by_major() -> None:
    assert cat.changed_semantics("Valve", VALVE, "filter", SEED_FILTER, 7)
    assert cat.changed_semantics("Valve", VALVE, "filter", SEED_FILTER, 6) is None


# ---------------------------------------------------------------- version-bound defaults


@pytest.mark.parametrize(
    ("version", "loopback_and_secret"),
    [
        ("6.0.53", False),
        ("7.0.99", False),
        ("7.0.100", True),
        ("8.0.53", False),  # 8.0 never got the Ghostcat defaults
        ("8.5.50", False),
        ("8.5.51", True),
        ("9.0.30", False),
        ("9.0.31", True),
        ("10.0.0", True),
        ("11.0.5", True),
        (9, True),
        (8, True),  # 8.5 assumed
    ],
)
def test_ajp_defaults(version: str | int, loopback_and_secret: bool) -> None:
    assert cat.ajp_defaults(version) == cat.AjpDefaults(loopback_and_secret, loopback_and_secret)


def test_ajp_defaults_unknown_version() -> None:
    assert cat.ajp_defaults("?") is None


@pytest.mark.parametrize(
    ("version", "supported"),
    [
        ("9.0.34", False),
        ("9.0.35", True),
        ("8.5.55", True),
        ("8.5.54", False),
        ("7.0.104", True),
        ("7.0.103", False),
        ("10.1.0", True),
        ("x", None),
    ],
)
def test_property_defaults_supported(version: str, supported: bool | None) -> None:
    assert cat.property_defaults_supported(version) is supported


@pytest.mark.parametrize(
    ("version", "honoured"),
    [
        ("7.0.109", True),
        ("9.0.85", True),
        ("10.0.27", True),
        ("10.1.0", False),
        ("11.0.1", False),
        (10, False),
        (None, None),
    ],
)
def test_jvm_route_property(version: str | int | None, honoured: bool | None) -> None:
    assert cat.jvm_route_property_honoured(version) is honoured


@pytest.mark.parametrize(
    ("protocol", "ajp"),
    [
        ("AJP/1.3", True),
        ("org.apache.coyote.ajp.AjpNioProtocol", True),
        ("org.apache.coyote.ajp.AjpNio2Protocol", True),
        ("HTTP/1.1", False),
        (None, False),
        ("org.apache.coyote.http11.Http11NioProtocol", False),
        ("ajp/1.3", False),
    ],
)
def test_is_ajp_protocol(protocol: str | None, ajp: bool) -> None:
    assert cat.is_ajp_protocol(protocol) is ajp


def test_cluster_defaults() -> None:
    assert (cat.MEMBERSHIP_DEFAULTS["address"], cat.MEMBERSHIP_DEFAULTS["port"]) == (
        "228.0.0.4",
        "45564",
    )
    assert cat.RECEIVER_DEFAULTS["port"] == "4000"
