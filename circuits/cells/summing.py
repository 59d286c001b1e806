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


def summing_amplifier(name: str, r_f: float, amp: Subcircuit, *,
                      offset_inputs: bool = False, limit_inputs: bool = False) -> Subcircuit:
    """Physical summing stage for differential (signed) crossbars; ports ``sp``, ``sn``,
    ``out``: ``V(out) = R_f (I_p - I_n)``.

    Topology: ``sp`` is the virtual ground of a transimpedance amplifier
    (``V(o1) = -R_f I_p``); ``sn`` is the virtual ground of an inverting stage that takes
    ``o1`` through ``R_f`` and has ``R_f`` in feedback
    (``V(out) = -V(o1) - R_f I_n``). Conductances of positive weights go to ``sp``, of
    negative weights to ``sn``; both nodes sit at 0 V, so each synapse current is ``G V``.

    With ``offset_inputs`` the non-inverting inputs of the two op-amps are the extra ports
    ``os1`` and ``os2`` instead of ground, so one shared definition serves every unit while
    each instance's own offset sources (``V(os) = V_os``, outside the subcircuit) sit in
    series with its op-amps' inputs. A stage of noise gain ``N`` then moves its output by
    ``N V_os``: with ``G+`` and ``G-`` the conductances into ``sp`` and ``sn``,
    ``N_1 = 1 + R_f G+``, ``N_2 = 2 + R_f G-`` and
    ``V(out) = R_f (I_p - I_n) + N_2 V(os2) - N_1 V(os1)`` (ideal op-amps).

    With ``limit_inputs`` ``amp`` is an op-amp with limit ports
    (:func:`~vle.circuits.cells.opamp` with ``limit_inputs``) and the stage has the further
    ports ``lo1``, ``hi1``, ``lo2``, ``hi2``: the output limits (volts) of op-amp 1 (``o1``)
    and op-amp 2 (``out``, the unit's drive), set per instance by sources outside it.
    """
    plus1, plus2 = ("os1", "os2") if offset_inputs else ("0", "0")
    ports = ("sp", "sn", "out") + (("os1", "os2") if offset_inputs else ())
    lim1, lim2 = (("lo1", "hi1"), ("lo2", "hi2")) if limit_inputs else ((), ())
    ports += lim1 + lim2
    description: tuple[str, ...] = (
        "summing amplifier: out = R_f (I(sp) - I(sn)), sp and sn virtual grounds",)
    if offset_inputs:
        description += ("offsets: os1, os2 drive the op-amps' non-inverting inputs "
                        "(out moves by N2 V(os2) - N1 V(os1))",)
    if limit_inputs:
        description += ("swing: op-amp 1 in [V(lo1), V(hi1)], op-amp 2 in [V(lo2), V(hi2)]",)
    return Subcircuit(name, ports, (
        Resistor("Rf1", "sp", "o1", r_f),
        Instance("X1", amp.name, (plus1, "sp", "o1", *lim1)),
        Resistor("Rin2", "o1", "sn", r_f),
        Resistor("Rf2", "sn", "out", r_f),
        Instance("X2", amp.name, (plus2, "sn", "out", *lim2)),
    ), description=description, requires=(amp,))
