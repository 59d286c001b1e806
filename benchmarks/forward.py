"""Forward-dynamics throughput of the numba reference against plain numpy, same scheme.

Layered tanh networks (an input of `width` units and three tanh layers of `width` units),
batch 1 and 64, exact scheme, nothing recorded. Prints one JSON line per configuration:
simulated steps per second of each implementation (median of --runs) and their ratio.

    python benchmarks/forward.py [--runs 5] [--widths 100 1000] [--batches 1 64]
"""

from __future__ import annotations

import argparse

import numpy as np
from common import emit, layered, median_seconds

from vle import Network, Sine, simulate


def steps_per_second(net: Network, backend: str, n_steps: int, batch: int, runs: int) -> float:
    dt = 0.01

    def run() -> None:
        simulate(net, {"x": Sine((1.0,), (1.0,))}, t_stop=n_steps * dt, dt=dt,
                 backend=backend, record=[], batch=batch)

    med, _ = median_seconds(run, runs)
    return n_steps / med


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--widths", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 64])
    args = parser.parse_args()
    for width in args.widths:
        net = layered(width)
        for batch in args.batches:
            work = width * width * batch  # per layer per step
            n_numba = int(np.clip(3e9 / work, 200, 20000))
            n_numpy = int(np.clip(3e8 / work, 20, 2000))
            numba_rate = steps_per_second(net, "numba", n_numba, batch, args.runs)
            numpy_rate = steps_per_second(net, "numpy", n_numpy, batch, args.runs)
            emit({"benchmark": "forward", "scheme": "exact", "width": width, "layers": 3,
                  "batch": batch, "runs": args.runs,
                  "numba_steps_per_s": round(numba_rate, 1),
                  "numpy_steps_per_s": round(numpy_rate, 1),
                  "ratio_numba_over_numpy": round(numba_rate / numpy_rate, 2),
                  "numba_steps": n_numba, "numpy_steps": n_numpy}, "numba")


if __name__ == "__main__":
    main()
