"""One Monte Carlo sample: a seed derived per sample, one draw of every part, a simulation on
the numba surrogate or in ngspice, and its distance from the ideal model.

The seed of sample ``i`` of a run seeded ``S`` is :func:`sample_seed` ``(S, i)``: the same bits
for the same ``(S, i)`` on any machine and any number of workers, and independent streams for
different samples. The metrics are per trace of every non-input population (inputs are the
stimulus itself), against the ideal model on the numba reference (:func:`reference_result`),
on the model's grid (:mod:`vle.fidelity.metrics`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from vle.circuits.nonidealities import NonIdeality
from vle.circuits.technology import Technology
from vle.execution import derive_seed
from vle.fidelity.metrics import stimulus_frequencies, trace_metrics
from vle.fidelity.surrogate import realised_network, with_noise
from vle.mapping import Variation, compile_plan
from vle.model.model import Model
from vle.sim import simulate, simulate_model
from vle.sim.result import Result

BACKENDS = ("numba", "spice")
"""Where a sample runs: ``numba`` (the behavioural surrogate) or ``spice`` (the exact circuit)."""


def sample_seed(seed: int, index: int) -> int:
    """The seed of sample ``index`` in a run seeded ``seed``: the execution layer's
    :func:`~vle.execution.derive_seed`, so a sample run as a task draws what it would alone."""
    return derive_seed(seed, index)


def sample_variation(nonidealities: Sequence[NonIdeality], seed: int, index: int) -> Variation:
    """The draw of sample ``index`` of a run seeded ``seed``."""
    return Variation(sample_seed(seed, index), tuple(nonidealities))


def forward_traces(model: Model) -> list[str]:
    """The traces a sample is measured on: ``u``, ``ub`` and ``r`` of every population (the
    rate only, for inputs). Error neurons and weights are the learning's, which a deployed
    circuit's forward pass does not run (gradient fidelity measures them,
    :mod:`vle.fidelity.gradients`)."""
    return [f"{p.name}.{q}" for p in model.network.populations
            for q in (("r",) if p.is_input else ("u", "ub", "r"))]


def reference_result(model: Model, record: Iterable[str] | None = None) -> Result:
    """The ideal model's forward pass (no targets) on the numba reference, with the model's
    own settings, recording ``record`` (default :func:`forward_traces`)."""
    # targets={}: the forward pass alone, without error neurons nudging the membranes, as the
    # surrogate runs the drawn circuit
    return simulate_model(model, record=list(record) if record is not None
                          else forward_traces(model), targets={})


@dataclass(frozen=True, eq=False)
class SampleResult:
    """A sample's metrics (``<trace>:<metric>``, :func:`~vle.fidelity.metrics.trace_metrics`)
    and its result."""

    index: int
    seed: int
    backend: str
    metrics: dict[str, float]
    result: Result = field(repr=False)

    @property
    def nrmse(self) -> dict[str, float]:
        """The normalised RMS error of each trace."""
        return {k.split(":")[0]: v for k, v in self.metrics.items() if k.endswith(":nrmse")}


def sample_result(model: Model, technology: str | Technology, variation: Variation | None, *,
                  backend: str = "numba", record: Iterable[str] | None = None,
                  spice_options: dict[str, object] | None = None) -> Result:
    """The simulation of one sample: on ``numba``, the surrogate of the drawn circuit
    (:func:`~vle.fidelity.surrogate.realised_network`, with its section noise as inputs,
    :func:`~vle.fidelity.surrogate.with_noise`) with the model's settings; on ``spice``, the
    drawn circuit itself in ngspice, on the model's grid."""
    rec = list(record) if record is not None else None
    if backend == "numba":
        plan, _ = compile_plan(model, technology, variation=variation)
        sim = model.simulation
        net, stimuli = with_noise(realised_network(plan), model.stimuli, plan, sim.n_steps)
        return simulate(net, stimuli, t_stop=sim.t_stop, dt=sim.dt, scheme=sim.scheme,
                        record=rec)
    if backend == "spice":
        return simulate_model(model, backend="spice", technology=technology,
                              variation=variation, record=rec, **(spice_options or {}))
    raise ValueError(f"unknown fidelity backend {backend!r}; use one of {', '.join(BACKENDS)}")


def run_sample(model: Model, technology: str, nonidealities: Sequence[NonIdeality], *,
               seed: int, index: int, backend: str = "numba",
               reference: Result | None = None, record: Iterable[str] | None = None,
               omegas: Sequence[float] | None = None,
               spice_options: dict[str, object] | None = None) -> SampleResult:
    """Sample ``index`` of a run seeded ``seed``: draw, simulate on ``backend``, and measure
    every recorded trace against ``reference`` (default: :func:`reference_result`), with gain
    and phase at ``omegas`` (default: the model's sine frequencies)."""
    variation = sample_variation(nonidealities, seed, index)
    ref = reference if reference is not None else reference_result(model, record)
    res = sample_result(model, technology, variation, backend=backend,
                        record=record if record is not None else list(ref.traces),
                        spice_options=spice_options)
    ws = stimulus_frequencies(model) if omegas is None else tuple(omegas)
    inputs = {p.name for p in model.network.inputs}
    traces = [t for t in ref.traces if t in res.traces and t.split(".")[0] not in inputs]
    return SampleResult(index, variation.seed, backend, trace_metrics(res, ref, traces, ws),
                        res)
