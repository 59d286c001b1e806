"""ngspice wall time per simulated time unit: the netlist the compiler emits against the naive
form, for layered tanh networks of growing width.

The compiler's form computes tanh once per neuron (a behavioural source) and keeps the
crossbar linear (one voltage-controlled current source per synapse into a summing node). The
naive form drives each neuron's input node with one behavioural source that sums
``W_ij tanh(ub_j)`` over all its inputs (plus the bias). Both are the same circuit; both run in
the same invocation, ideal technology, the same transient analysis. Prints one JSON line per
width: median wall time of ngspice per simulated model time unit for each form, their ratio,
time points, and the largest difference between the two forms' output traces.

    python benchmarks/spice.py [--widths 10 30 100] [--runs 3] [--t-stop 2] [--naive-max 100]

Widths above ``--naive-max`` time the compiled form only (the naive one grows too fast).
"""

from __future__ import annotations

import argparse
import statistics
from dataclasses import replace

import numpy as np
from common import emit, layered

from vle.circuits import Behavioral, Circuit, Instance, Section
from vle.mapping import compile
from vle.model import Model, SimulationSettings, Sine
from vle.model.network import Network
from vle.sim.result import Result
from vle.sim.spice.backend import SpiceOptions, run_circuits
from vle.sim.spice.batch import find_ngspice, ngspice_version
from vle.sim.spice.traces import resample

DROPPED = ("Xw", "Xsum_", "Xbias_")
"""Instances of the compiled form that the naive form replaces: crossbars, summing stages,
bias columns."""


def naive(circuit: Circuit, network: Network) -> Circuit:
    """``circuit`` (ideal technology, 1 V per model unit) with every crossbar, summing stage
    and bias column replaced by one behavioural source per neuron driving its input node
    ``<pop>_i_<n>`` with ``b_n + sum_j W_nj phi(ub_j)`` (the rate of an input population is
    its source node)."""
    sections = [replace(s, elements=tuple(
        el for el in s.elements
        if not (isinstance(el, Instance) and el.name.startswith(DROPPED))))
        for s in circuit.sections]
    sources = []
    for pop in network.neurons:
        incoming = [pr for pr in network.projections if pr.post == pop.name]
        for n in range(pop.size):
            terms = [f"{float(pop.bias[n]):.12g}"]
            for pr in incoming:
                pre = network.population(pr.pre)
                for j in range(pre.size):
                    rate = (f"v({pre.name}_r_{j})" if pre.is_input
                            else f"{pre.phi}(v({pre.name}_ub_{j}))")
                    terms.append(f"{float(pr.weights[n, j]):+.12g}*{rate}")
            sources.append(Behavioral(f"Bin_{pop.name}_{n}", f"{pop.name}_i_{n}".lower(), "0",
                                      "v", "".join(terms)))
    sections.append(Section("naive form: one behavioural source per neuron sums its inputs",
                            tuple(sources)))
    return replace(circuit, sections=tuple(sections), title=circuit.title + " naive")


def timing(circuit: Circuit, name: str, runs: int, t_stop: float) -> tuple[float, int, Result]:
    """Median ngspice wall time per simulated time unit, time points, the traces on them."""
    opts = SpiceOptions(workers=1)
    walls, result = [], None
    for _ in range(runs):
        (result,) = run_circuits([(name, circuit, None)], opts)
        walls.append(result.run.wall_time_s)
    assert result is not None
    return statistics.median(walls) / t_stop, result.run.plot.points, result.raw


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[10, 30, 100])
    parser.add_argument("--layers", type=int, default=3)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--t-stop", type=float, default=2.0,
                        help="simulated model time per run (ideal technology: 1 ms per unit)")
    parser.add_argument("--naive-max", type=int, default=100,
                        help="largest width at which the naive form is timed too")
    args = parser.parse_args()
    exe = find_ngspice()
    if exe is None:
        raise SystemExit("benchmarks/spice.py needs ngspice: sudo apt-get install ngspice")
    for width in args.widths:
        network = layered(width, args.layers)
        model = Model(network, {"x": Sine((1.0, 0.5), (1.0, 2.7))},
                      SimulationSettings(dt=0.01, t_stop=args.t_stop))
        compiled, _ = compile(model, "ideal")
        fast, fast_points, fast_raw = timing(compiled, f"compiled{width}", args.runs,
                                             args.t_stop)
        record = {"benchmark": "spice", "technology": "ideal", "width": width,
                  "layers": args.layers, "synapses": args.layers * width * width,
                  "t_stop": args.t_stop, "runs": args.runs,
                  "compiled_s_per_time_unit": round(fast, 4), "compiled_points": fast_points,
                  "ngspice": ngspice_version(exe)}
        if width <= args.naive_max:
            slow, slow_points, slow_raw = timing(naive(compiled, network), f"naive{width}",
                                                 args.runs, args.t_stop)
            # the same circuit: the last layer's rates agree (each on its own time points)
            grid = np.linspace(0, args.t_stop, 201)
            last = f"h{args.layers - 1}.r"
            difference = float(np.max(np.abs(resample(fast_raw, grid)[last]
                                              - resample(slow_raw, grid)[last])))
            record.update({"naive_s_per_time_unit": round(slow, 4),
                           "ratio_naive_over_compiled": round(slow / fast, 2),
                           "naive_points": slow_points,
                           "max_difference_last_layer": float(f"{difference:.3g}")})
        emit(record)


if __name__ == "__main__":
    main()
