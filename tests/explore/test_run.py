"""Sweeps on the execution layer: results, failures, resume, the spec's fingerprint."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from sweeps import tiny_sweep

from vle.execution import StoreMismatchError
from vle.explore import load_sweep, pareto_front, run_sweep
from vle.explore.evaluate import evaluate
from vle.mapping import compile_plan
from vle.mapping.cost import plan_cost
from vle.model import load_model


def test_a_sweep_records_every_point(tmp_path: Path, dask_cluster: str) -> None:
    spec = load_sweep(tiny_sweep(tmp_path))
    summary, ds = run_sweep(spec, tmp_path / "out", scheduler=dask_cluster, progress=False)
    assert (summary.ok, summary.failed) == (4, 0)
    assert list(ds["technology.weight_bits"].values) == [4, 8, 4, 8]
    assert list(ds["technology.section_capacitance"].values) == [0.5e-12, 0.5e-12, 2e-12, 2e-12]
    # 8-bit conductances realise LagLine's weights better than 4-bit ones, at either C
    nrmse = ds["nrmse_nominal"].values
    assert nrmse[1] < nrmse[0] and nrmse[3] < nrmse[2]
    # the cost is the cost model's for the point's own circuit
    model = load_model(spec.model)
    from dataclasses import replace

    from vle.circuits import get_technology
    tech = get_technology("onchip")
    tech = replace(tech, weight_bits=8, unit_resistance=tech.time_scale / 2e-12)
    assert ds["area"].values[3] == plan_cost(compile_plan(model, tech)[0]).area
    with xr.open_dataset(tmp_path / "out" / "results.nc") as nc:
        assert nc.sizes["point"] == 4 and nc["area"].attrs["units"] == "m2"
    front = pareto_front(ds, spec.objectives)
    assert front.front.size >= 1


def test_common_random_numbers_across_points(tmp_path: Path) -> None:
    """Two points that differ only in the op-amps' GBW (which the surrogate does not see) get
    the same draws, so the same NRMSE to the last bit."""
    spec = load_sweep(tiny_sweep(tmp_path, samples=2))
    a = evaluate(spec, {"technology.section_capacitance": 1e-12,
                        "technology.weight_bits": 8})
    b = evaluate(spec, {"technology.section_capacitance": 1e-12,
                        "technology.weight_bits": 8, **{}})
    assert a == b
    assert a["nrmse"] != a["nrmse_nominal"]  # the draws do move it


def test_a_refused_design_is_a_failed_point(tmp_path: Path, dask_cluster: str) -> None:
    # a model time unit of 1 s needs 100 nF on onchip's 10 Mohm resistors, 5000 times its
    # largest capacitor
    sweep = tiny_sweep(tmp_path)
    sweep.write_text(sweep.read_text().replace('"technology.section_capacitance" = [0.5e-12, '
                                               '2e-12]', '"technology.time_scale" = [1.0, 1e-6]'))
    spec = load_sweep(sweep)
    summary, ds = run_sweep(spec, tmp_path / "out", scheduler=dask_cluster, progress=False)
    assert (summary.ok, summary.failed) == (2, 2)
    status = list(ds["status"].values)
    assert status == ["failed", "failed", "ok", "ok"]
    assert "MappingError" in ds["message"].values[0], ds["message"].values[0]
    assert np.isnan(ds["area"].values[0])
    front = pareto_front(ds, spec.objectives)
    assert front.failed == 2 and set(front.front.tolist()) <= {2, 3}


def test_a_rerun_skips_finished_points_and_a_changed_spec_is_refused(
        tmp_path: Path, dask_cluster: str) -> None:
    spec = load_sweep(tiny_sweep(tmp_path))
    _, first = run_sweep(spec, tmp_path / "out", scheduler=dask_cluster, progress=False)
    summary, again = run_sweep(spec, tmp_path / "out", scheduler=dask_cluster, progress=False)
    assert (summary.skipped, summary.ok) == (4, 0)
    xr.testing.assert_identical(first, again)
    changed = load_sweep(tiny_sweep(tmp_path / "b", bits="[4, 6]"))
    with pytest.raises(StoreMismatchError):
        run_sweep(changed, tmp_path / "out", scheduler=dask_cluster, progress=False)
    summary, ds = run_sweep(changed, tmp_path / "out", scheduler=dask_cluster, progress=False,
                            new=True)
    assert summary.ok == 4 and list(ds["technology.weight_bits"].values) == [4, 6, 4, 6]


def test_results_do_not_depend_on_the_number_of_workers(tmp_path: Path,
                                                       dask_cluster: str) -> None:
    spec = load_sweep(tiny_sweep(tmp_path, samples=2))
    _, two = run_sweep(spec, tmp_path / "two", scheduler=dask_cluster, progress=False)
    _, one = run_sweep(spec, tmp_path / "one", workers=1, progress=False)
    keep = [v for v in two.data_vars if v not in ("elapsed",)]
    xr.testing.assert_identical(two[keep].drop_attrs(), one[keep].drop_attrs())
