"""Design-space exploration: the Pareto front of LagLine's fidelity against area and power
on the CMOS technology, over section capacitance x op-amp gain-bandwidth x conductance bits
(examples/pareto_lagline.toml: 3 x 3 x 3 points, each the nominal circuit and 4 mismatch draws
in ngspice), then the front as a table, a PNG and an HTML page.

    python examples/dse_pareto.py --out pareto-out              # the full sweep (about 1 min)
    python examples/dse_pareto.py --out pareto-out --tiny       # 2 x 2 x 2, 1 draw, numba

The same with the command line::

    vle sweep examples/pareto_lagline.toml --out pareto-out/store
    vle pareto pareto-out/store --out pareto-out
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from vle.explore import Axis, load_sweep, pareto_front, run_sweep
from vle.explore.report import describe_front, write_pareto_html, write_pareto_png

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", type=Path, default=HERE / "pareto_lagline.toml",
                        help="the sweep file (default: examples/pareto_lagline.toml)")
    parser.add_argument("--out", type=Path, default=Path("pareto-out"),
                        help="folder for the store, the plot and the page")
    parser.add_argument("--workers", type=int, help="local Dask workers (default: one per core)")
    parser.add_argument("--scheduler", help="an existing Dask scheduler's address instead")
    parser.add_argument("--tiny", action="store_true",
                        help="the first two values of every axis, one draw, on the numba "
                             "surrogate (what the tests run)")
    args = parser.parse_args()
    spec = load_sweep(args.sweep)
    if args.tiny:
        spec = dataclasses.replace(
            spec, backend="numba", samples=1,
            axes=tuple(Axis(a.path, values=tuple(a.grid()[:2])) for a in spec.axes))
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    summary, ds = run_sweep(spec, args.out / "store", workers=args.workers,
                            scheduler=args.scheduler, new=True)
    front = pareto_front(ds, spec.objectives, spec.constraints)
    print(f"{summary.ok} points ({summary.failed} failed) on {summary.workers} workers in "
          f"{time.perf_counter() - t0:.1f} s, {spec.backend} backend, {spec.samples} draws "
          f"per point")
    print(describe_front(ds, front))
    print(f"plot: {write_pareto_png(ds, front, args.out / 'pareto.png')}")
    print(f"page: {write_pareto_html(ds, front, args.out / 'pareto.html')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
