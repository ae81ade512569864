"""YAML loaded with the safe loader, keeping the line of every mapping key for error messages."""

from __future__ import annotations

import math
import os
from typing import Any

import yaml

MAX_INVENTORY_BYTES = 2 * 1024 * 1024
# Values a document may hold once its aliases are expanded: an inventory has hundreds, and ten
# nested lists of ten aliases each (a "billion laughs") would otherwise hold 10**10.
MAX_EXPANDED_VALUES = 100_000


class YamlError(Exception):
    """A file that is not valid YAML; str() is 'file:line: message'."""


class LinedDict(dict[str, Any]):
    """A mapping that remembers the line of itself and of each of its keys."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


# what a value tagged so was meant to be, for "not a valid date"
_MEANT = {
    "tag:yaml.org,2002:timestamp": "date",
    "tag:yaml.org,2002:int": "integer",
    "tag:yaml.org,2002:float": "number",
    "tag:yaml.org,2002:bool": "boolean",
}


class _BadValue(yaml.constructor.ConstructorError):
    """A value YAML cannot construct (or a mapping with a key twice); `field` is its place (keys
    and [indexes]), filled in by the mappings and sequences it sits in on the way out."""

    def __init__(self, problem: str, node: yaml.Node) -> None:
        super().__init__(None, None, problem, node.start_mark)
        self.field: list[str] = []

    def where(self) -> str:
        return "".join(
            f"{'.' if i and not p.startswith('[') else ''}{p}" for i, p in enumerate(self.field)
        )


class _LineLoader(yaml.SafeLoader):
    """SafeLoader (no arbitrary objects) whose mappings are LinedDicts. A scalar that YAML
    cannot turn into what it looks like (2027-13-45, `!!int abc`) or a number that is not
    finite (.nan, .inf) is an error with its line and field, not an exception from inside."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            meant = _MEANT.get(node.tag, node.tag.rpartition(":")[2] or "value")
            shown = f"{node.value!r}" if isinstance(node, yaml.ScalarNode) else "this"
            raise _BadValue(f"{shown} is not a valid {meant}", node) from None

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> list[Any]:
        items = []
        for index, child in enumerate(node.value):
            try:
                items.append(self.construct_object(child, deep=deep))
            except _BadValue as exc:
                exc.field.insert(0, f"[{index}]")
                raise
        return items

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        value = float(super().construct_yaml_float(node))
        if not math.isfinite(value):
            raise _BadValue(f"{node.value} is not a finite number", node)
        return value


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LinedDict:
    loader.flatten_mapping(node)
    result = LinedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) or key is None:
            raise yaml.constructor.ConstructorError(
                None, None, "mapping keys must be plain scalars", key_node.start_mark
            )
        key = str(key)
        if key in result:
            first = result.key_lines[key]
            raise _BadValue(f"duplicate key {key!r} (first on line {first})", key_node)
        try:
            result[key] = loader.construct_object(value_node, deep=True)
        except _BadValue as exc:
            exc.field.insert(0, key)
            raise
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:float", _LineLoader.construct_yaml_float)


def read_yaml(path: str | os.PathLike[str]) -> Any:
    """A YAML file (an inventory, a waiver file) parsed by load_yaml; no more of it is read than
    such a file may hold. OSError and UnicodeDecodeError are the caller's to report."""
    with open(path, "rb") as handle:
        raw = handle.read(MAX_INVENTORY_BYTES + 1)
    if len(raw) > MAX_INVENTORY_BYTES:
        raise YamlError(f"{path}: larger than {MAX_INVENTORY_BYTES // 1024} KiB, refused")
    return load_yaml(raw.decode("utf-8-sig"), str(path))


def load_yaml(text: str, source: str) -> Any:
    """Parse YAML text; raise YamlError with file and line on any syntax problem."""
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except RecursionError:
        raise YamlError(f"{source}: nested too deeply") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        if isinstance(exc, _BadValue) and exc.field:
            problem = f"{exc.where()}: {problem}"
        raise YamlError(f"{source}{line}: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"{source}: {str(exc).splitlines()[0]}") from None
    if _expanded_size(data, MAX_EXPANDED_VALUES + 1) > MAX_EXPANDED_VALUES:
        raise YamlError(
            f"{source}: more than {MAX_EXPANDED_VALUES} values once its aliases are expanded"
        )
    return data


def _expanded_size(data: Any, budget: int) -> int:
    """How many values `data` holds, an alias counted each time it is used; counting stops
    past `budget`, so a document that expands without end costs no more than that."""
    count, pending = 1, [data]
    while pending:
        value = pending.pop()
        children = list(value.values()) if isinstance(value, dict) else value
        if not isinstance(children, list):
            continue
        count += len(children)
        if count > budget:
            break
        pending.extend(children)
    return count
