"""One typed JSON mapping for every fact record, instead of a to/from pair written per class.

A record is a dataclass; its field types say how each value travels: dataclasses as objects,
enums as their value, bytes as hex, tuples and lists as arrays, dicts with string keys as
objects. Reading back checks every value against its type, so a snapshot that was edited or cut
short fails with the path of the first bad value instead of a TypeError deep in a check.

Reading is compiled once per type into a function (a snapshot of 100 nodes holds tens of
thousands of datagrams and probes), and the path of a bad value is only spelt out when there is
one.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import reprlib
import types
import typing
from collections.abc import Callable
from typing import Any, Self, TypeVar

T = TypeVar("T")
N = TypeVar("N", int, float)
Loader = Callable[[Any], Any]


class RecordError(ValueError):
    """JSON that does not fit a record; one line, naming where (`nodes.web1.live.clock`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.steps: list[str] = []

    def within(self, step: str) -> RecordError:
        """The same error, one step further out: `.name` or `[3]`."""
        self.steps.insert(0, step)
        return self

    def __str__(self) -> str:
        path = "".join(self.steps).lstrip(".")
        return f"{path}: {self.reason}" if path else self.reason


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
    """`data` read back as a `kind`, every value checked against its declared type; `where`
    names it in errors (default: the type's name)."""
    try:
        value: T = _loader(typing.cast(Any, kind))(data)  # a type is hashable, mypy aside
    except RecordError as exc:
        raise exc.within(where or kind.__name__) from None
    return value


@functools.cache
def _loader(kind: Any) -> Loader:
    """The function that reads JSON data as a `kind`, built once per type."""
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin is typing.Union or origin is types.UnionType:
        return _union([_loader(a) for a in args if a is not type(None)], type(None) in args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _sequence(_loader(args[0]), tuple)
    if origin is tuple:
        return _fixed([_loader(a) for a in args])
    if origin is list:
        return _sequence(_loader(args[0]), list)
    if origin is dict:
        return _mapping(_loader(args[1]))
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _record(kind)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _enum(kind)
    if kind in _SCALARS:
        return _SCALARS[kind]
    raise TypeError(f"no JSON mapping for {kind!r}")


def _union(options: list[Loader], nullable: bool) -> Loader:
    """`X | None` mostly; with several types, the first that fits."""

    def load(data: Any) -> Any:
        if data is None and nullable:
            return None
        errors = []
        for option in options:
            try:
                return option(data)
            except RecordError as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        raise RecordError(f"{_show(data)} fits no type")

    return load


def _sequence(item: Loader, build: type[list[Any]] | type[tuple[Any, ...]]) -> Loader:
    def load(data: Any) -> Any:
        return build(_at(index, item, value) for index, value in enumerate(_expect(data, list)))

    return load


def _fixed(items: list[Loader]) -> Loader:
    def load(data: Any) -> tuple[Any, ...]:
        values = _expect(data, list)
        if len(values) != len(items):
            raise RecordError(f"expected {len(items)} values, found {len(values)}")
        pairs = enumerate(zip(items, values, strict=True))
        return tuple(_at(index, item, value) for index, (item, value) in pairs)

    return load


def _mapping(item: Loader) -> Loader:
    def load(data: Any) -> dict[str, Any]:
        return {key: _at(key, item, value) for key, value in _expect(data, dict).items()}

    return load


def _record(kind: type[Any]) -> Loader:
    fields: dict[str, tuple[Loader, bool]] = {}  # name -> (loader, required), on first use

    def load(data: Any) -> Any:
        if not fields:
            fields.update(_fields(kind))
        given = _expect(data, dict)
        unknown = sorted(given.keys() - fields.keys())
        if unknown:
            raise RecordError(f"unknown field(s) {', '.join(map(_key, unknown))}")
        missing = [name for name, (_, required) in fields.items() if required and name not in given]
        if missing:
            raise RecordError(f"missing field(s) {', '.join(missing)}")
        values = {name: _at(name, fields[name][0], value) for name, value in given.items()}
        try:
            return kind(**values)
        except (TypeError, ValueError) as exc:  # a record's own invariant (__post_init__)
            raise RecordError(str(exc)) from None

    return load


def _at(key: str | int, load: Loader, value: Any) -> Any:
    """load(value); an error names `key` as its step (spelt out only then: it is the rare case)."""
    try:
        return load(value)
    except RecordError as exc:
        raise exc.within(f"[{key}]" if isinstance(key, int) else f".{_key(key)}") from None


def _fields(kind: type[Any]) -> dict[str, tuple[Loader, bool]]:
    """name -> (loader, required) of the fields a record is built from."""
    hints = typing.get_type_hints(kind)
    return {
        f.name: (
            _loader(hints[f.name]),
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
        )
        for f in dataclasses.fields(kind)
        if f.init
    }


def _enum(kind: type[enum.Enum]) -> Loader:
    known = ", ".join(str(member.value) for member in kind)

    def load(data: Any) -> enum.Enum:
        try:
            return kind(data)
        except ValueError:
            raise RecordError(f"{_show(data)} is not one of {known}") from None

    return load


# No fact is a number beyond this (2**53: the last integer every JSON reader holds exactly),
# and arithmetic on facts within it stays finite; NaN and the infinities are no JSON at all.
MAX_MAGNITUDE = 2**53


def _float(data: Any) -> float:
    if isinstance(data, int | float) and not isinstance(data, bool):
        return float(_in_range(data))
    raise RecordError(f"expected a number, found {_show(data)}")


def _int(data: Any) -> int:
    if isinstance(data, bool):
        raise RecordError(f"expected an integer, found {_show(data)}")
    return _in_range(_expect(data, int))


def _in_range(number: N) -> N:
    if not -MAX_MAGNITUDE <= number <= MAX_MAGNITUDE:  # False for NaN too
        raise RecordError(f"{_show(number)} is out of range")
    return number


def _bytes(data: Any) -> bytes:
    try:
        return bytes.fromhex(_expect(data, str))
    except ValueError:
        raise RecordError("not hexadecimal bytes") from None


_SCALARS: dict[Any, Loader] = {
    float: _float,
    int: _int,
    bytes: _bytes,
    str: lambda data: _expect(data, str),
    bool: lambda data: _expect(data, bool),
    type(None): lambda data: _expect(data, type(None)),
}


def _expect(data: Any, kind: type[T]) -> T:
    if not isinstance(data, kind):
        names = {dict: "an object", list: "an array", str: "a string", bool: "true or false"}
        wanted = names.get(kind, "null" if kind is type(None) else kind.__name__)
        raise RecordError(f"expected {wanted}, found {_show(data)}")
    return data


def _key(key: str) -> str:
    """A key as a step of a path: as it is when plain, else quoted (a newline stays one line)."""
    return key if key.isprintable() and len(key) <= 40 else _show(key)


def _show(data: Any) -> str:
    """A short, one-line picture of an unexpected value (reprlib: cheap on a huge one)."""
    text = " ".join(reprlib.repr(data).split())
    return text if len(text) <= 40 else text[:37] + "..."
