"""How mod_jk 1.2.x reads the values of workers.properties, and what each reading does.

Facts from apache/tomcat-connectors, native/common at tag JK_1_2_48 (the release Debian 12
ships), the same at the 1.2.50 line's HEAD where the functions are named here; and from the real
httpd 2.4 + mod_jk 1.2.48, which tests/checks/test_jk_real_httpd.py starts on loopback to assert
what the verdicts rely on. No mod_jk code is copied: these are its rules, written as Python.

- Integers (jk_map.c `jk_map_get_int`): C atoi() of the value (leading C whitespace, a sign,
  decimal digits, and it stops at anything else, a non-breaking space included; no digits is 0),
  times 1024 when the value's LAST character is k or K, times 1024² when it is m or M.
- Booleans (jk_util.c `jk_get_bool_code`): "off", or a first letter f/F/n/N, or exactly "0" is
  false; "on", or t/T/y/Y, or exactly "1" is true; anything else leaves the default.
- First-letter codes: `activation` (jk_lb_worker.c `jk_lb_get_activation_code`: a/A/0 active,
  d/D/1 disabled, s/S/2 stopped, anything else ACTIVE), `method` (`jk_lb_get_method_code`:
  r/R/0, t/T/1, b/B/2, s/S/3, n/N/4, else Request), `lock` (`jk_lb_get_lock_code`: o/O/0,
  p/P/1, else Optimistic).
- `ping_mode` (jk_ajp_common.c `jk_ajp_get_cping_mode`): every character is looked at, C/c, P/p
  and I/i add their probe, A/a means all three and ends the scan, the rest is skipped; no known
  letter at all leaves the default, no probe.
- `max_packet_size` (jk_util.c `jk_get_max_packet_size`): rounded up to a multiple of 1024, then
  raised to 8192 or lowered to 65536.
- `lbfactor` (jk_lb_worker.c `validate`): below 1 it becomes 1.
- `connection_pool_size` (jk_util.c `jk_get_worker_cache_size`): a negative value falls back to
  the deprecated `cachesize`, else to the default (httpd's threads per process); 0 is kept, and
  a worker with no connection slot answers every request with HTTP 503 (observed: "Unable to get
  the free endpoint for worker X from 0 slots").
- Lists (jk_map.c `jk_map_get_string_list`): split on space, tab and comma only.
- Variables (jk_map.c `jk_map_replace_properties`): `$(NAME)` takes NAME from the keys read so
  far, else from httpd's environment (getenv, then JkEnvVar); with neither it stays as written.
- Hosts and ports (jk_ajp_common.c `ajp_validate`, jk_connect.c `jk_resolve`): the port is
  read as an integer (above: `$(NAME)` left as written is 0), the host is taken as written. A
  host of only digits and dots goes to inet_addr(); any other goes to the resolver as written.
  A name that does not resolve logs "worker X can't resolve tomcat address H", the worker's
  port becomes 0 and, in an lb, the member is STOPPED; httpd starts. mod_jk does not split
  `host:port` (workers.xml says a port may be embedded; no release does it: the real 1.2.48
  targets '10.0.0.13:8010:8009'), so such a host never resolves. A port that reads as 0 or less
  is not even resolved: the worker is disabled the same way.
- User variables (jk_map.c): a key outside `worker.` is kept in the map and read by nothing but
  `$(NAME)` and `reference`; one neither uses has no effect. mod_jk's own old samples defined
  `workers.tomcat_home`, `workers.java_home`, `workers.apache_log` and `ps` for the paths of the
  JNI worker (removed in 1.2.33); copies of them (Debian's workers.properties still has three)
  are harmless.
- Types (jk_worker_list.h, jk_worker.c `wc_create_worker`): ajp12, ajp13, ajp14, lb, status,
  compared case-sensitively; any other makes worker creation fail ("Unknown worker type") and
  httpd does not start. jk_lb_worker.c uses every lb member as an AJP worker without looking at
  its type.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from clustercheck.parsers.text import Kind, bounded_int

C_SPACE = " \t\n\r\f\v"  # isspace() in the C locale: all mod_jk and httpd trim
NBSP = "\xa0"
LIST_SEPARATORS = re.compile(r"[ \t,]+")

AJP_TYPES = {"ajp13": 8009, "ajp14": 8011}  # type -> default port (jk_ajp13.h, jk_ajp14.h)
LB, STATUS, AJP12 = "lb", "status", "ajp12"
WORKER_TYPES = frozenset({AJP12, *AJP_TYPES, LB, STATUS})

# User variables of mod_jk's old sample files (conf/workers.properties, the workers how-to
# until 2008), which only the JNI worker's paths used: left over, they do nothing and harm nothing.
SAMPLE_VARIABLES = frozenset(
    {"workers.tomcat_home", "workers.java_home", "workers.apache_log", "ps"}
)
VARIABLE = re.compile(r"\$\((?P<name>[^)]*)\)")  # what jk_map_replace_properties expands

DEF_PACKET_SIZE, MAX_PACKET_SIZE, PACKET_ALIGN = 8192, 65536, 1024  # jk_ajp13.h
ACTIVATIONS = {"A": "A (active)", "D": "D (disabled)", "S": "S (stopped)"}
METHODS = {"R": "Request", "T": "Traffic", "B": "Busyness", "S": "Sessions", "N": "Next"}
LOCKS = {"O": "Optimistic", "P": "Pessimistic"}
# The status worker's page (`?mime=prop`) names an lb member's activation and state in words
# (jk_lb_worker.h JK_LB_ACTIVATION_TEXT_*, JK_LB_STATE_TEXT_*, tag JK_1_2_48; seen on the real
# 1.2.48 in tests/fixtures/balancer-runtime): ACT, DIS, STP; OK, OK/IDLE, OK/BUSY, and ERR,
# ERR/REC, ERR/FRC, ERR/PRB for a member in error (older releases: N/A for one never used).
STATUS_ACTIVATIONS = {"ACT": "A", "DIS": "D", "STP": "S"}
STATUS_ERROR_PREFIX = "ERR"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


INT_DIRECTIVES = _words(
    """port lbfactor distance connection_pool_size cachesize connection_pool_minsize
    connection_pool_timeout cache_timeout recycle_timeout connection_acquire_timeout
    socket_timeout socket_connect_timeout socket_buffer connect_timeout prepost_timeout
    reply_timeout ping_timeout connection_ping_interval retries lb_retries recovery_options
    recover_time error_escalation_time max_reply_timeouts retry_interval busy_limit
    max_packet_size maintain"""
)
BOOL_DEFAULTS = {
    "sticky_session": True,
    "sticky_session_force": False,
    "socket_keepalive": False,
    "prefer_ipv6": False,
    "set_session_cookie": False,
    "read_only": False,
    "user_case_insensitive": False,
    "disabled": False,
    "stopped": False,
}
LIST_DIRECTIVES = _words("balance_workers balanced_workers list mount user good bad")

# Words whose meaning is plain, to tell a value read as its opposite from a harmless one.
OFF_WORDS = _words("off false no none never disable disabled inactive down 0 -")
ON_WORDS = _words("on true yes enable enabled active always up 1 +")


# --- the readers ------------------------------------------------------------------------------


def atoi(value: str) -> int:
    """C atoi(): leading C whitespace, an optional sign, decimal digits; 0 without digits."""
    found = re.match(rf"[{re.escape(C_SPACE)}]*([+-]?\d+)", value)
    return bounded_int(found.group(1)) if found else 0


def jk_int(value: str) -> int:
    """jk_map_get_int: atoi() times 1024 (or 1024²) when the LAST character is k/K (m/M)."""
    factor = {"k": 1024, "m": 1024 * 1024}.get(value[-1:].lower(), 1)
    return atoi(value) * factor


def bool_code(value: str) -> bool | None:
    """jk_get_bool_code: True, False, or None when mod_jk keeps the default."""
    if value.lower() == "off" or value[:1] in ("f", "F", "n", "N") or value == "0":
        return False
    if value.lower() == "on" or value[:1] in ("t", "T", "y", "Y") or value == "1":
        return True
    return None


def _first_letter(codes: dict[str, str], default: str) -> Callable[[str], str]:
    def read(value: str) -> str:
        first = value[:1]
        return codes.get(first.upper(), codes.get(first, default))

    return read


activation_code = _first_letter({"A": "A", "0": "A", "D": "D", "1": "D", "S": "S", "2": "S"}, "A")
method_code = _first_letter(
    {"R": "R", "0": "R", "T": "T", "1": "T", "B": "B", "2": "B", "S": "S", "3": "S"}
    | {"N": "N", "4": "N"},
    "R",
)
lock_code = _first_letter({"O": "O", "0": "O", "P": "P", "1": "P"}, "O")


def ping_mode(value: str) -> str:
    """The probes mod_jk turns on, as a subset of "CPI" in that order ("" is none)."""
    found: set[str] = set()
    for char in value.upper():
        if char == "A":
            return "CPI"
        if char in "CPI":
            found.add(char)
    return "".join(letter for letter in "CPI" if letter in found)


def jk_option(options: Iterable[Sequence[str]], name: str) -> bool | None:
    """Whether JkOptions words, in the order httpd reads them, leave option `name` on: `+Name`
    and `Name` set it, `-Name` clears it, compared case-insensitively (mod_jk.c
    jk_set_options, strcasecmp); None when no word names it."""
    state = None
    for words in options:
        for word in words:
            sign = word[:1] if word[:1] in "+-" else ""
            if word[len(sign) :].lower() == name.lower():
                state = sign != "-"
    return state


def max_packet_size(value: str) -> int:
    aligned = -(-jk_int(value) // PACKET_ALIGN) * PACKET_ALIGN
    return min(max(aligned, DEF_PACKET_SIZE), MAX_PACKET_SIZE)


def split_list(value: str) -> list[str]:
    return [item for item in LIST_SEPARATORS.split(value) if item]


def reading(directive: str, value: str) -> object:
    """What mod_jk makes of `value` for `directive`: equal readings mean the same setting."""
    if directive in INT_DIRECTIVES:
        return jk_int(value)
    if directive in BOOL_DEFAULTS:
        code = bool_code(value)
        return BOOL_DEFAULTS[directive] if code is None else code
    if directive in LIST_DIRECTIVES:
        return split_list(value)
    if directive == "fail_on_status":
        return [atoi(item) for item in split_list(value)]
    readers: dict[str, Callable[[str], str]] = {
        "activation": activation_code,
        "method": method_code,
        "lock": lock_code,
        "ping_mode": ping_mode,
    }
    return readers.get(directive, str)(value)


def as_intended(value: str) -> str:
    """The value had its non-breaking spaces been spaces: what its writer saw."""
    return value.replace(NBSP, " ").strip(C_SPACE)


# --- verdicts on written values ---------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """What mod_jk does with a value that does not say what it does, and what that means."""

    kind: Kind
    message: str  # "... mod_jk uses X instead ...": follows "worker NAME: "


def _shown(value: str) -> str:
    """The value quoted, a non-breaking space shown as \\xa0."""
    return repr(value)


def _intent(value: str) -> bool | None:
    word = value.strip(C_SPACE).lower()
    return False if word in OFF_WORDS else True if word in ON_WORDS else None


def judge_activation(value: str) -> Reading | None:
    """An lb member's activation, which mod_jk reads by its first character alone."""
    code = activation_code(value)
    word = value.lower()
    if word in ("a", "active", "d", "disabled", "s", "stopped"):
        return None
    used = ACTIVATIONS[code]
    if value[:1].upper() not in "ADS" and value[:1] not in "012":
        if _intent(value) is True:
            return Reading(
                Kind.MAY_MEAN_SOMETHING_ELSE,
                f"activation {_shown(value)} is no value mod_jk knows (it reads the first "
                f"letter: A, D or S): it uses {used}, which {_shown(value)} probably meant",
            )
        return Reading(
            Kind.MEANS_SOMETHING_ELSE,
            f"activation {_shown(value)} is no value mod_jk knows (it reads the first letter: "
            f"A, D or S): it uses {used} instead, so this member takes new requests",
        )
    if value[:1] in "012":
        return Reading(
            Kind.MAY_MEAN_SOMETHING_ELSE,
            f"activation {_shown(value)}: mod_jk reads the digit as its own code for {used}, "
            "not as on or off",
        )
    if word in ("act", "dis", "stp", "disable", "stop"):
        return None
    return Reading(
        Kind.MAY_MEAN_SOMETHING_ELSE,
        f"activation {_shown(value)}: mod_jk reads only the first letter, so it uses {used}",
    )


def judge_lbfactor(value: str) -> Reading | None:
    read = jk_int(value)
    number = re.fullmatch(r"[+-]?\d+", value)
    if read >= 1:
        if number or re.fullmatch(r"\d+[kKmM]", value):
            return None
        return Reading(
            Kind.MAY_MEAN_SOMETHING_ELSE,
            f"lbfactor {_shown(value)}: mod_jk reads it as {read} (an integer, cut at the "
            "first character that is not a digit)",
        )
    if number:
        return Reading(
            Kind.MEANS_SOMETHING_ELSE,
            f"lbfactor {value}: mod_jk raises a factor below 1 to 1, so this member gets a "
            "full share of new requests (to take it out of rotation, set activation=D or S)",
        )
    return Reading(
        Kind.MAY_MEAN_SOMETHING_ELSE,
        f"lbfactor {_shown(value)} is not a whole number: mod_jk reads {read} and raises it to 1",
    )


def judge_max_packet_size(value: str) -> Reading | None:
    used = max_packet_size(value)
    if jk_int(value) == used:
        return None
    return Reading(
        Kind.MAY_MEAN_SOMETHING_ELSE,
        f"max_packet_size {_shown(value)}: mod_jk rounds it up to a multiple of 1024 within "
        f"8192-65536, so it uses {used} instead (the AJP connector's packetSize must be "
        f"{used} too)",
    )


def judge_pool_size(value: str) -> Reading | None:
    read = jk_int(value)
    if read > 0:
        return None
    if read == 0:
        return Reading(
            Kind.MEANS_SOMETHING_ELSE,
            f"connection_pool_size {_shown(value)} reads as 0: mod_jk gives the worker no "
            "connection slot, so every request it should serve gets HTTP 503 ('Unable to get "
            "the free endpoint ... from 0 slots')",
        )
    return Reading(
        Kind.MAY_MEAN_SOMETHING_ELSE,
        f"connection_pool_size {_shown(value)}: mod_jk ignores a negative size and uses "
        "cachesize or its default (httpd's threads per process) instead",
    )


def judge_ping_mode(value: str) -> Reading | None:
    used = ping_mode(value)
    unknown = sorted({c for c in value if c.upper() not in "CPIA"})
    if not unknown:
        return None
    said = f"mod_jk reads ping_mode {_shown(value)} letter by letter (C, P, I, A) and skips "
    said += ", ".join(map(_shown, unknown))
    intent = _intent(value)
    if not used:
        if intent is False:
            return Reading(
                Kind.REDUNDANT,
                f"{said}: no probe, which is the default anyway (leave ping_mode out)",
            )
        return Reading(Kind.MEANS_SOMETHING_ELSE, f"{said}: it probes no connection")
    if intent is False:
        return Reading(
            Kind.MEANS_SOMETHING_ELSE,
            f"{said}: it uses {used}, so it probes connections {_probes(used)}",
        )
    return Reading(
        Kind.MAY_MEAN_SOMETHING_ELSE,
        f"{said}: it uses {used}, probing connections {_probes(used)}",
    )


def _probes(letters: str) -> str:
    words = {"C": "after connecting", "P": "before each request", "I": "when idle"}
    return ", ".join(words[letter] for letter in letters)


def judge_bool(directive: str, value: str) -> Reading | None:
    if bool_code(value) is not None:
        return None
    default = BOOL_DEFAULTS[directive]
    said = (
        f"{directive} {_shown(value)} is neither true nor false to mod_jk (on/off, 1/0 or a "
        f"first letter t, y, f, n): it keeps its default, {str(default).lower()}"
    )
    intent = _intent(value)
    if intent is not None and intent != default:
        return Reading(Kind.MEANS_SOMETHING_ELSE, said)
    return Reading(Kind.MAY_MEAN_SOMETHING_ELSE, said)


def judge_code(directive: str, value: str) -> Reading | None:
    """lb `method` and `lock`: a first letter mod_jk does not know leaves the default."""
    codes, read = (METHODS, method_code) if directive == "method" else (LOCKS, lock_code)
    used = codes[read(value)]
    if value.lower() in (used.lower(), used[0].lower()) or value[:1].upper() in codes:
        return None
    if value[:1].isascii() and value[:1].isdigit() and int(value[:1]) < len(codes):
        return None
    return Reading(
        Kind.MAY_MEAN_SOMETHING_ELSE,
        f"{directive} {_shown(value)} is no value mod_jk knows (it reads the first letter of "
        f"{', '.join(codes.values())}): it uses {used} instead",
    )


# What judges a written value of an AJP worker, and of an lb; lb members' values apart.
AJP_JUDGES: dict[str, Callable[[str], Reading | None]] = {
    "max_packet_size": judge_max_packet_size,
    "connection_pool_size": judge_pool_size,
    "ping_mode": judge_ping_mode,
    "socket_keepalive": lambda value: judge_bool("socket_keepalive", value),
    "prefer_ipv6": lambda value: judge_bool("prefer_ipv6", value),
}
LB_JUDGES: dict[str, Callable[[str], Reading | None]] = {
    "sticky_session": lambda value: judge_bool("sticky_session", value),
    "sticky_session_force": lambda value: judge_bool("sticky_session_force", value),
    "method": lambda value: judge_code("method", value),
    "lock": lambda value: judge_code("lock", value),
}
MEMBER_JUDGES: dict[str, Callable[[str], Reading | None]] = {
    "activation": judge_activation,
    "lbfactor": judge_lbfactor,
}


# --- hosts and ports ----------------------------------------------------------------------------

_NAME = re.compile(r"[A-Za-z0-9_.-]+")
RESERVED_INVALID = "invalid"  # RFC 6761 6.4: resolvers answer every name in it "no such name"


def left_as_written(value: str) -> str | None:
    """The first `$(NAME)` still in a value (nothing defined NAME before it): mod_jk keeps the
    text unless httpd's environment defines NAME, which only the running httpd knows."""
    found = VARIABLE.search(value)
    return found.group(0) if found else None


def unresolvable(host: str) -> str | None:
    """Why `host` can never resolve as mod_jk hands it to the resolver, or None when it may.

    Only what no name or address can be is judged here, and a `$(NAME)` nothing defined before
    (then only httpd's environment can fill it in); whether a good name resolves on the httpd
    host is the network's business, except in the reserved .invalid domain, where none does. A
    host of digits and dots never reaches the resolver (inet_addr() takes it)."""
    token = left_as_written(host)
    if token is not None:
        return (
            f"{token} is not defined before it in workers.properties: unless httpd's "
            f"environment defines {token[2:-1]}, mod_jk keeps the text {token} as the host"
        )
    if _NAME.fullmatch(host):
        if host.rstrip(".").lower().rpartition(".")[2] == RESERVED_INVALID:
            return "no name in the reserved .invalid domain resolves (RFC 6761)"
        return None
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
        return None
    except ValueError:
        pass
    if NBSP in host:
        return "it holds a non-breaking space, which mod_jk does not trim"
    if host.startswith("$"):
        return (
            f"'{host.split()[0]}' is no variable to mod_jk: it expands only $(NAME), from "
            "workers.properties or httpd's environment"
        )
    if re.fullmatch(r"\[?[^\]]*\]?:\d+", host):
        return (
            "no release splits a port off the host, though workers.xml says one may be "
            "embedded: set it with port"
        )
    if any(char in host for char in "()<>"):
        return "it is a placeholder, not a host name"
    if any(char in host for char in "\"'"):
        return "the quotes are part of the value: mod_jk does not remove them"
    bad = sorted({char for char in host if not _NAME.fullmatch(char)})
    return f"a host name has no {', '.join(map(_shown, bad))}"


def disabled(host: str | None, port: int | None) -> bool:
    """ajp_validate leaves the worker no address: a port of 0 or less, or a host that cannot
    resolve (None: the default, localhost, or the type's default port)."""
    return (port is not None and port <= 0) or (host is not None and unresolvable(host) is not None)


# --- requests handed to mod_jk without a worker -------------------------------------------------

# mod_jk's handler (mod_jk.c JK_HANDLER) and the environment variable that names the worker for
# a request given to it by SetHandler, AddHandler or RewriteRule [H=]: JK_ENV_WORKER_NAME, the
# default of JkWorkerIndicator (tag JK_1_2_48, native/apache-2.0/mod_jk.c), which the reference
# (xdocs/reference/apache.xml) sets with SetEnvIf or RewriteRule. httpd lower-cases a handler's
# name (2.4.62 server/core.c core_override_type, modules/http/mod_mime.c add_extension_info);
# apr tables compare variable names ignoring case.
JK_HANDLER = "jakarta-servlet"
WORKER_INDICATOR = "JK_WORKER_NAME"
HANDLER_DIRECTIVES = _words("sethandler addhandler")
ENV_DIRECTIVES = _words(
    "setenv setenvif setenvifnocase setenvifexpr browsermatch browsermatchnocase rewriterule"
)
# Implicit mapping: up to 1.2.48, jk_handler sent a request that reached it without a worker
# (no JkMount matched it, no JK_WORKER_NAME named one) to the only worker of worker.list, else
# to the first (the "Using first worker" branch; the reference's apache.xml said so for
# SetHandler). 1.2.49 removed it (xdocs/miscellaneous/changelog.xml, "Changes between 1.2.48
# and 1.2.49": "Remove support for implicit mapping of requests to workers. All mappings must
# now be explicit."; commit 0095b6cb8): the handler declines such a request and httpd answers
# it itself (its own files, a directory listing, or 404). The same change is the fix for
# CVE-2023-41081 (knowledge.frontend): under JkOptions +ForwardDirectories an unmapped
# directory went to the first worker, which could be the status worker. Since, a directory
# reaches Tomcat only through a mapping that forwards it without the option too.
IMPLICIT_MAPPING_REMOVED: tuple[int, int, int] = (1, 2, 49)
FORWARD_DIRECTORIES = "ForwardDirectories"


def maps_implicitly(version: tuple[int, int, int]) -> bool:
    """Whether this mod_jk release sends a request without a worker to worker.list's first."""
    return version < IMPLICIT_MAPPING_REMOVED
