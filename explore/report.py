"""What ``vle pareto`` shows: the front as a table, a PNG of it, and an HTML page to explore.

- :func:`front_table`: the non-dominated points, one row each: point, swept parameters,
  objectives and the other metrics, in engineering notation;
- :func:`write_pareto_png`: every pair of objectives as a scatter (all feasible points grey,
  the front in colour and joined, failed and infeasible points counted in the title);
- :func:`write_pareto_html`: one self-contained page (no server, no network: the data and a
  small script are inline) with a scatter whose axes can be any metric or parameter, linear or
  log, a tooltip per point with all its values, and the front's table, sortable by any column.

The page is written by hand rather than with plotly or bokeh: it needs a scatter, two menus and
a tooltip, which is 100 lines of plain JavaScript, against a multi-megabyte library that the
results folder would have to carry inline to open offline.
"""

from __future__ import annotations

import html
import json
import math
import string
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from vle.explore.pareto import Front
from vle.explore.spec import METRICS

_OWN = ("status", "message", "attempts", "elapsed", "params")


def _fmt(x: Any) -> str:
    if isinstance(x, str):
        return x
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not math.isfinite(v):
        return "nan"
    if v == int(v) and abs(v) < 1e6:
        return str(int(v))
    return f"{v:.4g}"


def parameter_names(ds: xr.Dataset) -> list[str]:
    """The swept parameters (coordinates along ``point`` other than key and seed)."""
    return [str(c) for c in ds.coords if c not in ("point", "key", "seed")]


def metric_names(ds: xr.Dataset) -> list[str]:
    """The metrics the sweep recorded, in :data:`METRICS` order."""
    return [m for m in METRICS if m in ds.data_vars]


def front_table(ds: xr.Dataset, front: Front) -> list[list[str]]:
    """Header and one row per front point (strings)."""
    params = parameter_names(ds)
    objs = [n for n, _ in front.objectives]
    # metrics that do not vary along the front (part counts, speed) would only widen it
    others = [m for m in metric_names(ds) if m not in objs and np.unique(
        np.asarray(ds[m].values)[front.front]).size > 1]
    head = ["point", *params, *(f"{n} ({d})" for n, d in front.objectives), *others]
    rows = [head]
    for i in front.front:
        rows.append([str(int(ds["point"].values[i])),
                     *(_fmt(ds[p].values[i]) for p in params),
                     *(_fmt(ds[m].values[i]) for m in objs + others)])
    return rows


def describe_front(ds: xr.Dataset, front: Front) -> str:
    """The front in words and as a table: what ``vle sweep`` and ``vle pareto`` print."""
    head = (f"Pareto front: {front.front.size} of {front.feasible.size} feasible points "
            f"({front.failed} failed, {front.infeasible} infeasible) of {ds.sizes['point']}")
    return head + ("\n" + format_table(front_table(ds, front)) if front.front.size else "")


def format_table(rows: list[list[str]]) -> str:
    """Rows as aligned text columns."""
    widths = [max(len(r[j]) for r in rows) for j in range(len(rows[0]))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True))
                     for r in rows)


LOG_RATIO = 10.0
"""An axis whose positive values span more than this factor is drawn on a log scale."""

DISPLAY = {"area": (1e6, "mm$^2$"), "power": (1e3, "mW"),
           "energy_per_time_unit": (1e9, "nJ")}
"""Plot units of metrics whose SI values would read as 2e-08: (factor, unit)."""


def _label(name: str) -> str:
    if name in DISPLAY:
        return f"{name} [{DISPLAY[name][1]}]"
    if name in METRICS:
        units = METRICS[name][1]
        return name if units == "1" else f"{name} [{units}]"
    return name


def write_pareto_png(ds: xr.Dataset, front: Front, path: str | Path) -> Path:
    """A grid of scatters, one per pair of objectives (one objective: against point)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [n for n, _ in front.objectives]
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1:]] or [(names[0], "")]
    fig, axes = plt.subplots(1, len(pairs), figsize=(4.6 * len(pairs), 4.0), squeeze=False)
    for ax, (a, b) in zip(axes[0], pairs, strict=True):
        ya = np.asarray(ds[a].values, dtype=np.float64) * DISPLAY.get(a, (1.0,))[0]
        xb = np.asarray(ds[b].values, dtype=np.float64) * DISPLAY.get(b, (1.0,))[0] if b \
            else np.asarray(ds["point"].values, dtype=np.float64)
        ax.scatter(xb[front.feasible], ya[front.feasible], s=14, c="0.7",
                   label=f"feasible ({front.feasible.size})")
        order = front.front[np.argsort(xb[front.front])]
        ax.plot(xb[order], ya[order], "o", color="C3", ms=5,
                label=f"Pareto front ({front.front.size})")
        ax.set_xlabel(_label(b) if b else "point")
        ax.set_ylabel(_label(a))
        for axis, v in ((ax.set_xscale, xb), (ax.set_yscale, ya)):
            fin = v[front.feasible][np.isfinite(v[front.feasible])]
            if fin.size and fin.min() > 0 and fin.max() / fin.min() > LOG_RATIO:
                axis("log")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    model = Path(str(ds.attrs.get("model", "model"))).stem
    fig.suptitle(f"{model} on {ds.attrs.get('technology', '')} ({ds.attrs.get('backend', '')}, "
                 f"{ds.attrs.get('samples', 0)} draws per point): {ds.sizes['point']} points, "
                 f"{front.failed} failed, {front.infeasible} infeasible "
                 f"(front of {', '.join(f'{n} {d}' for n, d in front.objectives)})",
                 fontsize=10)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _records(ds: xr.Dataset, front: Front) -> list[dict[str, Any]]:
    on_front = set(front.front.tolist())
    feasible = set(front.feasible.tolist())
    cols = parameter_names(ds) + metric_names(ds)
    out = []
    for i in range(ds.sizes["point"]):
        rec: dict[str, Any] = {"point": int(ds["point"].values[i]),
                               "status": str(ds["status"].values[i]),
                               "message": str(ds["message"].values[i]),
                               "front": i in on_front, "feasible": i in feasible}
        for c in cols:
            v = ds[c].values[i]
            if isinstance(v, str):
                rec[c] = v
            else:
                fv = float(v)
                rec[c] = fv if math.isfinite(fv) else None
        out.append(rec)
    return out


PAGE = "pareto.html"
"""The page's template (next to this module): ``string.Template`` fields ``$title``,
``$summary``, ``$nfront``, ``$nfailed``, ``$command`` and ``$data`` (the points as JSON)."""




def write_pareto_html(ds: xr.Dataset, front: Front, path: str | Path, *,
                      command: str = "") -> Path:
    """The self-contained page (see the module docstring)."""
    cols = parameter_names(ds) + metric_names(ds)
    objs = [n for n, _ in front.objectives]
    initial: dict[str, Any] = {"x": objs[1] if len(objs) > 1 else objs[0], "y": objs[0]}
    for key in ("x", "y"):
        v = np.asarray(ds[initial[key]].values, dtype=np.float64)[front.feasible]
        v = v[np.isfinite(v)]
        initial[f"{key}log"] = bool(v.size and v.min() > 0 and v.max() / v.min() > LOG_RATIO)
    data = {"columns": cols, "points": _records(ds, front), "initial": initial}
    title = f"Sweep of {Path(str(ds.attrs.get('model', 'model'))).name} on " \
            f"{ds.attrs.get('technology', '')}"
    summary = (f"{ds.sizes['point']} points ({front.failed} failed, {front.infeasible} "
               f"infeasible); objectives: "
               f"{', '.join(f'{n} ({d})' for n, d in front.objectives)}"
               + (f"; constraints: {', '.join(f'{n} {o} {v:g}' for n, o, v in front.constraints)}"
                  if front.constraints else ""))
    template = string.Template(resources.files("vle.explore").joinpath(PAGE).read_text("utf-8"))
    text = template.substitute(title=html.escape(title), summary=html.escape(summary),
                        nfront=front.front.size, nfailed=front.failed,
                        command=html.escape(command),
                        data=json.dumps(data, allow_nan=False).replace("</", "<\\/"))
    path = Path(path)
    tmp = path.with_name(f".tmp-{path.name}")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
