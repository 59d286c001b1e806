"""Design-space exploration beyond grids: NSGA-II (pymoo) searches LagLine's continuous design
space on the CMOS technology (section capacitance, op-amp gain-bandwidth, conductance bits,
the hidden unit's tau_r) for low NRMSE, area and power, with every evaluation on the Dask
executor; then the Morris sensitivity of the NRMSE to the same parameters (SALib).

    python examples/dse_search.py --out search-out                  # 10 x 20 points
    python examples/dse_search.py --out search-out --tiny           # what the tests run

The same with the command line::

    vle sweep examples/search_lagline.toml --search nsga2 --generations 10 --population 20 \\
        --out search-out/search
    vle sweep examples/search_lagline.toml --sensitivity morris --size 8 --metric nrmse \\
        --out search-out/morris
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from vle.explore import SearchSpec, load_sweep, pareto_front, run_search, run_sensitivity
from vle.explore.report import describe_front, write_pareto_html, write_pareto_png

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("search-out"))
    parser.add_argument("--generations", type=int, default=10)
    parser.add_argument("--population", type=int, default=20)
    parser.add_argument("--trajectories", type=int, default=8, help="Morris trajectories")
    parser.add_argument("--workers", type=int, help="local Dask workers (default: one per core)")
    parser.add_argument("--tiny", action="store_true",
                        help="2 generations of 4, 2 trajectories, no draws (the tests)")
    args = parser.parse_args()
    spec = load_sweep(HERE / "search_lagline.toml")
    gens, pop, traj = args.generations, args.population, args.trajectories
    if args.tiny:
        spec, gens, pop, traj = dataclasses.replace(spec, samples=0), 2, 4, 2
    args.out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    ds = run_search(spec, SearchSpec(gens, pop), args.out / "search", workers=args.workers,
                    new=True)
    front = pareto_front(ds, spec.objectives, spec.constraints)
    print(f"NSGA-II: {ds.sizes['point']} points in {time.perf_counter() - t0:.1f} s")
    print(describe_front(ds, front))
    print(f"plot: {write_pareto_png(ds, front, args.out / 'pareto.png')}")
    print(f"page: {write_pareto_html(ds, front, args.out / 'pareto.html')}")
    res = run_sensitivity(spec, "nrmse", args.out / "morris", method="morris", n=traj,
                          workers=args.workers, new=True)
    print(f"Morris sensitivity of nrmse ({res.attrs['points']} points): mu_star, sigma")
    for p in res["parameter"].values:
        print(f"  {p:<34} {float(res['mu_star'].sel(parameter=p)):.3e}  "
              f"{float(res['sigma'].sel(parameter=p)):.3e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
