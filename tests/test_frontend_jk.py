"""mod_jk read into the front-end model: each seam value as mod_jk uses it (units converted,
defaults marked, older directive names honoured), with where it was written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from clusterfiles import apache_files, build

from clustercheck.collect.gather import gather
from clustercheck.derive.derived import Derived
from clustercheck.derive.frontend import FrontEnd, Member, Module
from clustercheck.inventory.loader import load_inventory

WORKERS = "/etc/httpd/conf/workers.properties"


def front_end(tmp_path: Path, workers: str) -> FrontEnd:
    inventory = build(
        tmp_path,
        {"web1": {"host": "10.0.0.1", "roles": ["apache"]}},
        {"web1": apache_files(workers)},
    )
    ends = Derived(gather(load_inventory(inventory))).front_ends
    assert len(ends) == 1 and ends[0].module is Module.MOD_JK
    return ends[0]


def member(tmp_path: Path, settings: str) -> Member:
    lines = "\n".join(f"worker.a.{line}" for line in settings.split(";") if line)
    workers = f"worker.list=lb\nworker.lb.type=lb\nworker.lb.balance_workers=a\n{lines}\n"
    (found,) = front_end(tmp_path, workers).balancers[0].members
    return found


# settings of worker `a` -> (Member attribute, value, directive, line or None when defaulted)
CASES: list[tuple[str, str, str, Any, str, int | None]] = [
    ("defaults: host", "", "host", "localhost", "worker.a.host", None),
    ("defaults: port", "", "port", 8009, "worker.a.port", None),
    ("defaults: route is the name", "", "route", "a", "worker.a.route", None),
    ("defaults: packet size", "", "packet_size", 8192, "worker.a.max_packet_size", None),
    ("defaults: idle never", "", "idle_timeout_ms", None, "worker.a.connection_pool_timeout", None),
    ("defaults: no ping", "", "ping", None, "worker.a.ping_mode", None),
    ("defaults: no keepalive", "", "keepalive", False, "worker.a.socket_keepalive", None),
    ("packet size rounded up", "max_packet_size=10000", "packet_size", 10240, "", 4),
    ("packet size capped", "max_packet_size=100000", "packet_size", 65536, "", 4),
    ("packet size in k", "max_packet_size=16k", "packet_size", 16384, "", 4),
    ("pool timeout s -> ms", "connection_pool_timeout=600", "idle_timeout_ms", 600000.0, "", 4),
    ("deprecated cache_timeout", "cache_timeout=30", "idle_timeout_ms", 30000.0, "", 4),
    (
        "connect timeout from socket_timeout",
        "socket_timeout=5",
        "connect_timeout_ms",
        5000.0,
        "worker.a.socket_connect_timeout",
        None,
    ),
    ("connect timeout ms", "socket_connect_timeout=2000", "connect_timeout_ms", 2000.0, "", 4),
    ("ping_mode A", "ping_mode=A", "ping", "CPI", "", 4),
    (
        "connect_timeout implies C",
        "connect_timeout=1000",
        "ping",
        "C",
        "worker.a.connect_timeout",
        4,
    ),
    ("keepalive on", "socket_keepalive=True", "keepalive", True, "", 4),
    ("jvm_route read", "jvm_route=r1", "route", "r1", "worker.a.route", 4),
    ("activation", "activation=disabled", "activation", "D", "", 4),
    ("pool size", "connection_pool_size=25", "pool_size", 25, "", 4),
]


@pytest.mark.parametrize(
    ("settings", "attribute", "value", "directive", "line"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_value_is_read_as_mod_jk_uses_it(
    tmp_path: Path, settings: str, attribute: str, value: Any, directive: str, line: int | None
) -> None:
    seam = getattr(member(tmp_path, settings), attribute)
    assert seam.value == value
    if directive:
        assert seam.directive == directive
    assert seam.defaulted is (line is None)
    assert seam.line == line
    if line is not None:
        assert seam.file == WORKERS and seam.where == f"{WORKERS}:{line}"


def test_a_member_inherits_its_lbs_secret_and_its_templates_settings(tmp_path: Path) -> None:
    workers = """\
        worker.list=lb,solo
        worker.t.type=ajp13
        worker.t.max_packet_size=16384
        worker.a.reference=worker.t
        worker.lb.type=lb
        worker.lb.secret=s3cret
        worker.lb.balance_workers=a
        worker.lb.session_cookie=SID
        worker.solo.port=8010
        """
    end = front_end(tmp_path, workers)
    (balancer,) = end.balancers
    (a,) = balancer.members
    assert a.secret is not None and a.secret.value == "s3cret" and a.secret.line == 6
    assert (a.packet_size.value, a.packet_size.line) == (16384, 3)
    assert balancer.cookie.value == "SID" and balancer.path_parameter.defaulted
    assert balancer.sticky.value is True and balancer.sticky.defaulted
    assert [m.name for m, _ in end.members] == ["a", "solo"]
    assert end.direct[0].label == "worker solo" and end.direct[0].port.value == 8010


def test_a_disabled_worker_is_no_member(tmp_path: Path) -> None:
    workers = "worker.list=lb\nworker.lb.type=lb\nworker.lb.balance_workers=a,b\nworker.b.port=0\n"
    (balancer,) = front_end(tmp_path, workers).balancers
    assert [m.name for m in balancer.members] == ["a"]
