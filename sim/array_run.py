"""The driver shared by the array backends (numba reference and plain numpy).

It lays the network out (:class:`~vle.sim.layout.Layout`), samples the inputs chunk by chunk,
calls the backend's ``advance`` function (same signature as
:func:`vle.sim._kernels.forward`), and assembles the recorded traces into a
:class:`~vle.sim.result.Result`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from tqdm import tqdm

from vle.model.model import check_taus_against_dt
from vle.sim.backend import RunRequest
from vle.sim.inputs import InputSignals
from vle.sim.layout import Layout
from vle.sim.provenance import versions
from vle.sim.result import Result
from vle.sim.schemes import SCHEME_PROPERTIES

SCHEME_CODES = {"exact": 0, "euler": 1}
_CHUNK_VALUES = 4_000_000
"""Input values sampled per chunk (bounds memory for long or wide runs)."""


def run_arrays(
    request: RunRequest,
    advance: Callable[..., None],
    backend: str,
    extra_versions: tuple[str, ...] = (),
) -> Result:
    """Run ``request`` with the stepping function ``advance`` and return the result."""
    start = time.perf_counter()
    net = request.network
    if request.scheme not in SCHEME_CODES:
        raise ValueError(f"unknown scheme {request.scheme!r}; use one of "
                         f"{', '.join(SCHEME_CODES)}")
    check_taus_against_dt(net, request.dt)
    layout = Layout.of(net)
    inputs = InputSignals(net, request.signals, request.dt, request.n_steps, request.batch)
    nb, n = inputs.batch, layout.n_units
    dt = request.dt
    params = (np.exp(-dt / layout.tau_m), layout.tau_r / layout.tau_m, layout.tau_m.copy(),
              np.array([dt]), layout.bias.copy(), layout.wflat.copy())
    width = int(layout.p_size.max())
    state = tuple(np.zeros((n, nb)) for _ in range(5)) + (np.zeros((width, nb)),)
    every = int(request.record_every)
    if every < 1:
        raise ValueError(f"record_every must be >= 1, got {every}")
    n_rec = request.n_steps // every + 1
    picks: dict[str, list[tuple[str, slice]]] = {"u": [], "ub": [], "r": []}
    for name in request.record:
        pop, q = name.split(".")
        picks[q].append((name, layout.units(pop)))
    idx = {q: np.concatenate([np.arange(s.start, s.stop) for _, s in v]).astype(np.int64)
           if v else np.zeros(0, dtype=np.int64) for q, v in picks.items()}
    outs = {q: np.zeros((n_rec, idx[q].size, nb)) for q in picks}
    rec = (0, every, idx["u"], idx["ub"], idx["r"], outs["u"], outs["ub"], outs["r"])
    chunk = max(1, min(request.n_steps, _CHUNK_VALUES // max(1, inputs.n_inputs * nb)))
    code = SCHEME_CODES[request.scheme]
    with tqdm(total=request.n_steps, disable=not request.progress, delay=1.0, unit="step",
              desc=f"{backend} {net.name}", leave=False) as bar:
        n0 = 0
        while n0 < request.n_steps:
            n1 = min(request.n_steps, n0 + chunk)
            advance(code, n0, n1, inputs.chunk(n0, n1), layout.int_tables, params, state, rec)
            bar.update(n1 - n0)
            n0 = n1
    traces: dict[str, np.ndarray] = {}
    for q, items in picks.items():
        col = 0
        for name, s in items:
            size = s.stop - s.start
            arr = outs[q][:, col:col + size, :].transpose(0, 2, 1)
            traces[name] = np.ascontiguousarray(arr if inputs.batched else arr[:, 0, :])
            col += size
    traces = {k: traces[k] for k in request.record}
    order, delayed = net.sweep_order()
    meta: dict[str, Any] = {
        "backend": backend,
        "scheme": request.scheme,
        "dt": dt,
        "t_stop": request.n_steps * dt,
        "n_steps": request.n_steps,
        "record_every": every,
        "batched": inputs.batched,
        "batch": nb,
        "network": net.name,
        "sweep_order": list(order),
        "delayed_projections": sorted(delayed),
        "loop_cut": SCHEME_PROPERTIES[request.scheme].loop_cut,
        "versions": versions(*extra_versions),
        "wall_time_s": time.perf_counter() - start,
    }
    return Result(np.arange(n_rec) * (every * dt), traces, meta)
