"""The httpd + mod_jk cases: workers.properties files and systematic mutations of them.

Seeds: the lab's workers.properties (tests/lab/templates, rendered by the lab's own function
for three members on 127.0.0.1-3) and the seed's (examples/seed-cluster). For every setting
line: the directive's case changed, a typo in the directive, the line removed, a wrong value
type (`8009x`; `maybe` for a boolean), an undefined `$(variable)` as the value, and for a list
value (worker.list, balance_workers) a typo in its first name. Plus hand-written cases of
mistakes seen in the field (`FIELD`), and every workers file of the corpus as it is. All of
them run in CI: an httpd start takes a tenth of a second.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from differential.mutations import SEED as SEED_HOSTS
from differential.mutations import lab_module

SEED_WORKERS = SEED_HOSTS / "centos/etc/httpd/conf/workers.properties"
_SETTING = re.compile(
    r"^(?P<key>worker\.(?:(?P<worker>[\w-]+)\.)?(?P<directive>[\w.]+?))"
    r"(?P<sep>\s*=\s*)(?P<value>[^#\n]*?)(?P<rest>\s*(?:#.*)?)$"
)
_LIST = re.compile(r"^(?:list|balance_workers|balanced_workers)$")


@dataclass(frozen=True)
class WorkersCase:
    """One workers.properties to start httpd + mod_jk on and to judge with clustercheck."""

    id: str
    seed: str
    mutation: str
    target: str
    data: bytes
    mount: str  # the worker httpd.conf's JkMount names
    note: str = ""


def lab_workers() -> str:
    lab = lab_module()
    members = []
    for node in (1, 2, 3):
        worker = f"worker.{lab.Lab.route(node)}"
        members += [f"{worker}.reference=worker.template", f"{worker}.host=127.0.0.{node}"]
    text = lab.render(
        "workers.properties",
        secret=lab.SECRET,
        idle_timeout_s=lab.AJP_IDLE_TIMEOUT_S,
        members="\n".join(members),
        balance_workers=",".join(lab.Lab.route(n) for n in (1, 2, 3)),
    )
    return str(text)


def seeds() -> dict[str, tuple[str, str]]:
    """name → (workers.properties, the worker httpd.conf mounts)."""
    return {
        "lab": (lab_workers(), "controller"),
        "seed": (SEED_WORKERS.read_text(encoding="utf-8"), "controller"),
    }


def _swap(name: str) -> str | None:
    middle = len(name) // 2
    for i in (middle - 1, middle, middle - 2, middle + 1):
        if 0 < i < len(name) - 1 and name[i] != name[i + 1]:
            return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    return None


LineMutate = Callable[[re.Match[str]], str | None]


def _with(found: re.Match[str], **parts: str) -> str:
    fields = {k: found[k] or "" for k in ("key", "sep", "value", "rest")} | parts
    return f"{fields['key']}{fields['sep']}{fields['value']}{fields['rest']}"


def _directive(found: re.Match[str], directive: str) -> str:
    key = found["key"]
    return _with(found, key=key[: len(key) - len(found["directive"])] + directive)


def directive_case(found: re.Match[str]) -> str | None:
    name = found["directive"]
    other = name.lower() if name != name.lower() else name.capitalize()
    return _directive(found, other)


def directive_typo(found: re.Match[str]) -> str | None:
    typo = _swap(found["directive"])
    return None if typo is None else _directive(found, typo)


def line_removed(found: re.Match[str]) -> str | None:
    return ""


def value_wrong_type(found: re.Match[str]) -> str | None:
    value = found["value"]
    if re.fullmatch(r"\d+", value):
        return _with(found, value=value + "x")
    if value.lower() in ("true", "false", "on", "off", "1", "0"):
        return _with(found, value="maybe")
    return None


def value_undefined_variable(found: re.Match[str]) -> str | None:
    return _with(found, value="$(cc_undefined)")


def name_typo(found: re.Match[str]) -> str | None:
    if not _LIST.match(found["directive"]):
        return None
    first, *others = re.split(r"([\s,]+)", found["value"], maxsplit=1)
    typo = _swap(first)
    return None if typo is None else _with(found, value=typo + "".join(others))


OPERATORS: tuple[tuple[str, LineMutate], ...] = (
    ("directive-case", directive_case),
    ("directive-typo", directive_typo),
    ("line-removed", line_removed),
    ("value-wrong-type", value_wrong_type),
    ("value-undefined-variable", value_undefined_variable),
    ("name-typo", name_typo),
)


def mutants(seed: str, text: str, mount: str) -> Iterator[WorkersCase]:
    lines = text.splitlines()
    for index, line in enumerate(lines):
        found = _SETTING.match(line.strip())
        if found is None:
            continue
        for name, operator in OPERATORS:
            changed = operator(found)
            if changed is None:
                continue
            new = [*lines[:index], changed, *lines[index + 1 :]]
            target = found["key"]
            yield WorkersCase(
                f"httpd/{seed}/{name}/{target}@{index + 1}",
                seed,
                name,
                target,
                ("\n".join(new) + "\n").encode(),
                mount,
                changed or "removed",
            )


# Mistakes seen in the field, on the lab's file: name → (what, edit).
FIELD: dict[str, tuple[str, Callable[[str], str]]] = {
    "member-defined-nowhere": (
        "an lb member that has no worker.NAME lines",
        lambda t: t.replace("tomcat01,tomcat02,tomcat03", "tomcat01,tomcat02,tomcat03,tomcat04"),
    ),
    "list-names-undefined-worker": (
        "worker.list naming a worker defined nowhere",
        lambda t: t.replace(
            "worker.list=controller,jkstatus", "worker.list=controller,jkstatus,tc9"
        ),
    ),
    "members-share-a-route": (
        "two lb members with the same route",
        lambda t: t + "worker.tomcat02.route=tomcat01\n",
    ),
    "unresolvable-host": (
        "a member whose host does not resolve",
        lambda t: t.replace("host=127.0.0.3", "host=tomcat03.invalid"),
    ),
    "duplicate-key": (
        "a member's port set twice",
        lambda t: t + "worker.tomcat03.port=8010\nworker.tomcat03.port=8011\n",
    ),
    "semicolon-comment": (
        "';' used as a comment after a value",
        lambda t: t.replace("worker.template.port=8009", "worker.template.port=8009 ; AJP"),
    ),
    "semicolon-line-before-list": (
        "a line 'commented out' with ';' before worker.list: a user variable nothing uses",
        lambda t: ";worker.controller.sticky_session=false\n" + t,
    ),
    "nbsp-after-port": (
        "a non-breaking space after a port value, which atoi() stops at",
        lambda t: t.replace("worker.template.port=8009", "worker.template.port=8009\xa0"),
    ),
    "sample-variables": (
        "the user variables of mod_jk's old sample file, which nothing uses",
        lambda t: (
            "workers.tomcat_home=/usr/share/tomcat\nworkers.java_home=/usr/lib/jvm\nps=/\n" + t
        ),
    ),
    "unused-variable": (
        "a user variable nothing uses",
        lambda t: t + "tomcat_ajp_port=8009\n",
    ),
    "variable-used": (
        "a user variable a value uses",
        lambda t: "ajp_port=8009\n" + t.replace("template.port=8009", "template.port=$(ajp_port)"),
    ),
    "host-with-port": (
        "a port written into the host, which mod_jk does not split off",
        lambda t: t.replace("host=127.0.0.3", "host=127.0.0.3:8009"),
    ),
    "hash-in-value": (
        "a '#' inside the secret: the rest of the line is a comment",
        lambda t: t.replace(
            "worker.template.secret=labsecret", "worker.template.secret=lab#secret"
        ),
    ),
    "line-without-equals": (
        "a setting written with ':' instead of '='",
        lambda t: t.replace(
            "worker.controller.sticky_session=true", "worker.controller.sticky_session: true"
        ),
    ),
    "workers-list-typo": (
        "workers.list instead of worker.list (a user variable to mod_jk)",
        lambda t: t.replace("worker.list=", "workers.list="),
    ),
    "deprecated-balanced-workers": (
        "the deprecated balanced_workers",
        lambda t: t.replace("balance_workers=", "balanced_workers="),
    ),
    "lb-without-members": (
        "an lb with no balance_workers",
        lambda t: re.sub(r"worker\.controller\.balance_workers=.*\n", "", t),
    ),
    "unknown-type": (
        "a worker type mod_jk has no factory for (jni, removed in 1.2.33)",
        lambda t: t.replace("worker.template.type=ajp13", "worker.template.type=jni"),
    ),
    "mount-not-in-list": (
        "the mounted worker left out of worker.list",
        lambda t: t.replace("worker.list=controller,jkstatus", "worker.list=jkstatus"),
    ),
}


def field_cases() -> Iterator[WorkersCase]:
    text, mount = seeds()["lab"]
    for name, (what, edit) in FIELD.items():
        changed = edit(text)
        assert changed != text, f"the lab's workers.properties changed: {name} edits nothing"
        yield WorkersCase(f"httpd/field/{name}", "lab", name, "", changed.encode(), mount, what)


def first_listed(data: bytes) -> str:
    """The worker a corpus file's JkMount would name: the first of its worker.list."""
    text = data.decode("utf-8", "replace").lstrip("\ufeff")
    found = re.search(r"^\s*worker\.list\s*=\s*([\w-]+)", text, re.MULTILINE)
    return found.group(1) if found else "ajp13"


def all_cases(corpus: Path | None) -> list[WorkersCase]:
    cases = [
        WorkersCase(f"httpd/{name}/as-is", name, "as-is", "", text.encode(), mount)
        for name, (text, mount) in seeds().items()
    ]
    cases += field_cases()
    for name, (text, mount) in seeds().items():
        cases += mutants(name, text, mount)
    if corpus is not None:
        for path in sorted((corpus / "workers").glob("*.properties")):
            data = path.read_bytes()
            cases.append(
                WorkersCase(
                    f"httpd/corpus/{path.stem}", "corpus", "as-is", "", data, first_listed(data)
                )
            )
    ids = [c.id for c in cases]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    return cases
