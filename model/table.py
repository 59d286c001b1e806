"""A checked view of one TOML table: every key is known, read once, and reported by path."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vle.model.errors import ModelError

_MISSING: Any = object()


class Table:
    """Read keys of a TOML table under a dotted ``path`` such as ``population.h1``.

    Unknown keys are refused at construction, so a misspelt key is reported as such rather than
    as a missing one; ``allowed`` lists the keys this table may hold.
    """

    def __init__(self, data: Any, path: str, allowed: Iterable[str]) -> None:
        if not isinstance(data, dict):
            raise ModelError(path, f"got {type(data).__name__} {data!r}"[:80], "a table")
        self.data = data
        self.path = path
        allowed = tuple(allowed)
        for key in data:
            if key not in allowed:
                raise ModelError(self.key(key), "unknown key",
                                 "one of " + ", ".join(allowed) if allowed else "no keys")

    def key(self, name: str) -> str:
        """The dotted path of ``name`` in this table."""
        return f"{self.path}.{name}" if self.path else name

    def has(self, name: str) -> bool:
        """True if the table sets ``name``."""
        return name in self.data

    def get(self, name: str, default: Any = _MISSING, expected: str = "a value") -> Any:
        """The raw value of ``name``; without ``default`` a missing key is an error."""
        if name in self.data:
            return self.data[name]
        if default is _MISSING:
            raise ModelError(self.key(name), "missing", expected)
        return default

    def sub(self, name: str, allowed: Iterable[str]) -> Table:
        """The sub-table ``name`` (which must exist)."""
        return Table(self.get(name, expected="a table"), self.key(name), allowed)
