"""How the checks that report reader problems weigh them: by kind, from one table each, never
by the words of the message. First the tables themselves, then each kind through the real
engine, so a kind that reaches a check gets the status its table gives and keeps its message."""

from __future__ import annotations

from pathlib import Path

import pytest
from clusterfiles import HEALTHY_WORKERS, apache_files, build, judge

from clustercheck.checks.config import jk_common, server_xml_elements
from clustercheck.engine.results import Status
from clustercheck.parsers.text import Kind

FAIL, WARN, ERROR = Status.FAIL, Status.WARN, Status.ERROR

# --- the tables -------------------------------------------------------------------------------

CC603 = {
    Kind.REFUSES_TO_START: FAIL,
    Kind.MEANS_SOMETHING_ELSE: FAIL,
    Kind.MAY_MEAN_SOMETHING_ELSE: WARN,
    Kind.OVERRIDDEN: WARN,
    Kind.REDUNDANT: WARN,
    Kind.UNREADABLE: ERROR,
}
CC601 = {
    Kind.REFUSES_TO_START: (FAIL, "Tomcat does not start: "),
    Kind.MEANS_SOMETHING_ELSE: (FAIL, ""),
    Kind.MAY_MEAN_SOMETHING_ELSE: (WARN, ""),
    Kind.OVERRIDDEN: (WARN, ""),
    Kind.REDUNDANT: (WARN, ""),
    Kind.UNREADABLE: (ERROR, ""),
}


@pytest.mark.parametrize("kind", list(Kind))
def test_cc603_weighs_each_kind(kind: Kind) -> None:
    assert jk_common.PROBLEM_STATUS[kind] == CC603[kind]


@pytest.mark.parametrize("kind", list(Kind))
def test_cc601_weighs_each_kind(kind: Kind) -> None:
    assert server_xml_elements.PROBLEM_STATUS[kind] == CC601[kind]


@pytest.mark.parametrize(
    "table", [jk_common.PROBLEM_STATUS, server_xml_elements.PROBLEM_STATUS], ids=["CC603", "CC601"]
)
def test_every_kind_has_a_status_and_none_is_a_pass(table: dict[Kind, object]) -> None:
    assert set(table) == set(Kind)
    statuses = [entry[0] if isinstance(entry, tuple) else entry for entry in table.values()]
    assert Status.PASS not in statuses and Status.SKIP not in statuses


# --- each kind through the CC603 family ---------------------------------------------------------

# The member that reports a problem of each kind; what could not be read, every member.
MEMBERS = ("CC6031", "CC6032", "CC6033", "CC6034", "CC6035", "CC6036", "CC6037")
REPORTED_BY = {
    Kind.REFUSES_TO_START: ("CC6032",),
    Kind.MEANS_SOMETHING_ELSE: ("CC6034",),
    Kind.MAY_MEAN_SOMETHING_ELSE: ("CC6034",),
    Kind.OVERRIDDEN: ("CC6034",),
    Kind.REDUNDANT: ("CC6034",),
    Kind.UNREADABLE: MEMBERS,
}

JK_LB = "JkWorkersFile conf/workers.properties\nJkMount /* lb\n"
# a value that doubles at each line: the route would be 128000 characters
DOUBLING = (
    "v0="
    + "x" * 8000
    + "\n"
    + "".join(
        f"{name}=$({value})$({value})\n"
        for name, value in [
            ("v1", "v0"),
            ("v2", "v1"),
            ("v3", "v2"),
            ("worker.tomcat01.route", "v3"),
        ]
    )
)


def web(tmp: Path, workers: str = HEALTHY_WORKERS, jk_conf: str = JK_LB) -> Path:
    files = apache_files(workers, jk_conf)
    return build(tmp, {"web1": {"host": "10.0.0.1", "roles": ["apache"]}}, {"web1": files})


def through(kind: Kind, workers: str, jk_conf: str, message: str) -> pytest.param:  # type: ignore[valid-type]
    return pytest.param(kind, workers, jk_conf, message, id=str(kind))


@pytest.mark.parametrize(
    ("kind", "workers", "jk_conf", "message"),
    [
        through(
            Kind.REFUSES_TO_START,
            HEALTHY_WORKERS + "worker.lb.sticky_sesion=0\n",
            JK_LB,
            "mod_jk refuses to start: unsupported attribute 'worker.lb.sticky_sesion' (it stops "
            "reading the file here and httpd does not start)",
        ),
        through(
            Kind.MEANS_SOMETHING_ELSE,
            HEALTHY_WORKERS + "worker.tomcat01.port 8010\n",
            JK_LB,
            "a setting without '=': mod_jk ignores this line",
        ),
        through(
            Kind.MAY_MEAN_SOMETHING_ELSE,
            HEALTHY_WORKERS + "worker.tomcat01.route=$(ROUTE)\n",
            JK_LB,
            "$(ROUTE) is not defined before this line: mod_jk takes it from httpd's "
            "environment, or leaves it as written",
        ),
        through(
            Kind.OVERRIDDEN,
            HEALTHY_WORKERS + "worker.tomcat01.host=10.0.0.21\n",
            JK_LB,
            "'worker.tomcat01.host' is set again (first on line 6): mod_jk warns \"Duplicate "
            'key" and keeps only this last value, so the value on line 6 is overwritten',
        ),
        through(
            Kind.REDUNDANT,
            HEALTHY_WORKERS + "worker.tomcat01.route=\n",
            JK_LB,
            "a key or a value is empty: mod_jk ignores this line",
        ),
        through(
            Kind.UNREADABLE,
            HEALTHY_WORKERS + DOUBLING,
            JK_LB,
            "$(v3) is not substituted: the value would grow past 64 KiB, clustercheck's limit; "
            "it keeps $(...) as written from here and is not judged",
        ),
    ],
)
def test_each_kind_reaches_cc603_with_its_status_and_message(
    tmp_path: Path, kind: Kind, workers: str, jk_conf: str, message: str
) -> None:
    """One problem of the kind in an otherwise healthy node: it is all the family finds, said
    by the member that judges that kind; the others pass."""
    results = judge(web(tmp_path, workers, jk_conf), "CC603")
    found = [(r.code, r.status, r.message) for r in results if r.status is not Status.PASS]
    assert found == [(code, CC603[kind], message) for code in REPORTED_BY[kind]]
    assert {r.code for r in results} == set(MEMBERS)
