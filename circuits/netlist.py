"""The one netlist writer (ngspice dialect).

Output is deterministic and its sections always come in this order::

    title line
    * header comments
    * how to run it by hand, traces -> nodes  (only with a Control)
    .options reltol=... abstol=... vntol=... chgtol=... method=... [seed=...]
    .subckt definitions (dependencies first), each with its description
    * section title, then its elements      (in the order the circuit lists them)
    .ic v(node)=...
    .tran step stop start max_step
    .save v(node) ...                       (every probed node)
    .control ... .endc                      (only with a Control)
    .end

With a :class:`Control` the netlist also runs by hand, ``ngspice -b model.cir``: a comment
block after the header gives the command lines and the trace -> node table, and a
``.control`` block before ``.end`` runs the transient and writes the rawfile. Without one (the
default, and what the SPICE backend writes, as it runs ``ngspice -b -r``) neither is written.

Values use exact engineering notation (:mod:`vle.circuits.engineering`). Long cards continue
on ``+`` lines, broken only between tokens. Each element type has one registered card writer;
every line is checked once more before it is returned, so no newline can slip through.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
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
from vle.circuits.names import MAX_NAME, check_text, show
from vle.circuits.probes import ProbeMap
from vle.circuits.waveforms import Dc, Pulse, Pwl, Sin, TrRandom, Waveform

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
    TrRandom: lambda w: _parenthesised("TRRANDOM", ["2", fv(w.hold), "0", fv(w.sigma), "0"]),
}
"""The value tokens of each waveform type."""


def waveform_tokens(w: Waveform) -> list[str]:
    """A source's value: ``DC 1``, ``PWL(0 0 1m 1)``, ``SIN(0 1 1k 0 0 90)``,
    ``PULSE(...)``, ``TRRANDOM(2 10u 0 1m 0)``."""
    try:
        return _WAVEFORMS[type(w)](w)
    except KeyError:
        raise CircuitError("source", f"unknown waveform {w!r}",
                           "Dc, Pwl, Sin, Pulse or TrRandom") from None


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


MIN_NGSPICE = 29
"""The oldest ngspice a :class:`Control` block runs in: ngspice 29 introduced ``$inputdir``
(``$sim_status`` came in 28, ``quit`` with an exit status in 25)."""

_FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")


def check_file_name(name: object, what: str, suffix: str | None = None) -> str:
    """``name`` if it is a plain file name without a folder (letters, digits, ``_``, ``.``,
    ``-``; not starting with ``.`` or ``-``; at most :data:`~vle.circuits.names.MAX_NAME`
    characters; no SPICE control word, see :func:`~vle.circuits.names.check_text`), ending in
    ``suffix`` when one is given; else :class:`CircuitError` naming ``what``.

    Such a name is one word to ngspice's command interpreter: no space ends it early, no ``$``
    substitutes a variable, no ``;`` or newline starts another command.
    """
    if not isinstance(name, str) or not _FILE_NAME.match(name) or len(name) > MAX_NAME:
        raise CircuitError(what, f"got {show(name)}", "a plain file name: letters, digits, "
                           "'_', '.' and '-', not starting with '.' or '-', at most "
                           f"{MAX_NAME} characters (no folder, spaces or '$')")
    check_text(name, what)
    if suffix is not None and not name.lower().endswith(suffix):
        raise CircuitError(what, f"{name!r} does not end in {suffix!r}",
                           f"a file name ending in {suffix!r}")
    return name


@dataclass(frozen=True)
class Control:
    """A ``.control`` block that makes the netlist run by hand, and a header that says how.

    ``netlist`` is the netlist's file name (no folder), as the header's command lines show it;
    ``rawfile`` is the binary rawfile the block writes (default: ``netlist`` with the suffix
    ``.raw``). Both are checked by :func:`check_file_name`.

    What the block does, as measured with ngspice 39 (and available since
    :data:`MIN_NGSPICE`):

    * ``ngspice -b <folder>/<netlist>``: batch mode with a ``.control`` block runs only the
      block, so ``run`` does the ``.tran`` exactly once (one ``tran1`` plot). ``write
      $inputdir/<rawfile>`` puts the rawfile next to the netlist whatever folder ngspice is
      started from: ngspice sets ``$inputdir`` to the folder of the input file as it was given
      (``netlists`` for ``ngspice -b netlists/x.cir``, ``.`` for a file in the current folder
      or a netlist read from standard input), and a folder with spaces works too. Then
      ``quit $sim_status`` ends batch mode with status 0; without the ``quit`` ngspice would
      go on to report "no simulations run" and exit 1. A transient that fails or aborts part
      way sets ``$sim_status`` to 1: no rawfile is written and batch mode exits with status 1.
      ``-r FILE`` on the command line is ignored when a netlist has a control block.
    * ``ngspice <netlist>`` (interactive): the block runs on loading and writes the same
      rawfile; ``$batchmode`` is unset, so ngspice stays at its prompt (``plot v(node)``,
      ``quit``).

    The ngspice manual warns that a ``.control`` block in batch mode "may be unpredictable";
    the tests (``tests/test_netlist_control.py``) hold every golden netlist to the behaviour
    above.
    """

    netlist: str
    rawfile: str = ""

    def __post_init__(self) -> None:
        check_file_name(self.netlist, "control block: netlist file name")
        if not self.rawfile:
            object.__setattr__(self, "rawfile", PurePath(self.netlist).stem + ".raw")
        check_file_name(self.rawfile, "control block: rawfile name", ".raw")
        if self.rawfile.lower() == self.netlist.lower():
            raise CircuitError("control block: rawfile name", f"{self.rawfile!r} is the "
                               "netlist's own name", "a rawfile that does not overwrite the "
                               "netlist")


def _check_runnable(circuit: Circuit) -> None:
    if len(circuit.analyses) != 1:
        raise CircuitError("control block", f"circuit {circuit.title!r} has "
                           f"{len(circuit.analyses)} .tran analyses",
                           "exactly one (the control block runs it and writes its plot)")


def _prose(text: str) -> list[str]:
    """``text`` as comment lines of at most :data:`LINE_WIDTH` characters, broken only at
    spaces (never inside a file or node name)."""
    out: list[str] = []
    line = "*"
    for word in text.split():
        if len(line) + 1 + len(word) > LINE_WIDTH and line != "*":
            out.append(line)
            line = "*"
        line = f"{line} {word}"
    out.append(line)
    return out


def _control_header(control: Control, circuit: Circuit) -> list[str]:
    """How to run the netlist by hand, and which node holds which trace."""
    probes = circuit.probes
    example = f"plot v({probes.nodes[0]})" if probes is not None and probes.nodes else "display"
    lines = [
        "*",
        f"* Run by hand (ngspice {MIN_NGSPICE} or newer; the .control block at the end does it):",
        f"*   batch:       ngspice -b {control.netlist}",
        f"*   interactive: ngspice {control.netlist}   then at the prompt e.g. {example}, and "
        "quit",
    ]
    lines += _prose(
        f"Both run the transient once and write the binary rawfile {control.rawfile} into the "
        "folder of this netlist, wherever ngspice is started (ngspice -b "
        f"path/to/{control.netlist} writes path/to/{control.rawfile}); batch mode then exits "
        "0. A failed transient writes no rawfile (an earlier one is left as it was) and batch "
        "mode exits 1.")
    lines += _prose(f"Python: vle.sim.spice.rawfile.read_raw(\"{control.rawfile}\") (vectors "
                    "v(node), in volts).")
    return lines + _trace_table(probes)


def _trace_table(probes: ProbeMap | None) -> list[str]:
    if probes is None or not probes.probes:
        return ["* No probe map: the rawfile holds every node voltage."]
    heads = ("trace", "scale (V/unit)", "offset (V)", "nodes")
    rows = [(p.trace, fv(p.scale), fv(p.offset), p.nodes) for p in probes.probes]
    w0 = max(len(heads[0]), *(len(r[0]) for r in rows))
    w1, w2 = len(heads[1]), len(heads[2])
    lines = [f"* Traces: model value = (v(node) - offset) / scale, model time = time / "
             f"{fv(probes.time_scale)}s",
             "* (nodes: one per unit; a weight's row-major over (post, pre))",
             f"*   {heads[0]:<{w0}}  {heads[1]}  {heads[2]}  {heads[3]}"]
    indent = 4 + w0 + 2 + w1 + 2 + w2 + 2
    for trace, scale, offset, nodes in rows:
        line = f"*   {trace:<{w0}}  {scale:<{w1}}  {offset:<{w2}}  {nodes[0]}"
        for node in nodes[1:]:
            if len(line) + 1 + len(node) > LINE_WIDTH:
                lines.append(line)
                line = "*" + " " * (indent - 1) + node
            else:
                line = f"{line} {node}"
        lines.append(line)
    return lines


def _control_block(control: Control) -> list[str]:
    """The interpreter commands (see :class:`Control` for what each line does and why)."""
    return [
        "",
        "* run by hand (see the header): the transient once, then the rawfile beside this file",
        ".control",
        "set filetype=binary",
        "run",
        "if $sim_status eq 0",
        f"  write $inputdir/{control.rawfile}",
        "end",
        "if $?batchmode",
        "  quit $sim_status",
        "end",
        ".endc",
    ]


def write_netlist(circuit: Circuit, *, control: Control | None = None) -> str:
    """The netlist text of ``circuit`` (ends with a newline).

    With ``control`` the netlist runs by hand (see :class:`Control`); without it the text is
    exactly what the SPICE backend's own runs (``ngspice -b -r``) need, and no more.
    """
    lines = [circuit.title]
    lines += [f"* {h}" if h else "*" for h in circuit.header]
    if control is not None:
        _check_runnable(circuit)
        lines += _control_header(control, circuit)
    o = circuit.options
    lines.append(f".options reltol={fv(o.reltol)} abstol={fv(o.abstol)} vntol={fv(o.vntol)} "
                 f"chgtol={fv(o.chgtol)} method={o.method}"
                 + (f" seed={o.seed}" if o.seed is not None else ""))
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
    if control is not None:
        lines += _control_block(control)
    lines.append(".end")
    for line in lines:
        if "\n" in line or "\r" in line:
            raise CircuitError("netlist", f"a line contains a line break: {line[:60]!r}",
                               "single-line cards (this is a bug in a card writer)")
    return "\n".join(lines) + "\n"
