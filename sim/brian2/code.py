"""The Brian2 text of one population or projection: equations and the code of each operation.

Pure string building, no Brian2 import (see :mod:`vle.sim.brian2.program` for how the pieces
are ordered within a time step). Times carry units in Brian2: ``tau_m`` and ``tau_r`` are in
seconds and ``t_unit`` (a namespace constant) is the Brian2 time of one model time unit, so
``dt / t_unit`` is the model time step. Every other variable is dimensionless (model units).

Variable names in a population's group (``e`` is Brian2's Euler constant, so the error is
``err``):

==========  ===============================================================================
``u``       membrane, ``tau_m du/dt = I - u`` with ``I`` held over the step
``I``       input current ``sum_pre W r_pre + b + gamma e`` (``I_<pre>``: one projection's
            ``W r_pre``, a summed variable)
``dudt``    the membrane's right-hand side ``(I - u) / tau_m`` of this step (1/second)
``ub``      prospective potential ``u + tau_r du/dt``, read from the right-hand side
``r, rp``   rate ``phi(ub)`` and ``phi'(ub)``
``v``       error neuron, ``tau_r dv/dt = eps - v``
``eps``     ``r' (e_target + sum_post F^T e_post)`` (``fb_<post>``: one projection's
            ``F^T e_post``, a summed variable)
``err``     the error ``e = v + tau_m dv/dt`` (``e = eps`` for the ``bp`` and ``le`` rules)
``zsm``     ``sum_j exp(r_j - r_i)`` over the population (cross-entropy targets only), so
            ``softmax(r)_i = 1 / zsm_i``
==========  ===============================================================================
"""

from __future__ import annotations

PHI_CODE: dict[str, tuple[str, str]] = {
    "linear": ("ub", "1.0"),
    "tanh": ("tanh(ub)", "1 - r**2"),
    "sigmoid": ("1 / (1 + exp(-ub))", "r * (1 - r)"),
    "softplus": ("clip(ub, 0, inf) + log1p(exp(-abs(ub)))", "1 / (1 + exp(-ub))"),
    "relu": ("clip(ub, 0, inf)", "int(ub > 0)"),
    "hardtanh": ("clip(ub, -1, 1)", "int(ub > -1) * int(ub < 1)"),
}
"""``r = phi(ub)`` and ``rp = phi'(ub)`` (which may use ``r``) for each nonlinearity of
:mod:`vle.model.nonlinearity`, as Brian2 expressions."""

OPTIMIZER_STATE: dict[str, tuple[str, ...]] = {"sgd": (), "momentum": ("m",),
                                               "adam": ("m", "s")}
"""Per-parameter state variables of each optimiser (prefixes of ``<prefix>_<param>``)."""


STEP_GATE = "past_t0"
"""The temporary that gated plasticity code sets to ``int(t_in_timesteps > 0)``: 0 on the first
time step of a run, 1 on every later one (see :func:`gated_assignment`)."""


def gated_assignment(var: str, expr: str, gated: bool) -> str:
    """The statement ``var = expr``; when ``gated``, ``var`` keeps its value on the first time
    step: ``var = g * (expr) + (1 - g) * var`` with ``g`` = :data:`STEP_GATE`. Exact in floating
    point on both branches (``1 * a + 0 * b`` is ``a``, ``0 * a + 1 * b`` is ``b``) as long as
    ``expr`` and ``var`` are finite, which is why the ``exact`` scheme's Adam count is at least
    1 on that step (:mod:`vle.sim.brian2.program`)."""
    if not gated:
        return f"{var} = {expr}"
    return f"{var} = {STEP_GATE} * ({expr}) + (1 - {STEP_GATE}) * {var}"


def optimizer_code(
    kind: str, param: str, grad: str, lr: str, count: str, gated: bool = False
) -> list[str]:
    """Statements that set the temporary ``d_<param>``, the optimiser's change of a parameter
    whose gradient is ``grad`` (the same maths as :func:`vle.sim.numba._kernel_ops.optimizer_step`);
    ``count`` is the Adam step count (from 1); ``gated`` keeps the optimiser state on the first
    time step (:func:`gated_assignment`)."""
    d = f"d_{param}"
    if kind == "sgd":
        return [f"{d} = -{lr} * ({grad})"]
    if kind == "momentum":
        return [gated_assignment(f"m_{param}", f"mom * m_{param} + ({grad})", gated),
                f"{d} = -{lr} * m_{param}"]
    return [f"g_{param} = {grad}",
            gated_assignment(f"m_{param}", f"beta1 * m_{param} + (1 - beta1) * g_{param}",
                             gated),
            gated_assignment(f"s_{param}",
                             f"beta2 * s_{param} + (1 - beta2) * g_{param} * g_{param}", gated),
            f"{d} = -{lr} * (m_{param} / (1 - beta1**{count})) / "
            f"(sqrt(s_{param} / (1 - beta2**{count})) + adam_eps)"]


def optimizer_variables(kind: str, params: list[str]) -> list[str]:
    """Equation lines declaring the optimiser state of ``params``."""
    return [f"{pre}_{p} : 1  # {kind} state of {p}" for p in params
            for pre in OPTIMIZER_STATE[kind]]


def neuron_equations(
    *,
    incoming: list[str],
    outgoing: list[str],
    errors: bool,
    instant: bool,
    keep_prev: bool,
    softmax: bool,
    optimizer: str | None,
    learn_bias: bool,
    learn_tau: bool,
) -> str:
    """The equations of a population's NeuronGroup.

    ``incoming``/``outgoing`` name the populations projecting to / receiving from it (one
    summed variable each); ``keep_prev`` adds ``r_prev`` (the rate of the previous step, read by
    projections that close a cycle); ``optimizer`` names the optimiser whose state the learned
    parameters need."""
    lines = ["du/dt = (I - u) / tau_m : 1  # membrane, I held over the step",
             "I : 1  # input current W r + b + gamma e",
             "dudt : 1/second  # (I - u) / tau_m of this step",
             "ub : 1  # prospective potential u + tau_r du/dt",
             "r : 1  # rate phi(ub)",
             "rp : 1  # phi'(ub)",
             "b : 1  # bias",
             "tau_m : second",
             "tau_r : second"]
    lines += [f"I_{pre} : 1  # W r_{pre} (summed)" for pre in incoming]
    if keep_prev:
        lines.append("r_prev : 1  # rate of the previous step")
    if errors:
        if instant:
            lines.append("v : 1  # no error-neuron dynamics (e = eps)")
        else:
            lines.append("dv/dt = (eps - v) / tau_r : 1  # error neuron, eps held over the step")
        lines += ["eps : 1  # r' (e_target + sum F^T e_post)",
                  "err : 1  # the error e"]
        lines += [f"fb_{post} : 1  # F^T e_{post} (summed)" for post in outgoing]
        if softmax:
            lines.append("zsm : 1  # sum_j exp(r_j - r_i) (summed)")
    learned = (["b"] if learn_bias else []) + (["tau"] if learn_tau else [])
    if optimizer is not None:
        lines += optimizer_variables(optimizer, learned)
    return "\n".join(lines)


def input_equations(stimulus: str) -> str:
    """The equations of an input population: its rate is the sampled stimulus."""
    return f"r = {stimulus}(t, i) : 1  # the stimulus on the grid (TimedArray)"


def synapse_model(
    *,
    pre: str,
    post: str,
    source: str,
    feedback: str | None,
    optimizer: str | None,
) -> str:
    """The model of a projection's Synapses: weight, summed current into ``post`` (``W
    source_pre``), and, when errors flow back to a non-input ``pre``, the summed feedback ``F^T
    e_post`` with ``F = W`` (``feedback='transpose'``) or a separate ``F`` (``random``,
    ``learned``)."""
    lines = ["w : 1  # W[post, pre]",
             f"I_{pre}_post = w * {source}_pre : 1 (summed)"]
    if feedback is not None:
        fvar = "w" if feedback == "transpose" else "F"
        if feedback != "transpose":
            lines.insert(1, f"F : 1  # {feedback} feedback weight")
        lines.append(f"fb_{post}_pre = {fvar} * err_post : 1 (summed)")
    if optimizer is not None:
        lines += optimizer_variables(optimizer, ["w"])
    return "\n".join(lines)


SOFTMAX_MODEL = "zsm_post = exp(r_pre - r_post) : 1 (summed)"
"""All pairs within an output population (per batch element): ``zsm_i = sum_j exp(r_j -
r_i)``, so that ``softmax(r)_i = 1 / zsm_i`` without a maximum."""


def forward_code(incoming: list[str], gamma: bool) -> str:
    """Input current, right-hand side and prospective potential (``ub`` is read from the
    membrane equation's right-hand side, never from a numerical derivative)."""
    terms = [f"I_{pre}" for pre in incoming] + ["b"] + (["gamma * err"] if gamma else [])
    return "\n".join([f"I = {' + '.join(terms)}",
                      "dudt = (I - u) / tau_m",
                      "ub = u + tau_r * dudt"])


def rate_code(phi: str) -> str:
    """``r = phi(ub)``, ``rp = phi'(ub)``."""
    rate, slope = PHI_CODE[phi]
    return f"r = {rate}\nrp = {slope}"


def error_code(
    *, target: str | None, loss: str, outgoing: list[str], instant: bool
) -> str:
    """Target error (if ``target`` names the population's target TimedArray), ``eps`` and the
    error ``e``; for GLE ``e = v + tau_m dv/dt``, read from the error neuron's right-hand
    side."""
    terms = [f"fb_{post}" for post in outgoing]
    lines = []
    if target is not None:
        estimate = "1 / zsm" if loss == "ce" else "r"
        lines.append(f"e_target = beta * ({target}(t, i) - {estimate})")
        terms.insert(0, "e_target")
    lines.append(f"eps = rp * ({' + '.join(terms)})" if terms else "eps = 0.0")
    lines.append("err = eps" if instant else "err = v + tau_m * (eps - v) / tau_r")
    return "\n".join(lines)


def weight_plasticity_code(
    optimizer: str, count: str, learned: bool, decay: bool, gated: bool = False
) -> str:
    """One optimiser step of a projection's weights from ``g = -dt e_post r_pre`` (with
    ``learned`` feedback, F receives the same change; ``decay`` shrinks both). ``gated``: no
    state changes on the first time step (:func:`gated_assignment`)."""
    lines = [f"{STEP_GATE} = int(t_in_timesteps > 0)"] if gated else []
    lines += optimizer_code(optimizer, "w", "-(dt / t_unit) * err_post * r_pre", "lr", count,
                            gated)
    lines.append(gated_assignment("w", "w + d_w", gated))
    if learned:
        lines.append(gated_assignment("F", "F + d_w", gated))
    if decay:
        lines.append(gated_assignment("w", "w - decay * (dt / t_unit) * w", gated))
        if learned:
            lines.append(gated_assignment("F", "F - decay * (dt / t_unit) * F", gated))
    return "\n".join(lines)


def parameter_plasticity_code(
    optimizer: str, count: str, learn_bias: bool, learn_tau: bool, le: bool,
    gated: bool = False,
) -> str:
    """Optimiser steps of the bias (``g = -dt e``) and of ``tau_m`` (``g = dt e du/dt``, kept at
    least ``tau_min``; with the ``le`` rule ``tau_r`` follows ``tau_m``). ``gated``: no state
    changes on the first time step (:func:`gated_assignment`)."""
    lines = [f"{STEP_GATE} = int(t_in_timesteps > 0)"] if gated else []
    if learn_bias:
        lines += optimizer_code(optimizer, "b", "-(dt / t_unit) * err", "lr", count, gated)
        lines.append(gated_assignment("b", "b + d_b", gated))
    if learn_tau:
        lines += optimizer_code(optimizer, "tau", "(dt / t_unit) * err * dudt * t_unit",
                                "tau_lr", count, gated)
        lines.append(gated_assignment(
            "tau_m", "clip(tau_m / t_unit + d_tau, tau_min, inf) * t_unit", gated))
        if le:
            lines.append(gated_assignment("tau_r", "tau_m", gated))
    return "\n".join(lines)
