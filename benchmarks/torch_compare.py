"""The numba reference and the plain-PyTorch step (benchmarks/torch_gle.py) on the same
training batches, in the same run: shared initial weights and inputs, interleaved timing.

PyTorch runs in its own Python (the 3.11 venv ``.venv-bench`` of tools/ensure-bench-venv.sh,
since the project's 3.13 venv has no CPU torch wheel here) as a worker process; weights and
batches go to it in an .npz, commands and timings come back as JSON lines.

    with TorchWorker(export(model, np.float32, seqs, labels), threads=2) as torch_side:
        numba_side = NumbaTrainer(model, np.float32, seqs, labels)
        numba_side.run(0), torch_side.run(0)   # {ms_per_step, cpu_ms_per_step, loss}
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import DTypeLike

from vle.model.model import Model
from vle.sim.kernel_args import KernelArgs
from vle.sim.layout import Layout
from vle.sim.numba import run_kernel

ROOT = Path(__file__).resolve().parent.parent
BENCH_VENV = ROOT / ".venv-bench"
ENSURE = ROOT / "tools" / "ensure-bench-venv.sh"
WORKER = ROOT / "benchmarks" / "torch_gle.py"


class TorchUnavailable(RuntimeError):
    """No Python with torch for the worker (the message says what to install)."""


def bench_python() -> Path:
    """The worker's Python: this one when it has torch (the ``bench`` extra), else
    ``.venv-bench`` (created by tools/ensure-bench-venv.sh when missing); raises
    :class:`TorchUnavailable` with the script's message when it cannot be made."""
    if importlib.util.find_spec("torch") is not None:
        return Path(sys.executable)
    done = subprocess.run(["bash", str(ENSURE), str(BENCH_VENV)], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise TorchUnavailable((done.stderr or done.stdout).strip())
    return BENCH_VENV / "bin" / "python"


def chain(model: Model) -> tuple[Layout, list[int]]:
    """The layout of ``model``'s network and its populations in order, checked to be what
    torch_gle implements: one input of one unit, a chain of populations each fed by the one
    before, phi linear or tanh."""
    layout = Layout.of(model.network)
    pops = [int(p) for p in layout.order]
    ok = (layout.n_inputs == 1 and len(layout.j_names) == len(pops)
          and all(layout.j_post[j] == pops[j] and layout.j_pre[j] == (pops[j - 1] if j else 0)
                  for j in range(len(pops)))
          and all(layout.p_phi[p] in (0, 1) for p in pops))
    if not ok:
        raise ValueError(f"{model.network.name}: torch_gle implements a chain x -> p1 -> ... "
                         "with linear or tanh populations only")
    return layout, pops


def export(model: Model, dtype: DTypeLike, seqs: np.ndarray,
           labels: np.ndarray) -> dict[str, np.ndarray]:
    """The worker's .npz content: the model's initial weights, biases and time constants,
    its learning settings, and the batches (``seqs`` ``(n_batches, B, steps)``, ``labels``
    ``(n_batches, B)``)."""
    layout, pops = chain(model)
    rule = model.learning
    assert rule is not None
    params = KernelArgs.build(layout, dt=model.simulation.dt, scheme="euler", batch=1,
                              rule=rule).parameters()
    out: dict[str, np.ndarray] = {
        "dtype": np.array(np.dtype(dtype).name), "n_pops": np.array(len(pops)),
        "phi": np.array([int(layout.p_phi[p]) for p in pops]),
        "names": np.array([layout.names[p] for p in pops]),
        "dt": np.array(model.simulation.dt), "beta": np.array(rule.beta),
        "feedback_weights": np.array(rule.feedback_weights),
        "lr": np.array(rule.optimizer.lr), "beta1": np.array(rule.optimizer.beta1),
        "beta2": np.array(rule.optimizer.beta2), "eps": np.array(rule.optimizer.eps),
        "seqs": seqs, "labels": labels}
    for i, p in enumerate(pops):
        name = layout.names[p]
        out[f"W{i}"] = params[f"{layout.j_names[i]}.W"]
        out[f"b{i}"] = params[f"{name}.b"]
        s = layout.units(name)
        out[f"tau_m{i}"] = layout.tau_m[s]
        out[f"tau_r{i}"] = layout.tau_r[s]
    return out


class NumbaTrainer:
    """The numba reference training on the same batches (as vle's dataset training runs it:
    state carried over, the time-summed output recorded, losses per step)."""

    def __init__(self, model: Model, dtype: DTypeLike, seqs: np.ndarray,
                 labels: np.ndarray) -> None:
        self.layout, self.pops = chain(model)
        rule = model.learning
        assert rule is not None
        out = self.layout.names[self.pops[-1]]
        self.args = KernelArgs.build(self.layout, dt=model.simulation.dt, scheme="euler",
                                     batch=seqs.shape[1], rule=rule, targets=[out],
                                     plastic=True, dtype=dtype)
        s = self.layout.units(out)
        self.rows = np.arange(s.start, s.stop, dtype=np.int64)
        self.seqs, self.labels = seqs, labels
        self.n = 0
        self.losses = np.zeros(0)

    def run(self, i: int) -> dict[str, float]:
        """Train on batch ``i``; returns wall and CPU ms per step and the mean loss (as
        :meth:`TorchWorker.run`), timed like the torch worker's: batch preparation and the
        step loop."""
        a = self.args
        dtype = a.dtype.type
        t0, c0 = time.perf_counter(), time.process_time()
        seqs = self.seqs[i]
        b, steps = seqs.shape
        x = np.empty((steps + 1, 1, b), dtype)
        x[:steps, 0, :] = seqs.T
        x[steps, 0, :] = seqs[:, -1]
        onehot = np.eye(len(self.rows), dtype=dtype)[self.labels[i]].T
        y = np.ascontiguousarray(np.broadcast_to(onehot[None], (steps + 1, *onehot.shape)))
        if self.n > 0:
            a.state[3][:1] = x[0]
        z = np.zeros(0, dtype=np.int64)
        out_r = np.zeros((steps + 1, self.rows.size, b), dtype)
        e3 = np.zeros((steps + 1, 0, b), dtype)
        e2 = np.zeros((steps + 1, 0), dtype)
        rec = (1, self.n, (z, z, self.rows, z, z), (e3, e3, out_r, e3, e3), z, e2, z, e2, z, e2)
        loss = np.zeros(steps, dtype)
        run_kernel(self.n, self.n + steps, x, y, a.tables, a.unit, a.weights, a.scal, a.flags,
                   a.state, a.opt, rec, loss)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        self.n += steps
        self.losses = loss
        return {"ms_per_step": 1e3 * elapsed / steps, "cpu_ms_per_step": 1e3 * cpu / steps,
                "loss": float(loss.mean())}

    def arrays(self) -> dict[str, np.ndarray]:
        """Weights, biases and state under the names of :func:`torch_gle.state_arrays`."""
        lay, a = self.layout, self.args
        params = a.parameters()
        out: dict[str, np.ndarray] = {"rx": a.state[3][:1].copy(), "losses": self.losses}
        names = ("u", "v", "e", "r", "rp")
        index = {"u": 0, "v": 5, "e": 6, "r": 3, "rp": 4}
        for i, p in enumerate(self.pops):
            s = lay.units(lay.names[p])
            out[f"W{i}"] = params[f"{lay.j_names[i]}.W"]
            out[f"b{i}"] = params[f"{lay.names[p]}.b"]
            for name in names:
                out[f"{name}{i}"] = a.state[index[name]][s].copy()
        return out


class TorchWorker:
    """The torch_gle worker process on an exported network (a context manager)."""

    def __init__(self, data: dict[str, np.ndarray], threads: int) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="vle-torch-")
        path = Path(self._tmp.name) / "net.npz"
        np.savez(path, **data)  # type: ignore[arg-type]
        self.proc = subprocess.Popen([str(bench_python()), str(WORKER), str(path),
                                      str(threads)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.info = self._reply()

    def _reply(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the torch worker exited ({self.proc.wait()}); see its stderr")
        reply: dict[str, Any] = json.loads(line)
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply

    def _ask(self, command: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._reply()

    def run(self, i: int) -> dict[str, float]:
        """Train on batch ``i``; returns ``ms_per_step`` (wall), ``cpu_ms_per_step`` (the
        worker's CPU time) and the mean ``loss``."""
        return self._ask(f"run {i}")

    def profile(self, i: int) -> dict[str, Any]:
        """Train on batch ``i`` under torch.profiler: ms per step by population and phase."""
        return self._ask(f"profile {i}")

    def arrays(self) -> dict[str, np.ndarray]:
        """Weights, biases and state now (names of :func:`torch_gle.state_arrays`)."""
        path = Path(self._tmp.name) / "dump.npz"
        self._ask(f"dump {path}")
        with np.load(path) as f:
            return dict(f)

    def close(self) -> None:
        """Stop the worker and remove its files."""
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._tmp.cleanup()

    def __enter__(self) -> TorchWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
