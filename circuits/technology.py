"""Technologies as data: what parts exist, their ranges and tolerances, the op-amp, the
default time and voltage scales. Registered by name (:mod:`vle.circuits.builtin_technologies`
holds the built-in ones)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from vle.circuits.circuit import Options

SELECTIONS = ("exact", "series", "unit-capacitor")
"""How component values are chosen (:mod:`vle.mapping.value_selection`): ``exact`` computes them;
``series`` picks resistors and capacitors from E-series; ``unit-capacitor`` builds
capacitors from a unit capacitor and trims resistors continuously (a layout)."""


@dataclass(frozen=True)
class Range:
    """Inclusive range ``[low, high]`` of a component value in SI units (``unit``)."""

    low: float
    high: float
    unit: str

    def __post_init__(self) -> None:
        if not (0 < self.low < self.high and math.isfinite(self.high)):
            raise ValueError(f"bad range [{self.low}, {self.high}] {self.unit}")

    def __contains__(self, value: object) -> bool:
        return isinstance(value, float | int) and (
            self.low * (1 - 1e-12) <= value <= self.high * (1 + 1e-12))

    def __str__(self) -> str:
        from vle.circuits.engineering import format_value

        return f"[{format_value(self.low)}, {format_value(self.high)}] {self.unit}"


@dataclass(frozen=True)
class OpAmpSpec:
    """A single-pole op-amp: DC gain ``dc_gain`` (V/V), gain-bandwidth product ``gbw`` (Hz),
    output limits ``v_low``, ``v_high`` (V), input offset ``offset`` (V, nominal) and the
    standard deviation ``offset_sigma`` (V) of the offset across parts, and ``swing_sigma``
    (V) of each output limit across parts, for Monte Carlo."""

    dc_gain: float
    gbw: float
    v_low: float
    v_high: float
    offset: float = 0.0
    offset_sigma: float = 0.0
    swing_sigma: float = 0.0

    @property
    def pole(self) -> float:
        """The dominant (open-loop) pole frequency ``gbw / dc_gain`` in Hz."""
        return self.gbw / self.dc_gain


@dataclass(frozen=True)
class Mismatch:
    """Random mismatch of on-chip parts, for later Monte Carlo: a resistor's relative standard
    deviation is ``resistor_pelgrom / sqrt(area)`` and a capacitor's ``capacitor_pelgrom /
    sqrt(area)`` (Pelgrom's law; coefficients in metres, areas in square metres)."""

    resistor_pelgrom: float
    capacitor_pelgrom: float
    resistor_sheet: float
    """Sheet resistance of the resistor layer (ohms per square)."""
    resistor_width: float
    """Drawn resistor width (m), which with the sheet resistance fixes a resistor's area."""


@dataclass(frozen=True)
class CostModel:
    """What a technology's parts cost in area and power: the data behind
    :func:`vle.mapping.cost.plan_cost` (estimates, each number's source stated where the
    technology is defined).

    Op-amps: quiescent current ``I_q = opamp_current_per_gbw * GBW`` (A, with the op-amp's
    ``gbw`` in Hz), so a sweep over the op-amp's gain-bandwidth changes the power; static
    power ``P = supply_voltage * I_q`` (W) each, ``supply_voltage`` the total across the
    rails; area ``opamp_area`` (m^2) each, independent of GBW.

    Resistors: ``resistor_footprint`` (m^2) each (a land pattern), or, when None, a layout
    from the sheet: ``A_R = (1 + resistor_overhead) W L + resistor_head_area`` with the drawn
    length ``L = (R / R_sheet) W`` (the width ``W`` and sheet resistance ``R_sheet`` of the
    technology's :class:`Mismatch`).

    Capacitors: ``capacitor_footprints``, pairs ``(largest capacitance F, area m^2)`` in
    ascending order, the first that holds ``C``; or, when empty, the plate area
    ``C / capacitor_density`` (the technology's, F/m^2).

    ``assumptions`` are sentences printed with every cost report: the sources and what is
    left out.
    """

    supply_voltage: float
    opamp_current_per_gbw: float
    opamp_area: float
    resistor_footprint: float | None = None
    resistor_overhead: float = 0.0
    resistor_head_area: float = 0.0
    capacitor_footprints: tuple[tuple[float, float], ...] = ()
    assumptions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "capacitor_footprints", tuple(
            (float(c), float(a)) for c, a in self.capacitor_footprints))
        object.__setattr__(self, "assumptions", tuple(self.assumptions))
        values = [("supply_voltage", self.supply_voltage),
                  ("opamp_current_per_gbw", self.opamp_current_per_gbw),
                  ("opamp_area", self.opamp_area)]
        if self.resistor_footprint is not None:
            values.append(("resistor_footprint", self.resistor_footprint))
        values += [(f"capacitor_footprints[{k}]", x) for k, pair in
                   enumerate(self.capacitor_footprints) for x in pair]
        for name, v in values:
            if not (isinstance(v, float | int) and math.isfinite(v) and v > 0):
                raise ValueError(f"cost model: {name} must be > 0, got {v!r}")
        for name in ("resistor_overhead", "resistor_head_area"):
            v = getattr(self, name)
            if not (isinstance(v, float | int) and math.isfinite(v) and v >= 0):
                raise ValueError(f"cost model: {name} must be >= 0, got {v!r}")
        limits = [c for c, _ in self.capacitor_footprints]
        if limits != sorted(set(limits)):
            raise ValueError("cost model: capacitor_footprints must be in ascending order of "
                             f"capacitance, got {limits}")

    def opamp_current(self, gbw: float) -> float:
        """The quiescent supply current (A) of one op-amp of gain-bandwidth ``gbw`` (Hz)."""
        return self.opamp_current_per_gbw * gbw

    def opamp_power(self, gbw: float) -> float:
        """The static power (W) of one op-amp of gain-bandwidth ``gbw`` (Hz)."""
        return self.supply_voltage * self.opamp_current(gbw)


@dataclass(frozen=True)
class Technology:
    """Everything the compiler needs to know about a target technology.

    Scales: ``time_scale`` seconds per model time unit and ``v_unit`` volts per model unit are
    the defaults of a mapping (a compile call may override the time scale). ``behavioural``
    technologies realise amplifiers as ideal controlled sources; the others use the op-amp
    macro-model ``opamp``. Sections (the RC networks of neurons and error neurons) use
    resistors near ``unit_resistance``; summing stages have feedback resistance
    ``feedback_resistance``, so a weight ``W`` is a conductance ``|W| / feedback_resistance``.
    Plasticity elements hold a weight on ``weight_capacitance``, leaking with time constant
    ``weight_leak_tau`` seconds (None: no leakage). ``cost`` holds what the parts cost in area
    and power (None: no cost model, as for a behavioural technology).
    """

    name: str
    description: str
    time_scale: float
    v_unit: float
    behavioural: bool
    selection: str
    unit_resistance: float
    feedback_resistance: float
    resistor: Range | None = None
    capacitor: Range | None = None
    resistor_series: str | None = None
    capacitor_series: str | None = None
    resistor_tolerance: float = 0.0
    capacitor_tolerance: float = 0.0
    capacitor_unit: float | None = None
    capacitor_density: float | None = None
    """Capacitance per area (F/m^2), for area estimates."""
    weight_bits: int | None = None
    """Conductances are ``n / (2**bits - 1)`` of the largest (None: continuous or series)."""
    weight_max: float | None = None
    """Largest realisable ``|W|`` with quantised conductances."""
    opamp: OpAmpSpec | None = None
    weight_capacitance: float = 1e-6
    weight_leak_tau: float | None = None
    mismatch: Mismatch | None = None
    resistor_tc: float = 0.0
    """Mean temperature coefficient of the resistors (1/K, about 25 degC): a resistor at
    temperature ``T`` is ``R (1 + resistor_tc (T - 25))``."""
    resistor_tc_spread: float = 0.0
    """Rated bound of a resistor's own coefficient about the mean (1/K; each part's is uniform
    in ``resistor_tc +- resistor_tc_spread``)."""
    capacitor_tc: float = 0.0
    """Mean temperature coefficient of the capacitors (1/K, about 25 degC)."""
    capacitor_tc_spread: float = 0.0
    """Rated bound of a capacitor's own coefficient about the mean (1/K)."""
    cost: CostModel | None = None
    options: Options = field(default_factory=Options)
    tolerance: float = 0.0
    """Largest relative error of a realised time constant the technology accepts (0: exact)."""

    def __post_init__(self) -> None:
        if self.selection not in SELECTIONS:
            raise ValueError(f"technology {self.name!r}: selection {self.selection!r} is not "
                             f"one of {SELECTIONS}")
        if not self.behavioural and self.opamp is None:
            raise ValueError(f"technology {self.name!r}: a physical technology needs an op-amp")
        for name in ("time_scale", "v_unit", "unit_resistance", "feedback_resistance",
                     "weight_capacitance"):
            v = getattr(self, name)
            if not (math.isfinite(v) and v > 0):
                raise ValueError(f"technology {self.name!r}: {name} must be > 0, got {v!r}")
        if self.cost is not None and self.cost.resistor_footprint is None and \
                self.mismatch is None:
            raise ValueError(f"technology {self.name!r}: a cost model without a resistor "
                             "footprint lays resistors out from the sheet, which needs mismatch "
                             "(resistor_sheet, resistor_width)")
        if self.cost is not None and not self.cost.capacitor_footprints and \
                not self.capacitor_density:
            raise ValueError(f"technology {self.name!r}: a cost model without capacitor "
                             "footprints needs capacitor_density")

    def summary(self) -> str:
        """One line for ``vle netlist --list-technologies``."""
        return (f"{self.name:<9} time scale {self.time_scale:g} s/unit, {self.v_unit:g} V/unit: "
                f"{self.description}")


_REGISTRY: dict[str, Technology] = {}


def register_technology(tech: Technology) -> Technology:
    """Add ``tech`` under its name; names are unique."""
    if tech.name in _REGISTRY:
        raise ValueError(f"a technology named {tech.name!r} is already registered")
    _REGISTRY[tech.name] = tech
    return tech


def technology_names() -> tuple[str, ...]:
    """The registered technology names, in registration order."""
    return tuple(_REGISTRY)


def get_technology(name: str | Technology) -> Technology:
    """The technology called ``name`` (a :class:`Technology` is returned as it is)."""
    if isinstance(name, Technology):
        return name
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown technology {name!r}; available: "
                         f"{', '.join(_REGISTRY)}") from None
