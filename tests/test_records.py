"""The typed JSON mapping of fact records: out and back in unchanged, and bad JSON refused with
one line that says where."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import pytest

from clustercheck.facts.record import Record, RecordError, from_json, to_json


class Colour(enum.StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True)
class Inner(Record):
    name: str
    data: bytes = b""


@dataclass(frozen=True)
class Outer(Record):
    count: int
    ratio: float
    flag: bool
    colour: Colour
    pair: tuple[str, int]
    inners: tuple[Inner, ...] = ()
    maybe: Inner | None = None
    table: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError("count is negative")


FULL = Outer(
    count=3,
    ratio=0.5,
    flag=True,
    colour=Colour.BLUE,
    pair=("228.0.0.4", 45564),
    inners=(Inner("a", b"\x00\xff"), Inner("b")),
    maybe=Inner("c"),
    table={"h": ["10.0.0.1"]},
)


def test_a_record_goes_out_as_plain_json_and_comes_back_equal() -> None:
    data = FULL.to_json()
    assert data == {
        "count": 3,
        "ratio": 0.5,
        "flag": True,
        "colour": "blue",
        "pair": ["228.0.0.4", 45564],
        "inners": [{"name": "a", "data": "00ff"}, {"name": "b", "data": ""}],
        "maybe": {"name": "c", "data": ""},
        "table": {"h": ["10.0.0.1"]},
    }
    assert Outer.from_json(data) == FULL
    assert from_json(Outer, to_json(FULL)) == FULL


def test_defaults_fill_what_is_left_out_and_an_integer_is_a_float() -> None:
    data = {"count": 1, "ratio": 2, "flag": False, "colour": "red", "pair": ["g", 1]}
    found = Outer.from_json(data)
    assert found.ratio == 2.0 and isinstance(found.ratio, float)
    assert (found.inners, found.maybe, found.table) == ((), None, {})


GOOD: dict[str, Any] = FULL.to_json()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param([], "Outer: expected an object, found []", id="not-an-object"),
        pytest.param({**GOOD, "extra": 1}, "Outer: unknown field(s) extra", id="unknown-field"),
        pytest.param(
            {k: v for k, v in GOOD.items() if k != "count"},
            "Outer: missing field(s) count",
            id="missing-field",
        ),
        pytest.param(
            {**GOOD, "count": "3"}, "Outer.count: expected int, found '3'", id="wrong-type"
        ),
        pytest.param(
            {**GOOD, "count": True}, "Outer.count: expected an integer, found True", id="bool-int"
        ),
        pytest.param(
            {**GOOD, "ratio": None}, "Outer.ratio: expected a number, found None", id="null"
        ),
        pytest.param(
            {**GOOD, "colour": "green"}, "Outer.colour: 'green' is not one of red, blue", id="enum"
        ),
        pytest.param(
            {**GOOD, "pair": ["g"]}, "Outer.pair: expected 2 values, found 1", id="short-pair"
        ),
        pytest.param(
            {**GOOD, "inners": [{"name": "a", "data": "zz"}]},
            "Outer.inners[0].data: not hexadecimal bytes",
            id="bad-hex",
        ),
        pytest.param(
            {**GOOD, "maybe": {"name": 5}},
            "Outer.maybe.name: expected a string, found 5",
            id="optional-record",
        ),
        pytest.param(
            {**GOOD, "table": {"h": "10.0.0.1"}},
            "Outer.table.h: expected an array, found '10.0.0.1'",
            id="dict-value",
        ),
        pytest.param(
            {**GOOD, "table": {"a\nb": "x"}},
            "Outer.table.'a\\nb': expected an array, found 'x'",
            id="key-with-a-newline",
        ),
        pytest.param(
            {**GOOD, "\n": 1}, "Outer: unknown field(s) '\\n'", id="unknown-field-newline"
        ),
        pytest.param(
            {**GOOD, "count": -1}, "Outer: count is negative", id="the-record's-own-invariant"
        ),
    ],
)
def test_json_that_does_not_fit_is_one_line_naming_where(data: Any, message: str) -> None:
    with pytest.raises(RecordError) as caught:
        Outer.from_json(data)
    assert str(caught.value) == message


def test_a_long_bad_value_is_shortened_to_keep_the_message_one_short_line() -> None:
    with pytest.raises(RecordError) as caught:
        Inner.from_json({"name": ["x" * 500, "\n" * 3]})
    prefix, found = str(caught.value).split("found ")
    assert prefix == "Inner.name: expected a string, "
    assert found.startswith("['xxx") and len(found) <= 40 and "\n" not in found
