"""mod_jk's workers.properties, read the way mod_jk 1.2.x reads it (jk_map.c, jk_util.c).

The reader is deliberately literal: `#` anywhere ends a line, only ASCII whitespace is trimmed,
keys are case-sensitive, a key outside `worker.` is a user variable, and `reference` copies keys
by prefix. Where mod_jk would silently do something surprising, a Problem says so; where it would
refuse to start, the Problem says that too. Secret values live only in the model, never in a
message.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from clustercheck.knowledge import modjk
from clustercheck.knowledge.modjk import NBSP
from clustercheck.knowledge.secrets import is_secret_name
from clustercheck.parsers.text import Kind, Problem, size_text

SPACE = modjk.C_SPACE  # C isspace() in the C locale: what mod_jk and httpd trim
LIST_SEPARATORS = modjk.LIST_SEPARATORS  # jk_map_get_string_list
MAX_LINE = 8191  # fgets(buf, 8192): longer lines arrive in pieces
MAX_REFERENCE_DEPTH = 20  # JK_MAP_RECURSION
# clustercheck's limits, far above any real file: values that double at each line, or many
# workers copying a large template, would otherwise take gigabytes and hours.
MAX_EXPANDED_VALUE = 64 * 1024  # one value after $(name) substitution
MAX_EXPANDED_FILE = 4 * 1024 * 1024  # what substitution adds in one file, all values together
MAX_REFERENCE_WORK = 1_000_000  # keys compared or copied while resolving every `reference`
DEFAULT_WORKER = "ajp13"  # created when there is no worker.list at all
WORKER_PREFIX = "worker."
REFERENCE_SUFFIX = ".reference"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Directives whose repeated lines are joined with ',' (jk_util.c list_properties).
LIST_DIRECTIVES = _words("balance_workers mount user good bad fail_on_status list")

# Directives where a repeated line replaces the earlier one (jk_util.c unique_properties).
UNIQUE_DIRECTIVES = _words(
    """secret reference host source port type cachesize connection_pool_size
    connection_pool_minsize cache_timeout connection_pool_timeout connection_acquire_timeout
    recovery_options connect_timeout prepost_timeout ping_timeout ping_mode reply_timeout
    socket_timeout socket_connect_timeout socket_buffer socket_keepalive connection_ping_interval
    recycle_timeout lbfactor sticky_session sticky_session_force session_cookie session_path
    set_session_cookie session_cookie_path local_worker local_worker_only jvm_route route domain
    redirect method lock disabled stopped activation recover_time error_escalation_time
    max_reply_timeouts retry_interval busy_limit max_packet_size css read_only retries lb_retries
    ns xmlns doctype prefix user_case_insensitive prefer_ipv6"""
)

_JNI = "nothing: the JNI worker was removed in mod_jk 1.2.33"
_JNI_DIRECTIVES = _words(
    "sysprops stderr stdout mx ms class_path bridge jvm_lib ld_path cmd_line native_lib"
)

# Deprecated directives (jk_util.c deprecated_properties) and what replaced them (workers.xml).
DEPRECATED: dict[str, str] = {
    "cachesize": "connection_pool_size",
    "cache_timeout": "connection_pool_timeout",
    "recycle_timeout": "connection_pool_timeout",
    "balanced_workers": "balance_workers",
    "jvm_route": "route",
    "disabled": "activation",
    "stopped": "activation",
    "local_worker": "nothing: local_worker no longer has any effect",
    "local_worker_only": "nothing: local_worker_only no longer has any effect",
    **dict.fromkeys(_JNI_DIRECTIVES, _JNI),
}

# Every directive mod_jk accepts after `worker.<name>.` (jk_util.c supported_properties).
SUPPORTED_DIRECTIVES = (
    LIST_DIRECTIVES
    | UNIQUE_DIRECTIVES
    | frozenset(DEPRECATED)
    | {"distance", "balanced_workers", "secretkey", "maintain"}
)

AJP_TYPES = modjk.AJP_TYPES  # type -> default port (jk_ajp13.h, jk_ajp14.h)
ADDRESS_DIRECTIVES = frozenset({"host", "port"})  # what ajp_validate makes the address of


@dataclass(frozen=True)
class Setting:
    """One directive value of one worker."""

    value: str
    line: int | None  # None when it came from mod_jk's defaults
    defaulted: bool = False
    inherited_from: str | None = None  # worker (or prefix) it came from through `reference`
    file: str | None = None  # None: the workers file; else the httpd file of a JkWorkerProperty


@dataclass
class Worker:
    name: str
    settings: dict[str, Setting]
    line: int | None  # first line that defines it; None when it is only named in a list

    def get(self, directive: str) -> str | None:
        setting = self.settings.get(directive)
        return setting.value if setting else None

    @property
    def type(self) -> str | None:
        return self.get("type")

    @property
    def host(self) -> str | None:
        """The host as written: mod_jk splits no port off it (`tc1:8010` does not resolve)."""
        return self.get("host")

    @property
    def port(self) -> int | None:
        """`port` as mod_jk reads it (jk_map_get_int: `$(X)` left as written is 0); None
        when it is not set."""
        port = self.get("port")
        return None if port is None else modjk.jk_int(port)

    @property
    def disabled(self) -> bool:
        """mod_jk gives this AJP worker no address (port 0 or less, a host that cannot resolve):
        it connects nowhere, and an lb stops it as a member."""
        return modjk.disabled(self.host, self.port)

    @property
    def route(self) -> str | None:
        """`route`, else the deprecated `jvm_route` that mod_jk still reads."""
        return self.get("route") or self.get("jvm_route")

    @property
    def secret(self) -> str | None:
        return self.get("secret")

    @property
    def members(self) -> list[str]:
        """lb members: `balance_workers`, else the deprecated `balanced_workers`."""
        return split_list(self.get("balance_workers") or self.get("balanced_workers") or "")

    @property
    def activation(self) -> str:
        """'A', 'D' or 'S' as jk_get_worker_activation decides, honouring disabled/stopped."""
        value = self.get("activation")
        if value is not None:
            return _activation_code(value)
        if parse_bool(self.get("stopped"), False):
            return "S"
        if parse_bool(self.get("disabled"), False):
            return "D"
        return "A"

    @property
    def sticky_session(self) -> bool:
        return parse_bool(self.get("sticky_session"), True)


@dataclass
class WorkersFile:
    path: str
    worker_list: list[tuple[str, int]]  # (name, line) of every worker.list entry
    workers: dict[str, Worker]
    variables: dict[str, str]  # keys outside worker.* (user variables)
    commented_settings: list[tuple[int, str, str]]  # (line, key, value) of `#worker.x.y=z`
    deprecated: list[tuple[int, str, str]]  # (line, key as written, replacement)
    problems: list[Problem]
    global_settings: dict[str, Setting] = field(default_factory=dict)  # worker.maintain, ...
    # user variables that no $(...) and no `reference` uses, and that the reader found no
    # problem with (those that look like a misspelt setting are problems): inert lines
    unused_variables: dict[str, Setting] = field(default_factory=dict)

    @property
    def listed_names(self) -> list[str]:
        """The workers mod_jk instantiates: worker.list, or its default `ajp13` without one."""
        return [name for name, _line in self.worker_list] or [DEFAULT_WORKER]

    def member_secret(self, lb: str, member: str) -> Setting | None:
        """The secret a member uses inside this lb: its own, else the lb's (jk_lb_worker.c)."""
        own = self.workers.get(member)
        if own and "secret" in own.settings:
            return own.settings["secret"]
        balancer = self.workers.get(lb)
        return balancer.settings.get("secret") if balancer else None


# --- small value helpers -------------------------------------------------------------------


def split_list(value: str) -> list[str]:
    """mod_jk splits list values on space, tab and comma."""
    return modjk.split_list(value)


def parse_bool(value: str | None, default: bool) -> bool:
    """jk_get_bool_code: off/f*/n*/0 is false, on/t*/y*/1 is true, anything else the default."""
    code = modjk.bool_code(value) if value else None
    return default if code is None else code


def _activation_code(value: str) -> str:
    """jk_lb_get_activation_code looks at the first character only; unknown ones are A."""
    return modjk.activation_code(value)


def directive_of(key: str) -> str:
    """The part after the last dot: what mod_jk validates and classifies a key by."""
    return key.rpartition(".")[2]


# --- the line reader shared with uriworkermap.properties ------------------------------------


@dataclass(frozen=True)
class PropertyLine:
    """One line as jk_map_read_properties sees it, after '#' is cut and whitespace trimmed."""

    line: int
    raw: str  # the physical line, as written
    content: str  # what mod_jk reads; never empty


def property_lines(text: str, path: str, problems: list[Problem]) -> Iterator[PropertyLine]:
    """Lines mod_jk reads: split on LF only, `#` anywhere starts a comment, no continuation."""
    for number, raw in enumerate(text.split("\n"), start=1):
        pieces = [raw[i : i + MAX_LINE] for i in range(0, len(raw), MAX_LINE)] or [""]
        if len(pieces) > 1:
            problems.append(
                Problem(
                    path,
                    number,
                    f"line longer than {MAX_LINE} characters: mod_jk reads "
                    "it in pieces, as if they were separate lines",
                    Kind.MEANS_SOMETHING_ELSE,
                )
            )
        for piece in pieces:
            content = piece.split("#", 1)[0].strip(SPACE)
            if content:
                yield PropertyLine(number, raw, content)


def split_property(content: str) -> tuple[str, str] | None:
    """`key=value` at the first '='; None when mod_jk ignores the line (no '=', empty side)."""
    key, sep, value = content.partition("=")
    key, value = key.strip(SPACE), value.strip(SPACE)
    if not sep or not key or not value:
        return None
    return key, value


def value_cut_at_hash(line: PropertyLine) -> bool:
    """True when a '#' sits right after value text: mod_jk silently drops what follows it."""
    before, sep, _after = line.raw.partition("#")
    return bool(sep) and "=" in before and before[-1:] not in ("", *SPACE, "=")


# --- the workers.properties reader ----------------------------------------------------------


_COMMENTED = re.compile(r"[ \t]*#[# \t]*(worker\.[^=#\s]+)[ \t]*=([^#]*)")
_LOOKS_LIKE_SETTING = re.compile(r"workers?\.[\w.\-]+(\s*:|\s|$)")


@dataclass
class _Reader:
    """Builds mod_jk's flat property map line by line, then the worker model from it."""

    path: str
    props: dict[str, Setting] = field(default_factory=dict)
    worker_list: list[tuple[str, int]] = field(default_factory=list)
    commented: list[tuple[int, str, str]] = field(default_factory=list)
    deprecated: list[tuple[int, str, str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    templates: set[str] = field(default_factory=set)  # prefixes some `reference` copied from
    used: set[str] = field(default_factory=set)  # names some $(...) looked up
    empty_hosts: list[tuple[str, int, str | None]] = field(default_factory=list)  # `host=`
    expanded: int = 0  # characters $(name) substitution added so far (MAX_EXPANDED_FILE)
    reference_work: int = 0  # keys compared or copied by `reference` so far
    unjoined: set[str] = field(default_factory=set)  # keys whose joined value hit the limit

    def problem(self, kind: Kind, line: int | None, message: str, file: str | None = None) -> None:
        self.problems.append(Problem(file or self.path, line, message, kind))

    def read_file(self, text: str) -> None:
        for line in property_lines(text, self.path, self.problems):
            if value_cut_at_hash(line):
                # `port=8009#ajp` is a comment, `secret=ab#cd` a cut secret: only intent tells
                self.problem(
                    Kind.MAY_MEAN_SOMETHING_ELSE,
                    line.line,
                    "'#' inside a value starts a comment: mod_jk ignores the rest of the line",
                )
            self.read(line.content, line.line)
        for number, raw in enumerate(text.split("\n"), start=1):
            match = _COMMENTED.match(raw)
            if match:
                self.commented.append((number, match.group(1), match.group(2).strip(SPACE)))

    def read(self, content: str, line: int, file: str | None = None) -> None:
        """One line's content, as jk_map_read_property handles it."""
        pair = split_property(content)
        if pair is None:
            self._note_ignored(content, line, file)
            return
        key, value = pair
        if key.startswith(WORKER_PREFIX) and directive_of(key) not in SUPPORTED_DIRECTIVES:
            hint = " ending in a non-breaking space" if NBSP in directive_of(key) else ""
            self.problem(
                Kind.REFUSES_TO_START,
                line,
                f"mod_jk refuses to start: unsupported attribute {key!r}{hint} (it "
                "stops reading the file here and httpd does not start)",
                file,
            )
            return
        if key.startswith(WORKER_PREFIX) and NBSP in key:
            name = key[len(WORKER_PREFIX) :].rpartition(".")[0]
            self.problem(
                Kind.MEANS_SOMETHING_ELSE,
                line,
                f"non-breaking space (U+00A0) in the key {key!r}: mod_jk does not trim it, "
                f"so the line sets worker {name!r}, not {modjk.as_intended(name)!r}",
                file,
            )
        if key.startswith(WORKER_PREFIX) and directive_of(key) in DEPRECATED:
            self.deprecated.append((line, key, DEPRECATED[directive_of(key)]))
        value = self._substitute(key, value, line, file)
        if key.startswith(WORKER_PREFIX) and NBSP in value:
            self._nbsp_value(key, value, line, file)
        self._store(key, Setting(value, line, file=file))
        if key == "worker.list":
            self.worker_list.extend((name, line) for name in split_list(value))

    def _nbsp_value(self, key: str, value: str, line: int, file: str | None) -> None:
        """A non-breaking space is no whitespace to mod_jk (C isspace): it stays in the value.
        Only where that changes what mod_jk reads is it a problem: atoi() stops at one after a
        number, and a first-letter code never sees one at the end."""
        directive, meant = directive_of(key), modjk.as_intended(value)
        read, intended = modjk.reading(directive, value), modjk.reading(directive, meant)
        if read == intended:
            return
        shown = (value, meant) if isinstance(read, str) else (read, intended)
        reads = (
            "the secret it reads holds it (not shown)"
            if is_secret_name(directive)
            else f"it reads {_as_read(shown[0])}, not {_as_read(shown[1])}"
        )
        self.problem(
            Kind.MEANS_SOMETHING_ELSE,
            line,
            f"non-breaking space (U+00A0) in the value of {key!r}: mod_jk does not trim "
            f"it, so {reads}",
            file,
        )

    def _note_ignored(self, content: str, line: int, file: str | None) -> None:
        key, equals, _value = content.partition("=")
        key = key.strip(SPACE)
        if equals and key.startswith(WORKER_PREFIX) and directive_of(key) == "host":
            self.empty_hosts.append((key, line, file))  # judged once the worker is known
            return
        if "=" in content:
            # an empty side says nothing, and nothing is what mod_jk takes from it
            message = "a key or a value is empty: mod_jk ignores this line"
            self.problem(Kind.REDUNDANT, line, message, file)
        elif _LOOKS_LIKE_SETTING.match(content):
            message = "a setting without '=': mod_jk ignores this line"
            self.problem(Kind.MEANS_SOMETHING_ELSE, line, message, file)

    def _substitute(self, key: str, value: str, line: int, file: str | None) -> str:
        """$(name) from keys read so far (jk_map_replace_properties); at most 21 rounds. A
        worker's host or port keeps what is left as written without a problem here: the
        worker's address says what it does (Worker.disabled). What it adds is capped, per
        value and per file: past a cap the rest stays as written, and a problem says it is
        not judged."""
        start, rounds = 0, 0
        address = key.startswith(WORKER_PREFIX) and directive_of(key) in ADDRESS_DIRECTIVES
        while (begin := value.find("$(", start)) >= 0 and rounds <= MAX_REFERENCE_DEPTH:
            rounds += 1
            end = value.find(")", begin)
            if end < 0:
                break
            name = value[begin + 2 : end]
            known = self.props.get(name)
            if known is None:
                if not address:
                    self.problem(
                        Kind.MAY_MEAN_SOMETHING_ELSE,  # httpd's environment decides
                        line,
                        f"$({name}) is not defined before this line: mod_jk takes "
                        "it from httpd's environment, or leaves it as written",
                        file,
                    )
                start = end
                continue
            self.used.add(name)
            grown = len(known.value) - (end + 1 - begin)
            if self.expanded > MAX_EXPANDED_FILE:
                break  # said once, where the file went past it
            if self.expanded + grown > MAX_EXPANDED_FILE:
                self.expanded = MAX_EXPANDED_FILE + 1
                message = (
                    f"$({name}) is not substituted: substitution in this file would add more "
                    f"than {size_text(MAX_EXPANDED_FILE)}, clustercheck's limit; from here on "
                    "no $(...) is, and the values that hold one are not judged"
                )
                self.problem(Kind.UNREADABLE, line, message, file)
                break
            if len(value) + grown > MAX_EXPANDED_VALUE:
                message = (
                    f"$({name}) is not substituted: the value would grow past "
                    f"{size_text(MAX_EXPANDED_VALUE)}, clustercheck's limit; it keeps $(...) "
                    "as written from here and is not judged"
                )
                self.problem(Kind.UNREADABLE, line, message, file)
                break
            self.expanded += max(grown, 0)
            value = value[:begin] + known.value + value[end + 1 :]
            start = begin + len(known.value)
        return value

    def _store(self, key: str, setting: Setting) -> None:
        """jk_map_handle_duplicates: lists join with ',', unique keys are replaced, the rest
        (balanced_workers, distance, user variables...) are joined with '*'."""
        old = self.props.get(key)
        if old is None:
            self.props[key] = setting
            return
        directive = directive_of(key) if "." in key else ""
        same = old.file == setting.file
        first = f"line {old.line}" if same else f"{old.file or self.path}:{old.line}"
        if directive in UNIQUE_DIRECTIVES:
            # jk_map_handle_duplicates: "Duplicate key '...' detected - previous value '...'
            # will be overwritten" (values stay out of the message: one may be a secret)
            self.problem(
                Kind.OVERRIDDEN,
                setting.line,
                f"'{key}' is set again (first on {first}): mod_jk warns \"Duplicate key\" and "
                f"keeps only this last value, so the value on {first} is overwritten",
                setting.file,
            )
            self.props[key] = setting
            return
        separator = _duplicate_separator(key, directive)
        if separator != ",":
            self.problem(
                _joined_kind(key, separator),
                setting.line,
                f"'{key}' is set again (first on {first}): "
                f"mod_jk joins the values with '{separator}'",
                setting.file,
            )
        size = len(old.value) + len(separator) + len(setting.value)
        if key in self.unjoined or size > MAX_EXPANDED_VALUE:
            # each join copies the value: many short lines of one key would cost quadratic time
            if key not in self.unjoined:
                self.unjoined.add(key)
                message = (
                    f"'{key}' is not joined with this value or later ones: it would grow past "
                    f"{size_text(MAX_EXPANDED_VALUE)}, clustercheck's limit; it is not judged"
                )
                self.problem(Kind.UNREADABLE, setting.line, message, setting.file)
            return
        joined = f"{old.value}{separator}{setting.value}"
        self.props[key] = dataclasses.replace(old, value=joined)

    # --- after reading: references, then the model -------------------------------------

    def resolve_references(self) -> None:
        """jk_map_resolve_references(map, "worker.", wildcard): every worker.*.reference."""
        for key in list(self.props):
            if (
                key.startswith(WORKER_PREFIX)
                and key.endswith(REFERENCE_SUFFIX)
                and len(key) >= len(WORKER_PREFIX) + len(REFERENCE_SUFFIX)
                and self.props[key].value
                and not self._resolve(key, depth=1)
            ):
                self.problem(
                    Kind.REFUSES_TO_START,
                    self.props[key].line,
                    f"'{key}' cannot be resolved: mod_jk logs "
                    "'Error in resolving configuration references' and httpd does "
                    "not start",
                    self.props[key].file,
                )

    def _resolve(self, key: str, depth: int) -> bool:
        """Resolve the template's own reference first, then copy its keys not set here."""
        if depth > MAX_REFERENCE_DEPTH:
            self.problem(
                Kind.REFUSES_TO_START,  # the reference cannot be resolved: see resolve_references
                self.props[key].line,
                f"reference chain from '{key}' is deeper than {MAX_REFERENCE_DEPTH} (a cycle?)",
                self.props[key].file,
            )
            return False
        target = self.props[key].value
        nested = target + REFERENCE_SUFFIX
        template_ref = self.props.get(nested)
        if template_ref and template_ref.value and not self._resolve(nested, depth + 1):
            return False
        return self._inherit(target + ".", key[: -len("reference")], key)

    def _inherit(self, source: str, dest: str, key: str) -> bool:
        """jk_map_inherit_properties: copy every `source*` key to `dest*` unless set there."""
        if self.reference_work > MAX_REFERENCE_WORK:
            return True  # past the limit: said once, where it was reached; not judged
        self.reference_work += len(self.props)
        if self.reference_work > MAX_REFERENCE_WORK:
            self.problem(
                Kind.UNREADABLE,
                self.props[key].line,
                f"'{key}' and the references after it are not resolved: resolving them "
                f"compares and copies more than {MAX_REFERENCE_WORK} keys, clustercheck's "
                "limit; the workers they define are not judged",
                self.props[key].file,
            )
            return True
        found = [name for name in list(self.props) if name.startswith(source)]
        if not found:
            self.problem(
                Kind.REFUSES_TO_START,  # the reference cannot be resolved: see resolve_references
                self.props[key].line,
                f"reference '{source[:-1]}' not found: no key starts with '{source}'",
                self.props[key].file,
            )
            return False
        owner = source[len(WORKER_PREFIX) : -1] if source.startswith(WORKER_PREFIX) else source[:-1]
        self.templates.add(source)
        for name in found:
            copy = dest + name[len(source) :]
            if copy not in self.props:
                setting = self.props[name]
                origin = setting.inherited_from or owner
                self.props[copy] = dataclasses.replace(setting, inherited_from=origin)
                self.reference_work += 1
        return True

    def build(self) -> WorkersFile:
        workers: dict[str, Worker] = {}
        variables: dict[str, str] = {}
        global_settings: dict[str, Setting] = {}
        unused: dict[str, Setting] = {}
        for key, setting in self.props.items():
            if not key.startswith(WORKER_PREFIX):
                variables[key] = setting.value
                if self._unused_variable(key, setting):
                    unused[key] = setting
                continue
            name, dot, directive = key[len(WORKER_PREFIX) :].rpartition(".")
            if not dot:
                global_settings[directive] = setting
                continue
            worker = workers.setdefault(name, Worker(name, {}, None))
            worker.settings[directive] = setting
            if worker.line is None and setting.inherited_from is None and setting.file is None:
                worker.line = setting.line
        named = [name for name, _line in self.worker_list]
        named += [member for worker in list(workers.values()) for member in worker.members]
        for name in named:
            workers.setdefault(name, Worker(name, {}, None))
        self._check_names(workers)
        self._check_empty_hosts(workers)
        if not self.worker_list:
            # a file that only defines `ajp13` needs no worker.list; only its writer knows
            self.problem(
                Kind.MAY_MEAN_SOMETHING_ELSE,
                None,
                f"no worker.list: mod_jk creates only its default worker "
                f"'{DEFAULT_WORKER}' (ajp13, localhost:8009)",
            )
        return WorkersFile(
            self.path,
            self.worker_list,
            workers,
            variables,
            self.commented,
            self.deprecated,
            self.problems,
            global_settings,
            unused,
        )

    def _unused_variable(self, key: str, setting: Setting) -> bool:
        """Keys outside worker.* are silently user variables; say so when that was not meant.
        True for one that nothing uses and that looks like nothing else."""
        bare = key.lstrip("\ufeff")
        if key.startswith(tuple(self.templates)) or key in self.used:
            return False
        kind = Kind.MEANS_SOMETHING_ELSE  # no one names a variable like this on purpose
        if bare != key and bare.startswith(WORKER_PREFIX):
            message = (
                f"a UTF-8 byte order mark precedes '{bare}': mod_jk reads it as part "
                "of the key, so the line is a user variable and is ignored"
            )
        elif bare.lstrip(NBSP).startswith(WORKER_PREFIX):
            message = (
                f"a non-breaking space (U+00A0) precedes '{bare.lstrip(NBSP)}': mod_jk does "
                "not trim it, so the line is a user variable and sets nothing"
            )
        elif bare.startswith(";"):
            # jk_map_read_property stores it like any key; only `worker.` keys are read as
            # settings, and nothing uses this one: the line does what a comment would
            kind = Kind.REDUNDANT
            message = (
                f"';' does not start a comment in workers.properties: mod_jk reads "
                f"'{bare}' as a user variable that nothing uses, so the line has no effect, "
                "as a comment would (start comments with '#')"
            )
        elif bare.startswith(("/", "!", "-/")):
            message = (
                f"'{bare}' looks like a uriworkermap rule: in workers.properties mod_jk "
                "reads it as a user variable"
            )
        elif bare.lower().startswith("worker") and directive_of(bare) in SUPPORTED_DIRECTIVES:
            message = (
                f"'{key}' is not a 'worker.' key: mod_jk treats it as a user variable "
                "and ignores it"
            )
            # `workers.list` is all but surely a typo, but `worker1.host` may be a variable
            # meant for a `$(worker1.host)` that was never written
            kind = Kind.MAY_MEAN_SOMETHING_ELSE
        else:
            return True
        self.problem(kind, setting.line, message, setting.file)
        return False

    def _check_names(self, workers: dict[str, Worker]) -> None:
        for worker in workers.values():
            if NBSP in worker.name:
                continue  # the key or value that holds it says what it does
            if not re.fullmatch(r"[A-Za-z0-9_-]+", worker.name):
                self.problem(
                    Kind.MAY_MEAN_SOMETHING_ELSE,  # mod_jk does not say what such a name does
                    worker.line,
                    f"worker name '{worker.name}' uses characters mod_jk "
                    "documents as not allowed (only A-Z a-z 0-9 _ -)",
                )

    def _check_empty_hosts(self, workers: dict[str, Worker]) -> None:
        """`worker.X.host=` is a line jk_map_read_property skips (an empty value): X keeps
        its default host, localhost, unless a host is set elsewhere (observed with the real
        httpd: the status worker shows localhost:8009)."""
        for key, line, file in self.empty_hosts:
            worker = workers.get(key[len(WORKER_PREFIX) : -len(".host")])
            connects = worker is not None and (worker.type or DEFAULT_WORKER) in AJP_TYPES
            if worker is not None and connects and "host" not in worker.settings:
                message = (
                    f"{key!r} is empty: mod_jk ignores the line, so worker {worker.name} "
                    "connects to localhost, its default host"
                )
                self.problem(Kind.MEANS_SOMETHING_ELSE, line, message, file)
            else:
                message = "a key or a value is empty: mod_jk ignores this line"
                self.problem(Kind.REDUNDANT, line, message, file)


def _as_read(read: object) -> str:
    if isinstance(read, bool):
        return str(read).lower()
    return repr(read) if isinstance(read, str | list) else str(read)


def _joined_kind(key: str, separator: str) -> Kind:
    """A worker directive joined with '*' is a value no one wrote (`balanced_workers=a*b` is one
    member named `a*b`). A user variable matters only where some `$(...)` uses it, and ':' or ' '
    join a path or command line as mod_jk means them to (only the JNI directives, which do
    nothing since 1.2.33, and variables ending in `_path`)."""
    if separator == "*" and key.startswith(WORKER_PREFIX):
        return Kind.MEANS_SOMETHING_ELSE
    return Kind.MAY_MEAN_SOMETHING_ELSE


def _duplicate_separator(key: str, directive: str) -> str:
    if key.endswith("_path"):
        return ":"  # PATH_SEPERATOR (';' on Windows); only the JNI class_path/ld_path
    if directive == "cmd_line":
        return " "
    return "," if directive in LIST_DIRECTIVES else "*"


def parse_workers(
    text: str, path: str, worker_properties: Sequence[tuple[str, str, int]] = ()
) -> WorkersFile:
    """workers.properties with references resolved and no defaults applied.

    `worker_properties` are JkWorkerProperty (value, file, line) triples: mod_jk reads them
    before the file, without cutting at '#', and their Settings carry their own file.
    """
    reader = _Reader(path)
    try:
        for value, file, line in worker_properties:
            reader.read(value.strip(SPACE), line, file)
        reader.read_file(text)
        reader.resolve_references()
        return reader.build()
    except Exception as exc:  # a parser never raises; the class name never holds a secret
        reader.problem(
            Kind.UNREADABLE, None, f"could not be read completely ({type(exc).__name__})"
        )
        return WorkersFile(
            path, reader.worker_list, {}, {}, reader.commented, reader.deprecated, reader.problems
        )


# --- mod_jk's defaults ------------------------------------------------------------------------


def _defaults_for(worker: Worker) -> dict[str, str]:
    """What mod_jk uses for directives this worker does not set (workers.xml, jk_util.c)."""
    kind = worker.type or "ajp13"
    found: dict[str, str] = {"type": kind}
    if kind in AJP_TYPES:
        found["host"] = "localhost"
        found["port"] = str(AJP_TYPES[kind])
        if worker.route is None:
            found["route"] = worker.name
        found["lbfactor"] = "1"
        if worker.activation == "A":
            found["activation"] = "A"
    elif kind == "lb":
        found["sticky_session"] = "true"
    return found


def _with_worker_defaults(worker: Worker) -> Worker:
    settings = dict(worker.settings)
    for directive, value in _defaults_for(worker).items():
        settings.setdefault(directive, Setting(value, None, defaulted=True))
    return Worker(worker.name, settings, worker.line)


def with_defaults(wf: WorkersFile) -> WorkersFile:
    """A new WorkersFile where every unset directive that matters carries mod_jk's default,
    marked `defaulted`; without worker.list, mod_jk's own `ajp13` worker is added."""
    workers = dict(wf.workers)
    for name in wf.listed_names:
        workers.setdefault(name, Worker(name, {}, None))
    fresh = copy.deepcopy(wf)
    fresh.workers = {name: _with_worker_defaults(worker) for name, worker in workers.items()}
    return fresh
