"""A complete model: network, stimuli and simulation settings (what a model file holds)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

import numpy as np

from vle.model.dataset import DatasetSpec
from vle.model.errors import ModelError
from vle.model.learning import LearningRule, Teacher
from vle.model.network import Network
from vle.model.settings import SimulationSettings
from vle.model.stimulus import Stimulus


def check_taus_against_dt(network: Network, dt: float) -> None:
    """Raise :class:`ModelError` if any ``tau_m`` or ``tau_r`` is below the time step ``dt``.

    Below dt the Euler scheme is unstable and neither scheme resolves the prospective readout.
    """
    for pop in network.neurons:
        for name, tau in zip(("tau_m", "tau_r"), pop.taus, strict=True):
            if np.any(tau < dt):
                i = int(np.argmin(tau))
                raise ModelError(f"population.{pop.name}.{name}",
                                 f"unit {i} has {name} = {tau[i]:g}, below dt = {dt:g}",
                                 f"every {name} >= dt (or a smaller simulation.dt)")


@dataclass(frozen=True, eq=False)
class Model:
    """What a model file describes: a :class:`Network`, one stimulus per input population, the
    simulation settings, and optionally a learning rule with one target per output population
    (a signal, or a :class:`~vle.model.learning.Teacher`). ``source`` is the file it was read
    from, if any."""

    network: Network
    stimuli: Mapping[str, Stimulus]
    simulation: SimulationSettings
    source: Path | None = field(default=None)
    learning: LearningRule | None = None
    targets: Mapping[str, Stimulus | Teacher] = field(default_factory=dict)
    dataset: DatasetSpec | None = None

    def __post_init__(self) -> None:
        stimuli = dict(self.stimuli)
        for name, stim in stimuli.items():
            try:
                pop = self.network.population(name)
            except KeyError:
                raise ModelError(f"stimulus.{name}", f"no population named {name!r}",
                                 "a table per input population") from None
            if not pop.is_input:
                raise ModelError(f"stimulus.{name}", f"{name!r} is a {pop.kind} population",
                                 "stimulus tables for input populations only")
            stim.check_size(f"stimulus.{name}", pop.size)
        fed = self._check_dataset()
        for pop in self.network.inputs:
            if pop.name not in stimuli and pop.name != fed:
                raise ModelError(f"stimulus.{pop.name}", "missing",
                                 f"a [stimulus.{pop.name}] table for input population "
                                 f"{pop.name!r}")
        check_taus_against_dt(self.network, self.simulation.dt)
        object.__setattr__(self, "stimuli", MappingProxyType(stimuli))
        targets = dict(self.targets)
        for name, target in targets.items():
            key = f"target.{name}"
            try:
                pop = self.network.population(name)
            except KeyError:
                raise ModelError(key, f"no population named {name!r}",
                                 "a table per output population") from None
            if pop.kind != "output":
                raise ModelError(key, f"{name!r} is a {pop.kind} population",
                                 "targets for output populations only")
            if isinstance(target, Teacher):
                self._check_teacher(key, target, pop.size)
            else:
                target.check_size(key, pop.size)
        if self.learning is not None and self.learning.active:
            for pop in self.network.neurons:
                if pop.kind == "output" and pop.name not in targets and not (
                        self.dataset and self.dataset.output == pop.name):
                    raise ModelError(f"target.{pop.name}", "missing",
                                     f"a [target.{pop.name}] table: learning rule "
                                     f"{self.learning.rule!r} needs a target for every output")
        object.__setattr__(self, "targets", MappingProxyType(targets))
        self._check_learned_feedback()

    def _check_learned_feedback(self) -> None:
        """Learned feedback mirrors weight updates into B: a fixed projection whose errors are
        used (its pre-synaptic population is not an input) would keep a random B forever."""
        if self.learning is None or not self.learning.active or \
                self.learning.feedback != "learned":
            return
        for pr in self.network.projections:
            if not pr.plastic and not self.network.population(pr.pre).is_input:
                raise ModelError(f"projection.{pr.name}.plastic",
                                 "is false, but learning.feedback = 'learned' learns B from "
                                 "the weight updates: this projection's B would stay random",
                                 "plastic = true, or learning.feedback = 'random' (or "
                                 "'transpose') to say what its error path should be")

    def _check_dataset(self) -> str | None:
        ds = self.dataset
        if ds is None:
            return None
        for key, name, kind in (("input", ds.input, "input"), ("output", ds.output, "output")):
            try:
                pop = self.network.population(name)
            except KeyError:
                raise ModelError(f"dataset.{key}", f"no population named {name!r}",
                                 f"the {kind} population the dataset drives") from None
            if pop.kind != kind:
                raise ModelError(f"dataset.{key}", f"{name!r} is a {pop.kind} population",
                                 f"an {kind} population")
        if self.network.population(ds.input).size != 1:
            raise ModelError("dataset.input", "the input population has "
                             f"{self.network.population(ds.input).size} units",
                             "a population of size 1 (the sequence is a scalar stream)")
        if ds.input in self.stimuli:
            raise ModelError(f"stimulus.{ds.input}", "the dataset already drives this input",
                             "no stimulus table for the dataset's input")
        return ds.input

    def _check_teacher(self, key: str, teacher: Teacher, size: int) -> None:
        tpop = teacher.network.population(teacher.population)
        if tpop.size != size:
            raise ModelError(f"{key}.model", f"teacher population {tpop.name!r} has "
                             f"{tpop.size} units", f"{size} units, as the student's")
        mine = {p.name: p.size for p in self.network.inputs}
        theirs = {p.name: p.size for p in teacher.network.inputs}
        if mine != theirs:
            raise ModelError(f"{key}.model", f"the teacher's inputs are {theirs}",
                             f"the same input populations and sizes as the student: {mine}")

    def with_parameters(self, params: Mapping[str, np.ndarray]) -> Model:
        """A copy with parameters replaced: ``'<pre>-><post>.W'``, ``'<pop>.b'``,
        ``'<pop>.tau_m'`` (other keys are ignored)."""
        net = self.network
        pops = tuple(
            p if p.is_input else replace(
                p, tau_m=params.get(f"{p.name}.tau_m", p.tau_m),
                bias=params.get(f"{p.name}.b", p.bias))
            for p in net.populations)
        projs = tuple(replace(pr, weights=params.get(f"{pr.name}.W", pr.weights))
                      for pr in net.projections)
        return replace(self, network=Network(net.name, pops, projs))

    def with_simulation(self, **changes: object) -> Model:
        """A copy with some simulation settings replaced (``dt``, ``t_stop``, ``scheme``)."""
        settings = replace(self.simulation, **changes)  # type: ignore[arg-type]
        return replace(self, simulation=settings)
