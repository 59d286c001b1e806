"""Cross-backend comparison: the traces of a result against a reference's, on a common grid.

Per trace the comparison states the normalised RMS error (:func:`nrmse`), the largest
absolute error and the delay between the two (:func:`delay`), and holds the normalised error
to a tolerance. Any pair of results with the same trace names can be compared (numba, numpy,
brian2, spice).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from vle.sim.result import Result

NRMSE_TOLERANCE = 1e-3
"""Default bound on :func:`nrmse`: the SPICE issue's bound for the ideal technology against
the numba ``exact`` scheme at dt <= 1e-3. What remains there is the reference's first-order
error (the ideal netlist follows the continuous equations; measured on LagLine: 1.1e-4 at
dt = 1e-3, about 6e-4 at dt = 1e-2), while ngspice's own error at reltol = 1e-6 is about
1e-7. Physical technologies need their own bound (their components are off by up to their
tolerance): see :data:`TECHNOLOGY_TOLERANCE`."""

ROUNDING_TOLERANCE = 1e-9
"""Default bound on :func:`nrmse` between two backends of :data:`SCHEME_BACKENDS` under the
same scheme: they do the same float64 arithmetic in a different order (Brian2 sums over
synapses where numba takes BLAS products, and writes the exact update as
``I - I exp(-dt/tau) + u exp(-dt/tau)``), measured about 1e-14 on every trace and 1e-15 on
weight trajectories; 1e-9 is the Brian2 issue's bound for "to rounding" (as in
``tests/test_brian2_agreement.py``), leaving room for rounding that grows with the number of
steps. Anything larger is a different scheme or a bug, which :data:`NRMSE_TOLERANCE` would
hide."""

SCHEME_BACKENDS: frozenset[str] = frozenset({"numba", "numpy", "brian2"})
"""Backends that compute the discrete schemes of :mod:`vle.sim.schemes` themselves (the numba
reference, its plain-numpy twin, Brian2 with the same step plans): any two of them agree to
:data:`ROUNDING_TOLERANCE`."""

TECHNOLOGY_TOLERANCE: dict[str, float] = {
    "ideal": NRMSE_TOLERANCE,
    # E96 / E12 values within 1.5 % of each time constant and op-amps of finite gain and
    # bandwidth: measured 3.0e-3 on LagLine at dt = 1e-3 with a square-wave input, 1.6e-3
    # with the smooth input of examples/lagline.toml; a margin of five
    "discrete": 1.5e-2,
    # unit capacitors, 8-bit conductances and OTAs of gain 1e4: measured 5.5e-3 on LagLine at
    # dt = 1e-3 with a square wave, 4.2e-3 with the smooth input; a margin of five
    "onchip": 3e-2,
}
"""Default bound per technology for SPICE against the reference (``vle compare``)."""


def trace_scale(reference: np.ndarray) -> float:
    """What an error is normalised by: the range ``max - min`` of the reference trace over
    time and units (the size of the signal, insensitive to its offset); for a constant trace
    its largest magnitude, and 1 for a trace that is zero throughout."""
    ref = reference[np.isfinite(reference)]
    if ref.size == 0:
        return 1.0
    span = float(np.ptp(ref))
    if span > 0:
        return span
    peak = float(np.max(np.abs(ref)))
    return peak if peak > 0 else 1.0


def nrmse(value: np.ndarray, reference: np.ndarray) -> float:
    """Normalised RMS error: ``RMS(value - reference) / trace_scale(reference)``, the RMS
    over every time point, batch element and unit (points where either is NaN, such as the
    loss at t = 0, are left out)."""
    value, reference = np.asarray(value, dtype=np.float64), np.asarray(reference,
                                                                         dtype=np.float64)
    ok = np.isfinite(value) & np.isfinite(reference)
    if not ok.any():
        return math.nan
    rms = float(np.sqrt(np.mean((value[ok] - reference[ok]) ** 2)))
    return rms / trace_scale(reference)


def max_abs_error(value: np.ndarray, reference: np.ndarray) -> float:
    """The largest ``|value - reference|`` (NaN points left out)."""
    diff = np.abs(np.asarray(value, dtype=np.float64) - reference)
    return float(np.nanmax(diff)) if np.isfinite(diff).any() else math.nan


def delay(value: np.ndarray, reference: np.ndarray, time: np.ndarray) -> float:
    """The delay ``d`` (model time) of ``value`` behind ``reference`` that best explains their
    difference as ``value(t) = reference(t - d)``: to first order ``value - reference = -d
    reference'``, so ``d = -<value - reference, reference'> / <reference', reference'>``
    (least squares over time and units). Accurate while the delay is short against the
    signal's time scale; NaN for a trace that does not change."""
    value = np.asarray(value, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if len(time) < 3:
        return math.nan
    slope = np.gradient(reference, time, axis=0)
    ok = np.isfinite(value) & np.isfinite(reference) & np.isfinite(slope)
    power = float(np.sum(slope[ok] ** 2))
    if power == 0:
        return math.nan
    return -float(np.sum((value[ok] - reference[ok]) * slope[ok])) / power


@dataclass(frozen=True)
class TraceComparison:
    """One trace compared: :func:`nrmse`, :func:`max_abs_error`, :func:`delay` (model time)
    and the tolerance on the normalised error."""

    trace: str
    nrmse: float
    max_abs: float
    delay: float
    tolerance: float

    @property
    def passed(self) -> bool:
        """True when the normalised error is within the tolerance."""
        return bool(self.nrmse <= self.tolerance)


@dataclass(frozen=True)
class Comparison:
    """A result (``name``) against a ``reference``: one row per common trace, and the traces
    only one of them has (``only_result``, ``only_reference``)."""

    name: str
    reference: str
    rows: tuple[TraceComparison, ...]
    only_result: tuple[str, ...] = ()
    only_reference: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """True when every compared trace is within its tolerance."""
        return all(r.passed for r in self.rows)

    @property
    def failed(self) -> tuple[TraceComparison, ...]:
        """The rows above their tolerance."""
        return tuple(r for r in self.rows if not r.passed)

    def row(self, trace: str) -> TraceComparison:
        """The row of ``trace``."""
        for r in self.rows:
            if r.trace == trace:
                return r
        raise KeyError(f"{trace!r} was not compared; compared: "
                       f"{', '.join(r.trace for r in self.rows)}")

    def worst(self) -> TraceComparison | None:
        """The row with the largest normalised error relative to its tolerance."""
        return max(self.rows, key=lambda r: r.nrmse / r.tolerance, default=None)

    def table(self) -> str:
        """The comparison as aligned text, one line per trace."""
        head = ("trace", "NRMSE", "max |error|", "delay", "tolerance", "")
        body = [(r.trace, f"{r.nrmse:.2e}", f"{r.max_abs:.2e}", f"{r.delay:+.2e}",
                 f"{r.tolerance:.2g}", "ok" if r.passed else "ABOVE") for r in self.rows]
        widths = [max(len(x[k]) for x in [head, *body]) for k in range(len(head))]
        lines = [f"{self.name} against {self.reference} (NRMSE = RMS error / range of the "
                 "reference; delay in model time units)"]
        for row in [head, *body]:
            lines.append("  ".join(x.ljust(w) for x, w in zip(row, widths, strict=True))
                         .rstrip())
        if self.only_reference:
            lines.append(f"only in {self.reference}: {', '.join(self.only_reference)}")
        if self.only_result:
            lines.append(f"only in {self.name}: {', '.join(self.only_result)}")
        return "\n".join(lines)


def align(result: Result, reference: Result) -> tuple[np.ndarray, Result]:
    """``result`` on the reference's time points within the span both cover (linear
    interpolation, unless the grids already agree); returns those times and the aligned
    result, whose traces match ``reference.time[mask]`` where mask selects the common span."""
    t_ref, t_res = reference.time, result.time
    if t_ref.shape == t_res.shape and np.allclose(t_ref, t_res, rtol=0, atol=1e-9):
        return t_ref, result
    keep = (t_ref >= t_res[0] - 1e-12) & (t_ref <= t_res[-1] + 1e-12)
    times = t_ref[keep]
    traces = {}
    for name, arr in result.traces.items():
        flat = arr.reshape(len(t_res), -1)
        cols = [np.interp(times, t_res, flat[:, k]) for k in range(flat.shape[1])]
        traces[name] = np.stack(cols, axis=1).reshape((len(times),) + arr.shape[1:])
    return times, Result(times, traces, result.metadata)


def compare_results(
    result: Result,
    reference: Result,
    *,
    tolerance: float | Mapping[str, float] = NRMSE_TOLERANCE,
    traces: Iterable[str] | None = None,
    name: str | None = None,
    reference_name: str | None = None,
) -> Comparison:
    """Compare ``result`` with ``reference`` trace by trace on the reference's grid.

    ``tolerance`` is one bound for every trace, or a mapping from trace names or quantities
    (``'W'``, ``'e'``) to bounds with an optional ``'*'`` default (else
    :data:`NRMSE_TOLERANCE`). ``traces`` limits the comparison (default: every trace both
    have). Names default to the results' ``metadata['backend']``.
    """
    times, aligned = align(result, reference)
    keep = np.isin(reference.time, times)
    common = [t for t in reference.traces if t in result.traces]
    wanted = list(traces) if traces is not None else common
    missing = [t for t in wanted if t not in common]
    if missing:
        raise KeyError(f"cannot compare {', '.join(missing)}: not in both results")
    rows = []
    for trace in wanted:
        ref, val = reference.traces[trace][keep], aligned.traces[trace]
        if ref.shape != val.shape:
            raise ValueError(f"trace {trace!r} has shape {val.shape[1:]} in the result and "
                             f"{ref.shape[1:]} in the reference")
        rows.append(TraceComparison(trace, nrmse(val, ref), max_abs_error(val, ref),
                                    delay(val, ref, times), _tolerance(tolerance, trace)))
    return Comparison(
        name or str(result.metadata.get("backend", "result")),
        reference_name or str(reference.metadata.get("backend", "reference")),
        tuple(rows),
        tuple(t for t in result.traces if t not in reference.traces),
        tuple(t for t in reference.traces if t not in result.traces))


def _tolerance(tolerance: float | Mapping[str, float], trace: str) -> float:
    if not isinstance(tolerance, Mapping):
        return float(tolerance)
    quantity = trace.rsplit(".", 1)[-1]
    for key in (trace, quantity, "*"):
        if key in tolerance:
            return float(tolerance[key])
    return NRMSE_TOLERANCE
