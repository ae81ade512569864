"""The running balancers' own pages, as the real software printed them (captured from the lab:
tests/fixtures/balancer-runtime/README.md): mod_jk 1.2.48's status worker (`?mime=prop`) and
httpd 2.4.71's balancer-manager (`?xml=1` with a Referer, and the HTML page without one)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clustercheck.parsers.balancer_manager import parse_balancer_manager
from clustercheck.parsers.jkstatus import parse_jkstatus
from clustercheck.parsers.status_page import StatusPage, parse_answer

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "balancer-runtime"
LAB = ("10.99.240.11", "10.99.240.12", "10.99.240.13")


def page(name: str) -> StatusPage:
    text = (PAGES / name).read_text()
    return parse_jkstatus(text) if name.endswith(".prop") else parse_balancer_manager(text)


def members(parsed: StatusPage) -> list[tuple[str, str, str, bool, str, int | None]]:
    return [
        (b.name, m.name, m.state, m.in_error, m.activation, m.port)
        for b in parsed.balancers
        for m in b.members
    ]


@pytest.mark.parametrize(
    ("name", "states"),
    [
        ("jkstatus-healthy.prop", [("OK/IDLE", False, "A")] * 3),
        ("jkstatus-disabled.prop", [("OK/IDLE", False, "A")] * 2 + [("OK/IDLE", False, "D")]),
        ("jkstatus-error.prop", [("OK", False, "A")] * 2 + [("ERR", True, "A")]),
    ],
)
def test_mod_jk_status_worker_members_with_state_and_activation(
    name: str, states: list[tuple[str, bool, str]]
) -> None:
    parsed = page(name)
    assert parsed.error is None
    assert members(parsed) == [
        ("controller", f"tomcat0{i}", *state, 8009) for i, state in enumerate(states, 1)
    ]
    tomcat03 = parsed.balancers[0].members[2]
    assert (tomcat03.host, tomcat03.route) == ("10.99.240.13", "tomcat03")
    if name == "jkstatus-error.prop":
        assert (tomcat03.errors, tomcat03.elected, tomcat03.busy) == (1, 1, 0)


@pytest.mark.parametrize("form", ["xml", "html"])
@pytest.mark.parametrize(
    ("name", "states"),
    [
        ("healthy", [("Init Ok", False, "A")] * 3),
        ("error", [("Init Ok", False, "A")] * 2 + [("Init Err", True, "A")]),
        ("disabled", [("Init Ok", False, "A"), ("Init Dis", False, "D"), ("Init Err", True, "A")]),
    ],
)
def test_balancer_manager_members_from_xml_and_from_html_alike(
    form: str, name: str, states: list[tuple[str, bool, str]]
) -> None:
    """httpd names a member without its default port (`ajp://10.99.240.11`): 8009 is read."""
    parsed = page(f"balancer-manager-{name}.{form}")
    assert parsed.error is None
    assert members(parsed) == [
        ("balancer://lab", f"ajp://{ip}", *state, 8009)
        for ip, state in zip(LAB, states, strict=True)
    ]
    assert [m.route for m in parsed.balancers[0].members] == ["tomcat01", "tomcat02", "tomcat03"]


def test_the_nonce_of_balancer_manager_is_not_kept() -> None:
    """The page's CSRF nonce lets whoever holds it change the balancer: no record keeps it."""
    nonce = "e5c68511-1930-7575-2ee1-1d1211e6f344"
    assert nonce in (PAGES / "balancer-manager-healthy.xml").read_text()
    assert nonce not in repr(page("balancer-manager-healthy.xml"))
    assert nonce not in repr(page("balancer-manager-healthy.html"))


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "not a mod_jk status page"),
        ("<html>403 Forbidden</html>", "not a mod_jk status page"),
        ("worker.result.type=NOT FOUND\nworker.result.message=Unknown worker", "NOT FOUND"),
    ],
)
def test_what_is_no_jkstatus_page_says_so(text: str, error: str) -> None:
    assert error in (parse_jkstatus(text).error or "")


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "not a balancer-manager page"),
        ("<?xml version='1.0'?><unclosed>", "not readable"),
        ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "not readable"),
    ],
)
def test_what_is_no_balancer_manager_page_says_so(text: str, error: str) -> None:
    assert error in (parse_balancer_manager(text).error or "")


@pytest.mark.parametrize(
    ("text", "status", "body", "error"),
    [
        ("HTTP/1.1 200\r\n\r\nworker.list=lb", 200, "worker.list=lb", None),  # python3
        ("HTTP/1.1 403 Forbidden\r\nServer: x\r\n\r\n<html>", 403, "<html>", None),  # curl
        ("worker.list=lb\n", None, "worker.list=lb\n", None),  # wget: the body alone
        ("error: URLError: <urlopen error [Errno 111] Connection refused>\n", None, "", "URLError"),
    ],
)
def test_the_fetch_answer_is_split_into_status_and_body(
    text: str, status: int | None, body: str, error: str | None
) -> None:
    answer = parse_answer(text)
    assert (answer.status, answer.body) == (status, body)
    assert (answer.error or "").startswith(error or "")


@given(st.text(max_size=400))
def test_the_page_parsers_never_raise(text: str) -> None:
    for parse in (parse_jkstatus, parse_balancer_manager, parse_answer):
        parse(text)
    parse_balancer_manager("<?xml version='1.0'?>" + text)
    parse_balancer_manager("<th>Worker URL</th>" + text)
