"""httpd's mod_proxy, mod_proxy_balancer and mod_proxy_ajp directives as httpd 2.4 reads them
(mod_proxy.c `add_pass`, `add_member`, `set_proxy_param`, `proxysection`, `add_pass_reverse`,
`merge_proxy_config`), and the MPM directives that size its connection pools.

The input is the directive list httpd reads, in order, with the sections around each one
(collect has evaluated IfModule, IfDefine and `${VAR}` already). What is read is kept per
server, as httpd keeps it: the main server, and each `<VirtualHost>` (named by its section, so
two VirtualHost sections written alike are read as one). A server's balancers, workers and
ProxyTimeout are its own while the file is read; a VirtualHost inherits the main server's
balancers, ProxyPass rules, ProxyIOBufferSize, ProxyTimeout and Timeout when httpd merges them
(`effective_balancer`, `setting`). What httpd refuses or reads otherwise than written is a
Problem; what the values mean (units, defaults, versions) is knowledge.modproxy's and the front-end
model's (derive.frontend_proxy).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from clustercheck.knowledge import modproxy
from clustercheck.knowledge.modjk import atoi
from clustercheck.knowledge.secrets import is_secret_name
from clustercheck.parsers.httpd import Directive, split_section
from clustercheck.parsers.text import Kind, Problem

MAIN = ""  # the main server's name
_LOCATIONS = frozenset({"location", "locationmatch"})
_DIRECTORIES = frozenset({"directory", "directorymatch", "files", "filesmatch"})
_PROXY_SECTIONS = frozenset({"proxy", "proxymatch"})
_PASS_FLAGS = frozenset({"nocanon", "interpolate", "noquery"})
_SERVER_SETTINGS = frozenset(
    {"proxyiobuffersize", "proxytimeout", "timeout", "balancerinherit", "proxypassinherit"}
)


@dataclass(frozen=True)
class Param:
    """One `key=value` parameter as written, and where."""

    name: str  # as written; httpd compares names case-insensitively (`key`)
    value: str
    file: str
    line: int | None  # None: an argument of a `<Proxy ...>` section line, which is not known
    directive: str  # what precedes it, as a user greps for it: `BalancerMember ajp://h:8009`,
    # `ProxyPass /app balancer://c/`, `ProxySet`, `ProxySet balancer://c`, `<Proxy balancer://c`

    @property
    def key(self) -> str:
        return self.name.lower()

    @property
    def shown(self) -> str:
        """`name=value` for messages, the value left out when it is a secret."""
        return (
            f"{self.name}=(not shown)" if is_secret_name(self.name) else f"{self.name}={self.value}"
        )


@dataclass(frozen=True)
class Value:
    """A directive that takes one value (ProxyTimeout, ServerLimit...), as written, and where."""

    directive: str  # as written
    value: str
    file: str
    line: int


@dataclass
class ProxyWorker:
    """A BalancerMember, or the worker a ProxyPass (or `<Proxy URL>`, ProxySet URL) defines for
    a URL: one connection pool to one backend."""

    url: str  # as written, quotes removed
    scheme: str  # lower-cased
    host: str  # as the URL names it; an IPv6 address without its brackets
    port: int | None  # None: not in the URL, the scheme's default applies
    file: str
    line: int
    directive: str  # BalancerMember, ProxyPass, ProxyPassMatch, ProxySet, <Proxy>
    params: dict[str, Param] = field(default_factory=dict)  # by lower-cased name: the one used
    proxy_timeout: Value | None = None  # the server's ProxyTimeout when it was defined


@dataclass
class ProxyBalancer:
    """A `balancer://` of mod_proxy_balancer: its parameters and members in one server."""

    name: str  # `balancer://name`, lower-cased, without a path (ap_proxy_define_balancer)
    file: str
    line: int | None
    params: dict[str, Param] = field(default_factory=dict)
    members: list[ProxyWorker] = field(default_factory=list)


@dataclass(frozen=True)
class ProxyMapping:
    """A ProxyPass or ProxyPassMatch rule."""

    directive: str  # ProxyPass | ProxyPassMatch, as written
    path: str  # the local path or regex (from its <Location> when inside one)
    url: str  # as written; `!` excludes the path
    regex: bool
    file: str
    line: int
    balancer: str | None  # the normalised `balancer://name` it sends to
    worker: str | None  # the url of the worker it sends to (its server's `workers`)

    @property
    def excluded(self) -> bool:
        return self.url == "!"


@dataclass
class ProxyServer:
    """The main server or one VirtualHost: what it sets itself, before httpd merges."""

    name: str  # MAIN, or the VirtualHost section as written: `<VirtualHost *:80>`
    settings: dict[str, Value] = field(default_factory=dict)  # lower-cased directive -> value
    mappings: list[ProxyMapping] = field(default_factory=list)
    balancers: dict[str, ProxyBalancer] = field(default_factory=dict)
    workers: list[ProxyWorker] = field(default_factory=list)  # not in a balancer


@dataclass
class ProxySettings:
    """What mod_proxy takes from httpd's directives (the MPM's: parsers/httpd_mpm)."""

    servers: list[ProxyServer] = field(default_factory=lambda: [ProxyServer(MAIN)])
    problems: list[Problem] = field(default_factory=list)

    @property
    def main(self) -> ProxyServer:
        return self.servers[0]

    def inherits(self, server: ProxyServer) -> bool:
        """A VirtualHost gets the main server's balancers and workers unless BalancerInherit
        and ProxyPassInherit are both Off (merge_proxy_config)."""
        if server is self.main:
            return False
        flags = [self.setting(server, key) for key in ("balancerinherit", "proxypassinherit")]
        return any(flag is None or flag.value.lower() != "off" for flag in flags)

    def setting(self, server: ProxyServer, key: str) -> Value | None:
        """A server's ProxyIOBufferSize, ProxyTimeout, Timeout...: its own, else the main
        server's (httpd merges each over the main server's; a Timeout of 0 is unset)."""
        own = server.settings.get(key)
        if own is not None and not (key == "timeout" and atoi(own.value) == 0):
            return own
        return self.main.settings.get(key) if server is not self.main else None

    def effective_balancer(self, server: ProxyServer, name: str) -> ProxyBalancer | None:
        """The balancer a server's requests use: its own, merged over the main server's
        (merge_balancers: the members are the main server's, each parameter the VirtualHost's
        when it sets it)."""
        own = server.balancers.get(name)
        base = self.main.balancers.get(name) if self.inherits(server) else None
        if base is None or own is None:
            return own or base
        return ProxyBalancer(own.name, own.file, own.line, base.params | own.params, base.members)

    def effective_worker(self, server: ProxyServer, url: str) -> ProxyWorker | None:
        """The worker a request for `url` uses: the longest worker URL it starts with, the
        server's own before the main server's."""
        pools = [server.workers]
        if self.inherits(server):
            pools.append(self.main.workers)
        for pool in pools:
            found = _longest(pool, url)
            if found is not None:
                return found
        return None

    def params(self) -> Iterator[Param]:
        """Every parameter kept (for the secrets a report must hide)."""
        for server in self.servers:
            for balancer in server.balancers.values():
                yield from balancer.params.values()
                for member in balancer.members:
                    yield from member.params.values()
            for worker in server.workers:
                yield from worker.params.values()


def proxy_settings(directives: Sequence[Directive]) -> ProxySettings:
    """The mod_proxy settings of httpd's directives (in the order httpd reads them)."""
    reader = _Reader()
    try:
        for directive in directives:
            reader.read(directive)
    except Exception as exc:  # a parser never raises
        where = reader.current.file if reader.current else ""
        message = f"mod_proxy settings could not be read completely ({type(exc).__name__})"
        reader.settings.problems.append(Problem(where, None, message, Kind.UNREADABLE))
    return reader.settings


# --- URLs -------------------------------------------------------------------------------------


def balancer_name(url: str) -> str | None:
    """`balancer://name` as httpd keys it: lower-cased, its path removed; None when it is no
    `scheme://host` (httpd: "Bad syntax for a balancer name")."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme or not rest or rest.startswith("/"):
        return None
    return f"{scheme}://{rest.split('/', 1)[0]}".lower()


def is_balancer(url: str) -> bool:
    return url[: len(modproxy.BALANCER_SCHEME)].lower() == modproxy.BALANCER_SCHEME


def _normal(url: str) -> str:
    """A URL as httpd compares workers: scheme and host lower-cased, the path as written."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    authority, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{authority.lower()}{slash}{path}"


def _longest(workers: list[ProxyWorker], url: str) -> ProxyWorker | None:
    wanted = _normal(url)
    found = [w for w in workers if wanted.startswith(_normal(w.url))]
    return max(found, key=lambda w: len(w.url)) if found else None


_AUTHORITY = re.compile(r"^(?:[^@/]*@)?(\[[^\]]*\]|[^:/]*)(?::([^/]*))?")


def _address(url: str) -> tuple[str, str, int | None] | str:
    """(scheme, host, port) of a worker URL, or why httpd cannot parse it."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme:
        return f"{url!r} is no URL (scheme://host)"
    found = _AUTHORITY.match(rest)
    assert found is not None  # every group may be empty
    host, port = found.group(1), found.group(2)
    if port is not None and port != "" and (not port.isdigit() or int(port) > 65535):
        return f"the port of {url!r} is no number httpd can use"
    return scheme.lower(), host.strip("[]"), int(port) if port else None


# --- the reader -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """Where a directive sits: its server, the <Proxy> section and the path section around it."""

    server: ProxyServer
    proxy: tuple[str, str, tuple[str, ...]] | None  # (label, name, arguments) of <Proxy ...>
    path: tuple[str, str] | None  # (section as written, path): <Location>, <Directory>, <Proxy>


class _Reader:
    def __init__(self) -> None:
        self.settings = ProxySettings()
        self.loaded: set[str] = set()  # modules loaded so far (LoadModule names, lower-cased)
        self.current: Directive | None = None
        self.seen_sections: set[tuple[str, str]] = set()  # (server, <Proxy> label) read
        # parameters a <Proxy> section's line set: (target, key) -> the section's label
        self.section_set: dict[tuple[int, str], str] = {}

    # reporting

    def problem(self, kind: Kind, message: str, line: int | None = None) -> None:
        assert self.current is not None
        where = self.current.line if line is None else line
        self.settings.problems.append(Problem(self.current.file, where, message, kind))

    def refused(self, message: str) -> None:
        self.problem(Kind.REFUSES_TO_START, f"{message}: httpd refuses to start")

    # dispatch

    def read(self, directive: Directive) -> None:
        self.current = directive
        name = directive.lname
        context = self.context(directive)
        if context.proxy is not None:
            self.proxy_section(context)
        if name == "loadmodule":
            self.load_module(directive)
        elif name in _SERVER_SETTINGS and directive.args:
            self.server_setting(context.server, directive)
        elif name in ("proxypass", "proxypassmatch"):
            self.proxy_pass(context, directive)
        elif name == "balancermember":
            self.member(context, directive)
        elif name == "proxyset":
            self.proxy_set(context, directive)
        elif name == "proxypassreverse":
            self.reverse(context, directive)

    def context(self, directive: Directive) -> _Context:
        server, proxy, path = MAIN, None, None
        for label in directive.sections:
            section, args = split_section(label)
            if section == "virtualhost":
                server = label
            elif section in _PROXY_SECTIONS and args:
                name = args[0].removesuffix(">")
                name = name[len("proxy:") :] if name.lower().startswith("proxy:") else name
                proxy = (label, name, args[1:])
                path = (section, name)  # ProxyPass takes its path from it too (cmd->path)
            elif section in _LOCATIONS | _DIRECTORIES:
                path = (label[1:].split(" ", 1)[0].rstrip(">"), args[0] if args else "")
        return _Context(self.server(server), proxy, path)

    def server(self, name: str) -> ProxyServer:
        """The server of that name, from its first directive on."""
        found = next((s for s in self.settings.servers if s.name == name), None)
        if found is None:
            found = ProxyServer(name)
            self.settings.servers.append(found)
        return found

    def value(self, directive: Directive) -> Value:
        return Value(directive.name, directive.args[0], directive.file, directive.line)

    def load_module(self, directive: Directive) -> None:
        if not directive.args:
            return
        module = directive.args[0].lower()
        self.loaded.add(module)

    def server_setting(self, server: ProxyServer, directive: Directive) -> None:
        value = self.value(directive)
        name = directive.lname
        number = atoi(value.value)
        if name == "proxyiobuffersize" and 0 < number < modproxy.IO_BUFFER_MIN:
            self.refused("ProxyIOBufferSize must be >= 512 bytes, or 0 for system default")
        elif name == "proxytimeout" and number < 1:
            self.refused("ProxyTimeout must be at least 1 second")
        elif name in ("proxytimeout", "timeout"):
            self.whole_number(
                name, f"{value.directive} {value.value}", value.value, value.directive
            )
        server.settings[name] = value

    # sections

    def proxy_section(self, context: _Context) -> None:
        """`<Proxy balancer://c lbmethod=...>`: the section defines the balancer (or worker)
        it names, and its arguments are parameters of it (proxysection)."""
        assert context.proxy is not None
        label, name, args = context.proxy
        key = (context.server.name, label)
        if key in self.seen_sections:
            return
        self.seen_sections.add(key)
        if not args:
            return  # the section only holds directives: it defines nothing itself
        target: ProxyBalancer | ProxyWorker | None
        if is_balancer(name):
            target = self.balancer(context.server, name, label)
        elif "://" in name and not re.search(r"[*?\[]", name):
            target = self.worker(context.server, name, label, None)
        else:
            self.refused(f"{label}: arguments are supported only for worker and balancer URLs")
            return
        if target is None:
            return
        section = label.split(" ", 1)[0]
        for word in args:
            param = self.param(word, f"{section} {name}", line=None)
            if param is None:
                self.refused(f"{label}: parameter {word!r} is not in the form key=value")
                return
            self.set(target, param, context)
            self.section_set[(id(target), param.key)] = label

    # directives

    def proxy_pass(self, context: _Context, directive: Directive) -> None:
        """ProxyPass / ProxyPassMatch (add_pass)."""
        label = directive.name
        if context.path is not None and context.path[0].lower() in _DIRECTORIES:
            self.refused(f"{label} cannot occur within <{context.path[0]}> section")
            return
        regex = directive.lname == "proxypassmatch"
        in_location = context.path is not None
        path = context.path[1] if context.path is not None else None
        url = None
        params: list[Param] = []
        for word in directive.args:
            if path is None:
                if word == "~":
                    if regex:
                        self.refused("ProxyPassMatch invalid syntax ('~' usage)")
                        return
                    regex = True
                    continue
                path = word
            elif url is None:
                url = word
            elif word.lower() in _PASS_FLAGS:
                continue
            else:
                param = self.param(word, f"{label} {path} {url}")
                if param is None:
                    why = (
                        "can not have a path when defined in a location"
                        if (in_location and url.startswith("/"))
                        else "parameter must be in the form 'key=value'"
                    )
                    self.refused(f"{label} {why}")
                    return
                if param.key == "mapping":
                    if param.value.lower() not in ("encoded", "servlet"):
                        self.refused(f"{label}: unknown mapping {param.value!r}")
                        return
                    continue
                params.append(param)
        if url is None or path is None:
            self.refused(f"{label} needs a path and a URL")
            return
        if in_location and re.search(r"[*?\[]", path):
            regex = True
        server = context.server
        mapping = ProxyMapping(label, path, url, regex, directive.file, directive.line, None, None)
        if url == "!":
            server.mappings.append(mapping)
            return
        if is_balancer(url):
            balancer = self.balancer(server, url)
            if balancer is None:
                return
            for param in params:
                self.set(balancer, param, context)
            reached = balancer_name(url.split("$", 1)[0]) if regex else balancer.name
            if reached != balancer.name and params:
                self.problem(
                    Kind.MEANS_SOMETHING_ELSE,
                    f"{label} {path} {url}: httpd gives {', '.join(p.shown for p in params)} to a "
                    f"balancer named {balancer.name}, not to {reached}, which the requests "
                    "reach once $1 is filled in: they have no effect (end the name with `/` "
                    "before the $)",
                )
            server.mappings.append(replace(mapping, balancer=reached or balancer.name))
            return
        worker = self.worker(server, url, label, params, context)
        if worker is not None:
            server.mappings.append(replace(mapping, worker=worker.url))

    def member(self, context: _Context, directive: Directive) -> None:
        """BalancerMember (add_member): in a <Proxy balancer://...> or after the balancer's
        URL; then the member's URL and its parameters."""
        path = context.proxy[1] if context.proxy else None
        path = path or (context.path[1] if context.path else None)
        url = None
        words: list[str] = []  # key=value parameters
        for word in directive.args:
            if "=" in word:
                words.append(word)
            elif path is None:
                path = word
            elif url is None:
                url = word
            else:
                self.refused(
                    "BalancerMember can not have a balancer name when defined in a location"
                    if context.proxy or context.path
                    else "Invalid BalancerMember parameter: it must be in the form 'key=value'"
                )
                return
        if path is None:
            self.refused("BalancerMember must name its balancer when outside <Proxy> section")
            return
        if url is None:
            self.refused("BalancerMember must define remote proxy server")
            return
        balancer = self.balancer(context.server, path, "BalancerMember")
        if balancer is None:
            return
        address = _address(url)
        if isinstance(address, str):
            self.refused(f"BalancerMember: {address}")
            return
        params = [p for w in words if (p := self.param(w, f"BalancerMember {url}")) is not None]
        shared = next((m for m in balancer.members if _normal(m.url) == _normal(url)), None)
        if shared is not None:
            self.ignored(params, shared, "BalancerMember", url)
            return
        member = ProxyWorker(
            url,
            *address,
            directive.file,
            directive.line,
            "BalancerMember",
            proxy_timeout=context.server.settings.get("proxytimeout"),
        )
        for param in params:
            self.set(member, param, context)
        balancer.members.append(member)

    def proxy_set(self, context: _Context, directive: Directive) -> None:
        """ProxySet (set_proxy_param): in a <Proxy> section for what it names, else for the
        balancer or worker named first, which must be defined already in this server."""
        args = list(directive.args)
        if context.proxy is not None:
            name, in_section, prefix = context.proxy[1], True, "ProxySet"
        elif args:
            name, in_section = args.pop(0), False
            prefix = f"ProxySet {name}"
        else:
            self.refused("ProxySet needs a balancer or worker and parameters")
            return
        server = context.server
        target: ProxyBalancer | ProxyWorker | None
        if is_balancer(name):
            key = balancer_name(name)
            found = server.balancers.get(key) if key else None
            if found is None and not in_section:
                self.refused(f"ProxySet can not find {name!r} Balancer (define it before)")
                return
            target = found or self.balancer(server, name, "ProxySet")
        else:
            worker = _longest(server.workers, name)
            if worker is None and not in_section:
                self.refused(f"ProxySet can not find {name!r} Worker (define it before)")
                return
            target = worker or self.worker(server, name, "ProxySet", None)
        if target is None:
            return
        for word in args:
            param = self.param(word, prefix)
            if param is None:
                self.refused(f"ProxySet: parameter {word!r} is not in the form 'key=value'")
                return
            self.set(target, param, context)

    def reverse(self, context: _Context, directive: Directive) -> None:
        """ProxyPassReverse (add_pass_reverse): path and URL (only the URL in a <Location>),
        then at most `interpolate`. Any third word is taken for `interpolate`: a parameter there
        (`stickysession=`) is no parameter of anything."""
        args = directive.args
        if context.path is not None and context.path[0].lower() in _DIRECTORIES:
            self.refused(f"ProxyPassReverse cannot occur within <{context.path[0]}> section")
            return
        if not 1 <= len(args) <= 3:
            self.refused("ProxyPassReverse takes one, two or three arguments")
            return
        in_location = context.path is not None
        option = args[1] if in_location and len(args) > 1 else None
        if in_location and (len(args) > 2 or (option and option.lower() != "interpolate")):
            self.refused("ProxyPassReverse can not have a path when defined in a location")
            return
        if not in_location:
            if len(args) < 2 or args[1].lower() == "interpolate":
                self.refused("ProxyPassReverse needs a path when not defined in a location")
                return
            option = args[2] if len(args) > 2 else None
        if option is not None and option.lower() != "interpolate":
            shown = self.param(option, "ProxyPassReverse")
            what = shown.shown if shown else repr(option)
            self.problem(
                Kind.MEANS_SOMETHING_ELSE,
                f"ProxyPassReverse takes {what} for its only option, `interpolate`: it sets "
                "nothing here (a balancer's parameters go on ProxyPass or ProxySet)",
            )

    # definitions

    def balancer(
        self, server: ProxyServer, url: str, directive: str = "ProxyPass"
    ) -> ProxyBalancer | None:
        """The server's balancer for `url`, defined on first use."""
        name = balancer_name(url)
        if name is None:
            self.refused(f"{directive}: bad syntax for a balancer name ({url!r})")
            return None
        found = server.balancers.get(name)
        if found is None:
            assert self.current is not None
            found = ProxyBalancer(name, self.current.file, self.current.line)
            server.balancers[name] = found
        return found

    def worker(
        self,
        server: ProxyServer,
        url: str,
        directive: str,
        params: list[Param] | None,
        context: _Context | None = None,
    ) -> ProxyWorker | None:
        """The worker for `url`: one already defined whose URL it starts with is shared (and
        `params` are ignored, AH01146), else a new one with `params`."""
        shared = _longest(server.workers, url)
        if shared is not None:
            self.ignored(params or [], shared, directive, url)
            return shared
        address = _address(url)
        if isinstance(address, str):
            self.refused(f"{directive}: {address}")
            return None
        assert self.current is not None
        worker = ProxyWorker(
            url,
            *address,
            self.current.file,
            self.current.line,
            directive,
            proxy_timeout=server.settings.get("proxytimeout"),
        )
        for param in params or []:
            self.set(worker, param, context)
        server.workers.append(worker)
        return worker

    def ignored(self, params: list[Param], shared: ProxyWorker, directive: str, url: str) -> None:
        if params:
            self.problem(
                Kind.MEANS_SOMETHING_ELSE,
                f"{directive} {url}: httpd shares the worker defined at {shared.file}:"
                f"{shared.line} and ignores {', '.join(p.shown for p in params)} (AH01146)",
            )

    # parameters

    def param(self, word: str, directive: str, line: int | None = -1) -> Param | None:
        name, sep, value = word.partition("=")
        if not sep:
            return None
        assert self.current is not None
        where = self.current.line if line == -1 else line
        return Param(name, value, self.current.file, where, directive)

    def set(
        self, target: ProxyBalancer | ProxyWorker, param: Param, context: _Context | None
    ) -> None:
        """Check a parameter as httpd does and keep it; one set again replaces the earlier."""
        is_worker = isinstance(target, ProxyWorker)
        why = self.refusal(param, worker=is_worker)
        if why is not None:
            self.refused(f"{param.directive}: {why}")
            return
        earlier = target.params.get(param.key)
        section = self.section_set.get((id(target), param.key))
        inside = context.proxy[0] if context is not None and context.proxy else None
        if section is not None and inside == section:
            return  # a <Proxy> section's arguments are applied after what it holds
        self.whole_number(param.key, param.shown, param.value, param.directive)
        if earlier is not None and earlier.value != param.value:
            self.problem(
                Kind.OVERRIDDEN,
                f"{param.shown} replaces {earlier.shown} given at "
                f"{earlier.file}:{earlier.line or '?'} for {_subject(target)}",
            )
        target.params[param.key] = param

    def whole_number(self, key: str, shown: str, value: str, directive: str) -> None:
        """A value httpd reads with atoi() that has more than digits: the rest is dropped."""
        if key not in modproxy.WHOLE_NUMBERS | modproxy.SECONDS or re.fullmatch(r"[+-]?\d+", value):
            return
        unit = " seconds" if key in modproxy.SECONDS else ""
        self.problem(
            Kind.MEANS_SOMETHING_ELSE,
            f"{directive}: httpd reads {shown} as {atoi(value)}{unit}: it takes a whole number "
            "and ignores what follows the digits",
        )

    def refusal(self, param: Param, worker: bool) -> str | None:
        """Why httpd refuses this parameter (set_worker_param, set_balancer_param), or None."""
        key, value = param.key, param.value
        if worker:
            if key in modproxy.HCHECK_PARAMETERS:
                if self.loaded and modproxy.HCHECK_MODULE not in self.loaded:
                    return f"unknown Worker parameter {param.name!r} (mod_proxy_hcheck not loaded)"
                return None
            if key not in modproxy.WORKER_PARAMETERS:
                return f"unknown Worker parameter {param.name!r}"
            return _WORKER_CHECKS.get(key, _anything)(value)
        if key not in modproxy.BALANCER_PARAMETERS:
            return f"unknown Balancer parameter {param.name!r}"
        if key == "lbmethod":
            return self.lbmethod(value)
        return _BALANCER_CHECKS.get(key, _anything)(value)

    def lbmethod(self, value: str) -> str | None:
        module = modproxy.LBMETHODS.get(value)
        if module is None:
            return f"unknown lbmethod {value!r} (byrequests, bytraffic, bybusyness, heartbeat)"
        if self.loaded and module not in self.loaded:
            return f"unknown lbmethod {value!r}: no LoadModule {module} before it"
        return None


def _subject(target: ProxyBalancer | ProxyWorker) -> str:
    return target.name if isinstance(target, ProxyBalancer) else target.url


# --- value checks (mod_proxy.c set_worker_param / set_balancer_param) --------------------------

Check = Callable[[str], str | None]  # why httpd refuses a value, or None


def _anything(_value: str) -> str | None:
    return None


def _at_least(minimum: int, what: str) -> Check:
    def check(value: str) -> str | None:
        return None if atoi(value) >= minimum else f"{what} must be at least {minimum}"

    return check


def _between(low: int, high: int, what: str) -> Check:
    def check(value: str) -> str | None:
        return None if low <= atoi(value) <= high else f"{what} must be between {low} and {high}"

    return check


def _on_off(what: str, *more: str) -> Check:
    def check(value: str) -> str | None:
        allowed = ("on", "off", *more)
        return None if value.lower() in allowed else f"{what} must be {'|'.join(allowed)}"

    return check


def _timeout(default_unit: str, what: str) -> Check:
    def check(value: str) -> str | None:
        ms = modproxy.timeout_parameter_ms(value, default_unit)
        if ms is None:
            return f"{what} has wrong format ({value!r})"
        return None if ms >= 1 else f"{what} must be at least one millisecond"

    return check


def _buffer(what: str) -> Check:
    def check(value: str) -> str | None:
        size = atoi(value)
        ok = size == 0 or size >= modproxy.IO_BUFFER_MIN
        return None if ok else f"{what} must be >= 512 bytes, or 0 for system default"

    return check


def _shorter(limit: int, what: str) -> Check:
    def check(value: str) -> str | None:
        return None if len(value) <= limit else f"{what} length must be < {limit + 1} characters"

    return check


def _loadfactor(value: str) -> str | None:
    number = re.match(r"\s*[+-]?(\d+\.?\d*|\.\d+)", value)
    factor = float(number.group(0)) if number else 0.0
    return None if 1 <= factor <= 100 else "LoadFactor must be a number between 1..100"


def _status(value: str) -> str | None:
    return None if modproxy.status_flags(value) is not None else "Unknown status parameter option"


def _addressttl(value: str) -> str | None:
    if value == "-1":
        return None
    ms = modproxy.timeout_parameter_ms(value, "s")
    ok = ms is not None and ms % 1000 == 0
    return None if ok else "AddressTTL must be -1 or a number of seconds"


def _failonstatus(value: str) -> str | None:
    codes = [c for c in re.split(r"[, ]+", value) if c]
    ok = all(100 <= atoi(code) <= 599 for code in codes)
    return None if ok else "failonstatus must be one or more HTTP response codes"


def _separator(value: str) -> str | None:
    ok = len(value) == 1 or value.lower() == "off"
    return None if ok else "stickysessionsep must be a single character or Off"


_WORKER_CHECKS = {
    "loadfactor": _loadfactor,
    "retry": _at_least(0, "Retry"),
    "ttl": _at_least(1, "TTL (seconds)"),
    "min": _at_least(0, "Min"),
    "max": _at_least(0, "Max"),
    "smax": _at_least(0, "Smax"),
    "acquire": _timeout("ms", "Acquire timeout"),
    "timeout": _at_least(1, "Timeout (seconds)"),
    "iobuffersize": _buffer("IOBufferSize"),
    "receivebuffersize": _buffer("ReceiveBufferSize"),
    "keepalive": _on_off("KeepAlive"),
    "disablereuse": _on_off("DisableReuse"),
    "enablereuse": _on_off("EnableReuse"),
    "addressttl": _addressttl,
    "route": _shorter(modproxy.ROUTE_MAX, "Route"),
    "redirect": _shorter(modproxy.ROUTE_MAX, "Redirect"),
    "status": _status,
    "flushpackets": _on_off("flushpackets", "auto"),
    "flushwait": _between(0, 1000, "flushwait"),
    "ping": _timeout("s", "Ping/Pong timeout"),
    "lbset": _between(0, 99, "lbset"),
    "connectiontimeout": _timeout("s", "Connectiontimeout"),
    "responsefieldsize": _at_least(0, "ResponseFieldSize"),
    "secret": _shorter(modproxy.SECRET_MAX, "Secret"),
}
_BALANCER_CHECKS = {
    "stickysessionsep": _separator,
    "nofailover": _on_off("nofailover"),
    "timeout": _at_least(1, "timeout (seconds)"),
    "maxattempts": _at_least(0, "maximum number of attempts"),
    "scolonpathdelim": _on_off("scolonpathdelim"),
    "failonstatus": _failonstatus,
    "failontimeout": _on_off("failontimeout"),
    "growth": _between(1, 100, "growth"),
    "forcerecovery": _on_off("forcerecovery"),
}
