"""httpd's mod_proxy, mod_proxy_balancer and mod_proxy_ajp directives as httpd 2.4 reads them:
ProxyPass / ProxyPassMatch, `<Proxy balancer://...>`, BalancerMember, ProxySet,
ProxyIOBufferSize, ProxyTimeout (mod_proxy.c, mod_proxy_balancer.c)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from clustercheck.parsers.httpd import Directive
from clustercheck.parsers.text import Problem


@dataclass
class ProxySettings:
    """What mod_proxy takes from httpd's directives (to be completed: issue 15)."""

    problems: list[Problem] = field(default_factory=list)


def proxy_settings(directives: Sequence[Directive]) -> ProxySettings:
    """The mod_proxy settings of httpd's directives (in the order httpd reads them)."""
    return ProxySettings()
