"""Pass 1, learning variant: apply the rule's effect on the network and state what the
circuit cannot do.

``le`` sets ``tau_r = tau_m`` everywhere (equations.md section 2). Feedback other than the
exact transpose has no realisation yet (an error). Optimisers other than plain SGD and tau_m
learning have no physical realisation: the circuit integrates ``dW/dt = lr e r^T`` (and, with
``learn_bias``, ``db/dt = lr e`` on bias capacitors) continuously and the report says so.
"""

from __future__ import annotations

from dataclasses import replace

from vle.circuits.names import RESERVED
from vle.mapping.errors import MappingError
from vle.mapping.plan import Plan
from vle.mapping.report import Row
from vle.model.learning import rule_network


def learning_variant(plan: Plan) -> tuple[Plan, list[Row], list[str]]:
    """Apply ``le``; refuse unsupported feedback; note what has no realisation."""
    notes: list[str] = []
    _check_names(plan)
    rule = plan.learning
    if rule is None or not rule.active:
        return plan, [], notes
    if rule.feedback != "transpose":
        raise MappingError("learning", "feedback", f"= {rule.feedback!r} has no circuit "
                           "realisation yet", hint="use feedback = 'transpose' (the crossbar "
                           "read in the transposed direction)")
    parts = plan.parts
    if rule.ties_tau_r:
        parts = (replace(parts[0], network=rule_network(parts[0].network, rule)), *parts[1:])
        notes.append("rule 'le': tau_r set to tau_m in every population, so every section "
                     "is a wire and e = eps")
    opt = rule.optimizer
    if opt.kind != "sgd":
        notes.append(f"optimizer {opt.kind!r} has no physical realisation: the plasticity "
                     f"elements integrate plain SGD, dW/dt = lr e r^T with lr = {opt.lr:g} per "
                     "model time unit")
    if rule.feedback_weights != "updated":
        notes.append(f"feedback_weights = {rule.feedback_weights!r} orders the euler "
                     "scheme's discrete step; the circuit is continuous in time, its error "
                     "currents flow through the crossbar as it is at every instant")
    if rule.learn_tau_m:
        notes.append("learn_tau_m has no realisation (it needs voltage-controlled "
                     "resistors): tau_m stays fixed in the circuit")
    if rule.learn_bias:
        notes.append("learn_bias: every bias is a weight capacitor charged by lr e from the "
                     "1-unit rail (a plasticity element) and read by a plastic column from "
                     "the rail, db/dt = lr e")
    else:
        notes.append("learn_bias = false: biases are fixed conductances from the rail")
    steps = sorted({p.phi for p in parts[0].network.neurons if p.phi in ("relu", "hardtanh")})
    if rule.gamma != 0 and steps:
        notes.append(f"gamma != 0 with phi {', '.join(steps)}: the nudging closes an "
                     "instantaneous loop ub -> phi' -> e -> I -> ub through a step function, "
                     "which can have no continuous solution; SPICE may stop with 'timestep "
                     "too small' (a discrete-time simulator cuts the loop with a one-step lag)")
    if rule.loss == "ce":
        notes.append("loss 'ce': the softmax target error is a behavioural source")
    if plan.learning is not None and plan.learning.rule == "bp":
        notes.append("rule 'bp': e = eps, no error-neuron dynamics (no v trace)")
    return replace(plan, parts=parts), [], notes


def _check_names(plan: Plan) -> None:
    """Refuse populations named by a reserved SPICE word (:data:`vle.circuits.names.RESERVED`)
    and populations whose SPICE names coincide: SPICE ignores case, and the teacher's
    populations appear as ``teacher_<name>``."""
    seen: dict[str, str] = {}
    for part in plan.parts:
        for pop in part.network.populations:
            if pop.is_input and part.prefix:
                continue  # the teacher shares the student's inputs
            full = part.prefix + pop.name
            if full.lower() in RESERVED:
                raise MappingError(f"population {full}", "name", "is a reserved SPICE word; "
                                   "generated titles and comments would carry it",
                                   "a name that is not one of " + ", ".join(sorted(RESERVED)),
                                   "rename the population")
            other = seen.get(full.lower())
            seen[full.lower()] = full
            if other is not None:
                raise MappingError(f"population {full}", "name", "gives the same SPICE names "
                                   f"as population {other!r} (SPICE ignores case; the "
                                   "teacher's populations are prefixed 'teacher_')",
                                   hint="rename one of them")
