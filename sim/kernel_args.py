"""The argument tuples of the reference kernels, built from a network and a learning rule.

Everything the kernels read or write lives here: integer tables of the layout, per-unit
parameters, weights (and feedback weights), scalar settings and flags, the dynamic state and
the optimiser state. The tuples hold views of the same arrays, so the kernels update them in
place and :meth:`KernelArgs.parameters` reads the current values.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import DTypeLike

from vle.model.learning import LOSSES, OPTIMIZERS, LearningRule
from vle.sim.layout import Layout
from vle.sim.parameters import feedback_weights, unit_tau_r

EXACT = 0
EULER = 1
"""Codes of the schemes in ``flags[F_SCHEME]``."""

S_DT, S_BETA, S_GAMMA, S_LR, S_TAU_LR, S_TAU_MIN, S_DECAY, S_MOM, S_B1, S_B2, S_EPS = range(11)
"""Positions in the float array ``scal``."""
(F_SCHEME, F_ERRORS, F_INSTANT, F_LOSS, F_PLASTIC, F_LEARN_BIAS, F_LEARN_TAU, F_OPT,
 F_LEARNED_FB, F_LE, F_FB_BEFORE) = range(11)
"""Positions in the integer array ``flags``."""
N_SCAL, N_FLAGS = 11, 11

UNIT_NAMES = ("decay_m", "decay_r", "k", "q", "tau_m", "tau_r", "bias", "drive_low",
              "drive_high")
"""Per-unit arrays, in kernel order (``k = tau_r / tau_m``, ``q = tau_m / tau_r``, decays
``exp(-dt / tau)``); ``drive_low`` and ``drive_high`` clip each unit's summed input (model
units, +-inf: no clip; :attr:`vle.model.Population.drive_limits`)."""
DRIVE_LOW = UNIT_NAMES.index("drive_low")
"""The first of the per-unit arrays that never change during a run (checkpoints leave them
out, so checkpoints written before they existed still load)."""

STATE_NAMES = ("u", "cur", "ub", "r", "rp", "v", "e", "eps", "du", "rprev", "fb", "tmp",
               "et")
"""Dynamic state arrays, in kernel order, each ``(n_units, batch)`` (``tmp`` is scratch) but
``fb``: the euler scheme's fed-back errors ``F_j^T e_post`` of every projection j, stacked
(``sum_j pre size``, batch), projection j at rows ``j_roff[j] / batch`` (tables[13]); they are
formed in one step and read in the next, so they are state (:func:`feedback_products`)."""
FB = STATE_NAMES.index("fb")


@dataclass(eq=False)
class KernelArgs:
    """Kernel arguments for one network run (see :func:`vle.sim.numba._kernels.run`)."""

    layout: Layout
    tables: tuple[np.ndarray, ...]
    unit: tuple[np.ndarray, ...]
    weights: tuple[np.ndarray, np.ndarray]
    scal: np.ndarray
    flags: np.ndarray
    state: tuple[np.ndarray, ...]
    opt: tuple[np.ndarray, ...]
    target_pops: tuple[str, ...]

    @classmethod
    def build(
        cls,
        layout: Layout,
        *,
        dt: float,
        scheme: str,
        batch: int,
        rule: LearningRule | None = None,
        targets: Iterable[str] = (),
        plastic: bool = False,
        dtype: DTypeLike = np.float64,
    ) -> KernelArgs:
        """Arrays for ``layout`` at step ``dt``; errors run when ``targets`` are given and the
        rule is active; parameters change only with ``plastic``. ``dtype`` float64 is the
        reference; float32 runs about 1.3x faster and rounds like the GLE authors' PyTorch
        code (the kernels compile a separate float32 version on first use)."""
        rule = rule or LearningRule()
        target_pops = tuple(n for n in layout.names if n in set(targets))
        errors = bool(target_pops) and rule.active
        n = layout.n_units
        tau_m = layout.tau_m.copy()
        tau_r = unit_tau_r(layout, rule)
        wflat = layout.wflat.copy()
        fflat = wflat if rule.feedback == "transpose" else feedback_weights(layout, rule).copy()
        out_order = np.argsort(layout.j_pre, kind="stable").astype(np.int64)
        out_ptr = np.searchsorted(layout.j_pre[out_order], np.arange(len(layout.names) + 1))
        p_tgt = np.full(len(layout.names), -1, dtype=np.int64)
        row = 0
        for name in target_pops:
            p = layout.names.index(name)
            p_tgt[p] = row
            row += int(layout.p_size[p])
        j_plastic = np.array([int(plastic and errors and layout.network.projection(
            *name.split("->")).plastic) for name in layout.j_names], dtype=np.int64)
        pre_sizes = layout.p_size[layout.j_pre] * batch
        j_roff = np.concatenate(([0], np.cumsum(pre_sizes))).astype(np.int64)
        tables = (layout.p_start, layout.p_size, layout.p_phi, layout.order, layout.j_pre,
                  layout.j_post, layout.j_woff, layout.j_delayed, layout.in_ptr,
                  out_ptr.astype(np.int64), out_order, j_plastic, p_tgt, j_roff)
        unit = (np.exp(-dt / tau_m), np.exp(-dt / tau_r), tau_r / tau_m, tau_m / tau_r, tau_m,
                tau_r, layout.bias.copy(), layout.drive_low.copy(), layout.drive_high.copy())
        scal = np.zeros(N_SCAL)
        scal[S_DT], scal[S_BETA], scal[S_GAMMA] = dt, rule.beta, rule.gamma
        opt = rule.optimizer
        scal[S_LR] = opt.lr
        scal[S_TAU_LR] = rule.tau_lr if rule.tau_lr is not None else opt.lr
        scal[S_TAU_MIN] = max(dt, rule.tau_m_min or 0.0)
        scal[S_DECAY], scal[S_MOM] = rule.decay, opt.momentum
        scal[S_B1], scal[S_B2], scal[S_EPS] = opt.beta1, opt.beta2, opt.eps
        flags = np.zeros(N_FLAGS, dtype=np.int64)
        flags[F_SCHEME] = EXACT if scheme == "exact" else EULER
        flags[F_ERRORS] = int(errors)
        flags[F_INSTANT] = int(rule.instant_errors)
        flags[F_LOSS] = LOSSES.index(rule.loss)
        flags[F_PLASTIC] = int(plastic and errors)
        flags[F_LEARN_BIAS] = int(plastic and errors and rule.learn_bias)
        flags[F_LEARN_TAU] = int(plastic and errors and rule.learn_tau_m)
        flags[F_OPT] = OPTIMIZERS.index(opt.kind)
        flags[F_LEARNED_FB] = int(rule.feedback == "learned")
        flags[F_LE] = int(rule.ties_tau_r)
        flags[F_FB_BEFORE] = int(rule.feedback_weights == "before-update")
        fb_rows = int(layout.p_size[layout.j_pre].sum())
        state = tuple(np.zeros((fb_rows if k == FB else n, batch))
                      for k in range(len(STATE_NAMES)))
        optstate = (np.zeros_like(wflat), np.zeros_like(wflat), np.zeros(n), np.zeros(n),
                    np.zeros(n), np.zeros(n), np.zeros(1, dtype=np.int64))
        args = cls(layout, tables, unit, (wflat, fflat), scal, flags, state, optstate,
                   target_pops)
        return args if np.dtype(dtype) == np.float64 else args.astype(dtype)

    def astype(self, dtype: DTypeLike) -> KernelArgs:
        """A copy with every float array converted to ``dtype`` (F stays W for exact
        transport)."""

        def conv(arrays: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
            return tuple(a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays)

        wflat: np.ndarray = self.weights[0].astype(dtype)
        fflat = wflat if self.weights[1] is self.weights[0] else self.weights[1].astype(dtype)
        return dataclasses.replace(self, unit=conv(self.unit), weights=(wflat, fflat),
                                   scal=self.scal.astype(dtype), state=conv(self.state),
                                   opt=conv(self.opt))

    @property
    def dtype(self) -> np.dtype:
        """The float type of the state and parameters."""
        return self.state[0].dtype

    @property
    def errors(self) -> bool:
        """True when the kernels run error neurons."""
        return bool(self.flags[F_ERRORS])

    def parameters(self) -> dict[str, np.ndarray]:
        """Copies of the current parameters: ``'<pre>-><post>.W'``, ``'<pop>.b'``,
        ``'<pop>.tau_m'`` (and ``'<pre>-><post>.B'`` for random or learned feedback)."""
        lay = self.layout
        out: dict[str, np.ndarray] = {}
        wflat, fflat = self.weights
        for j, name in enumerate(lay.j_names):
            m, n = lay.p_size[lay.j_post[j]], lay.p_size[lay.j_pre[j]]
            o = int(lay.j_woff[j])
            out[f"{name}.W"] = wflat[o:o + m * n].reshape(m, n).copy()
            if fflat is not wflat:
                out[f"{name}.B"] = fflat[o:o + m * n].reshape(m, n).copy()
        for name in lay.names:
            if lay.network.population(name).is_input:
                continue
            s = lay.units(name)
            out[f"{name}.b"] = self.unit[6][s].copy()
            out[f"{name}.tau_m"] = self.unit[4][s].copy()
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array that changes during a run (state, parameters, optimiser), by name, for
        checkpoints; :meth:`load_arrays` restores them in place."""
        out = {f"state.{k}": a for k, a in zip(STATE_NAMES, self.state, strict=True)}
        out.update({f"unit.{i}": a for i, a in enumerate(self.unit[:DRIVE_LOW])})
        out["weights.W"] = self.weights[0]
        out["weights.F"] = self.weights[1]
        out.update({f"opt.{i}": a for i, a in enumerate(self.opt)})
        return out

    def load_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        """Restore arrays saved by :meth:`arrays` (in place, shapes must match). Checkpoints
        written before the fed-back errors were state get them formed from the saved weights
        and errors, which is what the step that wrote them would have used next under
        ``feedback_weights = 'updated'``."""
        for name, target in self.arrays().items():
            if name != "state.fb" or name in arrays:
                target[...] = arrays[name]
        if "state.fb" not in arrays:
            self.state[FB][...] = feedback_products(self.layout, self.weights[1], self.state[6])


def feedback_products(layout: Layout, fflat: np.ndarray, e: np.ndarray) -> np.ndarray:
    """The stacked ``F_j^T e_post`` of every projection j (the ``fb`` state, zero rows for
    projections from input populations, whose errors go nowhere) from the flat feedback
    weights ``fflat`` and the errors ``e`` ``(n_units, batch)``."""
    out = np.zeros((int(layout.p_size[layout.j_pre].sum()), e.shape[1]), e.dtype)
    row = 0
    for j in range(len(layout.j_names)):
        q, p = int(layout.j_pre[j]), int(layout.j_post[j])
        m, n = int(layout.p_size[p]), int(layout.p_size[q])
        if not layout.network.population(layout.names[q]).is_input:
            o = int(layout.j_woff[j])
            f = fflat[o:o + m * n].reshape(m, n)
            out[row:row + n] = f.T @ e[layout.p_start[p]:layout.p_start[p] + m]
        row += n
    return out
