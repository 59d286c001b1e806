"""Comparing results: the error measures, tolerances, alignment of grids and the table."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vle import Result
from vle.sim.backend_comparison import default_tolerance
from vle.sim.trace_comparison import (
    NRMSE_TOLERANCE,
    ROUNDING_TOLERANCE,
    TECHNOLOGY_TOLERANCE,
    compare_results,
    delay,
    max_abs_error,
    nrmse,
    trace_scale,
)


def _result(t: np.ndarray, backend: str, **traces: np.ndarray) -> Result:
    return Result(t, {k.replace("_", "."): v for k, v in traces.items()}, {"backend": backend})


def test_nrmse_is_rms_error_over_the_reference_range() -> None:
    ref = np.array([[0.0], [2.0], [4.0], [np.nan]])
    val = np.array([[0.3], [1.7], [4.0], [1.0]])
    assert trace_scale(ref) == 4.0
    assert nrmse(val, ref) == pytest.approx(math.sqrt((0.09 + 0.09 + 0) / 3) / 4)
    assert max_abs_error(val, ref) == pytest.approx(0.3)
    assert trace_scale(np.full((3, 2), -2.0)) == 2.0  # constant: its magnitude
    assert trace_scale(np.zeros(3)) == 1.0
    assert math.isnan(nrmse(np.array([np.nan]), np.array([1.0])))


@pytest.mark.parametrize("shift", [-0.03, 0.0, 0.01, 0.05])
def test_delay_recovers_a_shift(shift: float) -> None:
    t = np.linspace(0, 20, 4001)
    ref = np.stack([np.sin(t), np.cos(1.7 * t)], axis=1)
    val = np.stack([np.sin(t - shift), np.cos(1.7 * (t - shift))], axis=1)
    assert delay(val, ref, t) == pytest.approx(shift, rel=0.02, abs=1e-9)
    assert math.isnan(delay(np.ones((5, 1)), np.ones((5, 1)), np.arange(5.0)))


def test_comparison_table_and_tolerances() -> None:
    t = np.linspace(0, 1, 11)
    ref = _result(t, "numba", h_u=np.sin(t)[:, None], h_e=t[:, None], a_W=np.ones((11, 2, 3)),
                  only_ref=t[:, None])
    res = _result(t, "spice", h_u=np.sin(t)[:, None] + 1e-4, h_e=t[:, None] + 0.1,
                  a_W=np.ones((11, 2, 3)), extra=t[:, None])
    comp = compare_results(res, ref, tolerance={"h.u": 1e-3, "e": 0.5, "*": 1e-6})
    assert [r.trace for r in comp.rows] == ["h.u", "h.e", "a.W"]
    assert comp.row("h.u").tolerance == 1e-3 and comp.row("h.e").tolerance == 0.5
    assert comp.row("a.W").tolerance == 1e-6 and comp.row("a.W").nrmse == 0.0
    assert comp.passed and comp.only_reference == ("only.ref",) and comp.only_result == (
        "extra",)
    strict = compare_results(res, ref)
    assert strict.row("h.u").tolerance == NRMSE_TOLERANCE
    assert [r.trace for r in strict.failed] == ["h.e"] and not strict.passed
    table = strict.table()
    assert table.splitlines()[0].startswith("spice against numba")
    assert "ABOVE" in table and "only in numba: only.ref" in table
    assert strict.worst() is not None and strict.worst().trace == "h.e"  # type: ignore[union-attr]


def test_results_on_different_grids_are_aligned() -> None:
    fine, coarse = np.linspace(0, 2, 2001), np.linspace(0, 2.5, 26)
    ref = _result(coarse, "a", x_r=np.stack([coarse, 2 * coarse], axis=1))
    res = _result(fine, "b", x_r=np.stack([fine, 2 * fine], axis=1))
    comp = compare_results(res, ref)
    assert comp.row("x.r").nrmse < 1e-12  # compared where both are: t <= 2
    with pytest.raises(KeyError, match="not in both"):
        compare_results(res, ref, traces=["x.u"])
    bad = _result(coarse, "c", x_r=np.zeros((26, 3)))
    with pytest.raises(ValueError, match="shape"):
        compare_results(bad, ref)


def test_default_tolerance_by_pair_of_backends() -> None:
    """Rounding only between backends that compute the same scheme; spice per technology."""
    assert default_tolerance("brian2", {}, "numba") == ROUNDING_TOLERANCE
    assert default_tolerance("numba", {}, "brian2") == ROUNDING_TOLERANCE
    assert default_tolerance("numpy", {}, "numba") == ROUNDING_TOLERANCE
    assert default_tolerance("brian2", {}, "spice") == NRMSE_TOLERANCE
    assert default_tolerance("spice", {"technology": "discrete"}, "brian2") == (
        TECHNOLOGY_TOLERANCE["discrete"])
    assert default_tolerance("spice", {}, "numba") == TECHNOLOGY_TOLERANCE["ideal"]
