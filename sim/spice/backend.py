"""The ``spice`` backend: compile the request into a circuit, run it in ngspice, read the
node voltages back as model traces on the reference's grid.

Options (``simulate(..., backend="spice", **options)``; see :class:`SpiceOptions`):
``technology`` (``ideal``), ``runner`` (``batch`` or ``pyspice``), ``timeout`` (seconds per
run), ``workers`` (processes for the elements of a batch), ``workdir`` (keep the netlists and
raw files there), ``time_scale`` and ``v_unit`` (override the technology's), ``prune_below``
(leave out fixed weights too small to realise, as :func:`vle.mapping.compile`), ``raw_out``
(a ``.nc`` or ``.npz`` file for the traces on SPICE's own time points), ``keep`` (keep the
temporary folder of each run, with its netlist and rawfile; listed in
``metadata['spice_netlists']``), ``variation`` (a :class:`~vle.mapping.Variation`: run one
Monte Carlo draw of the circuit's parts).

What differs from the reference, by construction: the circuit is continuous in time (no
scheme, no step of delay; the algebraic loop of a cycle is solved by the simulator); the
circuit has no ``loss``, which is recomputed from the output rates and targets; parameters
that do not change in the circuit (fixed weights and biases, tau_m) are not probed, and such
traces are left out, listed in ``metadata['absent_traces']`` with the reason.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from vle.circuits.circuit import Circuit
from vle.circuits.netlist import write_netlist
from vle.circuits.technology import Technology
from vle.mapping import MappingReport, Variation, compile
from vle.model.model import Model
from vle.sim.backend import Backend, RunRequest
from vle.sim.result import Result
from vle.sim.run_info import run_metadata
from vle.sim.spice.batch import find_ngspice, ngspice_version
from vle.sim.spice.budget import check_spice_run
from vle.sim.spice.errors import INSTALL_NGSPICE
from vle.sim.spice.pool import Job, run_jobs
from vle.sim.spice.request import PWL_TOLERANCE, batch_size, errors_run, request_models
from vle.sim.spice.runner import SpiceRun, runner_names
from vle.sim.spice.traces import loss_trace, raw_result, resample

LOOP_CUT = ("none: the circuit is continuous in time; ngspice solves every algebraic loop "
            "(r -> I -> ub -> r) at each time point")


@dataclass(frozen=True)
class SpiceOptions:
    """The spice backend's options (all optional; see the module docstring)."""

    technology: str | Technology = "ideal"
    runner: str = "batch"
    timeout: float | None = None
    workers: int | None = None
    workdir: str | None = None
    time_scale: float | None = None
    v_unit: float | None = None
    prune_below: float | None = None
    raw_out: str | None = None
    keep: bool = False
    variation: Variation | None = None

    @classmethod
    def of(cls, options: Mapping[str, Any]) -> SpiceOptions:
        """Options from a request's ``options``; an unknown name is a ``ValueError``."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ValueError(f"the spice backend has no option {unknown[0]!r}; its options "
                             f"are {', '.join(sorted(known))}")
        opts = cls(**{k: v for k, v in options.items() if v is not None})
        if opts.runner not in runner_names():
            raise ValueError(f"unknown SPICE runner {opts.runner!r}; use one of "
                             f"{', '.join(runner_names())}")
        return opts


@dataclass(frozen=True, eq=False)
class CircuitRun:
    """A compiled model run in ngspice: the circuit, its mapping report, the run, and every
    probed trace on SPICE's own time points in model units (``raw``)."""

    circuit: Circuit
    report: MappingReport | None
    run: SpiceRun
    raw: Result


def compile_model(model: Model, opts: SpiceOptions) -> tuple[Circuit, MappingReport]:
    """The circuit of ``model`` in the options' technology and scales."""
    return compile(model, opts.technology, time_scale=opts.time_scale, v_unit=opts.v_unit,
                   prune_below=opts.prune_below, variation=opts.variation)


def run_circuits(circuits: Sequence[tuple[str, Circuit, MappingReport | None]],
                 opts: SpiceOptions, max_memory: int | None = None) -> list[CircuitRun]:
    """Run ``(name, circuit, report)`` triples (in parallel when there are several) and read
    their probes back; a circuit whose rawfile would not fit in ``max_memory`` bytes (or on
    the disk) is refused before any runs (:func:`~vle.sim.spice.budget.check_spice_run`)."""
    for _, circuit, _ in circuits:
        check_spice_run(circuit, max_memory, opts.workdir)
    jobs = [Job(write_netlist(c), name, opts.workdir, opts.keep) for name, c, _ in circuits]
    runs = run_jobs(jobs, runner=opts.runner, workers=opts.workers, timeout=opts.timeout)
    out = []
    for (_, circuit, report), run in zip(circuits, runs, strict=True):
        if circuit.probes is None:
            raise ValueError(f"circuit {circuit.title!r} has no probe map")
        out.append(CircuitRun(circuit, report, run, raw_result(circuit.probes, run.plot)))
    return out


def simulate_models(models: list[Model], max_memory: int | None = None,
                    **options: Any) -> list[CircuitRun]:
    """Compile and run several models (a sweep, Monte Carlo samples) in parallel, each with
    its own settings; ``options`` as for the backend, ``max_memory`` the memory budget of
    each run's rawfile in bytes."""
    opts = SpiceOptions.of(options)
    circuits = []
    for k, model in enumerate(models):
        circuit, report = compile_model(model, opts)
        circuits.append((_file_name(model.network.name, k, len(models)), circuit, report))
    return run_circuits(circuits, opts, max_memory)


def sweep_circuit(circuit: Circuit, changes: Sequence[Mapping[str, float]], *,
                  timeout: float | None = None) -> list[Result]:
    """Run ``circuit`` once per entry of ``changes`` in one in-process ngspice, parsing it
    once: each entry maps ngspice device parameters to the values to ``alter`` them to before
    that run (see :meth:`~vle.sim.spice.pyspice_runner.PySpiceRunner.sweep`; names from
    :func:`~vle.sim.spice.pyspice_runner.device_name`). Returns every probed trace of each run
    on SPICE's time points in model units (the building block of small Monte Carlo loops)."""
    from vle.sim.spice.pyspice_runner import PySpiceRunner

    if circuit.probes is None:
        raise ValueError(f"circuit {circuit.title!r} has no probe map")
    runs = PySpiceRunner().sweep(write_netlist(circuit), changes,
                                 name=_file_name(circuit.title, 0, 1), timeout=timeout)
    return [raw_result(circuit.probes, run.plot) for run in runs]


def _file_name(network: str, k: int, count: int) -> str:
    base = re.sub(r"[^A-Za-z0-9_.-]", "_", network) or "circuit"
    return f"{base}_{k}" if count > 1 else base


class SpiceBackend(Backend):
    """Compiled circuits simulated by ngspice (:mod:`vle.sim.spice`)."""

    name = "spice"

    def unavailable(self) -> str | None:
        if find_ngspice() is None:
            return f"ngspice is not installed (not on PATH); install it with `{INSTALL_NGSPICE}`"
        return None

    def run(self, request: RunRequest) -> Result:
        start = time.perf_counter()
        opts = SpiceOptions.of(request.options)
        batch, batched = batch_size(request)
        if batched and errors_run(request) and request.plastic:
            raise ValueError("the spice backend cannot learn over a batch: each batch element "
                             "is a circuit of its own, while the reference averages the "
                             "updates over the batch; run without a batch axis")
        every = int(request.record_every)
        if every < 1:
            raise ValueError(f"record_every must be >= 1, got {every}")
        runs = simulate_models(request_models(request), request.max_memory, **request.options)
        times = np.arange(request.n_steps // every + 1) * (every * request.dt)
        grids = [resample(r.raw, times) for r in runs]
        traces, absent = _traces(request, grids, batch, batched)
        if opts.raw_out is not None:
            _save_raw(runs, Path(opts.raw_out))
        meta = _metadata(request, opts, runs, batch, batched, absent)
        meta["wall_time_s"] = time.perf_counter() - start
        return Result(times, traces, meta)


def _traces(request: RunRequest, grids: list[dict[str, np.ndarray]], batch: int,
            batched: bool) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The requested traces (stacked over the batch) and the absent ones with the reason."""
    out: dict[str, np.ndarray] = {}
    absent: dict[str, str] = {}
    outputs = tuple(p.name for p in request.network.neurons if p.kind == "output"
                    and p.name in request.targets)
    for name in request.record:
        if name == "loss":
            rule = request.learning
            assert rule is not None
            losses = [loss_trace(g, outputs, rule.loss) for g in grids]
            out[name] = np.mean([losses[min(k, len(losses) - 1)] for k in range(batch)],
                                axis=0)
            continue
        if name not in grids[0]:
            absent[name] = _why_absent(name)
            continue
        arrays = [grids[min(k, len(grids) - 1)][name] for k in range(batch)]
        out[name] = np.stack(arrays, axis=1) if batched else arrays[0]
    return out, absent


def _why_absent(name: str) -> str:
    quantity = name.rsplit(".", 1)[-1]
    if quantity == "W":
        return "a fixed weight is a conductance in the circuit, not a node (only plastic " \
               "weights, with learning on, are probed)"
    if quantity == "b":
        return "a fixed bias is a conductance in the circuit, not a node (biases are probed " \
               "when they learn: learning on, with learn_bias)"
    if quantity == "tau_m":
        return "tau_m is a component value in the circuit, not a node"
    if quantity == "v":
        return "this rule has no error-neuron state in the circuit (e = eps)"
    return "the circuit has no node for it"


def _save_raw(runs: list[CircuitRun], path: Path) -> None:
    for k, run in enumerate(runs):
        target = path if len(runs) == 1 else path.with_name(f"{path.stem}_{k}{path.suffix}")
        run.raw.save(target)


def _realised(report: MappingReport | None) -> dict[str, float]:
    """The largest relative error of each realised quantity (from the mapping report)."""
    if report is None:
        return {}
    quantities = dict.fromkeys(r.quantity for r in report.rows)
    return {q: report.max_rel_error(q) for q in quantities}


def _metadata(request: RunRequest, opts: SpiceOptions, runs: list[CircuitRun], batch: int,
              batched: bool, absent: dict[str, str]) -> dict[str, Any]:
    circuit = runs[0].circuit
    ngspice = find_ngspice()
    errors = errors_run(request)
    meta = run_metadata(request, "spice", batch=batch, batched=batched, errors=errors,
                        plastic=bool(errors and request.plastic),
                        extra_versions=("PySpice",) if opts.runner == "pyspice" else ())
    for key in ("update_order", "delayed_projections"):  # a circuit has no update order
        meta.pop(key, None)
    meta["versions"]["ngspice"] = ngspice_version(ngspice) if ngspice else "not installed"
    report = runs[0].report
    meta.update({
        "scheme": f"continuous (ngspice .tran, {circuit.options.method})",
        "requested_scheme": request.scheme,
        "loop_cut": LOOP_CUT,
        "technology": getattr(opts.technology, "name", opts.technology),
        "runner": opts.runner,
        "time_scale": runs[0].raw.metadata["time_scale"],
        "v_unit": report.v_unit if report is not None else None,
        "circuit": circuit.title,
        "spice_options": {f.name: getattr(circuit.options, f.name)
                          for f in fields(circuit.options)},
        "spice_points": [r.run.plot.points for r in runs],
        "spice_netlists": [r.run.netlist for r in runs],
        "spice_wall_time_s": [r.run.wall_time_s for r in runs],
        "spice_time_first_last": [float(runs[0].raw.time[0]), float(runs[0].raw.time[-1])],
        "raw_out": opts.raw_out,
        "ngspice_warnings": sorted({w for r in runs for w in r.run.warnings}),
        "pwl_tolerance": PWL_TOLERANCE,
        "mapping_notes": list(report.notes if report is not None else ()),
        "realised_rel_error": _realised(report),
        "absent_traces": absent,
    })
    return meta
