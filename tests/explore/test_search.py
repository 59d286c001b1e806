"""NSGA-II search and global sensitivity on the executor."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from sweeps import tiny_sweep

from vle.explore import SearchSpec, SweepError, load_sweep, run_search, run_sensitivity

RANGES = ('"technology.section_capacitance" = { low = 0.5e-12, high = 4e-12, scale = "log" }',
          '"technology.weight_bits" = { low = 3, high = 8, integer = true }')


def ranged(folder: Path) -> Path:
    sweep = tiny_sweep(folder, samples=0)
    text = sweep.read_text()
    text = text.replace('"technology.section_capacitance" = [0.5e-12, 2e-12]', RANGES[0])
    text = text.replace('"technology.weight_bits" = [4, 8]', RANGES[1])
    sweep.write_text(text)
    return sweep


def test_nsga2_runs_its_generations_into_the_store_and_resumes(tmp_path: Path,
                                                               dask_cluster: str) -> None:
    spec = load_sweep(ranged(tmp_path))
    search = SearchSpec(generations=3, population=6)
    ds = run_search(spec, search, tmp_path / "out", scheduler=dask_cluster, progress=False)
    keys = list(ds["key"].values)
    assert len(keys) == 18 and keys[0] == "g000-000000" and keys[-1] == "g002-000017"
    assert set(ds["status"].values) == {"ok"}
    bits = ds["technology.weight_bits"].values
    assert np.all((bits >= 3) & (bits <= 8)) and np.all(bits == np.round(bits))
    # selection pressure: the last generation is no worse than the first on the best NRMSE
    gen = np.array([int(k[1:4]) for k in keys])
    nrmse = ds["nrmse"].values
    assert nrmse[gen == 2].min() <= nrmse[gen == 0].min()
    again = run_search(spec, search, tmp_path / "out", scheduler=dask_cluster, progress=False)
    xr.testing.assert_identical(ds, again)  # a rerun proposes the same points and finds them


def test_the_conductance_bits_matter_more_than_the_capacitance(tmp_path: Path,
                                                               dask_cluster: str) -> None:
    """On the nominal circuit, quantised conductances set LagLine's error; the section
    capacitance only moves the unit-capacitor rounding."""
    spec = load_sweep(ranged(tmp_path))
    res = run_sensitivity(spec, "nrmse_nominal", tmp_path / "out", method="morris", n=4,
                          scheduler=dask_cluster, progress=False)
    mu = dict(zip(res["parameter"].values, res["mu_star"].values, strict=True))
    assert mu["technology.weight_bits"] > 3 * mu["technology.section_capacitance"]
    assert (tmp_path / "out" / "sensitivity.nc").exists()
    assert res.attrs["points"] == 4 * 3


def test_sensitivity_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    spec = load_sweep(ranged(tmp_path))
    with pytest.raises(SweepError, match="power of two"):
        run_sensitivity(spec, "nrmse", tmp_path / "o", method="sobol", n=6)
    with pytest.raises(SweepError, match="is not one of"):
        run_sensitivity(spec, "nrmse", tmp_path / "o", method="fast", n=4)
    with pytest.raises(SweepError, match="metric 'loss'"):
        run_sensitivity(spec, "loss", tmp_path / "o", n=4)
    with pytest.raises(SweepError, match="population = 2 must be an integer >= 4"):
        SearchSpec(population=2)
