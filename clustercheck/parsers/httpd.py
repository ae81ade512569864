"""httpd configuration as httpd 2.4 reads it, the mod_jk directives in it (mod_jk.c), and
uriworkermap.properties as mod_jk reads it (jk_uri_worker_map.c).

httpd: names are case-insensitive, `#` starts a comment only at the start of a line, a backslash
right before the newline continues the line, words split like ap_getword_conf. Sections are kept,
never evaluated here: httpd_eval.py decides whether `<IfModule jk_module>` applies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from clustercheck.parsers.secrets import find_secrets
from clustercheck.parsers.text import Kind, Problem
from clustercheck.parsers.workers import (
    SPACE,
    WorkersFile,
    property_lines,
    split_list,
    split_property,
)

NBSP = "\xa0"
UNLIMITED = 1 << 16

# Every directive mod_jk 1.2 registers (mod_jk.c jk_cmds), lower-cased -> (min, max) arguments.
_TAKE1 = """jkworkersfile jkmountfile jkmountfilereload jkwatchdoginterval jkmountcopy jklogfile
    jkshmfile jkshmsize jkloglevel jklogstampformat jkrequestlogformat jkautoalias
    jkworkerindicator jkrequestidindicator jkremoteaddrindicator jkremoteportindicator
    jkremotehostindicator jkremoteuserindicator jkauthtypeindicator jklocalnameindicator
    jklocaladdrindicator jklocalportindicator jkignoreclindicator jkhttpsindicator
    jksslprotocolindicator jkcertsindicator jkcipherindicator jksessionindicator
    jkkeysizeindicator jkcertchainprefix jkextractssl"""
JK_DIRECTIVES: dict[str, tuple[int, int]] = {
    **dict.fromkeys(_TAKE1.split(), (1, 1)),
    **dict.fromkeys(["jkmount", "jkunmount", "jkstripsession", "jkenvvar"], (1, 2)),
    **dict.fromkeys(["jkoptions", "jkworkerproperty"], (0, UNLIMITED)),
}
# Only these may sit inside <Location>-like sections (ACCESS_CONF); the rest are RSRC_CONF.
JK_IN_LOCATION = frozenset({"jkmount", "jkunmount"})
# ap_check_cmd_context(cmd, GLOBAL_ONLY) in mod_jk.c (and JkMountCopy All).
JK_GLOBAL_ONLY = frozenset(
    {"jkworkersfile", "jkwatchdoginterval", "jkshmfile", "jkshmsize", "jkworkerproperty"}
)
# Sections that give a directive httpd's cmd->path: JkMount then takes its URI from them.
PATH_SECTIONS = frozenset(
    {"location", "locationmatch", "directory", "directorymatch", "files", "filesmatch"}
)
# Sections httpd evaluates while it reads the file: when false, what they hold is skipped,
# Includes too. (`<If>` is evaluated per request: an Include inside it is read regardless.)
READ_TIME_CONDITIONS = frozenset(
    {"ifdefine", "ifmodule", "ifversion", "iffile", "ifdirective", "ifsection"}
)


@dataclass(frozen=True)
class Directive:
    name: str  # as written; compare with .lname (httpd names are case-insensitive)
    args: tuple[str, ...]  # ap_getword_conf words, quotes removed
    file: str
    line: int
    sections: tuple[str, ...]  # enclosing sections, outermost first, e.g. "<VirtualHost *:80>"
    raw: str = ""  # the argument text as written (what RAW_ARGS directives receive)
    opened: tuple[int, ...] = ()  # the line each of this file's sections was opened on

    @property
    def lname(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Mount:
    pattern: str
    worker: str
    file: str
    line: int
    unmount: bool = False  # JkUnMount, or '!' in uriworkermap
    disabled: bool = False  # '-' prefix in uriworkermap
    vhost: str | None = None  # arguments of the enclosing <VirtualHost>, e.g. "*:80"
    source: str = "JkMount"  # "JkMount" | "uriworkermap" | "workers" (worker.<name>.mount)
    extensions: str = ""  # rule extensions after ';' in the worker, e.g. "reply_timeout=60000"


@dataclass
class JkSettings:
    workers_file: tuple[str, str, int] | None  # (path as written, file, line)
    server_root: tuple[str, str, int] | None
    mounts: list[Mount]
    mount_files: list[tuple[str, str, int]]
    mount_copy: list[tuple[str, str, str, int]]  # (value, vhost or "", file, line)
    includes: list[tuple[str, bool, str, int]]  # (pattern, optional, file, line)
    load_modules: list[tuple[str, str, str, int]]  # (module, path as written, file, line)
    worker_properties: list[tuple[str, str, int]]  # JkWorkerProperty (value, file, line)
    problems: list[Problem]
    # JkOptions: (its words, vhost or "" for the main server, file, line)
    options: list[tuple[tuple[str, ...], str, str, int]] = field(default_factory=list)


# --- tokenizing ------------------------------------------------------------------------------


def _unescape(word: str, quote: str) -> str:
    """substring_conf: a backslash escapes a backslash, and inside quotes the quote."""
    escapable = "\\\\" + quote if quote else "\\\\"
    return re.sub(rf"\\([{escapable}])", r"\1", word)


def _next_word(text: str, start: int) -> tuple[str, int] | None:
    """One ap_getword_conf word from `start`: (word, index after it and its spaces)."""
    i = start
    while i < len(text) and text[i] in SPACE:
        i += 1
    if i >= len(text):
        return None
    quote = text[i] if text[i] in "\"'" else ""
    if quote:
        end = i + 1
        while end < len(text) and text[end] != quote:
            escaped = text[end] == "\\" and text[end + 1 : end + 2] in (quote, "\\")
            end += 2 if escaped else 1
        word = _unescape(text[i + 1 : end], quote)
        end = min(end + 1, len(text))
    else:
        end = i
        while end < len(text) and text[end] not in SPACE:
            end += 1
        word = _unescape(text[i:end], "")
    while end < len(text) and text[end] in SPACE:
        end += 1
    return word, end


def split_words(text: str) -> tuple[str, ...]:
    """All ap_getword_conf words of `text`."""
    words, position = [], 0
    while (found := _next_word(text, position)) is not None:
        word, position = found
        words.append(word)
    return tuple(words)


def split_section(section: str) -> tuple[str, tuple[str, ...]]:
    """'<IfModule !jk_module>' -> ('ifmodule', ('!jk_module',))."""
    inner = section[1:-1] if section.startswith("<") and section.endswith(">") else section
    name, _sep, args = inner.partition(" ")
    return name.lower(), split_words(args)


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text): a backslash right before LF (or CRLF) joins the next line."""
    lines = text.split("\n")
    pending: list[str] = []  # joined once: joining at each line costs quadratic time
    first = 0
    for number, line in enumerate(lines, start=1):
        body = line[:-1] if line.endswith("\r") else line
        if number < len(lines) and body.endswith("\\"):
            pending.append(body[:-1])
            first = first or number
            continue
        yield first or number, "".join([*pending, line])
        pending, first = [], 0


# --- parse_httpd -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Open:
    """A section opened and not yet closed."""

    name: str
    label: str
    line: int


@dataclass
class _HttpdReader:
    path: str
    directives: list[Directive] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    open_sections: list[_Open] = field(default_factory=list)

    def problem(self, kind: Kind, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.path, line, message, kind))

    def read(self, text: str) -> None:
        if text.startswith("\ufeff"):
            self.problem(
                Kind.REFUSES_TO_START,
                1,
                "the file starts with a UTF-8 byte order mark: httpd on Unix reads "
                "it as part of the first directive name and refuses to start",
            )
            text = text[1:]
        for number, logical in _logical_lines(text):
            line = logical.strip(SPACE)
            if not line or line.startswith("#"):
                continue  # ap_build_config skips a comment line whole, whatever it holds
            if NBSP in line:
                line = self.nbsp(number, line).strip(SPACE)
            if line and not line.startswith("#"):
                self.line(number, line)
        for section in reversed(self.open_sections):
            message = f"{section.label} is never closed: httpd refuses to start"
            self.problem(Kind.REFUSES_TO_START, section.line, message)

    def nbsp(self, number: int, line: str) -> str:
        """U+00A0 is no whitespace to httpd (apr_isspace in the C locale): it splits no words.
        In the first word it makes an unknown directive, and httpd does not start; the line is
        then read with it as a space, for what the rest of it says. In an argument it stays,
        as httpd keeps it."""
        first = _next_word(line, 0)
        if first is not None and NBSP in first[0]:
            self.problem(
                Kind.REFUSES_TO_START,
                number,
                "non-breaking space (U+00A0): httpd does not treat it as whitespace, so "
                f"{first[0]!r} is no directive (Invalid command) and httpd does not start; read "
                "here as a space",
            )
            return line.replace(NBSP, " ")
        words = [word for word in split_words(line) if NBSP in word]
        shown = "" if find_secrets(line, "lines").values else f" {words[0] if words else line!r}"
        self.problem(
            Kind.MEANS_SOMETHING_ELSE,
            number,
            "non-breaking space (U+00A0): httpd does not treat it as whitespace, so it is "
            f"part of the argument{shown or ' (not shown: it sets a secret)'}",
        )
        return line

    def line(self, number: int, line: str) -> None:
        """ap_build_config_sub: the first word names the directive or opens/closes a section."""
        found = _next_word(line, 0)
        if found is None:
            return
        word, rest_at = found
        rest = line[rest_at:]
        if word.startswith("</"):
            self.close(number, word[2:].rstrip(">"))
        elif word.startswith("<"):
            if word.endswith(">") and not rest:
                rest = ">"
            self.open(number, word[1:].rstrip(">"), rest)
        else:
            sections = tuple(section.label for section in self.open_sections)
            opened = tuple(section.line for section in self.open_sections)
            self.directives.append(
                Directive(word, split_words(rest), self.path, number, sections, rest, opened)
            )

    def open(self, number: int, name: str, rest: str) -> None:
        end = rest.rfind(">")
        if end < 0:
            message = f"<{name} directive missing closing '>': httpd refuses to start"
            self.problem(Kind.REFUSES_TO_START, number, message)
            end = len(rest)
        args = rest[:end].strip(SPACE)
        label = f"<{name} {args}>" if args else f"<{name}>"
        self.open_sections.append(_Open(name, label, number))

    def close(self, number: int, name: str) -> None:
        names = [section.name.lower() for section in self.open_sections]
        if name.lower() not in names:
            message = f"</{name}> without matching <{name}> section: httpd refuses to start"
            self.problem(Kind.REFUSES_TO_START, number, message)
            return
        if names[-1] != name.lower():
            self.problem(
                Kind.REFUSES_TO_START,
                number,
                f"expected </{self.open_sections[-1].name}> but saw "
                f"</{name}>: httpd refuses to start",
            )
        while self.open_sections.pop().name.lower() != name.lower():
            pass


def parse_httpd(text: str, path: str) -> tuple[list[Directive], list[Problem]]:
    """Directives of one httpd file in order, each with its enclosing sections."""
    reader = _HttpdReader(path)
    try:
        reader.read(text)
    except Exception as exc:  # a parser never raises
        reader.problem(
            Kind.UNREADABLE, None, f"could not be read completely ({type(exc).__name__})"
        )
    return reader.directives, reader.problems


# --- mapping rules (shared by JkMount, uriworkermap and worker.<name>.mount) ---------------


def _split_bar(pattern: str) -> list[str]:
    """'X|Y' is the two rules 'X' and 'XY' (only the first '|' counts)."""
    head, bar, tail = pattern.partition("|")
    return [head, head + tail] if bar else [pattern]


def _rule(
    pattern: str, target: str, where: tuple[str, int], vhost: str | None, source: str
) -> Mount | str:
    """uri_worker_map_add: a leading '-' disables, then '!' excludes, then it must be '/...'.
    Returns the Mount, or why mod_jk rejects the rule."""
    uri = pattern
    disabled = uri.startswith("-")
    uri = uri[1:] if disabled else uri
    unmount = uri.startswith("!")
    uri = uri[1:] if unmount else uri
    if not uri.startswith("/"):
        return f"invalid mapping rule '{pattern}': the URI must start with '/', mod_jk ignores it"
    worker, _sep, extensions = target.partition(";")
    file, line = where
    return Mount(uri, worker, file, line, unmount, disabled, vhost, source, extensions)


def _rules(
    patterns: Sequence[str],
    target: str,
    where: tuple[str, int],
    vhost: str | None,
    source: str,
    problems: list[Problem],
) -> list[Mount]:
    mounts = []
    for pattern in patterns:
        made = _rule(pattern, target, where, vhost, source)
        if isinstance(made, Mount):
            mounts.append(made)
        else:
            problems.append(Problem(where[0], where[1], made, Kind.MEANS_SOMETHING_ELSE))
    return mounts


def parse_uriworkermap(
    text: str, path: str, vhost: str | None = None
) -> tuple[list[Mount], list[Problem]]:
    """uriworkermap.properties: `#` anywhere is a comment, no continuation, `|` shortcut,
    '!' exclusion, '-' disabled; a repeated URI keeps only its last worker."""
    problems: list[Problem] = []
    try:
        rules = _read_rules(text, path, problems)
        mounts = [
            mount
            for uri, (worker, line) in rules.items()
            for mount in _rules(
                _split_bar(uri), worker, (path, line), vhost, "uriworkermap", problems
            )
        ]
    except Exception as exc:  # a parser never raises
        message = f"could not be read completely ({type(exc).__name__})"
        problems.append(Problem(path, None, message, Kind.UNREADABLE))
        mounts = []
    return mounts, problems


def _read_rules(text: str, path: str, problems: list[Problem]) -> dict[str, tuple[str, int]]:
    """URI -> (worker, line) as jk_map_read_properties keeps them: a repeated URI replaces the
    worker but keeps its first position."""
    rules: dict[str, tuple[str, int]] = {}
    for line in property_lines(text, path, problems):
        pair = split_property(line.content)
        if pair is None:
            if line.content.startswith(("/", "!", "-", "*")):
                problems.append(
                    Problem(
                        path,
                        line.line,
                        "a rule needs both a URI and a worker: mod_jk ignores this line",
                        Kind.MEANS_SOMETHING_ELSE,
                    )
                )
            continue
        if NBSP in line.content:
            problems.append(
                Problem(
                    path,
                    line.line,
                    "non-breaking space (U+00A0): mod_jk does "
                    "not trim it, so it becomes part of the rule",
                    Kind.MEANS_SOMETHING_ELSE,
                )
            )
        uri, worker = pair
        if uri in rules:
            problems.append(
                Problem(
                    path,
                    line.line,
                    f"'{uri}' is mapped again (first on line "
                    f"{rules[uri][1]}): mod_jk keeps only this last one",
                    Kind.OVERRIDDEN,
                )
            )
        rules[uri] = (worker, line.line)
    return rules


def worker_mounts(wf: WorkersFile) -> tuple[list[Mount], list[Problem]]:
    """`worker.<name>.mount` rules of the workers mod_jk creates (jk_worker.c): split on
    space, tab and comma, with no '|' shortcut."""
    mounts: list[Mount] = []
    problems: list[Problem] = []
    for name in wf.listed_names:
        worker = wf.workers.get(name)
        setting = worker.settings.get("mount") if worker else None
        if setting is not None:
            where = (setting.file or wf.path, setting.line or 0)
            mounts += _rules(split_list(setting.value), name, where, None, "workers", problems)
    return mounts, problems


# --- jk_settings ------------------------------------------------------------------------------


_MOUNT_ERRORS = {
    True: "needs a path when not defined in a location",
    False: "can not have a path when defined in a location",
}


@dataclass(frozen=True)
class _Context:
    vhost: str | None  # arguments of the innermost <VirtualHost>
    path: str | None  # httpd's cmd->path: the innermost <Location>-like section's argument
    path_section: str | None  # that section's label


def _context(directive: Directive) -> _Context:
    vhost = path = path_section = None
    for label in directive.sections:
        name, args = split_section(label)
        if name == "virtualhost":
            vhost = " ".join(args)
        elif name in PATH_SECTIONS and args:
            path, path_section = (args[1] if args[0] == "~" and len(args) > 1 else args[0]), label
    return _Context(vhost, path, path_section)


@dataclass
class _JkCollector:
    settings: JkSettings
    mounts: dict[tuple[str | None, str], list[Mount]] = field(default_factory=dict)

    def problem(self, kind: Kind, directive: Directive, message: str) -> None:
        self.settings.problems.append(Problem(directive.file, directive.line, message, kind))

    def add(self, directive: Directive) -> None:
        context = _context(directive)
        if directive.lname.startswith("jk"):
            self.check_jk(directive, context)
        handler = _HANDLERS.get(directive.lname)
        if handler:
            handler(self, directive, context)

    def check_jk(self, directive: Directive, context: _Context) -> None:
        """What httpd itself rejects before mod_jk sees the value: all of it stops httpd."""
        name, count = directive.name, len(directive.args)
        limits = JK_DIRECTIVES.get(directive.lname)
        if limits is None:
            self.problem(
                Kind.REFUSES_TO_START,
                directive,
                f"'{name}' is not a mod_jk directive: httpd refuses to start (Invalid command)",
            )
            return
        if not limits[0] <= count <= limits[1]:
            wanted = "one argument" if limits == (1, 1) else "one or two arguments"
            hint = (
                " (httpd has no comments after a directive)"
                if any(arg.startswith("#") for arg in directive.args)
                else ""
            )
            self.problem(
                Kind.REFUSES_TO_START,
                directive,
                f"{name} takes {wanted}, got {count}{hint}: httpd refuses to start",
            )
        if context.path_section and directive.lname not in JK_IN_LOCATION:
            self.problem(
                Kind.REFUSES_TO_START,
                directive,
                f"{name} is not allowed inside {context.path_section}: httpd refuses to start",
            )
        elif directive.lname in JK_GLOBAL_ONLY and context.vhost is not None:
            self.problem(
                Kind.REFUSES_TO_START,
                directive,
                f"{name} cannot occur within <VirtualHost>: httpd refuses to start",
            )

    # --- handlers ---------------------------------------------------------------------

    def workers_file(self, directive: Directive, _context: _Context) -> None:
        if not directive.args:
            return
        if self.settings.workers_file is not None:
            self.problem(
                Kind.REFUSES_TO_START,
                directive,
                "JkWorkersFile only allowed once: httpd refuses to start",
            )
            return
        self.settings.workers_file = (directive.args[0], directive.file, directive.line)

    def server_root(self, directive: Directive, _context: _Context) -> None:
        if directive.args and self.settings.server_root is None:
            self.settings.server_root = (directive.args[0], directive.file, directive.line)

    def mount(self, directive: Directive, context: _Context) -> None:
        """JkMount/JkUnMount URI worker, or JkMount worker inside <Location URI>."""
        name, args = directive.name, directive.args
        if context.path is not None and len(args) == 1:
            uri, worker = context.path, args[0]
        elif context.path is None and len(args) == 2:
            uri, worker = args
        else:
            if len(args) in (1, 2):
                self.problem(
                    Kind.REFUSES_TO_START,
                    directive,
                    f"{name} {_MOUNT_ERRORS[context.path is None]}: httpd refuses to start",
                )
            return
        if not uri.startswith("/"):
            self.problem(
                Kind.REFUSES_TO_START,
                directive,
                f"{name} context should start with /: httpd refuses to start",
            )
            return
        key = ("!" if directive.lname == "jkunmount" else "") + uri
        if (context.vhost, key) in self.mounts:
            self.problem(
                Kind.OVERRIDDEN,
                directive,
                f"{name} {uri} repeated in the same server: mod_jk keeps only this last one",
            )
        where = (directive.file, directive.line)
        self.mounts[(context.vhost, key)] = _rules(
            _split_bar(key), worker, where, context.vhost, "JkMount", self.settings.problems
        )

    def mount_file(self, directive: Directive, _context: _Context) -> None:
        if directive.args:
            self.settings.mount_files.append((directive.args[0], directive.file, directive.line))

    def mount_copy(self, directive: Directive, context: _Context) -> None:
        if not directive.args:
            return
        value = directive.args[0]
        if value.lower() not in ("all", "on", "off"):
            self.problem(
                Kind.REFUSES_TO_START,
                directive,
                "JkMountCopy must be All, On or Off: httpd refuses to start",
            )
        elif value.lower() == "all" and context.vhost is not None:
            self.problem(
                Kind.REFUSES_TO_START,
                directive,
                "JkMountCopy All cannot occur within <VirtualHost>: httpd refuses to start",
            )
        self.settings.mount_copy.append(
            (value, context.vhost or "", directive.file, directive.line)
        )

    def include(self, directive: Directive, _context: _Context) -> None:
        if directive.args:
            optional = directive.lname == "includeoptional"
            self.settings.includes.append(
                (directive.args[0], optional, directive.file, directive.line)
            )

    def load_module(self, directive: Directive, _context: _Context) -> None:
        if len(directive.args) != 2:
            self.problem(
                Kind.REFUSES_TO_START,
                directive,
                f"LoadModule takes two arguments (module name and file), "
                f"got {len(directive.args)}: httpd refuses to start",
            )
            return
        module, file = directive.args
        self.settings.load_modules.append((module, file, directive.file, directive.line))

    def worker_property(self, directive: Directive, _context: _Context) -> None:
        """RAW_ARGS: mod_jk gets the text as written, quotes and '#' included."""
        self.settings.worker_properties.append(
            (directive.raw.strip(SPACE), directive.file, directive.line)
        )

    def options(self, directive: Directive, context: _Context) -> None:
        self.settings.options.append(
            (directive.args, context.vhost or "", directive.file, directive.line)
        )

    def finish(self) -> JkSettings:
        self.settings.mounts = [m for group in self.mounts.values() for m in group]
        return self.settings


_HANDLERS: dict[str, Callable[[_JkCollector, Directive, _Context], None]] = {
    "jkworkersfile": _JkCollector.workers_file,
    "serverroot": _JkCollector.server_root,
    "jkmount": _JkCollector.mount,
    "jkunmount": _JkCollector.mount,
    "jkmountfile": _JkCollector.mount_file,
    "jkmountcopy": _JkCollector.mount_copy,
    "include": _JkCollector.include,
    "includeoptional": _JkCollector.include,
    "loadmodule": _JkCollector.load_module,
    "jkworkerproperty": _JkCollector.worker_property,
    "jkoptions": _JkCollector.options,
}


def jk_settings(directives: Sequence[Directive]) -> JkSettings:
    """What mod_jk (and httpd, for ServerRoot/Include/LoadModule) takes from the directives."""
    collector = _JkCollector(JkSettings(None, None, [], [], [], [], [], [], []))
    for directive in directives:
        try:
            collector.add(directive)
        except Exception as exc:  # a parser never raises
            collector.problem(
                Kind.UNREADABLE, directive, f"could not be read ({type(exc).__name__})"
            )
    return collector.finish()
