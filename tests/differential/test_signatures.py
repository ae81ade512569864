"""The log-signature tables and the file handling of the differential suite, without starting
anything: lines as Tomcat 10.1.60 and mod_jk 1.2.48 wrote them in this suite's runs."""

from __future__ import annotations

import pytest
from differential.agreement import Row
from differential.httpd_truth import hosts_file
from differential.httpd_truth import parse_log as parse_httpd
from differential.mutations import attr_wrong_type, element_misplaced, mutants, sample
from differential.tomcat_truth import TomcatRun, Truth, confine, parse_log

PREFIX = "03-Dec-2026 14:21:16.405 "


@pytest.mark.parametrize(
    ("line", "signature", "kind", "subject"),
    [
        (
            "WARNING [main] org.apache.tomcat.util.digester.Digester.endElement No rules found "
            "matching [Server/Service/Engine/cluster]",
            "no-rules",
            Truth.IGNORED,
            "Server/Service/Engine/cluster",
        ),
        (
            "WARNING [main] org.apache.tomcat.util.digester.SetPropertiesRule.begin Match "
            "[Server/Service/Connector] failed to set property [adrdess] to [127.0.0.1]",
            "property-not-set",
            Truth.IGNORED,
            "Server/Service/Connector@adrdess",
        ),
        (
            "SEVERE [main] org.apache.catalina.util.LifecycleBase.handleSubClassException Failed "
            'to start component [Connector["ajp-nio-127.0.0.1-8009"]]',
            "component-failed",
            Truth.COMPONENT_FAILS,
            'Connector["ajp-nio-127.0.0.1-8009"]',
        ),
        (
            "SEVERE [main] org.apache.catalina.startup.Bootstrap.main Cannot start server. Server "
            "instance is not configured.",
            "not-configured",
            Truth.REFUSES,
            "",
        ),
        (
            "\torg.apache.catalina.tribes.group.interceptors.EncryptInterceptor$"
            "ChannelConfigException: EncryptInterceptor must be upstream of TcpFailureDetector. "
            "Please re-order; No faulty members identified.",
            "channel-config",
            None,
            "EncryptInterceptor must be upstream of TcpFailureDetector. Please re-order",
        ),
    ],
)
def test_tomcat_log_lines_are_read_by_the_table(
    line: str, signature: str, kind: Truth | None, subject: str
) -> None:
    [event] = parse_log(PREFIX + line if not line.startswith("\t") else line)
    assert (event.signature, event.kind, event.subject) == (signature, kind, subject)


def test_a_run_that_did_not_start_refuses_or_hangs() -> None:
    gave_up = parse_log(
        PREFIX + "SEVERE [main] org.apache.catalina.startup.Catalina.start The required Server "
        "component failed to start so Tomcat is unable to start."
    )
    assert TomcatRun(False, False, 1.0, "", gave_up).truth == Truth.REFUSES
    assert TomcatRun(False, True, 1.0, "", []).truth == Truth.REFUSES
    assert TomcatRun(False, False, 20.0, "", []).truth == Truth.HANGS


def test_tomcat_ignored_names_the_outermost_element_and_each_attribute() -> None:
    events = parse_log(
        "\n".join(
            PREFIX + "WARNING [main] x " + text
            for text in (
                "No rules found matching [Server/Service/Engine/cluster/Channel]",
                "No rules found matching [Server/Service/Engine/cluster]",
                "Match [Server/Service/Engine/Cluster/Manager] failed to set property "
                "[stateTransferTimeout] to [5]",
            )
        )
    )
    run = TomcatRun(True, False, 1.0, "", events)
    assert run.ignored() == {"Server/Service/Engine/cluster", "Manager@stateTransferTimeout"}
    assert run.truth == Truth.IGNORED


def test_confine_moves_own_addresses_only() -> None:
    text = (
        '<Connector port="8009" address="192.168.1.10"/>'
        '<Receiver address="auto" port="4000"/>'
        '<Membership address="228.0.0.4" bind="10.0.0.5"/>'
        '<Member host="192.168.1.190" port="4000"/>'
    )
    assert confine(text) == (
        '<Connector port="8009" address="127.0.0.1"/>'
        '<Receiver address="auto" port="4000"/>'
        '<Membership address="228.0.0.4" bind="127.0.0.1"/>'
        '<Member host="192.168.1.190" port="4000"/>'
    )


def test_mod_jk_log_gives_events_targets_routes_and_unread_lines() -> None:
    workers = "worker.list=lb\nworker.lb.sticky_session: true\nps=/\nworker.a.host=h\n"
    log = "\n".join(
        [
            "[debug] jk_map_read_property::jk_map.c (500): Adding property 'worker.list' "
            "with value 'lb' to map.",
            "[debug] jk_map_read_property::jk_map.c (500): Adding property 'ps' with value "
            "'/' to map.",
            "[debug] jk_map_read_property::jk_map.c (500): Adding property 'worker.a.host' "
            "with value 'h' to map.",
            "[debug] ajp_validate::jk_ajp_common.c (2862): worker a target is 'h:8009'",
            "[debug] validate::jk_lb_worker.c (1867): Balanced worker 0 has name a and route a "
            "in domain ",
            "[error] ajp_validate::jk_ajp_common.c (2868): worker a can't resolve tomcat address h",
            "[error] ajp_validate::jk_ajp_common.c (2868): worker a can't resolve tomcat address h",
        ]
    )
    run = parse_httpd(log, workers)
    assert run.targets == {"a": "h:8009"} and run.routes == {"a": "a"}
    assert [(e.signature, e.subject) for e in run.events] == [
        ("unresolvable-host", "a@h"),
        ("line-not-read", "line 2"),
        ("unused-variable", "ps"),
    ]


def test_a_variable_a_later_value_or_a_reference_uses_is_not_unused() -> None:
    """mod_jk logs values after $(...) is replaced, so the use is read from the file; a
    reference logs the prefix it copies from."""
    workers = "late=x\nps=/\ntpl.port=8009\nworker.a.host=h$(ps)$(soon)\nsoon=y\n"
    added = [("late", "x"), ("ps", "/"), ("tpl.port", "8009"), ("worker.a.host", "h/$(soon)")]
    log = "\n".join(
        [
            *(
                f"[debug] jk_map_read_property::jk_map.c (500): Adding property '{key}' with "
                f"value '{value}' to map."
                for key, value in [*added, ("soon", "y"), ("worker.a.reference", "tpl")]
            ),
            "[debug] jk_map_resolve_references::jk_map.c (817): Copying values from tpl. to "
            "worker.a.",
        ]
    )
    run = parse_httpd(log, workers + "worker.a.reference=tpl\n")
    assert [(e.signature, e.subject) for e in run.events] == [
        ("unused-variable", "late"),
        ("unused-variable", "soon"),
    ]


def test_hosts_file_resolves_the_files_host_names_but_not_invalid_ones() -> None:
    workers = (
        "worker.a.host=tomcat1\nworker.b.host=$(undefined)\nworker.c.host=x.invalid\n"
        "worker.d.host=was2:8081\nworker.e.host=localhost\n"
    )
    assert hosts_file(workers) == "127.0.0.1 localhost\n127.0.0.2 tomcat1\n127.0.0.2 was2\n"


def test_mutations_are_deterministic_and_the_sample_keeps_every_hand_written_case() -> None:
    text = '<Server port="8005"><Service name="S"><Engine name="E" defaultHost="h"/></Service>'
    text += "</Server>"
    first = [(c.id, c.text) for c in mutants("t", text)]
    assert first == [(c.id, c.text) for c in mutants("t", text)]
    assert "t/attr-wrong-type/Server@port" in {i for i, _ in first}
    cases = list(mutants("t", text))
    assert {c.mutation for c in sample(cases, 0.0)} == {c.mutation for c in cases}


def test_element_and_attribute_operators() -> None:
    from differential.mutations import _parse, _serialize

    doc = _parse('<Server port="8005"><Service><Engine/></Service></Server>')
    engine = doc.getElementsByTagName("Engine")[0]
    assert element_misplaced(engine) == "moved under <Server>"
    server = doc.documentElement
    assert server is not None
    assert attr_wrong_type(server, "port") == 'port="8005x"'
    assert '<Server port="8005x"><Service/><Engine/></Server>' in _serialize(doc)


def test_rows_compare_what_is_ignored() -> None:
    row = Row("c", "m", "t", "", "ignored", "", "ignored", "", 1.0, (), ("A@x",), ("A@y",))
    assert not row.agree and row.pair == "ignored/ignored-other"
