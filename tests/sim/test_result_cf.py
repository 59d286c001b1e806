"""Results and histories follow the CF conventions: every data variable has units and
long_name, unit dimensions have index coordinates, history.nc has named dimensions; plots
label their axes with units and list every line in the legend. Checked on files the CLI
writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr
from conftest import EXAMPLES

from vle.cli import main
from vle.sim.result import Result, trace_dims


def assert_cf(ds: xr.Dataset) -> None:
    assert ds.attrs["Conventions"].startswith("CF-")
    for name, var in ds.data_vars.items():
        assert var.attrs.get("units") and var.attrs.get("long_name"), name
        for dim in var.dims:
            if dim.endswith("_unit") or dim == "batch":
                assert dim in ds.coords, (name, dim)
                np.testing.assert_array_equal(ds[dim].values, np.arange(ds.sizes[dim]))
                assert ds[dim].attrs["long_name"]


def test_simulate_writes_cf_results(tmp_path: Path) -> None:
    out = tmp_path / "r.nc"
    assert main(["simulate", str(EXAMPLES / "lagline_student.toml"), "-o", str(out), "-q",
                 "--t-stop", "1"]) == 0
    with xr.open_dataset(out) as ds:
        assert_cf(ds)
        assert ds["time"].attrs["units"] == "1" and "model time" in ds["time"].attrs["long_name"]
        assert ds["h1.ub"].attrs["long_name"].startswith("prospective potential ub")
        assert ds["out.e"].attrs["long_name"] == "error e of population out"
        assert ds["loss"].attrs == {"long_name": "loss", "units": "1"}
    again = Result.load(out)  # coordinates are not traces
    assert "h1_unit" not in again.traces and "h1.ub" in again.traces


def test_batched_and_recurrent_weights_have_coordinates(tmp_path: Path) -> None:
    res = Result(np.arange(3.0), {"a.u": np.zeros((3, 2, 4)), "a->a.W": np.zeros((3, 4, 4))},
                 {"batched": True})
    assert trace_dims("a->a.W", 3) == ("time", "a_unit", "a_pre_unit")
    res.save(tmp_path / "r.nc")
    with xr.open_dataset(tmp_path / "r.nc") as ds:
        assert_cf(ds)
        assert ds.sizes["batch"] == 2 and ds["a->a.W"].dims == ("time", "a_unit", "a_pre_unit")


def test_train_writes_a_cf_history_with_named_dimensions(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert main(["train", str(EXAMPLES / "lagline_student.toml"), "--out", str(out), "-q",
                 "--t-stop", "4"]) == 0
    with xr.open_dataset(out / "history.nc") as h:
        assert_cf(h)
        assert h["x->h1.W"].dims == ("row", "h1_unit", "x_unit")
        assert h["out.tau_m"].dims == ("row", "out_unit")
        assert not [d for d in h.dims if "_dim" in str(d)]
        assert h["loss"].attrs["long_name"].startswith("mean per-step loss")
    # a resumed run truncates and keeps the attributes and coordinates
    assert main(["train", str(EXAMPLES / "lagline_student.toml"), "--out", str(out), "-q",
                 "--t-stop", "4", "--epochs", "2", "--resume"]) == 0
    with xr.open_dataset(out / "history.nc") as h:
        assert_cf(h)
        assert h.sizes["row"] == 20


def test_compare_plots_label_units_and_every_line(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import matplotlib.figure

    figures: list[Any] = []
    save = matplotlib.figure.Figure.savefig

    def keep(fig: Any, *args: Any, **kwargs: Any) -> None:
        figures.append(fig)
        save(fig, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", keep)
    model = tmp_path / "wide.toml"
    model.write_text((EXAMPLES / "lagline.toml").read_text()
                     .replace('name = "h1"\nsize = 1', 'name = "h1"\nsize = 2')
                     .replace("weights = [[1.0]]", "weights = [[1.0], [0.5]]")
                     .replace("weights = [[2.0]]", "weights = [[2.0, 1.0]]"))
    assert main(["compare", str(model), "--backends", "numba,numpy", "--t-stop", "1",
                 "--out", str(tmp_path / "cmp"), "-q"]) == 0
    h1 = next(f for f in figures if "h1" in f.get_suptitle())
    for ax in h1.axes:
        trace, unit = ax.get_ylabel().split("\n")
        assert unit == "(model units)"
        assert [t.get_text() for t in ax.get_legend().get_texts()] == [
            f"{b} {trace}[{i}]" for b in ("numba", "numpy") for i in (0, 1)]
    assert h1.axes[-1].get_xlabel() == "time (model time units)"
