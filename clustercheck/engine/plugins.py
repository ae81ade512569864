"""Loading one entry point of a plugin group (checks, formats) as the kind of object the group
holds, with a one-line error naming the distribution and the entry point when it cannot be."""

from __future__ import annotations

from importlib.metadata import EntryPoint
from typing import TypeVar

T = TypeVar("T")


def origin(ep: EntryPoint) -> str:
    """`distribution:module:attribute`, how every plugin error names a plugin. Only for an
    error: the distribution's name is read from its metadata, an email-format file that
    importlib.metadata parses again at every call."""
    return f"{ep.dist.name if ep.dist else '?'}:{ep.value}"


def load_plugin(
    ep: EntryPoint, kind: type[T], error: type[Exception], what: str, hint: str = ""
) -> T:
    """The object `ep` names; `error` (one line, ending with `hint`) when it cannot be imported
    or is no `kind`."""
    try:
        obj = ep.load()
    except Exception as exc:  # a broken plugin must be named, whatever it raised
        raise error(f"{what} plugin {origin(ep)} failed to load: {exc}") from None
    if not isinstance(obj, kind):
        raise error(f"{what} plugin {origin(ep)} is not a {kind.__name__}{hint}")
    return obj
