"""Non-idealities of parts, as data: what deviates from the nominal value, by how much, drawn how.

Each non-ideality is a frozen dataclass registered by name (:func:`nonideality_names`,
:func:`get_nonideality`; ``vle fidelity --list-nonidealities``). Its magnitude comes from the
technology (:class:`~vle.circuits.technology.Technology`) unless given; a technology without
the parameter is refused with a :class:`NonIdealityError` naming it. A non-ideality draws
relative errors ``d`` for the parts of one kind, so a part of nominal value ``x`` is realised
as ``x (1 + d)``; several non-idealities on the same part multiply. An op-amp non-ideality
(:class:`OpAmpOffset`) instead draws an input-referred offset voltage per op-amp, as a
deviation from the technology's nominal offset; several add. A swing non-ideality
(:class:`~vle.circuits.opamp_swing.OpAmpSwing`, registered from its own module) draws the
output limits of each op-amp, as deviations (volts) from the technology's ``v_low`` and
``v_high``; several add. A noise non-ideality
(:class:`ThermalNoise`) draws nothing at compile time: it gives each section resistor a white
noise density, realised as seeded transient noise sources (in ngspice) or a seeded noise input
(on the numba surrogate).

The draws are made by the compiler's part-variation pass (:mod:`vle.mapping.variation`), one
value per physical part in a fixed order, from a random stream of its own per non-ideality
(so switching one non-ideality on does not change what another draws).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, fields
from typing import ClassVar

import numpy as np

from vle.circuits.technology import OpAmpSpec, Technology

PART_KINDS = ("resistor", "capacitor", "opamp", "noise", "swing")
"""The kinds of part a non-ideality can vary."""

DISTRIBUTIONS = ("uniform", "normal")

ROLES = ("time", "ratio")
"""What a part sets: ``time``, a time constant with its section's other parts (a section's
``R1``, ``R2``, ``R`` and ``C``); ``ratio``, a gain as a ratio of resistors (a synapse, bias,
nudging or target-error conductance against the summing stage's feedback resistor, a lead
section's ``Ra`` and ``Rb``), which a shift common to every resistor leaves alone."""

REFERENCE_TEMPERATURE = 25.0
"""degC: where datasheets and process documents rate parts (their nominal values and
temperature coefficients)."""

BOLTZMANN = 1.380649e-23
"""Boltzmann's constant k (J/K, exact in the 2019 SI)."""

NORMAL_SIGMAS_PER_TOLERANCE = 3.0
"""A tolerance band read as a normal distribution holds +-3 sigma (99.7 % of the parts): the
usual reading of a part's rated tolerance when its distribution is not stated."""


class NonIdealityError(ValueError):
    """A non-ideality that cannot be applied: unknown name, bad value, or a technology without
    the parameter it needs."""


@dataclass(frozen=True)
class NonIdeality:
    """Base: ``name`` is the registry key; :meth:`relative_errors` draws ``d`` per part."""

    name: ClassVar[str] = ""
    parts: ClassVar[tuple[str, ...]] = ()
    default: ClassVar[bool] = True
    """Whether :func:`technology_nonidealities` (a run that names none) draws it."""

    def check(self, tech: Technology) -> None:
        """Raise :class:`NonIdealityError` when ``tech`` lacks what this needs."""

    def relative_errors(self, rng: np.random.Generator, kind: str, values: np.ndarray,
                        tech: Technology, roles: np.ndarray | None = None) -> np.ndarray:
        """Relative errors ``d`` (dimensionless) for parts of ``kind`` with nominal ``values``
        (ohms or farads); zeros for a kind this non-ideality does not vary. ``roles`` (one of
        :data:`ROLES` per part; default all ``"time"``) says what each part sets, for a
        non-ideality that moves parts together (:class:`TemperatureCoefficient`)."""
        return np.zeros(np.size(values))

    def offset_errors(self, rng: np.random.Generator, count: int,
                      tech: Technology) -> np.ndarray:
        """Deviations (volts) of the input offset of ``count`` op-amps from the technology's
        nominal ``opamp.offset``; zeros for a non-ideality that does not touch op-amps."""
        return np.zeros(count)

    def swing_errors(self, rng: np.random.Generator, count: int,
                     tech: Technology) -> np.ndarray:
        """Deviations (volts) of the output limits ``(v_low, v_high)`` of ``count`` op-amps
        from the technology's nominal ones, shape ``(count, 2)``; zeros for a non-ideality
        that does not touch the swing."""
        return np.zeros((count, 2))

    def noise_densities(self, resistances: np.ndarray) -> np.ndarray:
        """One-sided white voltage noise densities (V^2/Hz) in series with one section's
        ``resistances`` (ohms); zeros for a non-ideality that adds no noise."""
        return np.zeros(np.size(resistances))

    def describe(self, tech: Technology | None = None) -> str:
        """One line: name, what it varies, and its magnitude on ``tech``."""
        raise NotImplementedError

    def scaled(self, factor: float, tech: Technology) -> NonIdeality:
        """The same non-ideality at ``factor`` times its magnitude on ``tech`` (a
        one-at-a-time sweep)."""
        raise NotImplementedError

    def params(self) -> dict[str, object]:
        """The parameters that rebuild it with :func:`get_nonideality` (JSON-able)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class _Tolerance(NonIdeality):
    """A rated tolerance ``t`` (relative, e.g. 0.01 for 1 %): ``uniform`` draws ``d`` in
    ``[-t, t]``; ``normal`` draws ``d ~ N(0, (t / 3)^2)``
    (:data:`NORMAL_SIGMAS_PER_TOLERANCE`). ``value`` overrides the technology's tolerance."""

    value: float | None = None
    distribution: str = "uniform"
    attribute: ClassVar[str] = ""

    def __post_init__(self) -> None:
        if self.distribution not in DISTRIBUTIONS:
            raise NonIdealityError(f"{self.name}: distribution {self.distribution!r} is not "
                                   f"one of {', '.join(DISTRIBUTIONS)}")
        if self.value is not None and not (math.isfinite(self.value) and 0 <= self.value < 1):
            raise NonIdealityError(f"{self.name}: tolerance {self.value!r} must be a relative "
                                   "value in [0, 1), e.g. 0.01 for 1 %")

    def tolerance(self, tech: Technology) -> float:
        """The tolerance in force on ``tech``."""
        return float(self.value if self.value is not None else getattr(tech, self.attribute))

    def check(self, tech: Technology) -> None:
        if self.value is None and getattr(tech, self.attribute) == 0:
            raise NonIdealityError(f"{self.name}: technology {tech.name!r} has no "
                                   f"{self.attribute} (its parts are exact); give a value, "
                                   f"e.g. {self.name}=0.01")

    def relative_errors(self, rng: np.random.Generator, kind: str, values: np.ndarray,
                        tech: Technology, roles: np.ndarray | None = None) -> np.ndarray:
        n = np.size(values)
        if kind not in self.parts:
            return np.zeros(n)
        t = self.tolerance(tech)
        if self.distribution == "uniform":
            return rng.uniform(-t, t, n)
        return rng.normal(0.0, t / NORMAL_SIGMAS_PER_TOLERANCE, n)

    def scaled(self, factor: float, tech: Technology) -> NonIdeality:
        return type(self)(value=factor * self.tolerance(tech), distribution=self.distribution)

    def describe(self, tech: Technology | None = None) -> str:
        what = f"{self.parts[0]} values off by their rated tolerance ({self.distribution})"
        if tech is None:
            return f"{self.name}: {what}"
        t = self.tolerance(tech)
        return f"{self.name}: {what}; {tech.name}: {100 * t:.3g} %"


@dataclass(frozen=True)
class ResistorTolerance(_Tolerance):
    """Resistor tolerance: every resistor (section resistors, gain-setting resistors and
    crossbar synapses) is off its nominal value by a random relative error within the rated
    tolerance, independently per part (a board built from loose parts)."""

    name: ClassVar[str] = "resistor-tolerance"
    parts: ClassVar[tuple[str, ...]] = ("resistor",)
    attribute: ClassVar[str] = "resistor_tolerance"


@dataclass(frozen=True)
class CapacitorTolerance(_Tolerance):
    """Capacitor tolerance: every section capacitor is off its nominal value by a random
    relative error within the rated tolerance, independently per part. A section's time
    constants ``R C`` move with it one for one: ``tau (1 + d)``."""

    name: ClassVar[str] = "capacitor-tolerance"
    parts: ClassVar[tuple[str, ...]] = ("capacitor",)
    attribute: ClassVar[str] = "capacitor_tolerance"


@dataclass(frozen=True)
class Mismatch(NonIdeality):
    """On-chip random mismatch with Pelgrom's area law: a part's relative standard deviation is
    ``sigma = A / sqrt(W L)`` (``A``, the Pelgrom coefficient of its layer, in metres; ``W L``
    its area in square metres), and ``d ~ N(0, sigma^2)`` independently per part.

    Areas follow from the values and the technology: a capacitor ``C`` covers
    ``C / capacitor_density``; a resistor ``R`` of sheet resistance ``R_s`` (ohms per square)
    drawn ``w`` wide is ``R / R_s`` squares long, so it covers ``w^2 R / R_s``. Small parts
    spread most. ``scale`` multiplies both coefficients (a one-at-a-time sweep of the
    magnitude).
    """

    name: ClassVar[str] = "mismatch"
    parts: ClassVar[tuple[str, ...]] = ("resistor", "capacitor")
    scale: float = 1.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.scale) and self.scale >= 0):
            raise NonIdealityError(f"mismatch: scale {self.scale!r} must be a number >= 0")

    def check(self, tech: Technology) -> None:
        if tech.mismatch is None or tech.capacitor_density is None:
            raise NonIdealityError(f"mismatch: technology {tech.name!r} has no Pelgrom "
                                   "mismatch parameters (mismatch and capacitor_density); use "
                                   "a technology that has them (onchip) or the tolerances")

    def sigma(self, kind: str, values: np.ndarray, tech: Technology) -> np.ndarray:
        """The relative standard deviation of each part (dimensionless)."""
        self.check(tech)
        assert tech.mismatch is not None and tech.capacitor_density is not None
        m = tech.mismatch
        v = np.asarray(values, dtype=np.float64)
        if kind == "capacitor":
            area = v / tech.capacitor_density
            coefficient = m.capacitor_pelgrom
        else:
            area = m.resistor_width ** 2 * v / m.resistor_sheet
            coefficient = m.resistor_pelgrom
        return np.asarray(self.scale * coefficient / np.sqrt(area))

    def relative_errors(self, rng: np.random.Generator, kind: str, values: np.ndarray,
                        tech: Technology, roles: np.ndarray | None = None) -> np.ndarray:
        if kind not in self.parts:
            return np.zeros(np.size(values))
        return rng.normal(0.0, 1.0, np.size(values)) * self.sigma(kind, values, tech).ravel()

    def scaled(self, factor: float, tech: Technology) -> NonIdeality:
        return Mismatch(scale=factor * self.scale)

    def describe(self, tech: Technology | None = None) -> str:
        what = "on-chip Pelgrom mismatch of resistors and capacitors, sigma = A / sqrt(area)"
        if tech is None or tech.mismatch is None or tech.capacitor_density is None:
            return f"{self.name}: {what}"
        unit_c = tech.capacitor_unit or 1e-12
        s_c = float(self.sigma("capacitor", np.array([unit_c]), tech)[0])
        s_r = float(self.sigma("resistor", np.array([tech.unit_resistance]), tech)[0])
        scale = "" if self.scale == 1 else f" (x{self.scale:g})"
        return (f"{self.name}: {what}; {tech.name}{scale}: {100 * s_c:.2g} % at {unit_c:g} F, "
                f"{100 * s_r:.2g} % at {tech.unit_resistance:g} ohm")


@dataclass(frozen=True)
class OpAmpNonIdeality(NonIdeality):
    """Base of the non-idealities drawn per op-amp (``opamp-offset``, ``opamp-swing``):
    refused on a technology whose amplifiers are ideal sources; a draw is the requested
    nominal's shift from the technology's plus ``N(0, sigma^2)`` (volts). Neither is among a
    technology's default non-idealities, so runs that name none draw what they drew before."""

    default: ClassVar[bool] = False
    summary: ClassVar[str] = ""
    """What the non-ideality draws, for :meth:`describe`."""

    def check(self, tech: Technology) -> None:
        if tech.behavioural or tech.opamp is None:
            raise NonIdealityError(f"{self.name}: technology {tech.name!r} has no op-amps "
                                   "(its amplifiers are ideal sources); use a technology "
                                   "with op-amps (discrete, onchip)")

    def opamp(self, tech: Technology) -> OpAmpSpec:
        """``tech``'s op-amp, after :meth:`check`."""
        self.check(tech)
        assert tech.opamp is not None
        return tech.opamp

    @staticmethod
    def drawn(rng: np.random.Generator, shift: np.ndarray | float, sigma: float,
              shape: int | tuple[int, ...]) -> np.ndarray:
        """``shift + N(0, sigma^2)`` of ``shape`` (volts)."""
        return shift + rng.normal(0.0, sigma, shape)

    def values(self, tech: Technology) -> str:
        """The values in force on ``tech``, for :meth:`describe`."""
        raise NotImplementedError

    def describe(self, tech: Technology | None = None) -> str:
        if tech is None or tech.behavioural or tech.opamp is None:
            return f"{self.name}: {self.summary}"
        return f"{self.name}: {self.summary}; {tech.name}: {self.values(tech)}"


@dataclass(frozen=True)
class OpAmpOffset(OpAmpNonIdeality):
    """Op-amp input offset: each physical op-amp has an input-referred DC offset
    ``V_os = offset + N(0, sigma^2)`` (volts) between its inputs, so it amplifies
    ``V(+) + V_os - V(-)``; ``offset`` is the technology's nominal ``opamp.offset`` and
    ``sigma`` its ``opamp.offset_sigma`` (parts of one type spread around the type's mean),
    one independent draw per op-amp.

    An inverting stage of noise gain ``N = 1 + R_f sum G`` (``R_f`` its feedback resistor,
    ``G`` every conductance into its virtual ground) puts ``N V_os`` on its output; in a unit's
    two-stage summing amplifier (:func:`~vle.circuits.cells.summing_amplifier`) the shift of
    the summing node, and so of the membrane potential's steady state, is
    ``N_2 V_os2 - N_1 V_os1`` (volts; :func:`vle.fidelity.surrogate.offset_bias` in model
    units). The draws are made for those two op-amps of every unit (the ones that move ``u``);
    followers, lead-section amplifiers and the error path's summing stages keep the nominal
    offset of the op-amp macro-model.

    ``value`` overrides ``sigma`` (volts; ``opamp-offset=0.002`` on the command line) and
    ``offset`` the nominal offset (volts): ``value=0, offset=V`` gives every drawn op-amp
    exactly ``V``. It is not among a technology's default non-idealities (name it with
    ``--nonideality opamp-offset``), so runs that name none draw what they drew before.
    """

    name: ClassVar[str] = "opamp-offset"
    parts: ClassVar[tuple[str, ...]] = ("opamp",)
    value: float | None = None
    offset: float | None = None

    def __post_init__(self) -> None:
        if self.value is not None and not (math.isfinite(self.value) and self.value >= 0):
            raise NonIdealityError(f"opamp-offset: sigma {self.value!r} must be a voltage >= 0 "
                                   "(volts, e.g. 0.001 for 1 mV)")
        if self.offset is not None and not math.isfinite(self.offset):
            raise NonIdealityError(f"opamp-offset: nominal offset {self.offset!r} must be a "
                                   "finite voltage (volts)")

    summary: ClassVar[str] = ("op-amp input offset V_os = offset + N(0, sigma^2) per "
                              "summing-stage op-amp")

    def check(self, tech: Technology) -> None:
        super().check(tech)
        assert tech.opamp is not None
        if self.value is None and self.offset is None and tech.opamp.offset_sigma == 0 \
                and tech.opamp.offset == 0:
            raise NonIdealityError(f"opamp-offset: technology {tech.name!r} has no op-amp "
                                   "offset (offset and offset_sigma are 0); give a sigma, e.g. "
                                   "opamp-offset=0.001")

    def sigma(self, tech: Technology) -> float:
        """The standard deviation (volts) in force on ``tech``."""
        return float(self.value if self.value is not None else self.opamp(tech).offset_sigma)

    def nominal(self, tech: Technology) -> float:
        """The nominal (mean) offset (volts) in force on ``tech``."""
        return float(self.offset if self.offset is not None else self.opamp(tech).offset)

    def offset_errors(self, rng: np.random.Generator, count: int,
                      tech: Technology) -> np.ndarray:
        shift = self.nominal(tech) - self.opamp(tech).offset
        return self.drawn(rng, shift, self.sigma(tech), count)

    def scaled(self, factor: float, tech: Technology) -> NonIdeality:
        return OpAmpOffset(value=factor * self.sigma(tech), offset=factor * self.nominal(tech))

    def values(self, tech: Technology) -> str:
        return (f"offset {1e3 * self.nominal(tech):.3g} mV, "
                f"sigma {1e3 * self.sigma(tech):.3g} mV")


@dataclass(frozen=True)
class ThermalNoise(NonIdeality):
    """Thermal (Johnson-Nyquist) noise of the resistors of every neuron section: a resistor
    ``R`` at temperature ``T`` is a noiseless ``R`` in series with a white voltage source of
    one-sided power spectral density ``S = 4 k T R`` (V^2/Hz; ``k`` is Boltzmann's constant),
    independent per resistor and flicker-free.

    In a lag section (``inp -R1- ub -R2- u -C- ground``) the two sources add in series with
    ``R1 + R2``, so the capacitor voltage ``u`` is driven by white noise of density
    ``4 k T (R1 + R2)`` through the low-pass ``1 / (1 + s tau_m)``, ``tau_m = (R1 + R2) C``;
    its stationary variance is ``S / (4 tau_m) = k T / C`` (V^2), whatever the resistors: the
    equipartition result for one capacitor. A lead section's ``R`` does the same for its
    capacitor. ``scale`` multiplies every density (``scale`` times ``k T / C``); ``density``
    instead gives every section the total density ``S`` (V^2/Hz, shared between its
    resistors in proportion to their resistance, as thermal noise is).

    The noise is white up to the simulation step: ngspice holds a new Gaussian value per
    resistor every step ``dt`` (``TRRANDOM``, seeded with ``.options seed``: the sample's
    variation seed), and the numba surrogate adds the same process to the unit's input
    (:func:`vle.fidelity.surrogate.noise_inputs`). Only the section resistors are noisy: the
    crossbar, feedback and gain-setting (``Ra``, ``Rb``) resistors and the op-amps are not.
    Not among a technology's default non-idealities, so runs that name none draw (and
    simulate) what they did before: name it with ``--nonideality thermal-noise``.
    """

    name: ClassVar[str] = "thermal-noise"
    parts: ClassVar[tuple[str, ...]] = ("noise",)
    default: ClassVar[bool] = False
    temperature: float = 300.0
    scale: float = 1.0
    density: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.temperature) and self.temperature > 0):
            raise NonIdealityError(f"thermal-noise: temperature {self.temperature!r} must be "
                                   "> 0 (kelvin, e.g. 300)")
        if not (math.isfinite(self.scale) and self.scale >= 0):
            raise NonIdealityError(f"thermal-noise: scale {self.scale!r} must be a number >= 0")
        if self.density is not None and not (math.isfinite(self.density)
                                             and self.density >= 0):
            raise NonIdealityError(f"thermal-noise: density {self.density!r} must be >= 0 "
                                   "(V^2/Hz)")

    def noise_densities(self, resistances: np.ndarray) -> np.ndarray:
        r = np.asarray(resistances, dtype=np.float64)
        if self.density is not None:
            return self.scale * self.density * r / r.sum()
        return self.scale * 4.0 * BOLTZMANN * self.temperature * r

    def scaled(self, factor: float, tech: Technology) -> NonIdeality:
        return ThermalNoise(self.temperature, factor * self.scale, self.density)

    def describe(self, tech: Technology | None = None) -> str:
        what = ("white thermal noise of the section resistors, 4 k T R per resistor "
                "(kT/C on each section capacitor)")
        if self.density is not None:
            what = f"white noise of {self.density:.3g} V^2/Hz per section"
        scale = "" if self.scale == 1 else f" (x{self.scale:g})"
        return f"{self.name}: {what}; T = {self.temperature:g} K{scale}"


@dataclass(frozen=True)
class TemperatureCoefficient(NonIdeality):
    """Temperature: the circuit runs at ``value`` degC instead of the 25 degC its parts are
    rated at (:data:`REFERENCE_TEMPERATURE`), so a part of nominal value ``x`` is
    ``x (1 + alpha (T - 25))`` with its temperature coefficient ``alpha`` (1/K):
    ``alpha = tc + U(-spread, spread)``, the technology's mean coefficient of its kind
    (``resistor_tc``, ``capacitor_tc``) plus the part's own deviation within the rated spread
    (``resistor_tc_spread``, ``capacitor_tc_spread``), one independent draw per part.

    The mean shift is common to every part of a kind, so it cancels wherever resistors set a
    ratio (the role ``"ratio"`` of :data:`ROLES`: weights ``W = R_f G`` and biases against the
    summing stage's feedback resistor, a lead section's gain ``1 + Rb / Ra``), and it moves
    every section's time constants ``R C`` by ``(1 + alpha_R dT)(1 + alpha_C dT) - 1``. The
    feedback resistors are not drawn parts (they keep their nominal value), so a ``ratio``
    resistor gets only its deviation from the mean; a ``time`` part gets both. On ``onchip``
    (poly -1e-3 /K, MIM +30 ppm/K, no spread) 85 degC makes every tau 5.8 % short and leaves
    the weights alone; on ``discrete`` (+-100 and +-30 ppm/K, zero mean) it spreads them by
    at most 0.6 % and 0.2 %. ``resistor_tc``, ``capacitor_tc`` and ``spread`` (1/K,
    ``spread`` for both kinds) override the technology's. Not among a technology's default
    non-idealities: name it, e.g. ``--nonideality temperature=85``.
    """

    name: ClassVar[str] = "temperature"
    parts: ClassVar[tuple[str, ...]] = ("resistor", "capacitor")
    default: ClassVar[bool] = False
    value: float = 85.0
    resistor_tc: float | None = None
    capacitor_tc: float | None = None
    spread: float | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.value) and self.value > -273.15):
            raise NonIdealityError(f"temperature: {self.value!r} must be a temperature in degC "
                                   "above absolute zero (-273.15), e.g. 85")
        for key in ("resistor_tc", "capacitor_tc"):
            x = getattr(self, key)
            if x is not None and not math.isfinite(x):
                raise NonIdealityError(f"temperature: {key} {x!r} must be a finite "
                                       "coefficient (1/K, e.g. -1e-3)")
        if self.spread is not None and not (math.isfinite(self.spread) and self.spread >= 0):
            raise NonIdealityError(f"temperature: spread {self.spread!r} must be >= 0 (1/K, "
                                   "e.g. 100e-6)")

    def coefficients(self, kind: str, tech: Technology) -> tuple[float, float]:
        """The mean coefficient and the rated spread (1/K) of ``kind`` on ``tech``."""
        mean = self.resistor_tc if kind == "resistor" else self.capacitor_tc
        if mean is None:
            mean = tech.resistor_tc if kind == "resistor" else tech.capacitor_tc
        spread = self.spread
        if spread is None:
            spread = tech.resistor_tc_spread if kind == "resistor" else \
                tech.capacitor_tc_spread
        return float(mean), float(spread)

    def check(self, tech: Technology) -> None:
        if not any(any(self.coefficients(k, tech)) for k in self.parts):
            raise NonIdealityError(f"temperature: technology {tech.name!r} has no temperature "
                                   "coefficients (resistor_tc, capacitor_tc and their spreads "
                                   "are 0); give them, e.g. a table with resistor_tc = -1e-3")

    def relative_errors(self, rng: np.random.Generator, kind: str, values: np.ndarray,
                        tech: Technology, roles: np.ndarray | None = None) -> np.ndarray:
        n = np.size(values)
        if kind not in self.parts:
            return np.zeros(n)
        mean, spread = self.coefficients(kind, tech)
        dt = self.value - REFERENCE_TEMPERATURE
        own = rng.uniform(-1.0, 1.0, n) * spread * dt
        common = np.full(n, mean * dt) if roles is None else \
            np.where(np.asarray(roles) == "ratio", 0.0, mean * dt)
        return common + own

    def scaled(self, factor: float, tech: Technology) -> NonIdeality:
        return dataclasses.replace(
            self, value=REFERENCE_TEMPERATURE + factor * (self.value - REFERENCE_TEMPERATURE))

    def describe(self, tech: Technology | None = None) -> str:
        what = (f"parts at {self.value:g} degC against {REFERENCE_TEMPERATURE:g} degC, "
                "x (1 + alpha dT)")
        if tech is None:
            return f"{self.name}: {what}"
        (rm, rs), (cm, cs) = (self.coefficients(k, tech) for k in self.parts)
        return (f"{self.name}: {what}; {tech.name}: resistors {1e6 * rm:.3g} +- {1e6 * rs:.3g} "
                f"ppm/K, capacitors {1e6 * cm:.3g} +- {1e6 * cs:.3g} ppm/K")


_REGISTRY: dict[str, type[NonIdeality]] = {}


def register_nonideality(cls: type[NonIdeality]) -> type[NonIdeality]:
    """Add ``cls`` under its ``name``; names are unique."""
    if not cls.name or cls.name in _REGISTRY:
        raise ValueError(f"a non-ideality needs a new name, got {cls.name!r}")
    _REGISTRY[cls.name] = cls
    return cls


for _cls in (ResistorTolerance, CapacitorTolerance, Mismatch, OpAmpOffset, ThermalNoise,
             TemperatureCoefficient):
    register_nonideality(_cls)


def nonideality_names() -> tuple[str, ...]:
    """The registered non-ideality names."""
    return tuple(_REGISTRY)


def technology_nonidealities(tech: Technology) -> tuple[NonIdeality, ...]:
    """The default non-idealities (``default``) ``tech`` has parameters for, at their
    technology values."""
    out = []
    for cls in _REGISTRY.values():
        if not cls.default:
            continue
        ni = cls()
        try:
            ni.check(tech)
        except NonIdealityError:
            continue
        out.append(ni)
    return tuple(out)


def get_nonideality(name: str, **params: object) -> NonIdeality:
    """The non-ideality ``name`` with ``params`` (e.g. ``value=0.02``, ``distribution=
    "normal"``, ``scale=2``; ``value=0.002, offset=0`` for ``opamp-offset``); an unknown name
    names the known ones."""
    try:
        cls = _REGISTRY[name]
    except KeyError:
        raise NonIdealityError(f"unknown non-ideality {name!r}; known: "
                               f"{', '.join(_REGISTRY)}") from None
    try:
        return cls(**params)
    except TypeError as exc:
        raise NonIdealityError(f"{name}: {exc}") from None
