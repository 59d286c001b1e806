"""Exact engineering notation for SPICE values: ``1e-6`` is written ``1u``, never
``9.999999e-07``.

A float is written with the shortest decimal digits that read back as the same float (Python's
``repr``), moved to the nearest engineering exponent and given the SPICE scale suffix, so
``parse_value(format_value(x)) == x`` for every finite ``x``. Values outside the suffix range
(below 1f or from 1000T up) keep an exponent: ``1e-18``.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal

from vle.circuits.errors import CircuitError

_SUFFIX = {12: "T", 9: "G", 6: "Meg", 3: "k", 0: "", -3: "m", -6: "u", -9: "n", -12: "p",
           -15: "f"}
"""SPICE scale suffixes by power of ten. ``M`` is milli in SPICE, so mega is ``Meg``."""
_SCALE = {"t": 12, "g": 9, "meg": 6, "k": 3, "mil": None, "m": -3, "u": -6, "n": -9, "p": -12,
          "f": -15}
_NUMBER = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)([A-Za-z]*)\s*\Z")


def format_value(value: float) -> str:
    """``value`` in exact engineering notation: ``1u``, ``4.7k``, ``1.5Meg``, ``-2m``, ``0``."""
    x = float(value)
    if not math.isfinite(x):
        raise CircuitError("value", f"got {value!r}", "a finite number")
    if x == 0.0:
        return "0"
    d = Decimal(repr(x))
    exp3 = (d.adjusted() // 3) * 3
    if exp3 not in _SUFFIX:
        mantissa = d.scaleb(-d.adjusted())
        return f"{_plain(mantissa)}e{d.adjusted()}"
    return _plain(d.scaleb(-exp3)) + _SUFFIX[exp3]


def significant(value: float, digits: int = 12) -> float:
    """``value`` rounded to ``digits`` significant digits. Computed values such as
    ``40 * 1e-6`` (``3.9999999999999996e-05``) are rounded so netlists read ``40u``; at 12
    digits the change (below 5e-13 relative) is far below any simulator tolerance."""
    return float(f"{float(value):.{digits}g}")


def format_short(value: float, digits: int = 6) -> str:
    """``value`` rounded to ``digits`` significant digits, in engineering notation: for
    comments and reports, where exactness is not the point (``99.99999999999999u`` reads
    ``100u``)."""
    return format_value(float(f"{float(value):.{digits}g}"))


def format_constant(value: float) -> str:
    """``value`` as the shortest decimal that reads back exactly (``0.5``, ``1e-06``), for
    constants inside behavioural expressions, where formulas read better without suffixes."""
    x = float(value)
    if not math.isfinite(x):
        raise CircuitError("constant", f"got {value!r}", "a finite number")
    text = repr(x)
    return text[:-2] if text.endswith(".0") else text


def _plain(d: Decimal) -> str:
    text = format(d.normalize(), "f")
    return text[:-2] if text.endswith(".0") else text


def parse_value(text: str) -> float:
    """Read a SPICE number: ``1u``, ``4.7k``, ``1.5Meg``, ``2mil``, ``1e-6``, ``10V`` (letters
    after the scale suffix are ignored, as SPICE does; ``M`` is milli, ``F`` is femto)."""
    m = _NUMBER.match(text)
    if not m:
        raise CircuitError("value", f"cannot read {text!r} as a number",
                           "a SPICE number such as 1u, 4.7k or 1e-6")
    number, letters = Decimal(m.group(1)), m.group(2).lower()
    for suffix in ("meg", "mil", "t", "g", "k", "m", "u", "n", "p", "f"):
        if letters.startswith(suffix):
            power = _SCALE[suffix]
            if power is None:
                return float(number * Decimal("25.4e-6"))
            return float(number.scaleb(power))
    return float(number)
