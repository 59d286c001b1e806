"""Circuit elements: frozen, validated data (values in SI units: ohm, farad, siemens, volt).

Each element holds its full SPICE name (first letter = type letter) and its nodes. Current
directions follow SPICE: a current-type element (I, G, B with ``I=``) drives its current from
``pos`` through itself to ``neg``, so ``G1 0 s c 0 gm`` injects ``gm V(c)`` into node ``s``.
The netlist writer (:mod:`vle.circuits.netlist`) turns each into one card.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from vle.circuits.errors import CircuitError
from vle.circuits.expression import check_expression, nodes_of
from vle.circuits.names import check_element_name, check_name, check_node
from vle.circuits.waveforms import Dc, Pulse, Pwl, Sin, TrRandom, Waveform


class _Element:
    """Shared validation: the name, every node and the value field named ``quantity``."""

    prefix: ClassVar[str] = ""
    quantity: ClassVar[str] = ""
    name: str

    def _check(self, *nodes: str, positive: bool | None = None) -> None:
        """Check the name and ``nodes``; with ``positive`` not None, also the value (> 0 when
        ``positive``), stored back as a float."""
        check_element_name(self.name, self.prefix, "element name")
        for n in nodes:
            check_node(n, f"element {self.name!r}: node")
        if positive is None:
            return
        value = getattr(self, self.quantity)
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        ok = ok and math.isfinite(value) and (not positive or value > 0)
        if not ok:
            raise CircuitError(f"element {self.name!r}", f"{self.quantity} got {value!r}",
                               "a finite number > 0" if positive else "a finite number")
        object.__setattr__(self, self.quantity, float(value))

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every node the element touches (outputs first, then controlling nodes)."""
        raise NotImplementedError


@dataclass(frozen=True)
class _TwoTerminal(_Element):
    """A passive element between ``a`` and ``b`` whose value (named by ``quantity``) is > 0."""

    name: str
    a: str
    b: str

    def __post_init__(self) -> None:
        self._check(self.a, self.b, positive=True)

    @property
    def nodes(self) -> tuple[str, ...]:
        return (self.a, self.b)


@dataclass(frozen=True)
class Resistor(_TwoTerminal):
    """``V(a) - V(b) = resistance * I`` (ohms, > 0)."""

    prefix: ClassVar[str] = "R"
    quantity: ClassVar[str] = "resistance"
    resistance: float


@dataclass(frozen=True)
class Capacitor(_TwoTerminal):
    """``I = capacitance * d(V(a) - V(b))/dt`` (farads, > 0). Initial voltages are set for the
    whole circuit (:attr:`~vle.circuits.circuit.Circuit.initial_conditions`)."""

    prefix: ClassVar[str] = "C"
    quantity: ClassVar[str] = "capacitance"
    capacitance: float


@dataclass(frozen=True)
class _Independent(_Element):
    """An independent source between ``pos`` and ``neg`` with a waveform."""

    name: str
    pos: str
    neg: str
    waveform: Waveform = Dc(0.0)

    def __post_init__(self) -> None:
        self._check(self.pos, self.neg)
        if not isinstance(self.waveform, (Dc, Pwl, Sin, Pulse, TrRandom)):
            raise CircuitError(f"element {self.name!r}", f"waveform got {self.waveform!r}",
                               "Dc, Pwl, Sin, Pulse or TrRandom")

    @property
    def nodes(self) -> tuple[str, ...]:
        return (self.pos, self.neg)


@dataclass(frozen=True)
class VoltageSource(_Independent):
    """``V(pos) - V(neg) = waveform(t)``; a ``Dc(0)`` source is an ideal wire (and ammeter)."""

    prefix: ClassVar[str] = "V"


@dataclass(frozen=True)
class CurrentSource(_Independent):
    """A current ``waveform(t)`` flowing from ``pos`` through the source to ``neg``."""

    prefix: ClassVar[str] = "I"


@dataclass(frozen=True)
class _Controlled(_Element):
    """A linear source between ``pos`` and ``neg`` controlled by ``V(cpos) - V(cneg)``, with
    the factor named by ``quantity`` (any finite number)."""

    name: str
    pos: str
    neg: str
    cpos: str
    cneg: str

    def __post_init__(self) -> None:
        self._check(self.pos, self.neg, self.cpos, self.cneg, positive=False)

    @property
    def nodes(self) -> tuple[str, ...]:
        return (self.pos, self.neg, self.cpos, self.cneg)


@dataclass(frozen=True)
class Vccs(_Controlled):
    """Linear transconductance (SPICE ``G``): current ``gm (V(cpos) - V(cneg))`` from ``pos``
    through the element to ``neg`` (siemens, any sign)."""

    prefix: ClassVar[str] = "G"
    quantity: ClassVar[str] = "gm"
    gm: float


@dataclass(frozen=True)
class Vcvs(_Controlled):
    """Linear voltage amplifier (SPICE ``E``): ``V(pos) - V(neg) = gain (V(cpos) - V(cneg))``."""

    prefix: ClassVar[str] = "E"
    quantity: ClassVar[str] = "gain"
    gain: float


@dataclass(frozen=True)
class Behavioral(_Element):
    """A behavioural source (SPICE ``B``): ``V(pos) - V(neg) = expr`` when ``kind`` is ``'v'``,
    or a current ``expr`` from ``pos`` through the source to ``neg`` when ``kind`` is ``'i'``.
    ``expr`` must parse in :mod:`vle.circuits.expression`."""

    prefix: ClassVar[str] = "B"
    name: str
    pos: str
    neg: str
    kind: str
    expr: str

    def __post_init__(self) -> None:
        self._check(self.pos, self.neg)
        if self.kind not in ("v", "i"):
            raise CircuitError(f"element {self.name!r}", f"kind got {self.kind!r}",
                               "'v' (voltage) or 'i' (current)")
        check_expression(self.expr, f"element {self.name!r}: expression")

    @property
    def nodes(self) -> tuple[str, ...]:
        return (self.pos, self.neg, *nodes_of(self.expr))


@dataclass(frozen=True)
class Instance(_Element):
    """An instance (SPICE ``X``) of the subcircuit named ``subcircuit``, its ports connected to
    ``connections`` in order."""

    prefix: ClassVar[str] = "X"
    name: str
    subcircuit: str
    connections: tuple[str, ...]

    def __post_init__(self) -> None:
        conns = tuple(self.connections)
        object.__setattr__(self, "connections", conns)
        self._check(*conns)
        check_name(self.subcircuit, f"element {self.name!r}: subcircuit name")

    @property
    def nodes(self) -> tuple[str, ...]:
        return self.connections


Element = Resistor | Capacitor | VoltageSource | CurrentSource | Vccs | Vcvs | Behavioral | Instance
"""Any circuit element."""
