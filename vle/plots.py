"""Plots of results (matplotlib, written to files; no screen needed)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vle.sim.result import Result


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


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
        ax.legend(loc="upper right", fontsize=8, frameon=False)
        ax.grid(alpha=0.3)
    axes[-1, 0].set_xlabel("time (model units)")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
