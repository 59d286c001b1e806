"""A four-quadrant multiplier (behavioural)."""

from __future__ import annotations

from vle.circuits.circuit import Subcircuit
from vle.circuits.elements import Behavioral
from vle.circuits.engineering import format_constant as fc


def multiplier(name: str, v_unit: float) -> Subcircuit:
    """``out = a * b`` in model units: ``V(out) = V(a) V(b) / v_unit``; ports ``a``, ``b``,
    ``out``. It forms the error-neuron input ``eps = r' * (B e)``."""
    expr = "v(a)*v(b)" if v_unit == 1.0 else f"v(a)*v(b)/{fc(v_unit)}"
    return Subcircuit(name, ("a", "b", "out"), (Behavioral("Bmul", "out", "0", "v", expr),),
                      description=(f"multiplier: out = a b with {v_unit:g} V per model unit",))
