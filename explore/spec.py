"""A sweep spec: the base model, the technology, the swept parameters, how points are sampled
and evaluated, the objectives and the constraints. Written as the ``[sweep]`` table of a TOML
file (:func:`load_sweep`) or built in Python (:class:`SweepSpec`)::

    [sweep]
    model = "lagline.toml"        # relative to this file
    technology = "onchip"
    sampling = "grid"             # grid | random | lhs | sobol
    # points = 200                # random, lhs and sobol
    seed = 0                      # the root of every point's seed
    backend = "numba"             # numba (the surrogate) | spice (the drawn circuits)
    samples = 4                   # Monte Carlo draws per point (0: the nominal circuit only)
    nonidealities = ["mismatch"]  # drawn in each sample (default: the technology's)
    timeout = 600                 # seconds a point may run
    retries = 2                   # resubmissions after its worker died

    [sweep.parameters]
    "technology.section_capacitance" = { values = [0.5e-12, 1e-12, 2e-12] }
    "technology.opamp.gbw" = { low = 20e6, high = 800e6, scale = "log", count = 3 }
    "technology.weight_bits" = [4, 6, 8]

    [sweep.objectives]            # metric = "min" | "max"
    nrmse = "min"
    area = "min"
    power = "min"

    [sweep.constraints]           # metric = { max = ... } and/or { min = ... }
    nrmse = { max = 0.05 }

Every parameter path (:mod:`vle.explore.parameters`), objective and constraint is checked
against the model, the technology and :data:`METRICS` when the spec is built, and every range's
ends are applied to the model once (:meth:`SweepSpec.check`), before anything runs.
"""

from __future__ import annotations

import functools
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from vle.circuits.nonidealities import NonIdeality, get_nonideality, technology_nonidealities
from vle.circuits.technology import Technology, get_technology
from vle.explore.parameters import SweepError, apply_point, check_paths
from vle.explore.sampling import SAMPLINGS, Axis, sample_points
from vle.model.errors import ModelError
from vle.model.loader import toml_text

BACKENDS = ("numba", "spice")

METRICS: dict[str, tuple[str, str]] = {
    "nrmse": ("NRMSE of the traced output against the ideal model (mean over the Monte Carlo "
              "samples; the nominal circuit's when samples = 0)", "1"),
    "nrmse_nominal": ("NRMSE of the nominal circuit (no draw) against the ideal model", "1"),
    "nrmse_std": ("standard deviation of the NRMSE over the Monte Carlo samples", "1"),
    "nrmse_max": ("largest NRMSE over the Monte Carlo samples", "1"),
    "area": ("silicon or board area of the circuit", "m2"),
    "power": ("static power of the circuit", "W"),
    "energy_per_time_unit": ("energy per simulated model time unit (power x time scale)", "J"),
    "energy_per_step": ("energy per time step of the model's simulation (power x dt x time "
                        "scale): one learning step when the model learns", "J"),
    "speed": ("model time units per second of wall time on the circuit (1 / time scale)",
              "1/s"),
    "opamps": ("op-amps in the circuit", "1"),
    "resistors": ("resistors in the circuit", "1"),
    "capacitors": ("capacitors in the circuit", "1"),
}
"""What a point records (name -> (long name, units)); objectives and constraints name these."""

COST_METRICS = ("area", "power", "energy_per_time_unit", "energy_per_step", "speed", "opamps",
                "resistors", "capacitors")
DIRECTIONS = ("min", "max")
_SWEEP_KEYS = ("model", "technology", "sampling", "points", "seed", "backend", "samples",
               "nonidealities", "trace", "timeout", "retries", "parameters", "objectives",
               "constraints")


@functools.lru_cache(maxsize=8)
def read_model_table(path: str) -> dict[str, Any]:
    """The parsed TOML of the model file at ``path`` (cached per process)."""
    p = Path(path)
    try:
        return tomllib.loads(toml_text(p.read_bytes()))
    except FileNotFoundError:
        raise SweepError(f"sweep.model: no model file at {p}; give a path relative to the "
                         "sweep file") from None
    except (ModelError, tomllib.TOMLDecodeError) as err:
        raise SweepError(f"sweep.model {p}: {err}") from None


@dataclass(frozen=True)
class SweepSpec:
    """What a sweep does (see the module docstring); ``model`` is an absolute path."""

    model: str
    technology: str
    axes: tuple[Axis, ...]
    sampling: str = "grid"
    points: int | None = None
    seed: int = 0
    backend: str = "numba"
    samples: int = 0
    nonidealities: tuple[str, ...] | None = None
    trace: str | None = None
    objectives: tuple[tuple[str, str], ...] = (("nrmse", "min"), ("area", "min"),
                                               ("power", "min"))
    constraints: tuple[tuple[str, str, float], ...] = ()
    timeout: float | None = None
    retries: int = 2

    def __post_init__(self) -> None:
        object.__setattr__(self, "model", str(Path(self.model).resolve()))
        object.__setattr__(self, "axes", tuple(self.axes))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise SweepError(f"sweep.seed = {self.seed!r} must be an integer >= 0")
        if self.backend not in BACKENDS:
            raise SweepError(f"sweep.backend {self.backend!r} is not one of "
                             f"{', '.join(BACKENDS)}")
        if isinstance(self.samples, bool) or not isinstance(self.samples, int) or \
                self.samples < 0:
            raise SweepError(f"sweep.samples = {self.samples!r} must be an integer >= 0 "
                             "(Monte Carlo draws per point; 0: the nominal circuit only)")
        if self.timeout is not None and not (isinstance(self.timeout, int | float)
                                             and self.timeout > 0):
            raise SweepError(f"sweep.timeout = {self.timeout!r} must be a number of seconds > 0")
        if isinstance(self.retries, bool) or not isinstance(self.retries, int) or \
                self.retries < 0:
            raise SweepError(f"sweep.retries = {self.retries!r} must be an integer >= 0")
        if self.sampling not in SAMPLINGS:
            raise SweepError(f"sweep.sampling {self.sampling!r} is not one of "
                             f"{', '.join(SAMPLINGS)}")
        try:
            tech = get_technology(self.technology)
        except ValueError as err:
            raise SweepError(f"sweep.technology: {err}") from None
        raw = read_model_table(self.model)
        check_paths([a.path for a in self.axes], raw, tech)
        for name, direction in self.objectives:
            _check_metric(name, "sweep.objectives")
            if direction not in DIRECTIONS:
                raise SweepError(f"sweep.objectives.{name} = {direction!r}: use \"min\" or "
                                 "\"max\"")
        if len({n for n, _ in self.objectives}) != len(self.objectives):
            raise SweepError("sweep.objectives: a metric is named twice")
        for name, op, value in self.constraints:
            _check_metric(name, "sweep.constraints")
            if op not in DIRECTIONS or isinstance(value, bool) or \
                    not isinstance(value, int | float) or not math.isfinite(value):
                raise SweepError(f"sweep.constraints.{name}: expected {{ max = NUMBER }} or "
                                 f"{{ min = NUMBER }}, got {op} = {value!r}")
        if tech.behavioural and any(n in COST_METRICS for n in self.metric_names()):
            raise SweepError(f"sweep: technology {tech.name!r} is behavioural (no physical "
                             "parts), so it has no area, power or part counts; use discrete or "
                             "onchip, or drop those objectives and constraints")
        drawn = [a.path for a in self.axes if a.path.startswith("nonideality.")]
        if drawn and not self.samples:
            raise SweepError(f"sweep parameter {drawn[0]!r} changes what the Monte Carlo "
                             "draws, but sweep.samples = 0 draws nothing; set samples >= 1")
        if self.samples and not self.build_nonidealities():
            raise SweepError(f"sweep.samples = {self.samples}: technology {tech.name!r} has "
                             "nothing to draw; name sweep.nonidealities or set samples = 0")

    def metric_names(self) -> list[str]:
        """The metrics the objectives and constraints name."""
        return [n for n, _ in self.objectives] + [n for n, _, _ in self.constraints]

    def build_nonidealities(self, params: Mapping[str, Mapping[str, Any]] | None = None
                            ) -> tuple[NonIdeality, ...]:
        """The non-idealities each sample draws, with a point's parameters ``params`` (name ->
        params, from ``nonideality.NAME.KEY`` paths) applied."""
        tech = get_technology(self.technology)
        params = params or {}
        if self.nonidealities is None:
            base = technology_nonidealities(tech)
            out = tuple(get_nonideality(ni.name, **{**ni.params(), **params.get(ni.name, {})})
                        if ni.name in params else ni for ni in base)
        else:
            out = tuple(get_nonideality(n, **dict(params.get(n, {}))) for n in self.nonidealities)
        for ni in out:
            ni.check(tech)
        missing = set(params) - {ni.name for ni in out}
        if missing:
            raise SweepError(f"sweep parameters nonideality.{sorted(missing)[0]}.*: that "
                             "non-ideality is not drawn; add it to sweep.nonidealities")
        return out

    @property
    def base_technology(self) -> Technology:
        return get_technology(self.technology)

    def point_values(self) -> list[dict[str, Any]]:
        """Every point's parameter values (path -> value), in point order, from the spec's
        sampling (a grid over a range without ``count`` is refused here: a search or a
        sensitivity analysis of the same spec needs none)."""
        return sample_points(self.axes, self.sampling, self.points, self.seed)

    def check(self) -> None:
        """Apply every range's ends and every listed value alone to the base model and
        technology (a value the model or the technology refuses is a :class:`SweepError`)."""
        raw = read_model_table(self.model)
        tech = self.base_technology
        folder = Path(self.model).parent
        for axis in self.axes:
            ends = list(axis.values) if axis.values is not None else axis.at(
                np.array([0.0, 1.0 - 1e-12]))
            for v in ends:
                _, _, ni = apply_point(raw, tech, {axis.path: v}, base_dir=folder)
                if ni:
                    try:
                        self.build_nonidealities(ni)
                    except ValueError as err:
                        raise SweepError(f"sweep parameter {axis.path!r} = {v!r}: {err}") \
                            from None

    def to_json(self) -> dict[str, Any]:
        """The spec as JSON (what the store's fingerprint is taken of)."""
        return {"model": self.model, "technology": self.technology,
                "axes": {a.path: a.to_json() for a in self.axes}, "sampling": self.sampling,
                "points": self.points, "seed": self.seed, "backend": self.backend,
                "samples": self.samples,
                "nonidealities": list(self.nonidealities) if self.nonidealities is not None
                else None, "trace": self.trace,
                "objectives": [list(o) for o in self.objectives],
                "constraints": [list(c) for c in self.constraints],
                "timeout": self.timeout, "retries": self.retries}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SweepSpec:
        return cls(data["model"], data["technology"],
                   tuple(Axis.from_table(p, t) for p, t in data["axes"].items()),
                   data["sampling"], data["points"], data["seed"], data["backend"],
                   data["samples"],
                   tuple(data["nonidealities"]) if data["nonidealities"] is not None else None,
                   data["trace"], tuple((n, d) for n, d in data["objectives"]),
                   tuple((n, o, v) for n, o, v in data["constraints"]), data["timeout"],
                   data["retries"])


def _check_metric(name: str, where: str) -> None:
    if name not in METRICS:
        import difflib

        near = difflib.get_close_matches(name, list(METRICS), n=2)
        hint = f"; did you mean {' or '.join(near)}?" if near else ""
        raise SweepError(f"{where}: {name!r} is not a metric{hint} (metrics: "
                         f"{', '.join(METRICS)})")


def load_sweep(path: str | Path) -> SweepSpec:
    """The spec in the ``[sweep]`` table of the TOML file at ``path`` (model path relative to
    the file)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SweepError(f"{path}: no such sweep file") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise SweepError(f"{path}: not a valid TOML file ({err})") from None
    if not isinstance(data.get("sweep"), dict):
        raise SweepError(f"{path}: no [sweep] table; a sweep file holds its settings under "
                         "[sweep] (see examples/lagline_sweep.toml)")
    t = data["sweep"]
    unknown = sorted(set(t) - set(_SWEEP_KEYS))
    if unknown:
        import difflib

        near = difflib.get_close_matches(unknown[0], _SWEEP_KEYS, n=1)
        raise SweepError(f"{path}: sweep.{unknown[0]} is not a sweep setting"
                         + (f"; did you mean sweep.{near[0]}?" if near else "")
                         + f" (settings: {', '.join(_SWEEP_KEYS)})")
    for key in ("model", "technology", "parameters"):
        if key not in t:
            raise SweepError(f"{path}: sweep.{key} is missing")
    if not isinstance(t["parameters"], dict):
        raise SweepError(f"{path}: sweep.parameters must be a table of path = values")
    objectives = t.get("objectives", {"nrmse": "min", "area": "min", "power": "min"})
    constraints = []
    for name, c in t.get("constraints", {}).items():
        if not isinstance(c, dict) or not c or set(c) - set(DIRECTIONS):
            raise SweepError(f"{path}: sweep.constraints.{name}: expected {{ max = NUMBER }} "
                             f"and/or {{ min = NUMBER }}, got {c!r}")
        constraints += [(name, op, v) for op, v in c.items()]
    nis = t.get("nonidealities")
    try:
        return SweepSpec(
            str((path.parent / str(t["model"])).resolve()), str(t["technology"]),
            tuple(Axis.from_table(str(p), v) for p, v in t["parameters"].items()),
            t.get("sampling", "grid"), t.get("points"), t.get("seed", 0),
            t.get("backend", "numba"), t.get("samples", 0),
            tuple(nis) if nis is not None else None, t.get("trace"),
            tuple(objectives.items()), tuple(constraints), t.get("timeout"),
            t.get("retries", 2))
    except SweepError as err:
        raise SweepError(f"{path}: {err}") from None
