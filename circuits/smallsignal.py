"""Small-signal (linear) analysis of a circuit by modified nodal analysis, in numpy/scipy.

The circuit is linearised around an operating point (node voltages, default all zero):
resistors, capacitors and linear controlled sources enter as they are, behavioural sources by
their partial derivatives (central differences of :func:`vle.circuits.expression.evaluate`,
exact to rounding for linear expressions). With ``x`` the node voltages and source currents,

    (G + s C) x = b u,     y = c^T x

for the input source ``u`` (an independent V or I source, every other independent source set
to zero) and the output node voltage ``y``. Poles are the finite generalised eigenvalues of
``(G, -C)``; zeros those of the system (Rosenbrock) pencil; pole-zero pairs closer than
``cancel`` (relative) cancel, as they do in the transfer function. This is how the tests check
that each generated cell implements its equation from its element values alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from vle.circuits.circuit import Circuit, Flat, Section, Subcircuit
from vle.circuits.elements import (
    Behavioral,
    Capacitor,
    CurrentSource,
    Resistor,
    Vccs,
    Vcvs,
    VoltageSource,
)
from vle.circuits.expression import evaluate, nodes_of

DERIVATIVE_STEP = 1e-6
"""Volts of the central difference that linearises behavioural sources: small against every
curvature scale of the phi cells (1 V) yet large enough that rounding stays near 1e-10."""


@dataclass(frozen=True)
class TransferFunction:
    """``H(s) = dc_gain * prod(1 - s/z) / prod(1 - s/p)`` (poles and zeros in rad/s;
    ``dc_gain`` is inf for an integrator); calling it evaluates ``H(s)`` directly from the
    nodal equations."""

    poles: np.ndarray
    zeros: np.ndarray
    dc_gain: float
    _system: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]

    def __call__(self, s: complex) -> complex:
        G, C, b, c = self._system
        return complex(c @ np.linalg.solve(G + s * C, b))


class _Mna:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.entries: list[tuple[str, int, int, float]] = []
        self.n = 0

    def var(self, key: str) -> int:
        if key not in self.index:
            self.index[key] = self.n
            self.n += 1
        return self.index[key]

    def node(self, n: str) -> int | None:
        return None if n == "0" else self.var("v:" + n.lower())

    def add(self, matrix: str, row: int | None, col: int | None, value: float) -> None:
        if row is not None and col is not None and value != 0.0:
            self.entries.append((matrix, row, col, value))

    def conductance(self, matrix: str, a: str, b: str, g: float) -> None:
        i, j = self.node(a), self.node(b)
        self.add(matrix, i, i, g)
        self.add(matrix, j, j, g)
        self.add(matrix, i, j, -g)
        self.add(matrix, j, i, -g)

    def current(self, pos: str, neg: str, ctrl: list[tuple[str, float]]) -> None:
        """A current sum_k g_k V(node_k) from pos through the element to neg."""
        for node, g in ctrl:
            k = self.node(node)
            self.add("G", self.node(pos), k, g)
            self.add("G", self.node(neg), k, -g)

    def voltage(self, name: str, pos: str, neg: str, ctrl: list[tuple[str, float]]) -> int:
        """V(pos) - V(neg) - sum_k g_k V(node_k) = (input); returns the branch row."""
        br = self.var("i:" + name)
        for node, sign in ((pos, 1.0), (neg, -1.0)):
            self.add("G", self.node(node), br, sign)
            self.add("G", br, self.node(node), sign)
        for node, g in ctrl:
            self.add("G", br, self.node(node), -g)
        return br


def _linearise(expr: str, rename: Mapping[str, str],
               op: Mapping[str, float]) -> list[tuple[str, float]]:
    local = nodes_of(expr)
    point = {n: float(op.get(rename[n], 0.0)) for n in local}
    out = []
    for n in local:
        hi, lo = dict(point), dict(point)
        hi[n] += DERIVATIVE_STEP
        lo[n] -= DERIVATIVE_STEP
        slope = (float(evaluate(expr, hi)) - float(evaluate(expr, lo))) / (2 * DERIVATIVE_STEP)
        out.append((rename[n], slope))
    return out


Inputs = list[tuple[int | None, float]]
"""Where the input enters the right-hand side: (row, sign) pairs."""


def _resistor(m: _Mna, el: Resistor, rn: dict[str, str], name: str, is_input: bool,
              op: Mapping[str, float]) -> Inputs:
    m.conductance("G", rn[el.a], rn[el.b], 1.0 / el.resistance)
    return []


def _capacitor(m: _Mna, el: Capacitor, rn: dict[str, str], name: str, is_input: bool,
               op: Mapping[str, float]) -> Inputs:
    m.conductance("C", rn[el.a], rn[el.b], el.capacitance)
    return []


def _vsource(m: _Mna, el: VoltageSource, rn: dict[str, str], name: str, is_input: bool,
             op: Mapping[str, float]) -> Inputs:
    br = m.voltage(name, rn[el.pos], rn[el.neg], [])
    return [(br, 1.0)] if is_input else []


def _isource(m: _Mna, el: CurrentSource, rn: dict[str, str], name: str, is_input: bool,
             op: Mapping[str, float]) -> Inputs:
    # the current leaves node pos and enters node neg
    return [(m.node(rn[el.pos]), -1.0), (m.node(rn[el.neg]), 1.0)] if is_input else []


def _vccs(m: _Mna, el: Vccs, rn: dict[str, str], name: str, is_input: bool,
          op: Mapping[str, float]) -> Inputs:
    m.current(rn[el.pos], rn[el.neg], [(rn[el.cpos], el.gm), (rn[el.cneg], -el.gm)])
    return []


def _vcvs(m: _Mna, el: Vcvs, rn: dict[str, str], name: str, is_input: bool,
          op: Mapping[str, float]) -> Inputs:
    m.voltage(name, rn[el.pos], rn[el.neg], [(rn[el.cpos], el.gain), (rn[el.cneg], -el.gain)])
    return []


def _behavioral(m: _Mna, el: Behavioral, rn: dict[str, str], name: str, is_input: bool,
                op: Mapping[str, float]) -> Inputs:
    ctrl = _linearise(el.expr, rn, op)
    if el.kind == "v":
        m.voltage(name, rn[el.pos], rn[el.neg], ctrl)
    else:
        m.current(rn[el.pos], rn[el.neg], ctrl)
    return []


_STAMPS: dict[type, Callable[..., Inputs]] = {
    Resistor: _resistor, Capacitor: _capacitor, VoltageSource: _vsource,
    CurrentSource: _isource, Vccs: _vccs, Vcvs: _vcvs, Behavioral: _behavioral,
}
"""How each primitive element type enters the nodal equations."""


def _stamp(m: _Mna, flat: Flat, op: Mapping[str, float], source: str) -> Inputs:
    """Stamp one primitive element; the input rows if it is the input source."""
    return _STAMPS[type(flat.element)](m, flat.element, flat.nodes, flat.name,
                                       flat.name == source, op)


def transfer_function(
    circuit: Circuit | Subcircuit,
    source: str,
    output: str,
    *,
    operating_point: Mapping[str, float] | None = None,
    cancel: float = 1e-6,
) -> TransferFunction:
    """The transfer function from independent source ``source`` (its voltage or current) to
    the voltage of node ``output``, linearised at ``operating_point`` (node voltages).

    A :class:`Subcircuit` is analysed as a circuit whose ports are plain nodes (so it must
    contain its own input source, or be wrapped by the caller). Pole-zero pairs closer than
    ``cancel`` (relative) cancel.
    """
    if isinstance(circuit, Subcircuit):
        circuit = Circuit(circuit.name, (Section("cell", circuit.elements),), circuit.requires)
    op = {k.lower(): v for k, v in (operating_point or {}).items()}
    m = _Mna()
    inputs: list[tuple[int | None, float]] = []
    for flat in circuit.flatten():
        for name in flat.nodes.values():
            m.node(name)
        inputs += _stamp(m, flat, op, source)
    if not inputs:
        raise KeyError(f"no independent source {source!r} in the circuit")
    out = m.node(output)
    if out is None:
        raise ValueError("the output is ground")
    G = np.zeros((m.n, m.n))
    C = np.zeros((m.n, m.n))
    for matrix, i, j, v in m.entries:
        (G if matrix == "G" else C)[i, j] += v
    b = np.zeros(m.n)
    for row, sign in inputs:
        if row is not None:
            b[row] += sign
    c = np.zeros(m.n)
    c[out] = 1.0
    poles = _finite_eigs(G, -C)
    size = m.n
    A = np.block([[G, -b[:, None]], [c[None, :], np.zeros((1, 1))]])
    B = np.block([[-C, np.zeros((size, 1))], [np.zeros((1, size + 1))]])
    zeros = _finite_eigs(A, B)
    poles, zeros = _cancel(poles, zeros, cancel)
    try:
        dc = float(c @ np.linalg.solve(G, b))
    except np.linalg.LinAlgError:
        dc = math.inf  # no DC solution: an integrator (or a floating node)
    return TransferFunction(np.sort_complex(poles), np.sort_complex(zeros), dc, (G, C, b, c))


def _finite_eigs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    w = scipy.linalg.eig(a, b, right=False, homogeneous_eigvals=True)
    alpha, beta = w[0], w[1]
    scale = np.abs(alpha) + np.abs(beta)
    keep = np.abs(beta) > 1e-9 * np.maximum(scale, 1e-300)
    return np.asarray(alpha[keep] / beta[keep])


def _cancel(poles: np.ndarray, zeros: np.ndarray, tol: float) -> tuple[np.ndarray, np.ndarray]:
    p, z = list(poles), list(zeros)
    for zi in list(z):
        for k, pi in enumerate(p):
            if abs(pi - zi) <= tol * max(abs(pi), abs(zi), 1e-300):
                p.pop(k)
                z.remove(zi)
                break
    return np.array(p, dtype=complex), np.array(z, dtype=complex)
