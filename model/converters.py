"""Converters from loosely typed values (TOML, Python) to the model's validated values.

Each converter raises :class:`~vle.model.errors.ModelError` for the key it is given, so the
dataclasses and the file loader report bad values the same way.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from vle.model.errors import ModelError

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def identifier(key: str, value: Any) -> str:
    """A plain identifier (letters, digits, underscore; not starting with a digit).

    Names end up in netlists, Brian2 equations and file names, so nothing else is allowed.
    """
    if not isinstance(value, str) or not _IDENTIFIER.match(value):
        raise ModelError(key, f"got {_show(value)}", "a plain identifier such as 'h1' "
                         "(letters, digits and '_', not starting with a digit)")
    return value


def choice(key: str, value: Any, options: Sequence[str]) -> str:
    """One of a fixed set of strings."""
    if not isinstance(value, str) or value not in options:
        raise ModelError(key, f"got {_show(value)}", "one of " + ", ".join(map(repr, options)))
    return value


def number(key: str, value: Any, *, positive: bool = False, nonneg: bool = False) -> float:
    """A finite real number (bools are refused: ``true`` is not 1.0 in a model file)."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )
    if ok:
        value = float(value)
        ok = math.isfinite(value)
    if ok and positive:
        ok = value > 0
    if ok and nonneg:
        ok = value >= 0
    if not ok:
        need = "a number > 0" if positive else "a number >= 0" if nonneg else "a finite number"
        raise ModelError(key, f"got {_show(value)}", need)
    return float(value)


def integer(key: str, value: Any, *, minimum: int | None = None) -> int:
    """An integer, optionally at least ``minimum``."""
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))
    if ok and minimum is not None:
        ok = value >= minimum
    if not ok:
        need = "an integer" if minimum is None else f"an integer >= {minimum}"
        raise ModelError(key, f"got {_show(value)}", need)
    return int(value)


def boolean(key: str, value: Any) -> bool:
    """``true`` or ``false``."""
    if not isinstance(value, (bool, np.bool_)):
        raise ModelError(key, f"got {_show(value)}", "true or false")
    return bool(value)


def per_unit(
    key: str, value: Any, size: int, *, positive: bool = False
) -> np.ndarray:
    """A scalar or one value per unit, returned as a read-only float array of shape ``(size,)``."""
    need = "a number > 0" if positive else "a finite number"
    expected = f"{need} or a list of {size} such numbers"
    if isinstance(value, (list, tuple, np.ndarray)):
        arr = np.asarray(value, dtype=object if isinstance(value, (list, tuple)) else None)
        if arr.ndim != 1 or arr.shape[0] != size:
            raise ModelError(key, f"got shape {arr.shape}", expected)
        try:
            out = np.array([number(key, v, positive=positive) for v in arr], dtype=np.float64)
        except ModelError:
            raise ModelError(key, f"got {_show(value)}", expected) from None
    else:
        try:
            out = np.full(size, number(key, value, positive=positive))
        except ModelError:
            raise ModelError(key, f"got {_show(value)}", expected) from None
    out.setflags(write=False)
    return out


def real_array(key: str, value: Any, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """A finite float array (optionally of a given shape), returned read-only."""
    try:
        arr = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ModelError(key, f"got {_show(value)}", "an array of numbers") from None
    if shape is not None and arr.shape != shape:
        want = "[" + "][".join(map(str, shape)) + "]"
        raise ModelError(key, f"got shape {list(arr.shape)}", f"shape {want}")
    if not np.all(np.isfinite(arr)):
        raise ModelError(key, "contains NaN or infinite values", "finite numbers")
    arr.setflags(write=False)
    return arr


def readonly(arr: np.ndarray) -> np.ndarray:
    """A read-only copy of ``arr`` as float64."""
    out = np.array(arr, dtype=np.float64)
    out.setflags(write=False)
    return out
