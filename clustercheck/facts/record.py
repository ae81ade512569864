"""One typed JSON mapping for every fact record, instead of a to/from pair written per class.

A record is a dataclass; its field types say how each value travels: dataclasses as objects,
enums as their value, bytes as hex, tuples and lists as arrays, dicts with string keys as
objects. Reading back checks every value against its type, so a snapshot that was edited or cut
short fails with the path of the first bad value instead of a TypeError deep in a check.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import reprlib
import types
import typing
from typing import Any, Self, TypeVar

T = TypeVar("T")


class RecordError(ValueError):
    """JSON that does not fit a record; one line, naming where (`nodes.web1.live.clock`)."""


class Record:
    """Mixin for dataclass records: `to_json()` and `from_json()` by field types."""

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = to_json(self)
        return data

    @classmethod
    def from_json(cls, data: Any, where: str = "") -> Self:
        return from_json(cls, data, where)


def to_json(value: Any) -> Any:
    """Plain JSON data (dicts, lists, str, numbers, bools, None) for a record or any value in it."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    return value


def from_json(kind: type[T], data: Any, where: str = "") -> T:
    """`data` read back as a `kind`, every value checked against its declared type."""
    value: T = _load(kind, data, where or kind.__name__)
    return value


def _load(kind: Any, data: Any, where: str) -> Any:
    origin = typing.get_origin(kind)
    if origin is typing.Union or origin is types.UnionType:
        return _union(typing.get_args(kind), data, where)
    if origin is tuple:
        return _tuple(typing.get_args(kind), data, where)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [_load(item, v, f"{where}[{i}]") for i, v in enumerate(_expect(data, list, where))]
    if origin is dict:
        _str, item = typing.get_args(kind)
        items = _expect(data, dict, where).items()
        return {k: _load(item, v, f"{where}.{_key(k)}") for k, v in items}
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _record(kind, data, where)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        try:
            return kind(data)
        except ValueError:
            known = ", ".join(str(member.value) for member in kind)
            raise RecordError(f"{where}: {_show(data)} is not one of {known}") from None
    if kind is bytes:
        try:
            return bytes.fromhex(_expect(data, str, where))
        except ValueError:
            raise RecordError(f"{where}: not hexadecimal bytes") from None
    if kind is float:
        if isinstance(data, int | float) and not isinstance(data, bool):
            try:
                return float(data)
            except OverflowError:  # an integer too large for a float
                raise RecordError(f"{where}: {_show(data)} is out of range") from None
        raise RecordError(f"{where}: expected a number, found {_show(data)}")
    if kind is int and isinstance(data, bool):
        raise RecordError(f"{where}: expected an integer, found {_show(data)}")
    if kind in (int, str, bool, type(None)):
        return _expect(data, kind, where)
    raise TypeError(f"{where}: no JSON mapping for {kind!r}")


def _union(options: tuple[Any, ...], data: Any, where: str) -> Any:
    """`X | None` mostly; with several record types, the first that fits."""
    if data is None and type(None) in options:
        return None
    errors = []
    for option in (o for o in options if o is not type(None)):
        try:
            return _load(option, data, where)
        except RecordError as exc:
            errors.append(exc)
    raise errors[0] if len(errors) == 1 else RecordError(f"{where}: {_show(data)} fits no type")


def _tuple(items: tuple[Any, ...], data: Any, where: str) -> tuple[Any, ...]:
    values = _expect(data, list, where)
    if len(items) == 2 and items[1] is Ellipsis:
        items = (items[0],) * len(values)
    elif len(items) != len(values):
        raise RecordError(f"{where}: expected {len(items)} values, found {len(values)}")
    pairs = enumerate(zip(items, values, strict=True))
    return tuple(_load(item, v, f"{where}[{i}]") for i, (item, v) in pairs)


def _record(kind: Any, data: Any, where: str) -> Any:
    fields = _fields(kind)
    given = _expect(data, dict, where)
    unknown = sorted(set(given) - set(fields))
    if unknown:
        raise RecordError(f"{where}: unknown field(s) {', '.join(map(_key, unknown))}")
    missing = [name for name, (_, required) in fields.items() if required and name not in given]
    if missing:
        raise RecordError(f"{where}: missing field(s) {', '.join(missing)}")
    values = {k: _load(fields[k][0], v, f"{where}.{k}") for k, v in given.items()}
    try:
        return kind(**values)
    except (TypeError, ValueError) as exc:  # a record's own invariant (__post_init__)
        raise RecordError(f"{where}: {exc}") from None


@functools.cache
def _fields(kind: Any) -> dict[str, tuple[Any, bool]]:
    """name -> (type, required) of the fields a record is built from; resolved once per class."""
    hints = typing.get_type_hints(kind)
    return {
        f.name: (
            hints[f.name],
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
        )
        for f in dataclasses.fields(kind)
        if f.init
    }


def _expect(data: Any, kind: type[T], where: str) -> T:
    if not isinstance(data, kind):
        names = {dict: "an object", list: "an array", str: "a string", bool: "true or false"}
        wanted = names.get(kind, "null" if kind is type(None) else kind.__name__)
        raise RecordError(f"{where}: expected {wanted}, found {_show(data)}")
    return data


def _key(key: str) -> str:
    """A key as a step of a path: as it is when plain, else quoted (a newline stays one line)."""
    return key if key.isprintable() and len(key) <= 40 else _show(key)


def _show(data: Any) -> str:
    """A short, one-line picture of an unexpected value (reprlib: cheap on a huge one)."""
    text = " ".join(reprlib.repr(data).split())
    return text if len(text) <= 40 else text[:37] + "..."
