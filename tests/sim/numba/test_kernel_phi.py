"""The numba kernels' own phi and phi' against the numpy definitions (vle.model.nonlinearity).

The kernels evaluate the nonlinearities by hand (tanh by a series and doubling, in float64 and
in float32), so every code and both float types are checked over a wide input range: small,
subnormal, moderate and large |x|, and the kinks of relu and hardtanh.
"""

from __future__ import annotations

import numpy as np
import pytest

from vle.model.nonlinearity import PHI_NAMES, phi, phi_code, phi_prime
from vle.sim.numba._kernel_ops import phi_rows

EPS64 = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)

PHI_RTOL = {np.float64: 6 * EPS64, np.float32: 6 * EPS32}
"""Relative accuracy of phi. The hand-written tanh is documented as "a few ulp": its series,
the doublings of expm1 and the final division each round (measured against numpy on 4e6 points:
4.5 eps in float64, 3.7 eps in float32); sigmoid and softplus use the same formulas as numpy
but numba's exp and log1p, which differ from numpy's by up to about one ulp."""
PHI_ATOL = {np.float64: float(np.finfo(np.float64).tiny),
            np.float32: float(np.finfo(np.float32).tiny)}
"""Below the smallest normal number of the type (subnormal results) there is no relative
precision to hold; such values must only be that small."""
PRIME_ATOL = {np.float64: 8 * EPS64, np.float32: 8 * EPS32}
"""phi' of tanh and sigmoid is formed from phi (``1 - y^2``, ``s (1 - s)``), so it inherits
phi's absolute rounding of a few eps and loses relative precision where phi' is tiny (large
|x|; the numpy definition does the same). Measured: 5 eps (tanh, both types)."""
PRIME_RTOL = {np.float64: 6 * EPS64, np.float32: 6 * EPS32}
"""Where phi' is not small, the relative accuracy of phi carries over."""


def _inputs(dtype: type) -> np.ndarray:
    """A wide range of inputs representable in ``dtype``: a dense grid on [-30, 30], tiny and
    huge magnitudes of both signs, the exact kinks and zero."""
    big = 1e300 if dtype is np.float64 else 3e38
    tiny = np.finfo(dtype).tiny
    mags = np.logspace(np.log10(tiny) - 3, np.log10(big), 700)
    x = np.concatenate([
        np.linspace(-30.0, 30.0, 60_001),
        mags, -mags,
        np.random.default_rng(0).normal(0.0, 3.0, 20_000),
        [0.0, -0.0, 1.0, -1.0, 19.99, 20.0, 20.01, -20.0, 10.0, -10.0, big, -big],
    ])
    return x.astype(dtype)


def _kernel(code: int, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """r and r' from the kernel, on a (units, batch) array split over two row ranges."""
    n = x.size
    ub = x.reshape(-1, 1).copy() if n % 2 else x.reshape(-1, 2).copy()
    r = np.full_like(ub, np.nan)
    rp = np.full_like(ub, np.nan)
    half = ub.shape[0] // 2
    phi_rows(code, ub, r, rp, 0, half)
    phi_rows(code, ub, r, rp, half, ub.shape[0])
    return r.reshape(-1), rp.reshape(-1)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", PHI_NAMES)
def test_kernel_phi_and_derivative_match_definitions(name, dtype):
    x = _inputs(dtype)
    r, rp = _kernel(phi_code(name), x)
    assert r.dtype == dtype and rp.dtype == dtype
    exact_x = x.astype(np.float64)  # the reference at exactly the kernel's input
    ref, dref = phi(name, exact_x), phi_prime(name, exact_x)
    assert np.all(np.isfinite(r)) and np.all(np.isfinite(rp))
    err = np.abs(r - ref)
    bound = PHI_RTOL[dtype] * np.abs(ref) + PHI_ATOL[dtype]
    worst = int(np.argmax(err / bound))
    assert err[worst] <= bound[worst], (
        f"{name} phi({x[worst]!r}) = {r[worst]!r}, definition {ref[worst]!r}")
    derr = np.abs(rp - dref)
    dbound = PRIME_RTOL[dtype] * np.abs(dref) + PRIME_ATOL[dtype]
    worst = int(np.argmax(derr / dbound))
    assert derr[worst] <= dbound[worst], (
        f"{name} phi'({x[worst]!r}) = {rp[worst]!r}, definition {dref[worst]!r}")


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_kernel_tanh_saturates_and_is_odd(dtype):
    """Beyond the cap (|x| >= 20 in float64, 10 in float32) tanh is +-1 to rounding and phi' is
    0 or a rounding residue; the kernel tanh is exactly odd (it is built on |x|)."""
    x = _inputs(dtype)
    x = x[x > 0]
    r_pos, _ = _kernel(phi_code("tanh"), x)
    r_neg, _ = _kernel(phi_code("tanh"), -x)
    np.testing.assert_array_equal(r_neg, -r_pos)
    far = x >= (20.0 if dtype is np.float64 else 10.0)
    r, rp = _kernel(phi_code("tanh"), x[far])
    assert np.all(np.abs(r - 1.0) <= np.finfo(dtype).eps)
    assert np.all(rp <= PRIME_ATOL[dtype])


def test_codes_follow_phi_names():
    """The kernel's codes are the positions in PHI_NAMES (a reordering would swap phis)."""
    x = np.array([-2.0, -0.5, 0.5, 2.0])
    for code, name in enumerate(PHI_NAMES):
        r, _ = _kernel(code, x)
        matches = [other for other in PHI_NAMES
                   if np.allclose(r, phi(other, x), rtol=1e-12, atol=0)]
        assert matches == [name]
