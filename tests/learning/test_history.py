"""The training history file: rows appended and flushed one at a time, reopened on resume."""

from __future__ import annotations

import numpy as np
import xarray as xr

from vle.learning.history import HistoryWriter


def test_reopen_keeps_rows_and_adds_new_names_as_nan(tmp_path) -> None:
    path = tmp_path / "history.nc"
    w = HistoryWriter(path, {"epoch": (), "W": (2,)}, attrs={"network": "n"})
    for k in range(3):
        w.append({"epoch": k + 1, "W": [k, -k]})
        with xr.open_dataset(path) as h:  # readable while the run goes on
            assert h.sizes["row"] == k + 1
    w.close()
    # a resumed run keeps two rows and records a column the first run did not have
    w = HistoryWriter(path, {"epoch": (), "W": (2,), "ms": ()}, keep_rows=2)
    w.append({"epoch": 3, "W": [7, 8], "ms": 0.5})
    w.close()
    with xr.open_dataset(path) as h:
        assert h.attrs["network"] == "n"
        np.testing.assert_array_equal(h["epoch"].values, [1, 2, 3])
        np.testing.assert_array_equal(h["W"].values, [[0, 0], [1, -1], [7, 8]])
        np.testing.assert_array_equal(h["ms"].values, [np.nan, np.nan, 0.5])
