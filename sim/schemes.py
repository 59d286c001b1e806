"""The integration schemes of the array backends, with the properties the tests hold them to.

Both schemes advance the grid ``t_n = n dt`` and keep, per unit, the membrane ``u``, the input
current ``I = sum W r_pre + b``, the prospective potential ``ub`` and the rate ``r = phi(ub)``.
Both start from rest, ``u(0) = 0``.

``exact``
    Exponential integration of the linear membrane with the input current held over the step
    (zero-order hold of its value at the start of the step)::

        u[n+1] = I[n] + (u[n] - I[n]) exp(-dt / tau_m)

    then, population by population in sweep order (inputs first, every population after those
    projecting to it), ``I[n+1]`` from the rates already at ``t[n+1]``, ``ub[n+1] = u[n+1] +
    (tau_r / tau_m) (I[n+1] - u[n+1])`` and ``r[n+1] = phi(ub[n+1])``. The prospective readout
    uses the membrane equation's right-hand side, never a numerical derivative, so an LE unit
    (``tau_r = tau_m``) has ``ub = I`` exactly and an LE network is instantaneous. Exact for
    input currents that are constant over each step (piecewise constant, changing at grid
    points); first order in dt for smooth inputs. Projections that close a cycle are cut: they
    carry the previous step's rate. At t = 0 the sweep runs once on ``u = 0``.

``euler``
    Forward Euler with every population updated synchronously from the previous step, as in the
    GLE authors' reference code::

        I[n]    = sum W r_pre[n] + b
        ub[n+1] = u[n] + tau_r (I[n] - u[n]) / tau_m
        u[n+1]  = u[n] + dt (I[n] - u[n]) / tau_m
        r[n+1]  = phi(ub[n+1])

    so every layer adds one step of delay. First order in dt. At t = 0, ``ub = u = 0``.
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
                    "feed-forward projections read this step's rates (sweep order); "
                    "projections closing a cycle read the previous step's"),
    "euler": Scheme("euler", 1, False, 1,
                    "every projection reads the previous step's rates (synchronous update)"),
}
