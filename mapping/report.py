"""The mapping report: every requested quantity against the one the circuit realises."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One realised quantity.

    ``item`` names where (``h1[0]``: population h1 unit 0; ``h1->out[0,1]``: a synapse;
    ``teacher.h1[0]``: a teacher unit), ``quantity`` what (``tau_m``, ``tau_r``, ``gain k``,
    ``gain q``, ``W``, ``W0``, ``bias``, ``b0`` (a plastic bias's initial value), ``gamma``,
    ``beta``, ``lr``, ``decay``), in ``unit`` (``s`` for time constants after time scaling;
    empty for dimensionless model values).
    ``detail`` shows the components that realise it.
    """

    item: str
    quantity: str
    requested: float
    realised: float
    unit: str = ""
    detail: str = ""

    @property
    def rel_error(self) -> float:
        """``|realised - requested| / |requested|`` (0 when both are 0, inf when only the
        request is 0)."""
        if self.requested == 0:
            return 0.0 if self.realised == 0 else math.inf
        return abs(self.realised - self.requested) / abs(self.requested)


@dataclass(frozen=True)
class MappingReport:
    """What one compilation did: the technology and scales, the passes in order, one
    :class:`Row` per realised quantity and notes (approximations, things with no physical
    realisation, counts)."""

    technology: str
    time_scale: float
    v_unit: float
    passes: tuple[str, ...]
    rows: tuple[Row, ...]
    notes: tuple[str, ...]

    def select(self, quantity: str) -> tuple[Row, ...]:
        """The rows of one quantity."""
        return tuple(r for r in self.rows if r.quantity == quantity)

    def max_rel_error(self, quantity: str | None = None) -> float:
        """The largest relative error (of one quantity, or of all), 0 with no rows."""
        rows = self.rows if quantity is None else self.select(quantity)
        return max((r.rel_error for r in rows), default=0.0)

    def table(self) -> str:
        """The report as aligned text: a header, a per-quantity summary, every row, notes."""
        lines = [f"technology {self.technology}: {self.time_scale:g} s per model time unit, "
                 f"{self.v_unit:g} V per model unit",
                 "passes: " + " -> ".join(self.passes)]
        quantities = list(dict.fromkeys(r.quantity for r in self.rows))
        if quantities:
            lines.append("largest relative error: " + ", ".join(
                f"{q} {self.max_rel_error(q):.2e}" for q in quantities))
        head = ("item", "quantity", "requested", "realised", "rel. error", "unit", "realised by")
        body = [(r.item, r.quantity, f"{r.requested:.6g}", f"{r.realised:.6g}",
                 f"{r.rel_error:.2e}", r.unit, r.detail) for r in self.rows]
        widths = [max(len(str(x[k])) for x in [head, *body]) for k in range(len(head))]
        lines.append("")
        for row in [head, *body]:
            lines.append("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True))
                         .rstrip())
        if self.notes:
            lines.append("")
            lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)
