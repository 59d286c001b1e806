"""The driver shared by the array backends (numba reference and plain numpy).

:class:`ArrayRun` lays the network out, builds the kernel arguments, samples inputs and
targets chunk by chunk, calls the backend's ``advance`` function (signature of
:func:`vle.sim.numba._kernels.run`) and assembles the recorded traces into a
:class:`~vle.sim.result.Result`. Training loops drive an :class:`ArrayRun` chunk by chunk.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from tqdm import tqdm

from vle.model.model import check_taus_against_dt
from vle.sim.backend import RunRequest
from vle.sim.kernel_args import KernelArgs
from vle.sim.layout import Layout
from vle.sim.result import Result
from vle.sim.run_info import request_signals, run_metadata
from vle.sim.schemes import SCHEME_PROPERTIES

_CHUNK_VALUES = 4_000_000
"""Signal values sampled per chunk (bounds memory for long or wide runs)."""
_DYNAMIC = ("u", "ub", "r", "v", "e")


class ArrayRun:
    """One run of an array backend: state, parameters and recordings of ``request``.

    The request's ``period_steps`` replays the stimuli and targets every that many steps
    (training epochs).
    """

    def __init__(self, request: RunRequest, advance: Callable[..., None]) -> None:
        net = request.network
        if request.scheme not in SCHEME_PROPERTIES:
            raise ValueError(f"unknown scheme {request.scheme!r}; use one of "
                             f"{', '.join(SCHEME_PROPERTIES)}")
        check_taus_against_dt(net, request.dt)
        self.request = request
        self.advance_fn = advance
        self.layout = Layout.of(net)
        signals = request_signals(request, self.layout)
        self.inputs, self.targets = signals.inputs, signals.targets
        self.batch, self.batched = signals.batch, signals.batched
        self.args = KernelArgs.build(self.layout, dt=request.dt, scheme=request.scheme,
                                     batch=self.batch, rule=request.learning,
                                     targets=request.targets, plastic=request.plastic)
        self._setup_recording()
        # the loss of every step, kept only when recorded (training reads last_losses)
        self.losses = np.full(request.n_steps if "loss" in request.record else 0, np.nan)

    def _setup_recording(self) -> None:
        req, lay = self.request, self.layout
        every = int(req.record_every)
        if every < 1:
            raise ValueError(f"record_every must be >= 1, got {every}")
        self.n_rec = req.n_steps // every + 1
        picks: dict[str, list[tuple[str, np.ndarray]]] = {
            q: [] for q in _DYNAMIC + ("W", "b", "tau_m")}
        for name in req.record:
            if name == "loss":
                continue
            owner, q = name.rsplit(".", 1)
            if q == "W":
                j = lay.j_names.index(owner)
                o, size = int(lay.j_woff[j]), lay.weights(j).size
                picks[q].append((name, np.arange(o, o + size)))
            else:
                s = lay.units(owner)
                picks[q].append((name, np.arange(s.start, s.stop)))
        self.picks = picks
        idx = {q: (np.concatenate([i for _, i in v]) if v else np.zeros(0)).astype(np.int64)
               for q, v in picks.items()}
        nb = self.batch
        self.outs = {q: np.zeros((self.n_rec, idx[q].size, nb)) for q in _DYNAMIC}
        self.outs.update({q: np.zeros((self.n_rec, idx[q].size)) for q in ("W", "b", "tau_m")})
        self.rec = (every, 0, tuple(idx[q] for q in _DYNAMIC),
                    tuple(self.outs[q] for q in _DYNAMIC),
                    idx["W"], self.outs["W"], idx["b"], self.outs["b"], idx["tau_m"],
                    self.outs["tau_m"])

    def advance(self, n0: int, n1: int) -> None:
        """Advance from grid index ``n0`` to ``n1`` (``n0 = 0`` forms the initial state)."""
        a = self.args
        x = self._batch(self.inputs.chunk(n0, n1))
        y = self._batch(self.targets.chunk(n0, n1))
        loss = np.zeros(n1 - n0)
        self.advance_fn(n0, n1, x, y, a.tables, a.unit, a.weights, a.scal, a.flags, a.state,
                        a.opt, self.rec, loss)
        if a.errors and n1 <= self.losses.size:
            self.losses[n0:n1] = loss
        self.last_losses = loss

    def _batch(self, arr: np.ndarray) -> np.ndarray:
        if arr.shape[2] == self.batch:
            return arr
        return np.ascontiguousarray(np.broadcast_to(arr, arr.shape[:2] + (self.batch,)))

    def chunk_steps(self) -> int:
        """A chunk length that bounds the memory of sampled signals."""
        per_step = max(1, (self.inputs.size + self.targets.size) * self.batch)
        return max(1, min(self.request.n_steps, _CHUNK_VALUES // per_step))

    def run(self, backend: str) -> None:
        """Advance over the whole request with a progress bar."""
        req = self.request
        chunk = self.chunk_steps()
        with tqdm(total=req.n_steps, disable=not req.progress, delay=1.0, unit="step",
                  desc=f"{backend} {req.network.name}", leave=False) as bar:
            n0 = 0
            while n0 < req.n_steps:
                n1 = min(req.n_steps, n0 + chunk)
                self.advance(n0, n1)
                bar.update(n1 - n0)
                n0 = n1

    def traces(self) -> dict[str, np.ndarray]:
        """The recorded traces by name (see :mod:`vle.sim.recording`)."""
        out: dict[str, np.ndarray] = {}
        lay = self.layout
        for q, items in self.picks.items():
            col = 0
            for name, ids in items:
                arr = self.outs[q][:, col:col + ids.size]
                col += ids.size
                if q in _DYNAMIC:
                    arr = arr.transpose(0, 2, 1)
                    out[name] = np.ascontiguousarray(arr if self.batched else arr[:, 0, :])
                elif q == "W":
                    shape = lay.weights(lay.j_names.index(name[:-2])).shape
                    out[name] = arr.reshape((arr.shape[0],) + shape).copy()
                else:
                    out[name] = arr.copy()
        if "loss" in self.request.record:
            every = int(self.request.record_every)
            grid = np.arange(self.n_rec) * every
            out["loss"] = np.where(grid > 0, self.losses[np.maximum(grid - 1, 0)], np.nan)
        return {k: out[k] for k in self.request.record}

    def metadata(self, backend: str, extra_versions: tuple[str, ...]) -> dict[str, Any]:
        """What the result records about how it was made."""
        return run_metadata(self.request, backend, batch=self.batch, batched=self.batched,
                            errors=self.args.errors, plastic=bool(self.args.flags[4]),
                            extra_versions=extra_versions)


def run_arrays(
    request: RunRequest,
    advance: Callable[..., None],
    backend: str,
    extra_versions: tuple[str, ...] = (),
) -> Result:
    """Run ``request`` with the stepping function ``advance`` and return the result."""
    start = time.perf_counter()
    run = ArrayRun(request, advance)
    run.run(backend)
    meta = run.metadata(backend, extra_versions)
    meta["wall_time_s"] = time.perf_counter() - start
    every = int(request.record_every)
    return Result(np.arange(run.n_rec) * (every * request.dt), run.traces(), meta)
