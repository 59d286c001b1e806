"""A run request as models the compiler takes: one per batch element.

The compiler (:func:`vle.mapping.compile`) turns a :class:`~vle.model.model.Model` into a
circuit with its sources and analysis. A request carries the same things in backend form:

- a signal that is a :class:`~vle.model.stimulus.Stimulus` stays one (an exact source);
- a signal sampled on the grid (an array, such as a teacher's rate from the reference) becomes
  a piecewise-linear stimulus through its grid points, leaving out the points that linear
  interpolation between the kept ones reproduces within :data:`PWL_TOLERANCE` (a PWL source
  costs ngspice time in proportion to its number of points at every time step);
- error neurons run when the request has targets and an active rule, as in the reference;
  without ``plastic`` every projection and bias is fixed (the circuit then has no plasticity
  elements).

A batched request (arrays with a batch axis) gives one model per batch element.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from vle.model.model import Model
from vle.model.network import Network
from vle.model.settings import SimulationSettings
from vle.model.stimulus import Pwl, Stimulus
from vle.sim.backend import RunRequest
from vle.sim.inputs import Signal
from vle.sim.layout import Layout
from vle.sim.run_info import request_signals

PWL_TOLERANCE = 1e-6
"""Largest error (model units) of a grid-sampled signal rebuilt by linear interpolation
between the points kept for its PWL source: three orders below the 1e-3 agreement the ideal
technology is held to, so the thinning does not show in a comparison, while a smooth signal
sampled at dt = 1e-3 keeps about one point in ten (measured: a LagLine teacher's rate over 40
time units, 40001 samples, 4353 kept)."""


def thin_points(values: np.ndarray, tol: float = PWL_TOLERANCE) -> np.ndarray:
    """Indices of the rows of ``values`` (shape ``(points, columns)``, equally spaced) to keep
    so that linear interpolation between kept rows is within ``tol`` of every row, in every
    column. Keeps the first and last row. Greedy: each segment is grown by doubling and then
    bisection, so the cost is about ``points log(points)``."""
    values = np.asarray(values, dtype=np.float64).reshape(len(values), -1)
    n = len(values)
    keep = [0]
    i = 0
    while i < n - 1:
        good, step = i + 1, 1
        while good + step < n and _fits(values, i, good + step, tol):
            good += step
            step *= 2
        bad = min(good + step, n)
        while bad - good > 1:
            mid = (good + bad) // 2
            if _fits(values, i, mid, tol):
                good = mid
            else:
                bad = mid
        keep.append(good)
        i = good
    return np.asarray(keep)


def _fits(values: np.ndarray, i: int, j: int, tol: float) -> bool:
    """True when the chord from row i to row j is within ``tol`` of every row between."""
    if j - i < 2:
        return True
    w = (np.arange(i + 1, j) - i) / (j - i)
    chord = values[i] + w[:, None] * (values[j] - values[i])
    return bool(np.all(np.abs(chord - values[i + 1:j]) <= tol))


def grid_pwl(values: np.ndarray, dt: float, what: str, tol: float = PWL_TOLERANCE) -> Pwl:
    """A PWL stimulus through the grid samples ``values`` (shape ``(points, size)``, one row
    per ``t = n dt``), thinned to ``tol``; ``what`` names it in the netlist."""
    values = np.asarray(values, dtype=np.float64)
    keep = thin_points(values, tol)
    return Pwl(t=keep * dt, values=values[keep], source=f"{what} sampled every {dt:g}")


def _signal(signal: Signal, rows: int, element: int | None, dt: float, what: str) -> Stimulus:
    if isinstance(signal, Stimulus):
        return signal
    arr = np.asarray(signal, dtype=np.float64)[:rows]
    if arr.ndim == 3:
        arr = arr[:, element or 0, :]
    return grid_pwl(arr, dt, what)


def fixed(network: Network) -> Network:
    """``network`` with every projection fixed (not plastic)."""
    return Network(network.name, network.populations,
                   tuple(replace(pr, plastic=False) for pr in network.projections))


def batch_size(request: RunRequest) -> tuple[int, bool]:
    """The request's batch size and whether its results carry a batch axis (as the array
    backends decide it; bad signal shapes raise their :class:`~vle.model.ModelError`)."""
    signals = request_signals(request, Layout.of(request.network))
    return signals.batch, signals.batched


def errors_run(request: RunRequest) -> bool:
    """True when the request's error neurons run (targets and an active rule)."""
    return bool(request.targets) and request.learning is not None and request.learning.active


def request_models(request: RunRequest) -> list[Model]:
    """The models realising ``request``, one per batch element (one when unbatched; signals
    that are the same for every element are simulated once)."""
    batch, _ = batch_size(request)
    rows = request.n_steps + 1
    varies = any(np.ndim(s) == 3 for s in (*request.signals.values(),
                                            *request.targets.values())
                 if not isinstance(s, Stimulus))
    errors = errors_run(request)
    learns = errors and request.plastic
    network = request.network if learns else fixed(request.network)
    rule = request.learning
    if rule is not None and not learns:
        rule = replace(rule, learn_bias=False, learn_tau_m=False)
    settings = SimulationSettings(request.dt, request.n_steps * request.dt, request.scheme)
    models = []
    for element in range(batch if varies else 1):
        stimuli = {k: _signal(s, rows, element, request.dt, f"stimulus.{k}")
                   for k, s in request.signals.items()}
        targets = {k: _signal(s, rows, element, request.dt, f"target.{k}")
                   for k, s in request.targets.items()} if errors else {}
        models.append(Model(network, stimuli, settings,
                            learning=rule if errors else None, targets=targets))
    return models
