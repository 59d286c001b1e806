"""Brian2 objects from a :class:`~vle.sim.brian2.program.Brian2Program`, and how to run them.

A population of ``size`` units with a batch of ``B`` is one NeuronGroup of ``B * size`` neurons
(neuron ``b * size + i`` is unit ``i`` of batch element ``b``); a projection connects the units
of the same batch element only. Stimuli and targets are TimedArrays sampled on the grid
(``values[n]`` at ``t_n = n dt``), one column per neuron. Every object runs on one clock of step
``dt`` and gets ``when='groups'`` and ``order`` = its position in the plan; monitors record
every ``record_every`` steps at ``start`` (``euler``) or ``end`` (``exact``) of a step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vle.model.network import Network
from vle.model.nonlinearity import phi, phi_prime
from vle.sim.brian2.env import import_brian2, time_unit
from vle.sim.brian2.program import Brian2Program, synapses_name

BRIAN2_NAMES: dict[str, str] = {"u": "u", "ub": "ub", "r": "r", "v": "v", "e": "err",
                                "b": "b", "tau_m": "tau_m", "W": "w"}
"""Trace quantity -> Brian2 variable (``e`` is Brian2's Euler constant, hence ``err``)."""


@dataclass(frozen=True, eq=False)
class Parameters:
    """Initial parameters in model units: weights ``(post, pre)`` and feedback weights per
    projection name, ``tau_m``, ``tau_r`` and ``bias`` per population name."""

    weights: Mapping[str, np.ndarray]
    feedback: Mapping[str, np.ndarray]
    tau_m: Mapping[str, np.ndarray]
    tau_r: Mapping[str, np.ndarray]
    bias: Mapping[str, np.ndarray]


@dataclass(eq=False)
class Brian2Model:
    """The Brian2 objects of one network: ``network`` (a fresh ``brian2.Network``) holds them
    all; ``groups`` by population, ``synapses`` by projection name, ``monitors`` by what they
    record (``'<population>'``, ``'<pre>-><post>'``, ``'<population>.params'``,
    ``'<population>.loss_r'``); ``computing`` lists the Brian2 objects of the plan's
    operations in plan order. Run it with :func:`run_steps` (then
    ``network.run(duration, namespace=namespace)`` continues the grid in Brian2)."""

    program: Brian2Program
    network: Any
    namespace: dict[str, Any]
    dt: float
    batch: int
    groups: dict[str, Any] = field(default_factory=dict)
    synapses: dict[str, Any] = field(default_factory=dict)
    monitors: dict[str, Any] = field(default_factory=dict)
    computing: list[Any] = field(default_factory=list)


def _connect(syn: Any, n_pre: int, n_post: int, batch: int) -> None:
    """All pairs (post, pre) within each batch element, row-major in (post, pre)."""
    post, pre = np.meshgrid(np.arange(n_post), np.arange(n_pre), indexing="ij")
    offs = np.arange(batch)[:, None]
    syn.connect(i=(pre.ravel()[None, :] + offs * n_pre).ravel(),
                j=(post.ravel()[None, :] + offs * n_post).ravel())


def build_model(
    program: Brian2Program,
    network: Network,
    params: Parameters,
    *,
    dt: float,
    stimuli: Mapping[str, np.ndarray],
    targets: Mapping[str, np.ndarray],
    batch: int,
    record: Mapping[str, tuple[str, ...]],
    record_every: int,
    codeobj_class: Any,
) -> Brian2Model:
    """Create the objects. ``stimuli``/``targets`` hold grid samples per population, shape
    ``(n_steps + 1, batch * size)``; ``record`` maps what to monitor to its quantities:
    ``'<population>'`` (u, ub, r, v, e), ``'<pre>-><post>'`` (W), ``'<population>.params'``
    (b and tau_m) or ``'<population>.loss_r'`` (r on every step, for the loss)."""
    b2 = import_brian2()
    unit = time_unit()
    clock = b2.Clock(dt=dt * unit, name="vle_clock")
    ns: dict[str, Any] = dict(program.constants)
    ns["t_unit"] = 1.0 * unit
    ns["tau_min"] = max(dt, program.constants["tau_min"])  # as the reference: at least dt
    for pop, name in list(program.stimuli.items()) + list(program.targets.items()):
        values = stimuli[pop] if pop in program.stimuli else targets[pop]
        ns[name] = b2.TimedArray(np.ascontiguousarray(values, dtype=np.float64), dt=dt * unit,
                                 name=name)
    model = Brian2Model(program, None, ns, dt, batch)
    kw = {"codeobj_class": codeobj_class, "clock": clock, "namespace": ns}
    _add_groups(model, network, params, kw)
    _add_synapses(model, network, params, kw)
    _schedule(model, kw)
    every = {"dt": record_every * dt * unit}
    mon_kw = {"when": program.record_when, "order": -1, "codeobj_class": codeobj_class}
    for what, quantities in record.items():
        owner, _, extra = what.partition(".")
        if extra == "loss_r":
            mon = b2.StateMonitor(model.groups[owner], "r", record=True, clock=clock,
                                  name=f"mon_{owner}_loss_r", **mon_kw)
        elif extra == "params":
            mon = b2.StateMonitor(model.groups[owner], ["b", "tau_m"],
                                  record=np.arange(network.population(owner).size),
                                  name=f"mon_{owner}_params", **every, **mon_kw)
        elif "->" in owner:
            pre, post = owner.split("->")
            mon = b2.StateMonitor(model.synapses[owner], "w",
                                  record=np.arange(network.projection(pre, post).weights.size),
                                  name=f"mon_{synapses_name(pre, post)}", **every, **mon_kw)
        else:
            mon = b2.StateMonitor(model.groups[owner], [BRIAN2_NAMES[q] for q in quantities],
                                  record=True, name=f"mon_{owner}", **every, **mon_kw)
        model.monitors[what] = mon
    model.network = b2.Network(*model.groups.values(), *model.synapses.values(),
                               *model.monitors.values(), name="vle_network")
    return model


def _add_groups(model: Brian2Model, network: Network, params: Parameters,
                kw: dict[str, Any]) -> None:
    """One NeuronGroup per population, parameters set, rates at rest (``phi(0)``)."""
    b2 = import_brian2()
    unit = time_unit()
    nb = model.batch
    for g in model.program.groups:
        grp = b2.NeuronGroup(nb * g.size, g.equations, method=g.method or "euler",
                             name=g.name, **kw)
        pop = network.population(g.population)
        if not pop.is_input:
            grp.tau_m = np.tile(params.tau_m[pop.name], nb) * unit
            grp.tau_r = np.tile(params.tau_r[pop.name], nb) * unit
            grp.b = np.tile(params.bias[pop.name], nb)
            zero = np.zeros(nb * g.size)
            grp.r = phi(pop.phi, zero)
            grp.rp = phi_prime(pop.phi, zero)
        model.groups[g.population] = grp


def _add_synapses(model: Brian2Model, network: Network, params: Parameters,
                  kw: dict[str, Any]) -> None:
    """One Synapses object per projection (and per softmax population), weights set."""
    b2 = import_brian2()
    nb = model.batch
    for s in model.program.synapses:
        syn = b2.Synapses(model.groups[s.pre], model.groups[s.post], s.model, name=s.name, **kw)
        _connect(syn, network.population(s.pre).size, network.population(s.post).size, nb)
        if s.projection:
            syn.w = np.tile(params.weights[s.projection].ravel(), nb)
            if "F" in syn.variables:
                syn.F = np.tile(params.feedback[s.projection].ravel(), nb)
        model.synapses[s.projection or s.name] = syn


def _schedule(model: Brian2Model, kw: dict[str, Any]) -> None:
    """Give every operation of the plan ``when='groups'`` and ``order`` = its position;
    switch off the state updaters the plan does not use."""
    owners = objects_by_name(model)
    used = set()
    for k, op in enumerate(model.program.plan):
        owner = owners[op.owner]
        if op.kind == "state_update":
            obj = owner.state_updater
            used.add(op.owner)
        elif op.kind == "summed":
            obj = owner.summed_updaters[op.label]
        else:
            obj = owner.run_regularly(op.code, name=f"{op.owner}_{k}_{op.label.replace(' ', '_')}",
                                      codeobj_class=kw["codeobj_class"], clock=kw["clock"])
        obj.when, obj.order = "groups", k
        model.computing.append(obj)
    for g in model.program.groups:
        if g.name not in used:
            model.groups[g.population].state_updater.active = False


def objects_by_name(model: Brian2Model) -> dict[str, Any]:
    """The groups and synapses of ``model`` by Brian2 name."""
    return {o.name: o for o in [*model.groups.values(), *model.synapses.values()]}


def run_steps(model: Brian2Model, n_steps: int) -> None:
    """Simulate the grid ``t_0 .. t_N`` (``N = n_steps``) so that the monitors hold every
    recorded grid point: one ``Network.run`` of ``N + 1`` steps.

    ``exact``: step 0 forms the state at t = 0 (as the reference's initial pass; the plan's
    plasticity is gated on the step index and changes nothing there), step n the state at
    ``t_n``; monitors record at the end of a step. ``euler``: step n records its starting state
    ``t_n`` and computes ``t_(n+1)``; the last step's result is computed but not recorded. The
    model's state is then that of ``t_N`` (``exact``) or ``t_(N+1)`` (``euler``), so a further
    ``network.run`` continues the grid.

    A single run matters on cpp_standalone: each ``Network.run`` there generates (and the build
    compiles) its own copy of every code object it runs."""
    step = model.dt * time_unit()
    model.network.run((n_steps + 1) * step, namespace=model.namespace)
