"""Lenient decoding and the Problem record shared by every parser."""

from __future__ import annotations

from dataclasses import dataclass

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class Problem:
    """Something a parser could not read or that the software would ignore or reject."""

    file: str
    line: int | None
    message: str


def decode(data: bytes) -> str:
    """Text of a config file as its reader would see it: BOM dropped, UTF-8 first, then GBK
    (the seed's comments are Chinese), then Latin-1, which never fails."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data[:2] in _BOMS[1:]:
        return data.decode("utf-16", "replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")
