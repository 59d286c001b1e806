"""The GLE training step of a layered network in plain PyTorch: the tool a user would pick
instead of vle's numba reference, written from the equations (equations.md, section 2) and the
update order of the reference's euler scheme. Needs only numpy and torch (it runs in the
Python 3.11 venv of tools/ensure-bench-venv.sh, or anywhere with the ``bench`` extra); vle
never imports it.

One step, from the state at grid index n (rates r, errors e, error-neuron states v, membranes
u, r' of every population; dt, tau in model time units) to n + 1, every population from the
previous step's values (the euler scheme):

    e_target = beta (y - softmax(r_L))                         (cross-entropy, at every step)
    eps_l    = r'_l * (W_{l+1}^T e_{l+1})   (hidden),   r'_L * e_target   (output)
               (with feedback_weights 'before-update': W_{l+1}^T e_{l+1} formed in the
               previous step before its Adam step)
    e_l      = (1 - q) v_l + q eps_l,   q = tau_m / tau_r      (error neuron, new value)
    v_l     += dt / tau_r (eps_l - v_l)
    I_l      = W_l r_{l-1} + b_l                               (old W, old b)
    ub_l     = u_l + k (I_l - u_l),   k = tau_r / tau_m;   u_l += dt / tau_m (I_l - u_l)
    r_l      = phi(ub_l),   r'_l = phi'(ub_l)                  (phi: linear or tanh)
    grad W_l = -(dt / B) e_l r_{l-1}^T,   grad b_l = -(dt / B) sum_batch e_l  (new e, old r)
    Adam (torch.optim.Adam, one step per time step, all parameters)

No autograd: the rule is local, so the gradients are these outer products. The loss returned
for a step is the cross-entropy at the old time, averaged over the batch.

As a script it is a worker for benchmarks/torch_compare.py: it loads a network, its state and
the batches from an .npz (format in :func:`TorchGLE.from_npz`) and answers commands on stdin,
one per line, with one JSON line on stdout:

    run I           train on batch I (all its steps); {"ms_per_step", "cpu_ms_per_step",
                    "loss"}
    profile I       the same, timed per population and phase (wall and CPU ms per step)
    dump PATH       write the weights, biases, state and last losses to PATH (.npz)
    quit
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import torch


class TorchGLE:
    """Weights, biases, time constants, state and Adam of a layered GLE network in torch.

    Populations l = 0 .. L-1 (the input x is not one of them); ``W[l]`` is ``(n_l, n_{l-1})``,
    state tensors are unit-major ``(n_l, batch)`` like the numba reference's.
    """

    def __init__(self, data: dict[str, np.ndarray], threads: int) -> None:
        torch.set_num_threads(threads)
        dtype = torch.float32 if str(data["dtype"]) == "float32" else torch.float64
        self.dtype = dtype

        def t(a: np.ndarray) -> torch.Tensor:
            return torch.tensor(np.asarray(a), dtype=dtype)

        def col(a: np.ndarray) -> torch.Tensor:
            return t(a).reshape(-1, 1)

        n_pops = int(data["n_pops"])
        self.tanh = [bool(data["phi"][p]) for p in range(n_pops)]
        self.names = [str(name) for name in data["names"]]
        self.dt = float(data["dt"])
        self.beta = float(data["beta"])
        self.before = str(data["feedback_weights"]) == "before-update"
        self.W = [t(data[f"W{p}"]).requires_grad_(False) for p in range(n_pops)]
        self.b = [col(data[f"b{p}"]) for p in range(n_pops)]
        tau_m = [col(data[f"tau_m{p}"]) for p in range(n_pops)]
        tau_r = [col(data[f"tau_r{p}"]) for p in range(n_pops)]
        self.k = [tr / tm for tm, tr in zip(tau_m, tau_r, strict=True)]
        self.q = [tm / tr for tm, tr in zip(tau_m, tau_r, strict=True)]
        self.one_minus_q = [1.0 - q for q in self.q]
        self.a_m = [self.dt / tm for tm in tau_m]
        self.a_r = [self.dt / tr for tr in tau_r]
        sizes = [w.shape[0] for w in self.W]
        batch = int(data["seqs"].shape[1])
        zeros = [torch.zeros(m, batch, dtype=dtype) for m in sizes]
        self.u = [z.clone() for z in zeros]
        self.v = [z.clone() for z in zeros]
        self.e = [z.clone() for z in zeros]
        self.r = [z.clone() for z in zeros]  # phi(0) = 0 for linear and tanh
        self.rp = [torch.ones(m, batch, dtype=dtype) for m in sizes]
        self.rx = torch.zeros(1, batch, dtype=dtype)
        self.fb = [torch.zeros(w.shape[1], batch, dtype=dtype) for w in self.W[1:]]
        self.params = [*self.W, *self.b]
        self.opt = torch.optim.Adam(self.params, lr=float(data["lr"]),
                                    betas=(float(data["beta1"]), float(data["beta2"])),
                                    eps=float(data["eps"]), **_adam_impl())
        for p in self.params:
            p.grad = torch.zeros_like(p)
        self.seqs = data["seqs"]
        self.labels = data["labels"]
        self.losses = np.zeros(0)

    def step(self, x_next: torch.Tensor, y: torch.Tensor,
             timer: PhaseTimer | None = None) -> torch.Tensor:
        """One training step (module docstring); returns the loss at the old time. ``timer``
        times each population's phases (the profile); without it a no-op stands in (about
        0.2 us for each of the 22 stretches, 0.2 % of a step)."""
        t = timer or NO_TIMER
        n = len(self.W)
        rin = [self.rx, *self.r[:-1]]
        with t(self.names[-1], "errors"):
            logp = torch.log_softmax(self.r[-1], dim=0)
            loss = -(y * logp).sum() / y.shape[1]
            fb_out = self.beta * (y - logp.exp())
        e_new = []
        for p in range(n):
            with t(self.names[p], "errors"):
                if p + 1 == n:
                    fb = fb_out
                else:
                    fb = self.fb[p] if self.before else self.W[p + 1].T @ self.e[p + 1]
                eps = self.rp[p] * fb
                e_new.append(self.one_minus_q[p] * self.v[p] + self.q[p] * eps)
                self.v[p] = self.v[p] + self.a_r[p] * (eps - self.v[p])
        scale = -self.dt / y.shape[1]
        for p in range(n):
            with t(self.names[p], "forward"):
                cur = torch.addmm(self.b[p], self.W[p], rin[p])
                d = cur - self.u[p]
                ub = self.u[p] + self.k[p] * d
                self.u[p] = self.u[p] + self.a_m[p] * d
                if self.tanh[p]:
                    self.r[p] = torch.tanh(ub)
                    self.rp[p] = 1.0 - self.r[p] * self.r[p]
                else:
                    self.r[p] = ub
            with t(self.names[p], "outer_products"):
                torch.mm(e_new[p], rin[p].T, out=self.W[p].grad).mul_(scale)
                torch.sum(e_new[p], dim=1, keepdim=True, out=self.b[p].grad).mul_(scale)
        self.e = e_new
        if self.before:
            for p in range(n - 1):
                with t(self.names[p], "errors"):
                    self.fb[p] = self.W[p + 1].T @ e_new[p + 1]
        with t("all", "optimiser"):
            self.opt.step()
        self.rx = x_next
        return loss

    def run_batch(self, i: int, timer: PhaseTimer | None = None) -> dict[str, float]:
        """Train on batch ``i`` of the loaded sequences; returns the wall and the CPU time per
        step in ms (``ms_per_step``, ``cpu_ms_per_step``: this process's CPU time, which a
        loaded machine does not inflate on one thread) and the mean ``loss``. The state
        carries over from the previous batch; the input presents the new sample's first value
        at once (as vle's dataset training does)."""
        seqs = torch.tensor(self.seqs[i], dtype=self.dtype)  # (B, steps)
        labels = torch.tensor(self.labels[i], dtype=torch.int64)
        b, steps = seqs.shape
        y = torch.nn.functional.one_hot(labels, self.W[-1].shape[0]).T.to(self.dtype)
        x = torch.cat([seqs.T, seqs[:, -1:].T]).unsqueeze(1).contiguous()  # (steps+1, 1, B)
        losses = torch.empty(steps, dtype=torch.float64)
        self.rx = x[0]
        t0, c0 = time.perf_counter(), time.process_time()
        with torch.no_grad():
            for k in range(steps):
                losses[k] = self.step(x[k + 1], y, timer)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        self.losses = losses.numpy()
        return {"ms_per_step": 1e3 * elapsed / steps, "cpu_ms_per_step": 1e3 * cpu / steps,
                "loss": float(losses.mean())}

    def profile_batch(self, i: int) -> dict[str, dict[str, dict[str, float]]]:
        """ms per step of each (population, phase) over batch ``i``: the wall and the CPU
        time (``time.process_time``; not inflated by other processes on one thread) of each
        labelled stretch of :meth:`step`, Python and dispatch included; ``total`` compares
        their sum with the whole step."""
        timer = PhaseTimer()
        row = self.run_batch(i, timer)
        steps = self.seqs.shape[2]
        out: dict[str, dict[str, dict[str, float]]] = {}
        for clock, table in (("ms_per_step", timer.wall), ("cpu_ms_per_step", timer.cpu)):
            per: dict[str, dict[str, float]] = {}
            for (pop, phase), seconds in table.items():
                per.setdefault(pop, {})[phase] = round(1e3 * seconds / steps, 4)
            per["total"] = {"labelled": round(1e3 * sum(table.values()) / steps, 4),
                            "step": round(row[clock], 4)}
            out[clock] = per
        return out


class PhaseTimer:
    """Wall and CPU seconds accumulated per (population, phase) label:
    ``with timer(p, "forward"): ...``."""

    def __init__(self) -> None:
        self.wall: dict[tuple[str, str], float] = {}
        self.cpu: dict[tuple[str, str], float] = {}
        self._label: tuple[str, str] = ("", "")
        self._t0 = self._c0 = 0.0

    def __call__(self, pop: str, phase: str) -> PhaseTimer:
        self._label = (pop, phase)
        return self

    def __enter__(self) -> None:
        self._t0, self._c0 = time.perf_counter(), time.process_time()

    def __exit__(self, *exc: object) -> None:
        w, c = time.perf_counter() - self._t0, time.process_time() - self._c0
        self.wall[self._label] = self.wall.get(self._label, 0.0) + w
        self.cpu[self._label] = self.cpu.get(self._label, 0.0) + c


class _NoTimer:
    """A stand-in for :class:`PhaseTimer` that times nothing."""

    def __call__(self, pop: str, phase: str) -> _NoTimer:
        return self

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        pass


NO_TIMER = _NoTimer()


def _adam_impl() -> dict[str, bool]:
    """torch.optim.Adam's implementation: the single-kernel ``fused`` one where this torch
    has it for CPU tensors (the fastest of the three here), else the default."""
    return {"fused": True} if _fused_cpu_adam() else {}


def _fused_cpu_adam() -> bool:
    try:
        p = torch.zeros(2, requires_grad=False)
        p.grad = torch.zeros(2)
        torch.optim.Adam([p], fused=True).step()
        return True
    except (RuntimeError, TypeError):
        return False


def state_arrays(net: TorchGLE) -> dict[str, np.ndarray]:
    """Weights, biases, state and Adam moments as numpy arrays (names of the input .npz)."""
    out: dict[str, np.ndarray] = {"rx": net.rx.numpy(), "losses": net.losses}
    for p in range(len(net.W)):
        out[f"W{p}"] = net.W[p].numpy()
        out[f"b{p}"] = net.b[p].numpy().ravel()
        for name in ("u", "v", "e", "r", "rp"):
            out[f"{name}{p}"] = getattr(net, name)[p].numpy()
    return out


def main() -> None:
    """The worker loop (module docstring): ``torch_gle.py DATA.npz THREADS``."""
    path, threads = sys.argv[1], int(sys.argv[2])
    with np.load(path) as f:
        net = TorchGLE(dict(f), threads)
    print(json.dumps({"ready": True, "torch": torch.__version__,
                      "threads": torch.get_num_threads(), "adam": _adam_impl()}), flush=True)
    for line in sys.stdin:
        cmd, _, arg = line.strip().partition(" ")
        if cmd == "run":
            reply: dict = net.run_batch(int(arg))
        elif cmd == "profile":
            reply = net.profile_batch(int(arg))
        elif cmd == "dump":
            np.savez(arg, **state_arrays(net))
            reply = {"dumped": arg}
        elif cmd == "quit":
            break
        else:
            reply = {"error": f"unknown command {cmd!r}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
