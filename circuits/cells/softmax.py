"""The cross-entropy target error ``beta (y - softmax(r))`` as injected currents."""

from __future__ import annotations

from vle.circuits.circuit import Subcircuit
from vle.circuits.elements import Behavioral
from vle.circuits.engineering import format_constant as fc


def softmax_error(name: str, size: int, beta: float, r_f: float, v_unit: float) -> Subcircuit:
    """Ports ``y0..``, ``r0..``, ``out0..``: the current
    ``I(out_i) = beta (V(y_i) - v_unit softmax_i(V(r) / v_unit)) / R_f`` into each summing
    node, so a summing stage of feedback ``R_f`` holds ``v_unit beta (y_i - softmax_i(r))``.
    One behavioural source per output (each sums ``size`` exponentials; fine for the few
    outputs of a classifier)."""
    x = [f"exp(v(r{j})/{fc(v_unit)})" if v_unit != 1.0 else f"exp(v(r{j}))"
         for j in range(size)]
    total = "+".join(x)
    els = tuple(
        Behavioral(f"B{i}", "0", f"out{i}", "i",
                   f"{fc(beta / r_f)}*(v(y{i})-{fc(v_unit)}*{x[i]}/({total}))")
        for i in range(size))
    ports = tuple(f"y{i}" for i in range(size)) + tuple(f"r{i}" for i in range(size)) + tuple(
        f"out{i}" for i in range(size))
    return Subcircuit(name, ports, els, description=(
        f"target error: I(out_i) = beta (V(y_i) - v_unit softmax_i(r)) / R_f, beta = {beta:g}",
    ))
