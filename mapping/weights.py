"""Pass 4, weight mapping: conductances for every fixed weight-like quantity.

A summing stage with feedback resistance ``R_f`` turns a conductance ``G`` into the weight
``W = R_f G``. Fixed blocks: each non-plastic projection, the biases (conductances from the
1-unit rail), the nudging ``gamma e`` and, at outputs, the target error ``beta (y - r)``.
How a weight becomes a conductance is the technology's choice, one registered rule each:

``behavioural``  ``G = W / R_f``, signed, exact to 12 significant digits.
``series``       a resistor ``R_f / |W|`` from the resistor series (sign by the differential
                 pair), inside the resistor range.
``bits``         ``|W|`` quantised to ``2**bits - 1`` levels of ``weight_max / (2**bits - 1)``
                 (a conductance DAC); ``|W| > weight_max`` is an error, and so is a non-zero
                 ``|W|`` below half a level (it would round to no conductance at all).

A weight below the technology's smallest conductance is an error, unless the caller asked
for ``prune_below`` (then weights with ``|W| < prune_below`` are left out, and counted in a
note). Plastic projections (with an active learning rule) get no conductances: their initial
weights become capacitor voltages, exactly (rows ``W0``), and the learning rate becomes the
multiplier gain (row ``lr``). So do the student's biases when the rule learns them
(``learn_bias``; rows ``b0``, and ``lr`` per population): ``db/dt = lr e``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

import numpy as np

from vle.circuits.engineering import format_value as fv
from vle.circuits.eseries import nearest_in
from vle.circuits.technology import Technology
from vle.mapping.errors import MappingError
from vle.mapping.plan import Conductances, Part, Plan
from vle.mapping.report import Row
from vle.mapping.value_selection import clean

Rule = Callable[[float, Technology, str], float]


def _behavioural(w: float, tech: Technology, where: str) -> float:
    return clean(w / tech.feedback_resistance) * tech.feedback_resistance


def _series(w: float, tech: Technology, where: str) -> float:
    assert tech.resistor is not None and tech.resistor_series is not None
    R, rf = tech.resistor, tech.feedback_resistance
    want = rf / abs(w)
    if want > R.high * (1 + tech.tolerance) or want < R.low * (1 - tech.tolerance):
        big = want < R.low
        raise MappingError(where, "W", f"= {w:g} needs a {fv(want)} ohm resistor, "
                           f"{'below' if big else 'above'} the range of technology "
                           f"{tech.name!r}", f"{rf / R.high:g} <= |W| <= {rf / R.low:g} "
                           f"(R_f = {fv(rf)} ohm, resistors in {R})",
                           None if big else "pass prune_below (--prune-below) to leave tiny "
                           "weights out")
    r = nearest_in(tech.resistor_series, want, R.low, R.high)
    assert r is not None
    return float(np.sign(w)) * rf / r


def _bits(w: float, tech: Technology, where: str) -> float:
    assert tech.weight_bits is not None and tech.weight_max is not None
    if abs(w) > tech.weight_max:
        raise MappingError(where, "W", f"= {w:g} is above the largest conductance of "
                           f"technology {tech.name!r}", f"|W| <= {tech.weight_max:g}")
    lsb = tech.weight_max / (2 ** tech.weight_bits - 1)
    level = round(abs(w) / lsb)
    if level == 0:
        raise MappingError(where, "W", f"= {w:g} rounds to no conductance on technology "
                           f"{tech.name!r} ({tech.weight_bits}-bit levels of {lsb:.4g})",
                           f"|W| >= {lsb / 2:.4g}",
                           "pass prune_below (--prune-below) to leave tiny weights out")
    return float(np.sign(w)) * level * lsb


def weight_rule(tech: Technology) -> Rule:
    """The weight-to-conductance rule of a technology."""
    if tech.behavioural:
        return _behavioural
    if tech.weight_bits is not None:
        return _bits
    return _series


def realise(w: np.ndarray, tech: Technology, where: Callable[[int, int], str],
            prune_below: float | None = None) -> Conductances:
    """Conductances for the weight block ``w`` (``(outputs, inputs)``)."""
    w = np.atleast_2d(np.asarray(w, dtype=np.float64))
    real = np.zeros_like(w)
    rule = weight_rule(tech)
    for (i, j), x in np.ndenumerate(w):
        if x == 0.0 or (prune_below is not None and abs(x) < prune_below):
            continue
        real[i, j] = rule(float(x), tech, where(i, j))
    return Conductances(w, real, real / tech.feedback_resistance)


def _rows(item: Callable[[int, int], str], quantity: str, block: Conductances,
          tech: Technology) -> list[Row]:
    rows = []
    for (i, j), want in np.ndenumerate(block.requested):
        g = float(block.conductance[i, j])
        if g == 0:
            how = "none"
        elif tech.behavioural:
            how = f"G={fv(g)}"
        else:
            how = f"R={fv(float(f'{1 / abs(g):.12g}'))}" + (" (-)" if g < 0 else "")
        rows.append(Row(item(i, j), quantity, float(want), float(block.realised[i, j]), "",
                        how))
    return rows


def _synapse(key: str, i: int, j: int) -> str:
    return f"projection {key} synapse [{i},{j}]"


def _synapse_item(key: str, i: int, j: int) -> str:
    return f"{key}[{i},{j}]"


def _unit(part: Part, pop: str, what: str, i: int, j: int) -> str:
    return f"{part.where(pop, i)}: {what}"


def _unit_item(part: Part, pop: str, i: int, j: int) -> str:
    return part.item(pop, i)


def _projections(plan: Plan, part: Part, out: dict[str, Conductances]) -> tuple[list[Row], int]:
    rows: list[Row] = []
    pruned = 0
    prune = plan.prune_below if part is plan.student else None
    for pr in part.network.projections:
        key = part.label + pr.name
        if part.learning and pr.plastic:
            rows += [Row(f"{key}[{i},{j}]", "W0", float(w), float(w), "", "capacitor .ic")
                     for (i, j), w in np.ndenumerate(pr.weights)]
            continue
        block = realise(pr.weights, part.technology, partial(_synapse, key), prune)
        if prune:
            pruned += int(np.count_nonzero(pr.weights) - np.count_nonzero(block.realised))
        out[key] = block
        rows += _rows(partial(_synapse_item, key), "W", block, part.technology)
    return rows, pruned


def _columns(plan: Plan, part: Part, out: dict[str, Conductances]) -> list[Row]:
    rows: list[Row] = []
    tech, learning = part.technology, plan.learning
    for pop in part.network.neurons:
        items = partial(_unit_item, part, pop.name)
        wanted: list[tuple[str, str, np.ndarray]] = []
        if part is plan.student and plan.plastic_biases:
            rows += [Row(part.item(pop.name, i), "b0", float(b), float(b), "", "capacitor .ic")
                     for i, b in enumerate(pop.bias_array)]
        elif np.any(pop.bias_array != 0):
            wanted.append((f"{part.label}bias:{pop.name}", "bias", pop.bias_array))
        if part.learning and learning is not None:
            if learning.gamma != 0:
                wanted.append((f"gamma:{pop.name}", "gamma", np.full(pop.size, learning.gamma)))
            if pop.kind == "output" and learning.loss == "mse":
                wanted.append((f"beta:{pop.name}", "beta", np.full(pop.size, learning.beta)))
        for key, what, column in wanted:
            block = realise(column[:, None], tech, partial(_unit, part, pop.name, what))
            out[key] = block
            rows += [r for r in _rows(items, what, block, tech) if r.requested != 0]
    return rows


def map_weights(plan: Plan) -> tuple[Plan, list[Row], list[str]]:
    """Conductances of every fixed block; rows for each weight, bias, gamma, beta, W0, b0,
    lr."""
    out: dict[str, Conductances] = {}
    rows: list[Row] = []
    notes: list[str] = []
    pruned = 0
    for part in plan.parts:
        new_rows, n = _projections(plan, part, out)
        rows += new_rows + _columns(plan, part, out)
        pruned += n
    if plan.learning is not None and plan.student.learning:
        lr = plan.learning.optimizer.lr
        tech = plan.technology
        k_w = plasticity_gain(plan)
        real = k_w * plan.v_unit * plan.time_scale / tech.weight_capacitance
        detail = f"k_w={k_w:.6g} A/V^2, C_w={fv(tech.weight_capacitance)}"
        for pr in plan.student.network.projections:
            if pr.plastic:
                rows.append(Row(pr.name, "lr", lr, real, "1/unit", detail))
        if plan.plastic_biases:
            rows += [Row(f"{pop.name} bias", "lr", lr, real, "1/unit", detail)
                     for pop in plan.student.network.neurons]
        if tech.weight_leak_tau is not None:
            notes.append(f"plasticity: weight capacitors leak with time constant "
                         f"{tech.weight_leak_tau:g} s, a weight decay of "
                         f"{plan.time_scale / tech.weight_leak_tau:.3g} per model time unit")
    if pruned:
        notes.append(f"prune_below = {plan.prune_below:g}: {pruned} weight(s) left out")
    return replace(plan, conductances=out), rows, notes


def plasticity_gain(plan: Plan) -> float:
    """The multiplier gain ``k_w`` (A/V^2) of a plasticity element that realises
    ``dW/dt = lr e r`` (:func:`vle.circuits.cells.plasticity_element`):
    ``k_w = lr C_w / (v_unit s_t)``."""
    assert plan.learning is not None
    tech = plan.technology
    return clean(plan.learning.optimizer.lr * tech.weight_capacitance
                 / (plan.v_unit * plan.time_scale))
