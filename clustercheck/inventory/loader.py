"""Load and validate inventory.yaml: every mistake reported at once, with line and field."""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from clustercheck.inventory import schema
from clustercheck.inventory.identity import duplicates
from clustercheck.inventory.schema import Field
from clustercheck.inventory.settings import (
    ApacheSettings,
    ClusterSettings,
    MulticastSettings,
    NodeSettings,
    NtpSettings,
    SshSettings,
    TomcatSettings,
    Waiver,
)
from clustercheck.inventory.yamlsource import LinedDict, YamlError, read_yaml


class InventoryError(Exception):
    """All problems of one inventory; each line names the file, line and field."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Errors:
    """Collects problems instead of stopping at the first one."""

    def __init__(self, source: str, items: list[str] | None = None) -> None:
        self.source = source
        self.items: list[str] = items if items is not None else []

    def add(self, line: int | None, field: str, message: str) -> None:
        """Once per problem: a mistake in `defaults` is met again in every node that uses it."""
        where = f"{self.source}:{line}" if line else self.source
        item = f"{where}: {field}: {message}"
        if item not in self.items:
            self.items.append(item)

    def in_file(self, source: str) -> _Errors:
        """The same list, for problems whose lines are in another file (a waiver file)."""
        return _Errors(source, self.items)


def load_inventory(path: str | os.PathLike[str]) -> ClusterSettings:
    """Read, validate and resolve an inventory file; raise InventoryError listing every problem."""
    return parse_inventory(read_inventory(path), str(path), Path(path).resolve().parent)


def ssh_settings(values: Mapping[str, Any], source: str, base_dir: Path) -> SshSettings:
    """An `ssh:` section given outside a file (a host to discover and how to reach it),
    checked and resolved as the inventory's own; InventoryError names `source` and the key."""
    errors = _Errors(source)
    for key in values:
        if key not in schema.SSH:
            errors.add(None, f"ssh.{key}", "unknown key")
    section = _section({"ssh": dict(values)}, "ssh", schema.SSH, "ssh", errors, base_dir)
    if errors.items:
        raise InventoryError(errors.items)
    return SshSettings(**section)


def read_inventory(path: str | os.PathLike[str]) -> Any:
    """The file's YAML, not yet validated."""
    source = str(path)
    try:
        return read_yaml(path)
    except FileNotFoundError:
        raise InventoryError([f"{source}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InventoryError([f"{source}: cannot read: {exc}"]) from None
    except YamlError as exc:
        raise InventoryError([str(exc)]) from None


def parse_inventory(data: Any, source: str, base_dir: Path) -> ClusterSettings:
    errors = _Errors(source)
    if not isinstance(data, LinedDict):
        raise InventoryError(
            [f"{source}: the inventory must be a mapping with 'cluster' and 'nodes'"]
        )
    _check_keys(data, schema.TOP, "", errors)
    name = data.get("cluster")
    if not isinstance(name, str) or not name.strip():
        errors.add(data.line_of("cluster"), "cluster", "required: a non-empty name")
        name = "cluster"
    sections = {
        key: _section(data, key, fields, key, errors, base_dir)
        for key, fields in schema.CLUSTER_SECTIONS.items()
    }
    defaults = data.get("defaults") or LinedDict()
    if isinstance(defaults, LinedDict):
        _check_node_keys(defaults, "defaults", errors)
    else:
        errors.add(data.line_of("defaults"), "defaults", "must be a mapping of node fields")
        defaults = LinedDict()
    nodes = _nodes(data, defaults, errors, base_dir)
    for node, problem in duplicates(nodes):
        errors.add(data["nodes"].line_of(node), f"nodes.{node}", problem)
    names = list(data["nodes"]) if isinstance(data.get("nodes"), LinedDict) else None
    waivers = _waivers(data.get("waivers"), data.line_of("waivers"), names, errors, base_dir)
    ntp, mcast = sections["ntp"], sections["multicast"]
    ntp_settings = NtpSettings(servers=tuple(ntp.pop("servers", ())), **ntp)
    _check_thresholds(ntp_settings, data.get("ntp"), data.line_of("ntp"), errors)
    if errors.items:
        raise InventoryError(errors.items)
    return ClusterSettings(
        name=name,
        source=source,
        nodes=tuple(nodes),
        ntp=ntp_settings,
        multicast=MulticastSettings(**mcast),
        jdk_policy=sections["jdk"].get("policy", "update"),
        ajp_timeout_ms=float(sections["ajp"].get("timeout_ms", 2000.0)),
        waivers=tuple(waivers),
    )


# (warns, fails): a warning threshold above its failure threshold could never warn
NTP_THRESHOLDS = (("warn_ms", "fail_ms"), ("spread_warn_ms", "spread_fail_ms"))


def _check_thresholds(ntp: NtpSettings, given: Any, line: int, errors: _Errors) -> None:
    """Each pair as it applies, defaults included, so `fail_ms: 50` alone is refused too."""
    keys: dict[str, Any] = given if isinstance(given, LinedDict) else {}

    def named(key: str) -> str:
        return f"ntp.{key} {getattr(ntp, key):g}" + ("" if key in keys else " (the default)")

    for warn, fail in NTP_THRESHOLDS:
        if getattr(ntp, warn) > getattr(ntp, fail):
            at = given.line_of(warn if warn in keys else fail) if keys else line
            errors.add(
                at, f"ntp.{warn}", f"{named(warn)} is above {named(fail)}: it could never warn"
            )


def _nodes(
    data: LinedDict, defaults: LinedDict, errors: _Errors, base_dir: Path
) -> list[NodeSettings]:
    raw = data.get("nodes")
    if not isinstance(raw, LinedDict) or not raw:
        errors.add(data.line_of("nodes"), "nodes", "required: a mapping of at least one node")
        return []
    nodes = []
    for name, node in raw.items():
        field = f"nodes.{name}"
        if not isinstance(node, LinedDict):
            errors.add(raw.line_of(name), field, "must be a mapping of node fields")
            continue
        _check_node_keys(node, field, errors)
        built = _node(str(name), ((defaults, "defaults"), (node, field)), errors, base_dir)
        if built:
            nodes.append(built)
    return nodes


# a node's fields as written: its defaults first, then the node itself, each with its field path
Layers = tuple[tuple[LinedDict, str], ...]


def _node(name: str, layers: Layers, errors: _Errors, base_dir: Path) -> NodeSettings | None:
    """A node's fields override its defaults; sections merge key by key (DESIGN §2). A value is
    judged where it was written, so a mistake in `defaults` is one problem on its own line. A
    field that is there but wrong is that problem only, never also "required"."""
    before = len(errors.items)
    node, field = layers[-1]
    line = node.line
    values = {
        key: _value(value, spec, path, at, errors, base_dir)
        for key, spec in schema.NODE.items()
        if spec.kind != "section"
        for value, path, at in _written(layers, key)
    }
    transport = values.get("transport", "ssh")
    if values.get("roles", ()) == ():
        errors.add(line, f"{field}.roles", "required: a list of apache and/or tomcat")
    if "host" not in values and transport != "local":
        errors.add(line, f"{field}.host", "required")
    if transport == "files" and "root" not in values:
        errors.add(line, f"{field}.root", "required with transport files")
    sections = {
        key: _node_section(layers, key, fields, errors, base_dir)
        for key, fields in schema.SECTIONS.items()
    }
    roles = values.get("roles") or ()
    host = values.get("host")
    apache = sections["apache"]
    if "apache" in roles and not any(
        key in apache for key in ("httpd_conf", "jk_conf", "workers_properties")
    ):
        errors.add(
            line,
            f"{field}.apache.httpd_conf",
            "required for role apache (or jk_conf, or workers_properties)",
        )
    if "tomcat" in roles and "catalina_base" not in sections["tomcat"]:
        errors.add(line, f"{field}.tomcat.catalina_base", "required for role tomcat")
    if values.get("os") == "windows" and transport == "ssh" and sections["ssh"].get("become"):
        errors.add(
            line,
            f"{field}.ssh.become",
            "Windows has no sudo: log in as an administrator instead (ssh.become: false)",
        )
    if len(errors.items) != before:
        return None
    return NodeSettings(
        name=name,
        host=host or "localhost",
        roles=tuple(roles),
        transport=transport,
        root=values.get("root"),
        os=values.get("os", "linux"),
        ssh=SshSettings(**sections["ssh"]),
        apache=ApacheSettings(**sections["apache"]),
        tomcat=TomcatSettings(**sections["tomcat"]),
    )


def _written(layers: Layers, key: str) -> list[tuple[Any, str, int]]:
    """The value of a node's field as the last layer holding it wrote it, with its field path
    and line; none when no layer has it."""
    for owner, path in reversed(layers):
        if key in owner:
            return [(owner[key], f"{path}.{key}", owner.line_of(key))]
    return []


def _node_section(
    layers: Layers, key: str, fields: dict[str, Field], errors: _Errors, base_dir: Path
) -> dict[str, Any]:
    """A node's section merged key by key over its defaults'; each value judged where it was
    written (the keys were checked by _check_node_keys)."""
    found: dict[str, tuple[Any, str, int]] = {}
    for owner, path in layers:
        raw = owner.get(key)
        if raw is None:
            continue
        if not isinstance(raw, LinedDict):
            errors.add(owner.line_of(key), f"{path}.{key}", "must be a mapping")
            continue
        for name in (n for n in raw if n in fields):
            found[name] = (raw[name], f"{path}.{key}.{name}", raw.line_of(name))
    return {
        name: _value(value, fields[name], where, at, errors, base_dir)
        for name, (value, where, at) in found.items()
    }


def _section(
    data: dict[str, Any],
    key: str,
    fields: dict[str, Field],
    path: str,
    errors: _Errors,
    base_dir: Path,
) -> dict[str, Any]:
    raw = data.get(key)
    if raw is None:
        return {}
    line = data.line_of(key) if isinstance(data, LinedDict) else None
    if not isinstance(raw, dict):
        errors.add(line, path, "must be a mapping")
        return {}
    if isinstance(raw, LinedDict):
        _check_keys(raw, fields, path + ".", errors)
    lines = raw if isinstance(raw, LinedDict) else None
    return {
        k: _value(
            v, fields[k], f"{path}.{k}", lines.line_of(k) if lines else line, errors, base_dir
        )
        for k, v in raw.items()
        if k in fields
    }


def _check_node_keys(node: LinedDict, path: str, errors: _Errors) -> None:
    _check_keys(node, schema.NODE, path + ".", errors)
    for key, fields in schema.SECTIONS.items():
        section = node.get(key)
        if isinstance(section, LinedDict):
            _check_keys(section, fields, f"{path}.{key}.", errors)


def _check_keys(data: LinedDict, fields: dict[str, Field], prefix: str, errors: _Errors) -> None:
    for key in data:
        if key not in fields:
            errors.add(
                data.line_of(key), f"{prefix}{key}", f"unknown key{_suggestion(key, fields)}"
            )


def _value(
    value: Any, spec: Field, path: str, line: int | None, errors: _Errors, base_dir: Path
) -> Any:
    """Check one value against its Field; return it normalised (paths resolved)."""
    kind = spec.kind
    if kind in ("str", "path"):
        if not isinstance(value, str | int | float) or isinstance(value, bool) or value == "":
            errors.add(line, path, "must be a non-empty string")
            return None
        text = str(value)
        if spec.local_path:
            return str((base_dir / os.path.expanduser(text)).resolve())
        return text
    if kind in ("int", "number"):
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (kind == "int" and not isinstance(value, int))
        ):
            errors.add(line, path, f"must be {'an integer' if kind == 'int' else 'a number'}")
            return None
        if (spec.minimum is not None and value < spec.minimum) or (
            spec.maximum is not None and value > spec.maximum
        ):
            errors.add(line, path, f"must be between {spec.minimum:g} and {spec.maximum or 'inf'}")
            return None
        return value
    if kind == "date":
        try:
            if isinstance(value, datetime) or not isinstance(value, date | str):
                raise ValueError
            return value if isinstance(value, date) else date.fromisoformat(value)
        except ValueError:
            errors.add(line, path, f"must be a date, YYYY-MM-DD (got {value!r})")
            return None
    if kind == "bool":
        if not isinstance(value, bool):
            errors.add(line, path, "must be true or false")
        return value
    if kind == "enum":
        if value not in spec.choices:
            errors.add(line, path, f"must be one of {', '.join(spec.choices)} (got {value!r})")
            return None
        return value
    if kind in ("roles", "list[str]"):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors.add(line, path, "must be a list of strings")
            return None
        bad = [v for v in value if spec.choices and v not in spec.choices]
        for name in bad:
            errors.add(line, path, f"unknown role {name!r} ({_nearest(name, spec.choices)})")
        return None if bad else tuple(value)
    if kind == "map[str]":
        if not isinstance(value, dict):
            errors.add(line, path, "must be a mapping of names to values")
            return {}
        for name in (str(k) for k in value if spec.choices and str(k) not in spec.choices):
            errors.add(line, path, f"unknown name {name!r} ({_nearest(name, spec.choices)})")
        return {str(k): str(v) for k, v in value.items()}
    raise AssertionError(f"schema kind {kind} has no validator")


def _hint(name: str, known: Iterable[str]) -> str | None:
    """The known word closest to a mistyped one, when one is close."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return close[0] if close else None


def _suggestion(name: str, known: Iterable[str]) -> str:
    """The hint after a message, ` (did you mean 'x'?)`, or nothing when no word is close."""
    hint = _hint(name, known)
    return f" (did you mean '{hint}'?)" if hint else ""


def _nearest(name: str, known: Sequence[str]) -> str:
    """The hint in a message's parentheses: `did you mean 'x'?`, else every known word."""
    hint = _hint(name, known)
    return f"did you mean '{hint}'?" if hint else f"known: {', '.join(known)}"


def _waivers(
    raw: Any, line: int, nodes: list[str] | None, errors: _Errors, base_dir: Path
) -> list[Waiver]:
    """Waivers inline, or a path to a YAML file holding the same list (its problems name that
    file and its lines). A waiver for a node the inventory does not have (`nodes`, None when
    it has none to compare with) is refused: it would waive nothing, silently."""
    if raw is None:
        return []
    if isinstance(raw, str):
        path = (base_dir / os.path.expanduser(raw)).resolve()
        try:
            raw = read_yaml(path)
        except (OSError, UnicodeDecodeError, YamlError) as exc:
            errors.add(line, "waivers", f"cannot read waiver file: {exc}")
            return []
        errors, line = errors.in_file(str(path)), 0
    if not isinstance(raw, list):
        errors.add(line, "waivers", "must be a list of {code, node, reason, expires}")
        return []
    waivers = []
    for index, item in enumerate(raw):
        field = f"waivers[{index}]"
        if not isinstance(item, LinedDict):
            errors.add(line, field, "must be a mapping")
            continue
        _check_keys(item, schema.WAIVER, field + ".", errors)
        for required in ("code", "reason"):
            if required not in item:
                errors.add(item.line, f"{field}.{required}", "required")
        values = {
            key: _value(item[key], spec, f"{field}.{key}", item.line_of(key), errors, base_dir)
            for key, spec in schema.WAIVER.items()
            if key in item
        }
        node = values.get("node")
        if node and nodes is not None and node not in nodes:
            errors.add(
                item.line_of("node"),
                f"{field}.node",
                f"no node named {node!r} in the inventory{_suggestion(node, nodes)}",
            )
        waivers.append(
            Waiver(
                code=values.get("code") or "",
                node=node,
                reason=values.get("reason") or "",
                expires=values.get("expires"),
                where=f"{errors.source}:{item.line_of('code')}: {field}.code",
            )
        )
    return waivers
