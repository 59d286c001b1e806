"""Op-amp macro-model and the voltage follower built from it."""

from __future__ import annotations

import math

from vle.circuits.circuit import Subcircuit
from vle.circuits.elements import Behavioral, Capacitor, Instance, Resistor, Vccs, VoltageSource
from vle.circuits.engineering import format_constant as fc
from vle.circuits.technology import OpAmpSpec
from vle.circuits.waveforms import Dc

POLE_RESISTANCE = 1e6
"""Internal resistance (ohms) of the pole node; any value gives the same external behaviour,
since the transconductance and the pole capacitor are scaled to it."""


def opamp(name: str, spec: OpAmpSpec, *, limit_inputs: bool = False) -> Subcircuit:
    """A single-pole op-amp macro-model; ports ``inp``, ``inn``, ``out`` (with
    ``limit_inputs`` also ``lo``, ``hi``).

    Equation: ``A(s) = A0 / (1 + s / (2 pi f_p))`` with ``f_p = GBW / A0``, on the
    differential input ``V(inp) + V_os - V(inn)``; output limited to ``[v_low, v_high]``.

    Topology: a transconductance ``gm = A0 / R_p`` drives the pole node ``p`` loaded by
    ``R_p || C_p`` with ``R_p C_p = 1 / (2 pi f_p)``; a behavioural source copies ``V(p)`` to
    the output, clipped to the limits (an ideal, zero-impedance output stage). The offset is a
    DC source in series with ``inp``.

    With ``limit_inputs`` the output limits are the voltages of the extra ports ``lo`` and
    ``hi`` (``min(max(V(p), V(lo)), V(hi))``) instead of the spec's, so one definition serves
    op-amps of different swing, each instance's limits set by sources outside it.
    """
    c_p = 1.0 / (2 * math.pi * spec.pole * POLE_RESISTANCE)
    gm = spec.dc_gain / POLE_RESISTANCE
    elements: list = []
    plus = "inp"
    if spec.offset:
        elements.append(VoltageSource("Vos", "inpo", "inp", Dc(spec.offset)))
        plus = "inpo"
    elements += [
        Vccs("Gm", "0", "p", plus, "inn", gm),
        Resistor("Rp", "p", "0", POLE_RESISTANCE),
        Capacitor("Cp", "p", "0", c_p),
    ]
    if limit_inputs:
        elements.append(Behavioral("Bout", "out", "0", "v", "min(max(v(p),v(lo)),v(hi))"))
        swing = "output in [V(lo), V(hi)]"
    else:
        elements.append(Behavioral("Bout", "out", "0", "v",
                                   f"min(max(v(p),{fc(spec.v_low)}),{fc(spec.v_high)})"))
        swing = f"output in [{spec.v_low:g}, {spec.v_high:g}] V"
    ports = ("inp", "inn", "out") + (("lo", "hi") if limit_inputs else ())
    return Subcircuit(name, ports, tuple(elements), description=(
        f"op-amp: A0 = {spec.dc_gain:g}, GBW = {spec.gbw:g} Hz, pole {spec.pole:g} Hz, "
        f"{swing}, offset {spec.offset:g} V",
    ))


def follower(name: str, amp: Subcircuit) -> Subcircuit:
    """A voltage follower (unity-gain buffer); ports ``inp``, ``out``: ``out = inp`` up to the
    op-amp's finite gain and bandwidth (closed-loop pole at the gain-bandwidth product).
    It reads ``inp`` without loading it."""
    return Subcircuit(name, ("inp", "out"), (Instance("X1", amp.name, ("inp", "out", "out")),),
                      description=("voltage follower: out = inp",), requires=(amp,))
