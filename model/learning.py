"""Learning: the rule (``[learning]``), its optimiser, and teacher targets (``[target.X]``)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from vle.model import converters
from vle.model.errors import ModelError
from vle.model.network import Network

RULES: tuple[str, ...] = ("gle", "le", "bp", "none")
"""``gle``: error neurons with swapped time constants (equations.md section 2). ``le``: the
same with ``tau_r`` forced to ``tau_m`` everywhere (then ``e = eps``). ``bp``: instantaneous
errors ``e = eps``, no error-neuron dynamics. ``none``: no errors, no plasticity."""
LOSSES: tuple[str, ...] = ("mse", "ce")
"""``mse``: ``e_target = beta (y - r_L)``; ``ce``: cross-entropy on linear outputs,
``e_target = beta (onehot(y) - softmax(r_L))``."""
FEEDBACK: tuple[str, ...] = ("transpose", "random", "learned")
"""Error path matrix B: ``W^T`` (exact), fixed random, or learned with the mirrored rule
``dB/dt = eta r e^T`` plus the same decay on W and B (Kolen-Pollack)."""
OPTIMIZERS: tuple[str, ...] = ("sgd", "momentum", "adam")
FEEDBACK_WEIGHTS: tuple[str, ...] = ("updated", "before-update")
"""Which feedback matrix the euler scheme's error step multiplies ``e[n]`` by: ``updated``, the
matrix of step n (after the previous step's update, the state at step n); ``before-update``,
the matrix before that update (the product ``F^T e[n]`` is formed in the previous step, before
its optimiser step), as the GLE authors' code does. Both are first order in dt and differ by
``dF^T e``, a term of the order of the learning rate that is correlated with the error it is
added to. The exact scheme forms its errors within the step, before the step's update, under
either setting."""


@dataclass(frozen=True)
class Optimizer:
    """How the per-step gradient ``g = -e r^T dt`` (accumulated over one step) moves a
    parameter.

    ``sgd``: ``W -= lr g``, i.e. ``dW/dt = lr e r^T`` (``lr`` per model time unit).
    ``momentum``: ``m = momentum m + g; W -= lr m``. ``adam``: the usual bias-corrected Adam with
    ``beta1``, ``beta2``, ``eps`` (scale-free in ``g``, so ``lr`` is per step).
    """

    kind: str = "sgd"
    lr: float = 1e-3
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    def __post_init__(self) -> None:
        converters.choice("learning.optimizer.kind", self.kind, OPTIMIZERS)
        object.__setattr__(self, "lr", converters.number("learning.optimizer.lr", self.lr,
                                                     positive=True))
        for name in ("momentum", "beta1", "beta2"):
            v = converters.number(f"learning.optimizer.{name}", getattr(self, name), nonneg=True)
            if v >= 1:
                raise ModelError(f"learning.optimizer.{name}", f"got {v:g}", "a number in [0, 1)")
            object.__setattr__(self, name, v)
        object.__setattr__(self, "eps", converters.number("learning.optimizer.eps", self.eps,
                                                      positive=True))


@dataclass(frozen=True)
class LearningRule:
    """The learning rule of a model (equations.md section 2).

    ``beta`` scales the target error, ``gamma`` nudges the membrane with the error
    (``tau_m du/dt = -u + W r + b + gamma e``). Weights of plastic projections always learn;
    biases learn when ``learn_bias``. With ``learn_tau_m``, membrane time constants
    follow ``dtau_m/dt = -eta_tau e du/dt`` (``tau_lr`` is the optimiser rate for them, default
    the optimiser's ``lr``) and never fall below ``tau_m_min``. ``feedback`` chooses the error
    path; ``feedback_seed`` draws the random matrices, ``decay`` is the weight decay (per model
    time unit) of the learned-feedback (Kolen-Pollack) rule. ``feedback_weights`` says whether
    the euler scheme feeds errors back through the updated matrix or the one before the
    update (:data:`FEEDBACK_WEIGHTS`).
    """

    rule: str = "gle"
    loss: str = "mse"
    beta: float = 1.0
    gamma: float = 0.0
    optimizer: Optimizer = field(default_factory=Optimizer)
    learn_tau_m: bool = False
    learn_bias: bool = True
    tau_lr: float | None = None
    tau_m_min: float | None = None
    feedback: str = "transpose"
    feedback_seed: int = 0
    decay: float = 0.0
    feedback_weights: str = "updated"

    def __post_init__(self) -> None:
        converters.choice("learning.rule", self.rule, RULES)
        converters.choice("learning.loss", self.loss, LOSSES)
        object.__setattr__(self, "beta", converters.number("learning.beta", self.beta, nonneg=True))
        object.__setattr__(self, "gamma", converters.number("learning.gamma", self.gamma))
        converters.boolean("learning.learn_tau_m", self.learn_tau_m)
        converters.boolean("learning.learn_bias", self.learn_bias)
        if self.tau_lr is not None:
            object.__setattr__(self, "tau_lr", converters.number("learning.tau_lr", self.tau_lr,
                                                             positive=True))
        if self.tau_m_min is not None:
            object.__setattr__(self, "tau_m_min", converters.number(
                "learning.tau_m_min", self.tau_m_min, positive=True))
        converters.choice("learning.feedback", self.feedback, FEEDBACK)
        converters.integer("learning.feedback_seed", self.feedback_seed, minimum=0)
        converters.choice("learning.feedback_weights", self.feedback_weights, FEEDBACK_WEIGHTS)
        object.__setattr__(self, "decay", converters.number("learning.decay", self.decay,
                                                        nonneg=True))

    @property
    def active(self) -> bool:
        """True when errors are computed (every rule but ``none``)."""
        return self.rule != "none"

    @property
    def ties_tau_r(self) -> bool:
        """True when the rule runs with ``tau_r = tau_m`` in every population (``le``); a
        learned ``tau_m`` then moves ``tau_r`` with it. :func:`rule_network` applies it."""
        return self.rule == "le"

    @property
    def instant_errors(self) -> bool:
        """True when the error is the instantaneous ``e = eps`` (``bp``; ``le``, whose error
        sections are wires because ``tau_r = tau_m``)."""
        return self.rule in ("bp", "le")


def rule_network(network: Network, rule: LearningRule | None) -> Network:
    """The network whose dynamics ``rule`` runs: under ``le`` (:attr:`LearningRule.ties_tau_r`)
    every non-input population has ``tau_r = tau_m`` (equations.md section 2); any other rule,
    or none, leaves ``network`` as it is.

    The one home of that rule: the reference, Brian2, the mapper and the alignment diagnostic
    all call it.
    """
    if rule is None or not rule.ties_tau_r:
        return network
    return Network(network.name, tuple(p if p.is_input else replace(p, tau_r=p.tau_m)
                                       for p in network.populations), network.projections)


@dataclass(frozen=True, eq=False)
class Teacher:
    """A target produced by a teacher network driven by the same stimuli: the rate ``r`` of the
    teacher's population ``population`` (same size as the student's output). ``source`` is the
    teacher's model file."""

    network: Network
    population: str
    source: str = ""

    def __post_init__(self) -> None:
        try:
            self.network.population(self.population)
        except KeyError:
            raise ModelError("target.model", f"the teacher has no population "
                             f"{self.population!r}", "a teacher with a population of the same "
                             "name as the student's output") from None
