"""Prospective sections: the first-order filters ``H(s) = (1 + s a) / (1 + s b)`` that make
representation neurons (``a = tau_r``, ``b = tau_m``) and error neurons (``a = tau_m``,
``b = tau_r``) out of RC networks (equations.md section 4).

Both cells have ports ``inp`` (the drive, which must come from a low-impedance source),
``out`` (the prospective output: ``ub`` or ``e``) and ``cap`` (the capacitor voltage, the
low-passed state: ``u`` or ``v``):

    b d(cap)/dt = -cap + inp,       out = cap + a d(cap)/dt = (1 - a/b) cap + (a/b) inp

A lag (``a <= b``) is passive; a lead (``a > b``) needs gain.

With ``noise`` (one waveform per resistor that carries the capacitor's current, e.g. a
:class:`~vle.circuits.waveforms.TrRandom`), each of those resistors gets a voltage source
``Vn<k>`` in series (its thermal noise; sources of different instances are independent, as
each instance expands its own).
"""

from __future__ import annotations

from vle.circuits.circuit import Subcircuit
from vle.circuits.elements import Capacitor, Element, Instance, Resistor, Vcvs, VoltageSource
from vle.circuits.engineering import format_short as fv
from vle.circuits.errors import CircuitError
from vle.circuits.waveforms import Dc, Waveform

_NOISE_LINE = ("thermal noise: Vn<k> in series with the k-th resistor carrying the capacitor's "
               "current",)


def _noisy(name: str, k: int, a: str, noise: tuple[Waveform, ...]) -> tuple[list[Element], str]:
    """The series noise source of resistor ``k`` (0-based) from node ``a``, and the node the
    resistor then starts at (``a`` itself without noise)."""
    if not noise:
        return [], a
    if k >= len(noise):
        raise CircuitError(f"cell {name!r}", f"{len(noise)} noise waveforms",
                           "one per section resistor that carries the capacitor's current")
    return [VoltageSource(f"Vn{k + 1}", a, f"n{k + 1}", noise[k])], f"n{k + 1}"


def lag_section(name: str, r1: float, r2: float, c: float,
                buffer: Subcircuit | None = None, *,
                noise: tuple[Waveform, ...] = ()) -> Subcircuit:
    """The passive lag network, ``a = R2 C <= b = (R1 + R2) C``.

    Topology: ``inp`` -R1- ``mid`` -R2- ``cap`` -C- ground. Node ``mid`` is the prospective
    output (``C d(cap)/dt = (inp - mid)/R1`` and ``mid = cap + R2 C d(cap)/dt``). ``R1 = 0``
    (``a = b``, the LE case) is a wire, written as a 0 V source. With ``buffer`` (a follower
    subcircuit) ``mid`` is read through it, so loads on ``out`` do not disturb the network;
    without, ``out`` is ``mid`` itself, which only high-impedance readers (behavioural
    sources) may load. ``noise``: the waveforms of ``R1`` (unless a wire) and ``R2``, in
    that order.
    """
    if r1 < 0:
        raise CircuitError(f"cell {name!r}", f"R1 got {r1!r}", "R1 >= 0 (0 is a wire)")
    if noise and len(noise) != (1 if r1 == 0 else 2):
        raise CircuitError(f"cell {name!r}", f"{len(noise)} noise waveforms",
                           "one per resistor (R1 unless a wire, R2)")
    mid = "mid" if buffer is not None else "out"
    els: list[Element] = []
    if r1 == 0:
        els.append(VoltageSource("Vr1", "inp", mid, Dc(0.0)))
    else:
        src, start = _noisy(name, 0, "inp", noise)
        els += [*src, Resistor("R1", start, mid, r1)]
    src, start = _noisy(name, 0 if r1 == 0 else 1, mid, noise)
    els += [*src, Resistor("R2", start, "cap", r2), Capacitor("C1", "cap", "0", c)]
    if buffer is not None:
        els.append(Instance("Xbuf", buffer.name, (mid, "out")))
    b, a = (r1 + r2) * c, r2 * c
    return Subcircuit(name, ("inp", "out", "cap"), tuple(els), description=(
        "lag section: out = (1 + s a)/(1 + s b) inp, cap = inp/(1 + s b)",
        f"a = R2 C = {fv(a)}s, b = (R1 + R2) C = {fv(b)}s; out at the R1-R2 node"
        + (" through a follower" if buffer is not None else ""),
    ) + _NOISE_LINE * bool(noise), requires=(buffer,) if buffer is not None else ())


def lead_section(name: str, r: float, c: float, gain: float, *, amp: Subcircuit | None = None,
                 buffer: Subcircuit | None = None, ra: float | None = None,
                 rb: float | None = None, noise: tuple[Waveform, ...] = ()) -> Subcircuit:
    """The lead section, ``a = gain * b > b = R C``: an RC low-pass and a difference stage
    forming ``out = (1 - g) cap + g inp`` with ``g = a / b > 1``.

    Ideal (``amp`` None): two stacked linear amplifiers, ``g inp`` and ``(1 - g) cap``.
    Physical: ``cap`` is read by the follower ``buffer`` into ``capb``; an op-amp with ``inp``
    on its non-inverting input, ``Ra`` from ``capb`` to its inverting input and ``Rb`` in
    feedback gives ``out = (1 + Rb/Ra) inp - (Rb/Ra) capb``, so ``g = 1 + Rb/Ra``.
    ``noise``: one waveform, of ``R`` (``Ra`` and ``Rb`` stay noiseless).
    """
    if len(noise) > 1:
        raise CircuitError(f"cell {name!r}", f"{len(noise)} noise waveforms",
                           "one (the RC resistor R)")
    src, start = _noisy(name, 0, "inp", noise)
    els: list[Element] = [*src, Resistor("R1", start, "cap", r), Capacitor("C1", "cap", "0", c)]
    requires: tuple[Subcircuit, ...] = ()
    if amp is None:
        els += [Vcvs("Eg", "gin", "0", "inp", "0", gain),
                Vcvs("Ec", "out", "gin", "cap", "0", 1.0 - gain)]
        how = f"g = {gain:.6g} (ideal amplifiers)"
    else:
        if buffer is None or ra is None or rb is None:
            raise CircuitError(f"cell {name!r}", "a physical lead section needs a buffer, Ra "
                               "and Rb", "buffer, ra and rb with amp")
        els += [Instance("Xbuf", buffer.name, ("cap", "capb")),
                Resistor("Ra", "capb", "n", ra), Resistor("Rb", "n", "out", rb),
                Instance("Xamp", amp.name, ("inp", "n", "out"))]
        requires = (buffer, amp)
        how = f"g = 1 + Rb/Ra = {1 + rb / ra:.6g} (difference amplifier)"
    return Subcircuit(name, ("inp", "out", "cap"), tuple(els), description=(
        "lead section: out = (1 + s a)/(1 + s b) inp = (1 - g) cap + g inp, cap = inp/(1 + s b)",
        f"b = R C = {fv(r * c)}s, {how}",
    ) + _NOISE_LINE * bool(noise), requires=requires)
