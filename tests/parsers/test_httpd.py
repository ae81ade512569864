"""httpd files, the mod_jk directives in them, and uriworkermap.properties."""

from __future__ import annotations

import pytest

from clustercheck.parsers.httpd import (
    JK_DIRECTIVES,
    Directive,
    JkSettings,
    Mount,
    jk_settings,
    parse_httpd,
    parse_uriworkermap,
    split_section,
    split_words,
    worker_mounts,
)
from clustercheck.parsers.text import Problem
from clustercheck.parsers.workers import parse_workers

CONF = "/etc/httpd/conf.d/mod_jk.conf"
MAP = "/etc/httpd/conf/uriworkermap.properties"

REAL = """\
LoadModule jk_module modules/mod_jk.so
<IfModule jk_module>
    JkWorkersFile conf/workers.properties
    JkLogFile     logs/mod_jk.log
    JkLogStampFormat "[%a %b %d %H:%M:%S %Y] "
    JkMount /shop|/* lb
    <Location /jkstatus>
        # Inside Location the URL is omitted
        JkMount status
        Require ip 127.0.0.1
    </Location>
</IfModule>
<VirtualHost *:80>
    ServerName www.example.com
    JkMountCopy On
    JkUnMount /shop/static/* lb
</VirtualHost>
"""


def directives(text: str) -> list[Directive]:
    found, _problems = parse_httpd(text, CONF)
    return found


def problems(text: str) -> list[Problem]:
    return parse_httpd(text, CONF)[1]


def settings(text: str) -> JkSettings:
    return jk_settings(directives(text))


def all_problems(text: str) -> list[str]:
    return [p.message for p in problems(text) + settings(text).problems]


def mounts(text: str) -> list[tuple[str, str, bool, str | None]]:
    return [(m.pattern, m.worker, m.unmount, m.vhost) for m in settings(text).mounts]


# --- parse_httpd ------------------------------------------------------------------------------


def test_real_looking_file():
    found, issues = parse_httpd(REAL, CONF)
    assert issues == []
    assert [d.name for d in found][:3] == ["LoadModule", "JkWorkersFile", "JkLogFile"]
    stamp = found[3]
    assert stamp.args == ("[%a %b %d %H:%M:%S %Y] ",)
    assert (stamp.file, stamp.line) == (CONF, 5)
    status = next(d for d in found if d.args == ("status",))
    assert status.sections == ("<IfModule jk_module>", "<Location /jkstatus>")
    assert found[-1].sections == ("<VirtualHost *:80>",)
    jk = jk_settings(found)
    assert jk.problems == []
    assert jk.workers_file == ("conf/workers.properties", CONF, 3)
    assert jk.load_modules == [("jk_module", "modules/mod_jk.so", CONF, 1)]
    assert jk.mount_copy == [("On", "*:80", CONF, 15)]
    assert [(m.pattern, m.worker, m.line, m.unmount, m.vhost) for m in jk.mounts] == [
        ("/shop", "lb", 6, False, None),
        ("/shop/*", "lb", 6, False, None),
        ("/jkstatus", "status", 9, False, None),
        ("/shop/static/*", "lb", 16, True, "*:80"),
    ]


@pytest.mark.parametrize("name", ["JkMount", "jkmount", "JKMOUNT", "jKmOuNt"])
def test_directive_names_in_any_case(name):
    (directive,) = directives(f"{name} /app worker1")
    assert directive.name == name
    assert directive.lname == "jkmount"
    assert mounts(f"{name} /app worker1") == [("/app", "worker1", False, None)]


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("# JkMount /a w", 0),
        ("   \t# JkMount /a w", 0),
        ("JkMount /a w", 1),
        ("", 0),
        ("   \n\t\n", 0),
    ],
)
def test_comments_only_at_line_start(text, count):
    assert len(directives(text)) == count


def test_trailing_comment_is_arguments_and_breaks_the_directive():
    text = "JkMount /a w # to tomcat"
    (directive,) = directives(text)
    assert directive.args == ("/a", "w", "#", "to", "tomcat")
    assert any("no comments after a directive" in m for m in all_problems(text))


@pytest.mark.parametrize(
    ("text", "args", "line"),
    [
        ("JkMount /a \\\n    worker1\n", ("/a", "worker1"), 1),
        ("JkMount /a \\\r\n    worker1\r\n", ("/a", "worker1"), 1),
        ("\nJkMount \\\n/a \\\nworker1", ("/a", "worker1"), 2),
        ("JkMount /a/\\\nb w", ("/a/b", "w"), 1),
    ],
)
def test_backslash_newline_continues_the_line(text, args, line):
    (directive,) = directives(text)
    assert (directive.args, directive.line) == (args, line)


def test_backslash_followed_by_space_does_not_continue():
    found = directives("JkMount /a \\ \nw x")
    assert [d.name for d in found] == ["JkMount", "w"]


def test_continued_comment_swallows_the_next_line():
    assert directives("# comment \\\nJkMount /a w\nJkMount /b w\n")[0].args == ("/b", "w")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('a "b c" d', ("a", "b c", "d")),
        ("a 'b c' d", ("a", "b c", "d")),
        (r'"say \"hi\""', ('say "hi"',)),
        (r'"D:\nd\Tomcat8\logs"', (r"D:\nd\Tomcat8\logs",)),
        (r"a\\b", (r"a\b",)),
        ('"unterminated b', ("unterminated b",)),
        ('x"y z"', ('x"y', 'z"')),
        ('"a"b', ("a", "b")),
        ("", ()),
    ],
)
def test_words_split_like_ap_getword_conf(text, words):
    assert split_words(text) == words


def test_raw_keeps_the_argument_text_as_written():
    (directive,) = directives('JkWorkerProperty worker.a.host="x  y" # not a comment')
    assert directive.raw == 'worker.a.host="x  y" # not a comment'


def test_sections_nest_and_are_not_evaluated():
    text = (
        "<IfModule !mod_jk.c>\n  LoadModule jk_module modules/mod_jk.so\n</IfModule>\n"
        "<IfModule mod_jk.c>\n  <VirtualHost 10.0.0.1:80 *:8080>\n"
        '    <Location "/my app">\n      JkMount w\n    </Location>\n'
        "  </VirtualHost>\n</ifmodule>\n"
    )
    found, issues = parse_httpd(text, CONF)
    assert issues == []
    assert found[0].sections == ("<IfModule !mod_jk.c>",)
    assert found[1].sections == (
        "<IfModule mod_jk.c>",
        "<VirtualHost 10.0.0.1:80 *:8080>",
        '<Location "/my app">',
    )
    assert mounts(text) == [("/my app", "w", False, "10.0.0.1:80 *:8080")]


@pytest.mark.parametrize(
    ("section", "parsed"),
    [
        ("<IfModule !jk_module>", ("ifmodule", ("!jk_module",))),
        ("<VirtualHost *:80>", ("virtualhost", ("*:80",))),
        ('<Location "/a b">', ("location", ("/a b",))),
        ("<LocationMatch ~ ^/x>", ("locationmatch", ("~", "^/x"))),
        ("<Else>", ("else", ())),
    ],
)
def test_split_section(section, parsed):
    assert split_section(section) == parsed


@pytest.mark.parametrize(
    ("text", "fragment", "line"),
    [
        ("<VirtualHost *:80>\nJkMount /a w\n", "<VirtualHost *:80> is never closed", 1),
        ("</Location>\n", "</Location> without matching <Location>", 1),
        ("<IfModule x>\n<Location /a>\n</IfModule>\n", "expected </Location> but saw", 3),
        ("<Location /a\nJkMount w\n</Location>\n", "missing closing '>'", 1),
    ],
)
def test_unbalanced_sections_are_problems(text, fragment, line):
    assert any(fragment in p.message and p.line == line for p in problems(text))


def test_mismatched_close_recovers_to_the_named_section():
    found = directives("<IfModule x>\n<Location /a>\n</IfModule>\nJkMount /b w\n")
    assert found[-1].sections == ()


def test_nbsp_splits_like_a_space_with_a_problem():
    text = "<IfModule mod_jk.c>\n\xa0JkWorkersFile conf/w.properties\xa0JkLogLevel info\n"
    text += "</IfModule>\n"
    found, issues = parse_httpd(text, CONF)
    assert found[0].args == ("conf/w.properties", "JkLogLevel", "info")
    assert [(p.line, "non-breaking space" in p.message) for p in issues] == [(2, True)]
    jk = jk_settings(found)
    assert jk.workers_file == ("conf/w.properties", CONF, 2)
    assert any("takes one argument, got 3" in p.message for p in jk.problems)


def test_a_comment_line_is_skipped_whatever_it_holds():
    """httpd skips a line whose first non-space character is '#', non-breaking spaces and all
    (observed: httpd starts; tests/checks/test_jk_real_httpd.py)."""
    text = "# a comment\xa0with a non-breaking space\n   #\xa0JkMount /x w\nJkMount /a w\n"
    found, issues = parse_httpd(text, CONF)
    assert issues == []
    assert [(d.name, d.args) for d in found] == [("JkMount", ("/a", "w"))]


def test_a_line_led_by_a_non_breaking_space_is_no_comment():
    found, issues = parse_httpd("\xa0# not a comment to httpd\n", CONF)
    assert found == []
    assert [(p.line, p.kind.value) for p in issues] == [(1, "refuses-to-start")]
    assert "'\\xa0#' is no directive (Invalid command)" in issues[0].message


def test_a_non_breaking_space_in_an_argument_stays_in_it():
    found, issues = parse_httpd("JkMount /y w\xa0\n", CONF)
    assert found[0].args == ("/y", "w\xa0")
    assert [(p.line, p.kind.value) for p in issues] == [(1, "means-something-else")]
    assert "part of the argument 'w\\xa0'" in issues[0].message
    assert jk_settings(found).mounts[0].worker == "w\xa0"


def test_bom_is_a_problem_and_is_skipped():
    found, issues = parse_httpd("\ufeffLoadModule jk_module modules/mod_jk.so\n", CONF)
    assert found[0].name == "LoadModule"
    assert any("byte order mark" in p.message and p.line == 1 for p in issues)


def test_crlf_and_chinese_comments():
    text = "#加载 mod_jk 模块\r\nLoadModule jk_module modules/mod_jk.so\r\nJkMount /*.jsp c\r\n"
    found, issues = parse_httpd(text, CONF)
    assert issues == []
    assert [d.args for d in found] == [("jk_module", "modules/mod_jk.so"), ("/*.jsp", "c")]


# --- jk_settings ------------------------------------------------------------------------------


def test_location_mount_takes_the_location_path():
    text = "<Location /jk-status>\n  JkMount jk-status\n</Location>\n"
    assert mounts(text) == [("/jk-status", "jk-status", False, None)]
    text = "<LocationMatch ~ /x>\n  JkUnMount w\n</LocationMatch>\n"
    assert mounts(text) == [("/x", "w", True, None)]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("JkMount lb", "needs a path when not defined in a location"),
        ("<Location /a>\nJkMount /a lb\n</Location>", "can not have a path when defined"),
        ("JkUnMount lb", "JkUnMount needs a path"),
        ("JkMount app/* lb", "context should start with /"),
        ("<Files *.jsp>\nJkMount lb\n</Files>", "context should start with /"),
    ],
)
def test_bad_mounts_are_problems_and_not_mounts(text, fragment):
    assert mounts(text) == []
    assert any(fragment in m for m in all_problems(text))


def test_unmount_bar_shortcut_and_extensions():
    text = "JkUnMount /static|/* lb\nJkMount /app lb;reply_timeout=60000;stateless\n"
    found = settings(text).mounts
    assert [(m.pattern, m.unmount) for m in found] == [
        ("/static", True),
        ("/static/*", True),
        ("/app", False),
    ]
    assert (found[2].worker, found[2].extensions) == ("lb", "reply_timeout=60000;stateless")
    assert {m.source for m in found} == {"JkMount"}


def test_repeated_mount_in_one_server_keeps_the_last_worker_in_the_first_place():
    text = (
        "JkMount /a one\nJkMount /b two\nJkMount /a three\n"
        "<VirtualHost *:80>\nJkMount /a four\n</VirtualHost>\n"
    )
    assert mounts(text) == [
        ("/a", "three", False, None),
        ("/b", "two", False, None),
        ("/a", "four", False, "*:80"),
    ]
    repeated = [p for p in settings(text).problems if "repeated" in p.message]
    assert [p.line for p in repeated] == [3]


def test_mount_and_unmount_of_the_same_uri_are_different_rules():
    assert len(mounts("JkMount /a w\nJkUnMount /a w\n")) == 2


def test_workers_file_only_once_and_server_root():
    text = "ServerRoot /etc/httpd\nJkWorkersFile a.properties\nJkWorkersFile b.properties\n"
    jk = settings(text)
    assert jk.server_root == ("/etc/httpd", CONF, 1)
    assert jk.workers_file == ("a.properties", CONF, 2)
    assert [(p.line, p.message) for p in jk.problems] == [
        (3, "JkWorkersFile only allowed once: httpd refuses to start")
    ]


def test_mount_files_includes_load_modules_and_worker_properties():
    text = (
        "JkMountFile conf/uriworkermap.properties\n"
        'Include "conf/extra/mod_jk/*.conf"\nIncludeOptional conf.d/*.conf\n'
        "LoadModule /usr/lib/mod_jk.so\n"
        "JkWorkerProperty worker.list=a\nJkWorkerProperty worker.a.secret=x#y\n"
    )
    jk = settings(text)
    assert jk.mount_files == [("conf/uriworkermap.properties", CONF, 1)]
    assert jk.includes == [
        ("conf/extra/mod_jk/*.conf", False, CONF, 2),
        ("conf.d/*.conf", True, CONF, 3),
    ]
    assert jk.load_modules == []
    assert any(p.line == 4 and "LoadModule takes two arguments" in p.message for p in jk.problems)
    assert jk.worker_properties == [("worker.list=a", CONF, 5), ("worker.a.secret=x#y", CONF, 6)]
    wf = parse_workers("", "w", jk.worker_properties)
    assert wf.workers["a"].secret == "x#y"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("JkMountCopy Maybe", "must be All, On or Off"),
        ("<VirtualHost *:80>\nJkMountCopy All\n</VirtualHost>", "JkMountCopy All cannot occur"),
        ("JkLogFile/var/log/mod_jk.log", "is not a mod_jk directive"),
        ('JkLogStampFormat"[%a %b]"', "is not a mod_jk directive"),
        ("JkShmFile logs/jk.shm JkLogLevel info", "JkShmFile takes one argument, got 3"),
        ("JkMount /a b c", "JkMount takes one or two arguments, got 3"),
        ("JkLogLevel", "takes one argument, got 0"),
        ("<Location /a>\nJkLogLevel info\n</Location>", "not allowed inside <Location /a>"),
        ("<VirtualHost *:80>\nJkWorkersFile w\n</VirtualHost>", "cannot occur within"),
        ("<VirtualHost *:80>\nJkShmFile s\n</VirtualHost>", "cannot occur within"),
    ],
)
def test_what_httpd_refuses(text, fragment):
    found = all_problems(text)
    assert any(fragment in m and "httpd refuses to start" in m for m in found), found


@pytest.mark.parametrize(
    "text",
    [
        "JkOptions +ForwardKeySize +ForwardURICompat -ForwardDirectories",
        "<VirtualHost *:80>\nJkMountCopy On\nJkMountFile conf/vhost.map\n</VirtualHost>",
        "JkMountCopy all",
        "JkEnvVar SSL_CLIENT_V_START",
        "JkStripSession On",
        "jkoptions",
        "DocumentRoot /var/www\nJkMount /a b",
    ],
)
def test_what_httpd_accepts(text):
    assert all_problems(text) == []


def test_directive_table_covers_the_documented_directives():
    assert {"jkworkersfile", "jkmount", "jkunmount", "jkmountcopy", "jkworkerproperty"} <= set(
        JK_DIRECTIVES
    )
    assert len(JK_DIRECTIVES) == 37


@pytest.mark.parametrize(
    "text", ["<", "</", "<>", "< x>", "\\", '"', 'JkMount "', "<Location>\nJkMount w\n</Location>"]
)
def test_never_raises(text):
    found, issues = parse_httpd(text, CONF)
    assert isinstance(jk_settings(found), JkSettings)
    assert isinstance(issues, list)


# --- uriworkermap.properties ------------------------------------------------------------------


def rules(text: str, vhost: str | None = None) -> list[tuple[str, str, bool, bool]]:
    return [
        (m.pattern, m.worker, m.unmount, m.disabled)
        for m in parse_uriworkermap(text, MAP, vhost)[0]
    ]


def map_problems(text: str) -> list[tuple[int | None, str]]:
    return [(p.line, p.message) for p in parse_uriworkermap(text, MAP)[1]]


def test_uriworkermap_real_looking():
    text = "# mounts\n/*=loadbalancer\n/jkstatus/*=status\n!/images/*=loadbalancer\n"
    found, issues = parse_uriworkermap(text, MAP)
    assert issues == []
    assert found[0] == Mount("/*", "loadbalancer", MAP, 2, source="uriworkermap")
    assert [(m.pattern, m.unmount, m.line) for m in found] == [
        ("/*", False, 2),
        ("/jkstatus/*", False, 3),
        ("/images/*", True, 4),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/app|/*=w", [("/app", "w", False, False), ("/app/*", "w", False, False)]),
        ("/a|/b|/c=w", [("/a", "w", False, False), ("/a/b|/c", "w", False, False)]),
        ("!/*.gif=w", [("/*.gif", "w", True, False)]),
        ("-/old=w", [("/old", "w", False, True)]),
        ("-!/old=w", [("/old", "w", True, True)]),
        ("  /cfm/* =  cf_balancer  ", [("/cfm/*", "cf_balancer", False, False)]),
        ("/x=w # comment", [("/x", "w", False, False)]),
        ("/x=w\r", [("/x", "w", False, False)]),
        ("/a#b=w", []),
        ("/x=w;use_server_errors=500", [("/x", "w", False, False)]),
    ],
)
def test_uriworkermap_rules(line, expected):
    assert rules(line) == expected


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("!-/x=w", "invalid mapping rule '!-/x'"),
        ("*.jsp=w", "invalid mapping rule '*.jsp'"),
        ("/x", "needs both a URI and a worker"),
        ("/x=", "needs both a URI and a worker"),
        ("/x=\xa0w", "non-breaking space"),
    ],
)
def test_uriworkermap_problems(line, fragment):
    assert any(fragment in message and number == 1 for number, message in map_problems(line))


def test_uriworkermap_has_no_continuation():
    assert rules("/a=w\\\n/b=v\n") == [("/a", "w\\", False, False), ("/b", "v", False, False)]


def test_uriworkermap_repeated_uri_keeps_the_last_worker():
    text = "/*=worker1\n/a=x\n/*=worker2\n"
    assert rules(text) == [("/*", "worker2", False, False), ("/a", "x", False, False)]
    assert map_problems(text) == [
        (3, "'/*' is mapped again (first on line 1): mod_jk keeps only this last one")
    ]


def test_uriworkermap_vhost_and_source():
    (mount,), _ = parse_uriworkermap("/a=w", MAP, vhost="*:443")
    assert (mount.vhost, mount.source) == ("*:443", "uriworkermap")


@pytest.mark.parametrize("text", ["", "=", "|=|", "-=w", "!=w", "\x00=\x00", "/" * 9000 + "=w"])
def test_uriworkermap_never_raises(text):
    found, issues = parse_uriworkermap(text, MAP)
    assert isinstance(found, list) and isinstance(issues, list)


# --- worker.<name>.mount -----------------------------------------------------------------------


def test_worker_mounts_of_listed_workers_only():
    wf = parse_workers(
        "worker.list=w1\nworker.w1.mount=/a /b|/*,!/c\nworker.w2.mount=/never\n", "wp"
    )
    found, issues = worker_mounts(wf)
    assert [(m.pattern, m.worker, m.unmount, m.source, m.line) for m in found] == [
        ("/a", "w1", False, "workers", 2),
        ("/b|/*", "w1", False, "workers", 2),
        ("/c", "w1", True, "workers", 2),
    ]
    assert issues == []


def test_worker_mounts_report_invalid_rules():
    found, issues = worker_mounts(parse_workers("worker.list=w\nworker.w.mount=app/*\n", "wp"))
    assert found == []
    assert [(p.file, p.line) for p in issues] == [("wp", 2)]
