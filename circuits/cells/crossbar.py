"""Crossbars: one linear element per synapse, each injecting ``G_ij V(in_j)`` into the
summing node of output ``i`` (equations.md section 4). Reading the same conductances in the
transposed direction gives ``W^T e`` for the error path.

Ports: ``in0 .. in{n-1}``, then ``out0 .. out{m-1}`` (single-ended, signed) or
``outp0 .. outp{m-1}, outn0 .. outn{m-1}`` (differential). The conductance matrix is
``(m, n)``, as the weights ``(post, pre)``; zero entries have no element.
"""

from __future__ import annotations

import numpy as np

from vle.circuits.circuit import Subcircuit
from vle.circuits.elements import Behavioral, Element, Resistor, Vccs
from vle.circuits.engineering import format_constant as fc


def crossbar_ports(n_in: int, n_out: int, differential: bool) -> tuple[str, ...]:
    """The port names of a crossbar with ``n_in`` inputs and ``n_out`` outputs."""
    ins = tuple(f"in{j}" for j in range(n_in))
    if differential:
        return ins + tuple(f"outp{i}" for i in range(n_out)) + tuple(
            f"outn{i}" for i in range(n_out))
    return ins + tuple(f"out{i}" for i in range(n_out))


def _ohms(g: float) -> float:
    """``1 / |g|`` to 12 significant digits: a resistor chosen from a series comes back as
    itself (``1 / (1 / 4990)`` is ``4990.000000000001`` in floating point)."""
    return float(f"{1.0 / abs(g):.12g}")


def crossbar(name: str, conductance: np.ndarray, *, differential: bool,
             note: str = "crossbar") -> Subcircuit:
    """A fixed crossbar of conductances ``G`` (siemens, shape ``(m, n)``).

    Single-ended (ideal): a transconductance ``G_ij`` per synapse, any sign, from ``in_j`` into
    ``out_i``. Differential (physical): a resistor ``1/|G_ij|`` (to 12 significant digits)
    per synapse from ``in_j`` to
    the virtual ground ``outp_i`` (``G > 0``) or ``outn_i`` (``G < 0``); the summing amplifier
    subtracts the two.
    """
    g = np.asarray(conductance, dtype=np.float64)
    m, n = g.shape
    els: list[Element] = []
    for i in range(m):
        for j in range(n):
            gij = float(g[i, j])
            if gij == 0.0:
                continue
            if differential:
                side = "outp" if gij > 0 else "outn"
                els.append(Resistor(f"R{i}_{j}", f"in{j}", f"{side}{i}", _ohms(gij)))
            else:
                els.append(Vccs(f"G{i}_{j}", "0", f"out{i}", f"in{j}", "0", gij))
    return Subcircuit(name, crossbar_ports(n, m, differential), tuple(els), description=(
        f"{note}: {m} x {n}, I(out_i) = sum_j G_ij V(in_j)"
        + (" (positive G to outp, negative to outn)" if differential else ""),
    ))


def transposed_crossbar(name: str, conductance: np.ndarray, *,
                        differential: bool) -> Subcircuit:
    """The transposed read of a crossbar: ``I(out_j) = sum_i G_ij V(in_i)``, i.e. the same
    conductances with inputs and outputs swapped (ports as a crossbar of ``G^T``). In a circuit
    simulation it is a second array with identical values."""
    return crossbar(name, np.asarray(conductance).T, differential=differential,
                    note="transposed crossbar (error path)")


def plastic_crossbar(name: str, n_out: int, n_in: int, r_f: float, v_unit: float, *,
                     transposed: bool = False) -> Subcircuit:
    """A crossbar whose weights are node voltages ``V(w_i_j) = v_unit W_ij`` (from plasticity
    elements): ``I(out_i) = sum_j W_ij V(in_j) / R_f`` as one multiplying (behavioural) current
    source per synapse, single-ended into the summing node ``out_i`` (``outp_i`` of a
    differential stage).

    Ports: inputs, outputs (as :func:`crossbar_ports`, single-ended) then ``w{i}_{j}`` row-major
    over ``(n_out, n_in)`` of the forward weights. With ``transposed`` it reads ``W^T``:
    ``n_out`` and ``n_in`` are the forward shape, inputs are the ``n_out`` post-synaptic nodes
    and outputs the ``n_in`` pre-synaptic ones.
    """
    k = fc(1.0 / (v_unit * r_f))
    w_ports = tuple(f"w{i}_{j}" for i in range(n_out) for j in range(n_in))
    els: list[Element] = []
    if not transposed:
        ports = crossbar_ports(n_in, n_out, False) + w_ports
        for i in range(n_out):
            for j in range(n_in):
                els.append(Behavioral(f"B{i}_{j}", "0", f"out{i}", "i",
                                      f"{k}*v(w{i}_{j})*v(in{j})"))
    else:
        ports = crossbar_ports(n_out, n_in, False) + w_ports
        for i in range(n_out):
            for j in range(n_in):
                els.append(Behavioral(f"B{j}_{i}", "0", f"out{j}", "i",
                                      f"{k}*v(w{i}_{j})*v(in{i})"))
    what = "W^T" if transposed else "W"
    return Subcircuit(name, ports, tuple(els), description=(
        f"plastic crossbar ({what}): I(out) = {what} V(in) / R_f, W = V(w)/v_unit, "
        f"R_f = {r_f:g} ohm, v_unit = {v_unit:g} V",
    ))
