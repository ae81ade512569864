"""The check runner and registry: the rules every check relies on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint

import pytest

from clustercheck.derive.derived import Derived
from clustercheck.engine.check import Check, check
from clustercheck.engine.registry import RegistryError, load_checks, select
from clustercheck.engine.results import Finding, Scope, Status, failed, passed
from clustercheck.engine.runner import run_checks
from clustercheck.facts.cluster import ClusterFacts, NodeFacts
from clustercheck.facts.live import LiveFacts
from clustercheck.inventory.settings import ClusterSettings, NodeSettings, TomcatSettings
from clustercheck.report.model import Report

DOC = "Title.\n\nBody.\n\n## Why it matters\nBecause.\n\n## How to fix\nLike so.\n"


def make_check(code: str, name: str, scope: Scope, judge, live: bool = False) -> Check:  # type: ignore[no-untyped-def]
    judge.__doc__ = DOC
    return check(code, name, scope=scope, live=live)(judge)


def cluster(*nodes: tuple[str, bool, str]) -> ClusterFacts:
    """Nodes as (name, reachable, transport)."""
    settings = [
        NodeSettings(
            n,
            "h",
            ("tomcat",),
            transport=t,
            root="/r" if t == "files" else None,
            tomcat=TomcatSettings(catalina_base="/t"),
        )
        for n, _r, t in nodes
    ]
    facts = {
        s.name: NodeFacts(
            s,
            LiveFacts(reachable=r, error=None if r else "refused"),
            offline=s.transport == "files",
        )
        for s, (_n, r, _t) in zip(settings, nodes, strict=True)
    }
    return ClusterFacts(ClusterSettings("c", "inv.yaml", tuple(settings)), facts, "2026-01-01")


def node_ok(node: NodeFacts) -> Iterator[Finding]:
    yield passed("fine")


def cluster_fail(cluster: ClusterFacts) -> Iterator[Finding]:
    yield failed("bad")


def crashes(node: NodeFacts, cluster: ClusterFacts) -> Iterator[Finding]:
    raise KeyError("oops")


def test_unreachable_nodes_are_skipped_never_dropped() -> None:
    facts = cluster(("a", True, "ssh"), ("b", False, "ssh"))
    results = run_checks([make_check("XX100", "node-ok", Scope.NODE, node_ok)], facts)
    assert [(r.node, r.status, r.message) for r in results] == [
        ("a", Status.PASS, "fine"),
        ("b", Status.SKIP, "node unreachable"),
    ]


def test_cluster_checks_say_whom_they_could_not_judge() -> None:
    facts = cluster(("a", True, "ssh"), ("b", False, "ssh"))
    (result,) = run_checks(
        [make_check("XX101", "cluster-fail", Scope.CLUSTER, cluster_fail)], facts
    )
    assert result.message == "bad (not judged: b unreachable)"
    assert result.details["not_judged"] == ["b"]


def test_live_checks_skip_offline_nodes() -> None:
    facts = cluster(("a", True, "files"))
    (result,) = run_checks([make_check("XX102", "live-one", Scope.NODE, node_ok, live=True)], facts)
    assert (result.status, result.message) == (Status.SKIP, "offline")


def test_a_crashing_check_is_an_error_result_not_an_abort() -> None:
    facts = cluster(("a", True, "ssh"))
    checks = [
        make_check("XX103", "crashes", Scope.NODE, crashes),
        make_check("XX104", "node-ok", Scope.NODE, node_ok),
    ]
    results = run_checks(checks, facts)
    assert results[0].status is Status.ERROR and "KeyError" in results[0].message
    assert results[1].status is Status.PASS


def test_a_judge_gets_exactly_the_arguments_it_declares_and_one_derived_per_run() -> None:
    seen: list[object] = []

    def node_sees(node: NodeFacts, derived: Derived) -> Iterator[Finding]:
        seen.append(derived)
        yield passed(node.name)

    def cluster_sees(derived: Derived, cluster: ClusterFacts) -> Iterator[Finding]:
        seen.append(derived)
        yield passed(cluster.name)

    checks = [
        make_check("XX106", "node-sees", Scope.NODE, node_sees),
        make_check("XX107", "cluster-sees", Scope.CLUSTER, cluster_sees),
    ]
    results = run_checks(checks, cluster(("a", True, "ssh"), ("b", True, "ssh")))
    assert [r.message for r in results] == ["a", "b", "c"]
    assert len(seen) == 3 and len({id(d) for d in seen}) == 1


@pytest.mark.parametrize(
    ("scope", "judge"),
    [
        (Scope.NODE, cluster_fail),  # a node check must take `node`
        (Scope.CLUSTER, node_ok),  # a cluster check must not
        (Scope.CLUSTER, lambda cluster, facts: []),  # an argument the engine does not know
    ],
)
def test_a_judge_declaring_what_the_engine_cannot_give_is_refused(
    scope: Scope, judge: Callable[..., Iterator[Finding]]
) -> None:
    with pytest.raises(ValueError, match="may take"):
        make_check("XX108", "wrong-arguments", scope, judge)


def test_results_carry_the_checks_documentation() -> None:
    (result,) = run_checks(
        [make_check("XX105", "cluster-fail", Scope.CLUSTER, cluster_fail)],
        cluster(("a", True, "ssh")),
    )
    assert (result.rationale, result.remediation) == ("Because.", "Like so.")


@pytest.mark.parametrize(
    ("statuses", "fail_on", "code"),
    [
        (["pass", "warn"], "fail", 0),
        (["pass", "warn"], "warn", 1),
        (["pass", "fail"], "fail", 1),
        (["pass", "error"], "fail", 1),  # error is above fail
        (["pass", "fail"], "error", 0),
        (["skip", "skip"], "fail", 2),  # nothing judged is never a pass
    ],
)
def test_exit_codes(statuses: list[str], fail_on: str, code: int) -> None:
    from clustercheck.engine.results import Result

    results = [Result("XX001", "x", Status(s), None, "m") for s in statuses]
    report = Report(cluster(("a", True, "ssh")), [], results)
    assert report.exit_code(Status(fail_on)) == code


def test_builtin_checks_load_through_entry_points() -> None:
    codes = [c.code for c in load_checks()]
    assert {"CC001", "CC201", "CC701"} <= set(codes)
    assert codes == sorted(codes)


def test_duplicate_codes_are_refused_loudly() -> None:
    eps = [
        EntryPoint(
            "CC201",
            "clustercheck.checks.routing.jvmroute_unique:jvmroute_unique",
            "clustercheck.checks",
        ),
        EntryPoint(
            "CC201",
            "clustercheck.checks.routing.jvmroute_unique:jvmroute_unique",
            "clustercheck.checks",
        ),
    ]
    with pytest.raises(RegistryError, match="duplicate check code CC201"):
        load_checks(eps)


def test_a_plugin_that_is_not_a_check_is_refused() -> None:
    eps = [EntryPoint("a", "os.path:join", "clustercheck.checks")]
    with pytest.raises(RegistryError, match="is not a Check"):
        load_checks(eps)


def test_selection_by_code_or_name_and_unknown_is_an_error() -> None:
    checks = load_checks()
    assert [c.code for c in select(checks, ["cc201", "distributable"])] == ["CC201", "CC701"]
    assert "CC201" not in [c.code for c in select(checks, skip=["jvmroute-unique"])]
    with pytest.raises(RegistryError, match="no check named 'CC999'"):
        select(checks, ["CC999"])


JK = ["CC6031", "CC6032", "CC6033", "CC6034", "CC6035", "CC6036", "CC6037"]
PROXY = ["CC6071", "CC6072", "CC6073"]


@pytest.mark.parametrize(
    ("only", "skip", "selected"),
    [
        (["CC603"], [], JK),  # the family's code: as before the split, every member
        (["jk-config"], [], JK),  # the family's name
        (["cc603"], [], JK),
        (["CC6035"], [], ["CC6035"]),  # a member's code: that member
        (["jk-deprecated", "CC6031"], [], ["CC6031", "CC6035"]),
        (["CC603"], ["CC6035"], [c for c in JK if c != "CC6035"]),
        (["CC60"], ["CC603"], ["CC601", "CC602", "CC604", "CC605", "CC606", *PROXY]),
        (["proxy-config"], ["CC6072"], ["CC6071", "CC6073"]),
        (["CC603", "CC607"], [], [*JK, *PROXY]),
        (["CC6"], ["CC60"], []),  # every CC6xx check, then none of them
        (["CC20", "CC603"], ["CC202"], ["CC201", "CC203", *JK]),
    ],
)
def test_a_code_selects_as_a_prefix(only: list[str], skip: list[str], selected: list[str]) -> None:
    """ruff's --select: a code selects every check whose code starts with it."""
    assert [c.code for c in select(load_checks(), only, skip)] == selected


def test_every_member_of_a_family_extends_its_code() -> None:
    for member in select(load_checks(), ["CC603"]):
        assert member.family is not None and member.family.code == "CC603"
        assert member.family.name == "jk-config" and member.code[:-1] == "CC603"


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("CC999", "no check named 'CC999' and no code starts with CC999"),
        ("CC6O3", "no check named 'CC6O3' (did you mean CC603 jk-config?)"),
        ("jk-confg", "no check named 'jk-confg' (did you mean CC603 jk-config?)"),
        ("CC60311", "no check named 'CC60311' (did you mean CC6031 jk-undefined-worker?)"),
    ],
)
def test_a_key_that_selects_nothing_is_an_error_with_the_nearest(key: str, message: str) -> None:
    with pytest.raises(RegistryError) as caught:
        select(load_checks(), [key])
    assert str(caught.value).startswith(message)
    with pytest.raises(RegistryError):
        select(load_checks(), skip=[key])


def test_a_check_without_its_documentation_is_refused() -> None:
    def undocumented(facts: ClusterFacts) -> Iterator[Finding]:
        """Only a title."""
        yield passed("x")

    with pytest.raises(ValueError, match="Why it matters"):
        check("XX106", "undocumented", scope=Scope.CLUSTER)(undocumented)


# -- nodes --limit left out (ClusterFacts.left_out) ---------------------------------------------


def node_and_cluster_findings(cluster: ClusterFacts) -> Iterator[Finding]:
    yield passed("all agree")
    yield failed("differs", node="a")


def limited(*left_out: tuple[str, tuple[str, ...]]) -> ClusterFacts:
    """Node `a` (a tomcat) judged, and the nodes given as (name, roles) left out by --limit."""
    facts = cluster(("a", True, "ssh"))
    facts.left_out = tuple(NodeSettings(name, "h", roles) for name, roles in left_out)
    return facts


def cluster_check(roles: tuple[str, ...], seam: bool = False) -> Check:
    node_and_cluster_findings.__doc__ = DOC
    judge = node_and_cluster_findings
    return check("XX110", "limited", scope=Scope.CLUSTER, roles=roles, seam=seam)(judge)


TOMCATS = tuple((f"t{i}", ("tomcat",)) for i in range(1, 6))


@pytest.mark.parametrize(
    ("check_", "left_out", "expected"),
    [
        (  # its peers left out: each finding says so, a node's too; the status stays
            cluster_check(("tomcat",)),
            [("b", ("tomcat",)), ("web1", ("apache",))],
            [
                (Status.PASS, None, "all agree (not judged: b left out by --limit)", ["b"]),
                (Status.FAIL, "a", "differs (not judged: b left out by --limit)", ["b"]),
            ],
        ),
        (  # nodes without its roles left out: nothing to say
            cluster_check(("tomcat",)),
            [("web1", ("apache",))],
            [(Status.PASS, None, "all agree", None), (Status.FAIL, "a", "differs", None)],
        ),
        (  # no node of its roles in scope: the real cause
            cluster_check(("apache",)),
            [("web1", ("apache",)), ("web2", ("apache",))],
            [
                (
                    Status.SKIP,
                    None,
                    "no node with role apache in scope: --limit left out web1, web2",
                    ["web1", "web2"],
                )
            ],
        ),
        (  # a seam with one side left out has nothing to judge
            cluster_check(("apache", "tomcat"), seam=True),
            [("web1", ("apache",))],
            [
                (
                    Status.SKIP,
                    None,
                    "no node with role apache in scope: --limit left out web1",
                    ["web1"],
                )
            ],
        ),
        (  # not a seam (clocks): what is in scope is judged, and the note says who was not
            cluster_check(("apache", "tomcat")),
            [("web1", ("apache",))],
            [
                (Status.PASS, None, "all agree (not judged: web1 left out by --limit)", ["web1"]),
                (Status.FAIL, "a", "differs (not judged: web1 left out by --limit)", ["web1"]),
            ],
        ),
        (  # a seam whose role is missing from the inventory too: judged as before
            cluster_check(("apache", "tomcat"), seam=True),
            [],
            [(Status.PASS, None, "all agree", None), (Status.FAIL, "a", "differs", None)],
        ),
        (  # many left out: the note names three and counts the rest, the details list all
            cluster_check(("tomcat",)),
            list(TOMCATS),
            [
                (
                    Status.PASS,
                    None,
                    "all agree (not judged: t1, t2, t3 and 2 more left out by --limit)",
                    ["t1", "t2", "t3", "t4", "t5"],
                ),
                (
                    Status.FAIL,
                    "a",
                    "differs (not judged: t1, t2, t3 and 2 more left out by --limit)",
                    ["t1", "t2", "t3", "t4", "t5"],
                ),
            ],
        ),
    ],
)
def test_cluster_checks_say_what_limit_left_out(
    check_: Check,
    left_out: list[tuple[str, tuple[str, ...]]],
    expected: list[tuple[Status, str | None, str, list[str] | None]],
) -> None:
    results = run_checks([check_], limited(*left_out))
    got = [(r.status, r.node, r.message, r.details.get("left_out")) for r in results]
    assert got == expected


def test_node_checks_judge_their_node_alone_whatever_limit_left_out() -> None:
    facts = limited(("b", ("tomcat",)))
    (result,) = run_checks([make_check("XX111", "node-ok", Scope.NODE, node_ok)], facts)
    assert (result.status, result.message) == (Status.PASS, "fine")
