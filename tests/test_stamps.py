"""Modification times of a node's files in one command (collect.stamps): the real `stat` on real
files through the local transport, the parser on what stat and the PowerShell script print, and
the caps."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from clustercheck.collect.stamps import (
    MAX_PATHS,
    MAX_WINDOWS_CHARS,
    POWERSHELL_STAMPS,
    capped,
    gather_stamps,
    parse_stamps,
    stamp_command,
)
from clustercheck.collect.transports.localfs import LocalTransport


def test_real_stat_dates_the_files_that_exist_and_skips_the_others(tmp_path: Path) -> None:
    server_xml = tmp_path / "server.xml"
    server_xml.write_text("<Server/>")
    os.utime(server_xml, (1_796_000_000, 1_796_000_000.75))
    dashed = tmp_path / "-n"  # a name stat must not take for an option
    dashed.write_text("")
    os.utime(dashed, (1_700_000_000, 1_700_000_000))
    spaced = tmp_path / "a b.xml"
    spaced.write_text("")
    os.utime(spaced, (1_600_000_000, 1_600_000_000))
    missing = str(tmp_path / "gone.xml")
    transport = LocalTransport(10)
    paths = [str(server_xml), missing, str(dashed), str(spaced)]
    assert gather_stamps(transport, paths) == {
        str(server_xml): 1_796_000_000.0,  # whole seconds
        str(dashed): 1_700_000_000.0,
        str(spaced): 1_600_000_000.0,
    }


def test_a_name_with_a_newline_is_not_stamped_and_nothing_else_is_lost(tmp_path: Path) -> None:
    odd = tmp_path / "web\n1796999999 x.xml"
    odd.write_text("")
    plain = tmp_path / "web.xml"
    plain.write_text("")
    os.utime(plain, (1_796_000_000, 1_796_000_000))
    found = gather_stamps(LocalTransport(10), [str(odd), str(plain)])
    assert found == {str(plain): 1_796_000_000.0}


def test_only_paths_that_were_asked_are_kept() -> None:
    text = (
        "1796000000 /opt/tomcat/conf/server.xml\n"
        "1796000001 /etc/shadow\n"  # the node printed it; nobody asked
        "garbage line\n"
        "99999999999999999999 /opt/tomcat/conf/web.xml\n"  # 20 digits: not a time
        "1796000002 C:/tomcat/conf/server.xml\r\n"  # PowerShell's line ending
    )
    asked = ["/opt/tomcat/conf/server.xml", "/opt/tomcat/conf/web.xml", "C:/tomcat/conf/server.xml"]
    assert parse_stamps(text, asked) == {
        "/opt/tomcat/conf/server.xml": 1_796_000_000.0,
        "C:/tomcat/conf/server.xml": 1_796_000_002.0,
    }


def test_the_commands_carry_paths_as_arguments() -> None:
    assert stamp_command(["/opt/t/conf/server.xml", "-rf"]) == [
        "stat",
        "-c",
        "%Y %n",
        "--",
        "/opt/t/conf/server.xml",
        "-rf",
    ]
    argv = stamp_command(["C:/tomcat/conf/server.xml", "C:/it's.xml"], windows=True)
    assert argv[:4] == ["powershell", "-NoProfile", "-NonInteractive", "-EncodedCommand"]
    script = base64.b64decode(argv[4]).decode("utf-16-le")
    assert script == ("& {" + POWERSHELL_STAMPS + "} 'C:/tomcat/conf/server.xml' 'C:/it''s.xml'")


def test_the_number_of_paths_is_capped() -> None:
    many = [f"/opt/tomcat/webapps/app{i}/WEB-INF/web.xml" for i in range(MAX_PATHS + 5)]
    assert capped(many) == many[:MAX_PATHS]
    kept = capped(many, windows=True)
    assert 0 < len(kept) < MAX_PATHS
    assert sum(len(p) + 3 for p in kept) <= MAX_WINDOWS_CHARS
