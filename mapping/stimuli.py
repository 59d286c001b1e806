"""Stimuli (and target signals) as independent voltage sources, time- and voltage-scaled.

One rule per stimulus kind (registered by type):

``step``    a DC source when ``t_on = 0``, else a PWL with an edge of ``edge`` seconds that
            ends at ``t_on``;
``sine``    one SIN source per component, stacked in series (the first carries the offset);
``square``  a PULSE source starting in the half-period the phase selects, edges of ``edge``
            seconds that end at the switching instants;
``pwl``     a PWL source per unit (or one, if every unit has the same values) through the
            points that matter on ``[0, t_stop]``.

A signal shared by all units of a population is generated once, on unit 0's node; the other
units connect to it through 0 V sources. Node voltages are ``v_unit`` times model values;
times are ``time_scale`` times model times.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vle.circuits.elements import Element, VoltageSource
from vle.circuits.engineering import significant
from vle.circuits.waveforms import Dc, Pulse, Pwl, Sin, Waveform
from vle.model import stimulus as stim

EDGE_FRACTION = 1e-3
"""Edges of steps and square waves take this fraction of the simulation step dt (or more, where
ngspice needs a longer edge to place a time point on each corner: see
:data:`vle.mapping.assembly.EDGE_MIN_BREAKS`): far below anything the reference resolves. An
edge ends at the switching instant, because the reference takes the new value from that instant
on."""


@dataclass(frozen=True)
class Scales:
    """``time`` seconds per model time unit, ``volts`` per model unit, ``edge`` seconds per
    edge, ``t_stop`` in model time units. Scaled values are rounded to 12 significant digits
    (:func:`~vle.circuits.engineering.significant`), so ``40 * 1e-6`` is written ``40u``."""

    time: float
    volts: float
    edge: float
    t_stop: float

    def t(self, model_time: float) -> float:
        """Seconds of a model time (12 significant digits, as all scaled values)."""
        return significant(model_time * self.time)

    def v(self, model_value: float) -> float:
        """Volts of a model value."""
        return significant(model_value * self.volts)


Stack = tuple[Waveform, ...]
"""Waveforms of sources stacked in series (their voltages add)."""


def _step(s: stim.Step, size: int, sc: Scales) -> list[Stack]:
    low, high = sc.v(s.offset), sc.v(s.offset + s.amplitude)
    if s.t_on == 0:
        return [(Dc(high),)]
    t = sc.t(s.t_on)
    if t <= sc.edge:
        return [(Pwl((0.0, t), (low, high)),)]
    return [(Pwl((0.0, t - sc.edge, t), (low, low, high)),)]


def _sine(s: stim.Sine, size: int, sc: Scales) -> list[Stack]:
    return [tuple(
        Sin(sc.v(s.offset) if k == 0 else 0.0, sc.v(a),
            significant(w / (2 * math.pi * sc.time)), significant(math.degrees(p)))
        for k, (a, w, p) in enumerate(zip(s.amplitude, s.omega, s.phase, strict=True)))]


def _square(s: stim.Square, size: int, sc: Scales) -> list[Stack]:
    high, low = sc.v(s.offset + s.amplitude), sc.v(s.offset - s.amplitude)
    period = sc.t(s.period)
    frac = (s.phase / (2 * math.pi)) % 1.0
    first, second, switch = (high, low, 0.5 - frac) if frac < 0.5 else (low, high, 1 - frac)
    delay = significant(max(switch * period - sc.edge, 0.0))
    return [(Pulse(first, second, delay, sc.edge, sc.edge, significant(period / 2 - sc.edge),
                   period),)]


def _pwl(s: stim.Pwl, size: int, sc: Scales) -> list[Stack]:
    t = np.asarray(s.t, dtype=np.float64)
    cols = [s.values] if s.values.ndim == 1 else [s.values[:, k] for k in range(size)]
    keep = (t > 0) & (np.concatenate(([True], t[:-1] < sc.t_stop)))
    out: list[Stack] = []
    for col in cols:
        v0 = float(np.interp(0.0, t, col))
        times = (0.0, *(sc.t(float(x)) for x in t[keep]))
        values = (sc.v(v0), *(sc.v(float(x)) for x in col[keep]))
        out.append((Pwl(times, values),))
    return out


_RULES: dict[type, Callable[..., list[Stack]]] = {
    stim.Step: _step, stim.Sine: _sine, stim.Square: _square, stim.Pwl: _pwl,
}
"""How each stimulus kind becomes sources: a list of stacks, one shared or one per unit."""


def source_elements(signal: stim.Stimulus, role: str, pop: str, nodes: tuple[str, ...],
                    sc: Scales) -> list[Element]:
    """Sources driving ``nodes`` (one per unit) with ``signal``; element names
    ``V<role>_<pop>_<unit>_<component>`` (``V<role>c_<pop>_<unit>`` for the 0 V copies)."""
    try:
        rule = _RULES[type(signal)]
    except KeyError:
        known = ", ".join(getattr(c, "kind", c.__name__) for c in _RULES)
        raise ValueError(f"stimulus kind {signal.kind!r} has no source rule; known: "
                         f"{known}") from None
    stacks = rule(signal, len(nodes), sc)
    out: list[Element] = []
    base = f"{role}_{pop}".lower()
    for i, top in enumerate(nodes):
        if i >= len(stacks):
            out.append(VoltageSource("V" + f"{role}c_{pop}_{i}".lower(), top, nodes[0], Dc(0.0)))
            continue
        stack = stacks[i]
        below = [f"{base}_src{k}_{i}" for k in range(1, len(stack))] + ["0"]
        above = [top, *below[:-1]]
        for k, w in enumerate(stack):
            out.append(VoltageSource(f"V{base}_{i}_{k}", above[k], below[k], w))
    return out
