"""The points of a sweep: a grid, or random, Latin-hypercube or Sobol' samples of the ranges.

A :class:`Axis` is one parameter: either ``values`` (a list: grid values or choices) or a range
``[low, high]`` on a ``linear`` or ``log`` scale, optionally ``integer`` (rounded to the
nearest integer), with ``count`` grid values when the sampling is a grid.

:func:`sample_points` turns axes into points (path -> value):

``grid``
    the Cartesian product of every axis's values (ranges give ``count`` values spaced evenly on
    their scale), first axis slowest;
``random``
    ``points`` independent uniform draws on each axis's scale (``numpy.random.default_rng``);
``lhs``
    a Latin hypercube of ``points`` (:class:`scipy.stats.qmc.LatinHypercube`): every axis is
    cut into ``points`` equal strata and each holds exactly one point;
``sobol``
    a scrambled Sobol' sequence of ``points`` (:class:`scipy.stats.qmc.Sobol`; a power of two
    keeps its balance properties, other counts are accepted with scipy's warning silenced).

Values listed on an axis are choices under the random samplings (a uniform pick). The same
seed gives the same points on any machine.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import qmc

from vle.explore.parameters import SweepError

SAMPLINGS = ("grid", "random", "lhs", "sobol")
SCALES = ("linear", "log")


@dataclass(frozen=True)
class Axis:
    """One swept parameter ``path``: ``values`` or ``low``/``high`` (see the module docstring)."""

    path: str
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    scale: str = "linear"
    integer: bool = False
    count: int | None = None

    def __post_init__(self) -> None:
        where = f"sweep parameter {self.path!r}"
        if self.values is not None:
            if self.low is not None or self.high is not None or self.count is not None:
                raise SweepError(f"{where}: give either values = [...] or low, high (and "
                                 "count for a grid), not both")
            if not self.values:
                raise SweepError(f"{where}: values is empty; list at least one value")
            if len({repr(v) for v in self.values}) != len(self.values):
                raise SweepError(f"{where}: values {list(self.values)} repeat a value")
            return
        if self.low is None or self.high is None:
            raise SweepError(f"{where}: needs values = [...] or both low and high")
        for name in ("low", "high"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise SweepError(f"{where}: {name} = {v!r} is not a finite number")
        if not self.low < self.high:
            raise SweepError(f"{where}: low = {self.low!r} must be below high = {self.high!r}")
        if self.scale not in SCALES:
            raise SweepError(f"{where}: scale {self.scale!r} is not one of {', '.join(SCALES)}")
        if self.scale == "log" and self.low <= 0:
            raise SweepError(f"{where}: a log scale needs low > 0, got {self.low!r}")
        if self.count is not None and (isinstance(self.count, bool) or
                                       not isinstance(self.count, int) or self.count < 1):
            raise SweepError(f"{where}: count = {self.count!r} must be an integer >= 1")

    @property
    def is_range(self) -> bool:
        return self.values is None

    def at(self, u: np.ndarray) -> list[Any]:
        """The axis's values at unit-interval positions ``u`` (in [0, 1))."""
        if self.values is not None:
            idx = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return [self.values[i] for i in idx]
        assert self.low is not None and self.high is not None
        if self.scale == "log":
            x = np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        else:
            x = self.low + u * (self.high - self.low)
        x = np.where(u == 0.0, self.low, np.where(u == 1.0, self.high, x))  # exact ends
        return [int(round(v)) for v in x] if self.integer else [float(v) for v in x]

    def grid(self) -> list[Any]:
        """The axis's grid values."""
        if self.values is not None:
            return list(self.values)
        if self.count is None:
            raise SweepError(f"sweep parameter {self.path!r}: a grid over a range needs "
                             "count = N (or give values = [...])")
        u = np.linspace(0.0, 1.0, self.count) if self.count > 1 else np.array([0.5])
        out = self.at(u)
        if self.integer and len(set(out)) != len(out):
            raise SweepError(f"sweep parameter {self.path!r}: {self.count} integer values "
                             f"between {self.low} and {self.high} repeat; lower count")
        return out

    def to_json(self) -> dict[str, Any]:
        if self.values is not None:
            return {"values": list(self.values)}
        d: dict[str, Any] = {"low": self.low, "high": self.high, "scale": self.scale,
                             "integer": self.integer}
        if self.count is not None:
            d["count"] = self.count
        return d

    @classmethod
    def from_table(cls, path: str, table: Any) -> Axis:
        """From the TOML ``[sweep.parameters]`` entry ``path = {...}`` (or a bare list)."""
        if isinstance(table, list):
            return cls(path, values=tuple(table))
        if not isinstance(table, Mapping):
            raise SweepError(f"sweep parameter {path!r}: expected a list of values or a table "
                             f"{{ low = ..., high = ... }}, got {table!r}")
        unknown = set(table) - {"values", "low", "high", "scale", "integer", "count"}
        if unknown:
            raise SweepError(f"sweep parameter {path!r}: unknown keys {sorted(unknown)}; use "
                             "values, low, high, scale, integer, count")
        values = table.get("values")
        return cls(path, values=tuple(values) if values is not None else None,
                   low=table.get("low"), high=table.get("high"),
                   scale=table.get("scale", "linear"), integer=bool(table.get("integer", False)),
                   count=table.get("count"))


def sample_points(axes: Sequence[Axis], sampling: str, points: int | None,
                  seed: int) -> list[dict[str, Any]]:
    """The points (path -> value) of ``axes`` under ``sampling`` (see the module docstring)."""
    if sampling not in SAMPLINGS:
        raise SweepError(f"sweep.sampling {sampling!r} is not one of {', '.join(SAMPLINGS)}")
    if not axes:
        raise SweepError("sweep.parameters is empty; name at least one parameter to sweep")
    if sampling == "grid":
        if points is not None:
            raise SweepError("sweep.points is for random, lhs and sobol samplings; a grid has "
                             "as many points as the product of its axes")
        grids = [a.grid() for a in axes]
        return [dict(zip([a.path for a in axes], combo, strict=True))
                for combo in itertools.product(*grids)]
    if isinstance(points, bool) or not isinstance(points, int) or points < 1:
        raise SweepError(f"sweep.points = {points!r}: {sampling} sampling needs an integer "
                         "number of points >= 1")
    d = len(axes)
    if sampling == "random":
        u = np.random.default_rng(seed).random((points, d))
    elif sampling == "lhs":
        u = qmc.LatinHypercube(d=d, rng=np.random.default_rng(seed)).random(points)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # balance needs 2**m points
            u = qmc.Sobol(d=d, scramble=True, rng=np.random.default_rng(seed)).random(points)
    cols = [a.at(u[:, j]) for j, a in enumerate(axes)]
    return [{a.path: cols[j][i] for j, a in enumerate(axes)} for i in range(points)]
