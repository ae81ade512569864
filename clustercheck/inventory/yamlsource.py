"""YAML loaded with the safe loader, keeping the line of every mapping key for error messages."""

from __future__ import annotations

from typing import Any

import yaml

MAX_INVENTORY_BYTES = 2 * 1024 * 1024


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


def load_yaml(text: str, source: str) -> Any:
    """Parse YAML text; raise YamlError with file and line on any syntax problem."""
    if len(text) > MAX_INVENTORY_BYTES:
        raise YamlError(f"{source}: larger than {MAX_INVENTORY_BYTES // 1024} KiB, refused")
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise YamlError(f"{source}{line}: {problem}") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"{source}: {str(exc).splitlines()[0]}") from None
