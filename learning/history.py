"""Training history written as it goes: a netCDF file with an unlimited ``row`` dimension.

Each row holds the model time and epoch at the end of a training chunk, the mean per-step loss
over the chunk, and the current value of every plastic parameter. The file is opened, written
and closed for every row, so an interrupted run loses nothing written and the file can be read
(``xarray.open_dataset``) while training goes on: HDF5 locks a file only while it is open. On
resume, rows after the checkpoint are dropped so history and parameters stay consistent.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import netCDF4
import numpy as np

from vle.sim.recording import MODEL_UNITS, trace_attrs, unit_coordinate
from vle.sim.result import CONVENTIONS, trace_dims

COLUMNS: dict[str, tuple[str, str]] = {
    "time": ("model time at the end of the row's training chunk (model time units)",
             MODEL_UNITS),
    "epoch": ("epochs completed at the end of the row", "1"),
    "loss": ("mean per-step loss over the row's chunk", MODEL_UNITS),
    "train_loss": ("mean training loss over the epoch", MODEL_UNITS),
    "train_accuracy": ("fraction of training sequences classified correctly", "1"),
    "test_loss": ("mean loss on the test set", MODEL_UNITS),
    "test_accuracy": ("fraction of test sequences classified correctly", "1"),
    "lr": ("learning rate during the epoch", "1"),
    "ms_per_step": ("wall time of the kernel per training step", "ms"),
    "train_ms_per_step": ("wall time of the training loop per training step", "ms"),
}
"""CF ``long_name`` and ``units`` of the bookkeeping columns (parameters are named by
:func:`vle.sim.recording.trace_attrs`)."""


def column_attrs(name: str) -> dict[str, str]:
    """The CF attributes of history variable ``name``."""
    if name in COLUMNS:
        long_name, units = COLUMNS[name]
        return {"long_name": long_name, "units": units}
    return trace_attrs(name)


class HistoryWriter:
    """Append rows of named arrays (fixed shapes per name) to a netCDF file. Reopening a file
    (``keep_rows``) keeps its first rows; a name the file does not have yet gets a new
    variable whose earlier rows are NaN."""

    def __init__(self, path: str | Path, shapes: Mapping[str, tuple[int, ...]],
                 attrs: Mapping[str, Any] | None = None, keep_rows: int | None = None) -> None:
        self.path = Path(path)
        self.shapes = dict(shapes)
        reopen = keep_rows is not None and self.path.exists()
        if reopen:
            self._truncate(keep_rows)  # type: ignore[arg-type]
        with netCDF4.Dataset(self.path, "a" if reopen else "w") as ds:
            if not reopen:
                ds.createDimension("row", None)
                ds.setncattr("Conventions", CONVENTIONS)
                for k, v in (attrs or {}).items():
                    ds.setncattr(k, v)
            for name, shape in self.shapes.items():
                if name not in ds.variables:  # new, or added since the file was started
                    dims = ("row", *_unit_dims(ds, name, shape))
                    var = ds.createVariable(name, "f8", dims, fill_value=np.nan)
                    var.setncatts(column_attrs(name))
            self.rows = len(ds.dimensions["row"])

    def _truncate(self, keep: int) -> None:
        with netCDF4.Dataset(self.path) as old:
            if len(old.dimensions["row"]) <= keep:
                return
            tmp = self.path.with_suffix(".tmp.nc")
            with netCDF4.Dataset(tmp, "w") as new:
                for name, dim in old.dimensions.items():
                    new.createDimension(name, None if dim.isunlimited() else len(dim))
                new.setncatts({k: old.getncattr(k) for k in old.ncattrs()})
                for name, var in old.variables.items():
                    kept = {k: var.getncattr(k) for k in var.ncattrs()}
                    out = new.createVariable(name, var.dtype, var.dimensions,
                                             fill_value=kept.pop("_FillValue", None))
                    out.setncatts(kept)
                    rows = var.dimensions[:1] == ("row",)
                    out[:] = var[:keep] if rows else var[:]
        os.replace(tmp, self.path)

    def append(self, row: Mapping[str, Any]) -> None:
        """Write one row (every name of the file); the file is closed again on return."""
        with netCDF4.Dataset(self.path, "a") as ds:
            for name in self.shapes:
                ds.variables[name][self.rows] = np.asarray(row[name], dtype=np.float64)
        self.rows += 1

    def close(self) -> None:
        """Nothing to release (every row closes the file); kept so callers can say when
        writing is over."""


def _unit_dims(ds: Any, name: str, shape: tuple[int, ...]) -> list[str]:
    """The named dimensions of a history variable of per-row ``shape`` (created with their
    index coordinates when new); a shape that is no trace's gets ``<name>_dim<i>``."""
    named = trace_dims(name, len(shape) + 1)[1:] if "." in name else ()
    dims = []
    for i, n in enumerate(shape):
        dim = named[i] if len(named) == len(shape) else f"{name}_dim{i}"
        if dim in ds.dimensions and len(ds.dimensions[dim]) != n:
            dim = f"{name}_dim{i}"
        if dim not in ds.dimensions:
            ds.createDimension(dim, n)
            coord = ds.createVariable(dim, "i8", (dim,))
            coord[:] = np.arange(n)
            coord.setncatts(unit_coordinate(dim))
        dims.append(dim)
    return dims
