"""The shared corpus of real config files: every Problem the parsers make on them says what it
means (a Kind), and the problems these real files have get the kinds a reader would give them."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from clustercheck.parsers.httpd import jk_settings, parse_httpd, parse_uriworkermap, worker_mounts
from clustercheck.parsers.serverxml import parse_server_xml
from clustercheck.parsers.text import Kind, Problem, decode
from clustercheck.parsers.webxml import parse_web_xml
from clustercheck.parsers.workers import parse_workers, with_defaults

# Where conftest's `corpus_dir` looks; needed at collection time to parametrize by file name.
CORPUS = Path(
    os.environ.get("CLUSTERCHECK_CORPUS", Path(__file__).resolve().parents[3] / "shared" / "corpus")
)
FOLDERS = ("workers", "jkconf", "uriworkermap", "serverxml", "webxml")
FILES = [
    (folder, p.name)
    for folder in FOLDERS
    if (CORPUS / folder).is_dir()
    for p in sorted((CORPUS / folder).iterdir())
]


def problems(path: Path, folder: str) -> list[Problem]:
    """Every Problem any parser makes of this file, read as the engine reads it."""
    data = path.read_bytes()
    if folder == "workers":
        wf = parse_workers(decode(data), path.name)
        return wf.problems + worker_mounts(with_defaults(wf))[1]
    if folder == "jkconf":
        directives, found = parse_httpd(decode(data), path.name)
        return found + jk_settings(directives).problems
    if folder == "uriworkermap":
        return parse_uriworkermap(decode(data), path.name)[1]
    if folder == "serverxml":
        return parse_server_xml(data, path.name, {}).problems
    return parse_web_xml(data, path.name).problems


def test_the_corpus_is_there(corpus_dir: Path) -> None:
    assert {folder for folder, _name in FILES} == set(FOLDERS)


@pytest.mark.parametrize(("folder", "name"), FILES, ids=[f"{f}/{n}" for f, n in FILES])
def test_every_problem_in_the_corpus_has_a_kind(corpus_dir: Path, folder: str, name: str) -> None:
    for problem in problems(corpus_dir / folder / name, folder):
        assert isinstance(problem.kind, Kind), problem


# What the corpus's real files get wrong, by the words of the message, and what each means.
CORPUS_KINDS = {
    "httpd refuses to start": Kind.REFUSES_TO_START,  # jkconf: directives httpd rejects
    "mod_jk refuses to start": Kind.REFUSES_TO_START,  # workers: unsupported attributes
    "Tomcat's XML parser rejects the file": Kind.REFUSES_TO_START,  # server.xml 08 and 25
    "httpd does not treat it as whitespace": Kind.REFUSES_TO_START,  # jkconf 04: U+00A0
    "file starts with a UTF-8 byte order mark": Kind.REFUSES_TO_START,  # jkconf 12
    "does not start a comment": Kind.REDUNDANT,  # workers: ';' lines, unused variables
    "looks like a uriworkermap rule": Kind.MEANS_SOMETHING_ELSE,
    "uses characters mod_jk documents as not allowed": Kind.MAY_MEAN_SOMETHING_ELSE,
    "repeated in the same server": Kind.OVERRIDDEN,  # jkconf: JkMount twice
    "is mapped again": Kind.OVERRIDDEN,  # uriworkermap: a URI twice
}


def test_the_corpus_problems_get_the_kind_of_what_they_mean(corpus_dir: Path) -> None:
    seen: Counter[str] = Counter()
    for folder, name in FILES:
        for problem in problems(corpus_dir / folder / name, folder):
            matched = [words for words in CORPUS_KINDS if words in problem.message]
            assert len(matched) == 1, (name, problem.message)
            assert problem.kind == CORPUS_KINDS[matched[0]], (name, problem)
            seen[matched[0]] += 1
    assert set(seen) == set(CORPUS_KINDS), seen
