"""One run of the brian2 backend: a :class:`~vle.sim.backend.RunRequest` prepared for Brian2
(program, initial parameters, sampled signals, monitors) and the traces read back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from vle.model.learning import LearningRule
from vle.model.model import check_taus_against_dt
from vle.model.population import Population
from vle.sim.backend import RunRequest
from vle.sim.brian2.build import BRIAN2_NAMES, Brian2Model, Parameters, build_model
from vle.sim.brian2.program import Brian2Program, emit_program
from vle.sim.layout import Layout
from vle.sim.parameters import feedback_weights, unit_tau_r
from vle.sim.run_info import request_signals
from vle.sim.schemes import SCHEME_PROPERTIES


def initial_parameters(layout: Layout, rule: LearningRule) -> Parameters:
    """The parameters of ``layout`` as every backend starts them (:mod:`vle.sim.parameters`:
    ``tau_r`` as the rule runs it, the same random F as the reference)."""
    fflat = feedback_weights(layout, rule)
    unit_r = unit_tau_r(layout, rule)
    weights, feedback = {}, {}
    for j, name in enumerate(layout.j_names):
        w = layout.weights(j)
        o = int(layout.j_woff[j])
        weights[name] = w.copy()
        feedback[name] = fflat[o:o + w.size].reshape(w.shape).copy()
    tau_m, tau_r, bias = {}, {}, {}
    for pop in layout.network.neurons:
        s = layout.units(pop.name)
        tau_m[pop.name] = layout.tau_m[s].copy()
        tau_r[pop.name] = unit_r[s].copy()
        bias[pop.name] = layout.bias[s].copy()
    return Parameters(weights, feedback, tau_m, tau_r, bias)


def grid_loss(r: Mapping[str, np.ndarray], y: Mapping[str, np.ndarray], loss: str) -> np.ndarray:
    """The reference's loss at every grid point from rates and targets ``(T, batch, size)``:
    summed over target populations, averaged over the batch (mse ``0.5 |y - r|^2``, ce ``-sum y
    log softmax(r)``)."""
    total = np.zeros(next(iter(r.values())).shape[0])
    for name, rr in r.items():
        yy = y[name]
        if loss == "mse":
            c = 0.5 * np.sum((yy - rr) ** 2, axis=2)
        else:
            z = rr - rr.max(axis=2, keepdims=True)
            c = -np.sum(yy * (z - np.log(np.sum(np.exp(z), axis=2, keepdims=True))), axis=2)
        total += c.mean(axis=1)
    return total


def _columns(chunk: np.ndarray, pops: Sequence[Population], batch: int) -> dict[str, np.ndarray]:
    """Grid samples ``(T, total size, batch or 1)`` -> per population ``(T, batch * size)``."""
    out, lo = {}, 0
    for p in pops:
        block = np.broadcast_to(chunk[:, lo:lo + p.size, :], (chunk.shape[0], p.size, batch))
        out[p.name] = block.transpose(0, 2, 1).reshape(chunk.shape[0], batch * p.size)
        lo += p.size
    return out


@dataclass(eq=False)
class Brian2Run:
    """A request prepared for Brian2; :meth:`build` makes the objects, :meth:`traces` reads
    the recorded traces back in the reference's shapes."""

    request: RunRequest
    program: Brian2Program
    rule: LearningRule
    parameters: Parameters
    errors: bool
    plastic: bool
    batch: int
    batched: bool
    stimuli: dict[str, np.ndarray]
    targets: dict[str, np.ndarray]
    monitors: dict[str, tuple[str, ...]]

    @classmethod
    def prepare(cls, request: RunRequest) -> Brian2Run:
        """Check ``request`` and emit its program."""
        if request.scheme not in SCHEME_PROPERTIES:
            raise ValueError(f"unknown scheme {request.scheme!r}; use one of "
                             f"{', '.join(SCHEME_PROPERTIES)}")
        if int(request.record_every) < 1:
            raise ValueError(f"record_every must be >= 1, got {request.record_every}")
        net = request.network
        check_taus_against_dt(net, request.dt)
        layout = Layout.of(net)
        signals = request_signals(request, layout)
        rule = request.learning or LearningRule()
        tnames = [n for n in layout.names if n in request.targets]
        errors = bool(tnames) and rule.active
        plastic = request.plastic and errors
        if plastic and signals.batch > 1:
            raise ValueError("the brian2 backend learns with batch 1 only; use the numba "
                             "backend for batched learning")
        program = emit_program(net, scheme=request.scheme, learning=rule, targets=tnames,
                               plastic=plastic)
        n, batch = request.n_steps, signals.batch
        return cls(request, program, rule, initial_parameters(layout, rule), errors, plastic,
                   batch, signals.batched,
                   _columns(signals.inputs.chunk(0, n), signals.inputs.pops, batch),
                   _columns(signals.targets.chunk(0, n), signals.targets.pops, batch),
                   cls._monitor_plan(request, program.targets))

    @staticmethod
    def _monitor_plan(request: RunRequest,
                      targets: Mapping[str, str]) -> dict[str, tuple[str, ...]]:
        plan: dict[str, list[str]] = {}
        for name in request.record:
            if name == "loss":
                for pop in targets:
                    plan[f"{pop}.loss_r"] = ["r"]
                continue
            owner, q = name.rsplit(".", 1)
            if q in ("b", "tau_m"):
                plan[f"{owner}.params"] = ["b", "tau_m"]
            elif q == "W":
                plan[owner] = ["W"]
            else:
                plan.setdefault(owner, []).append(q)
        return {k: tuple(v) for k, v in plan.items()}

    def build(self, codeobj_class: Any) -> Brian2Model:
        """The Brian2 objects (on the runtime target of ``codeobj_class``, or on the active
        standalone device when it is None)."""
        req = self.request
        return build_model(self.program, req.network, self.parameters, dt=req.dt,
                           stimuli=self.stimuli, targets=self.targets, batch=self.batch,
                           record=self.monitors, record_every=req.record_every,
                           codeobj_class=codeobj_class)

    def traces(self, model: Brian2Model) -> dict[str, np.ndarray]:
        """The requested traces from ``model``'s monitors after the run (see
        :mod:`vle.sim.recording`)."""
        req = self.request
        every = int(req.record_every)
        n_rec = req.n_steps // every + 1
        out: dict[str, np.ndarray] = {}
        for name in req.record:
            if name == "loss":
                out[name] = self._loss(model, n_rec)
                continue
            owner, q = name.rsplit(".", 1)
            if q == "W":
                w = np.array(model.monitors[owner].w).T[:n_rec]
                out[name] = w.reshape((n_rec,) + req.network.projection(*owner.split("->")).shape)
            elif q in ("b", "tau_m"):
                mon = model.monitors[f"{owner}.params"]
                out[name] = np.array(getattr(mon, BRIAN2_NAMES[q])).T[:n_rec]
            else:
                arr = np.array(getattr(model.monitors[owner], BRIAN2_NAMES[q])).T[:n_rec]
                arr = arr.reshape(n_rec, self.batch, -1)
                out[name] = arr if self.batched else arr[:, 0, :]
        return out

    def _loss(self, model: Brian2Model, n_rec: int) -> np.ndarray:
        """The reference's loss trace: at grid point n the loss of the step that ends there,
        computed from ``r[n]``, ``y[n]`` (exact) or ``r[n-1]``, ``y[n-1]`` (euler)."""
        r, y = {}, {}
        for pop in self.program.targets:
            full = np.array(model.monitors[f"{pop}.loss_r"].r).T
            r[pop] = full.reshape(full.shape[0], self.batch, -1)
            y[pop] = self.targets[pop].reshape(self.targets[pop].shape[0], self.batch, -1)
        value = grid_loss(r, y, self.rule.loss)
        every = int(self.request.record_every)
        grid = np.arange(n_rec) * every
        shift = 0 if self.request.scheme == "exact" else 1
        return np.where(grid > 0, value[np.maximum(grid - shift, 0)], np.nan)
