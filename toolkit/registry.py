"""A registry of named classes (question kinds, aggregation rules): name -> the one
instance, in registration order (the order schema errors list the names in). A leaf.
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")  # a class with a ``name`` (ClassVar[str]): Kind, Rule


class Registry(dict[str, T], Generic[T]):
    """``register`` a class (or an instance) under its ``name``; look it up as a dict."""

    def register(self, entry: type[T] | T) -> T:
        """Add ``entry`` (a class, instantiated here, or an instance); returns it."""
        instance = entry() if isinstance(entry, type) else entry
        name = getattr(instance, "name", "")
        if not name:
            raise ValueError(f"{entry!r} has no name")
        self[name] = instance
        return instance

    def unregister(self, name: str) -> None:
        """Remove an entry added by :meth:`register` (tests)."""
        self.pop(name, None)
