"""Summing stages: turn the currents a crossbar injects into a voltage,
``V(out) = R_f * (sum of injected currents)``, so a conductance ``G`` from a node at ``V``
contributes ``R_f G V``: a weight ``W = R_f G``."""

from __future__ import annotations

from vle.circuits.circuit import Subcircuit
from vle.circuits.elements import Instance, Resistor, Vcvs


def summing_node(name: str, r_f: float) -> Subcircuit:
    """Ideal summing stage; ports ``s`` (the summing node), ``out``.

    Topology: ``R_f`` from ``s`` to ground turns the injected current into ``V(s) = R_f I``;
    a unity amplifier copies it to ``out`` with zero output impedance, so the RC section it
    drives does not load the sum. Signed currents (signed transconductances) all enter ``s``.
    """
    return Subcircuit(name, ("s", "out"), (
        Resistor("Rf", "s", "0", r_f),
        Vcvs("Ebuf", "out", "0", "s", "0", 1.0),
    ), description=("summing node: out = R_f * (current into s)",))


def summing_amplifier(name: str, r_f: float, amp: Subcircuit) -> Subcircuit:
    """Physical summing stage for differential (signed) crossbars; ports ``sp``, ``sn``,
    ``out``: ``V(out) = R_f (I_p - I_n)``.

    Topology: ``sp`` is the virtual ground of a transimpedance amplifier
    (``V(o1) = -R_f I_p``); ``sn`` is the virtual ground of an inverting stage that takes
    ``o1`` through ``R_f`` and has ``R_f`` in feedback
    (``V(out) = -V(o1) - R_f I_n``). Conductances of positive weights go to ``sp``, of
    negative weights to ``sn``; both nodes sit at 0 V, so each synapse current is ``G V``.
    """
    return Subcircuit(name, ("sp", "sn", "out"), (
        Resistor("Rf1", "sp", "o1", r_f),
        Instance("X1", amp.name, ("0", "sp", "o1")),
        Resistor("Rin2", "o1", "sn", r_f),
        Resistor("Rf2", "sn", "out", r_f),
        Instance("X2", amp.name, ("0", "sn", "out")),
    ), description=("summing amplifier: out = R_f (I(sp) - I(sn)), sp and sn virtual grounds",),
        requires=(amp,))
