"""A Monte Carlo fidelity run: a spec, one task per sample on the shared execution layer, the
results store, the sensitivity ranking and the report.

:class:`FidelitySpec` says what to run (model file, technology, non-idealities, sample count,
seed, backend); :func:`run_fidelity` runs its samples on Dask (:func:`vle.execution.run_tasks`:
a LocalCluster by default, or an existing scheduler), each sample a task whose seed is
:func:`vle.execution.derive_seed` ``(seed, index)``. Results stream into ``OUT/samples`` (a
:class:`~vle.execution.ResultStore` with a ``sample`` dimension: a killed run resumes without
redoing finished samples; a changed spec is refused unless ``new``), consolidated into
``OUT/samples/results.nc``. :func:`run_sensitivity` runs every non-ideality alone at its
technology value, and at :data:`OAT_FACTORS` times it, each configuration a store of its own
under ``OUT/sensitivity``. :func:`write_fidelity_report` writes ``OUT/report.html``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from vle.circuits.nonidealities import (
    NonIdeality,
    NonIdealityError,
    get_nonideality,
    technology_nonidealities,
)
from vle.circuits.technology import get_technology
from vle.execution import (
    ResultStore,
    RunSummary,
    Task,
    Variable,
    local_cluster,
    make_tasks,
    run_tasks,
)
from vle.fidelity.gradients import KINDS as GRADIENT_KINDS
from vle.fidelity.gradients import gradient_metrics, ideal_updates, learns
from vle.fidelity.metrics import LONG_NAMES, UNITS, metric_kind, stimulus_frequencies
from vle.fidelity.montecarlo import (
    BACKENDS,
    reference_result,
    run_sample,
    sample_result,
    sample_variation,
)
from vle.fidelity.report import Overlay, SensitivityRow, write_report
from vle.mapping import Variation
from vle.model.loader import load_model
from vle.model.model import Model
from vle.sim.result import Result

OAT_FACTORS = (0.1, 0.3, 1.0, 3.0, 10.0)
"""Magnitudes of the one-at-a-time sweep, as multiples of the technology's value (two decades
around it: e.g. mismatch sigma from 0.03 % to 3 % on onchip's unit capacitor)."""

WORST = 3
"""Samples shown in the report's overlay."""


@dataclass(frozen=True)
class FidelitySpec:
    """What a fidelity run does. ``nonidealities``: ``(name, params)`` pairs (empty: every
    non-ideality the technology has parameters for); ``samples`` >= 1; ``backend`` ``numba``
    (the surrogate) or ``spice`` (the drawn circuits in ngspice)."""

    model: str
    technology: str
    samples: int
    seed: int = 0
    backend: str = "numba"
    nonidealities: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = field(
        default_factory=tuple)

    def __post_init__(self) -> None:
        if isinstance(self.samples, bool) or not isinstance(self.samples, int) or \
                self.samples < 1:
            raise ValueError(f"--mc: the sample count must be an integer >= 1, got "
                             f"{self.samples!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"--seed: must be an integer >= 0, got {self.seed!r}")
        if self.backend not in BACKENDS:
            raise ValueError(f"--backend: {self.backend!r} is not one of "
                             f"{', '.join(BACKENDS)}")
        get_technology(self.technology)
        nis = self.build()
        if not nis:
            raise NonIdealityError(f"technology {self.technology!r} has no non-idealities to "
                                   "draw; name one with --nonideality NAME=VALUE (e.g. "
                                   "resistor-tolerance=0.01)")

    def build(self) -> tuple[NonIdeality, ...]:
        """The non-idealities, checked against the technology."""
        tech = get_technology(self.technology)
        if not self.nonidealities:
            return technology_nonidealities(tech)
        out = tuple(get_nonideality(name, **dict(params)) for name, params in self.nonidealities)
        for ni in out:
            ni.check(tech)
        return out

    def to_json(self) -> dict[str, Any]:
        """The spec as JSON (what the store's fingerprint is taken of)."""
        return {"model": self.model, "technology": self.technology, "samples": self.samples,
                "seed": self.seed, "backend": self.backend,
                "nonidealities": [[ni.name, ni.params()] for ni in self.build()]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> FidelitySpec:
        return cls(str(data["model"]), str(data["technology"]), int(data["samples"]),
                   int(data["seed"]), str(data["backend"]),
                   tuple((str(n), tuple(sorted(p.items()))) for n, p in data["nonidealities"]))


def parse_nonideality(text: str, technology: str) -> tuple[str, tuple[tuple[str, Any], ...]]:
    """``NAME`` or ``NAME=VALUE`` from the command line: the value is the non-ideality's
    ``value`` (a tolerance, an offset sigma) or, when it has none, its ``scale`` (mismatch,
    thermal noise). Checked at once (unknown names, bad values)."""
    name, _, value = text.partition("=")
    params: dict[str, Any] = {}
    if value:
        try:
            x = float(value)
        except ValueError:
            raise NonIdealityError(f"--nonideality {text}: {value!r} is not a number") from None
        fields = {f.name for f in dataclasses.fields(get_nonideality(name))}
        params["value" if "value" in fields else "scale"] = x
    ni = get_nonideality(name, **params)
    ni.check(get_technology(technology))
    return name, tuple(sorted(params.items()))


@functools.lru_cache(maxsize=4)
def _model(path: str) -> Model:
    return load_model(path)


@functools.lru_cache(maxsize=4)
def _reference(path: str) -> Result:
    return reference_result(_model(path))


def sample_task(task: Task) -> dict[str, float]:
    """One sample (a task of :func:`run_fidelity`): every metric of every trace."""
    spec = FidelitySpec.from_json(task.params["spec"])
    model = _model(spec.model)
    res = run_sample(model, spec.technology, spec.build(), seed=spec.seed, index=task.index,
                     backend=spec.backend, reference=_reference(spec.model),
                     spice_options={"workdir": str(task.scratch)}
                     if spec.backend == "spice" and task.scratch is not None else None)
    if res.seed != task.seed:
        raise RuntimeError(f"sample {task.index}: seed {res.seed} differs from the task's "
                           f"{task.seed} (a bug)")
    if not learns(model):
        return res.metrics
    variation = sample_variation(spec.build(), spec.seed, task.index)
    return {**res.metrics, **gradient_metrics(model, spec.technology, variation,
                                              ideal=_ideal_updates(spec.model))}


@functools.lru_cache(maxsize=4)
def _ideal_updates(path: str) -> dict[str, tuple]:
    return ideal_updates(_model(path))


def metric_variables(model: Model) -> dict[str, Variable]:
    """Metadata of every metric a sample of ``model`` reports."""
    ref = _reference_for(model)
    omegas = stimulus_frequencies(model)
    inputs = {p.name for p in model.network.inputs}
    out = {}
    for trace in (t for t in ref.traces if t.split(".")[0] not in inputs):
        kinds = ["nrmse", "max_abs", "delay"] + [f"{k}@{w:g}" for w in omegas
                                                 for k in ("gain", "phase")]
        for k in kinds:
            name = f"{trace}:{k}"
            kind = metric_kind(name)
            at = f" {k.split('@')[1]} rad per model time unit" if "@" in k else ""
            out[name] = Variable(f"{LONG_NAMES[kind]}{at} of {trace}", UNITS[kind])
    if learns(model):
        for pr in model.network.projections:
            for kind in GRADIENT_KINDS:
                out[f"{pr.name}.W:{kind}"] = Variable(f"{LONG_NAMES[kind]} for {pr.name}",
                                                      UNITS[kind])
    return out


def _reference_for(model: Model) -> Result:
    return _reference(model.source) if model.source else reference_result(model)


def _store(folder: Path, spec: FidelitySpec, model: Model, new: bool) -> ResultStore:
    tech = get_technology(spec.technology)
    attrs: dict[str, str | int | float] = {
        "model": spec.model, "technology": spec.technology, "backend": spec.backend,
        "seed": spec.seed, "samples": spec.samples,
        "nonidealities": " ".join(ni.name for ni in spec.build()),
        "nonidealities_described": "; ".join(ni.describe(tech) for ni in spec.build())}
    return ResultStore(folder, spec.to_json(), dim="sample",
                       variables=metric_variables(model), attrs=attrs, new=new)


def _tasks(spec: FidelitySpec) -> list[Task]:
    params = [{"spec": spec.to_json()}] * spec.samples
    return make_tasks(params, spec.seed, key=lambda i, _: f"sample-{i:06d}")


@contextlib.contextmanager
def cluster(workers: int | None = None, scheduler: str | None = None) -> Iterator[str]:
    """The scheduler address for several runs: ``scheduler`` as given, or a LocalCluster of
    ``workers`` processes started once and closed on exit."""
    if scheduler is not None:
        yield scheduler
        return
    with local_cluster(workers) as c:
        yield str(c.scheduler_address)


def run_fidelity(spec: FidelitySpec, out: str | Path, *, workers: int | None = None,
                 scheduler: str | None = None, new: bool = False, progress: bool = True,
                 timeout: float | None = None) -> tuple[RunSummary, xr.Dataset]:
    """Run every sample of ``spec`` not yet in ``OUT/samples``; returns the run's summary and
    the dataset of all finished samples."""
    model = _model(spec.model)
    with _store(Path(out) / "samples", spec, model, new) as store:
        summary = run_tasks(sample_task, _tasks(spec), store, workers=workers,
                            scheduler=scheduler, progress=progress, timeout=timeout)
        return summary, store.to_dataset()


def _label(ni: NonIdeality) -> str:
    return re.sub(r"[^A-Za-z0-9._=+-]", "", ni.name)


def sensitivity_specs(spec: FidelitySpec) -> list[tuple[str, str, FidelitySpec]]:
    """``(non-ideality, magnitude, spec)`` for each non-ideality alone at its technology value
    (``technology``) and at every :data:`OAT_FACTORS` multiple (``x0.1``, ...)."""
    tech = get_technology(spec.technology)
    out = []
    for ni in spec.build():
        for f in OAT_FACTORS:
            one = ni if f == 1.0 else ni.scaled(f, tech)
            sub = FidelitySpec(spec.model, spec.technology, spec.samples, spec.seed,
                               spec.backend, ((one.name, tuple(sorted(one.params().items()))),))
            out.append((ni.name, "technology" if f == 1.0 else f"x{f:g}", sub))
    return out


def run_sensitivity(spec: FidelitySpec, out: str | Path, metric: str, *,
                    workers: int | None = None, scheduler: str | None = None,
                    new: bool = False, progress: bool = True) -> list[SensitivityRow]:
    """The mean and spread of ``metric`` with each non-ideality alone, at every magnitude (on
one cluster for all of them)."""
    rows = []
    with cluster(workers, scheduler) as address:
        runs = [(name, magnitude, run_fidelity(
            sub, Path(out) / "sensitivity" / f"{name}-{magnitude}", scheduler=address,
            new=new, progress=progress)[1]) for name, magnitude, sub in sensitivity_specs(spec)]
    for name, magnitude, ds in runs:
        ok = ds["status"].values == "ok"
        v = np.asarray(ds[metric].values, dtype=np.float64)[ok]
        rows.append(SensitivityRow(name, magnitude, metric, float(np.mean(v)),
                                   float(np.std(v)), int(v.size)))
    return rows


def worst_overlay(spec: FidelitySpec, ds: xr.Dataset, trace: str,
                  count: int = WORST) -> Overlay | None:
    """The ``count`` samples with the largest NRMSE of ``trace``, simulated again on the
    numba surrogate from their seeds (the same draws), over the ideal trace."""
    name = f"{trace}:nrmse"
    if name not in ds or not np.any(ds["status"].values == "ok"):
        return None
    ok = ds["status"].values == "ok"
    idx = ds["sample"].values[ok]
    order = np.argsort(-np.nan_to_num(np.asarray(ds[name].values, dtype=np.float64)[ok]))
    model = _model(spec.model)
    ref = _reference(spec.model)
    nis = spec.build()
    samples = {}
    for i in idx[order[:count]]:
        var = Variation(int(ds["seed"].sel(sample=i).values), nis)
        res = sample_result(model, spec.technology, var, record=[trace])
        samples[int(i)] = np.asarray(res[trace])
    return Overlay(trace, ref.time, np.asarray(ref[trace]), samples)


def output_trace(model: Model) -> str:
    """The trace the report looks at first: the rate of the last output population."""
    outs = [p.name for p in model.network.populations if p.kind == "output"]
    return f"{(outs or [model.network.populations[-1].name])[-1]}.r"


def write_fidelity_report(spec: FidelitySpec, ds: xr.Dataset, out: str | Path, *,
                          sensitivity: Sequence[SensitivityRow] = (),
                          command: str = "", learning: xr.Dataset | None = None) -> Path:
    """``OUT/report.html`` (with its PNGs) for a finished run."""
    model = _model(spec.model)
    trace = output_trace(model)
    return write_report(ds, out, overlay=worst_overlay(spec, ds, trace),
                        sensitivity=sensitivity, output_trace=trace, command=command,
                        learning=learning)
