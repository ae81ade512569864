"""How httpd 2.4's mod_proxy, mod_proxy_balancer and mod_proxy_ajp read their parameters, and
the defaults they apply.

Facts from apache/httpd branch 2.4.x (commit f45abec1bd, October 2024) and its release tags,
where each function is named here; the documentation is docs/manual/mod/mod_proxy.xml
(https://httpd.apache.org/docs/2.4/mod/mod_proxy.html) and core.xml (Timeout).
The real httpd (Debian's apache2) that tests/checks/test_proxy_real_httpd.py starts confirms the
readings the verdicts rely on. No httpd code is copied: these are its rules, written as Python.

- Parameter names (mod_proxy.c `set_worker_param`, `set_balancer_param`) are compared
  case-insensitively; a name neither knows makes httpd refuse to start ("BalancerMember unknown
  Worker parameter", "ProxyPass unknown Balancer parameter"). The parameters of mod_proxy_hcheck
  (`hc...`) are known only when that module is loaded.
- Numbers: `retry`, `ttl`, `min`, `max`, `smax`, `timeout`, `lbset`, `flushwait`, `maxattempts`,
  `growth` are read with C atoi() (a unit after the digits is ignored: `timeout=500ms` is 500
  seconds); `ping`, `connectiontimeout` (default unit s) and `acquire` (default unit ms) with
  util.c `ap_timeout_parameter_parse`, which knows the units ms, s, mi(n) and h.
- `status` (`ap_proxy_set_wstatus`): each letter sets a flag, `+` before a letter sets it and
  `-` clears it; a letter not in mod_proxy.c `proxy_wstat_tbl` is refused.
- A worker is defined once: a second BalancerMember (or ProxyPass) with the same URL shares the
  first and its parameters are ignored (AH01146, AH01150).
- AJP packet size (mod_proxy_ajp.c `ap_proxy_ajp_request`): the request's server's
  ProxyIOBufferSize when set, else AJP_MSG_BUFFER_SZ (8192), kept within 8192 and
  AJP_MAX_BUFFER_SZ (65536), rounded up to a multiple of 1024 (APR_ALIGN); the worker's own
  `iobuffersize=` is not used by AJP.
- Timeouts (proxy_util.c `ap_proxy_connect_backend`): connecting waits `connectiontimeout`, else
  the worker's `timeout`, else ProxyTimeout, else the server's Timeout; reading a reply waits
  the worker's `timeout`, else ProxyTimeout, else Timeout. A worker copies the ProxyTimeout its
  server has when it is defined (mod_proxy.h PROXY_COPY_CONF_PARAMS).
- Connections per child process (proxy_util.c `ap_proxy_initialize_worker`): `max`, when 0 or
  not set the MPM's threads per child; one under prefork whatever `max` says.
- Modules: mod_proxy defines every directive (without it, "Invalid command 'ProxyPass'"); a URL
  is served by the module that registers its scheme (`proxy_hook_scheme_handler`): without
  mod_proxy_ajp an `ajp://` worker gets HTTP 500 ("AH01144: No protocol handler was valid"), as
  a `balancer://` does without mod_proxy_balancer, and a balancer's `ajp://` members get the
  requests it sends them answered 503 ("AH00934: all workers are busy"). mod_proxy_balancer
  gives every balancer its lbmethod's provider at start (`balancer_post_config`): a balancer
  without `lbmethod=` needs mod_lbmethod_byrequests, else httpd does not start ("AH02432:
  Cannot find LB Method: byrequests"). All observed with the real httpd.
"""

from __future__ import annotations

import re

from clustercheck.knowledge.modjk import atoi
from clustercheck.knowledge.tomcat import Version, parse_version

DEFAULT_TIMEOUT_S = 60  # core.html#timeout: "Default: Timeout 60"
AJP_DEFAULT_PORT = 8009  # ajp.h AJP13_DEF_PORT; proxy_util.c `pschemes`
AJP_MSG_BUFFER_SZ = 8192  # ajp.h: the packet size when ProxyIOBufferSize is not set
AJP_MAX_BUFFER_SZ = 65536  # ajp.h
IO_BUFFER_MIN = 512  # mod_proxy.c `set_io_buffer_size`: below it (but 0) httpd refuses to start
SECRET_MAX = 63  # mod_proxy.h PROXY_WORKER_MAX_SECRET_SIZE 64, with its terminating NUL
ROUTE_MAX = 63  # PROXY_WORKER_MAX_ROUTE_SIZE 64
DEFAULT_LBMETHOD = "byrequests"  # mod_proxy.html, balancer parameters
BALANCER_SCHEME = "balancer://"

# Worker (BalancerMember, ProxyPass to a URL) parameters -> the first 2.4 release that knows it
# (None: 2.4.1, the first release). Older releases refuse the parameter ("unknown Worker
# parameter"): found by the parameter's name in mod_proxy.c `set_worker_param` at each tag.
WORKER_PARAMETERS: dict[str, Version | None] = {
    **dict.fromkeys(
        [
            "loadfactor",
            "retry",
            "ttl",
            "min",
            "max",
            "smax",
            "acquire",
            "timeout",
            "iobuffersize",
            "receivebuffersize",
            "keepalive",
            "disablereuse",
            "route",
            "redirect",
            "status",
            "flushpackets",
            "flushwait",
            "ping",
            "lbset",
            "connectiontimeout",
            "flusher",
        ]
    ),
    "enablereuse": (2, 4, 11),
    "upgrade": (2, 4, 26),
    "responsefieldsize": (2, 4, 34),
    "secret": (2, 4, 42),  # mod_proxy_ajp sends it (CHANGES 2.4.42, PR 53098)
    "addressttl": (2, 4, 59),
}
# mod_proxy_hcheck.c `set_worker_hc_param` (2.4.21): known only with mod_proxy_hcheck loaded.
HCHECK_PARAMETERS = frozenset(
    ["hctemplate", "hcmethod", "hcinterval", "hcpasses", "hcfails", "hcuri", "hcexpr"]
)
HCHECK_MODULE = "proxy_hcheck_module"
# Balancer (ProxyPass to balancer://, ProxySet and <Proxy balancer://>) parameters.
BALANCER_PARAMETERS: dict[str, Version | None] = {
    **dict.fromkeys(
        [
            "stickysession",
            "nofailover",
            "timeout",
            "maxattempts",
            "lbmethod",
            "scolonpathdelim",
            "failonstatus",
            "nonce",
            "growth",
        ]
    ),
    "forcerecovery": (2, 4, 2),
    "stickysessionsep": (2, 4, 4),
    "failontimeout": (2, 4, 5),
}
# Parameters read with C atoi()/atol(): a unit or a fraction after the digits is dropped, and
# those in SECONDS count whole seconds (`timeout=500ms` is 500 seconds).
WHOLE_NUMBERS = frozenset(
    {"retry", "ttl", "min", "max", "smax", "timeout", "lbset", "flushwait", "maxattempts"}
    | {"growth", "iobuffersize", "receivebuffersize", "responsefieldsize"}
)
SECONDS = frozenset(["retry", "ttl", "timeout", "proxytimeout"])  # and Timeout (core.c)
PROXY_MODULE = "proxy_module"  # mod_proxy.c: ProxyPass, BalancerMember, ProxySet, <Proxy>...
# The module that serves each scheme of a ProxyPass or BalancerMember URL (of those the front
# end of a Tomcat cluster uses).
SCHEME_MODULES = {"ajp": "proxy_ajp_module", "balancer": "proxy_balancer_module"}
# lbmethod= names (each module registers one provider, by this exact, case-sensitive name).
LBMETHODS = {
    "byrequests": "lbmethod_byrequests_module",
    "bytraffic": "lbmethod_bytraffic_module",
    "bybusyness": "lbmethod_bybusyness_module",
    "heartbeat": "lbmethod_heartbeat_module",
}
# status= letters (mod_proxy.c `proxy_wstat_tbl`; mod_proxy.html "status"); R since 2.4.34.
STATUS_FLAGS = {
    "D": "disabled: takes no request",
    "S": "stopped: takes no request",
    "N": "draining: takes only the sessions stuck to it",
    "H": "hot standby: used only when no other member can be",
    "R": "hot spare: stands in for an unusable member of its lbset",  # since 2.4.34
    "E": "in error: retried after `retry` seconds",
    "I": "ignores errors: always considered available",
    "O": "initialized",
    "G": "generic",
    "U": "shutting down",
    "F": "free",
    "C": "failed its health check",
}
# The flags that decide whether and how a member takes requests, strongest first, and what
# the front-end model calls them (Member.activation; mod_jk's letters where they mean the same).
ACTIVATION_ORDER = ("S", "D", "N", "H", "R", "E")
# The words balancer-manager shows for a member's flags, by flag letter (proxy_util.c
# `ap_proxy_parse_wstatus` over `proxy_wstat_tbl`: "Init Dis Ok ", "Init Err "; seen on the real
# 2.4 in tests/fixtures/balancer-runtime), and the flags of a member in error: E (a failed
# connection, retried after `retry`) and C (a failed mod_proxy_hcheck health check).
STATUS_WORDS = {
    "Init": "O",
    "Ign": "I",
    "Drn": "N",
    "Gen": "G",
    "Shut": "U",
    "Dis": "D",
    "Stop": "S",
    "Err": "E",
    "Stby": "H",
    "Spar": "R",
    "Free": "F",
    "HcFl": "C",
}
ERROR_FLAGS = frozenset({"E", "C"})
# Default ports of a worker URL without one (apr_uri_port_of_scheme; mod_proxy_ajp.c for ajp).
SCHEME_PORTS = {"ajp": AJP_DEFAULT_PORT, "http": 80, "https": 443, "h2c": 80, "h2": 443}


_TIMEOUT = re.compile(r"([+-]?\d+)(.*)", re.S)
_UNITS_S = {"s": 1.0, "h": 3600.0, "ms": 0.001, "mi": 60.0}


def timeout_parameter_ms(value: str, default_unit: str) -> float | None:
    """util.c `ap_timeout_parameter_parse` in milliseconds: digits, then a unit (`ms`, `s`,
    `mi`..., `h`: only its first letters count), else `default_unit`; None when httpd refuses
    it (no digits, a negative number, an unknown unit)."""
    found = _TIMEOUT.match(value)
    if found is None or found.group(1).startswith("-"):
        return None
    unit = found.group(2) or default_unit
    key = unit[:2] if unit.startswith("m") else unit[:1]
    if key not in _UNITS_S:
        return None
    return int(found.group(1)) * _UNITS_S[key] * 1000.0


def seconds_ms(value: str) -> float:
    """A parameter httpd reads in whole seconds with atoi(), in milliseconds."""
    return atoi(value) * 1000.0


def ajp_packet_size(io_buffer_size: int | None) -> int:
    """The AJP packet size mod_proxy_ajp uses for a ProxyIOBufferSize (None: not set)."""
    size = AJP_MSG_BUFFER_SZ if io_buffer_size is None else io_buffer_size
    size = min(max(size, AJP_MSG_BUFFER_SZ), AJP_MAX_BUFFER_SZ)
    return -(-size // 1024) * 1024


def activation(status: str) -> str:
    """The member's state by the status= flags it sets: S, D, N, H, R or E (the first of
    ACTIVATION_ORDER that is set), else A (active)."""
    flags = status_flags(status)
    if flags is None:
        return "A"
    return next((flag for flag in ACTIVATION_ORDER if flag in flags), "A")


def status_flags(status: str) -> set[str] | None:
    """The flags status= leaves set (`ap_proxy_set_wstatus`: each letter sets its flag, or
    clears it once a `-` came before it, until a `+`); None when httpd refuses the value (an
    unknown letter, a sign at the end)."""
    flags: set[str] = set()
    setting = True
    at = 0
    while at < len(status):
        if status[at] in "+-":
            setting = status[at] == "+"
            at += 1
            if at == len(status):
                return None  # a sign with no letter after it
        flag = status[at].upper()
        if flag not in STATUS_FLAGS:
            return None
        if setting:
            flags.add(flag)
        else:
            flags.discard(flag)
        at += 1
    return flags


def since(parameters: dict[str, Version | None], name: str, version: str | None) -> str | None:
    """The release that added a parameter when `version` (x.y.z: "2.4" alone does not tell)
    is older than it, else None."""
    added = parameters.get(name.lower())
    current = parse_version(version) if re.match(r"\d+\.\d+\.\d+", version or "") else None
    if added is None or current is None or current >= added:
        return None
    return ".".join(map(str, added))
