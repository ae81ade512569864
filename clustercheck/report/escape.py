"""Escaping for each output medium, in one place. Anything a report shows may come from a node,
a file, the network (heartbeat fields) or the inventory, and a snapshot may come from anyone: every
renderer, and the command line's progress and error lines, pass such values through the
function of their medium, so that data never acts as a control sequence, markup or a line of the
format.

What would act on the reader (escape sequences, C1 controls, bidi overrides) or cannot be written
at all (C0 controls in XML 1.0, lone surrogates: names that were not UTF-8) is shown as a visible
escape instead: ESC as `\\x1b`, a right-to-left override as `\\u202e`, and a byte that was not
UTF-8 (decoded with surrogateescape) as that byte, `\\xff`. Markup (HTML's `<`, rich's `[`) is
not handled here: Jinja's autoescape and a console with markup off do that.
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, the bidi marks, embeddings, overrides and isolates, the line and
# paragraph separators, surrogates, and the two non-characters XML 1.0 forbids
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
    "\ud800-\udfff\ufffe\uffff]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
# what JSON writes raw but a terminal or a script would act on: \u-escaped, the value unchanged
_JSON_RAW = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_ESCAPED_BYTES = range(0xDC80, 0xDD00)  # what surrogateescape makes of a byte that is not UTF-8


def visible(text: str, keep: str = "") -> str:
    """`text` with every unsafe character (but those in `keep`) shown as an escape."""
    return _UNSAFE.sub(lambda m: m[0] if m[0] in keep else _escape(m[0]), text)


def encodable(text: str) -> str:
    """`text` as UTF-8 can encode it (the history's SQLite): only lone surrogates are escaped;
    nothing reads the history as a terminal would."""
    return _SURROGATE.sub(lambda m: _escape(m[0]), text)


def json_text(encoded: str) -> str:
    """JSON text as json.dumps wrote it (C0 controls escaped already), with the C1 controls, bidi
    overrides and separators \\u-escaped too (the value stays exactly the same), and made UTF-8
    encodable: a lone surrogate, only ever inside a string, becomes its visible escape written as
    JSON (`\\\\xff`)."""
    if encoded.isascii():  # nearly all of it, and a regular expression costs 30 ns a character
        return encoded
    encoded = _JSON_RAW.sub(lambda m: f"\\u{ord(m[0]):04x}", encoded)
    return _SURROGATE.sub(lambda m: "\\" + _escape(m[0]), encoded)


def terminal(text: str) -> str:
    """One line for a terminal: no control, no escape sequence, no bidi override from data."""
    return visible(text)


def xml(text: str) -> str:
    """Text XML 1.0 can carry (tab, newline and carriage return are its only controls); also
    what the HTML report shows. The XML or HTML writer escapes `<`, `&` and quotes."""
    return visible(text, keep="\t\n\r")


def prometheus_label(value: str) -> str:
    """A label value of the text exposition format, without its quotes: backslash, double
    quote and newline escaped as the format says, other controls visible."""
    safe = visible(value, keep="\n")
    return safe.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def prometheus_help(text: str) -> str:
    """A HELP docstring of the text exposition format: backslash and newline escaped."""
    return visible(text, keep="\n").replace("\\", "\\\\").replace("\n", "\\n")


def nagios(text: str) -> str:
    """A Nagios output line: whitespace runs (newlines too) become one space, and no '|' (after
    the first '|' Nagios reads performance data)."""
    return visible(" ".join(text.split())).replace("|", "¦")


def _escape(char: str) -> str:
    code = ord(char)
    if code in _ESCAPED_BYTES:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
