"""The table of implemented Bot API methods.

Each method is a function ``(world, params) -> result`` (or a coroutine function for long
polling). Method names are case-insensitive in the Bot API, so the table is keyed by the lower-case
name and remembers the documented spelling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from .world import World

Handler = Callable[[World, dict[str, Any]], Any]


class Method(NamedTuple):
    """A Bot API method: its documented name and its implementation."""

    name: str
    handler: Handler


class MethodTable(dict[str, Method]):
    """Bot API methods by lower-case name; ``register`` is a decorator."""

    def register(self, name: str) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self[name.lower()] = Method(name, handler)
            return handler

        return decorate

    def find(self, name: str) -> Method | None:
        """The method called ``name`` (any letter case), or None."""
        return self.get(name.lower())
