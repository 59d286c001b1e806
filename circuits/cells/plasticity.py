"""The plasticity element: a weight held as the voltage of a capacitor."""

from __future__ import annotations

from vle.circuits.circuit import Subcircuit
from vle.circuits.elements import Behavioral, Capacitor, Element, Resistor
from vle.circuits.engineering import format_constant as fc


def plasticity_element(name: str, c_w: float, k_w: float,
                       r_leak: float | None = None) -> Subcircuit:
    """One synapse's weight; ports ``e`` (post-synaptic error), ``r`` (pre-synaptic rate),
    ``w`` (the weight voltage, read by a plastic crossbar).

    Equation: ``C_w dV(w)/dt = k_w V(e) V(r) - V(w) / R_leak``. With node voltages
    ``v_unit`` times model values and ``s_t`` seconds per model time unit this is
    ``dW/dt = eta e r - lambda W`` with ``eta = k_w v_unit s_t / C_w`` and
    ``lambda = s_t / (R_leak C_w)`` (per model time unit). Topology: a multiplier (behavioural
    current source) charging ``C_w``; an optional leakage resistor ``R_leak`` across it. The
    initial weight is the capacitor's initial voltage, set by the circuit's ``.ic``.
    """
    els: list[Element] = [
        Capacitor("Cw", "w", "0", c_w),
        Behavioral("Bw", "0", "w", "i", f"{fc(k_w)}*v(e)*v(r)"),
    ]
    if r_leak is not None:
        els.append(Resistor("Rleak", "w", "0", r_leak))
    return Subcircuit(name, ("e", "r", "w"), tuple(els), description=(
        "plasticity: C_w dV(w)/dt = k_w V(e) V(r)" + (" - V(w)/R_leak" if r_leak else ""),
    ))
