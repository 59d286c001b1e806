"""The state the compiler passes hand on: a :class:`Plan`, filled in pass by pass."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from vle.circuits.circuit import Circuit, Section, Subcircuit
from vle.circuits.engineering import format_value as fv
from vle.circuits.technology import Technology
from vle.model.learning import LearningRule, Teacher
from vle.model.network import Network
from vle.model.settings import SimulationSettings
from vle.model.stimulus import Stimulus


def node(prefix: str, pop: str, quantity: str, index: int | str) -> str:
    """The node of ``quantity`` of unit ``index`` of population ``pop``: ``h1_u_0``
    (``teacher_h1_u_0`` in the teacher, whose prefix is ``teacher_``). Lower case, because
    SPICE ignores case; quantities have no ``_``, so names never collide."""
    return f"{prefix}{pop}_{quantity}_{index}".lower()


def weight_node(projection: int, i: int, j: int) -> str:
    """The weight voltage node of synapse ``(i, j)`` of projection number ``projection``."""
    return f"w{projection}_{i}_{j}"


def bias_node(prefix: str, pop: str, index: int) -> str:
    """The voltage node of the plastic bias of unit ``index`` of population ``pop``
    (``h1_b_0``): a weight capacitor charged from the 1-unit rail (:data:`ONE`)."""
    return node(prefix, pop, "b", index)


ONE = "one"
"""The rail at 1 model unit (``v_unit`` volts) that bias columns (conductances, or plastic
biases) hang from."""


@dataclass(frozen=True)
class Part:
    """A network realised in the circuit: the student (the model itself, ``prefix`` empty) or
    a teacher that produces targets (``prefix`` ``teacher_``; part of the test bench, so always
    realised with the ideal technology)."""

    prefix: str
    label: str
    network: Network
    technology: Technology
    learning: bool

    def item(self, pop: str, index: int) -> str:
        """The report name of a unit: ``h1[0]``, ``teacher.h1[0]``."""
        return f"{self.label}{pop}[{index}]"

    def where(self, pop: str, index: int) -> str:
        """The error-message name of a unit."""
        who = "teacher population" if self.prefix else "population"
        return f"{who} {pop} unit {index}"


@dataclass(frozen=True)
class SectionRequest:
    """A prospective section ``(1 + s a)/(1 + s b)`` to realise (``a``, ``b`` in seconds).

    ``role`` is ``neuron`` (``a = tau_r``, ``b = tau_m``) or ``error`` (``a = tau_m``,
    ``b = tau_r``).
    """

    part: Part
    pop: str
    index: int
    role: str
    a: float
    b: float

    @property
    def names(self) -> tuple[str, str]:
        """The model names of ``a`` and ``b``."""
        return ("tau_r", "tau_m") if self.role == "neuron" else ("tau_m", "tau_r")

    @property
    def key(self) -> tuple[str, str, int, str]:
        return (self.part.prefix, self.pop, self.index, self.role)


@dataclass(frozen=True)
class SectionValues:
    """Chosen components of a section. ``kind`` ``lag``: ``r1`` (0 is a wire), ``r2``, ``c``;
    ``lead``: ``r``, ``c`` and the gain ``gain`` (``1 + rb/ra`` on physical technologies).
    ``a``, ``b`` are the realised time constants (seconds)."""

    kind: str
    c: float
    a: float
    b: float
    r1: float = 0.0
    r2: float = 0.0
    r: float = 0.0
    gain: float = 1.0
    ra: float | None = None
    rb: float | None = None

    def detail(self) -> str:
        """The components, for the report: ``lag R1=900 R2=100 C=1u``."""
        if self.kind == "lag":
            r1 = "wire" if self.r1 == 0 else fv(self.r1)
            return f"lag R1={r1} R2={fv(self.r2)} C={fv(self.c)}"
        if self.ra is not None and self.rb is not None:
            gain = f"Ra={fv(self.ra)} Rb={fv(self.rb)}"
        else:
            gain = f"g={self.gain:.6g}"
        return f"lead R={fv(self.r)} C={fv(self.c)} {gain}"


@dataclass(frozen=True)
class Conductances:
    """A block of synapse conductances (siemens, signed, shape ``(outputs, inputs)``) and the
    weights they realise (``W = R_f G``)."""

    requested: np.ndarray
    realised: np.ndarray
    conductance: np.ndarray


@dataclass(frozen=True)
class Plan:
    """The compiler's state. Set before the passes: the parts, stimuli, settings, learning rule
    and targets, the scales. Filled by the passes: ``sections`` (time scaling), ``values``
    (value selection), ``conductances`` (weight mapping), ``definitions`` and ``blocks``
    (cell selection), ``circuit`` (netlisting)."""

    name: str
    source: str
    technology: Technology
    time_scale: float
    v_unit: float
    parts: tuple[Part, ...]
    stimuli: Mapping[str, Stimulus] | None
    settings: SimulationSettings | None
    learning: LearningRule | None
    targets: Mapping[str, Stimulus | Teacher]
    prune_below: float | None = None
    sections: tuple[SectionRequest, ...] = ()
    values: Mapping[tuple[str, str, int, str], SectionValues] = field(default_factory=dict)
    conductances: Mapping[str, Conductances] = field(default_factory=dict)
    definitions: tuple[Subcircuit, ...] = ()
    blocks: tuple[Section, ...] = ()
    initial_conditions: tuple[tuple[str, float], ...] = ()
    circuit: Circuit | None = None

    @property
    def student(self) -> Part:
        return self.parts[0]

    @property
    def plastic_biases(self) -> bool:
        """True when the student's biases learn in the circuit (an active rule with
        ``learn_bias``): each is then a weight capacitor, not a conductance."""
        return self.student.learning and self.learning is not None and \
            self.learning.learn_bias

    @property
    def rule(self) -> str:
        """The active learning rule (``none`` without one)."""
        return self.learning.rule if self.learning is not None else "none"
