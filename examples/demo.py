"""The main job (`make demo`): what vle can do today, on the LagLine chain.

Simulates examples/lagline.toml with the numba reference, writes the traces (netCDF) and a plot
of the input, membrane and prospective potentials, and prints where they are; then simulates
the LagLine circuit in ngspice and prints the numba-versus-SPICE comparison.

    python examples/demo.py --out demo-output
"""

from __future__ import annotations

import argparse
from pathlib import Path

import vle
from vle.plots import plot_traces

HERE = Path(__file__).resolve().parent


def forward(out: Path) -> None:
    """Forward dynamics of LagLine: the prospective potentials lead the membranes."""
    model = vle.load_model(HERE / "lagline.toml")
    result = vle.simulate_model(model)
    nc = result.save(out / "lagline.nc")
    png = plot_traces(result, [["x.r"], ["h1.u", "h1.ub"], ["out.u", "out.ub", "out.r"]],
                      out / "lagline.png", title="LagLine forward dynamics (numba, exact)")
    print(f"[forward] LagLine: {result.metadata['n_steps']} steps in "
          f"{result.metadata['wall_time_s']:.2f} s (numba {result.metadata['scheme']} scheme)")
    print(f"[forward] traces: {nc}")
    print(f"[forward] plot:   {png}")


def spice(out: Path) -> None:
    """LagLine compiled to the ideal technology, simulated by ngspice, against numba."""
    from vle.sim.spice.batch import find_ngspice

    if find_ngspice() is None:
        print("[spice] skipped: ngspice is not installed (sudo apt-get install ngspice)")
        return
    from spice_lagline import compare_lagline

    compare_lagline(dt=1e-3, technology="ideal", out=out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("demo-output"),
                        help="folder for the demo's files (default: demo-output)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"vle {vle.__version__}: demo, writing to {args.out}/")
    forward(args.out)
    spice(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
