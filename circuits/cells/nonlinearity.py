"""The rate nonlinearity ``r = phi(ub)`` and its derivative ``r' = phi'(ub)`` as behavioural
sources (the ideal realisation; transistor-level cells are future work).

Node voltages are model values times ``v_unit``, so a cell computes
``V(out) = v_unit * f(V(inp) / v_unit)``. The formulas are those of
:mod:`vle.model.nonlinearity`, rewritten with ngspice's functions so that each is finite for
every input: sigmoid as ``(1 + tanh(x/2))/2``, softplus as ``max(x,0) + ln(1 + exp(-|x|))``,
and the steps of relu' and hardtanh' as ``max(sgn(.), 0)``, which is 0 at the kink (ngspice's
``u(0)`` would be 0.5).
"""

from __future__ import annotations

from vle.circuits.circuit import Subcircuit
from vle.circuits.elements import Behavioral
from vle.circuits.engineering import format_constant as fc

FORMULAS: dict[str, tuple[str, str]] = {
    "linear": ("{x}", "1"),
    "tanh": ("tanh({x})", "1-tanh({x})*tanh({x})"),
    "sigmoid": ("0.5*(1+tanh(0.5*{x}))", "0.25*(1-tanh(0.5*{x})*tanh(0.5*{x}))"),
    "softplus": ("max({x},0)+ln(1+exp(-abs({x})))", "0.5*(1+tanh(0.5*{x}))"),
    "relu": ("max({x},0)", "max(sgn({x}),0)"),
    "hardtanh": ("min(max({x},-1),1)", "max(sgn(1-abs({x})),0)"),
}
"""phi and phi' of each nonlinearity as expression templates in ``{x}`` (model units)."""


def phi_expression(phi: str, node: str, v_unit: float, *, derivative: bool = False) -> str:
    """The expression ``v_unit * f(V(node) / v_unit)`` with ``f`` = phi (or phi')."""
    x = f"v({node})" if v_unit == 1.0 else f"(v({node})/{fc(v_unit)})"
    body = FORMULAS[phi][1 if derivative else 0].format(x=x)
    return body if v_unit == 1.0 else f"{fc(v_unit)}*({body})"


def phi_cell(name: str, phi: str, v_unit: float) -> Subcircuit:
    """``out = phi(inp)`` (in model units); ports ``inp``, ``out``. The source draws no
    current from ``inp`` (it is the buffer an RC section needs) and drives ``out`` with zero
    impedance."""
    expr = phi_expression(phi, "inp", v_unit)
    return Subcircuit(name, ("inp", "out"), (Behavioral("Bphi", "out", "0", "v", expr),),
                      description=(f"r = {phi}(ub) with {v_unit:g} V per model unit",))


def phi_prime_cell(name: str, phi: str, v_unit: float) -> Subcircuit:
    """``out = phi'(inp)`` (in model units, so ``v_unit`` volts mean 1); ports ``inp``,
    ``out``."""
    expr = phi_expression(phi, "inp", v_unit, derivative=True)
    return Subcircuit(name, ("inp", "out"), (Behavioral("Bdphi", "out", "0", "v", expr),),
                      description=(f"r' = {phi}'(ub) with {v_unit:g} V per model unit",))
