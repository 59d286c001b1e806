"""Export to PySpice: the same netlist as a ``PySpice.Spice.Netlist.Circuit``.

Elements map to PySpice's element methods with float values (PySpice formats them its own
way; the tests compare values numerically, card by card). Independent sources take their
waveform as SPICE text, because PySpice's high-level source classes cannot state a SIN phase
and add ``AC 1`` to SIN sources. Analyses, options and initial conditions are simulator
settings in PySpice (``circuit.simulator(...)``), not netlist cards, so they are not exported.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vle.circuits.circuit import Circuit
from vle.circuits.elements import (
    Behavioral,
    Capacitor,
    CurrentSource,
    Element,
    Instance,
    Resistor,
    Vccs,
    Vcvs,
    VoltageSource,
)
from vle.circuits.netlist import waveform_tokens

_ADD: dict[type, Callable[[Any, Any], None]] = {
    Resistor: lambda t, e: t.R(e.name[1:], e.a, e.b, e.resistance),
    Capacitor: lambda t, e: t.C(e.name[1:], e.a, e.b, e.capacitance),
    VoltageSource: lambda t, e: t.V(e.name[1:], e.pos, e.neg, " ".join(waveform_tokens(
        e.waveform))),
    CurrentSource: lambda t, e: t.I(e.name[1:], e.pos, e.neg, " ".join(waveform_tokens(
        e.waveform))),
    Vccs: lambda t, e: t.VCCS(e.name[1:], e.pos, e.neg, e.cpos, e.cneg, e.gm),
    Vcvs: lambda t, e: t.VCVS(e.name[1:], e.pos, e.neg, e.cpos, e.cneg, e.gain),
    Behavioral: lambda t, e: t.B(e.name[1:], e.pos, e.neg, **{
        "voltage_expression" if e.kind == "v" else "current_expression": e.expr}),
    Instance: lambda t, e: t.X(e.name[1:], e.subcircuit, *e.connections),
}
"""How each element type is added to a PySpice netlist (one entry per type)."""


def _add(target: Any, el: Element) -> None:
    _ADD[type(el)](target, el)


def to_pyspice(circuit: Circuit) -> Any:
    """A PySpice ``Circuit`` with the subcircuit definitions and elements of ``circuit``.

    Needs PySpice (a dependency of vle); importing it logs a harmless "Unsupported Ngspice
    version" warning with ngspice 39.
    """
    from PySpice.Spice.Netlist import Circuit as PyCircuit
    from PySpice.Spice.Netlist import SubCircuit

    out = PyCircuit(circuit.title)
    for sub in circuit.subcircuits:
        py_sub = SubCircuit(sub.name, *sub.ports)
        for el in sub.elements:
            _add(py_sub, el)
        out.subcircuit(py_sub)
    for el in circuit.elements:
        _add(out, el)
    return out
