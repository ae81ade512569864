"""CC601 server-xml-elements, CC602 removed-classes, CC604 server-xml-attributes, CC605
cluster-start (and CC103's verdict on a file alone) on real server.xml files, read through the
real engine: tables of files (built here, the seed example, the shared corpus) and the results
expected for the node's Tomcat version."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from clusterfiles import BASE, build, catalina_jar, judge, outcome, server_xml, three_tomcats
from support import REPO

from clustercheck.checks.config.cluster_start import _is_receiver

Builder = Callable[[Path], Path]
Expected = set[tuple[str, str]]  # (node, status): both checks judge node by node

T1, T2, T3 = "tomcat01", "tomcat02", "tomcat03"
ALL_PASS = {(T1, "pass"), (T2, "pass"), (T3, "pass")}
SEED = REPO / "examples" / "seed-cluster" / "inventory.yaml"

HA, TRIBES = "org.apache.catalina.ha.", "org.apache.catalina.tribes."
MCAST = f'<Membership className="{TRIBES}membership.McastService" {{}}/>'
RECEIVER = f'<Receiver className="{TRIBES}transport.nio.NioReceiver" {{}}/>'


def cluster(*parts: str, channel: tuple[str, ...] = ()) -> str:
    """A `<Cluster>` holding `parts`, and a Channel holding `channel` (a multicast Membership
    when none is given)."""
    inside = channel or (MCAST.format('address="228.0.0.4" port="45564"'),)
    return (
        f'<Cluster className="{HA}tcp.SimpleTcpCluster">'
        f'<Channel className="{TRIBES}group.GroupChannel">{"".join(inside)}</Channel>'
        f"{''.join(parts)}</Cluster>"
    )


# The how-to's Tomcat 6 block, in proper case: fine on Tomcat 6, fatal on 8.5 and later.
TOMCAT6_CLUSTER = cluster(
    f'<Valve className="{HA}tcp.ReplicationValve" filter=".*\\.gif;.*\\.js;.*\\.css;"/>',
    f'<ClusterListener className="{HA}session.JvmRouteSessionIDBinderListener"/>',
    f'<ClusterListener className="{HA}session.ClusterSessionListener"/>',
    channel=(
        MCAST.format('address="228.0.0.4" port="45564"'),
        f'<Interceptor className="{TRIBES}group.interceptors.TcpFailureDetector"/>',
        f'<Interceptor className="{TRIBES}group.interceptors.MessageDispatch15Interceptor"/>',
    ),
)
LOWER_TOMCAT6_CLUSTER = TOMCAT6_CLUSTER.replace("<Cluster", "<cluster").replace(
    "</Cluster>", "</cluster>"
)
# clusterfiles' default Cluster block is indented less than its template, so dedent leaves two
# spaces before `<?xml`: not well-formed, and CC601 rightly fails it. A one-line block avoids that.
HEALTHY = server_xml(T1, cluster=cluster())


def healthy_three(tmp: Path, overrides: dict[str, dict[str, str]] | None = None) -> Path:
    """three_tomcats with a well-formed server.xml on every node."""
    nodes = (T1, T2, T3)
    return three_tomcats(
        tmp, {n: {"cluster": cluster(), **(overrides or {}).get(n, {})} for n in nodes}
    )


def node(text: str | bytes, version: str | None = "10.1.60") -> Builder:
    """One Tomcat node with this server.xml; no catalina.jar when the version is None."""

    def make(tmp: Path) -> Path:
        files: dict[str, str | bytes] = {f"{BASE}/conf/server.xml": text}
        if version is not None:
            files[f"{BASE}/lib/catalina.jar"] = catalina_jar(version)
        return build(tmp, {T1: {"host": "10.0.0.11", "roles": ["tomcat"]}}, {T1: files})

    return make


def declared(text: str, version: str) -> Builder:
    """One Tomcat node whose version only the inventory gives (no catalina.jar)."""

    def make(tmp: Path) -> Path:
        fields = {"host": "10.0.0.11", "roles": ["tomcat"]}
        tomcat = {"catalina_base": BASE, "version": version}
        return build(
            tmp, {T1: {**fields, "tomcat": tomcat}}, {T1: {f"{BASE}/conf/server.xml": text}}
        )

    return make


def with_cluster(block: str, version: str = "10.1.60") -> Builder:
    return node(server_xml(T1, cluster=block), version)


# CC605: the parts of a Channel whose start Tomcat may refuse.
TCP_FAILURE = f'<Interceptor className="{TRIBES}group.interceptors.TcpFailureDetector"/>'
ENCRYPT = f'<Interceptor className="{TRIBES}group.interceptors.EncryptInterceptor" {{}}/>'
KEY = 'encryptionKey="cafebabecafebabecafebabecafebabe"'
STATIC = (
    f'<Membership className="{TRIBES}membership.StaticMembershipService">{{}}'
    f'<Member className="{TRIBES}membership.StaticMember" host="{{}}" port="4000" '
    'uniqueId="{{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2}}"/></Membership>'
)
LOCAL_MEMBER = f'<LocalMember className="{TRIBES}membership.StaticMember"/>'
FARM = f'<Deployer className="{HA}deploy.FarmWarDeployer" watchEnabled="false"/>'


def static(host: str, local: bool = False, receiver: str = "") -> tuple[str, ...]:
    """A static membership of one Member at host:4000, and a Receiver with `receiver`."""
    return (STATIC.format(LOCAL_MEMBER if local else "", host), RECEIVER.format(receiver))


def with_route(route: str, version: str) -> Builder:
    return node(server_xml(route, cluster=cluster()), version)


def case(
    id: str, code: str, builder: Builder, expected: Expected, message: str = ""
) -> pytest.param:  # type: ignore[valid-type]
    return pytest.param(code, builder, expected, message, id=f"{code}-{id}")


def seed(_: Path) -> Path:
    return SEED


def edited(*edits: tuple[str, str], version: str = "10.1.60") -> Builder:
    """The healthy file with each (old, new) text replaced once; every old text must be there."""
    text = HEALTHY
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return node(text, version)


HOST = '<Host name="localhost" appBase="webapps"/>'
ENGINE_OPEN = '<Engine name="Catalina" defaultHost="localhost" jvmRoute="tomcat01">'
USERS = "org.apache.catalina.UserDatabase"
MEMORY = "org.apache.catalina.users.MemoryUserDatabaseFactory"
USER_REALM = '<Realm className="org.apache.catalina.realm.UserDatabaseRealm"{}/>'


def user_database(resource: str, realm: str = USER_REALM.format(""), version: str = "10.1.60"):
    """A global <Resource> with these attributes and a realm (a UserDatabaseRealm by default)
    in the Engine."""
    return edited(
        (
            '<Service name="Catalina">',
            f'<GlobalNamingResources><Resource name="UserDatabase" '
            f'auth="Container" {resource}/></GlobalNamingResources><Service name="Catalina">',
        ),
        (ENGINE_OPEN, ENGINE_OPEN + realm),
        version=version,
    )


DATABASE = f'type="{USERS}" factory="{MEMORY}" pathname="conf/tomcat-users.xml"'


CASES = [
    # CC601 server-xml-elements
    case("healthy", "CC601", healthy_three, ALL_PASS, ""),
    case(
        "seed",
        "CC601",
        seed,
        {(T1, "fail"), (T2, "pass"), (T3, "pass")},
        "<cluster> (and the 13 elements inside it) is ignored: element names are "
        "case-sensitive; write <Cluster>",
    ),
    case(
        "misspelt",
        "CC601",
        with_cluster(cluster(channel=(MCAST.format(""), "<Reciever/>"))),
        {(T1, "fail")},
        "<Reciever> is ignored: did you mean <Receiver>?",
    ),
    case(
        "misplaced-valve",
        "CC601",
        with_cluster(cluster(channel=(f'<Valve className="{HA}tcp.ReplicationValve"/>',))),
        {(T1, "fail")},
        "<Valve> is ignored: not allowed under Channel; it belongs under Engine, Cluster, Host "
        "or Context",
    ),
    case(
        "newer-than-the-node",
        "CC601",
        with_cluster(
            '<Host name="app" appBase="app"><Context path="/a"><CookieProcessor/></Context></Host>',
            "7.0.109",
        ),
        {(T1, "fail")},
        "<CookieProcessor> is ignored: only Tomcat 8 and later read it under Context",
    ),
    case(
        "unknown-element-warns",
        "CC601",
        with_cluster(cluster() + "<Notes><Note/></Notes>"),
        {(T1, "warn")},
        "<Notes> (and the 1 element inside it) is ignored: Tomcat has no rule for <Notes>",
    ),
    case(
        "unknown-element-in-cluster-fails",
        "CC601",
        with_cluster(cluster("<Notes/>")),
        {(T1, "fail")},
        "Tomcat has no rule for <Notes> under Cluster",
    ),
    case(
        "undefined-property",
        "CC601",
        lambda t: healthy_three(t, {T1: {"jvm_route": "${jvmRoute}"}}),
        {(T1, "warn"), (T2, "pass"), (T3, "pass")},
        "${jvmRoute} is not defined",
    ),
    case(
        "default-syntax-too-old",
        "CC601",
        with_route("${route:-tomcat01}", "9.0.30"),
        {(T1, "warn")},
        "Tomcat 9.0.30 has no ${name:-default} syntax",
    ),
    case(
        "default-syntax-supported",
        "CC601",
        with_route("${route:-tomcat01}", "9.0.35"),
        {(T1, "pass")},
    ),
    case(
        "not-well-formed",
        "CC601",
        node(HEALTHY.replace("</Service>", "</service>")),
        {(T1, "fail")},
        "Tomcat does not start: not well-formed XML: mismatched tag",
    ),
    case(
        "root-not-server",
        "CC601",
        node(HEALTHY.replace("Server", "server")),
        {(T1, "fail")},
        "Tomcat does not start: the root element is <server>",
    ),
    case("tomcat5-not-judged", "CC601", node(HEALTHY, "5.5.36"), {(T1, "skip")}, "Tomcat 5.5.36"),
    case(
        "version-unknown",
        "CC601",
        node(HEALTHY, None),
        {(T1, "pass")},
        "all known to some Tomcat version (this node's is unknown)",
    ),
    # CC602 removed-classes
    case("healthy", "CC602", healthy_three, ALL_PASS),
    case("seed-on-tomcat6", "CC602", seed, ALL_PASS),
    case("tomcat6-cluster-on-6", "CC602", with_cluster(TOMCAT6_CLUSTER, "6.0.35"), {(T1, "pass")}),
    case(
        "tomcat6-cluster-on-10",
        "CC602",
        with_cluster(TOMCAT6_CLUSTER),
        {(T1, "fail"), (T1, "warn")},
        "removed in 8.5.0): Tomcat does not start (ClassNotFoundException",
    ),
    case(
        "ignored-elements-load-no-class",
        "CC602",
        with_cluster(LOWER_TOMCAT6_CLUSTER),
        {(T1, "pass")},
    ),
    case(
        "mcastAddr-on-10",
        "CC602",
        with_cluster(cluster(channel=(MCAST.format('mcastAddr="228.0.0.8" port="45564"'),))),
        {(T1, "fail")},
        "mcastAddr on <Membership> is not read by Tomcat 10.1.60 (removed in 8.0.0)",
    ),
    case(
        "mcastAddr-equal-to-default",
        "CC602",
        with_cluster(cluster(channel=(MCAST.format('mcastAddr="228.0.0.4"'),))),
        {(T1, "warn")},
        "its value is also the default",
    ),
    case(
        "mcastFrequency-only-warns",
        "CC602",
        with_cluster(cluster(channel=(MCAST.format('mcastFrequency="1000"'),))),
        {(T1, "warn")},
        "use frequency instead",
    ),
    case(
        "semicolon-filter-on-10",
        "CC602",
        with_cluster(cluster(f'<Valve className="{HA}tcp.ReplicationValve" filter=".*\\.gif;"/>')),
        {(T1, "warn")},
        "not a ';'-separated list",
    ),
    case(
        "ajp-apr-on-10.1",
        "CC602",
        node(HEALTHY.replace('"AJP/1.3"', '"org.apache.coyote.ajp.AjpAprProtocol"')),
        {(T1, "fail")},
        '<Connector protocol="org.apache.coyote.ajp.AjpAprProtocol">: the class is not in '
        "Tomcat 10.1.60 (removed in 10.1.0)",
    ),
    case(
        "ajp-apr-on-9",
        "CC602",
        node(HEALTHY.replace('"AJP/1.3"', '"org.apache.coyote.ajp.AjpAprProtocol"'), "9.0.85"),
        {(T1, "pass")},
    ),
    case(
        "required-secret-on-11",
        "CC602",
        node(server_xml(T1, ajp_extra='requiredSecret="s3cret"', cluster=cluster()), "11.0.2"),
        {(T1, "fail")},
        "requiredSecret on <Connector> is not read by Tomcat 11.0.2",
    ),
    case(
        "required-secret-beside-secret",
        "CC602",
        node(
            server_xml(T1, ajp_extra='secret="s3cret" requiredSecret="s3cret"', cluster=cluster()),
            "11.0.2",
        ),
        {(T1, "warn")},
        "secret is set too, and applies",
    ),
    # CC602 against the table generated from Tomcat 10.1 itself
    case(
        "misspelt-class",
        "CC602",
        with_cluster(cluster(f'<Manager className="{HA}session.DeltaManagr"/>')),
        {(T1, "fail")},
        f"Tomcat 10.1.60 has no such class (ClassNotFoundException): Tomcat does not start "
        f'(the Digester throws while reading server.xml: "Unable to load server configuration", '
        f'then "Cannot start server"); did you mean {HA}session.DeltaManager?',
    ),
    case(
        "class-of-the-wrong-type",
        "CC602",
        with_cluster(cluster('<Manager className="org.apache.catalina.session.StandardManager"/>')),
        {(T1, "fail")},
        "it is a Manager, not a ClusterManager, which <Manager> needs: Tomcat does not start",
    ),
    case(
        "abstract-class",
        "CC602",
        with_cluster(cluster('<Valve className="org.apache.catalina.valves.ValveBase"/>')),
        {(T1, "fail")},
        "it is not a Valve Tomcat can create (one with a public no-argument constructor)",
    ),
    case(
        "no-class-name",
        "CC602",
        with_cluster(cluster(channel=("<Membership/>",))),
        {(T1, "fail")},
        "<Membership> names no className: Tomcat has no class to create for it",
    ),
    case(
        "misspelt-protocol-class",
        "CC602",
        node(HEALTHY.replace('"AJP/1.3"', '"org.apache.coyote.ajp.AjpNioProtocl"')),
        {(T1, "fail")},
        "the connector fails to initialise (ClassNotFoundException for its protocol handler); "
        "Tomcat starts without it unless org.apache.catalina.startup.EXIT_ON_INIT_FAILURE=true; "
        "did you mean org.apache.coyote.ajp.AjpNioProtocol?",
    ),
    case(
        "optional-listener-only-warns",
        "CC602",
        node(
            HEALTHY.replace(
                '<Service name="Catalina">',
                '<Listener className="org.apache.catalina.core.AprLifecycleListenr" '
                'optional="true"/><Service name="Catalina">',
            )
        ),
        {(T1, "warn")},
        'Optional listener [...] is not enabled" and starts without it; did you mean '
        "org.apache.catalina.core.AprLifecycleListener?",
    ),
    case(
        "classes-not-tomcats-are-not-judged",
        "CC602",
        with_cluster(
            cluster('<Manager className="de.javakaffee.web.msm.MemcachedSessionManager"/>')
        ),
        {(T1, "pass")},
        "(1 class not Tomcat's own, not judged: de.javakaffee.web.msm.MemcachedSessionManager)",
    ),
    case("tomcat5-not-judged", "CC602", node(HEALTHY, "5.5.36"), {(T1, "skip")}, "Tomcat 5.5.36"),
    case(
        "version-unknown",
        "CC602",
        node(HEALTHY, None),
        {(T1, "error")},
        "Tomcat version unknown: set tomcat.version",
    ),
    case(
        "server-xml-unusable",
        "CC602",
        node(HEALTHY.replace("Server", "server")),
        {(T1, "error")},
        "server.xml is unreadable",
    ),
    # CC605 cluster-start
    case("healthy", "CC605", healthy_three, ALL_PASS, ""),
    case("no-cluster", "CC605", node(server_xml(T1, cluster="")), {(T1, "skip")}, "no cluster"),
    case(
        "version-unknown",
        "CC605",
        node(HEALTHY, None),
        {(T1, "error")},
        "Tomcat version unknown",
    ),
    case(
        "not-a-multicast-group",
        "CC605",
        with_cluster(cluster(channel=(MCAST.format('address="10.0.0.1"'),))),
        {(T1, "fail")},
        "Tomcat does not start: the membership address 10.0.0.1 is not a multicast group",
    ),
    case(
        "undefined-property-as-group",
        "CC605",
        with_cluster(cluster(channel=(MCAST.format('address="${mcast.group}"'),))),
        {(T1, "fail")},
        "the membership address ${mcast.group} names a property defined neither",
    ),
    case(
        "undefined-property-as-bind",
        "CC605",
        with_cluster(cluster(channel=(MCAST.format('bind="${mcast.bind}"'),))),
        {(T1, "fail")},
        "the membership bind ${mcast.bind} names a property",
    ),
    case(
        "empty-group",
        "CC605",
        with_cluster(cluster(channel=(MCAST.format('address=""'),))),
        {(T1, "fail")},
        "the membership address is empty, which Java reads as the loopback address",
    ),
    case(
        "ipv6-group",
        "CC605",
        with_cluster(cluster(channel=(MCAST.format('address="ff02::1:4"'),))),
        {(T1, "pass")},
        "nothing that Tomcat 10.1.60 refuses",
    ),
    case(
        "group-as-a-host-name",  # for the node's resolver to say
        "CC605",
        with_cluster(cluster(channel=(MCAST.format('address="mcast.example"'),))),
        {(T1, "pass")},
    ),
    case(
        "membership-not-started",  # channelStartOptions 3: sender and receiver only
        "CC605",
        with_cluster(
            cluster(channel=(MCAST.format('address="10.0.0.1"'),)).replace(
                "SimpleTcpCluster", 'SimpleTcpCluster" channelStartOptions="3'
            )
        ),
        {(T1, "pass")},
    ),
    case(
        "tomcat7-old-attribute-name",
        "CC605",
        with_cluster(cluster(channel=(MCAST.format('mcastAddr="10.0.0.1"'),)), "7.0.109"),
        {(T1, "fail")},
        "the membership address 10.0.0.1 is not a multicast group",
    ),
    case(  # 8.5 ignores mcastAddr (CC602 says so) and joins the default group
        "old-attribute-name-ignored",
        "CC605",
        with_cluster(cluster(channel=(MCAST.format('mcastAddr="10.0.0.1"'),)), "8.5.100"),
        {(T1, "pass")},
    ),
    case(
        "receiver-address-undefined-property",
        "CC605",
        with_cluster(cluster(channel=(MCAST.format(""), RECEIVER.format('address="${rx}"')))),
        {(T1, "fail")},
        "Tomcat does not start: the Receiver address ${rx} names a property defined neither",
    ),
    case(
        "receiver-address-no-host-name-has",
        "CC605",
        with_cluster(cluster(channel=(MCAST.format(""), RECEIVER.format('Address="node 1"')))),
        {(T1, "fail")},
        "the Receiver address 'node 1' is no address and no host name has this text",
    ),
    case(
        "receiver-address-auto-or-a-name",  # auto: the node's own name; a name: its resolver
        "CC605",
        with_cluster(cluster(channel=(MCAST.format(""), RECEIVER.format('address="node-1"')))),
        {(T1, "pass")},
    ),
    case(
        "receiver-not-started",  # channelStartOptions 14: no SND_RX, the Receiver is not bound
        "CC605",
        with_cluster(
            cluster(channel=(MCAST.format(""), RECEIVER.format('address="${rx}"'))).replace(
                "SimpleTcpCluster", 'SimpleTcpCluster" channelStartOptions="14'
            )
        ),
        {(T1, "pass")},
    ),
    case(  # the Receiver's refusal only, not also "no Member has the Receiver's address"
        "receiver-address-undefined-with-static-members",
        "CC605",
        with_cluster(cluster(channel=static("10.0.0.11", receiver='address="${rx}"'))),
        {(T1, "fail")},
        "the Receiver address ${rx}",
    ),
    case(
        "in-a-host",
        "CC605",
        with_cluster(
            '<Host name="app" appBase="app">'
            + cluster(channel=(MCAST.format('address="10.0.0.1"'),))
            + "</Host>"
        ),
        {(T1, "fail")},
        "Tomcat does not start: the membership address 10.0.0.1",
    ),
    case(  # the second Cluster of an Engine replaces the first before either starts
        "replaced",
        "CC605",
        with_cluster(
            cluster(channel=(MCAST.format('address="10.0.0.1"'),)) + cluster(),
        ),
        {(T1, "pass")},
    ),
    case(
        "encrypt-after-tcp-failure-detector",
        "CC605",
        with_cluster(cluster(channel=(TCP_FAILURE, ENCRYPT.format(KEY)))),
        {(T1, "fail")},
        "Tomcat does not start: the EncryptInterceptor (line 6) is listed after the "
        "TcpFailureDetector (line 6), and Tomcat refuses that order",
    ),
    case(
        "encrypt-before-tcp-failure-detector",
        "CC605",
        with_cluster(cluster(channel=(ENCRYPT.format(KEY), TCP_FAILURE))),
        {(T1, "pass")},
    ),
    case(  # 9.0.13 and 9.0.14 did not check the order yet
        "encrypt-order-unchecked",
        "CC605",
        with_cluster(cluster(channel=(TCP_FAILURE, ENCRYPT.format(KEY))), "9.0.14"),
        {(T1, "pass")},
    ),
    case(  # no EncryptInterceptor in 9.0.12 at all: CC602's
        "encrypt-too-new",
        "CC605",
        with_cluster(cluster(channel=(TCP_FAILURE, ENCRYPT.format(""))), "9.0.12"),
        {(T1, "pass")},
    ),
    case(
        "encrypt-without-key",
        "CC605",
        with_cluster(cluster(channel=(ENCRYPT.format(""),))),
        {(T1, "fail")},
        'the EncryptInterceptor has no encryptionKey: "Encryption key is required"',
    ),
    case(
        "encrypt-odd-key",
        "CC605",
        with_cluster(cluster(channel=(ENCRYPT.format('encryptionKey="abc"'),))),
        {(T1, "fail")},
        "its encryptionKey is not hexadecimal digits in an even number",
    ),
    case(
        "encrypt-undefined-key",
        "CC605",
        with_cluster(cluster(channel=(ENCRYPT.format('encryptionKey="${tribes.key}"'),))),
        {(T1, "fail")},
        "its encryptionKey is not hexadecimal digits",
    ),
    case(
        "encrypt-empty-key",
        "CC605",
        with_cluster(cluster(channel=(ENCRYPT.format('encryptionKey=" "'),))),
        {(T1, "fail")},
        'has an empty encryptionKey: "Empty key"',
    ),
    case(  # the setter is found by the name with its first letter upper-cased
        "encrypt-key-first-letter",
        "CC605",
        with_cluster(cluster(channel=(ENCRYPT.format(KEY.replace("e", "E", 1)),))),
        {(T1, "pass")},
    ),
    case(  # a key that cannot be set leaves the one set before it
        "encrypt-second-key-refused",
        "CC605",
        with_cluster(cluster(channel=(ENCRYPT.format(KEY + ' encryptionKeyString="xyz"'),))),
        {(T1, "pass")},
    ),
    case(  # channelStartOptions 13: no sender, no cipher, no key needed
        "encrypt-key-unused",
        "CC605",
        with_cluster(
            cluster(channel=(ENCRYPT.format(""),)).replace(
                "SimpleTcpCluster", 'SimpleTcpCluster" ChannelStartOptions="13'
            )
        ),
        {(T1, "pass")},
    ),
    case(
        "static-with-local-member",
        "CC605",
        with_cluster(cluster(channel=static("10.0.0.12", local=True))),
        {(T1, "pass")},
    ),
    case(  # receiver auto: the node's own address stands in for the LocalMember
        "static-lists-the-node",
        "CC605",
        with_cluster(cluster(channel=static("10.0.0.11"))),
        {(T1, "pass")},
    ),
    case(
        "static-without-the-node",
        "CC605",
        with_cluster(cluster(channel=static("10.0.0.12", receiver='address="10.0.0.11"'))),
        {(T1, "fail")},
        "Tomcat does not start: StaticMembershipService has no <LocalMember>, so Tomcat looks "
        "for the <Member> with the Receiver's address and port, 10.0.0.11:4000",
    ),
    case(
        "static-member-by-name",
        "CC605",
        with_cluster(cluster(channel=static("tomcat9"))),
        {(T1, "warn")},
        "Tomcat does not start unless tomcat9 resolves, on the node, to its Receiver's address",
    ),
    case(  # receiver auto, offline: the node may have another address than the inventory's
        "static-member-another-address",
        "CC605",
        with_cluster(cluster(channel=static("10.0.0.99"))),
        {(T1, "warn")},
        "unless 10.0.0.99 resolves",
    ),
    case(
        "static-lists-the-others-only",
        "CC605",
        lambda tmp: healthy_three(tmp, {T1: {"cluster": cluster(channel=static("10.0.0.12"))}}),
        {(T1, "fail"), (T2, "pass"), (T3, "pass")},
        "its Members: 10.0.0.12:4000",
    ),
    case(  # a Member without host never is the Receiver
        "static-member-without-host",
        "CC605",
        with_cluster(cluster(channel=static(""))),
        {(T1, "fail")},
        "its Members: :4000",
    ),
    case(
        "static-before-9.0.17",
        "CC605",
        with_cluster(cluster(channel=static("10.0.0.11")), "9.0.16"),
        {(T1, "fail")},
        "StaticMembershipService has no <LocalMember>, which Tomcat needs before 9.0.17",
    ),
    case(  # no StaticMembershipService in 8.5: CC602's
        "static-too-new",
        "CC605",
        with_cluster(cluster(channel=static("10.0.0.12")), "8.5.100"),
        {(T1, "pass")},
    ),
    case(
        "farm-deployer-in-the-engine",
        "CC605",
        with_cluster(cluster(FARM)),
        {(T1, "fail")},
        "the cluster's FarmWarDeployer fails: it works only in a Host's <Cluster>",
    ),
    case(
        "farm-deployer-in-a-host",
        "CC605",
        with_cluster(f'<Host name="app" appBase="app">{cluster(FARM)}</Host>'),
        {(T1, "pass")},
        "the cluster of Host 'app': nothing that Tomcat 10.1.60 refuses while starting it",
    ),
    # CC604 server-xml-attributes
    case("healthy", "CC604", healthy_three, ALL_PASS, ""),
    case(
        "seed-has-no-table",
        "CC604",
        seed,
        {(T1, "skip"), (T2, "skip"), (T3, "skip")},
        "no attribute table for Tomcat 6.0.29: tables exist for 7.0, 8.5, 9.0, 10.1, 11.0",
    ),
    case(
        "membership-port-not-an-int",
        "CC604",
        with_cluster(cluster(channel=(MCAST.format('address="228.0.0.4" port="45564x"'),))),
        {(T1, "fail")},
        '<Membership port="45564x">: not a value Tomcat 10.1.60 can set (not an int for '
        'McastService.setPort(int)): it logs "failed to set property" and ignores it, so port '
        "falls back to its default 45564",
    ),
    case(
        "receiver-port-not-an-int",
        "CC604",
        with_cluster(cluster(channel=(MCAST.format(""), RECEIVER.format('port=" 4000"')))),
        {(T1, "fail")},
        "so port falls back to its default 4000",
    ),
    case(
        "miscased-attribute-warns",
        "CC604",
        with_cluster(cluster(channel=(MCAST.format(""), RECEIVER.format('autobind="10"')))),
        {(T1, "warn")},
        "NioReceiver in Tomcat 10.1.60 has no property autobind (names are case-sensitive after "
        "the first letter: write autoBind)",
    ),
    case(
        "first-letter-case-is-free",
        "CC604",
        with_cluster(cluster(channel=(MCAST.format('Address="228.0.0.4" Port="45564"'),))),
        {(T1, "pass")},
    ),
    case(
        "miscased-jvmroute-fails",
        "CC604",
        node(server_xml(None, engine_extra=' jvmroute="tomcat01"', cluster=cluster())),
        {(T1, "fail")},
        "StandardEngine in Tomcat 10.1.60 has no property jvmroute (names are case-sensitive "
        'after the first letter: write jvmRoute): Tomcat logs "failed to set property" and '
        "ignores it, so jvmRoute stays unset",
    ),
    case(
        "misspelt-secret-fails-unshown",
        "CC604",
        node(server_xml(T1, ajp_extra='address="0.0.0.0" secrect="s3cret"', cluster=cluster())),
        {(T1, "fail")},
        '<Connector secrect="...">: Connector in Tomcat 10.1.60 has no property secrect (did you '
        "mean secret?)",
    ),
    case(
        "connector-attribute-of-the-handler",
        "CC604",
        node(
            server_xml(T1, ajp_extra='secret="s3cret" packetSize="65536" socket.soKeepAlive="true"')
        ),
        {(T1, "pass")},
    ),
    case(
        "a-capitalised-secret-is-tomcats-secret",  # IntrospectionUtils: Secret= calls setSecret
        "CC103",
        node(server_xml(T1, ajp_extra='address="0.0.0.0" Secret="s3cret"')),
        {(T1, "pass")},
    ),
    case(
        "a-capitalised-secretRequired-is-read",
        "CC103",
        node(server_xml(T1, ajp_extra='address="0.0.0.0" SecretRequired="false"')),
        {(T1, "fail")},
        "listens on all addresses without a secret",
    ),
    case(
        "boolean-read-as-false",
        "CC604",
        node(server_xml(T1, ajp_extra='secret="s3cret" secretRequired="yes"', cluster=cluster())),
        {(T1, "warn")},
        '<Connector secretRequired="yes">: Tomcat reads it as false',
    ),
    case(
        "another-class-attribute",
        "CC604",
        with_cluster(
            cluster(
                f'<Manager className="{HA}session.BackupManager" notifyListenersOnReplication='
                '"true" expireSessionsOnShutdown="false"/>'
            )
        ),
        {(T1, "warn")},
        "BackupManager in Tomcat 10.1.60 has no property expireSessionsOnShutdown (it is a "
        "property of DeltaManager, not of BackupManager)",
    ),
    case(
        "removed-attribute-is-cc602s",
        "CC604",
        with_cluster(cluster(channel=(MCAST.format('mcastAddr="228.0.0.8" port="45564"'),))),
        {(T1, "pass")},
    ),
    case(
        "removed-secret-alias-is-cc602s",
        "CC604",
        node(server_xml(T1, ajp_extra='requiredSecret="s3cret"', cluster=cluster()), "11.0.2"),
        {(T1, "pass")},
        "(table of Tomcat 11.0.0 to 11.0.25)",
    ),
    case(
        "tomcat7-resources-not-judged-by-10-1-types",
        "CC602",
        with_cluster(
            '<Host name="app" appBase="app"><Context path="/a"><Resources className='
            '"org.apache.naming.resources.VirtualDirContext"/></Context></Host>',
            "7.0.109",
        ),
        {(T1, "pass")},
    ),
    case(
        "version-unknown",
        "CC604",
        node(HEALTHY, None),
        {(T1, "error")},
        "Tomcat version unknown: set tomcat.version",
    ),
    # CC604: what fails when an ignored attribute leaves its default
    case(
        "connector-port-not-an-int-does-not-start",
        "CC604",
        edited(('port="8080"', 'port="8080x"')),
        {(T1, "fail")},
        "so port falls back to its default -1: this connector does not start",
    ),
    case(
        "connector-port-letters-swapped",
        "CC604",
        edited(('port="8009"', 'prot="8009"')),
        {(T1, "fail")},
        "has no property prot (did you mean port?)",
    ),
    case(
        "connector-port-undefined-property",
        "CC604",
        edited(('port="8080"', 'port="${http.port}"')),
        {(T1, "fail")},
        '<Connector port="${http.port}">: not a value Tomcat 10.1.60 can set (${http.port} is '
        "not defined, see CC601)",
    ),
    case(
        "connector-address-undefined-property",
        "CC604",
        edited(('address="0.0.0.0"', 'address="${ajp.address}"')),
        {(T1, "fail")},
        '(${ajp.address} is not defined, see CC601): it logs "failed to set property" and '
        "ignores it, so address falls back to its default 127.0.0.1",
    ),
    case(
        "engine-defaulthost-miscased-has-no-default-host",
        "CC604",
        edited(('defaultHost="localhost"', 'defaulthost="localhost"')),
        {(T1, "fail")},
        "so defaultHost stays unset: the Engine has no default host",
    ),
    case(
        "host-name-misspelt-stops-tomcat",
        "CC604",
        edited(('<Host name="localhost"', '<Host nmae="localhost"')),
        {(T1, "fail")},
        "so name stays unset: Tomcat does not start",
    ),
    case(
        "host-name-misspelt-on-7-0",
        "CC604",
        edited(('<Host name="localhost"', '<Host nmae="localhost"'), version="7.0.109"),
        {(T1, "fail")},
        "so name keeps its default: no request reaches it",
    ),
    case(
        "engine-name-misspelt-fails-every-application",
        "CC604",
        edited(('<Engine name="Catalina"', '<Engine nmae="Catalina"')),
        {(T1, "fail")},
        '(did you mean name?): Tomcat logs "failed to set property" and ignores it, so name '
        "stays unset: every web application fails to start",
    ),
    case(
        "engine-name-misspelt-before-the-array-deque",  # 9.0.65 kept a Stack: null is fine
        "CC604",
        edited(('<Engine name="Catalina"', '<Engine nmae="Catalina"'), version="9.0.65"),
        {(T1, "warn")},
        "ignores it, so name keeps its default",
    ),
    case(
        "send-options-not-a-number-nor-names",
        "CC604",
        with_cluster(
            cluster().replace("SimpleTcpCluster", 'SimpleTcpCluster" channelSendOptions="8x')
        ),
        {(T1, "warn")},
        '<Cluster channelSendOptions="8x">: not a value Tomcat 10.1.60 can set '
        "(SimpleTcpCluster.setChannelSendOptions(String) takes a number or option names "
        "separated by commas (byte_message/byte, use_ack, synchronized_ack/sync, "
        'asynchronous/async, secure, udp, multicast, case-sensitive); "8x" is none of them '
        '("[8x] is not a valid option")): it logs "failed to set property" and ignores it, so '
        "channelSendOptions falls back to its default 8 (async)",
    ),
    case(
        "send-options-undefined-property",
        "CC604",
        with_cluster(
            cluster().replace("SimpleTcpCluster", 'SimpleTcpCluster" channelSendOptions="${so}')
        ),
        {(T1, "warn")},
        '(${so} is not defined, see CC601): it logs "failed to set property" and ignores it',
    ),
    case(
        "send-options-by-name",
        "CC604",
        with_cluster(
            cluster().replace(
                "SimpleTcpCluster", 'SimpleTcpCluster" channelSendOptions="async, use_ack'
            )
        ),
        {(T1, "pass")},
    ),
    case(
        "send-options-zero-sets-nothing",
        "CC604",
        with_cluster(
            cluster().replace("SimpleTcpCluster", 'SimpleTcpCluster" channelSendOptions="0')
        ),
        {(T1, "warn")},
        "SimpleTcpCluster.setChannelSendOptions(String) sets only a number above 0, so "
        "channelSendOptions falls back to its default 8 (async), without a word in the log",
    ),
    case(
        "send-options-names-before-9-0",  # 8.5 has only setChannelSendOptions(int)
        "CC604",
        with_cluster(
            cluster().replace("SimpleTcpCluster", 'SimpleTcpCluster" channelSendOptions="async'),
            "8.5.100",
        ),
        {(T1, "warn")},
        "(not an int for SimpleTcpCluster.setChannelSendOptions(int))",
    ),
    case(
        "static-member-unique-id-not-16-bytes",
        "CC604",
        with_cluster(
            cluster(channel=static("10.0.0.11", local=True)).replace(
                "{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2}", "{0,1,2,3,4,5,6,7,8,9}"
            )
        ),
        {(T1, "fail")},
        '<Member uniqueId="{0,1,2,3,4,5,6,7,8,9}">: not a value Tomcat 10.1.60 can set '
        "(StaticMember.setUniqueId(String) takes exactly 16 bytes written {b1,b2,...,b16}; it "
        'has 10: "UUID must be exactly 16 bytes"): it logs "failed to set property" and '
        "ignores it, so uniqueId falls back to its default 16 zero bytes",
    ),
    case(  # whether node2.example resolves on the node (else Tomcat ignores it) is its own
        "static-member-host-name-named-not-judged",
        "CC604",
        with_cluster(cluster(channel=static("node2.example", local=True))),
        {(T1, "pass")},
        "; not judged: 1 static member host name resolved on the node (node2.example)",
    ),
    case(  # a literal address is judged as written: nothing to say
        "static-member-address-judged",
        "CC604",
        with_cluster(cluster(channel=static("10.0.0.12", local=True))),
        {(T1, "pass")},
        "(table of Tomcat 10.1.0 to 10.1.60)",
    ),
    case(  # what cannot be judged is named beside the findings too
        "not-judged-named-beside-findings",
        "CC604",
        with_cluster(
            cluster(
                '<Valve className="com.example.AuditValve"/>',
                channel=static("node2.example", local=True),
            ).replace("{0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,2}", "{0,1}")
        ),
        {(T1, "fail"), (T1, "skip")},
        "not judged: 1 class not Tomcat's own (com.example.AuditValve); 1 static member host "
        "name resolved on the node (node2.example)",
    ),
    case(
        "replication-filter-not-compiled",
        "CC604",
        with_cluster(cluster(f'<Valve className="{HA}tcp.ReplicationValve" filter="${{f}}"/>')),
        {(T1, "warn")},
        '<Valve filter="${f}">: Java\'s Pattern.compile rejects a "{" that starts no count '
        '("Illegal repetition"); ${f} is not defined, see CC601: ReplicationValve logs an error '
        "and ignores it, so no request is excluded from replication",
    ),
    case(
        "replication-filter-compiles",
        "CC604",
        with_cluster(cluster(f'<Valve className="{HA}tcp.ReplicationValve" filter=".*\\.gif"/>')),
        {(T1, "pass")},
    ),
    # CC602: names no class can have
    case(
        "protocol-undefined-property",
        "CC602",
        edited(('protocol="AJP/1.3"', 'protocol="${ajp.protocol}"')),
        {(T1, "fail")},
        '<Connector protocol="${ajp.protocol}">: no class can have this name (${ajp.protocol} '
        "is not defined, see CC601): the connector fails to initialise",
    ),
    case(
        "protocol-name-miscased",
        "CC602",
        edited(('protocol="HTTP/1.1"', 'protocol="http/1.1"')),
        {(T1, "fail")},
        "write HTTP/1.1 (protocol names are case-sensitive)",
    ),
    case(
        "class-name-undefined-property",
        "CC602",
        with_cluster(cluster(channel=('<Membership className="${membership.class}"/>',))),
        {(T1, "fail")},
        "no class can have this name (${membership.class} is not defined, see CC601): Tomcat "
        "does not start",
    ),
    # CC606 server-xml-references
    case("healthy", "CC606", healthy_three, ALL_PASS, "2 Connectors with a port, 1 Engine"),
    case(
        "connector-without-port",
        "CC606",
        edited(('port="8009" ', "")),
        {(T1, "fail")},
        "<Connector> has no port: this connector does not start",
    ),
    case(
        "a-misspelt-port-is-cc604s",
        "CC606",
        edited(('port="8009"', 'prot="8009"')),
        {(T1, "pass")},
    ),
    case(
        "a-unix-domain-socket-needs-no-port",
        "CC606",
        edited(('port="8080"', 'unixDomainSocketPath="/run/tomcat.sock"')),
        {(T1, "pass")},
    ),
    case(
        "default-host-is-an-alias",
        "CC606",
        edited(
            ('defaultHost="localhost"', 'defaultHost="WWW.example.com"'),
            (
                HOST,
                '<Host name="localhost" appBase="webapps"><Alias>www.example.com</Alias></Host>',
            ),
        ),
        {(T1, "pass")},
    ),
    case(
        "no-default-host",
        "CC606",
        edited(('defaultHost="localhost"', "")),
        {(T1, "fail")},
        "<Engine> has no defaultHost: the Engine has no default host",
    ),
    case(
        "a-misspelt-default-host-is-cc604s",
        "CC606",
        edited(('defaultHost="localhost"', 'defalutHost="localhost"')),
        {(T1, "pass")},
    ),
    case(
        "default-host-names-no-host",
        "CC606",
        edited(('defaultHost="localhost"', 'defaultHost="${default.host}"')),
        {(T1, "fail")},
        '<Engine defaultHost="${default.host}"> names none of its Hosts (${default.host} is not '
        "defined, see CC601; its Hosts: localhost): the Engine has no default host",
    ),
    case(
        "host-moved-out-of-its-engine",
        "CC606",
        edited((HOST, ""), ("</Engine>", f"</Engine>{HOST}")),
        {(T1, "fail")},
        "it has no Host that Tomcat reads; a <Host> it ignores does not count, see CC601",
    ),
    case(
        "host-without-name",
        "CC606",
        edited(('<Host name="localhost"', "<Host")),
        {(T1, "fail")},
        "<Host> has no name: Tomcat does not start",
    ),
    case(
        "host-without-name-on-7-0",
        "CC606",
        edited(('<Host name="localhost"', "<Host"), version="7.0.109"),
        {(T1, "fail")},
        "<Host> has no name: no request reaches it",
    ),
    case(
        "engine-without-name",
        "CC606",
        edited(('<Engine name="Catalina" ', "<Engine ")),
        {(T1, "fail")},
        "<Engine> has no name: every web application fails to start (StandardContext names "
        "each application's JNDI context",
    ),
    case(
        "engine-without-name-before-the-array-deque",
        "CC606",
        edited(('<Engine name="Catalina" ', "<Engine "), version="8.5.82"),
        {(T1, "pass")},
    ),
    case(
        "engine-without-name-release-unknown",  # 9.0.66 changed it: "9.0" does not say
        "CC606",
        declared(HEALTHY.replace('<Engine name="Catalina" ', "<Engine "), "9.0"),
        {(T1, "warn")},
        "<Engine> has no name: every web application may fail to start",
    ),
    case(
        "a-misspelt-engine-name-is-cc604s",
        "CC606",
        edited(('<Engine name="Catalina"', '<Engine nmae="Catalina"')),
        {(T1, "pass")},
    ),
    case("user-database", "CC606", user_database(DATABASE), {(T1, "pass")}, "1 UserDatabaseRealm"),
    case(
        "user-database-without-type",
        "CC606",
        user_database(f'factory="{MEMORY}"'),
        {(T1, "fail")},
        '<Resource name="UserDatabase"> has no type (MemoryUserDatabaseFactory makes a '
        f'UserDatabase only for type="{USERS}"), so the UserDatabaseRealm on line 6 finds no '
        "UserDatabase: Tomcat does not start",
    ),
    case(
        "user-database-type-misspelt",
        "CC606",
        user_database(f'tpye="{USERS}" factory="{MEMORY}"'),
        {(T1, "fail")},
        "; its tpye= is not type=, so the UserDatabaseRealm",
    ),
    case(
        "user-database-without-factory",
        "CC606",
        user_database(f'type="{USERS}"'),
        {(T1, "fail")},
        "has no factory",
    ),
    case(
        "user-database-factory-capitalised",
        "CC606",
        user_database(f'type="{USERS}" Factory="{MEMORY}"'),
        {(T1, "fail")},
        "has no factory (without one Tomcat's ResourceFactory makes only DataSources and mail "
        "Sessions); its Factory= is not factory=",
    ),
    case(
        "user-database-factory-undefined-property",
        "CC606",
        user_database(f'type="{USERS}" factory="${{users.factory}}"'),
        {(T1, "fail")},
        'has factory="${users.factory}", which no class can be named',
    ),
    case(
        "user-database-of-another-factory-not-judged",
        "CC606",
        user_database('type="com.example.Users" factory="com.example.UsersFactory"'),
        {(T1, "pass")},
    ),
    case(
        "realm-names-no-resource",
        "CC606",
        user_database(DATABASE, USER_REALM.format(' resourceName="${users}"')),
        {(T1, "fail")},
        'resourceName "${users}" names no <Resource> in <GlobalNamingResources> (${users} is not '
        "defined, see CC601): Tomcat does not start",
    ),
    case(
        "realm-in-a-lockout-realm-is-dropped",
        "CC606",
        user_database(
            DATABASE,
            '<Realm className="org.apache.catalina.realm.LockOutRealm">'
            + USER_REALM.format(' resourceName="Users"')
            + "</Realm>",
        ),
        {(T1, "fail")},
        "the LockOutRealm around it drops it",
    ),
    case(
        "references-version-unknown",
        "CC606",
        node(HEALTHY, None),
        {(T1, "error")},
        "Tomcat version unknown",
    ),
]


@pytest.mark.parametrize(("code", "builder", "expected", "message"), CASES)
def test_check(
    tmp_path: Path, code: str, builder: Builder, expected: Expected, message: str
) -> None:
    results = judge(builder(tmp_path), code)
    assert outcome(results) == expected, [(r.node, r.status.value, r.message) for r in results]
    if message:
        assert any(message in r.message for r in results), [r.message for r in results]


def test_an_ignored_subtree_is_reported_once(tmp_path: Path) -> None:
    results = judge(with_cluster(LOWER_TOMCAT6_CLUSTER)(tmp_path), "CC601")
    (result,) = results
    assert result.status.value == "fail" and result.line is not None
    assert result.details["ignored_elements"] == 8, result.message
    assert "(and the 7 elements inside it)" in result.message


def test_each_missing_class_of_a_tomcat6_block_on_tomcat10(tmp_path: Path) -> None:
    results = judge(with_cluster(TOMCAT6_CLUSTER)(tmp_path), "CC602")
    failing = {r.details["class"].rsplit(".", 1)[1] for r in results if r.status.value == "fail"}
    assert failing == {"MessageDispatch15Interceptor", "JvmRouteSessionIDBinderListener"}
    (filter_,) = [r for r in results if r.status.value == "warn"]
    assert 'filter=".*\\.gif|.*\\.js|.*\\.css"' in filter_.message


def test_removed_secret_attributes_never_show_their_value(tmp_path: Path) -> None:
    builder = node(server_xml(T1, ajp_extra='requiredSecret="s3cret"', cluster=cluster()), "11.0.2")
    for result in judge(builder(tmp_path), "CC602"):
        assert "s3cret" not in repr(result)


# Files of the shared corpus laid out as a node's server.xml, on a chosen Tomcat version.
CORPUS = [
    (
        "16",
        "9.0.85",
        "CC601",
        {"fail", "warn"},
        "not allowed under Cluster; it belongs under Channel",
    ),
    ("16", "9.0.85", "CC602", {"pass"}, ""),
    ("16", "9.0.12", "CC602", {"fail"}, "not in Tomcat 9.0.12 yet (added in 9.0.13)"),
    ("25", "9.0.85", "CC601", {"fail"}, "Tomcat does not start: not well-formed XML"),
    ("19", "7.0.109", "CC602", {"pass"}, ""),
    ("19", "10.1.60", "CC601", {"pass"}, ""),
    ("19", "10.1.60", "CC602", {"fail"}, "MessageDispatch15Interceptor"),
    (
        "24",
        "7.0.109",
        "CC601",
        {"fail", "warn"},
        "<Membership> is ignored: not allowed under Cluster",
    ),
    ("24", "7.0.109", "CC602", {"fail"}, "org.apache.catalina.cluster.tcp.SimpleTcpCluster"),
    ("13", "9.0.85", "CC602", {"warn"}, "not a ';'-separated list"),
    ("24", "10.1.60", "CC602", {"fail"}, "org.apache.catalina.cluster.tcp.SimpleTcpCluster"),
    ("01", "10.1.60", "CC604", {"pass"}, ""),
    (
        "02",
        "10.1.60",
        "CC604",
        {"warn"},
        '<Connector maxConnection="8192">: Connector in Tomcat 10.1.60 has no property '
        "maxConnection (did you mean maxConnections?)",
    ),
    ("02", "10.1.60", "CC604", {"warn"}, "it is a property of <Certificate>, not of SSLHostConfig"),
    (
        "09",
        "10.1.60",
        "CC604",
        {"warn"},
        "no property selectTimeout (did you mean selectorTimeout?)",
    ),
    ("12", "10.1.60", "CC604", {"warn"}, "it is a property of DeltaManager, not of BackupManager"),
    ("27", "10.1.60", "CC604", {"warn"}, "(did you mean compressibleMimeType?)"),
    ("24", "10.1.60", "CC604", {"fail", "warn"}, '<Connector port="@AJP@">: not a value'),
    ("09", "9.0.85", "CC604", {"warn"}, "NioReceiver in Tomcat 9.0.85 has no property select"),
    ("19", "7.0.109", "CC604", {"warn"}, "no property distributed (did you mean distributable?)"),
    ("17", "8.5.100", "CC604", {"pass"}, "(table of Tomcat 8.5.0 to 8.5.100)"),
    ("27", "7.0.109", "CC604", {"pass"}, ""),  # compressableMimeType is still 7.0's spelling
    ("01", "10.1.60", "CC103", {"fail"}, "AJP port 8009: this connector does not start"),
    ("01", "9.0.30", "CC103", {"fail"}, "AJP port 8009 listens on all addresses without a secret"),
    ("09", "10.1.60", "CC103", {"fail"}, "listens on all addresses without a secret (Ghostcat"),
    ("30", "10.1.60", "CC103", {"pass"}, ""),
    ("15", "10.1.60", "CC605", {"warn"}, "unless tomcat1 or tomcat2 or tomcat3 resolves"),
    ("15", "9.0.16", "CC605", {"fail"}, "which Tomcat needs before 9.0.17"),
    ("09", "10.1.60", "CC605", {"fail"}, "the cluster's FarmWarDeployer fails"),
    ("12", "9.0.85", "CC605", {"fail"}, "the cluster's FarmWarDeployer fails"),
    ("16", "10.1.60", "CC605", {"pass"}, ""),  # its EncryptInterceptor is outside the Channel
    ("18", "10.1.60", "CC605", {"pass"}, ""),  # static members through the interceptor
    # its Member's uniqueId has 10 bytes; its host, "Node-2_IP", resolves or not on the node
    (
        "18",
        "10.1.60",
        "CC604",
        {"fail", "skip"},
        "StaticMember.setUniqueId(String) takes exactly 16",
    ),
    ("18", "10.1.60", "CC604", {"fail", "skip"}, "1 static member host name resolved on the node"),
    # Tomcat looks for TomEE's classes in lib/, which clustercheck does not open
    ("23", "10.1.60", "CC604", {"fail", "skip"}, "not Tomcat's own (org.apache.tomee.catalina"),
]


# The seed's server.xml files (Tomcat 6) carried over to a Tomcat 10.1 node unchanged.
SEED_FILES = REPO / "examples" / "seed-cluster" / "hosts"


@pytest.mark.parametrize(
    ("host", "code", "statuses", "message"),
    [
        ("asianux", "CC602", {"fail", "warn"}, "MessageDispatch15Interceptor"),
        ("asianux", "CC604", {"warn"}, '<Host xmlValidation="false">: StandardHost in Tomcat'),
        ("centos", "CC103", {"fail"}, "AJP port 8009: this connector does not start"),
    ],
)
def test_seed_file_on_tomcat_10_1(
    tmp_path: Path, host: str, code: str, statuses: set[str], message: str
) -> None:
    (path,) = (SEED_FILES / host).rglob("server.xml")
    results = judge(node(path.read_bytes())(tmp_path), code)
    assert {r.status.value for r in results} == statuses, [r.message for r in results]
    assert any(message in r.message for r in results), [r.message for r in results]


@pytest.mark.parametrize(
    ("prefix", "version", "code", "statuses", "message"),
    [pytest.param(*c, id=f"{c[2]}-{c[0]}-on-{c[1]}") for c in CORPUS],
)
def test_corpus_file(
    corpus_dir: Path,
    tmp_path: Path,
    prefix: str,
    version: str,
    code: str,
    statuses: set[str],
    message: str,
) -> None:
    (path,) = (corpus_dir / "serverxml").glob(f"{prefix}_*")
    results = judge(node(path.read_bytes(), version)(tmp_path), code)
    assert {r.status.value for r in results} == statuses, [r.message for r in results]
    assert not message or any(message in r.message for r in results), [r.message for r in results]


@pytest.mark.parametrize(
    ("host", "address", "interfaces", "expected"),
    [
        ("10.0.0.11", "auto", [], True),  # the inventory's address of the node
        ("tomcat01", "auto", [], True),  # the inventory's name of the node
        ("10.0.0.12", "auto", [], False),  # another node of the inventory
        ("10.0.0.99", "auto", [], None),  # offline: the node may have that address too
        ("10.0.0.99", "auto", ["10.0.0.11", "192.168.1.5"], False),  # not one of its own
        ("192.168.1.5", "auto", ["10.0.0.11", "192.168.1.5"], True),
        ("localhost", "127.0.0.1", [], True),
        ("10.0.0.99", "10.0.0.11", [], False),  # addresses compared as written
        ("node-a", "10.0.0.11", [], None),  # a name against an address
        ("node-a", "node-a", [], True),
    ],
)
def test_which_member_is_the_receiver(
    host: str, address: str, interfaces: list[str], expected: bool | None
) -> None:
    own = {"10.0.0.11", "tomcat01", *interfaces}
    others = {"10.0.0.12", "tomcat02"}
    assert _is_receiver(host, address, own, others, interfaces) is expected
