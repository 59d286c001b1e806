"""Numba reference against ngspice on LagLine: examples/lagline.toml compiled to a circuit,
simulated by ngspice, read back in model units and compared trace by trace.

Prints the comparison table (normalised RMS error, largest error, delay per trace) and one
summary line; writes an overlay plot with --out. Exits with status 1 when a trace is above
the technology's tolerance (vle.sim.trace_comparison.TECHNOLOGY_TOLERANCE).

    python examples/spice_lagline.py [--dt 1e-3] [--technology ideal|discrete|onchip]
                                     [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import vle
from vle.sim.backend_comparison import compare_backends
from vle.sim.trace_comparison import Comparison

HERE = Path(__file__).resolve().parent


def compare_lagline(dt: float = 1e-3, technology: str = "ideal",
                    out: Path | None = None) -> Comparison:
    """Simulate LagLine with numba (exact scheme, step ``dt``) and with ngspice on its circuit
    in ``technology``; print and return the comparison (an overlay PNG into ``out``)."""
    model = vle.load_model(HERE / "lagline.toml").with_simulation(dt=dt)
    both = compare_backends(model, ("numba", "spice"),
                            options={"spice": {"technology": technology}})
    (comparison,) = both.comparisons
    numba, spice = both.results["numba"], both.results["spice"]
    print(comparison.table())
    worst = comparison.worst()
    assert worst is not None
    print(f"[spice] LagLine, {technology} technology, dt = {dt:g}: largest NRMSE "
          f"{worst.nrmse:.1e} ({worst.trace}; tolerance {worst.tolerance:g}) "
          f"[{'ok' if comparison.passed else 'ABOVE TOLERANCE'}]; numba "
          f"{numba.metadata['wall_time_s']:.2f} s, ngspice "
          f"{sum(spice.metadata['spice_wall_time_s']):.2f} s for "
          f"{sum(spice.metadata['spice_points'])} time points")
    if out is not None:
        from vle.plots import plot_overlay

        png = plot_overlay(both.results, ["h1.ub", "h1.r", "out.ub", "out.r"],
                           out / f"lagline_spice_{technology}.png",
                           title=f"LagLine: numba (solid) and ngspice, {technology}")
        print(f"[spice] plot:   {png}")
    return comparison


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dt", type=float, default=1e-3)
    parser.add_argument("--technology", default="ideal")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    return 0 if compare_lagline(args.dt, args.technology, args.out).passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
