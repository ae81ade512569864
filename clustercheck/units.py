"""How a measured value in milliseconds is written, the same in every message and report: rounded
first, then formatted, so a value just below zero never prints as "-0.0 ms". Here at the top of
the package (like bugs.py) because parsers, derivations, checks and formats all write them."""

from __future__ import annotations


def milliseconds(value: float, *, signed: bool = False, places: int = 1) -> str:
    """`+12.3 ms` (signed: an offset, which has a direction), `1200.0 ms` (a spread, a bound,
    which have none); zero is `0.0 ms` either way."""
    rounded = round(value, places) + 0.0  # adding +0.0 turns -0.0 into 0.0
    sign = "+" if signed and rounded else ""
    return f"{rounded:{sign}.{places}f} ms"
