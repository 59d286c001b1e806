"""Plots of results (matplotlib, written to files; no screen needed)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vle.sim.recording import MODEL_UNITS
from vle.sim.result import Result

UNIT_LABELS = {MODEL_UNITS: "model units"}
"""How a CF ``units`` string reads on an axis."""
TIME_LABEL = "time (model time units)"


def axis_label(names: Sequence[str]) -> str:
    """The y-axis label of a panel of traces: their quantities and units, e.g.
    ``'u, ub (model units)'``."""
    quantities = dict.fromkeys(n.rpartition(".")[2] for n in names)
    return f"{', '.join(quantities)} ({UNIT_LABELS[MODEL_UNITS]})"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(plt: Any, fig: Any, axes: Any, title: str, path: str | Path) -> Path:
    """Label the shared time axis, add the title, write ``path`` (PNG, 120 dpi), close."""
    axes[-1, 0].set_xlabel(TIME_LABEL)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot_traces(
    result: Result,
    panels: Sequence[Sequence[str]],
    path: str | Path,
    *,
    title: str = "",
) -> Path:
    """One panel per group of trace names, every unit of each trace, shared time axis.

    ``panels`` is a list of lists of trace names, e.g. ``[["x.r"], ["h1.u", "h1.ub"]]``.
    Batched traces show batch element 0; weights show every synapse. Returns the written path
    (PNG, 120 dpi).
    """
    plt = _pyplot()
    fig, axes = plt.subplots(len(panels), 1, sharex=True, figsize=(8, 1.9 * len(panels) + 0.6),
                             squeeze=False)
    for ax, names in zip(axes[:, 0], panels, strict=True):
        for name in names:
            arr = np.asarray(result[name])
            if name.endswith(".W"):
                arr = arr.reshape(arr.shape[0], -1)
            elif arr.ndim == 3:
                arr = arr[:, 0, :]
            elif arr.ndim == 1:
                arr = arr[:, None]
            for i in range(arr.shape[1]):
                label = name if arr.shape[1] == 1 else f"{name}[{i}]"
                ax.plot(result.time, arr[:, i], label=label, lw=1.2)
        ax.set_ylabel(axis_label(names), fontsize=8)
        ax.legend(loc="upper right", fontsize=8, frameon=False)
        ax.grid(alpha=0.3)
    return _save(plt, fig, axes, title, path)


_STYLES = ("-", "--", ":", "-.")


def plot_overlay(
    results: Mapping[str, Result],
    traces: Sequence[str],
    path: str | Path,
    *,
    title: str = "",
    max_units: int = 8,
) -> Path:
    """One panel per trace with every result drawn over the others: one colour per unit (the
    first ``max_units``), one line style per result (the first, solid, is the reference).
    Results are named by the keys of ``results``, and the legend lists every line (result and
    unit); batched traces show batch element 0. Returns the written path (PNG, 120 dpi)."""
    plt = _pyplot()
    fig, axes = plt.subplots(len(traces), 1, sharex=True, figsize=(8, 1.9 * len(traces) + 0.8),
                             squeeze=False)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, name in zip(axes[:, 0], traces, strict=True):
        for k, (label, result) in enumerate(results.items()):
            if name not in result.traces:
                continue
            arr = np.asarray(result[name])
            arr = arr[:, 0] if result.batched and arr.ndim == 3 and ".W" not in name else arr
            arr = arr.reshape(len(result.time), -1)[:, :max_units]
            for i in range(arr.shape[1]):
                ax.plot(result.time, arr[:, i], _STYLES[k % len(_STYLES)],
                        color=colours[i % len(colours)], lw=1.6 if k == 0 else 1.0,
                        label=f"{label} {name}[{i}]" if arr.shape[1] > 1 else label)
        ax.set_ylabel(f"{name}\n({UNIT_LABELS[MODEL_UNITS]})", fontsize=8)
        ax.legend(loc="upper right", fontsize=7, frameon=False)
        ax.grid(alpha=0.3)
    return _save(plt, fig, axes, title, path)
