"""workers.properties as mod_jk reads it: each rule with real-looking text and its edge cases."""

from __future__ import annotations

import pytest

from clustercheck.parsers.workers import (
    DEPRECATED,
    SUPPORTED_DIRECTIVES,
    Setting,
    WorkersFile,
    parse_bool,
    parse_workers,
    with_defaults,
)

PATH = "/etc/httpd/conf/workers.properties"

TWO_NODES = """\
# Two Tomcats behind one balancer
worker.list=lb,status

worker.node1.type=ajp13
worker.node1.host=10.0.0.11
worker.node1.port=8009

worker.node2.type=ajp13
worker.node2.host=10.0.0.12
worker.node2.port=8010

worker.lb.type=lb
worker.lb.balance_workers=node1,node2
worker.status.type=status
"""


def parse(text: str) -> WorkersFile:
    return parse_workers(text, PATH)


def messages(wf: WorkersFile) -> list[str]:
    return [problem.message for problem in wf.problems]


def unexpected(wf: WorkersFile) -> list[str]:
    """Problems other than the note that a file without worker.list gets mod_jk's `ajp13`."""
    return [m for m in messages(wf) if not m.startswith("no worker.list")]


def has_problem(wf: WorkersFile, fragment: str, line: int | None = None) -> bool:
    return any(
        fragment in problem.message and (line is None or problem.line == line)
        for problem in wf.problems
    )


# --- a plain file ---------------------------------------------------------------------------


def test_plain_file_gives_workers_lines_and_no_problems():
    wf = parse(TWO_NODES)
    assert wf.worker_list == [("lb", 2), ("status", 2)]
    assert set(wf.workers) == {"lb", "status", "node1", "node2"}
    node2 = wf.workers["node2"]
    assert (node2.type, node2.host, node2.port, node2.line) == ("ajp13", "10.0.0.12", 8010, 8)
    assert node2.settings["port"] == Setting("8010", 10)
    assert wf.workers["lb"].members == ["node1", "node2"]
    assert wf.problems == []
    assert wf.path == PATH


def test_no_defaults_before_with_defaults():
    wf = parse(TWO_NODES)
    assert wf.workers["node1"].route is None
    assert "lbfactor" not in wf.workers["node1"].settings


# --- comments, trimming, lines ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("worker.a.port=8009", "8009"),
        ("worker.a.port = 8009", "8009"),
        ("\t  worker.a.port\t=\t8009 \t", "8009"),
        ("worker.a.port=8009   # the AJP port", "8009"),
        ("worker.a.port=8009\r", "8009"),
        ("worker.a.port=80#09", "80"),
        ("worker.a.port==8009", "=8009"),
    ],
)
def test_hash_anywhere_is_a_comment_and_ascii_space_is_trimmed(line, expected):
    assert parse(line).workers["a"].get("port") == expected


def test_hash_right_after_a_value_is_reported_without_the_value():
    wf = parse("worker.a.secret=Qx7#Zr9\nworker.a.host=h # fine\n")
    assert wf.workers["a"].secret == "Qx7"
    assert has_problem(wf, "'#' inside a value", line=1)
    assert not has_problem(wf, "'#' inside a value", line=2)
    assert not any("Qx7" in message or "Zr9" in message for message in messages(wf))


def test_commented_settings_are_collected():
    text = "#worker.lb.sticky_session=1\n  # worker.a.port = 8010 # old\n# y=$(x)othervalue\n"
    wf = parse(text)
    assert wf.commented_settings == [
        (1, "worker.lb.sticky_session", "1"),
        (2, "worker.a.port", "8010"),
    ]
    assert wf.workers == {}


def test_no_continuation_lines():
    wf = parse("worker.list=a,\\\nb\n")
    assert [name for name, _ in wf.worker_list] == ["a", "\\"]
    assert "b" not in wf.workers


@pytest.mark.parametrize(
    ("line", "reported"),
    [
        ("worker.list a,b", True),
        ("worker.a.port: 8009", True),
        ("worker.a.port", True),
        ("devadmin@host:/etc/apache2$ cat workers.properties", False),
        ("just some prose", False),
    ],
)
def test_lines_without_equals_are_ignored_and_reported_only_when_they_look_like_settings(
    line, reported
):
    wf = parse(line + "\nworker.list=x\n")
    assert [name for name, _ in wf.worker_list] == ["x"]
    assert has_problem(wf, "without '='") is reported


@pytest.mark.parametrize("line", ["worker.a.host=", "worker.a.host=   # nothing", "=ajp13"])
def test_empty_key_or_value_is_ignored_with_a_problem(line):
    wf = parse(line)
    assert "a" not in wf.workers
    assert has_problem(wf, "mod_jk ignores this line", line=1)


def test_nbsp_is_not_trimmed_and_is_reported():
    wf = parse("worker.a.port=\xa08009\n\xa0\n")
    assert wf.workers["a"].get("port") == "\xa08009"
    assert wf.workers["a"].port == 0
    assert has_problem(wf, "non-breaking space", line=1)
    assert not has_problem(wf, "non-breaking space", line=2)


def test_crlf_file():
    wf = parse(TWO_NODES.replace("\n", "\r\n"))
    assert wf.workers["node1"].host == "10.0.0.11"
    assert wf.problems == []


def test_overlong_line_is_read_in_pieces():
    wf = parse("worker.a.host=" + "h" * 9000)
    assert has_problem(wf, "longer than 8191", line=1)
    assert len(wf.workers["a"].get("host") or "") == 8191 - len("worker.a.host=")


# --- lists and duplicates --------------------------------------------------------------------


def test_worker_list_accumulates_and_splits_on_space_tab_comma():
    wf = parse("worker.list=a, b\tc\nworker.list = d,,e\n")
    assert wf.worker_list == [("a", 1), ("b", 1), ("c", 1), ("d", 2), ("e", 2)]
    assert wf.problems == []


@pytest.mark.parametrize("directive", ["balance_workers", "mount", "fail_on_status", "user"])
def test_list_directives_accumulate_with_comma(directive):
    wf = parse(f"worker.x.{directive}=one\nworker.x.{directive}=two three\n")
    assert wf.workers["x"].get(directive) == "one,two three"
    assert wf.workers["x"].settings[directive].line == 1
    assert unexpected(wf) == []


def test_unique_directive_repeated_keeps_the_last_and_says_so_without_values():
    wf = parse("worker.a.secret=Qx7one\nworker.a.secret=Qx7two\n")
    assert wf.workers["a"].settings["secret"] == Setting("Qx7two", 2)
    assert has_problem(wf, "keeps only this last value", line=2)
    assert not any("Qx7" in m for m in messages(wf))


@pytest.mark.parametrize(
    ("directive", "joined"), [("balanced_workers", "a*b"), ("distance", "a*b")]
)
def test_other_repeated_keys_are_joined_with_star_as_mod_jk_does(directive, joined):
    wf = parse(f"worker.w.{directive}=a\nworker.w.{directive}=b")
    assert wf.workers["w"].get(directive) == joined
    assert has_problem(wf, "joins the values with '*'", line=2)


def test_repeated_user_variable_is_joined_with_star():
    wf = parse("ps=/\nps=\\\n")
    assert wf.variables["ps"] == "/*\\"


# --- reference ---------------------------------------------------------------------------------


TEMPLATE = """\
worker.list=lb
worker.template.type=ajp13
worker.template.port=8009
worker.template.ping_mode=A
worker.a.reference=worker.template
worker.a.host=tom-a
worker.a.port=8109
worker.lb.type=lb
worker.lb.balance_workers=a
"""


def test_reference_copies_what_is_not_set_and_records_the_source():
    a = parse(TEMPLATE).workers["a"]
    assert a.settings["type"] == Setting("ajp13", 2, inherited_from="template")
    assert a.settings["ping_mode"].inherited_from == "template"
    assert a.settings["port"] == Setting("8109", 7)
    assert a.host == "tom-a"
    assert a.line == 5


def test_nested_references_resolve_template_first_and_keep_the_origin():
    text = (
        "worker.base.socket_keepalive=true\n"
        "worker.mid.reference=worker.base\n"
        "worker.mid.ping_mode=C\n"
        "worker.a.reference=worker.mid\n"
    )
    wf = parse(text)
    a = wf.workers["a"]
    assert a.settings["socket_keepalive"] == Setting("true", 1, inherited_from="base")
    assert a.settings["ping_mode"] == Setting("C", 3, inherited_from="mid")
    assert unexpected(wf) == []


def test_reference_is_a_prefix_so_a_non_worker_template_works():
    text = "tmpl.type=ajp13\ntmpl.port=8010\nworker.list=a\nworker.a.reference=tmpl\n"
    wf = parse(text)
    assert wf.workers["a"].settings["port"] == Setting("8010", 2, inherited_from="tmpl")
    assert unexpected(wf) == []


def test_unknown_reference_is_a_problem():
    wf = parse("worker.list=a\nworker.a.reference=worker.nothere\n")
    assert has_problem(wf, "reference 'worker.nothere' not found", line=2)
    assert has_problem(wf, "cannot be resolved", line=2)


def test_reference_cycle_is_a_problem_and_does_not_hang():
    wf = parse("worker.a.reference=worker.b\nworker.b.reference=worker.a\n")
    assert has_problem(wf, "deeper than 20")


def test_reference_chain_of_twenty_resolves_and_twenty_one_does_not():
    def chain(length: int) -> str:
        lines = [f"worker.t{i}.reference=worker.t{i + 1}" for i in range(length)]
        return "\n".join([*lines, f"worker.t{length}.port=9000"])

    assert parse(chain(20)).workers["t0"].get("port") == "9000"
    assert has_problem(parse(chain(21)), "deeper than 20")


# --- deprecated names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("directive", "replacement"),
    [
        ("balanced_workers", "balance_workers"),
        ("jvm_route", "route"),
        ("cachesize", "connection_pool_size"),
        ("cache_timeout", "connection_pool_timeout"),
        ("recycle_timeout", "connection_pool_timeout"),
        ("disabled", "activation"),
        ("stopped", "activation"),
    ],
)
def test_deprecated_names_are_recorded(directive, replacement):
    wf = parse(f"worker.w.{directive}=1")
    assert wf.deprecated == [(1, f"worker.w.{directive}", replacement)]
    assert DEPRECATED[directive] == replacement


def test_deprecated_names_are_still_honoured():
    text = (
        "worker.lb.balanced_workers=a,b\n"
        "worker.a.jvm_route=jvmA\n"
        "worker.b.disabled=true\n"
        "worker.c.stopped=1\n"
        "worker.d.stopped=1\nworker.d.activation=active\n"
    )
    workers = parse(text).workers
    assert workers["lb"].members == ["a", "b"]
    assert workers["a"].route == "jvmA"
    assert workers["b"].activation == "D"
    assert workers["c"].activation == "S"
    assert workers["d"].activation == "A"


def test_balance_workers_wins_over_balanced_workers():
    wf = parse("worker.lb.balanced_workers=old\nworker.lb.balance_workers=new\n")
    assert wf.workers["lb"].members == ["new"]


# --- variables ---------------------------------------------------------------------------------


def test_variables_are_substituted_from_earlier_keys():
    text = "base=/opt\nps=/\nworker.a.host=$(base)$(ps)x\nworker.b.port=$(worker.a.host)\n"
    wf = parse(text)
    assert wf.workers["a"].host == "/opt/x"
    assert wf.workers["b"].get("port") == "/opt/x"
    assert wf.variables == {"base": "/opt", "ps": "/"}


def test_undefined_variable_stays_literal_with_a_problem():
    wf = parse("worker.a.route=$(ROUTE)\nROUTE=late\n")
    assert wf.workers["a"].route == "$(ROUTE)"
    assert has_problem(wf, "$(ROUTE) is not defined", line=1)
    assert list(wf.unused_variables) == ["ROUTE"]  # defined too late for mod_jk to use it


def test_an_undefined_variable_in_an_address_is_the_workers_business():
    """Left as written, it disables the worker (Worker.disabled): CC6034 says so there."""
    wf = parse("worker.a.host=$(TOMCAT_HOST)\nworker.a.port=$(TOMCAT_PORT)\n")
    assert (wf.workers["a"].host, wf.workers["a"].port) == ("$(TOMCAT_HOST)", 0)
    assert unexpected(wf) == []


def test_unterminated_variable_is_left_alone():
    assert parse("worker.a.host=$(oops").workers["a"].host == "$(oops"


def test_shell_style_variable_is_not_substituted():
    wf = parse("worker.a.host=$TOMCAT_IP")
    assert wf.workers["a"].host == "$TOMCAT_IP"
    assert unexpected(wf) == []


# --- validation: what makes mod_jk refuse to start --------------------------------------------


@pytest.mark.parametrize(
    "key", ["worker.a.max_reuse_connections", "worker.a.Port", "worker.a.sticky_seesion"]
)
def test_unknown_directive_means_mod_jk_refuses_to_start(key):
    wf = parse(f"{key}=1")
    assert has_problem(wf, f"mod_jk refuses to start: unsupported attribute '{key}'", line=1)
    assert wf.workers == {}


def test_every_supported_directive_is_accepted():
    text = "\n".join(f"worker.w.{name}=1" for name in sorted(SUPPORTED_DIRECTIVES))
    assert not has_problem(parse(text), "unsupported")


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("workers.list", "is not a 'worker.' key"),
        ("Worker.a.port", "is not a 'worker.' key"),
        ("; worker.list", "';' does not start a comment"),
        ("/*", "looks like a uriworkermap rule"),
        ("!/*.gif", "looks like a uriworkermap rule"),
        ("\ufeffworker.list", "byte order mark"),
    ],
)
def test_keys_outside_worker_are_silently_variables_and_reported(key, fragment):
    wf = parse(f"{key}=a\nworker.list=b\n")
    assert wf.variables[key] == "a"
    assert [name for name, _ in wf.worker_list] == ["b"]
    assert has_problem(wf, fragment, line=1)


def test_ordinary_user_variables_are_not_reported():
    wf = parse("workers.tomcat_home=/opt/tomcat\nps=/\nworker.list=a\n")
    assert wf.problems == []
    assert wf.unused_variables == {
        "workers.tomcat_home": Setting("/opt/tomcat", 1),
        "ps": Setting("/", 2),
    }


def test_a_variable_is_used_by_a_later_value_or_a_reference():
    text = "ps=/\nlate=x\ntpl.type=ajp13\nworker.a.host=$(ps)$(soon)\nsoon=y\n"
    wf = parse(text + "worker.a.reference=tpl\n")
    assert list(wf.unused_variables) == ["late", "soon"]  # `soon` came after its use


def test_worker_name_with_dots_is_reported():
    wf = parse("worker.list=lb\nworker.lb.type=lb\nworker.lb.balance_workers=app.local\n")
    assert "app.local" in wf.workers
    assert has_problem(wf, "worker name 'app.local'")


# --- the model --------------------------------------------------------------------------------


def test_every_named_worker_is_in_workers():
    wf = parse("worker.list=lb,ghost\nworker.lb.type=lb\nworker.lb.balance_workers=m1 m2\n")
    assert set(wf.workers) == {"lb", "ghost", "m1", "m2"}
    assert wf.workers["ghost"].line is None
    assert wf.workers["m1"].settings == {}


def test_global_settings():
    wf = parse("worker.maintain=30\nworker.list=a\n")
    assert wf.global_settings["maintain"] == Setting("30", 1)


def test_secret_lives_only_in_the_model():
    text = (
        "worker.list=lb\nworker.lb.type=lb\nworker.lb.secret=s3cr3t\n"
        "worker.lb.balance_workers=a,b\nworker.b.secret=0wn\nworker.b.secret=0wn2#x\n"
        "worker.a.reference=worker.s3cr3t\n"
    )
    wf = parse(text)
    assert wf.workers["lb"].secret == "s3cr3t"
    assert wf.member_secret("lb", "a") == Setting("s3cr3t", 3)
    assert wf.member_secret("lb", "b") == Setting("0wn2", 6)
    assert wf.member_secret("nolb", "a") is None
    rendered = repr(wf.problems)
    assert "0wn" not in rendered
    assert "s3cr3t" not in rendered.replace("worker.s3cr3t", "")


def test_worker_properties_are_read_before_the_file_and_keep_their_place():
    props = [("worker.a.secret=x#y", "/etc/httpd/conf/httpd.conf", 7), ("worker.list=a", "h", 8)]
    wf = parse_workers("worker.a.host=tc1\nworker.list=b\n", PATH, props)
    assert wf.workers["a"].settings["secret"] == Setting(
        "x#y", 7, file="/etc/httpd/conf/httpd.conf"
    )
    assert wf.worker_list == [("a", 8), ("b", 2)]
    assert wf.workers["a"].line == 1


@pytest.mark.parametrize(
    "text",
    ["", "\x00", "=", "$(", "worker.=1", "worker..reference=x", "worker.a.reference=", "#" * 50],
)
def test_never_raises(text):
    assert isinstance(parse(text), WorkersFile)


# --- helpers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "default", "expected"),
    [
        ("true", False, True),
        ("True", False, True),
        ("TRUE", False, True),
        ("yes", False, True),
        ("1", False, True),
        ("on", False, True),
        ("On", False, True),
        ("false", True, False),
        ("N", True, False),
        ("0", True, False),
        ("off", True, False),
        ("10", True, True),
        ("01", False, False),
        ("maybe", True, True),
        ("maybe", False, False),
        ("", True, True),
        (None, False, False),
    ],
)
def test_parse_bool_is_jk_get_bool_code(value, default, expected):
    assert parse_bool(value, default) is expected


@pytest.mark.parametrize(
    ("value", "port"),
    [("8009", 8009), ("8009x", 8009), ("8009\xa0", 8009), ("2k", 2048), ("-1", -1),
     ("abc", 0), ("$(TOMCAT_PORT)", 0)],
)  # fmt: skip
def test_port_is_read_as_mod_jk_reads_it(value, port):
    """jk_map_get_int: what it cannot read is 0, the port of a disabled worker."""
    assert parse(f"worker.a.port={value}").workers["a"].port == port
    assert parse("worker.a.host=tc1").workers["a"].port is None


@pytest.mark.parametrize(
    ("lines", "disabled"),
    [
        ("worker.a.host=tc1\nworker.a.port=8009", False),
        ("worker.a.port=8009", False),  # localhost, by default
        ("worker.a.port=0", True),
        ("worker.a.port=$(TOMCAT_PORT)", True),
        ("worker.a.host=tc1:8010", True),
        ("worker.a.host=$(TOMCAT_HOST)", True),
        ("worker.a.host=tomcat1.invalid", True),
    ],
)
def test_a_worker_without_an_address_is_disabled(lines, disabled):
    assert parse(lines).workers["a"].disabled is disabled


@pytest.mark.parametrize(
    ("value", "code"),
    [("A", "A"), ("active", "A"), ("0", "A"), ("D", "D"), ("disabled", "D"), ("1", "D"),
     ("s", "S"), ("Stopped", "S"), ("2", "S"), ("x", "A")],
)  # fmt: skip
def test_activation_reads_the_first_character(value, code):
    assert parse(f"worker.a.activation={value}").workers["a"].activation == code


@pytest.mark.parametrize(("value", "sticky"), [("0", False), ("False", False), ("x", True)])
def test_sticky_session(value, sticky):
    assert parse(f"worker.lb.sticky_session={value}").workers["lb"].sticky_session is sticky


def test_a_port_in_the_host_is_not_split_off():
    """The real mod_jk 1.2.48 targets 'tc1:8010:8009' (and cannot resolve 'tc1:8010')."""
    a = parse("worker.a.host=tc1:8010\nworker.a.port=8009\n").workers["a"]
    assert (a.host, a.port) == ("tc1:8010", 8009)


# --- defaults ---------------------------------------------------------------------------------


def test_with_defaults_fills_what_mod_jk_assumes():
    wf = with_defaults(parse(TWO_NODES + "worker.bare.lbfactor=2\nworker.v14.type=ajp14\n"))
    bare = wf.workers["bare"]
    assert bare.settings["type"] == Setting("ajp13", None, defaulted=True)
    assert (bare.type, bare.host, bare.port, bare.route) == ("ajp13", "localhost", 8009, "bare")
    assert bare.settings["lbfactor"] == Setting("2", TWO_NODES.count("\n") + 1)
    assert bare.activation == "A" and bare.settings["activation"].defaulted
    assert wf.workers["v14"].port == 8011
    assert wf.workers["lb"].settings["sticky_session"].defaulted
    assert wf.workers["lb"].sticky_session is True
    assert "host" not in wf.workers["status"].settings


def test_with_defaults_keeps_explicit_values_and_does_not_mutate():
    original = parse(TWO_NODES + "worker.node1.jvm_route=r1\nworker.node2.stopped=true\n")
    completed = with_defaults(original)
    assert completed is not original
    assert "route" not in original.workers["node2"].settings
    assert completed.workers["node1"].settings["host"] == Setting("10.0.0.11", 5)
    assert completed.workers["node1"].route == "r1"
    assert "route" not in completed.workers["node1"].settings
    assert "activation" not in completed.workers["node2"].settings
    assert completed.workers["node2"].activation == "S"


def test_lb_without_type_becomes_an_ajp13_worker():
    wf = with_defaults(parse("worker.list=w3\nworker.w3.balance_workers=w1,w2\n"))
    assert wf.workers["w3"].type == "ajp13"
    assert wf.workers["w3"].port == 8009


def test_a_port_in_the_host_leaves_the_default_port():
    a = with_defaults(parse("worker.a.host=tc1:8010")).workers["a"]
    assert a.settings["port"].defaulted
    assert a.port == 8009


def test_without_worker_list_mod_jk_creates_ajp13():
    wf = parse("worker.node1.host=tc1\n")
    assert has_problem(wf, "no worker.list")
    assert wf.listed_names == ["ajp13"]
    completed = with_defaults(wf)
    ajp13 = completed.workers["ajp13"]
    assert (ajp13.type, ajp13.host, ajp13.port, ajp13.line) == ("ajp13", "localhost", 8009, None)
    assert "ajp13" not in wf.workers


# --- what mod_jk really does with odd text (tests/checks/test_jk_real_httpd.py shows it) ------


def kinds(wf: WorkersFile, fragment: str) -> list[tuple[int | None, str]]:
    return [(p.line, p.kind.value) for p in wf.problems if fragment in p.message]


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        pytest.param("worker.a.port=8009\xa0", None, id="int-atoi-stops-at-it"),
        pytest.param("worker.a.port=8k\xa0", "8, not 8192", id="int-k-must-be-last"),
        pytest.param("worker.a.port=\xa08009", "0, not 8009", id="int-atoi-starts-at-it"),
        pytest.param("worker.a.activation=D\xa0", None, id="first-letter"),
        pytest.param("worker.a.ping_mode=CP\xa0", None, id="letters"),
        pytest.param("worker.a.sticky_session=false\xa0", None, id="bool-first-letter"),
        pytest.param("worker.a.sticky_session=off\xa0", "true, not false", id="bool-off"),
        pytest.param("worker.a.host=tc1\xa0", "'tc1\\xa0', not 'tc1'", id="string"),
        pytest.param(
            "worker.a.balance_workers=b,c\xa0", "['b', 'c\\xa0'], not ['b', 'c']", id="list"
        ),
    ],
)
def test_a_non_breaking_space_in_a_value_matters_only_where_mod_jk_reads_it(line, problem):
    wf = parse(f"worker.list=a\n{line}\n")
    found = kinds(wf, "non-breaking space")
    if problem is None:
        assert found == [], messages(wf)
    else:
        assert found == [(2, "means-something-else")]
        assert has_problem(wf, f"mod_jk does not trim it, so it reads {problem}", line=2)
    key, value = line.split("=", 1)
    assert wf.workers["a"].settings[key.rpartition(".")[2]].value == value  # kept as read


def test_a_non_breaking_space_in_a_key():
    wf = parse(
        "worker.list=a\nworker.a\xa0.port=8010\n\xa0worker.a.host=tc1\nworker.a.port\xa0=1\n"
    )
    assert kinds(wf, "sets worker 'a\\xa0', not 'a'") == [(2, "means-something-else")]
    assert kinds(wf, "precedes 'worker.a.host'") == [(3, "means-something-else")]
    assert kinds(wf, "unsupported attribute 'worker.a.port\\xa0' ending in a non-breaking") == [
        (4, "refuses-to-start")
    ]
    assert not has_problem(wf, "uses characters mod_jk documents as not allowed")


def test_a_semicolon_line_is_an_unused_variable_with_no_effect():
    wf = parse("worker.list=lb\n;worker.lb.sticky_session=false\nworker.lb.type=lb\n")
    assert wf.variables == {";worker.lb.sticky_session": "false"}
    assert wf.workers["lb"].sticky_session is True
    assert kinds(wf, "';' does not start a comment") == [(2, "redundant")]
    assert has_problem(wf, "a user variable that nothing uses, so the line has no effect")


def test_a_semicolon_variable_some_value_uses_is_no_problem():
    wf = parse(";h=tc1\nworker.list=a\nworker.a.host=$(;h)\n")
    assert wf.workers["a"].host == "tc1"
    assert unexpected(wf) == []


def test_an_empty_host_leaves_localhost():
    wf = parse("worker.list=a,b\nworker.a.host=\nworker.b.host=\nworker.b.host=tc2\n")
    assert kinds(wf, "'worker.a.host' is empty") == [(2, "means-something-else")]
    assert has_problem(wf, "worker a connects to localhost, its default host", line=2)
    assert kinds(wf, "a key or a value is empty") == [(3, "redundant")]
    assert with_defaults(wf).workers["a"].host == "localhost"
