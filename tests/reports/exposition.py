"""A strict reader of Prometheus's text exposition format, as node_exporter's textfile collector
reads it (prometheus_client is not among the test dependencies), for the renderer tests."""

from __future__ import annotations

import re

SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+)$")
HELP = re.compile(r"^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (?:[^\\\n]|\\[\\n])*$")
NUMBER = re.compile(r"^(?:[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|NaN|[-+]?Inf)$")
LABEL = re.compile(r'([a-zA-Z_]\w*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)')
UNESCAPE = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}

Series = dict[frozenset[tuple[str, str]], float]


def parse(text: str) -> dict[str, Series]:
    """Families by name. Fails on anything node_exporter's textfile collector would reject:
    a sample before its HELP and TYPE, a family split in two, a duplicate series, a HELP text
    or a number out of the grammar, text that is not UTF-8."""
    assert text.endswith("\n")
    text.encode("utf-8")
    families: dict[str, Series] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("# HELP "):
            help_line = HELP.match(line)
            assert help_line, f"not a HELP line: {line!r}"
            current = help_line.group(1)
            assert current not in families, f"{current} appears twice"
            families[current] = {}
            continue
        if line.startswith("# TYPE "):
            assert line == f"# TYPE {current} gauge"
            continue
        match = SAMPLE.match(line)
        assert match, f"not a sample: {line!r}"
        name, labels, value = match.groups()
        assert name == current, f"{name} outside its family"
        assert NUMBER.match(value), f"not a number: {value!r}"
        pairs = []
        for label in LABEL.finditer(labels):
            pairs.append(
                (
                    label.group(1),
                    re.sub(r'\\[\\"n]', lambda m: UNESCAPE[m.group(0)], label.group(2)),
                )
            )
        assert "".join(m.group(0) for m in LABEL.finditer(labels)) == labels, labels
        key = frozenset(pairs)
        assert key not in families[name], f"duplicate series {line}"
        families[name][key] = float(value)
    return families
