"""Brian2 against the numba reference: time per simulated step, for growing networks, per
Brian2 code-generation target, measured in the same run; build (compile) time separately.

Layered tanh networks (benchmarks/forward.py: an input of `width` units and three tanh layers
of `width` units, 3 width^2 synapses), forward dynamics, batch 1, nothing recorded. Each
configuration runs `n` and `4 n` steps: the time per step is the difference divided by `3 n`
(so set-up, code generation, compilation and result handling drop out) and the fixed
overhead what remains. Medians over --runs. One JSON line per (width, target):

    python benchmarks/brian2.py [--runs 3] [--widths 10 30 100] [--targets numpy cpp_standalone]

Compile time is reported apart: ``build_s`` is the median cpp_standalone generate-and-compile
time of a run (a full build in a fresh folder every time), and ``first_run_overhead_s`` the
extra time of the first run of a network in this process on a runtime target (numpy: code
generation; cython: compilation, or loading from Brian2's cache when it was compiled before).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

# This file is called brian2.py: its folder must not shadow the brian2 package, so it goes to
# the end of the search path (where common.py and forward.py are still found).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE] + [str(_HERE)]

from common import emit  # noqa: E402
from forward import layered  # noqa: E402

from vle import Network, Sine, simulate  # noqa: E402

STEPS = {"numba": 2000, "numpy": 100, "cython": 100, "cpp_standalone": 1000}
"""The shorter run length `n` per implementation (the longer is 4 n)."""


def _run(net: Network, backend: str, n_steps: int, scheme: str, **options: Any) -> dict:
    dt = 0.01
    start = time.perf_counter()
    res = simulate(net, {"x": Sine((1.0,), (1.0,))}, t_stop=n_steps * dt, dt=dt,
                   backend=backend, scheme=scheme, record=[], **options)
    meta = dict(res.metadata)
    meta["total_s"] = time.perf_counter() - start
    return meta


def _clock(meta: dict, target: str | None) -> float:
    """The seconds that scale with the number of steps (plus a fixed part)."""
    if target == "cpp_standalone":
        return float(meta["binary_run_time_s"])
    if target is None:
        return float(meta["wall_time_s"])
    return float(meta["simulate_time_s"])


def measure(net: Network, backend: str, target: str | None, scheme: str,
            runs: int) -> dict[str, Any]:
    """Median time per step and fixed overhead of ``runs`` pairs of runs."""
    options: dict[str, Any] = {} if target is None else {"brian2_target": target}
    n = STEPS[target or backend]
    first = _run(net, backend, n, scheme, **options)
    per_step, fixed, builds = [], [], []
    for _ in range(runs):
        short = _run(net, backend, n, scheme, **options)
        long = _run(net, backend, 4 * n, scheme, **options)
        step = (_clock(long, target) - _clock(short, target)) / (3 * n)
        per_step.append(step)
        fixed.append(_clock(short, target) - n * step)
        builds += [m.get("build_time_s", 0.0) for m in (short, long)]
    out: dict[str, Any] = {"per_step_s": statistics.median(per_step),
                           "fixed_s": statistics.median(fixed), "steps": [n, 4 * n]}
    if target == "cpp_standalone":
        out["build_s"] = statistics.median([first["build_time_s"], *builds])
    else:
        out["first_run_overhead_s"] = _clock(first, target) - _clock(short, target)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--widths", type=int, nargs="+", default=[10, 30, 100])
    parser.add_argument("--targets", nargs="+", default=["numpy", "cython", "cpp_standalone"],
                        choices=["numpy", "cython", "cpp_standalone"])
    parser.add_argument("--scheme", default="exact", choices=["exact", "euler"])
    args = parser.parse_args()
    for width in args.widths:
        net = layered(width)
        ref = measure(net, "numba", None, args.scheme, args.runs)
        for target in args.targets:
            got = measure(net, "brian2", target, args.scheme, args.runs)
            ratio = got["per_step_s"] / ref["per_step_s"]
            emit({"benchmark": "brian2", "scheme": args.scheme, "width": width, "layers": 3,
                  "synapses": 3 * width * width, "target": target, "runs": args.runs,
                  "numba_us_per_step": round(ref["per_step_s"] * 1e6, 3),
                  "brian2_us_per_step": round(got["per_step_s"] * 1e6, 3),
                  "ratio_brian2_over_numba": round(ratio, 1),
                  "brian2_ns_per_synapse_step": round(
                      got["per_step_s"] * 1e9 / (3 * width * width), 2),
                  **{k: (round(v, 3) if isinstance(v, float) else v)
                     for k, v in got.items() if k != "per_step_s"}},
                 "numba", "brian2")


if __name__ == "__main__":
    main()
