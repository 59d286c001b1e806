"""Simulation results: a time axis, named traces and metadata; netCDF and .npz files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from vle.sim.recording import MODEL_UNITS, TIME_LONG_NAME, trace_attrs, unit_coordinate

SUFFIXES = (".nc", ".npz")
CONVENTIONS = "CF-1.10"
"""The CF conventions version results and histories follow (``Conventions`` attribute)."""


def trace_dims(name: str, ndim: int) -> tuple[str, ...]:
    """xarray dimension names of trace ``name``: ``time``, then ``batch`` for batched dynamic
    traces, then ``<population>_unit`` (weights: ``<post>_unit``, ``<pre>_unit``)."""
    owner, _, quantity = name.rpartition(".")
    if not owner:
        return ("time", "batch")[:ndim]
    if quantity == "W":
        pre, post = owner.split("->")
        # a recurrent projection onto its own population needs two dimension names
        return ("time", f"{post}_unit", f"{pre}_pre_unit" if pre == post else f"{pre}_unit")
    if ndim == 3:
        return ("time", "batch", f"{owner}_unit")
    return ("time", f"{owner}_unit")


@dataclass
class Result:
    """Traces of one simulation.

    ``time`` holds the recorded times in model time units, shape ``(T,)``. ``traces`` maps
    ``'<population>.<quantity>'`` (quantities ``u``, ``ub``, ``r``; later ``v``, ``e``) to arrays
    of shape ``(T, unit)`` or, for batched runs, ``(T, batch, unit)``, in model units.
    ``metadata`` records the backend, scheme, dt, versions, wall time and whatever else the
    backend states about how the numbers were made.
    """

    time: np.ndarray
    traces: dict[str, np.ndarray]
    metadata: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self.traces[name]
        except KeyError:
            raise KeyError(f"no trace {name!r}; recorded: {', '.join(self.traces)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.traces)

    @property
    def batched(self) -> bool:
        """True when traces carry a batch axis."""
        return bool(self.metadata.get("batched", False))

    def to_xarray(self) -> Any:
        """An ``xarray.Dataset`` following the CF conventions: one variable per trace with
        ``units`` and ``long_name``, dims ``time``, [``batch``,] ``<population>_unit``, each
        with an index coordinate; metadata as attributes (``vle_metadata`` holds all of it as
        JSON)."""
        import xarray as xr

        data_vars = {name: (trace_dims(name, arr.ndim), arr, trace_attrs(name))
                     for name, arr in self.traces.items()}
        attrs: dict[str, Any] = {"Conventions": CONVENTIONS,
                                 "vle_metadata": json.dumps(self.metadata, default=str)}
        for k, v in self.metadata.items():
            if isinstance(v, (str, int, float)) and not isinstance(v, bool):
                attrs[k] = v
        coords: dict[str, Any] = {"time": ("time", self.time, {
            "long_name": TIME_LONG_NAME, "units": MODEL_UNITS, "axis": "T"})}
        for name, arr in self.traces.items():
            for dim, n in zip(trace_dims(name, arr.ndim)[1:], arr.shape[1:], strict=True):
                coords.setdefault(dim, (dim, np.arange(n), unit_coordinate(dim)))
        return xr.Dataset(data_vars, coords=coords, attrs=attrs)

    @classmethod
    def from_xarray(cls, ds: Any) -> Result:
        """The inverse of :meth:`to_xarray`."""
        meta = json.loads(ds.attrs.get("vle_metadata", "{}"))
        traces = {str(k): np.asarray(ds[k].values) for k in ds.data_vars}  # not coordinates
        return cls(np.asarray(ds["time"].values), traces, meta)

    def save(self, path: str | Path) -> Path:
        """Write to ``path``: netCDF for ``.nc``, numpy archive for ``.npz``."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in SUFFIXES:
            raise ValueError(f"cannot save a result as {path.name!r}: use a file name ending in "
                             ".nc (netCDF) or .npz (numpy)")
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix == ".nc":
            self.to_xarray().to_netcdf(path)
        else:
            arrays = {"time": self.time, **self.traces,
                      "vle_metadata": np.array(json.dumps(self.metadata, default=str))}
            np.savez(path, **arrays)  # type: ignore[arg-type]
        return path

    @classmethod
    def load(cls, path: str | Path) -> Result:
        """Read a result written by :meth:`save`."""
        path = Path(path)
        if path.suffix.lower() == ".nc":
            import xarray as xr

            with xr.open_dataset(path) as ds:
                return cls.from_xarray(ds.load())
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f["vle_metadata"])) if "vle_metadata" in f.files else {}
            traces = {k: f[k] for k in f.files if k not in ("time", "vle_metadata")}
            return cls(f["time"], traces, meta)
