"""Pass 3, value selection: components for every prospective section.

A section ``(1 + s a)/(1 + s b)`` is a passive lag network (``R2 C = a``,
``(R1 + R2) C = b``) when ``a <= b`` and a lead section (``R C = b``, gain ``a / b``)
otherwise. How values are chosen is the technology's ``selection``, one registered strategy
each:

``exact``
    ``R1 + R2`` (or ``R``) is the unit resistance and ``C = b / R``, rounded to 12
    significant digits so netlists read ``100`` rather than ``99.99999999999999`` (a relative
    change below 5e-13, far under any simulator tolerance).
``series``
    Every capacitor of the series in range is tried with the nearest series resistors; among
    the choices within a quarter of the technology's tolerance the one nearest the unit
    resistance wins (moderate loads), otherwise the most accurate. Gains ``1 + Rb/Ra`` come
    from the series pair nearest the unit resistance among those within a tenth of the
    tolerance.
``unit-capacitor``
    ``C`` is a whole number of unit capacitors, chosen so the resistors come near the unit
    resistance and within range; resistors are trimmed continuously (exact).

A request outside the technology's reach raises :class:`MappingError` naming the population,
unit, quantity and limit. Never a silent clamp.

Op-amp bandwidth: on technologies with op-amps the difference stage of a lead section has
noise gain ``g = a / b`` and so a closed-loop pole at ``w_cl = 2 pi GBW / g``; the section
becomes ``(1 + s a)/((1 + s b)(1 + s / w_cl))``. A lead section is accepted only when
``w_cl b >= BANDWIDTH_MARGIN``; the report notes the tightest stage.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from vle.circuits.engineering import format_value as fv
from vle.circuits.engineering import significant
from vle.circuits.eseries import nearest_in, series_values
from vle.circuits.technology import Technology
from vle.mapping.errors import MappingError
from vle.mapping.plan import Plan, SectionRequest, SectionValues
from vle.mapping.report import Row

Strategy = tuple[Callable[[SectionRequest, Technology], SectionValues],
                 Callable[[SectionRequest, Technology], SectionValues]]


BANDWIDTH_MARGIN = 10.0
"""Smallest accepted ``w_cl b``: the stage's closed-loop pole a decade above the section's
corner ``1 / b``, the usual analog-design rule. At the corner the extra pole then costs at
most 0.5 % of gain and 0.1 rad of phase, and it leaves the section's own pole and zero where
they are; below it the op-amp, not the RC, sets the neuron's time constant (at ``g = 1000``
on ``discrete`` the dominant pole is the op-amp's, a third of the requested ``1 / b``)."""


def clean(x: float) -> float:
    """``x`` rounded to 12 significant digits (:func:`vle.circuits.engineering.significant`)."""
    return significant(x)


def _rel(x: float, want: float) -> float:
    return abs(x / want - 1.0)


def _exact_lag(req: SectionRequest, tech: Technology) -> SectionValues:
    ru = tech.unit_resistance
    c = clean(req.b / ru)
    r2 = clean(ru * req.a / req.b) if req.a < req.b else ru
    r1 = clean(ru - r2) if req.a < req.b else 0.0
    return SectionValues("lag", c, a=r2 * c, b=(r1 + r2) * c, r1=r1, r2=r2)


def _exact_lead(req: SectionRequest, tech: Technology) -> SectionValues:
    ru = tech.unit_resistance
    c = clean(req.b / ru)
    gain = clean(req.a / req.b)
    return SectionValues("lead", c, a=gain * ru * c, b=ru * c, r=ru, gain=gain)


def _score(err: float, r: float, tech: Technology) -> tuple[bool, float]:
    if err <= tech.tolerance / 4:
        return (False, abs(math.log(r / tech.unit_resistance)))
    return (True, err)


def _series_lag(req: SectionRequest, tech: Technology) -> SectionValues:
    assert tech.resistor and tech.capacitor and tech.resistor_series and tech.capacitor_series
    rs, R = tech.resistor_series, tech.resistor
    best: tuple[tuple[bool, float], SectionValues] | None = None
    for c in series_values(tech.capacitor_series, tech.capacitor.low, tech.capacitor.high):
        r2 = nearest_in(rs, req.a / c, R.low, R.high)
        if r2 is None:
            continue
        r1s = [0.0]
        if req.b > req.a:
            r1 = nearest_in(rs, (req.b - req.a) / c, R.low, R.high)
            r1s += [r1] if r1 is not None else []
        for r1 in r1s:
            v = SectionValues("lag", c, a=r2 * c, b=(r1 + r2) * c, r1=r1, r2=r2)
            err = max(_rel(v.a, req.a), _rel(v.b, req.b))
            score = _score(err, r1 + r2, tech)
            if best is None or score < best[0]:
                best = (score, v)
    return _accept(req, tech, best[1] if best else None)


def _series_lead(req: SectionRequest, tech: Technology) -> SectionValues:
    assert tech.resistor and tech.capacitor and tech.resistor_series and tech.capacitor_series
    rs, R = tech.resistor_series, tech.resistor
    best: tuple[tuple[bool, float], float, float] | None = None
    for c in series_values(tech.capacitor_series, tech.capacitor.low, tech.capacitor.high):
        r = nearest_in(rs, req.b / c, R.low, R.high)
        if r is not None:
            score = _score(_rel(r * c, req.b), r, tech)
            if best is None or score < best[0]:
                best = (score, r, c)
    if best is None:
        return _accept(req, tech, None)
    _, r, c = best
    g = req.a / (r * c)
    pair: tuple[tuple[bool, float, float], float, float] | None = None
    for ra in series_values(rs, R.low, R.high):
        rb = nearest_in(rs, (g - 1) * ra, R.low, R.high)
        if rb is not None:
            # within a tenth of the tolerance any gain will do, else the most accurate; ties
            # (the same ratio a decade apart) go to the pair nearest the unit resistance
            err = round(_rel(1 + rb / ra, g), 12)
            coarse = err > tech.tolerance / 10
            key = (coarse, err if coarse else 0.0, abs(math.log(ra / tech.unit_resistance)))
            if pair is None or key < pair[0]:
                pair = (key, ra, rb)
    if pair is None:
        return _accept(req, tech, None)
    _, ra, rb = pair
    gain = 1 + rb / ra
    return _accept(req, tech, SectionValues("lead", c, a=gain * r * c, b=r * c, r=r, gain=gain,
                                            ra=ra, rb=rb))


def _unit_cap_lag(req: SectionRequest, tech: Technology) -> SectionValues:
    assert tech.resistor and tech.capacitor and tech.capacitor_unit
    cu = tech.capacitor_unit
    wire = req.b - req.a <= tech.tolerance * req.b
    for use_wire in ([False, True] if wire and req.b > req.a else [wire]):
        bounds = [req.a]
        if not use_wire:
            bounds.append(req.b - req.a)
        n = _units(req.b, bounds, tech)
        if n is not None:
            c = n * cu
            r2 = clean(req.a / c)
            r1 = 0.0 if use_wire else clean((req.b - req.a) / c)
            return SectionValues("lag", c, a=r2 * c, b=(r1 + r2) * c, r1=r1, r2=r2)
    return _accept(req, tech, None)


def _unit_cap_lead(req: SectionRequest, tech: Technology) -> SectionValues:
    assert tech.resistor and tech.capacitor and tech.capacitor_unit
    R = tech.resistor
    n = _units(req.b, [req.b], tech)
    if n is None:
        return _accept(req, tech, None)
    c = n * tech.capacitor_unit
    r = clean(req.b / c)
    x = req.a / req.b - 1
    ra = min(max(tech.unit_resistance, R.low / x), R.high / x, R.high)
    rb = clean(x * ra)
    if ra not in R or rb not in R:
        return _accept(req, tech, None)
    gain = 1 + rb / ra
    return SectionValues("lead", c, a=gain * r * c, b=r * c, r=r, gain=gain, ra=ra, rb=rb)


def _units(b: float, taus: list[float], tech: Technology) -> int | None:
    """The number of unit capacitors that puts every ``tau / C`` in the resistor range,
    nearest the unit resistance for ``b``; None when no number does."""
    assert tech.resistor and tech.capacitor and tech.capacitor_unit
    cu, R = tech.capacitor_unit, tech.resistor
    lo = max(1, math.ceil(tech.capacitor.low / cu - 1e-9))
    hi = math.floor(tech.capacitor.high / cu + 1e-9)
    for tau in taus:
        lo = max(lo, math.ceil(tau / (R.high * cu) - 1e-9))
        hi = min(hi, math.floor(tau / (R.low * cu) + 1e-9))
    if lo > hi:
        return None
    return min(max(round(b / (tech.unit_resistance * cu)), lo), hi)


STRATEGIES: dict[str, Strategy] = {
    "exact": (_exact_lag, _exact_lead),
    "series": (_series_lag, _series_lead),
    "unit-capacitor": (_unit_cap_lag, _unit_cap_lead),
}
"""Value-selection strategies by :attr:`Technology.selection`: (lag, lead)."""


def _accept(req: SectionRequest, tech: Technology, v: SectionValues | None) -> SectionValues:
    """``v`` if it realises the request within the tolerance, else the explaining error."""
    if v is not None and max(_rel(v.a, req.a), _rel(v.b, req.b)) <= tech.tolerance * (1 + 1e-9):
        return v
    where = req.part.where(req.pop, req.index)
    if req.role == "error":
        where += " (error neuron)"
    R, C = tech.resistor, tech.capacitor
    assert R is not None and C is not None
    shortest, longest = R.low * C.low, R.high * C.high
    (small, q_small), (large, q_large) = sorted(zip((req.a, req.b), req.names, strict=True))
    if small < shortest * (1 - tech.tolerance):
        raise MappingError(where, q_small, f"= {small:g} s is below what technology "
                           f"{tech.name!r} can realise", f"R C >= {fv(R.low)} ohm x "
                           f"{fv(C.low)}F = {fv(shortest)}s", "use a larger --time-scale")
    if large > 2 * longest * (1 + tech.tolerance):
        raise MappingError(where, q_large, f"= {large:g} s is above what technology "
                           f"{tech.name!r} can realise", f"(R1 + R2) C <= 2 x {fv(R.high)} "
                           f"ohm x {fv(C.high)}F = {fv(2 * longest)}s",
                           "use a smaller --time-scale")
    ratio = "gain" if req.a > req.b else f"{req.names[1]} / {req.names[0]}"
    raise MappingError(where, f"{req.names[0]}, {req.names[1]}", f"= {req.a:g} s, {req.b:g} s "
                       f"cannot be realised within {tech.tolerance:.1%} in technology "
                       f"{tech.name!r}", f"resistors in {R}, capacitors in {C}, so {ratio} = "
                       f"{large / small:g} is out of reach")


def bandwidth_ratio(v: SectionValues, tech: Technology) -> float | None:
    """``w_cl b`` of a lead section's difference stage (``w_cl = 2 pi GBW / g``, radians
    per second; ``b`` in seconds); None for lag sections and ideal amplifiers."""
    if v.kind != "lead" or tech.behavioural or tech.opamp is None:
        return None
    return 2 * math.pi * tech.opamp.gbw / v.gain * v.b


def _check_bandwidth(req: SectionRequest, tech: Technology, v: SectionValues,
                     time_scale: float) -> SectionValues:
    ratio = bandwidth_ratio(v, tech)
    if ratio is None or ratio >= BANDWIDTH_MARGIN:
        return v
    assert tech.opamp is not None
    where = req.part.where(req.pop, req.index) + (" (error neuron)" if req.role == "error"
                                                  else "")
    need = BANDWIDTH_MARGIN * v.gain / (2 * math.pi * tech.opamp.gbw)
    raise MappingError(where, f"{req.names[0]} / {req.names[1]}",
                       f"= {req.a / req.b:g} needs a difference stage of gain {v.gain:.4g} whose "
                       f"op-amp ({tech.opamp.gbw:g} Hz GBW) closes its loop at "
                       f"{tech.opamp.gbw / v.gain:.4g} Hz, only {ratio:.3g}x the section's "
                       f"corner 1 / (2 pi {req.names[1]}) = {1 / (2 * math.pi * v.b):.4g} Hz",
                       f"2 pi GBW {req.names[1]} / gain >= {BANDWIDTH_MARGIN:g}, so "
                       f"{req.names[1]} >= {need:.3g} s ({need / time_scale:.3g} model time "
                       f"units at {time_scale:g} s per unit)",
                       "use a larger --time-scale or a smaller ratio")


def select_section(req: SectionRequest) -> SectionValues:
    """The components of one section in its part's technology."""
    tech = req.part.technology
    lag, lead = STRATEGIES[tech.selection]
    if req.a <= req.b * (1 + tech.tolerance):
        return lag(req, tech)
    return lead(req, tech)


def select_values(plan: Plan) -> tuple[Plan, list[Row], list[str]]:
    """Components for every section, lead sections checked against the op-amp bandwidth
    (:data:`BANDWIDTH_MARGIN`); one report row per time constant and gain."""
    values = {}
    rows: list[Row] = []
    tightest: tuple[float, str] | None = None
    for req in plan.sections:
        v = _check_bandwidth(req, req.part.technology, select_section(req), plan.time_scale)
        values[req.key] = v
        ratio = bandwidth_ratio(v, req.part.technology)
        if ratio is not None and (tightest is None or ratio < tightest[0]):
            tightest = (ratio, req.part.item(req.pop, req.index)
                        + (" error" if req.role == "error" else ""))
        item = req.part.item(req.pop, req.index)
        label = "" if req.role == "neuron" else "error "
        got = {"a": (req.names[0], req.a, v.a), "b": (req.names[1], req.b, v.b)}
        for name, want, real in sorted(got.values()):
            rows.append(Row(item, label + name, want, real, "s", v.detail()))
        if v.kind == "lead":
            rows.append(Row(item, "gain k" if req.role == "neuron" else "gain q",
                            req.a / req.b, v.gain, "V/V", v.detail()))
    notes = [] if tightest is None else [
        f"op-amp bandwidth: tightest lead stage {tightest[1]}, closed-loop pole "
        f"{tightest[0]:.3g}x its corner (minimum {BANDWIDTH_MARGIN:g})"]
    return replace(plan, values=values), rows, notes
