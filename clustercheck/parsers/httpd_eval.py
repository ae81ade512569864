"""httpd's configuration as httpd 2.4 reads it from its main file: every Include followed (with
wildcards in any part of the path, directories read whole, in httpd's order), the sections of
the including directive carried onto what a file holds, and, when evaluating, what httpd
decides while reading: `${VAR}` substituted, Define and UnDefine applied, LoadModule and
ServerRoot taken in order, and the read-time conditions (<IfModule>, <IfDefine>, <IfVersion>,
<IfFile>, <IfDirective>, <IfSection>) evaluated, so that what a false one holds is never read.

Sources: server/config.c (ap_build_config_sub: `${VAR}` resolved on each line before it is
split), server/util.c (ap_resolve_env, ap_dir_nofnmatch, ap_dir_fnmatch), server/core.c
(set_define, unset_define, start_cond_section, include_config), modules/core/mod_so.c
(load_module), modules/metadata/mod_version.c (start_ifversion), 2.4.x branch.

This is a pure function of the files it is given: the node's files come through a
`ConfigSource` (collect/ implements it, with its limits); what httpd knows before its first
line (its version, its linked-in modules, its command line, its environment) comes in an
`HttpdStartup`. With the inventory's jk_conf alone, nothing is evaluated (`evaluate=False`):
Includes are followed in every branch, as clustercheck always read them, and a problem behind
a read-time condition only may be one.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from clustercheck.knowledge import httpd as knowledge
from clustercheck.parsers.httpd import (
    JK_DIRECTIVES,
    READ_TIME_CONDITIONS,
    Directive,
    parse_httpd,
    split_section,
    split_words,
)
from clustercheck.parsers.text import Kind, Problem, decode

# AP_MAX_INCLUDE_DEPTH: at the 129th nested Include httpd stops ("Exceeded maximum include
# depth of 128, There appears to be a recursion.") and does not start.
HTTPD_MAX_INCLUDE_DEPTH = 128
RECURSION = (
    f"httpd stops with 'Exceeded maximum include depth of {HTTPD_MAX_INCLUDE_DEPTH}, "
    "There appears to be a recursion.' and does not start"
)
_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_WILDCARD = re.compile(r"[*?[]")
INCLUDES = ("include", "includeoptional")


class FileState(Enum):
    """Why a path gave no text."""

    MISSING = "missing"
    DIRECTORY = "directory"
    UNREADABLE = "unreadable"  # it is there, but clustercheck could not read it
    LIMIT_REACHED = "limit-reached"  # clustercheck's limits stop here: say so, once
    NOT_READ = "not-read"  # past the limits: nothing more is read


@dataclass(frozen=True)
class Entry:
    name: str
    is_dir: bool


class ConfigSource(Protocol):
    """The node's files, as the evaluation asks for them."""

    @property
    def limits(self) -> str:
        """What clustercheck reads at most, for the message at the limit."""

    def join(self, base: str, path: str) -> str:
        """`path` resolved against `base` (an absolute path restarts)."""

    def read(self, path: str, optional: bool) -> bytes | FileState:
        """The file's bytes; `optional`: a missing file is fine, forget the attempt."""

    def listing(self, folder: str, optional: bool) -> list[Entry] | FileState:
        """The folder's entries."""

    def exists(self, path: str) -> bool | None:
        """Whether anything is at `path` (None: cannot tell)."""


def limit_problem(file: str, line: int, limits: str) -> Problem:
    """Where clustercheck's limits stop its reading of httpd's files."""
    message = (
        f"not followed: clustercheck reads at most {limits} of httpd configuration (Include, "
        "JkMountFile), and this one goes past that; what it names and every later one are not "
        "judged"
    )
    return Problem(file, line, message, Kind.UNREADABLE)


@dataclass(frozen=True)
class Known:
    """A fact httpd has before it reads its configuration, and where clustercheck has it from
    (`assumed`: it was not asked, a default stands in)."""

    source: str
    assumed: bool = False


@dataclass(frozen=True)
class HttpdStartup:
    """What httpd knows before its first configuration line."""

    server_root: str
    evaluate: bool = True  # False: read as clustercheck reads a jk_conf (nothing decided)
    version: tuple[int, int, int] | None = None  # None: not known (a 2.4 release is taken)
    static_modules: tuple[str, ...] = ()  # source names, as `httpd -l` prints them
    static_known: Known = Known("unknown", assumed=True)
    defines: tuple[str, ...] | None = None  # -D NAME on the command line; None: unknown
    defines_known: Known = Known("unknown", assumed=True)
    environment: Mapping[str, str] = field(default_factory=dict)  # for ${VAR}
    environment_known: Known = Known("", assumed=True)  # "": httpd's own, which is not seen


@dataclass(frozen=True)
class LoadedModule:
    """A module httpd has: linked in (`file` None) or loaded by LoadModule."""

    name: str  # jk_module
    path: str | None
    file: str | None
    line: int | None

    @property
    def static(self) -> bool:
        return self.file is None


@dataclass
class HttpdConfig:
    """httpd's configuration as read: the directives it keeps, in order, each with the
    sections it is in (including those of the Include that brought its file in; a read-time
    condition that held is no section: httpd keeps what it holds in its place)."""

    directives: list[Directive]
    files: list[str]  # every file read, in the order first read
    modules: dict[str, LoadedModule]  # by module name, in load order
    server_root: str
    problems: list[Problem]
    exists: dict[str, bool] = field(default_factory=dict)  # what <IfFile> found, by path


def evaluate(root: str, startup: HttpdStartup, source: ConfigSource) -> HttpdConfig:
    """The configuration httpd reads from `root`, a file on the node."""
    walk = _Walk(startup, source)
    directives = walk.root(root)
    return HttpdConfig(
        directives,
        walk.files,
        walk.modules,
        walk.server_root,
        walk.problems,
        walk.exists,
    )


def parse_version(text: str | None) -> tuple[int, int, int] | None:
    """'2.4.57' (or 'Apache/2.4.57') -> (2, 4, 57); missing parts are 0, as mod_version reads
    them."""
    found = re.search(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", text or "")
    if found is None:
        return None
    major, minor, patch = (int(part or 0) for part in found.groups())
    return major, minor, patch


# --- the walk -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    """Where a directive is read: the sections around it from the files that included its
    file, and the condition it is read under when that is not known to hold (`doubt`)."""

    sections: tuple[str, ...] = ()
    doubt: str | None = None


Held = dict[tuple[int, ...], tuple[bool, str | None]]


class _Walk:
    def __init__(self, startup: HttpdStartup, source: ConfigSource) -> None:
        self.startup = startup
        self.source = source
        self.evaluating = startup.evaluate
        self.server_root = startup.server_root
        self.defines: list[str] = list(startup.defines or ())
        self.variables: dict[str, str] = {}  # Define NAME VALUE, by lower-case name
        self.modules: dict[str, LoadedModule] = {}
        for linked in startup.static_modules:
            module = knowledge.source_module(linked)
            self.modules[module] = LoadedModule(module, None, None, None)
        self.stack: list[str] = []  # files being read, outermost first
        self.files: list[str] = []
        self.problems: list[Problem] = []
        self.seen: set[Problem] = set()
        self.refusals: set[tuple[str, int]] = set()
        self.listings: dict[str, list[Entry] | FileState] = {}
        self.exists: dict[str, bool] = {}
        self.stopped = False  # clustercheck's limits were reached: no Include is followed

    def add(self, problems: Iterable[Problem]) -> None:
        """Each problem once, however often its file is read."""
        for problem in problems:
            if problem not in self.seen:
                self.seen.add(problem)
                self.problems.append(problem)

    def problem(self, directive: Directive, message: str, kind: Kind, line: int = 0) -> None:
        self.add([Problem(directive.file, line or directive.line, message, kind)])

    # --- reading ------------------------------------------------------------------------------

    def root(self, path: str) -> list[Directive]:
        data = self.source.read(path, optional=False)
        return self.file(path, data, _Scope()) if isinstance(data, bytes) else []

    def file(self, path: str, data: bytes, scope: _Scope) -> list[Directive]:
        directives, problems = parse_httpd(decode(data), path)
        self.add(problems)
        if path not in self.files:
            self.files.append(path)
        self.stack.append(path)
        kept: list[Directive] = []
        held: Held = {}
        for directive in directives:
            found = self.sections(directive, held, scope)
            if found is not None:
                sections, doubt = found
                inner = _Scope(scope.sections + sections, scope.doubt or doubt)
                kept += self.directive(self.resolve(directive, inner.sections), inner)
        self.stack.pop()
        return kept

    def sections(
        self, directive: Directive, held: Held, scope: _Scope
    ) -> tuple[tuple[str, ...], str | None] | None:
        """The directive's own sections as httpd keeps them, and the first read-time condition
        around it that is not known to hold; None when one is false (httpd skips what it
        holds). Each condition is decided once, at its first directive: nothing between its
        opening line and that directive changes what it tests."""
        if not self.evaluating:
            conditions = (s for s in directive.sections if _kind(s) in READ_TIME_CONDITIONS)
            return directive.sections, next(conditions, None)
        kept: list[str] = []
        doubt = None
        for depth, label in enumerate(directive.sections):
            opening = replace_line(directive, directive.opened[depth])
            if _kind(label) not in READ_TIME_CONDITIONS:
                kept.append(self.substitute(label, opening))
                continue
            key = directive.opened[: depth + 1]
            if key not in held:
                held[key] = self.condition(label, opening, _Scope((), scope.doubt or doubt))
            holds, assumed = held[key]
            if not holds:
                return None
            doubt = doubt or assumed
        return tuple(kept), doubt

    # --- read-time directives -----------------------------------------------------------------

    def directive(self, directive: Directive, scope: _Scope) -> list[Directive]:
        name, args = directive.lname, directive.args
        if name in INCLUDES and args:
            return [] if self.stopped else self.include(directive, scope)
        if name == "serverroot" and args and (self.evaluating or len(self.stack) == 1):
            self.server_root = self.source.join("/", args[0])
        elif self.evaluating and name in ("define", "undefine") and args:
            self.define(directive, scope)
        elif self.evaluating and name == "loadmodule" and len(args) == 2:
            self.load(directive, scope)
        elif self.evaluating and name == "use" and "macro_module" in self.modules:
            message = (
                f"Use {directive.raw.strip()}: clustercheck does not expand mod_macro's macros, "
                "so what this one sets is not judged"
            )
            self.problem(directive, message, Kind.UNREADABLE)
        return [directive]

    def define(self, directive: Directive, scope: _Scope) -> None:
        """set_define / unset_define: the name for <IfDefine>, the value for ${NAME}."""
        variable, args = directive.args[0], directive.args
        if ":" in variable:
            self.refuse(directive, scope, "Variable name must not contain ':'")
        elif directive.lname == "undefine":
            self.defines = [d for d in self.defines if d != variable]
            self.variables.pop(variable.lower(), None)
        elif len(args) > 2:
            self.refuse(directive, scope, "Define takes one or two arguments")
        else:
            if variable not in self.defines:
                self.defines.append(variable)
            if len(args) == 2:
                self.variables[variable.lower()] = args[1]

    def load(self, directive: Directive, scope: _Scope) -> None:
        """mod_so's load_module: a module loaded again is skipped, a linked-in one refused."""
        module, path = directive.args
        loaded = self.modules.get(module)
        if loaded is None:
            self.modules[module] = LoadedModule(module, path, directive.file, directive.line)
        elif loaded.static and self.startup.static_known.assumed:
            message = (
                f"LoadModule {module}: if httpd is {self.startup.static_known.source}, which "
                "links it in, httpd refuses to start (module is built-in and can't be loaded)"
            )
            self.problem(directive, message, Kind.MAY_MEAN_SOMETHING_ELSE)
        elif loaded.static:
            self.refuse(directive, scope, f"module {module} is built-in and can't be loaded")
        else:
            message = (
                f"LoadModule {module} again (first at {loaded.file}:{loaded.line}): httpd "
                f"logs 'module {module} is already loaded, skipping' (AH01574)"
            )
            self.problem(directive, message, Kind.REDUNDANT)

    def refuse(self, directive: Directive, scope: _Scope, error: str) -> None:
        """An error httpd stops at while reading: it does not start, if it reads this."""
        if scope.doubt is None:
            self.problem(directive, f"{error}: httpd refuses to start", Kind.REFUSES_TO_START)
        else:
            message = f"{error}: if httpd reads this (inside {scope.doubt}), it refuses to start"
            self.problem(directive, message, Kind.MAY_MEAN_SOMETHING_ELSE)

    # --- ${VAR} -------------------------------------------------------------------------------

    def resolve(self, directive: Directive, sections: tuple[str, ...]) -> Directive:
        """The directive in its sections, `${VAR}` substituted when evaluating."""
        name, args, raw = directive.name, directive.args, directive.raw
        if self.evaluating and "${" in name + raw:
            name, raw = self.substitute(name, directive), self.substitute(raw, directive)
            args = split_words(raw)
        return Directive(
            name, args, directive.file, directive.line, sections, raw, directive.opened
        )

    def substitute(self, text: str, directive: Directive) -> str:
        """ap_resolve_env: a Define'd variable (its name in any case), else the environment;
        anything else stays as written, with warning AH00111 unless the name holds a ':'."""
        if not self.evaluating or "${" not in text:
            return text

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            found = self.variables.get(name.lower(), self.startup.environment.get(name))
            if found is not None:
                return found
            if ":" not in name:
                self.undefined(name, directive)
            return match.group(0)

        return _VARIABLE.sub(value, text)

    def undefined(self, name: str, directive: Directive) -> None:
        """AH00111, and what clustercheck could not see: httpd's own environment."""
        known = self.startup.environment_known
        where = f" nor in {known.source}" if known.source else ""
        message = (
            f"${{{name}}} is set by no Define above it{where}: httpd keeps '${{{name}}}' as "
            f"written (AH00111: Config variable ${{{name}}} is not defined), unless its "
            f"environment has {name}"
        )
        self.problem(directive, message, Kind.MAY_MEAN_SOMETHING_ELSE)

    # --- conditions ---------------------------------------------------------------------------

    def condition(self, label: str, opening: Directive, scope: _Scope) -> tuple[bool, str | None]:
        """Whether httpd reads what the section opened at `opening` holds (start_cond_section:
        `!` first negates, the first word is tested), and the label when that rests on an
        assumption, which is said once as a problem at the section."""
        kind = _kind(label)
        label = self.substitute(label, opening)
        inner = label[len(kind) + 1 :].rstrip(">").strip()
        if kind == "ifversion":
            return self.if_version(label, list(split_words(inner)), opening, scope)
        negate = inner.startswith("!")
        words = split_words(inner[1:] if negate else inner)
        if not words:
            self.refuse(opening, scope, f"{label} directive requires additional arguments")
            return False, None
        known, why = _TESTS[kind](self, words[0])
        if known is None:
            state = "as holding" if negate else "as not holding"
            message = f"cannot tell whether httpd reads what {label} holds: {why}; read {state}"
            self.problem(opening, message, Kind.MAY_MEAN_SOMETHING_ELSE)
            return negate, label
        return known != negate, None

    def if_module(self, name: str) -> tuple[bool | None, str]:
        """find_module: a module by its name or its source file's."""
        held = name in self.modules or any(knowledge.module_source(m) == name for m in self.modules)
        return held, ""

    def if_define(self, name: str) -> tuple[bool | None, str]:
        if name in self.defines or self.startup.defines is not None:
            return name in self.defines, ""
        how = self.startup.defines_known.source
        return None, f"no Define above it sets {name}, and httpd's command line (-D) is {how}"

    def if_file(self, name: str) -> tuple[bool | None, str]:
        """test_iffile_section: the path against ServerRoot, anything there."""
        path = self.source.join(self.server_root, name)
        if path not in self.exists:
            found = self.source.exists(path)
            if found is None:
                return None, f"clustercheck could not look for {path}"
            self.exists[path] = found
        return self.exists[path], ""

    def if_directive(self, name: str) -> tuple[bool | None, str]:
        """ap_exists_directive, for the directives of the modules clustercheck knows."""
        lower = name.lower()
        mpm = next((m for m in knowledge.MPMS.values() if m.module in self.modules), None)
        if lower in knowledge.MPM_DIRECTIVES and mpm is not None:
            return lower in mpm.directives, ""
        module = "jk_module" if lower in JK_DIRECTIVES else knowledge.DIRECTIVE_MODULES.get(lower)
        if module is None:
            return None, f"clustercheck does not know which module registers {name}"
        return module in self.modules, ""

    def if_section(self, name: str) -> tuple[bool | None, str]:
        return self.if_directive("<" + name)

    def if_version(
        self, label: str, words: list[str], opening: Directive, scope: _Scope
    ) -> tuple[bool, str | None]:
        """mod_version; with httpd's version unknown a 2.4 release is taken: the condition
        then holds or not for the whole line, or cannot be told."""
        test = _version_test(words)
        if isinstance(test, str):
            self.refuse(opening, scope, test)
            return False, None
        if self.startup.version is not None:
            return test(self.startup.version), None
        major, minor = knowledge.ASSUMED_LINE
        low = test((major, minor, knowledge.LOWEST_PATCH))
        if low == test((major, minor, knowledge.HIGHEST_PATCH)):
            return low, None
        message = (
            f"cannot tell whether httpd reads what {label} holds: it depends on the httpd 2.4 "
            "release, which is not known (set apache.version); read as not holding"
        )
        self.problem(opening, message, Kind.MAY_MEAN_SOMETHING_ELSE)
        return False, label

    # --- Include ------------------------------------------------------------------------------

    def include(self, directive: Directive, scope: _Scope) -> list[Directive]:
        """include_config: the path against ServerRoot, then the files it names, each read in
        the sections of the Include."""
        if len(self.stack) > HTTPD_MAX_INCLUDE_DEPTH:
            why = f"Include nested more than {HTTPD_MAX_INCLUDE_DEPTH} deep"
            self.refused(directive, scope, why)
            return []
        optional = directive.lname == "includeoptional"
        path = self.source.join(self.server_root, directive.args[0])
        inner = _Scope(directive.sections, scope.doubt)
        if not _WILDCARD.search(path):
            return self.path(directive, inner, path, optional)
        head, *parts = path.split("/")
        return self.match(directive, inner, head or "/", parts, optional)

    def path(
        self, directive: Directive, scope: _Scope, path: str, optional: bool
    ) -> list[Directive]:
        """ap_dir_nofnmatch: a file is read, a folder read whole (sorted, recursively). A file
        already being read is not read again: httpd would follow it until its include depth
        runs out and refuse to start, which is what the problem says."""
        if path in self.stack:
            cycle = " -> ".join([*self.stack[self.stack.index(path) :], path])
            self.refused(directive, scope, f"Include loop ({cycle})")
            return []
        data = self.source.read(path, optional)
        if isinstance(data, bytes):
            return self.file(path, data, scope)
        if data is not FileState.DIRECTORY:
            self.unread(directive, scope, path, data, optional, "configuration file")
            return []
        entries = self.listed(directive, scope, path, optional) or []
        return [
            found
            for name in sorted(entry.name for entry in entries)
            for found in self.path(directive, scope, posixpath.join(path, name), optional)
        ]

    def match(
        self, directive: Directive, scope: _Scope, folder: str, parts: list[str], optional: bool
    ) -> list[Directive]:
        """ap_dir_fnmatch: each part with a wildcard matched against its folder's entries (a
        leading dot only by a leading dot; within the path, folders only), in sorted order;
        none matching fails an Include."""
        part, rest = parts[0], parts[1:]
        if not _WILDCARD.search(part):
            here = posixpath.join(folder, part)
            if rest:
                return self.match(directive, scope, here, rest, optional)
            return self.path(directive, scope, here, optional)
        entries = self.listed(directive, scope, folder, optional)
        if entries is None:
            return []
        names = sorted(e.name for e in entries if _fnmatch(e.name, part) and (e.is_dir or not rest))
        if not names and not optional:
            error = f"No matches for the wildcard '{part}' in '{folder}', failing"
            self.refuse(directive, scope, error)
        found: list[Directive] = []
        for name in names:
            path = posixpath.join(folder, name)
            if rest:
                found += self.match(directive, scope, path, rest, optional)
            else:
                found += self.path(directive, scope, path, optional)
        return found

    def listed(
        self, directive: Directive, scope: _Scope, folder: str, optional: bool
    ) -> list[Entry] | None:
        """A folder's entries, listed once per walk; None when it could not be (said once)."""
        if folder not in self.listings:
            self.listings[folder] = self.source.listing(folder, optional)
            state = self.listings[folder]
            if isinstance(state, FileState):
                self.unread(directive, scope, folder, state, optional, "directory")
        entries = self.listings[folder]
        return entries if isinstance(entries, list) else None

    def unread(
        self,
        directive: Directive,
        scope: _Scope,
        path: str,
        state: FileState,
        optional: bool,
        what: str,
    ) -> None:
        """What httpd does where clustercheck got no text."""
        if state is FileState.MISSING and not optional:
            self.refuse(
                directive, scope, f"Could not open {what} {path}: No such file or directory"
            )
        elif state is FileState.UNREADABLE:
            message = f"{path} cannot be read by clustercheck: what it sets is not judged"
            self.problem(directive, message, Kind.UNREADABLE)
        elif state in (FileState.LIMIT_REACHED, FileState.NOT_READ):
            self.stopped = True
            if state is FileState.LIMIT_REACHED:
                self.add([limit_problem(directive.file, directive.line, self.source.limits)])

    def refused(self, directive: Directive, scope: _Scope, why: str) -> None:
        """httpd's own stop at its include depth: it does not start, if it reads this. Said
        once per Include, for the first way it gets there."""
        if (directive.file, directive.line) in self.refusals:
            return
        self.refusals.add((directive.file, directive.line))
        if scope.doubt is None:
            self.problem(directive, f"{why}: {RECURSION}", Kind.REFUSES_TO_START)
        else:
            message = f"{why}: if httpd reads this Include (inside {scope.doubt}), {RECURSION}"
            self.problem(directive, message, Kind.MAY_MEAN_SOMETHING_ELSE)


_TESTS = {
    "ifmodule": _Walk.if_module,
    "ifdefine": _Walk.if_define,
    "iffile": _Walk.if_file,
    "ifdirective": _Walk.if_directive,
    "ifsection": _Walk.if_section,
}


def _kind(label: str) -> str:
    return split_section(label)[0]


def replace_line(directive: Directive, line: int) -> Directive:
    """The directive as it stands at another line of its file (a section's opening line)."""
    return Directive(
        directive.name,
        directive.args,
        directive.file,
        line or directive.line,
        directive.sections,
        directive.raw,
        directive.opened,
    )


def _fnmatch(name: str, pattern: str) -> bool:
    """apr_fnmatch with APR_FNM_PERIOD, case-sensitive."""
    if name.startswith(".") and not pattern.startswith("."):
        return False
    return fnmatch.fnmatchcase(name, pattern)


Version = tuple[int, int, int]


def _version_test(words: list[str]) -> Callable[[Version], bool] | str:
    """start_ifversion's test of `[[!]operator] version`, or why httpd refuses it."""
    if not words:
        return "<IfVersion> directive requires additional arguments"
    operator, wanted = ("=", words[0]) if len(words) == 1 else (words[0], words[1])
    reverse = operator.startswith("!") and len(operator) > 1
    operator = operator[1:] if reverse else operator
    first, more = operator[:1], operator[1:]
    if more not in ("", "=") or (more == "=" and first == "~"):
        return f"unrecognized operator '{words[0]}'"
    if first == "~" or (first == "=" and wanted.startswith("/")):
        pattern = wanted.strip("/") if first == "=" else wanted
        try:
            regex = re.compile(pattern)
        except re.error:
            return "Unable to compile regular expression"
        return lambda v: bool(regex.search(".".join(map(str, v)))) != reverse
    target = _version_literal(wanted)
    if target is None:
        return (
            "Version appears to be invalid. It must have the format major[.minor[.patch]] "
            "where major, minor and patch are numbers."
        )
    tests: dict[str, Callable[[Version], bool]] = {
        "=": lambda v: v == target,
        "<": lambda v: v < target or (more == "=" and v == target),
        ">": lambda v: v > target or (more == "=" and v == target),
    }
    if first not in tests:
        return f"unrecognized operator '{words[0]}'"
    test = tests[first]
    return lambda v: test(v) != reverse


def _version_literal(text: str) -> Version | None:
    """compare_version's `major[.minor[.patch]]`, missing parts 0."""
    if not re.fullmatch(r"\d+(?:\.\d+){0,2}", text):
        return None
    parts = [int(p) for p in text.split(".")] + [0, 0]
    return parts[0], parts[1], parts[2]
