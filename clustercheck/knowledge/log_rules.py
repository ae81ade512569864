"""Known failure lines of Tomcat, mod_jk and httpd, each with its cause, what it does to users,
the fix, and the check that judges the cause from the configuration (CC803 log-signatures).

Every pattern is the text the software prints, taken from its sources: Tomcat 10.1's
LocalStrings.properties (in /usr/share/tomcat10/lib/*.jar; the key is named), mod_jk 1.2.48's
format strings (native/common/jk_ajp_common.c, jk_lb_worker.c; `strings mod_jk.so`), and httpd
2.4's AH codes (modules/proxy/mod_proxy_ajp.c, ajp_msg.c, ajp_link.c, proxy_util.c,
mod_proxy_balancer.c; server/mpm). Lines seen in the lab are kept as test fixtures
(tests/data/logs). Third-party packages add rules through the `clustercheck.log_rules`
entry-point group (engine/log_rules.py): each entry point names a tuple of LogRule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TOMCAT = frozenset({"tomcat", "journald"})
MODJK = frozenset({"modjk"})
HTTPD = frozenset({"httpd"})
FRONT = MODJK | HTTPD


@dataclass(frozen=True)
class LogRule:
    """One known line. `pattern` is searched in every line of the `kinds` of log (continuation
    lines of a stack trace included; a logged entry counts once). A named group `subject` says
    what the line is about (a member, an element); a later line matching `cleared_by` with the
    same subject undoes it (a member that disappeared and was added again was restarted)."""

    id: str  # stable, kebab-case
    pattern: re.Pattern[str]
    kinds: frozenset[str]
    severity: str  # "warn" | "fail"
    cause: str
    consequence: str
    fix: str
    related: str | None  # the check that judges the cause from the configuration or the network
    source: str  # where the text comes from
    cleared_by: re.Pattern[str] | None = None


SEVERITIES = ("warn", "fail")

_MEMBER = r"(?P<subject>tcp://\{[-\d, ]+\}:\d+)"

RULES: tuple[LogRule, ...] = (
    # --- Tomcat: session state and serialization (field.md #22, #25, #26) ---
    LogRule(
        "session-not-serializable",
        re.compile(
            r"java\.io\.NotSerializableException|setAttribute: Non-serializable attribute \[|"
            r"Cannot serialize session attribute \[|Unable to serialize delta request for sessionid"
        ),
        TOMCAT,
        "fail",
        "a session attribute is not Serializable",
        "the session cannot be replicated: users of this node lose it when it fails over "
        "(a directly non-serializable attribute is refused with HTTP 500)",
        "make every class stored in the session (and everything it holds) implement "
        "java.io.Serializable, or mark what need not travel transient",
        "CC701",
        "catalina-ha deltaManager.createMessage.unableCreateDeltaRequest; catalina "
        "standardSession.setAttribute.iae, standardSession.notSerializable",
    ),
    LogRule(
        "session-class-mismatch",
        re.compile(r"java\.io\.InvalidClassException"),
        TOMCAT,
        "fail",
        "a replicated session holds a class this node has in another version",
        "sessions from the other members cannot be read here: users lose them on failover",
        "deploy the same build of the application on every node (CC702); keep serialVersionUID "
        "stable across releases",
        "CC702",
        "java.io.ObjectInputStream (JDK)",
    ),
    LogRule(
        "state-transfer-timeout",
        re.compile(r"No session state sen[dt] at \[.*\] received, timing out after"),
        TOMCAT,
        "warn",
        "the node started without the cluster's sessions: no member answered its state request",
        "sessions living on the other members are unknown here until they are used again; "
        "failover to this node loses them",
        "make the members' replication receivers reachable from this node (CC504) and their "
        "heartbeats heard (CC501); start nodes one after the other",
        "CC504",
        "catalina-ha deltaManager.noSessionState",
    ),
    LogRule(
        "replicated-map-no-replies",
        re.compile(r"Transfer state, 0 replies, probably a timeout"),
        TOMCAT,
        "warn",
        "BackupManager's replicated map got no state from the other members",
        "sessions backed up elsewhere are not known here",
        "make the replication receivers reachable (CC504)",
        "CC504",
        "catalina-tribes abstractReplicatedMap.transferState.noReplies",
    ),
    LogRule(
        "unable-to-diff",
        re.compile(r"Unable to diff object\. Will replicate the entire object instead"),
        TOMCAT,
        "warn",
        "a replicated map entry could not be sent as a difference",
        "every change sends the whole object: more replication traffic",
        "store attributes that BackupManager can diff, or accept the traffic",
        None,
        "catalina-tribes abstractReplicatedMap.unable.diffObject",
    ),
    # --- Tomcat: membership and replication sends (field.md #15-#17) ---
    LogRule(
        "member-disappeared",
        re.compile(
            # not a member that announced its shutdown: Tribes sends Member.SHUTDOWN_PAYLOAD,
            # "BABY-ALEX", as its last command, and MemberImpl.toString() prints it in bytes
            r"^(?!.*command=\{66 65 66 89 45 65 76 69 88 )"
            # (TcpFailureDetector's "Verification complete. Member disappeared[" comes first for
            # the same event, when the channel has one)
            r".*Received member disappeared:\[.*" + _MEMBER
        ),
        TOMCAT,
        "warn",
        "a member stopped being heard without shutting down, and has not come back",
        "it crashed, hangs, or is cut off: sessions replicated only to it are lost, and its "
        "users fail over to nodes that may not have their sessions",
        "find why the member stopped, or stopped being heard (heartbeats: CC501)",
        "CC501",
        "catalina-ha simpleTcpCluster.member.disappeared; catalina-tribes "
        "tcpFailureDetector.member.disappeared, Member.SHUTDOWN_PAYLOAD",
        cleared_by=re.compile(
            r"(?:Replication member added:\[|Verification complete\. Member still alive\[|"
            r"Member added, even though we weren't notified:\[).*" + _MEMBER
        ),
    ),
    LogRule(
        "member-send-failing",
        re.compile(r"Member send is failing for:\[" + _MEMBER),
        TOMCAT,
        "warn",
        "replication messages to a member could not be sent, and it is still a member",
        "that member's copy of the sessions is out of date: users failing over to it lose "
        "their latest changes",
        "make the member's receiver reachable at the address it advertises (CC502, CC504)",
        "CC504",
        # SimpleTcpCluster's "Unable to send message through cluster sender." follows it for the
        # same send (its ChannelException names the same "Faulty members"): not counted twice
        "catalina-tribes parallelNioSender.send.fail, parallelNioSender.send.fail.retrying",
        # the member was dropped (member-disappeared's finding), or came back and was verified
        cleared_by=re.compile(
            r"(?:Replication member added:\[|Received member disappeared:\[|"
            r"Verification complete\. Member (?:still alive|disappeared|already disappeared)\[|"
            r"Member added, even though we weren't notified:\[).*" + _MEMBER
        ),
    ),
    LogRule(
        "message-not-decrypted",
        # not the replay protection's "Failed to decrypt message: replay attack detected" (a
        # clock or a replay, not the configuration)
        re.compile(r"Failed to decrypt message(?!: replay)"),
        TOMCAT,
        "fail",
        "a member sent a message this node's EncryptInterceptor cannot decrypt: another key, "
        "another algorithm, or none",
        "the message is dropped: sessions do not replicate between the two, and users failing "
        "over between them lose theirs",
        "give every member's EncryptInterceptor the same encryptionKey and encryptionAlgorithm "
        "(CC508), and restart the members",
        "CC508",
        "catalina-tribes encryptInterceptor.decrypt.failed (EncryptInterceptor.messageReceived)",
    ),
    LogRule(
        "message-not-deserialized",
        re.compile(r"Unable to deserialize message:\["),
        TOMCAT,
        "fail",
        "a member sent a message this node cannot read as Java objects: the sender encrypts it "
        "(EncryptInterceptor) and this node does not, or a member of another version or cluster "
        "sends to it",
        "the message is dropped: sessions do not replicate from that member",
        "give every member the same EncryptInterceptor, or none (CC508), and keep other "
        "clusters off the receiver's port",
        "CC508",
        "catalina-tribes groupChannel.unable.deserialize (GroupChannel.messageReceived)",
    ),
    LogRule(
        "receiver-threads-exhausted",
        re.compile(r"Channel key is registered, but has had no interest ops"),
        TOMCAT,
        "warn",
        "the replication receiver had no free thread for a connection",
        "replication stalls under load; members time out sending to this node",
        "raise the Receiver's maxThreads, or find what blocks its threads (a thread dump)",
        None,
        "catalina-tribes nioReceiver.threadsExhausted",
    ),
    # --- Tomcat: configuration Tomcat read differently (field.md #28, CC601) ---
    LogRule(
        "digester-no-rules",
        re.compile(r"No rules found matching \[(?P<subject>[^\]]*)\]"),
        TOMCAT,
        "warn",
        "server.xml has an element Tomcat does not know there (misspelt, wrong case, wrong "
        "place), and Tomcat ignored it",
        "what it configures does not exist in the running Tomcat (a lower-case <cluster>: no "
        "cluster at all)",
        "write the element as Tomcat names it, in its place (CC601 names file and line)",
        "CC601",
        "tomcat-util-scan digester.noRulesFound",
    ),
    # --- Tomcat: AJP connector (field.md #1, #5, #6) ---
    LogRule(
        "ajp-secret-required",
        re.compile(
            r"The AJP Connector is configured with secretRequired=\"true\" but the secret "
            r"attribute is either null or \"\""
        ),
        TOMCAT,
        "fail",
        "the AJP connector requires a secret and has none, so it did not start",
        "the front ends cannot reach this node: their requests fail over or get 503",
        'give the connector secret= (the workers\' secret too), or secretRequired="false" '
        "only on a loopback address",
        "CC103",
        "tomcat-coyote ajpprotocol.noSecret",
    ),
    LogRule(
        "connector-init-failed",
        re.compile(r"Failed to initialize component \[Connector\["),
        TOMCAT,
        "fail",
        "a connector failed to start while the rest of Tomcat runs",
        "nothing listens on its port: front ends are refused and fail over",
        "read the exception after this line (an address that cannot be bound, a port in use, "
        "a missing secret) and fix the Connector in server.xml",
        "CC102",
        "catalina lifecycleBase.initFail",
    ),
    LogRule(
        "ajp-header-too-long",
        re.compile(r"Header message of length \[[\d,.]+\] received but the packetSize is only \["),
        TOMCAT,
        "fail",
        "the front end sent an AJP packet larger than the connector's packetSize",
        "requests with large headers (cookies, client certificates) fail with HTTP 400",
        "set the same packet size on both tiers (CC105)",
        "CC105",
        "tomcat-coyote ajpprocessor.header.tooLong",
    ),
    LogRule(
        "ajp-invalid-message",
        re.compile(r"Invalid message received with (?:signature|length) \["),
        TOMCAT,
        "fail",
        "the connector received something that is not an AJP packet of its size",
        "the request fails; a front end with a larger packet size, or a client speaking HTTP to "
        "the AJP port",
        "set the same packet size on both tiers (CC105); keep the AJP port from clients (CC103)",
        "CC105",
        "tomcat-coyote ajpmessage.invalid, ajpmessage.invalidLength",
    ),
    LogRule(
        "threads-busy",
        re.compile(
            r"All threads \(\d+\) are currently busy|Maximum number of threads \(\d+\) created "
            r"for connector"
        ),
        TOMCAT,
        "fail",
        "every thread of a connector was busy",
        "requests wait or are refused; the front ends put the node in error (503)",
        "fit the front ends' connections to the connector's maxThreads (CC107), or find what "
        "holds the threads",
        "CC107",
        "Tomcat 5.5/6 threadpool.busy (util/threads/res/LocalStrings), endpoint.info.maxThreads",
    ),
    # --- mod_jk (field.md #4-#6, #8) ---
    LogRule(
        "jk-all-failed",
        re.compile(
            r"All tomcat instances failed, no more workers left|All tomcat instances are busy or "
            r"in error state|all workers are in error state for session"
        ),
        MODJK,
        "fail",
        "mod_jk found no member of a balancer to send a request to",
        "users got HTTP 503",
        "start or reach the members (CC102 says which answer), or raise their capacity (CC107)",
        "CC102",
        "mod_jk jk_lb_worker.c service()",
    ),
    LogRule(
        "jk-connect-failed",
        re.compile(
            r"connecting to backend failed\. Tomcat is probably not started or is listening on "
            r"the wrong port \(errno=\d+\)"
        ),
        MODJK,
        "fail",
        "mod_jk could not connect to a member (errno 111: refused, 110: timed out)",
        "the member is put in error; its users fail over",
        "start the Tomcat, or make worker host and port equal its AJP connector (CC101, CC102)",
        "CC102",
        "mod_jk jk_ajp_common.c ajp_send_request()",
    ),
    LogRule(
        "jk-wrong-message-size",
        re.compile(
            r"wrong message size \d+ \d+|Creating AJP message failed without recovery - check "
            r"max_packet_size"
        ),
        MODJK,
        "fail",
        "an AJP packet did not fit mod_jk's max_packet_size",
        "the response is cut off or the request fails (HTTP 413 or 500)",
        "set max_packet_size equal to the connector's packetSize (CC105)",
        "CC105",
        "mod_jk jk_ajp_common.c ajp_connection_tcp_get_message(), ajp_send_request()",
    ),
    LogRule(
        "jk-tomcat-down",
        re.compile(
            r"Tomcat is down or (?:refused connection|network problems)|can't receive the "
            r"response (?:header|body) message from tomcat|Timeout with waiting reply from tomcat"
        ),
        MODJK,
        "warn",
        "a member dropped or did not answer a connection mod_jk was using",
        "that request failed or was retried; after quiet periods, idle connections the "
        "Tomcat or a firewall closed",
        "make mod_jk close idle connections first and probe them (CC106: "
        "connection_pool_timeout, ping_mode, socket_keepalive)",
        "CC106",
        "mod_jk jk_ajp_common.c ajp_get_reply(), ajp_service()",
    ),
    # --- mod_proxy_ajp / mod_proxy_balancer (field.md #31) ---
    LogRule(
        "proxy-ajp-receive-failed",
        re.compile(r"AH00992:|AH01030:|AH00878:"),
        HTTPD,
        "warn",
        "mod_proxy_ajp lost a connection to a member while reading its answer",
        "the request failed with 502/503; intermittent, after quiet periods: idle connections "
        "Tomcat or a firewall closed",
        "make mod_proxy close idle connections first and probe them (CC106: ttl=, ping=)",
        "CC106",
        "httpd mod_proxy_ajp.c AH00878/AH00992, ajp_link.c AH01030",
    ),
    LogRule(
        "proxy-connect-failed",
        re.compile(r"AH00957:|AH00959:|AH00896:|AH00897:"),
        HTTPD,
        "fail",
        "mod_proxy could not connect to a member, or it did not answer CPing, and disabled it",
        "the member is in error for the retry period; its users fail over",
        "start the Tomcat, or make the BalancerMember's host and port its AJP connector's "
        "(CC101, CC102)",
        "CC102",
        "httpd proxy_util.c AH00957/AH00959, mod_proxy_ajp.c AH00896/AH00897",
    ),
    LogRule(
        "proxy-all-in-error",
        re.compile(r"AH01170:|AH01167:|AH00934:"),
        FRONT,
        "fail",
        "the balancer had no member to send a request to",
        "users got HTTP 503",
        "start or reach the members (CC102), or raise their capacity (CC107)",
        "CC102",
        "httpd mod_proxy_balancer.c AH01167/AH01170, proxy_util.c AH00934",
    ),
    LogRule(
        "proxy-packet-too-big",
        re.compile(r"AH01081:|AH00988:"),
        HTTPD,
        "fail",
        "an AJP packet did not fit ProxyIOBufferSize",
        "the request (large headers) or the response fails",
        "set ProxyIOBufferSize equal to the connector's packetSize (CC105)",
        "CC105",
        "httpd ajp_msg.c AH01081, mod_proxy_ajp.c AH00988",
    ),
    LogRule(
        "httpd-max-workers",
        re.compile(r"AH00484:|AH00286:|AH00161:"),
        HTTPD,
        "warn",
        "httpd reached MaxRequestWorkers",
        "new connections waited in the listen queue: slow pages, then timeouts",
        "size MaxRequestWorkers with the Tomcats' capacity in mind (CC107)",
        "CC107",
        "httpd server/mpm event.c AH00484, worker.c AH00286, prefork.c AH00161",
    ),
)
