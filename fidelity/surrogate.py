"""The behavioural surrogate: a circuit's realised part values as a model network for numba.

A compiled plan (:func:`vle.mapping.compile_plan`, nominal or one Monte Carlo draw) holds the
value of every part. :func:`realised_network` turns them back into model parameters, so the
numba reference simulates what the parts realise, thousands of samples a minute:

- per unit, ``tau_m = b / s`` and ``tau_r = a / s`` of its neuron section (``s`` seconds per
  model time unit; lag ``a = R2 C``, ``b = (R1 + R2) C``; lead ``b = R C``, ``a = g b``);
- per fixed projection, ``W = R_f G`` of its conductances, and the bias ``b = R_f G`` of the
  bias conductances from the 1-unit rail;
- on technologies with op-amps, the finite DC gain ``A`` of each unit's summing amplifier
  (:func:`summing_gains`): its first stage sums the positive conductances into a virtual ground
  with noise gain ``N_1 = 1 + R_f sum G+``, its second the first stage's output and the negative
  conductances with ``N_2 = 2 + R_f sum |G-|``; an inverting stage of noise gain ``N`` realises
  ``1 / (1 + N / A)`` of its ideal gain, so positive weights and biases are scaled by
  ``1 / ((1 + N_1/A)(1 + N_2/A))`` and negative ones by ``1 / (1 + N_2/A)``;
- the input offsets ``V_os1``, ``V_os2`` of those two op-amps (drawn by ``opamp-offset``, else
  the technology's nominal ``opamp.offset``) as a shift of the unit's bias
  (:func:`offset_bias`);
- on technologies with op-amps, their gain-bandwidth ``GBW``: an inverting stage of noise gain
  ``N`` closes its loop at ``GBW / N``, a first-order lag of ``N / (2 pi GBW)`` seconds, and
  the unit's two summing stages delay its drive by ``delta = (N_1 + N_2) / (2 pi GBW)``
  (:func:`bandwidth_delay`); a unit whose drive arrives ``delta`` late reads out
  ``phi(u(t - delta) + tau_r du/dt(t - delta)) = phi(u + (tau_r - delta) du/dt) + O(delta^2)``,
  so the surrogate shortens its lookahead to ``tau_r - delta``;
- on technologies with op-amps, the output swing of each unit's summing amplifier, whose
  output is the unit's drive: the unit's summed input is clipped to ``[V_low2, V_high2] /
  v_unit``, op-amp 2's limits, narrowed to op-amp 1's (inverted) when every input of the unit
  is a positive conductance (:func:`drive_limits`; the technology's ``v_low``, ``v_high``,
  or the limits ``opamp-swing`` drew), a saturating input
  (:attr:`~vle.model.Population.drive_limits`);
- the thermal noise of the section resistors (drawn by ``thermal-noise``) as an extra input
  population per noisy population, a pre-drawn white noise stimulus into the membrane
  through unit weights (:func:`noise_inputs`, :func:`with_noise`).

What the surrogate leaves out, by construction: the op-amps' bandwidth beyond that first-order
delay of the summing stages (the followers' and lead sections' own, second-order terms); the
swing of op-amp 1 of a summing amplifier that has negative inputs too (it carries the positive
inputs alone and can rail on them while the negative ones bring the drive back inside, which
no clip of the sum reproduces), of the followers, of a lead section's amplifier (whose
``(1 - q) v + q I`` can leave the rails for ``q > 1``) and of the error path; the time a
railed op-amp takes to recover (its pole node winds up beyond the rail; the macro-model's
clamp follows it back without slew); the thermal noise's passing through the clip (the
surrogate adds it to the summed input, the circuit after the op-amp); the followers'
``A / (1 + A)``; the offsets of op-amps outside the summing amplifiers (followers, lead
sections, the error path); SPICE's continuous time against the reference's scheme; and the
error neurons' own sections (the reference ties an error neuron's time constants to its
neuron's, so in learning they share the shortened ``tau_r``).
Its error against ngspice on the same draws is measured, not assumed
(``benchmarks/fidelity.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from vle.circuits.engineering import significant
from vle.circuits.nonidealities import ThermalNoise
from vle.mapping.plan import Plan
from vle.mapping.variation import (
    noise_seed,
    opamp_offsets,
    opamp_swings,
    section_noise,
    stream,
)
from vle.model.network import Network
from vle.model.population import Population
from vle.model.projection import Projection
from vle.sim.inputs import Signal

NOISE_SUFFIX = "_noise"
"""The extra input population of population ``p``'s section noise is ``p_noise``."""


def noise_gains(plan: Plan, pop: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per unit of population ``pop`` on a technology with op-amps: the noise gains
    ``N_1 = 1 + R_f sum G+`` and ``N_2 = 2 + R_f sum |G-|`` (dimensionless) of the two stages
    of its summing amplifier, over the conductances of its projections and bias (nudging
    conductances are left out, as in :func:`summing_gains`)."""
    tech = plan.technology
    part = plan.student
    pos, neg = np.zeros(size), np.zeros(size)
    keys = [part.label + pr.name for pr in part.network.projections if pr.post == pop]
    keys.append(f"{part.label}bias:{pop}")
    for key in keys:
        block = plan.conductances.get(key)
        if block is None:
            continue
        g = block.conductance
        pos += np.where(g > 0, g, 0.0).sum(axis=1)
        neg += np.where(g < 0, -g, 0.0).sum(axis=1)
    rf = tech.feedback_resistance
    return 1.0 + rf * pos, 2.0 + rf * neg


def _stage_gains(plan: Plan, pop: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``1 / (1 + N_1 / A)`` and ``1 / (1 + N_2 / A)`` per unit (op-amp technologies)."""
    assert plan.technology.opamp is not None
    a = plan.technology.opamp.dc_gain
    n1, n2 = noise_gains(plan, pop, size)
    return 1.0 / (1.0 + n1 / a), 1.0 / (1.0 + n2 / a)


def summing_gains(plan: Plan, pop: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per unit of population ``pop``: the factors (dimensionless) by which the finite DC gain
    of its summing amplifier scales its positive and its negative inputs (ones on behavioural
    technologies); see the module docstring."""
    tech = plan.technology
    ones = np.ones(size)
    if tech.behavioural or tech.opamp is None:
        return ones, ones
    stage1, stage2 = _stage_gains(plan, pop, size)
    return stage1 * stage2, stage2


def offset_bias(plan: Plan, pop: str, size: int) -> np.ndarray:
    """Per unit of population ``pop``: the shift of its bias (model units) by the input
    offsets of its summing amplifier's op-amps (zeros on behavioural technologies).

    An inverting stage of noise gain ``N`` whose non-inverting input sits at ``V_os`` holds its
    virtual ground at ``V_os``, so its output moves by ``+N V_os`` (times ``1 / (1 + N / A)``
    at finite gain ``A``). The first stage's output enters the second inverted, so the
    summing node (the section's drive, and at steady state the membrane potential) moves by

        dV = g_2 (N_2 V_os2 - g_1 N_1 V_os1),   g_k = 1 / (1 + N_k / A)

    volts, and the bias by ``db = dV / v_unit``. ``dV`` is already the voltage at the
    summing node, after the stages' gains, so it is added to the bias the conductances
    realise (which the gains scale) without scaling it again."""
    tech = plan.technology
    if tech.behavioural or tech.opamp is None:
        return np.zeros(size)
    drawn = opamp_offsets(plan)
    nominal = (tech.opamp.offset, tech.opamp.offset)
    pairs = np.array([drawn.get((plan.student.prefix, pop, i), nominal) for i in range(size)],
                     dtype=np.float64).reshape(size, 2)
    n1, n2 = noise_gains(plan, pop, size)
    g1, g2 = _stage_gains(plan, pop, size)
    return g2 * (n2 * pairs[:, 1] - g1 * n1 * pairs[:, 0]) / plan.v_unit


def drive_limits(plan: Plan, pop: str, size: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Per unit of population ``pop``: the limits ``(low, high)`` (model units) of its drive,
    from the output limits ``V_low1``, ``V_high1``, ``V_low2``, ``V_high2`` (volts) of the two
    op-amps of its summing amplifier, those ``opamp-swing`` drew or else the technology's
    nominal ``v_low``, ``v_high``; None on behavioural technologies, whose amplifiers have no
    rails.

    The macro-model's output stage clamps the voltage its gain would give, ``min(max(V(p),
    V_low), V_high)``, and the summing node is op-amp 2's output, so the unit integrates and
    reads out ``clip(I, low, high)`` of its summed input ``I`` (weights, bias and the offsets'
    shift included). Op-amp 2 alone gives ``[V_low2, V_high2] / v_unit``. A unit whose
    inputs are all positive conductances has them all on op-amp 1, ``V(o1) = clip(-g_1 R_f
    I_p, V_low1, V_high1)``, which op-amp 2 inverts (``-g_2 V(o1)``, ``g_2 = 1 / (1 + 2 /
    A)``); the two clips compose into one,

        low = max(V_low2, -g_2 V_high1) / v_unit,   high = min(V_high2, -g_2 V_low1) / v_unit,

    exactly. A unit with negative conductances too gets op-amp 2's limits only: its op-amp 1
    can rail on the positive inputs while the negative ones pull the drive back inside, which
    a clip of the sum does not see (left out, see the module docstring)."""
    tech = plan.technology
    if tech.behavioural or tech.opamp is None:
        return None
    drawn = opamp_swings(plan)
    nominal = (tech.opamp.v_low, tech.opamp.v_high) * 2
    limits = np.array([drawn.get((plan.student.prefix, pop, i), nominal) for i in range(size)],
                      dtype=np.float64).reshape(size, 4)
    low1, high1, low, high = limits.T
    _, n2 = noise_gains(plan, pop, size)
    g2 = _stage_gains(plan, pop, size)[1]
    first_only = n2 == 2.0  # no negative conductance: R_f sum |G-| = 0
    low = np.where(first_only, np.maximum(low, -g2 * high1), low)
    high = np.where(first_only, np.minimum(high, -g2 * low1), high)
    return low / plan.v_unit, high / plan.v_unit


MAX_DELAY_FRACTION = 0.5
"""The summing stages' delay is taken off ``tau_r`` only up to half of it: a delay that large is
outside the first-order model (``delta << tau_r``), where ngspice is the check."""


def bandwidth_delay(plan: Plan, pop: str, size: int) -> np.ndarray:
    """Per unit of population ``pop``: the delay (model time units) of its summing amplifier,
    ``(N_1 + N_2) / (2 pi GBW s)`` with the stages' noise gains (:func:`noise_gains`), the
    op-amp's gain-bandwidth ``GBW`` (Hz) and ``s`` seconds per model time unit (zeros on
    behavioural technologies)."""
    tech = plan.technology
    if tech.behavioural or tech.opamp is None:
        return np.zeros(size)
    n1, n2 = noise_gains(plan, pop, size)
    return (n1 + n2) / (2.0 * np.pi * tech.opamp.gbw * plan.time_scale)


def _scaled(w: np.ndarray, gains: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Weights ``(post, pre)`` with the positive and negative summing gains of each row."""
    return np.where(w > 0, w * gains[0][:, None], w * gains[1][:, None])


def realised_network(plan: Plan) -> Network:
    """The student network of ``plan`` with the time constants, weights and biases its parts
    realise (model units)."""
    part = plan.student
    net = part.network
    s = plan.time_scale
    gains = {p.name: summing_gains(plan, p.name, p.size) for p in net.neurons}
    pops = []
    for p in net.populations:
        if p.is_input:
            pops.append(p)
            continue
        sec = [plan.values[(part.prefix, p.name, i, "neuron")] for i in range(p.size)]
        block = plan.conductances.get(f"{part.label}bias:{p.name}")
        bias = _scaled(block.realised, gains[p.name])[:, 0] if block is not None \
            else p.bias_array
        shift = offset_bias(plan, p.name, p.size)
        if shift.any():
            bias = bias + shift
        tau_r = np.array([v.a for v in sec]) / s
        tau_r = np.maximum(tau_r - bandwidth_delay(plan, p.name, p.size),
                           (1.0 - MAX_DELAY_FRACTION) * tau_r)
        pops.append(replace(p, tau_m=np.array([v.b for v in sec]) / s, tau_r=tau_r,
                            bias=bias, drive_limits=drive_limits(plan, p.name, p.size)))
    projs = []
    for pr in net.projections:
        block = plan.conductances.get(part.label + pr.name)
        projs.append(pr if block is None else replace(
            pr, weights=_scaled(block.realised, gains[pr.post])))
    return Network(net.name, tuple(pops), tuple(projs))


def noise_sigmas(plan: Plan, pop: str, size: int) -> np.ndarray:
    """Per unit of ``pop``: the standard deviation (model units) of its held noise values,
    ``sqrt(S / (2 dt s)) / v_unit`` with ``S`` the sum of its section resistors' densities
    (V^2/Hz; the series sources add in power) and ``dt s`` the step in seconds, as the netlist's
    ``TRRANDOM`` sources hold them (zeros without noise)."""
    noise = section_noise(plan)
    if not noise or plan.settings is None:
        return np.zeros(size)
    hold = significant(plan.settings.dt * plan.time_scale)
    dens = np.array([sum(noise.get((plan.student.prefix, pop, i), (0.0,))) for i in range(size)])
    return np.sqrt(dens / (2.0 * hold)) / plan.v_unit


def noise_inputs(plan: Plan, n_steps: int) -> dict[str, np.ndarray]:
    """The section noise of ``plan`` as stimuli on the grid: ``{"<pop>_noise": array of shape
    (n_steps + 1, size)}`` for every student population with noise (empty without).

    A section's resistors carry its capacitor's current, so their thermal noise sources are in
    series with its drive: ``tau_m du/dt = -u + I + n(t)`` with ``n`` white of one-sided
    density ``S / v_unit^2`` (model units, per second of circuit time). ngspice holds a new
    Gaussian value of every source each step (:class:`~vle.circuits.waveforms.TrRandom`),
    and so does this stimulus: ``n[k] ~ N(0, S / (2 dt s)) / v_unit`` held over
    ``[t_k, t_k+1)``, which is exactly what the exact scheme's zero-order hold integrates. So
    on the grid ``u`` is the same stochastic process in both: an AR(1) process ``u[k+1] = a
    u[k] + (1 - a) n[k]``, ``a = exp(-dt / tau_m)``, of stationary variance
    ``sigma^2 (1 - a) / (1 + a)`` = ``(k T / C) (tanh(x) / x) / v_unit^2``, ``x = dt / (2
    tau_m)`` for thermal noise (``k T / C`` as ``dt -> 0``). It is exact in distribution for
    ``u``, not the same realisation: ngspice's generator is its own, seeded by the same seed;
    this one is the stream of ``thermal-noise`` in the draw's seed
    (:func:`~vle.mapping.variation.stream`), one standard normal per unit and step in
    population order, so the same seed gives the same bits.

    What it does not reproduce: in the circuit the prospective output ``ub`` also carries the
    white noise of the resistors between it and the capacitor directly (lag: ``(1 - k) e_2 -
    k e_1`` from the sources of ``R1``, ``R2``; lead: none, its difference stage reads the
    drive), where the model's ``ub = (1 - k) u + k (I + n)`` carries ``k n``; only ``u`` is
    exact, and what later populations see of ``ub``'s white part is approximate.
    """
    seed = noise_seed(plan)
    if seed is None:
        return {}
    rng = stream(seed, ThermalNoise.name)
    out = {}
    for pop in plan.student.network.neurons:
        sigma = noise_sigmas(plan, pop.name, pop.size)
        values = rng.standard_normal((n_steps + 1, pop.size)) * sigma
        if sigma.any():
            out[pop.name + NOISE_SUFFIX] = values
    return out


def with_noise(net: Network, stimuli: Mapping[str, Signal], plan: Plan,
               n_steps: int) -> tuple[Network, dict[str, Signal]]:
    """``net`` and ``stimuli`` with the noise inputs of ``plan`` (:func:`noise_inputs`): an
    input population ``<pop>_noise`` per noisy population, into it through the identity
    (unit weights, added after the summing amplifier, so no summing gain applies)."""
    noise = noise_inputs(plan, n_steps)
    if not noise:
        return net, dict(stimuli)
    pops, projs = [], []
    for name, values in noise.items():
        post = name[: -len(NOISE_SUFFIX)]
        if any(p.name == name for p in net.populations):
            raise ValueError(f"population {name!r} exists; the surrogate's noise input of "
                             f"{post!r} needs that name")
        size = values.shape[1]
        pops.append(Population(name, size, "input"))
        projs.append(Projection(name, post, np.eye(size)))
    merged = Network(net.name, (*pops, *net.populations), (*net.projections, *projs))
    return merged, {**stimuli, **noise}
