"""Monte Carlo fidelity: the numba surrogate against ngspice on the same draws.

For each case (a model, a technology and its non-idealities) the script draws ``--samples``
Monte Carlo samples, runs every one on the numba surrogate and in ngspice, and prints one JSON
line: the two-sample Kolmogorov-Smirnov test on the output trace's NRMSE (against the ideal
model), the paired per-sample difference, and samples per second on each backend with their
ratio (both measured in this run). ``--workers-only`` instead times a run of ``vle fidelity``'s
engine on the local Dask cluster with 1 and with 2 workers (surrogate samples per second, the
ratio; cluster start-up excluded).

    python benchmarks/fidelity.py --samples 50
    python benchmarks/fidelity.py --workers-only --samples 400
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
from common import emit
from scipy.stats import ks_2samp

from vle import Model, Network, Population, Projection, Pwl, SimulationSettings, load_model
from vle.circuits.nonidealities import get_nonideality
from vle.fidelity import run_sample
from vle.fidelity.montecarlo import reference_result

ROOT = Path(__file__).resolve().parent.parent


def net_8_16_8_4(seed: int = 0) -> Model:
    """An 8 -> 16 -> 8 -> 4 tanh network of lagging units (tau_m in [0.5, 2], tau_r = 0.2),
    its 8 inputs driven by sums of two sines of their own, for 8 model time units."""
    rng = np.random.default_rng(seed)
    sizes = [8, 16, 8, 4]
    pops = [Population("x", 8, "input")]
    for k, n in enumerate(sizes[1:]):
        pops.append(Population(f"l{k + 1}", n, "output" if k == 2 else "hidden",
                               tau_m=rng.uniform(0.5, 2.0, n), tau_r=0.2, phi="tanh"))
    projs = []
    for a, b in zip(pops[:-1], pops[1:], strict=True):
        w = rng.normal(0, 1 / np.sqrt(a.size), (b.size, a.size))
        # every weight realisable on discrete and onchip: |W| >= 0.05 (a 200k resistor)
        projs.append(Projection(a.name, b.name, np.sign(w) * np.maximum(np.abs(w), 0.05)))
    settings = SimulationSettings(dt=0.01, t_stop=8.0)
    t = np.arange(settings.n_steps + 1) * settings.dt
    omega = rng.uniform(0.5, 3.0, (2, 8))
    x = 0.8 * np.sin(omega[0] * t[:, None]) + 0.4 * np.sin(omega[1] * t[:, None] + 1.0)
    net = Network("net8_16_8_4", tuple(pops), tuple(projs))
    return Model(net, {"x": Pwl(t=t, values=x)}, settings)


CASES = {
    "lagline-discrete-tolerance": ("lagline", "discrete",
                                   ("resistor-tolerance", "capacitor-tolerance"), "out.r"),
    "lagline-onchip-mismatch": ("lagline", "onchip", ("mismatch",), "out.r"),
    "net8-discrete-tolerance": ("net8", "discrete",
                                ("resistor-tolerance", "capacitor-tolerance"), "l3.r"),
    "net8-onchip-mismatch": ("net8", "onchip", ("mismatch",), "l3.r"),
}


def run_case(name: str, samples: int, seed: int) -> dict[str, object]:
    which, tech, names, trace = CASES[name]
    model = load_model(ROOT / "examples" / "lagline.toml") if which == "lagline" \
        else net_8_16_8_4()
    nis = tuple(get_nonideality(n) for n in names)
    ref = reference_result(model)
    num, spi, t_num, t_spi = [], [], 0.0, 0.0
    for i in range(samples):
        t0 = time.perf_counter()
        num.append(run_sample(model, tech, nis, seed=seed, index=i, reference=ref).nrmse[trace])
        t1 = time.perf_counter()
        spi.append(run_sample(model, tech, nis, seed=seed, index=i, backend="spice",
                              reference=ref).nrmse[trace])
        t_num += t1 - t0
        t_spi += time.perf_counter() - t1
    a, b = np.array(num), np.array(spi)
    ks = ks_2samp(a, b)
    rel = np.abs(b - a) / np.maximum(b, 1e-300)
    return {
        "benchmark": "fidelity", "case": name, "model": model.network.name, "technology": tech,
        "nonidealities": list(names), "trace": trace, "samples": samples, "seed": seed,
        "nrmse_numba_median": float(np.median(a)), "nrmse_spice_median": float(np.median(b)),
        "nrmse_spice_p95": float(np.quantile(b, 0.95)),
        "ks_statistic": float(ks.statistic), "ks_pvalue": float(ks.pvalue),
        "paired_abs_diff_median": float(np.median(np.abs(b - a))),
        "paired_rel_diff_median": float(statistics.median(rel)),
        "paired_rel_diff_max": float(rel.max()),
        "numba_samples_per_s": samples / t_num, "spice_samples_per_s": samples / t_spi,
        "numba_over_spice": t_spi / t_num,
    }


def run_workers(samples: int, seed: int) -> dict[str, object]:
    """Samples per second of the numba surrogate through the execution layer, 1 and 2 workers."""
    import tempfile

    from vle.fidelity.run import FidelitySpec, cluster, run_fidelity

    spec = FidelitySpec(str(ROOT / "examples" / "lagline.toml"), "discrete", samples, seed)
    rate = {}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as out, cluster(workers) as address:
            run_fidelity(FidelitySpec(spec.model, spec.technology, 2 * workers, seed + 1),
                         out + "/warm", scheduler=address, progress=False)  # imports, numba
            summary, _ = run_fidelity(spec, out + "/run", scheduler=address, progress=False)
            rate[workers] = summary.ok / summary.seconds
    return {"benchmark": "fidelity_workers", "model": "lagline", "technology": "discrete",
            "samples": samples, "samples_per_s_1_worker": rate[1],
            "samples_per_s_2_workers": rate[2], "ratio": rate[2] / rate[1],
            "load_average": list(os.getloadavg())}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=50, help="samples per case (default 50)")
    parser.add_argument("--seed", type=int, default=0, help="Monte Carlo seed (default 0)")
    parser.add_argument("--cases", nargs="+", choices=sorted(CASES), default=list(CASES),
                        help="cases to run (default: all)")
    parser.add_argument("--workers-only", action="store_true",
                        help="time 1 against 2 workers on the local cluster instead")
    args = parser.parse_args()
    if args.workers_only:
        emit(run_workers(args.samples, args.seed), "numba", "distributed")
        return 0
    for name in args.cases:
        emit(run_case(name, args.samples, args.seed), "numba", "scipy")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
