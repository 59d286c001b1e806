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
                for k, v in (attrs or {}).items():
                    ds.setncattr(k, v)
            for name, shape in self.shapes.items():
                if name not in ds.variables:  # new, or added since the file was started
                    dims = ["row"]
                    for i, n in enumerate(shape):
                        dim = f"{name}_dim{i}"
                        ds.createDimension(dim, n)
                        dims.append(dim)
                    ds.createVariable(name, "f8", tuple(dims), fill_value=np.nan)
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
                    out = new.createVariable(name, var.dtype, var.dimensions)
                    out[:] = var[:keep]
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
