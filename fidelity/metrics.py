"""Metrics of one sample's traces against the ideal model's, on the model's grid.

Per trace (:func:`trace_metrics`): ``nrmse`` (RMS error over the reference's range,
:func:`vle.sim.trace_comparison.nrmse`), ``max_abs`` (largest absolute error, model units),
``delay`` (model time units, :func:`vle.sim.trace_comparison.delay`), and at each chosen angular
frequency ``omega_k`` (radians per model time unit) the ``gain`` error ``|A_s| / |A_r| - 1``
and the ``phase`` error ``arg A_s - arg A_r`` (radians, in ``(-pi, pi]``, positive = the
sample leads) of the complex amplitudes ``A`` fitted by least squares to
``y(t) = c + sum_k Re(A_k e^{i omega_k t})`` over the second half of the run (after the
start-up transient). For a trace of several units the gain and phase errors are those of the
unit with the largest magnitude (the worst unit).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from vle.model.model import Model
from vle.model.stimulus import Sine
from vle.sim.result import Result
from vle.sim.trace_comparison import align, delay, max_abs_error, nrmse

SETTLED_FRACTION = 0.5
"""Gain and phase are fitted over the last half of the run: the start-up transient of the
slowest section (a few tau_m) is over there on the example models."""


def stimulus_frequencies(model: Model) -> tuple[float, ...]:
    """The angular frequencies of the model's sine stimuli (the natural ones to measure gain
    and phase at), sorted and without repeats; none for other stimuli."""
    out: set[float] = set()
    for s in model.stimuli.values():
        if isinstance(s, Sine):
            out.update(float(w) for w in s.omega)
    return tuple(sorted(out))


def amplitudes(time: np.ndarray, trace: np.ndarray, omegas: Sequence[float]) -> np.ndarray:
    """Complex amplitudes ``A[k, unit]`` of ``trace`` ``(time, unit)`` at ``omegas``, by least
    squares on ``[1, cos(w t), sin(w t), ...]`` over the settled part of the run."""
    keep = time >= time[0] + SETTLED_FRACTION * (time[-1] - time[0])
    t = time[keep]
    cols = [np.ones_like(t)]
    for w in omegas:
        cols += [np.cos(w * t), np.sin(w * t)]
    basis = np.stack(cols, axis=1)
    coef, *_ = np.linalg.lstsq(basis, trace[keep].reshape(len(t), -1), rcond=None)
    return coef[1::2] - 1j * coef[2::2]


def gain_phase_errors(time: np.ndarray, value: np.ndarray, reference: np.ndarray,
                      omegas: Sequence[float]) -> list[tuple[float, float]]:
    """``(gain error, phase error)`` at each of ``omegas`` for the unit whose reference
    amplitude there is largest."""
    if not omegas:
        return []
    a_v = amplitudes(time, value, omegas)
    a_r = amplitudes(time, reference, omegas)
    out = []
    for k in range(len(omegas)):
        u = int(np.argmax(np.abs(a_r[k])))
        if abs(a_r[k, u]) == 0:
            out.append((math.nan, math.nan))
            continue
        ratio = a_v[k, u] / a_r[k, u]
        out.append((float(abs(ratio) - 1), float(np.angle(ratio))))
    return out


def trace_metrics(result: Result, reference: Result, traces: Sequence[str],
                  omegas: Sequence[float] = ()) -> dict[str, float]:
    """Every metric of every trace, named ``<trace>:<metric>`` (``h1.r:nrmse``,
    ``out.r:gain@0.7``, ``out.r:phase@0.7``)."""
    times, aligned = align(result, reference)
    keep = np.isin(reference.time, times)
    out: dict[str, float] = {}
    for name in traces:
        ref = reference.traces[name][keep]
        val = aligned.traces[name]
        out[f"{name}:nrmse"] = nrmse(val, ref)
        out[f"{name}:max_abs"] = max_abs_error(val, ref)
        out[f"{name}:delay"] = delay(val, ref, times)
        for w, (g, p) in zip(omegas, gain_phase_errors(times, val, ref, omegas), strict=True):
            out[f"{name}:gain@{w:g}"] = g
            out[f"{name}:phase@{w:g}"] = p
    return out


UNITS: Mapping[str, str] = {"nrmse": "1", "max_abs": "model unit", "delay": "model time unit",
                            "gain": "1", "phase": "rad", "grad_cos_ideal": "1",
                            "grad_ratio_ideal": "1", "grad_cos_adjoint": "1",
                            "grad_ratio_adjoint": "1"}
"""The unit of each metric (CF-style ``units`` attribute)."""

LONG_NAMES: Mapping[str, str] = {
    "nrmse": "normalised RMS error against the ideal model",
    "max_abs": "largest absolute error against the ideal model",
    "delay": "delay behind the ideal model",
    "gain": "relative gain error at angular frequency",
    "phase": "phase error at angular frequency",
    "grad_cos_ideal": "cosine of the circuit's accumulated update with the ideal model's",
    "grad_ratio_ideal": "norm of the circuit's accumulated update over the ideal model's",
    "grad_cos_adjoint": "cosine of the circuit's accumulated update with its exact gradient "
                        "(adjoint)",
    "grad_ratio_adjoint": "norm of the circuit's accumulated update over its exact gradient's",
}
"""A description of each metric (CF-style ``long_name``)."""


def metric_kind(name: str) -> str:
    """``out.r:gain@0.7`` -> ``gain``."""
    return name.split(":", 1)[1].split("@", 1)[0]
