"""Version strings as comparable tuples."""

from __future__ import annotations

import re

_NUMBERS = re.compile(r"\d+")


def version_tuple(text: str | None) -> tuple[int, ...] | None:
    """'10.1.60' -> (10, 1, 60); '6.0.29.0' -> (6, 0, 29, 0); None when there is no number."""
    if not text:
        return None
    head = re.match(r"[\d.]+", text.strip())
    numbers = [int(n) for n in _NUMBERS.findall(head.group(0) if head else "")]
    return tuple(numbers) or None
