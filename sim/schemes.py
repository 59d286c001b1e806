"""The integration schemes of the array backends, with the properties the tests hold them to.

Both schemes advance the grid ``t_n = n dt`` and keep, per unit, the membrane ``u``, the input
current ``I = sum W r_pre + b``, the prospective potential ``ub`` and the rate ``r = phi(ub)``.
Both start from rest, ``u(0) = 0``.

``exact``
    Exponential integration of the linear membrane with the input current held over the step
    (zero-order hold of its value at the start of the step)::

        u[n+1] = I[n] + (u[n] - I[n]) exp(-dt / tau_m)

    then, population by population in update order (inputs first, every population after those
    projecting to it), ``I[n+1]`` from the rates already at ``t[n+1]``, ``ub[n+1] = u[n+1] +
    (tau_r / tau_m) (I[n+1] - u[n+1])`` and ``r[n+1] = phi(ub[n+1])``. The prospective readout
    uses the membrane equation's right-hand side, never a numerical derivative, so an LE unit
    (``tau_r = tau_m``) has ``ub = I`` exactly and an LE network is instantaneous. Exact for
    input currents that are constant over each step (piecewise constant, changing at grid
    points); first order in dt for smooth inputs. Projections that close a cycle are cut: they
    carry the previous step's rate. At t = 0 the forward pass runs once on ``u = 0``.

``euler``
    Forward Euler with every population updated synchronously from the previous step, as in the
    GLE authors' reference code::

        I[n]    = sum W r_pre[n] + b
        ub[n+1] = u[n] + tau_r (I[n] - u[n]) / tau_m
        u[n+1]  = u[n] + dt (I[n] - u[n]) / tau_m
        r[n+1]  = phi(ub[n+1])

    so every layer adds one step of delay. First order in dt. At t = 0, ``ub = u = 0``.

Error neurons and plasticity (when targets are given; :mod:`vle.sim.numba._kernels`)
    Per unit ``q = tau_m / tau_r``; the target error of an output population is ``et = beta
    (y - r)`` (mse) or ``beta (y - softmax(r))`` (ce); ``eps = r' (et + sum_{p->q} F^T e_q)``
    with F = W for ``transpose`` feedback; ``e = (1 - q) v + q eps`` (``bp`` and ``le``: ``e =
    eps``); the membrane current gets ``+ gamma e``.

    ``exact``: after the forward pass at t[n+1] (whose current uses ``gamma e[n]``), target
    errors from ``r[n+1]`` and ``y[n+1]``, then populations in reverse update order:
    ``eps[n+1]`` from the errors already at t[n+1], ``e[n+1] = (1 - q) v[n+1] + q eps[n+1]``,
    where ``v[n+1] = eps[n] + (v[n] - eps[n]) exp(-dt / tau_r)`` was integrated at the start of
    the step. An LE network with exact transport therefore computes static backprop at every
    instant.

    ``euler``: synchronous, from the state at step n: ``et`` from ``r[n]`` and ``y[n]``;
    ``eps = r'[n] (et + sum F^T e_q[n])``, with F the matrix of step n (``feedback_weights =
    'updated'``) or the one before the previous step's update (``'before-update'``, the GLE
    authors' order: the product is formed before the optimiser step and kept as state);
    ``e[n+1] = (1 - q) v[n] + q eps``;
    ``v[n+1] = v[n] + dt (eps - v[n]) / tau_r``; then the membrane update above with
    ``I[n] = sum W r_pre[n] + b + gamma e[n+1]``.

    Plasticity, after the step: gradient ``g = -dt <e[n+1] r_pre^T>_batch`` with ``r_pre`` at
    t[n+1] (exact) or t[n] (euler); biases ``-dt <e>``; ``tau_m``: ``dt <e du/dt>``, with
    ``du/dt = (I - u) / tau_m`` of the step; then the optimiser (``sgd``: ``W -= lr g``, i.e.
    ``dW/dt = lr e r^T``), ``tau_m`` clipped at ``tau_m_min`` (at least dt), and weight decay
    ``W -= decay dt W`` (also on F for ``learned`` feedback, which receives W's update).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scheme:
    """Declared properties of an integration scheme."""

    name: str
    order: int
    """Global order of accuracy in dt for smooth inputs."""
    exact_for_piecewise_constant: bool
    """Exact (to rounding) when inputs change only at grid points."""
    delay_steps_per_layer: int
    """Steps of delay a feed-forward layer adds to the signal it passes on."""
    loop_cut: str
    """How the algebraic loop ``r -> I -> ub -> r`` between populations is cut."""


SCHEME_PROPERTIES: dict[str, Scheme] = {
    "exact": Scheme("exact", 1, True, 0,
                    "feed-forward projections read this step's rates (update order); "
                    "projections closing a cycle read the previous step's"),
    "euler": Scheme("euler", 1, False, 1,
                    "every projection reads the previous step's rates (synchronous update)"),
}
