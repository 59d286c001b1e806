"""The rate nonlinearities phi and their derivatives phi'.

A population's rate is ``r = phi(ub)`` and the error path needs ``r' = phi'(ub)``
(equations.md section 2). These numpy versions are the definitions; every backend (numba
kernels, Brian2 equations, SPICE behavioural sources) implements the same formulas and is tested
against these.

=========  ==============================  ==================================
name       phi(x)                          phi'(x)
=========  ==============================  ==================================
linear     x                               1
tanh       tanh(x)                         1 - tanh(x)^2
sigmoid    1 / (1 + exp(-x))               sigmoid(x) (1 - sigmoid(x))
softplus   log(1 + exp(x))                 sigmoid(x)
relu       max(x, 0)                       1 for x > 0, else 0
hardtanh   min(max(x, -1), 1)              1 for -1 < x < 1, else 0
=========  ==============================  ==================================
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

PHI_NAMES: tuple[str, ...] = ("linear", "tanh", "sigmoid", "softplus", "relu", "hardtanh")
"""Names accepted for a population's ``phi``; the index is the code the numba kernels use."""


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # exp of a negative argument only, so no overflow for large |x|
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


_PHI: dict[str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]] = {
    "linear": (lambda x: x.copy(), np.ones_like),
    "tanh": (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2),
    "sigmoid": (_sigmoid, lambda x: _sigmoid(x) * (1.0 - _sigmoid(x))),
    "softplus": (_softplus, _sigmoid),
    "relu": (lambda x: np.maximum(x, 0.0), lambda x: (x > 0).astype(np.float64)),
    "hardtanh": (
        lambda x: np.clip(x, -1.0, 1.0),
        lambda x: ((x > -1.0) & (x < 1.0)).astype(np.float64),
    ),
}


def phi(name: str, x: np.ndarray) -> np.ndarray:
    """phi(x) for the nonlinearity ``name`` (dimensionless, elementwise)."""
    return _PHI[name][0](np.asarray(x, dtype=np.float64))


def phi_prime(name: str, x: np.ndarray) -> np.ndarray:
    """phi'(x) for the nonlinearity ``name`` (dimensionless, elementwise)."""
    return _PHI[name][1](np.asarray(x, dtype=np.float64))


def phi_code(name: str) -> int:
    """The integer code of ``name`` used by the compiled kernels."""
    return PHI_NAMES.index(name)
