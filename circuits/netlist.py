"""The one netlist writer (ngspice dialect).

Output is deterministic and its sections always come in this order::

    title line
    * header comments
    .options reltol=... abstol=... vntol=... chgtol=... method=...
    .subckt definitions (dependencies first), each with its description
    * section title, then its elements      (in the order the circuit lists them)
    .ic v(node)=...
    .tran step stop start max_step
    .save v(node) ...                       (every probed node)
    .end

Values use exact engineering notation (:mod:`vle.circuits.engineering`). Long cards continue
on ``+`` lines, broken only between tokens. Each element type has one registered card writer;
every line is checked once more before it is returned, so no newline can slip through.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vle.circuits.circuit import Circuit, Subcircuit, Transient
from vle.circuits.elements import (
    Behavioral,
    Capacitor,
    CurrentSource,
    Element,
    Instance,
    Resistor,
    Vccs,
    Vcvs,
    VoltageSource,
)
from vle.circuits.engineering import format_value as fv
from vle.circuits.errors import CircuitError
from vle.circuits.waveforms import Dc, Pulse, Pwl, Sin, Waveform

LINE_WIDTH = 100
"""Cards longer than this continue on ``+`` lines (ngspice reads any length; this is for
people and diffs)."""

_CARDS: dict[type, Callable[[Any], list[str]]] = {}


def card_writer(cls: type) -> Callable[[Callable[[Any], list[str]]], Callable[[Any], list[str]]]:
    """Register the function that turns an element of type ``cls`` into card tokens."""

    def register(fn: Callable[[Any], list[str]]) -> Callable[[Any], list[str]]:
        if cls in _CARDS:
            raise ValueError(f"a card writer for {cls.__name__} is already registered")
        _CARDS[cls] = fn
        return fn

    return register


_WAVEFORMS: dict[type, Callable[[Any], list[str]]] = {
    Dc: lambda w: ["DC", fv(w.value)],
    Pwl: lambda w: _parenthesised("PWL", [fv(x) for tv in zip(w.times, w.values, strict=True)
                                          for x in tv]),
    Sin: lambda w: _parenthesised("SIN", [fv(w.offset), fv(w.amplitude), fv(w.frequency), "0",
                                          "0", fv(w.phase)]),
    Pulse: lambda w: _parenthesised("PULSE", [fv(x) for x in (
        w.initial, w.pulsed, w.delay, w.rise, w.fall, w.width, w.period)]),
}
"""The value tokens of each waveform type."""


def waveform_tokens(w: Waveform) -> list[str]:
    """A source's value: ``DC 1``, ``PWL(0 0 1m 1)``, ``SIN(0 1 1k 0 0 90)``,
    ``PULSE(...)``."""
    try:
        return _WAVEFORMS[type(w)](w)
    except KeyError:
        raise CircuitError("source", f"unknown waveform {w!r}", "Dc, Pwl, Sin or Pulse") from None


def _parenthesised(kind: str, items: list[str]) -> list[str]:
    items = list(items)
    items[0] = f"{kind}({items[0]}"
    items[-1] += ")"
    return items


@card_writer(Resistor)
def _resistor(el: Resistor) -> list[str]:
    return [el.name, el.a, el.b, fv(el.resistance)]


@card_writer(Capacitor)
def _capacitor(el: Capacitor) -> list[str]:
    return [el.name, el.a, el.b, fv(el.capacitance)]


@card_writer(VoltageSource)
def _vsource(el: VoltageSource) -> list[str]:
    return [el.name, el.pos, el.neg, *waveform_tokens(el.waveform)]


@card_writer(CurrentSource)
def _isource(el: CurrentSource) -> list[str]:
    return [el.name, el.pos, el.neg, *waveform_tokens(el.waveform)]


@card_writer(Vccs)
def _vccs(el: Vccs) -> list[str]:
    return [el.name, el.pos, el.neg, el.cpos, el.cneg, fv(el.gm)]


@card_writer(Vcvs)
def _vcvs(el: Vcvs) -> list[str]:
    return [el.name, el.pos, el.neg, el.cpos, el.cneg, fv(el.gain)]


@card_writer(Behavioral)
def _behavioral(el: Behavioral) -> list[str]:
    # The expression is one token: a continuation line inside it would need ngspice to rejoin
    # it exactly, so it is never broken.
    return [el.name, el.pos, el.neg, f"{el.kind.upper()}={el.expr.replace(' ', '')}"]


@card_writer(Instance)
def _instance(el: Instance) -> list[str]:
    return [el.name, *el.connections, el.subcircuit]


def element_card(el: Element) -> list[str]:
    """The card of one element, as lines (continuations start with ``+``)."""
    try:
        writer = _CARDS[type(el)]
    except KeyError:
        raise CircuitError(f"element {getattr(el, 'name', el)!r}",
                           f"no card writer for {type(el).__name__}",
                           "an element type from vle.circuits.elements") from None
    return _wrap(writer(el))


def _wrap(tokens: list[str]) -> list[str]:
    lines: list[str] = []
    line = ""
    for tok in tokens:
        if line and len(line) + 1 + len(tok) > LINE_WIDTH:
            lines.append(line)
            line = "+ " + tok
        else:
            line = f"{line} {tok}" if line else tok
    lines.append(line)
    return lines


def _subcircuit(sub: Subcircuit) -> list[str]:
    out = _wrap([".subckt", sub.name, *sub.ports])
    out += [f"* {line}" for line in sub.description]
    for el in sub.elements:
        out += element_card(el)
    out.append(f".ends {sub.name}")
    return out


def _analysis(a: Transient) -> list[str]:
    tokens = [".tran", fv(a.step), fv(a.stop)]
    if a.max_step is not None or a.start:
        tokens.append(fv(a.start))
    if a.max_step is not None:
        tokens.append(fv(a.max_step))
    return [" ".join(tokens)]


def write_netlist(circuit: Circuit) -> str:
    """The netlist text of ``circuit`` (ends with a newline)."""
    lines = [circuit.title]
    lines += [f"* {h}" if h else "*" for h in circuit.header]
    o = circuit.options
    lines.append(f".options reltol={fv(o.reltol)} abstol={fv(o.abstol)} vntol={fv(o.vntol)} "
                 f"chgtol={fv(o.chgtol)} method={o.method}")
    for sub in circuit.subcircuits:
        lines.append("")
        lines += _subcircuit(sub)
    for section in circuit.sections:
        lines.append("")
        lines.append(f"* {section.title}")
        for el in section.elements:
            lines += element_card(el)
    lines.append("")
    if circuit.initial_conditions:
        lines += _wrap([".ic", *(f"v({n})={fv(v)}" for n, v in circuit.initial_conditions)])
    for a in circuit.analyses:
        lines += _analysis(a)
    if circuit.probes is not None and circuit.probes.nodes:
        lines += _wrap([".save", *(f"v({n})" for n in circuit.probes.nodes)])
    lines.append(".end")
    for line in lines:
        if "\n" in line or "\r" in line:
            raise CircuitError("netlist", f"a line contains a line break: {line[:60]!r}",
                               "single-line cards (this is a bug in a card writer)")
    return "\n".join(lines) + "\n"
