"""IEC 60063 preferred-number series (E12, E96) and picking values from them."""

from __future__ import annotations

import math

E12: tuple[float, ...] = (1.0, 1.2, 1.5, 1.8, 2.2, 2.7, 3.3, 3.9, 4.7, 5.6, 6.8, 8.2)
E96: tuple[float, ...] = (
    1.00, 1.02, 1.05, 1.07, 1.10, 1.13, 1.15, 1.18, 1.21, 1.24, 1.27, 1.30, 1.33, 1.37, 1.40,
    1.43, 1.47, 1.50, 1.54, 1.58, 1.62, 1.65, 1.69, 1.74, 1.78, 1.82, 1.87, 1.91, 1.96, 2.00,
    2.05, 2.10, 2.15, 2.21, 2.26, 2.32, 2.37, 2.43, 2.49, 2.55, 2.61, 2.67, 2.74, 2.80, 2.87,
    2.94, 3.01, 3.09, 3.16, 3.24, 3.32, 3.40, 3.48, 3.57, 3.65, 3.74, 3.83, 3.92, 4.02, 4.12,
    4.22, 4.32, 4.42, 4.53, 4.64, 4.75, 4.87, 4.99, 5.11, 5.23, 5.36, 5.49, 5.62, 5.76, 5.90,
    6.04, 6.19, 6.34, 6.49, 6.65, 6.81, 6.98, 7.15, 7.32, 7.50, 7.68, 7.87, 8.06, 8.25, 8.45,
    8.66, 8.87, 9.09, 9.31, 9.53, 9.76,
)
SERIES: dict[str, tuple[float, ...]] = {"E12": E12, "E96": E96}


def series_values(series: str, low: float, high: float) -> tuple[float, ...]:
    """Every value of ``series`` in ``[low, high]``, ascending (decades multiplied out exactly:
    ``4.7 * 10**3`` is built from the decimal digits, so it is ``4700.0``)."""
    base = SERIES[series]
    out = []
    for decade in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for m in base:
            v = float(f"{m!r}e{decade}")
            if low * (1 - 1e-12) <= v <= high * (1 + 1e-12):
                out.append(v)
    return tuple(out)


def nearest(series: str, value: float, low: float, high: float) -> float | None:
    """The value of ``series`` within ``[low, high]`` closest to ``value`` in ratio, or None
    when the range holds no value."""
    candidates = series_values(series, low, high)
    if not candidates:
        return None
    return min(candidates, key=lambda v: abs(math.log(v / value)))


_CACHE: dict[tuple[str, float, float], tuple[float, ...]] = {}


def nearest_in(series: str, value: float, low: float, high: float) -> float | None:
    """As :func:`nearest`, with the series values of the range computed once and bisected."""
    import bisect

    key = (series, low, high)
    if key not in _CACHE:
        _CACHE[key] = series_values(series, low, high)
    values = _CACHE[key]
    if not values or not value > 0:
        return None
    k = bisect.bisect_left(values, value)
    near = values[max(k - 1, 0):k + 1]
    return min(near, key=lambda v: abs(math.log(v / value)))
