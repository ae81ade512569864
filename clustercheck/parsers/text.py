"""Lenient decoding and the Problem record shared by every parser."""

from __future__ import annotations

from dataclasses import dataclass

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Problem:
    """Something a parser could not read or that the software would ignore or reject."""

    file: str
    line: int | None
    message: str


def decode(data: bytes) -> str:
    """Text of a config file as its reader would see it: UTF-8 first, then GBK (the seed's
    comments are Chinese), then Latin-1, which never fails. A UTF-8 BOM is kept as U+FEFF:
    mod_jk, and httpd on Unix, do not skip it, and the parsers say what it breaks."""
    if data[:2] in _UTF16_BOMS:
        return data.decode("utf-16", "replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")
