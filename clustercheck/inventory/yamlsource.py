"""YAML loaded with the safe loader, keeping the line of every mapping key for error messages."""

from __future__ import annotations

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


class _LineLoader(yaml.SafeLoader):
    """SafeLoader (no arbitrary objects) whose mappings are LinedDicts."""


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
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


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
