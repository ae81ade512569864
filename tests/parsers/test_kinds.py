"""What each parser Problem means: one row per place a parser makes a Problem, the input that
makes it, and the kind it must carry. The checks judge problems by kind alone, so a wrong kind
here is a wrong status in the report."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from clustercheck.parsers import httpd, workers
from clustercheck.parsers.httpd import jk_settings, parse_httpd, parse_uriworkermap, worker_mounts
from clustercheck.parsers.serverxml import parse_server_xml
from clustercheck.parsers.text import Kind, Problem
from clustercheck.parsers.webxml import parse_web_xml
from clustercheck.parsers.workers import parse_workers

Problems = Callable[[], list[Problem]]

REFUSES = Kind.REFUSES_TO_START
MEANS = Kind.MEANS_SOMETHING_ELSE
MAY = Kind.MAY_MEAN_SOMETHING_ELSE
OVERRIDDEN = Kind.OVERRIDDEN
REDUNDANT = Kind.REDUNDANT
UNREADABLE = Kind.UNREADABLE

LISTED = "worker.list=a\nworker.a.port=8009\n"  # a file that says no more than it must


def wk(text: str) -> Problems:
    return lambda: parse_workers(text, "workers.properties").problems


def conf(text: str) -> Problems:
    """The httpd reader's problems and those of the Jk directives it read."""

    def problems() -> list[Problem]:
        directives, found = parse_httpd(text, "mod_jk.conf")
        return found + jk_settings(directives).problems

    return problems


def uwm(text: str) -> Problems:
    return lambda: parse_uriworkermap(text, "uriworkermap.properties")[1]


def mounts(text: str) -> Problems:
    return lambda: worker_mounts(parse_workers(text, "workers.properties"))[1]


def sx(data: bytes) -> Problems:
    return lambda: parse_server_xml(data, "server.xml").problems


def wx(data: bytes) -> Problems:
    return lambda: parse_web_xml(data, "web.xml").problems


def row(id: str, problems: Problems, fragment: str, kind: Kind) -> pytest.param:  # type: ignore[valid-type]
    return pytest.param(problems, fragment, kind, id=id)


SITES = [
    # --- workers.properties
    row("long-line", wk(LISTED + "worker.a.host=" + "h" * 9000), "line longer than", MEANS),
    row("hash-in-value", wk(LISTED + "worker.a.host=h#x\n"), "'#' inside a value", MAY),
    row("nbsp-in-setting", wk(LISTED + "worker.a.host=h\xa0\n"), "non-breaking space", MEANS),
    row("nbsp-in-key", wk(LISTED + "worker.a\xa0.host=h\n"), "non-breaking space", MEANS),
    row("nbsp-before-key", wk(LISTED + "\xa0worker.a.host=h\n"), "non-breaking space", MEANS),
    row("unsupported", wk(LISTED + "worker.a.sticky_sesion=0\n"), "refuses to start", REFUSES),
    row("empty-value", wk(LISTED + "worker.a.route=\n"), "a key or a value is empty", REDUNDANT),
    row("empty-host", wk(LISTED + "worker.a.host=\n"), "connects to localhost", MEANS),
    row("no-equals", wk(LISTED + "worker.a.host h\n"), "a setting without '='", MEANS),
    row("undefined-variable", wk(LISTED + "worker.a.route=$(R)\n"), "$(R) is not defined", MAY),
    row(
        "unique-again",
        wk(LISTED + "worker.a.port=8010\n"),
        "keeps only this last value",
        OVERRIDDEN,
    ),
    row(
        "worker-key-joined-with-star",
        wk(LISTED + "worker.lb.balanced_workers=a\nworker.lb.balanced_workers=b\n"),
        "joins the values with '*'",
        MEANS,
    ),
    row("variable-joined-with-star", wk(LISTED + "h=a\nh=b\n"), "joins the values with '*'", MAY),
    row(
        "path-joined-with-colon",
        wk(LISTED + "worker.a.class_path=/x\nworker.a.class_path=/y\n"),
        "joins the values with ':'",
        MAY,
    ),
    row(
        "command-joined-with-space",
        wk(LISTED + "worker.a.cmd_line=-x\nworker.a.cmd_line=-y\n"),
        "joins the values with ' '",
        MAY,
    ),
    row(
        "reference-unresolved",
        wk(LISTED + "worker.a.reference=worker.t\n"),
        "cannot be resolved",
        REFUSES,
    ),
    row("reference-not-found", wk(LISTED + "worker.a.reference=worker.t\n"), "not found", REFUSES),
    row(
        "reference-cycle",
        wk(LISTED + "worker.a.reference=worker.b\nworker.b.reference=worker.a\n"),
        "reference chain from",
        REFUSES,
    ),
    row("no-worker-list", wk("worker.ajp13.port=8009\n"), "no worker.list", MAY),
    row("bom-before-key", wk("\ufeff" + LISTED), "byte order mark precedes", MEANS),
    row(
        "semicolon-comment",
        wk(LISTED + ";worker.a.port=1\n"),
        "';' does not start a comment",
        REDUNDANT,
    ),
    row(
        "mount-rule-in-workers", wk(LISTED + "/app/*=a\n"), "looks like a uriworkermap rule", MEANS
    ),
    row("not-a-worker-key", wk(LISTED + "workers.list=a\n"), "is not a 'worker.' key", MAY),
    row("worker-name", wk("worker.list=a.b\nworker.a.b.port=8009\n"), "uses characters", MAY),
    row(
        "invalid-worker-mount",
        mounts(LISTED + "worker.a.mount=app/*\n"),
        "invalid mapping rule",
        MEANS,
    ),
    # --- httpd
    row("httpd-bom", conf("\ufeffJkMount /* lb\n"), "byte order mark", REFUSES),
    row("httpd-nbsp", conf("JkMount\xa0/* lb\n"), "non-breaking space", REFUSES),
    row("httpd-nbsp-in-argument", conf("JkMount /* lb\xa0\n"), "non-breaking space", MEANS),
    row("never-closed", conf("<VirtualHost *:80>\n"), "is never closed", REFUSES),
    row("missing-bracket", conf("<Location /a\n</Location>\n"), "missing closing '>'", REFUSES),
    row("unmatched-close", conf("</Location>\n"), "without matching", REFUSES),
    row("misnested", conf("<IfModule x>\n<Location /a>\n</IfModule>\n"), "but saw", REFUSES),
    row("not-a-jk-directive", conf("JkFoo x\n"), "is not a mod_jk directive", REFUSES),
    row("argument-count", conf("JkWorkersFile a b\n"), "takes one argument", REFUSES),
    row(
        "in-location",
        conf("<Location /a>\nJkLogLevel info\n</Location>\n"),
        "is not allowed inside",
        REFUSES,
    ),
    row(
        "in-virtualhost",
        conf("<VirtualHost *:80>\nJkWorkersFile w\n</VirtualHost>\n"),
        "cannot occur within <VirtualHost>",
        REFUSES,
    ),
    row(
        "workers-file-twice",
        conf("JkWorkersFile a\nJkWorkersFile b\n"),
        "only allowed once",
        REFUSES,
    ),
    row("mount-without-path", conf("JkMount lb\n"), "needs a path", REFUSES),
    row(
        "mount-path-in-location",
        conf("<Location /a>\nJkMount /b lb\n</Location>\n"),
        "can not have a path",
        REFUSES,
    ),
    row("mount-relative", conf("JkMount app lb\n"), "should start with /", REFUSES),
    row(
        "mount-repeated",
        conf("JkMount /a x\nJkMount /a y\n"),
        "repeated in the same server",
        OVERRIDDEN,
    ),
    row("mountcopy-value", conf("JkMountCopy Maybe\n"), "must be All, On or Off", REFUSES),
    row(
        "mountcopy-all-in-vhost",
        conf("<VirtualHost *:80>\nJkMountCopy All\n</VirtualHost>\n"),
        "JkMountCopy All cannot occur",
        REFUSES,
    ),
    row("loadmodule", conf("LoadModule jk_module\n"), "LoadModule takes two arguments", REFUSES),
    # --- uriworkermap.properties
    row("rule-without-worker", uwm("/app/*\n"), "needs both a URI and a worker", MEANS),
    row("nbsp-in-rule", uwm("/app/*=lb\xa0x\n"), "non-breaking space", MEANS),
    row("mapped-again", uwm("/app/*=a\n/app/*=b\n"), "mapped again", OVERRIDDEN),
    row("relative-rule", uwm("app/*=lb\n"), "invalid mapping rule", MEANS),
    row("long-rule", uwm("/app/*=" + "w" * 9000 + "\n"), "line longer than", MEANS),
    # --- server.xml and web.xml
    row(
        "bad-bytes",
        sx(b'<?xml version="1.0" encoding="UTF-8"?><Server a="\xff"/>'),
        "not valid",
        REFUSES,
    ),
    row(
        "unknown-encoding",
        sx(b'<?xml version="1.0" encoding="x-no"?><Server/>'),
        "unknown encoding",
        REFUSES,
    ),
    row("not-well-formed", sx(b"<Server><Service></Server>"), "not well-formed XML", REFUSES),
    row(
        "entities",
        sx(b'<!DOCTYPE S [<!ENTITY e "x">]><Server/>'),
        "entity declarations",
        UNREADABLE,
    ),
    row("no-element", sx(b"just text"), "no XML element found", REFUSES),
    row("root-not-server", sx(b"<server/>"), "not <Server>", REFUSES),
    row("web-xml-not-well-formed", wx(b"<web-app><x></web-app>"), "not well-formed XML", REFUSES),
    row("root-not-web-app", wx(b"<beans/>"), "not <web-app>", MEANS),
]


@pytest.mark.parametrize(("problems", "fragment", "kind"), SITES)
def test_each_problem_has_the_kind_of_what_it_means(
    problems: Problems, fragment: str, kind: Kind
) -> None:
    found = [p for p in problems() if fragment in p.message]
    assert found, [p.message for p in problems()]
    assert {p.kind for p in found} == {kind}, [(p.kind, p.message) for p in found]


def _boom(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("boom")


@pytest.mark.parametrize(
    ("module", "attribute", "problems", "fragment"),
    [
        (workers._Reader, "resolve_references", wk(LISTED), "could not be read completely"),
        (httpd._HttpdReader, "line", conf("JkMount /* lb\n"), "could not be read completely"),
        (
            httpd._JkCollector,
            "check_jk",
            conf("JkMount /* lb\n"),
            "could not be read (RuntimeError)",
        ),
        (httpd, "_read_rules", uwm("/*=lb\n"), "could not be read completely"),
    ],
    ids=["workers", "httpd", "jk-directive", "uriworkermap"],
)
def test_what_a_reader_could_not_read_is_unreadable(
    monkeypatch: pytest.MonkeyPatch,
    module: object,
    attribute: str,
    problems: Problems,
    fragment: str,
) -> None:
    monkeypatch.setattr(module, attribute, _boom)
    found = [p for p in problems() if fragment in p.message]
    assert [p.kind for p in found] == [UNREADABLE], [p.message for p in problems()]


def test_a_problem_cannot_be_made_without_saying_what_it_means() -> None:
    with pytest.raises(TypeError):
        Problem("workers.properties", 1, "something")  # type: ignore[call-arg]


def test_kinds_are_plain_strings_for_the_snapshot_and_reports() -> None:
    assert {str(kind) for kind in Kind} == {
        "refuses-to-start",
        "means-something-else",
        "may-mean-something-else",
        "overridden",
        "redundant",
        "unreadable",
    }
