"""Node voltages back to model traces: the probe map undone, then resampled to a grid.

A compiled circuit's :class:`~vle.circuits.probes.ProbeMap` says which node holds which
trace and how to convert it (model value = (V - offset) / scale, model time = t /
time_scale). :func:`raw_result` applies it on SPICE's own time points; :func:`resample`
interpolates linearly onto the reference's grid (SPICE places its points by its own error
control, at most a hundredth of the shortest time constant apart, so linear interpolation
adds an error far below the comparison tolerances). :func:`loss_trace` recomputes the loss
the reference records from the output rates and targets.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from vle.circuits.probes import ProbeMap
from vle.sim.result import Result
from vle.sim.spice.rawfile import RawPlot


def raw_result(probes: ProbeMap, plot: RawPlot) -> Result:
    """Every probed trace on SPICE's time points, in model units and model time; shapes
    ``(T, unit)`` (weights ``(T, post, pre)``)."""
    time = np.asarray(plot.scale.real, dtype=np.float64) / probes.time_scale
    traces: dict[str, np.ndarray] = {}
    for probe in probes.probes:
        volts = np.stack([plot[v].real for v in probe.vectors], axis=1)
        traces[probe.trace] = probe.to_model(volts).reshape((len(time),) + probe.shape)
    return Result(time, traces, {"time_scale": probes.time_scale})


def resample(raw: Result, times: np.ndarray) -> dict[str, np.ndarray]:
    """Every trace of ``raw`` linearly interpolated at ``times`` (model time; held at the
    end values outside the simulated span)."""
    t = raw.time
    times = np.clip(np.asarray(times, dtype=np.float64), t[0], t[-1])
    right = np.clip(np.searchsorted(t, times, side="right"), 1, len(t) - 1)
    left = right - 1
    span = t[right] - t[left]
    w = np.divide(times - t[left], span, out=np.zeros_like(times), where=span > 0)
    out = {}
    for name, arr in raw.traces.items():
        shape = (-1,) + (1,) * (arr.ndim - 1)
        out[name] = arr[left] + w.reshape(shape) * (arr[right] - arr[left])
    return out


def loss_trace(traces: Mapping[str, np.ndarray], outputs: tuple[str, ...],
               loss: str) -> np.ndarray:
    """The loss at each grid point from the outputs' rates ``<pop>.r`` and targets
    ``<pop>.y`` (mse: ``0.5 |y - r|^2``; ce: ``-sum y log softmax(r)``, per output
    population, summed), NaN at the first point as in the reference, where the loss belongs
    to the step that ends at ``t_n``."""
    total: np.ndarray | None = None
    for pop in outputs:
        r, y = traces[f"{pop}.r"], traces[f"{pop}.y"]
        if loss == "mse":
            part = 0.5 * np.sum((y - r) ** 2, axis=-1)
        else:
            shifted = r - np.max(r, axis=-1, keepdims=True)
            log_softmax = shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))
            part = -np.sum(y * log_softmax, axis=-1)
        total = part if total is None else total + part
    assert total is not None
    out = total.astype(np.float64)
    out[0] = np.nan
    return out
