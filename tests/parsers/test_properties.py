"""catalina.properties and ServerInfo.properties, read by java.util.Properties rules."""

from __future__ import annotations

import pytest

from clustercheck.parsers.properties import (
    load_java_properties,
    parse_java_properties,
    parse_server_info,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a=1", {"a": "1"}),
        ("a:1", {"a": "1"}),
        ("a 1", {"a": "1"}),
        ("a\t=\t1", {"a": "1"}),
        ("  a = 1  ", {"a": "1  "}),  # leading blanks of the value go, trailing stay
        ("a==1", {"a": "=1"}),  # only one separator is eaten
        ("a", {"a": ""}),
        ("a=", {"a": ""}),
        ("# c=1\n! d=2\n   # e=3\na=1", {"a": "1"}),
        ("\n\n  \t\na=1\n", {"a": "1"}),
        ("a=1\na=2", {"a": "2"}),  # later duplicate wins
        ("a=1\r\nb=2\rc=3", {"a": "1", "b": "2", "c": "3"}),
        ("a=one \\\n    two", {"a": "one two"}),  # continuation drops leading blanks
        ("a=x\\\\\nb=y", {"a": "x\\", "b": "y"}),  # an escaped backslash does not continue
        ("a=x\\\\\\\n  y", {"a": "x\\y"}),
        ("a=1\\\n\\\\\nb=2", {"a": "1\\", "b": "2"}),  # continued into an even run
        ("a=1\\\n\\\\\\\nb", {"a": "1\\b"}),  # continued into an odd run: on again
        ("# comment \\\na=1", {"a": "1"}),  # a comment line never continues
        ("a=1\\\n# not a comment", {"a": "1# not a comment"}),
        ("a=end\\", {"a": "end"}),  # trailing backslash at end of file
        ("key\\ with\\ spaces = v", {"key with spaces": "v"}),
        ("k\\=x=v", {"k=x": "v"}),
        ("k\\:x:v", {"k:x": "v"}),
        ("a=\\t\\n\\r\\f", {"a": "\t\n\r\f"}),
        ("a=\\u00e9t\\u00E9", {"a": "été"}),
        ("a=\\uZZ", {"a": "uZZ"}),  # malformed \u: kept as text, not raised
        ("a=c:\\\\tomcat\\\\base", {"a": "c:\\tomcat\\base"}),
        ("a=\\q", {"a": "q"}),
        (
            "jvmRoute=node1\n"
            "tomcat.util.scan.StandardJarScanFilter.jarsToSkip=\\\n  a.jar,\\\n  b.jar",
            {
                "jvmRoute": "node1",
                "tomcat.util.scan.StandardJarScanFilter.jarsToSkip": "a.jar,b.jar",
            },
        ),
    ],
)
def test_java_properties(text: str, expected: dict[str, str]) -> None:
    assert parse_java_properties(text) == expected


def test_bytes_are_iso_8859_1_like_properties_load() -> None:
    assert load_java_properties("a=é".encode("latin-1")) == {"a": "é"}
    assert load_java_properties("a=é".encode()) == {"a": "Ã©"}  # what Java really sees


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("server.info=Apache Tomcat/10.1.60\nserver.number=10.1.60.0\n", "10.1.60"),
        ("server.info=Apache Tomcat/9.0.85\n", "9.0.85"),
        ("server.info=Apache Tomcat\nserver.number=9.0.85.0\n", "9.0.85"),  # info hidden
        ("server.info=Apache Tomcat/10.1.0-M17\nserver.number=10.1.0.0", "10.1.0"),
        ("server.info=Apache Tomcat/6.0.53\nserver.built=Apr 5 2017", "6.0.53"),
        ("server.info=Secret Server\n", None),
        ("", None),
    ],
)
def test_server_info(text: str, expected: str | None) -> None:
    assert parse_server_info(text) == expected
