"""The Brian2 model of a network as inspectable text: groups, synapses and the step plan.

:func:`emit_program` turns a network (and its learning set-up) into a :class:`Brian2Program`:
the equations of one NeuronGroup per population and one Synapses object per projection, and
the ordered list of operations that make up one time step of a scheme of
:mod:`vle.sim.schemes`. Nothing here imports Brian2 (:mod:`vle.sim.brian2.build` turns the text
into Brian2 objects); :func:`brian2_equations` returns the text per group.

Each operation becomes one Brian2 code object with ``when='groups'`` and ``order`` equal to its
position in the plan, so a Brian2 time step executes the plan top to bottom:

``euler`` (every population from the previous step's state; monitors record at ``start``)
    summed ``W r`` and ``F^T e`` of every projection, softmax sums; error operations (``e[n+1]``
    from ``r[n]``, ``r'[n]``, ``e[n]``, ``v[n]``); weight plasticity (``e[n+1] r_pre[n]``);
    (with ``feedback_weights = 'before-update'`` the summed ``F^T e`` moves to after the error
    operations, before weight plasticity, and the next step's error operations read it);
    forward operations (``I[n]`` with ``gamma e[n+1]``, ``ub[n+1]``); Brian2's ``euler`` state
    updater (``u``, ``v``); rates; bias and ``tau_m`` plasticity.
``exact`` (layers swept in order within the step; monitors record at ``end``)
    Brian2's ``exact`` state updater (``u[n+1] = I[n] + (u[n] - I[n]) exp(-dt/tau_m)``, the
    same for ``v`` with ``eps[n]``); ``r_prev = r`` where a cycle is cut; then population by
    population in update order: summed ``W r`` into it, its forward and rate operations; then
    softmax sums and, in reverse update order, summed ``F^T e`` into it and its error operation;
    last, plasticity.

The grid ``t_0 .. t_N`` is one Brian2 run of ``N + 1`` steps, so that every code object is
generated (and on cpp_standalone compiled) once: step n computes the state at ``t_n``
(``exact``: step 0 forms the initial state; plasticity is gated on the step index so that it
changes nothing there) or records ``t_n`` and then computes the step ``t_n -> t_(n+1)``
(``euler``; the last step's result is not recorded). See :func:`vle.sim.brian2.build.run_steps`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from vle.model.learning import LearningRule
from vle.model.network import Network
from vle.sim.brian2 import code
from vle.sim.schemes import SCHEME_PROPERTIES


@dataclass(frozen=True)
class GroupText:
    """A NeuronGroup: ``size`` units per batch element, ``method`` its state updater."""

    name: str
    population: str
    size: int
    equations: str
    method: str | None


@dataclass(frozen=True)
class SynapsesText:
    """A Synapses object from population ``pre`` to ``post``; ``projection`` is the model's
    projection name (``''`` for the all-pairs softmax synapses of a population)."""

    name: str
    projection: str
    pre: str
    post: str
    model: str


@dataclass(frozen=True)
class Operation:
    """One step of the plan on object ``owner``: ``kind`` is ``'state_update'``, ``'summed'``
    (``label`` names the summed variable of the Synapses) or ``'code'`` (``label`` says what it
    does, ``code`` is Brian2 abstract code). ``initial=False`` operations change nothing on the
    first time step of a run, where the ``exact`` scheme forms the state at t = 0 (their
    assignments are gated on the step index, :func:`vle.sim.brian2.code.gated_assignment`)."""

    owner: str
    kind: str
    label: str
    code: str = ""
    initial: bool = True


@dataclass(frozen=True)
class Brian2Program:
    """Everything Brian2 needs, as text. ``stimuli`` and ``targets`` map population names to
    the TimedArray names the code uses; ``constants`` is the namespace (model units, except
    ``t_unit`` which :mod:`vle.sim.brian2.build` supplies)."""

    scheme: str
    groups: tuple[GroupText, ...]
    synapses: tuple[SynapsesText, ...]
    plan: tuple[Operation, ...]
    stimuli: dict[str, str]
    targets: dict[str, str]
    record_when: str
    constants: dict[str, float] = field(default_factory=dict)

    def group(self, population: str) -> GroupText:
        """The group of ``population``."""
        return next(g for g in self.groups if g.population == population)

    def text(self) -> dict[str, str]:
        """Per Brian2 object name: its equations, then its operations in plan order."""
        out = {g.name: f"# NeuronGroup (state updater: {g.method or 'none'})\n{g.equations}"
               for g in self.groups}
        out.update({s.name: f"# Synapses {s.pre} -> {s.post}\n{s.model}" for s in self.synapses})
        for k, op in enumerate(self.plan):
            head = f"\n\n# step {k}: {op.kind} {op.label}"
            if not op.initial:
                head += " (not at t = 0)"
            out[op.owner] += head + (f"\n{op.code}" if op.code else "")
        return out


def group_name(population: str) -> str:
    """The Brian2 name of a population's NeuronGroup."""
    return f"pop_{population}"


def synapses_name(pre: str, post: str) -> str:
    """The Brian2 name of the Synapses of projection ``pre -> post``."""
    return f"syn_{pre}_to_{post}"


def emit_program(
    network: Network,
    *,
    scheme: str,
    learning: LearningRule | None = None,
    targets: Collection[str] = (),
    plastic: bool = False,
) -> Brian2Program:
    """The Brian2 program of ``network`` under ``scheme``; error neurons run when ``targets``
    (output population names) are given and the rule is active, parameters change with
    ``plastic``."""
    if scheme not in SCHEME_PROPERTIES:
        raise ValueError(f"unknown scheme {scheme!r}; use one of {', '.join(SCHEME_PROPERTIES)}")
    rule = learning or LearningRule()
    order, delayed = network.update_order()
    errors = bool(targets) and rule.active
    plastic = plastic and errors
    instant = rule.instant_errors
    opt = rule.optimizer.kind
    neurons = [network.population(n) for n in order]
    inputs = {p.name for p in network.inputs}
    into = {p.name: [pr for pr in network.projections if pr.post == p.name] for p in neurons}
    out_of = {p.name: [pr for pr in network.projections
                       if pr.pre == p.name and errors] for p in neurons}
    keep_prev = {pr.pre for pr in network.projections if pr.name in delayed}
    softmax = {n for n in targets if errors and rule.loss == "ce"}
    learn_bias = plastic and rule.learn_bias
    learn_tau = plastic and rule.learn_tau_m
    stimuli = {p.name: f"x_{p.name}" for p in network.inputs}
    tnames = {n: f"y_{n}" for n in order if n in targets and errors}

    groups = [GroupText(group_name(p.name), p.name, p.size,
                        code.input_equations(stimuli[p.name]), None) for p in network.inputs]
    for p in neurons:
        eqs = code.neuron_equations(
            incoming=[pr.pre for pr in into[p.name]], outgoing=[pr.post for pr in out_of[p.name]],
            errors=errors, instant=instant, keep_prev=p.name in keep_prev,
            softmax=p.name in softmax, optimizer=opt if (learn_bias or learn_tau) else None,
            learn_bias=learn_bias, learn_tau=learn_tau)
        groups.append(GroupText(group_name(p.name), p.name, p.size, eqs, scheme))
    syns = []
    for pr in network.projections:
        source = "r_prev" if (scheme == "exact" and pr.name in delayed) else "r"
        model = code.synapse_model(
            pre=pr.pre, post=pr.post, source=source,
            feedback=rule.feedback if (errors and pr.pre not in inputs) else None,
            optimizer=opt if (plastic and pr.plastic) else None)
        syns.append(SynapsesText(synapses_name(pr.pre, pr.post), pr.name, pr.pre, pr.post, model))
    syns += [SynapsesText(f"softmax_{n}", "", n, n, code.SOFTMAX_MODEL) for n in sorted(softmax)]

    def summed_in(post: str) -> list[Operation]:
        return [Operation(synapses_name(pr.pre, post), "summed", f"I_{pr.pre}_post")
                for pr in into[post]]

    def summed_fb(pre: str) -> list[Operation]:
        return [Operation(synapses_name(pre, pr.post), "summed", f"fb_{pr.post}_pre")
                for pr in out_of[pre] if pr.pre not in inputs]

    def forward(n: str) -> Operation:
        return Operation(group_name(n), "code", "forward",
                         code.forward_code([pr.pre for pr in into[n]], errors and rule.gamma != 0))

    def rate(n: str) -> Operation:
        return Operation(group_name(n), "code", "rate", code.rate_code(network.population(n).phi))

    def error(n: str) -> Operation:
        return Operation(group_name(n), "code", "error", code.error_code(
            target=tnames.get(n), loss=rule.loss, outgoing=[pr.post for pr in out_of[n]],
            instant=instant))

    gated = scheme == "exact"
    # exact: step n >= 1 is Adam step n; step 0 (gated) counts as 1 so its discarded value is
    # finite. euler: step n is Adam step n + 1.
    count = ("(t_in_timesteps + int(t_in_timesteps == 0))" if gated
             else "(t_in_timesteps + 1)")
    weight_ops = [Operation(synapses_name(pr.pre, pr.post), "code", "weight plasticity",
                            code.weight_plasticity_code(
                                opt, count, rule.feedback == "learned" and pr.pre not in inputs,
                                rule.decay > 0, gated), initial=not gated)
                  for pr in network.projections if plastic and pr.plastic]
    param_ops = [Operation(group_name(n), "code", "parameter plasticity",
                           code.parameter_plasticity_code(opt, count, learn_bias, learn_tau,
                                                          rule.ties_tau_r, gated),
                           initial=not gated)
                 for n in order if learn_bias or learn_tau]
    softmax_ops = [Operation(f"softmax_{n}", "summed", "zsm_post") for n in sorted(softmax)]
    updates = [Operation(group_name(n), "state_update", scheme) for n in order]

    plan: list[Operation] = []
    if scheme == "euler":
        for n in order:
            plan += summed_in(n)
        fb_ops = [op for n in order for op in summed_fb(n)]
        before = rule.feedback_weights == "before-update"
        if errors:
            # 'updated': F^T e[n] with this step's F; 'before-update': the F^T e[n + 1] summed
            # after the error operations, before the weights learn, is read in the next step
            plan += ([] if before else fb_ops) + softmax_ops + [error(n) for n in order]
            plan += fb_ops if before else []
        plan += weight_ops + [forward(n) for n in order] + updates + [rate(n) for n in order]
        plan += param_ops
        record_when = "start"
    else:
        plan += updates
        plan += [Operation(group_name(n), "code", "copy", "r_prev = r") for n in order
                 if n in keep_prev]
        for n in order:
            plan += summed_in(n) + [forward(n), rate(n)]
        if errors:
            plan += softmax_ops
            for n in reversed(order):
                plan += summed_fb(n) + [error(n)]
        plan += weight_ops + param_ops
        record_when = "end"
    opt_rule = rule.optimizer
    constants = {"beta": rule.beta, "gamma": rule.gamma, "lr": opt_rule.lr,
                 "tau_lr": rule.tau_lr if rule.tau_lr is not None else opt_rule.lr,
                 "mom": opt_rule.momentum, "beta1": opt_rule.beta1, "beta2": opt_rule.beta2,
                 "adam_eps": opt_rule.eps, "decay": rule.decay,
                 "tau_min": rule.tau_m_min or 0.0}
    return Brian2Program(scheme, tuple(groups), tuple(syns), tuple(plan), stimuli, tnames,
                         record_when, constants)


def brian2_equations(
    network: Network,
    *,
    scheme: str = "exact",
    learning: LearningRule | None = None,
    targets: Collection[str] = (),
    plastic: bool = False,
) -> dict[str, str]:
    """The Brian2 equations and step operations emitted for ``network``, per Brian2 object
    name (``pop_<population>``, ``syn_<pre>_to_<post>``, ``softmax_<population>``).

    Pure text, no Brian2 needed; see :func:`emit_program` for the arguments and the module
    docstring for the step plan of each scheme."""
    return emit_program(network, scheme=scheme, learning=learning, targets=targets,
                        plastic=plastic).text()
