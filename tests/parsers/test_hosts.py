"""Hosts files as the resolver reads them: what glibc's files backend skips is skipped."""

from __future__ import annotations

import pytest

from clustercheck.parsers.hosts import parse_hosts

# Debian 12 (netbase) with a host entry, CentOS 6, Windows 10's stock file, and a file edited
# by hand: tabs, a comment after an entry, upper case, a short IPv4 form, a zone index
DEBIAN = b"""127.0.0.1\tlocalhost
127.0.1.1\tweb1.example.org\tweb1

# The following lines are desirable for IPv6 capable hosts
::1     localhost ip6-localhost ip6-loopback
ff02::1 ip6-allnodes
ff02::2 ip6-allrouters
"""
CENTOS6 = b"""127.0.0.1   localhost localhost.localdomain localhost4 localhost4.localdomain4
::1         localhost localhost.localdomain localhost6 localhost6.localdomain6
"""
WINDOWS = b"""# Copyright (c) 1993-2009 Microsoft Corp.
#
# For example:
#
#      102.54.94.97     rhino.acme.com          # source server
#       38.25.63.10     x.acme.com              # x client host

# localhost name resolution is handled within DNS itself.
#\t127.0.0.1       localhost
#\t::1             localhost
"""
EDITED = b"""10.0.0.11\tTomcat01.Example.ORG tomcat01   # node 1
10.0.0.12 tomcat02#no blank before the comment
10.1 short
fe80::1%eth0 zoned
10.0.0.300 bad
10.0.0.11 tomcat01
fd00::11 tomcat01
lonely-name
"""


@pytest.mark.parametrize(
    ("data", "name", "addresses", "lines"),
    [
        (DEBIAN, "localhost", ["127.0.0.1", "::1"], [1, 5]),
        (DEBIAN, "WEB1", ["127.0.1.1"], [2]),
        (DEBIAN, "ip6-allnodes", ["ff02::1"], [6]),
        (CENTOS6, "localhost", ["127.0.0.1", "::1"], [1, 2]),
        (CENTOS6, "localhost6", ["::1"], [2]),
        (WINDOWS, "localhost", [], []),
        (WINDOWS, "rhino.acme.com", [], []),
        (EDITED, "tomcat01.example.org", ["10.0.0.11"], [1]),
        (EDITED, "tomcat01", ["10.0.0.11", "fd00::11"], [1, 7]),  # line 6 repeats line 1
        (EDITED, "tomcat02", ["10.0.0.12"], [2]),
        (EDITED, "short", [], []),  # inet_pton takes no 10.1
        (EDITED, "zoned", [], []),
        (EDITED, "bad", [], []),
        (EDITED, "lonely-name", [], []),
        (b"\xff\xfe garbage \x00", "garbage", [], []),
    ],
)
def test_a_name_has_the_addresses_the_resolver_gives_it(
    data: bytes, name: str, addresses: list[str], lines: list[int]
) -> None:
    found = parse_hosts(data, "/etc/hosts").lookup(name)
    assert [e.address for e in found] == addresses
    assert [e.line for e in found] == lines
