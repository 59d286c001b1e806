"""Result files and the command line."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import xarray as xr
from helpers import mixed_network

from vle import Result, Sine, load_model, simulate
from vle.cli import main


@pytest.mark.parametrize("suffix", [".nc", ".npz"])
def test_result_round_trip(tmp_path, suffix):
    res = simulate(mixed_network(), {"x": Sine()}, t_stop=1.0, dt=0.01, batch=2)
    path = res.save(tmp_path / f"r{suffix}")
    back = Result.load(path)
    assert back.metadata == res.metadata
    np.testing.assert_array_equal(back.time, res.time)
    for name in res:
        np.testing.assert_array_equal(back[name], res[name])
    assert back["a.u"].shape == (101, 2, 6)


def test_netcdf_is_plain_xarray(tmp_path):
    res = simulate(mixed_network(), {"x": Sine()}, t_stop=1.0, dt=0.01)
    res.save(tmp_path / "r.nc")
    with xr.open_dataset(tmp_path / "r.nc") as ds:
        assert ds["b.ub"].dims == ("time", "b_unit")
        assert ds.attrs["backend"] == "numba"
        assert ds.attrs["scheme"] == "exact"


def test_bad_suffix_is_refused_before_running(tmp_path):
    with pytest.raises(ValueError, match=r"\.nc \(netCDF\) or \.npz"):
        Result(np.zeros(1), {}).save(tmp_path / "r.csv")


def test_cli_simulate_writes_result(tmp_path, lagline_path, capsys):
    out = tmp_path / "lag.nc"
    assert main(["simulate", str(lagline_path), "--out", str(out), "--t-stop", "2",
                 "--scheme", "euler"]) == 0
    assert "traces written to" in capsys.readouterr().out
    res = Result.load(out)
    assert res.metadata["scheme"] == "euler"
    assert res.time[-1] == pytest.approx(2.0)
    model = load_model(lagline_path)
    assert set(res.traces) == {f"{p.name}.{q}" for p in model.network.populations
                               for q in (("r",) if p.is_input else ("u", "ub", "r"))}


def test_cli_quiet_prints_nothing(tmp_path, lagline_path, capsys):
    assert main(["simulate", str(lagline_path), "-o", str(tmp_path / "a.npz"), "-q",
                 "--t-stop", "1"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_cli_help_version_and_no_command():
    run = [sys.executable, "-m", "vle"]
    out = subprocess.run(run + ["--help"], capture_output=True, text=True, check=True).stdout
    assert "simulate" in out
    ver = subprocess.run(run + ["--version"], capture_output=True, text=True, check=True).stdout
    assert ver.startswith("vle ")
    assert subprocess.run(run, capture_output=True, text=True).returncode == 2
    bad = subprocess.run(run + ["simulate", "x.toml", "--out", "x.csv"], capture_output=True,
                         text=True)
    assert bad.returncode == 2 and "must end in .nc or .npz" in bad.stderr
