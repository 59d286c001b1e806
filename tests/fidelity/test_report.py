"""The fidelity report: one HTML page with its tables and embedded plots, written from a
dataset; checked in headless Chromium when it is installed (slow)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from helpers import CHROMIUM, open_in_chromium

from vle.fidelity.report import Overlay, SensitivityRow, summary_rows, write_report


def _dataset(n: int = 20, failed: int = 2) -> xr.Dataset:
    rng = np.random.default_rng(0)
    status = np.array(["ok"] * (n - failed) + ["failed"] * failed, dtype=object)
    ds = xr.Dataset({
        "out.r:nrmse": ("sample", np.abs(rng.normal(0.01, 0.003, n))),
        "h1.r:nrmse": ("sample", np.abs(rng.normal(0.005, 0.001, n))),
        "out.r:gain@0.5": ("sample", rng.normal(0, 0.01, n)),
        "out.r:phase@0.5": ("sample", rng.normal(0, 0.02, n)),
        "status": ("sample", status),
        "message": ("sample", np.array([""] * (n - failed) + ["ngspice: timestep too small"]
                                       * failed, dtype=object)),
        "seed": ("sample", np.arange(n, dtype=np.uint64)),
    }, coords={"sample": np.arange(n)}, attrs={"model": "m.toml", "technology": "discrete"})
    for k in ("out.r:nrmse", "h1.r:nrmse", "out.r:gain@0.5", "out.r:phase@0.5"):
        ds[k][n - failed:] = np.nan
    return ds


def test_summary_rows_skip_failed_samples_and_name_the_worst() -> None:
    ds = _dataset()
    rows = {r["metric"]: r for r in summary_rows(ds)}
    v = ds["out.r:nrmse"].values[:18]
    assert rows["out.r:nrmse"]["n"] == 18
    assert np.isclose(rows["out.r:nrmse"]["mean"], v.mean())
    assert rows["out.r:nrmse"]["worst_sample"] == int(np.argmax(v))
    assert rows["out.r:phase@0.5"]["units"] == "rad"


def _write(tmp_path):
    t = np.linspace(0, 10, 101)
    overlay = Overlay("out.r", t, np.sin(t)[:, None], {3: 1.1 * np.sin(t)[:, None]})
    sens = [SensitivityRow("capacitor-tolerance", "technology", "out.r:nrmse", 0.01, 0.003, 20),
            SensitivityRow("resistor-tolerance", "technology", "out.r:nrmse", 0.002, 0.001, 20),
            SensitivityRow("resistor-tolerance", "x10", "out.r:nrmse", 0.02, 0.01, 20)]
    return write_report(_dataset(), tmp_path, overlay=overlay, sensitivity=sens,
                        output_trace="out.r", command="vle fidelity m.toml --mc 20")


def test_report_has_its_tables_and_plots(tmp_path) -> None:
    page = _write(tmp_path).read_text()
    assert page.count("<table") == 4  # facts, metrics, sensitivity, failed samples
    assert page.count("data:image/png;base64,") == 6  # nrmse, gain, phase, worst, ranking, sweep
    assert "ngspice: timestep too small" in page and "vle fidelity m.toml --mc 20" in page
    assert "<script" not in page
    for png in ("hist_nrmse.png", "hist_gain.png", "hist_phase.png", "worst_samples.png",
                "sensitivity.png", "sensitivity_sweep.png"):
        assert (tmp_path / png).stat().st_size > 5000


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get "
                    "install chromium)")
def test_report_loads_in_headless_chromium_without_console_errors(tmp_path) -> None:
    page = _write(tmp_path)
    shot, console, dom = open_in_chromium(page, tmp_path)
    assert shot.stat().st_size > 20000
    assert not console, console
    assert dom.count("<img") == 6 and dom.count("<table") == 4
