"""Every expansion a node's files can ask for is bounded in size and time, and cycles are found:
httpd's Include, mod_jk's `$(name)` and `reference`, Tomcat's `${name}`, and the XML recovery.

Each hostile case is built here, small; each asserts the exact problem (file, line, kind,
message) and that the work done stays within the limit: limits are injected small where the
real ones would make the case big, and work is counted, never timed."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path

import pytest
from clusterfiles import HEALTHY_WORKERS, JK_CONF, apache_files, build, judge
from hypothesis import given, settings
from hypothesis import strategies as st

from clustercheck.collect.apache import IncludeLimits, gather_apache
from clustercheck.collect.reader import NodeReader
from clustercheck.collect.transports.base import DEFAULT_MAX_BYTES, DirEntry
from clustercheck.collect.transports.localfs import FilesTransport
from clustercheck.facts.files import ApacheFacts
from clustercheck.inventory.settings import ApacheSettings
from clustercheck.parsers import workers
from clustercheck.parsers.httpd import parse_httpd
from clustercheck.parsers.properties import load_java_properties
from clustercheck.parsers.serverxml import (
    ServerXml,
    SubstitutionTooLong,
    XmlDoc,
    XmlElement,
    XmlLimits,
    parse_server_xml,
    read_xml,
    substitute,
)
from clustercheck.parsers.text import Kind, Problem, size_text
from clustercheck.parsers.workers import WorkersFile, parse_workers

# --- httpd Include ----------------------------------------------------------------------------

LOOPS = "/etc/httpd/conf.d/loops"
RECURSION = (
    "httpd stops with 'Exceeded maximum include depth of 128, There appears to be a "
    "recursion.' and does not start"
)


class CountingTransport(FilesTransport):
    """A files node that counts what is asked of it: the work, without a clock."""

    def __init__(self, root: str) -> None:
        super().__init__(root)
        self.calls = 0

    def read_file(self, path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
        self.calls += 1
        return super().read_file(path, max_bytes)

    def list_dir(self, path: str) -> list[DirEntry]:
        self.calls += 1
        return super().list_dir(path)


def gathered(
    tmp: Path, files: Mapping[str, str], limits: IncludeLimits | None = None
) -> tuple[ApacheFacts, int]:
    """The Apache facts of a files node holding `files`, and how many reads and listings
    gathering them asked of the node."""
    for path, text in files.items():
        target = tmp / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    transport = CountingTransport(str(tmp))
    settings = ApacheSettings(jk_conf=JK_CONF, server_root="/etc/httpd")
    facts = gather_apache(NodeReader(transport), settings, limits or IncludeLimits())
    return facts, transport.calls


def loop_files(count: int, jk_conf: str = "Include conf.d/loops/*.conf\n") -> dict[str, str]:
    """`count` files that each include all of them through one wildcard (22 bytes each in the
    issue): without cycle detection, count**depth reads."""
    files = {JK_CONF: jk_conf}
    files.update({f"{LOOPS}/{i}.conf": "Include conf.d/loops/*.conf\n" for i in range(count)})
    return files


def include_problems(facts: ApacheFacts) -> list[tuple[str, int | None, Kind, str]]:
    return [(p.file, p.line, p.kind, p.message) for p in facts.problems]


def test_files_that_include_each_other_are_a_loop_httpd_refuses(tmp_path: Path) -> None:
    """The issue's four files: each Include that closes a loop is one problem, and httpd's
    consequence (it does not start) makes CC6032 fail. Reads stay one per file."""
    files = loop_files(4)
    facts, calls = gathered(tmp_path, files)
    chains = ["0", "0 -> 1", "0 -> 1 -> 2", "0 -> 1 -> 2 -> 3"]
    expected = []
    for i, chain in enumerate(chains):
        shown = " -> ".join(f"{LOOPS}/{n}.conf" for n in [*chain.split(" -> "), "0"])
        message = f"Include loop ({shown}): {RECURSION}"
        expected.append((f"{LOOPS}/{i}.conf", 1, Kind.REFUSES_TO_START, message))
    assert include_problems(facts) == expected
    assert calls == 1 + 1 + 4  # jk_conf, the listing, each file once


def test_an_include_loop_fails_cc6032_and_nothing_else_does(tmp_path: Path) -> None:
    jk_conf = "JkWorkersFile conf/workers.properties\nJkMount /* lb\nInclude conf.d/loops/*.conf\n"
    files = {**apache_files(HEALTHY_WORKERS), **loop_files(4, jk_conf)}
    inventory = build(tmp_path, {"web1": {"host": "h", "roles": ["apache"]}}, {"web1": files})
    results = [r for r in judge(inventory, "CC603") if r.status.is_finding]
    assert [(r.code, r.status.value, r.file, r.line) for r in results] == [
        ("CC6032", "fail", f"{LOOPS}/{i}.conf", 1) for i in range(4)
    ]
    assert all(r.message.endswith("and does not start") for r in results)


def test_a_file_that_includes_itself(tmp_path: Path) -> None:
    loop = "/etc/httpd/conf.d/self.conf"
    files = {JK_CONF: "Include conf.d/self.conf\n", loop: "Include conf.d/self.conf\n"}
    facts, _calls = gathered(tmp_path, files)
    message = f"Include loop ({loop} -> {loop}): {RECURSION}"
    assert include_problems(facts) == [(loop, 1, Kind.REFUSES_TO_START, message)]


def test_a_loop_inside_a_read_time_condition_only_may_stop_httpd(tmp_path: Path) -> None:
    """httpd skips what a false <IfDefine> holds, Includes too: the loop stops it only when
    the condition holds (tests/checks/test_jk_real_httpd.py shows both)."""
    conditional = "<IfDefine LOOP>\nInclude conf.d/loops/*.conf\n</IfDefine>\n"
    facts, _calls = gathered(tmp_path, loop_files(1, conditional))
    loop = f"{LOOPS}/0.conf"
    message = (
        f"Include loop ({loop} -> {loop}): if httpd reads this Include (inside "
        f"<IfDefine LOOP>), {RECURSION}"
    )
    assert include_problems(facts) == [(loop, 1, Kind.MAY_MEAN_SOMETHING_ELSE, message)]


def test_includes_nested_deeper_than_httpd_allows(tmp_path: Path) -> None:
    """130 files in a chain, no loop: httpd's 129th nested Include is its stop."""
    files = {JK_CONF: "Include conf.d/chain/0.conf\n"}
    files.update(
        {
            f"/etc/httpd/conf.d/chain/{i}.conf": f"Include conf.d/chain/{i + 1}.conf\n"
            for i in range(130)
        }
    )
    facts, calls = gathered(tmp_path, files)
    message = f"Include nested more than 128 deep: {RECURSION}"
    assert include_problems(facts) == [
        ("/etc/httpd/conf.d/chain/127.conf", 1, Kind.REFUSES_TO_START, message)
    ]
    assert calls == 1 + 128  # jk_conf and the chain down to where httpd stops


def limit_problem(file: str, line: int, limits: str) -> tuple[str, int, Kind, str]:
    message = (
        f"not followed: clustercheck reads at most {limits} of httpd configuration (Include, "
        "JkMountFile), and this one goes past that; what it names and every later one are not "
        "judged"
    )
    return (file, line, Kind.UNREADABLE, message)


def test_includes_that_multiply_without_a_loop_stop_at_the_file_limit(tmp_path: Path) -> None:
    """Each level's two files include both files of the next level: 2**20 inclusions, and no
    file is ever included by itself. The walk stops at the limit, says where, and reads
    nothing more."""
    files = {JK_CONF: "Include conf.d/level0/*.conf\nJkMount /after lb\n"}
    for level in range(20):
        for name in "ab":
            include = f"Include conf.d/level{level + 1}/*.conf\n"
            files[f"/etc/httpd/conf.d/level{level}/{name}.conf"] = include
    limits = IncludeLimits(files=30, bytes=DEFAULT_MAX_BYTES)
    facts, calls = gathered(tmp_path, files, limits)
    # jk_conf, then down the `a` files: a listing and a file per level, until the 30th
    assert include_problems(facts) == [
        limit_problem("/etc/httpd/conf.d/level13/a.conf", 1, "30 files and 4 MiB")
    ]
    assert calls <= limits.files + 1  # the workers file is no Include
    assert facts.jk is not None and [m.pattern for m in facts.jk.mounts] == ["/after"]


def test_includes_stop_at_the_byte_limit(tmp_path: Path) -> None:
    big = "/etc/httpd/conf.d/big.conf"
    files = {
        JK_CONF: "Include conf.d/small.conf\nInclude conf.d/big.conf\nInclude conf.d/small.conf\n",
        "/etc/httpd/conf.d/small.conf": "JkMount /small lb\n",
        big: "JkMount /big lb\n" + "#" * 200 + "\n",
    }
    limits = IncludeLimits(files=100, bytes=200)
    facts, _calls = gathered(tmp_path, files, limits)
    assert include_problems(facts) == [limit_problem(JK_CONF, 2, "100 files and 200 bytes")]
    assert facts.jk is not None and [m.pattern for m in facts.jk.mounts] == ["/small"]
    assert big not in [p.file for p in facts.problems]


def test_mount_files_are_read_once_each_and_within_the_limits(tmp_path: Path) -> None:
    """A thousand JkMountFile lines naming one 4 MiB-capped file parsed it a thousand times;
    each file is read and parsed once now, and files past the limit are not read."""
    names = [f"/etc/httpd/conf/uri{i}.properties" for i in range(3)]
    lines = [f"JkMountFile conf/uri{i % 3}.properties\n" for i in range(1000)]
    files = {JK_CONF: "".join(lines)}
    files.update({name: f"/app{i}/*=lb\n" for i, name in enumerate(names)})
    facts, calls = gathered(tmp_path, files)
    assert facts.problems == []
    assert sorted(m.pattern for m in facts.mounts) == ["/app0/*", "/app1/*", "/app2/*"]
    assert calls == 1 + 3

    limits = IncludeLimits(files=3, bytes=DEFAULT_MAX_BYTES)
    facts, calls = gathered(tmp_path, files, limits)
    assert include_problems(facts) == [limit_problem(JK_CONF, 3, "3 files and 4 MiB")]
    assert [m.pattern for m in facts.mounts] == ["/app0/*", "/app1/*"]
    assert calls == 3


def test_a_problem_in_a_file_included_twice_is_said_once(tmp_path: Path) -> None:
    twice = "/etc/httpd/conf.d/twice.conf"
    files = {
        JK_CONF: "Include conf.d/twice.conf\nInclude conf.d/twice.conf\n",
        twice: "<VirtualHost *:80>\n",
    }
    facts, _calls = gathered(tmp_path, files)
    assert facts.problems == [
        Problem(
            twice,
            1,
            "<VirtualHost *:80> is never closed: httpd refuses to start",
            Kind.REFUSES_TO_START,
        )
    ]


# --- workers.properties $(name) and reference ---------------------------------------------------


def value_problems(wf: WorkersFile) -> list[tuple[int | None, Kind, str]]:
    return [(p.line, p.kind, p.message) for p in wf.problems if p.kind is Kind.UNREADABLE]


def too_long(name: str) -> str:
    return (
        f"$({name}) is not substituted: the value would grow past 64 KiB, clustercheck's limit; "
        "it keeps $(...) as written from here and is not judged"
    )


def test_values_that_double_at_each_line_stop_at_64_kib() -> None:
    """40 lines that each double the one before: 8 * 2**40 characters, were each substituted.
    Each value stops before 64 KiB, where a problem names its line; a value that holds the
    unsubstituted text is short again, so the doubling starts over."""
    text = "v0=abcdefgh\n" + "".join(f"v{i + 1}=$(v{i})$(v{i})\n" for i in range(40))
    wf = parse_workers(text, "/w")
    # v13 is 64 KiB: v14 (line 15) cannot double it; v14 keeps `$(v13)$(v13)`, 12 characters,
    # which v15...v27 double again, up to v27 (line 28); from there each line stops.
    lines = [15, *range(28, 42)]
    assert value_problems(wf) == [(n, Kind.UNREADABLE, too_long(f"v{n - 2}")) for n in lines]
    assert max(map(len, wf.variables.values())) <= workers.MAX_EXPANDED_VALUE
    assert wf.variables["v14"] == "$(v13)$(v13)"


def test_substitution_stops_at_the_file_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each line is short, but together they would copy the same big value everywhere: past
    the file's limit, said once, no $(...) is substituted any more."""
    monkeypatch.setattr(workers, "MAX_EXPANDED_FILE", 1000)
    text = "big=" + "x" * 300 + "\n" + "".join(f"k{i}=$(big)\n" for i in range(10))
    wf = parse_workers(text, "/w")
    message = (
        "$(big) is not substituted: substitution in this file would add more than 1000 bytes, "
        "clustercheck's limit; from here on no $(...) is, and the values that hold one are not "
        "judged"
    )
    assert value_problems(wf) == [(5, Kind.UNREADABLE, message)]
    assert [wf.variables[f"k{i}"] for i in range(10)] == ["x" * 300] * 3 + ["$(big)"] * 7


def test_a_key_repeated_on_many_lines_stops_joining_at_64_kib() -> None:
    """mod_jk joins a repeated list key: every line of one key copied an ever longer value at
    each line (quadratic in the file size); past 64 KiB it is not joined any more, said once."""
    text = "worker.list=lb\nworker.lb.type=lb\n" + "worker.lb.balance_workers=abcdefg\n" * 20_000
    wf = parse_workers(text, "/w")
    message = (
        "'worker.lb.balance_workers' is not joined with this value or later ones: it would grow "
        "past 64 KiB, clustercheck's limit; it is not judged"
    )
    first_line = 3 + 65536 // len(",abcdefg")  # the line whose value no longer fits
    assert value_problems(wf) == [(first_line, Kind.UNREADABLE, message)]
    assert len(wf.workers["lb"].settings["balance_workers"].value) <= workers.MAX_EXPANDED_VALUE


def test_references_that_copy_a_big_template_many_times_stop_at_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every worker copies every key of the template: workers x keys copies, and each
    reference compares every key there is. Past the limit, said once, the remaining
    references are not resolved (and not taken for unresolvable: httpd may well start)."""
    monkeypatch.setattr(workers, "MAX_REFERENCE_WORK", 200)
    template = "".join(f"worker.t.x{i}.port=1\n" for i in range(10))
    refs = "".join(f"worker.w{i}.reference=worker.t\n" for i in range(20))
    wf = parse_workers("worker.list=w0\n" + template + refs, "/w")
    message = (
        "'worker.w3.reference' and the references after it are not resolved: resolving them "
        "compares and copies more than 200 keys, clustercheck's limit; the workers they define "
        "are not judged"
    )
    assert value_problems(wf) == [(15, Kind.UNREADABLE, message)]
    # each inherit compares every key there is (31, then 10 more each time) and copies 10
    copied = {name.split(".")[0] for name in wf.workers if name.startswith("w") and "." in name}
    assert sorted(copied) == ["w0", "w1", "w2"]


# --- server.xml ${name} -------------------------------------------------------------------------


class CountingProperties(dict[str, str]):
    """Properties that count the lookups made in them: the work substitution did."""

    lookups = 0

    def __contains__(self, key: object) -> bool:
        self.lookups += 1
        return super().__contains__(key)


def server(attrs: str, *more: str) -> bytes:
    lines = [f'<Server port="-1" {attrs}>', *more, "</Server>"]
    return "\n".join(lines).encode()


def substitution_problems(parsed: ServerXml) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in parsed.problems if p.kind is Kind.UNREADABLE]


def test_a_big_property_used_many_times_stops_at_64_kib() -> None:
    """A 1 MiB attribute of ${x} with x itself 1 MiB would be 2**40 characters: substitution
    stops as soon as the value passes 64 KiB, after a single lookup, and keeps it as written."""
    properties = CountingProperties(x="y" * (1 << 20))
    value = "${x}" * (1 << 18)
    parsed = parse_server_xml(server(f'shutdown="{value}"'), "/s.xml", properties)
    message = (
        "shutdown on <Server> is not substituted: its ${...} would make it longer than 64 KiB, "
        "clustercheck's limit; it is kept as written and not judged"
    )
    assert substitution_problems(parsed) == [(1, message)]
    assert parsed.root is not None and parsed.root.attrs["shutdown"] == value
    assert properties.lookups == 1


def test_substitution_stops_at_what_the_file_may_add() -> None:
    """Each attribute stays short, but together they copy one property everywhere: past the
    file's limit, said once, no later attribute is substituted."""
    limits = XmlLimits(substituted=1000)
    connectors = [f'<Connector port="{8000 + i}" address="${{x}}"/>' for i in range(8)]
    text = server("", "<Service>", *connectors, "</Service>")
    parsed = parse_server_xml(text, "/s.xml", {"x": "a" * 300}, limits)
    message = (
        "address on <Connector> is not substituted: ${...} in this file would add more than "
        "1000 bytes, clustercheck's limit; it and every later attribute are kept as written "
        "and not judged"
    )
    assert substitution_problems(parsed) == [(6, message)]
    assert [c.address for c in parsed.connectors] == ["a" * 300] * 3 + ["${x}"] * 5


def test_substitution_under_the_limits_is_unchanged() -> None:
    assert substitute("${a}-${b:-d}-${c}", {"a": "1"}) == ("1-d-${c}", ["${c}"])
    assert substitute("${a}${a}", {"a": "xy"}, limit=4) == ("xyxy", [])
    with pytest.raises(SubstitutionTooLong):
        substitute("${a}${a}!", {"a": "xy"}, limit=4)


# --- XML recovery -------------------------------------------------------------------------------


def depth(element: XmlElement) -> int:
    """How deep the tree goes below and including `element` (by levels, not recursion)."""
    levels, level = 0, [element]
    while level:
        levels, level = levels + 1, [c for e in level for c in e.children]
    return levels


def tree_problems(doc: XmlDoc) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in doc.problems if p.kind is Kind.UNREADABLE]


@pytest.mark.parametrize("closed", [True, False], ids=["well-formed", "unclosed"])
def test_elements_nested_too_deep_are_skipped_with_what_they_hold(closed: bool) -> None:
    """Deeper than the limit nothing is built (the path of each element repeats all its
    parents'), and the elements after the deep ones are read again."""
    nested = "\n".join(["<Server>", *["<a>"] * 10, "<b/>", *(["</a>"] * 10 if closed else [])])
    doc = read_xml(f"{nested}\n<Service/>\n</Server>\n".encode(), "/s.xml", XmlLimits(depth=5))
    message = (
        "elements nested deeper than 5 are not read (clustercheck's limit): what they hold is "
        "not judged"
    )
    assert tree_problems(doc) == [(6, message)]
    assert doc.root is not None and depth(doc.root) == 5
    assert [e.tag for e in doc.root.iter()][-1] == ("Service" if closed else "a")


@pytest.mark.parametrize(
    ("limits", "tag", "line"),
    [
        pytest.param(XmlLimits(elements=10), "a", 11, id="elements"),
        pytest.param(XmlLimits(paths=1000), "x" * 300, 4, id="paths"),
    ],
)
def test_past_the_element_or_path_budget_nothing_more_is_built(
    limits: XmlLimits, tag: str, line: int
) -> None:
    """A long tag name costs its length in every path below it: 300 characters, three
    children down, pass 1000."""
    children = "\n".join(f"<{tag}>" for _ in range(20))
    doc = read_xml(f"<Server>\n{children}\n</Server>\n".encode(), "/s.xml", limits)
    message = (
        f"clustercheck builds at most {limits.elements} elements and {size_text(limits.paths)} "
        "of element paths from a file: from this line on nothing is read, nor judged"
    )
    assert tree_problems(doc) == [(line, message)]
    assert doc.root is not None
    assert sum(1 for _ in doc.root.iter()) <= limits.elements
    assert sum(len(e.path) for e in doc.root.iter()) <= limits.paths


# Each of these took quadratic time or recursed without end in the tolerant reader or the tree
# (a 20 KB tag took 19 s, an unclosed one of 40 KB 84 s, 8000 nested elements raised
# RecursionError): 256 KiB of each is read in well under a second now, and would take minutes
# to hours if any went quadratic again.
HOSTILE = {
    "long attribute name without '='": "<Server " + "b" * 256_000 + ">",
    "unterminated DOCTYPE subsets": "<Server>" + "<!DOCTYPE [" * 23_000,
    "unclosed nesting": "<Server>" + "<a>" * 85_000,
    "well-formed nesting": "<Server>" + "<a>" * 36_000 + "</a>" * 36_000 + "</Server>",
    "stray end tags under open ones": "<Server>&" + "<a>" * 40_000 + "</b>" * 40_000,
    "many attributes": "<Server " + "".join(f'a{i}="1" ' for i in range(28_000)) + "/>",
    "unquoted attribute runs": "<Server " + "a=" * 128_000 + ">",
    "open quotes": "<Server>" + "<a '" * 64_000,
    "an unclosed tag": "<Server><a" + "b" * 256_000,
    "tags inside the quotes of unclosed tags": "<Server><a " + '"<b" ' * 50_000,
    "a start tag inside quotes, many times": "<Server>" + '<a "<b>"' * 32_000,
}
CPU_SECONDS = 10.0  # linear: < 1 s here; quadratic: minutes to hours


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_xml_is_read_in_linear_time(text: str) -> None:
    started = time.process_time()
    parsed = parse_server_xml(text.encode(), "/s.xml")
    assert time.process_time() - started < CPU_SECONDS
    assert parsed.root is not None and depth(parsed.root) <= XmlLimits.depth


FRAGMENTS = [
    "<a",
    "<a>",
    '<a "',
    "<a '",
    '"<b" ',
    "</a>",
    "</a ",
    "</b>",
    "<a/>",
    " x=",
    '"',
    "'",
    "=",
    " ",
    ">",
    "<",
    "&",
    "]",
    "<!DOCTYPE [",
    "<!DOCTYPE a [<!ELEMENT a ANY>",
    "<!--",
    "-->",
    "<![CDATA[",
    "<?",
    "/>",
    "b",
    "${x}",
]
SMALL = XmlLimits(depth=16, elements=500, paths=20_000, value=2000, substituted=10_000)


@given(st.lists(st.tuples(st.sampled_from(FRAGMENTS), st.integers(1, 3000)), max_size=12))
@settings(max_examples=100)
def test_any_mix_of_hostile_fragments_stays_within_the_limits(
    parts: list[tuple[str, int]],
) -> None:
    """Up to 36000 fragments of broken XML: read without raising, every tree within the
    limits, and substitution within its own."""
    text = "<Server>" + "".join(fragment * count for fragment, count in parts)
    started = time.process_time()
    parsed = parse_server_xml(text.encode(), "/s.xml", {"x": "v" * 100}, SMALL)
    assert time.process_time() - started < CPU_SECONDS
    elements = list(parsed.root.iter()) if parsed.root else []
    assert len(elements) <= SMALL.elements
    assert sum(len(e.path) for e in elements) <= SMALL.paths
    assert not parsed.root or depth(parsed.root) <= SMALL.depth
    assert all(len(v) <= max(SMALL.value, len(text)) for e in elements for v in e.attrs.values())


# --- continued lines ------------------------------------------------------------------------


def test_continued_lines_are_joined_in_linear_time() -> None:
    """One value continued over a million lines (3 MB, under the 4 MiB read cap), in
    catalina.properties and in an httpd file: joining at each line took about a minute, joining
    once takes a second."""
    started = time.process_time()
    read = load_java_properties(b"a=" + b"x\\\n" * 1_000_000)
    directives, _problems = parse_httpd("JkMount /" + "x\\\n" * 1_000_000 + " lb\n", "/h")
    assert time.process_time() - started < CPU_SECONDS
    assert read == {"a": "x" * 1_000_000}
    assert [d.args for d in directives] == [("/" + "x" * 1_000_000, "lb")]
