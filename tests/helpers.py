"""Small builders used by several test modules."""

from __future__ import annotations

import importlib.util
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

from vle.model import Model, Network, Population, Projection, SimulationSettings, Step


def single_neuron(tau_m: float, tau_r: float, phi: str = "linear") -> Network:
    """An input driving one neuron through weight 1."""
    return Network("single", (
        Population("x", 1, "input"),
        Population("n", 1, "output", tau_m=tau_m, tau_r=tau_r, phi=phi),
    ), (Projection("x", "n", np.ones((1, 1))),))


def linear_chain(tau_m: tuple[float, ...], tau_r: tuple[float, ...]) -> Network:
    """x -> n0 -> n1 -> ..., linear units, unit weights."""
    pops = [Population("x", 1, "input")]
    projs = []
    for i, (tm, tr) in enumerate(zip(tau_m, tau_r, strict=True)):
        pops.append(Population(f"n{i}", 1, "hidden", tau_m=tm, tau_r=tr, phi="linear"))
        projs.append(Projection(pops[-2].name, pops[-1].name, np.ones((1, 1))))
    return Network("chain", tuple(pops), tuple(projs))


def mixed_network(seed: int = 0, with_cycle: bool = False) -> Network:
    """4 -> 6 -> 5 -> 3 with every nonlinearity, mixed tau_m / tau_r (LE units, lagging units
    and units with tau_r > tau_m), biases; optionally a recurrent projection 5 -> 6."""
    rng = np.random.default_rng(seed)

    def taus(n: int) -> tuple[np.ndarray, np.ndarray]:
        tm = rng.uniform(0.5, 2.0, n)
        tr = tm * rng.choice([1.0, 0.2, 1.5], n)
        return tm, tr

    pops = [Population("x", 4, "input")]
    for name, size, phi in (("a", 6, "tanh"), ("b", 5, "softplus"), ("c", 3, "sigmoid")):
        tm, tr = taus(size)
        pops.append(Population(name, size, "output" if name == "c" else "hidden", tau_m=tm,
                               tau_r=tr, phi=phi, bias=rng.normal(0, 0.2, size)))
    projs = [Projection(a.name, b.name, rng.normal(0, 0.7, (b.size, a.size)))
             for a, b in zip(pops[:-1], pops[1:], strict=True)]
    if with_cycle:
        projs.append(Projection("b", "a", rng.normal(0, 0.3, (6, 5))))
    return Network("mixed", tuple(pops), tuple(projs))


def wide_network(seed: int = 0) -> Network:
    """8 -> 16 -> 8 -> 4 tanh layers (the network of the SPICE issue), the 4 units the output,
    with per-unit time constants of three kinds: LE units (tau_r = tau_m), lagging units
    (tau_r = 0.2 tau_m) and units with tau_r > tau_m (1.5 tau_m); biases."""
    rng = np.random.default_rng(seed)
    pops = [Population("x", 8, "input")]
    for name, size in (("h1", 16), ("h2", 8), ("out", 4)):
        tm = rng.uniform(0.5, 2.0, size)
        tr = tm * np.resize([1.0, 0.2, 1.5], size)
        pops.append(Population(name, size, "output" if name == "out" else "hidden", tau_m=tm,
                               tau_r=tr, phi="tanh", bias=rng.normal(0, 0.2, size)))
    projs = [Projection(a.name, b.name, rng.normal(0, 1.5 / np.sqrt(a.size), (b.size, a.size)))
             for a, b in zip(pops[:-1], pops[1:], strict=True)]
    return Network("wide", tuple(pops), tuple(projs))


def sum_of_sines(n_steps: int, dt: float, size: int, seed: int = 0) -> np.ndarray:
    """A different sum of three sines per unit on the grid, shape ``(n_steps + 1, size)``."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps + 1)[:, None] * dt
    omega = np.array([0.7, 1.9, 3.1])
    phase = rng.uniform(0, 2 * np.pi, (3, size))
    return sum(a * np.sin(w * t + phase[k]) for k, (a, w) in
               enumerate(zip((1.0, 0.5, 0.3), omega, strict=True)))


EXAMPLE_TIME_SCALE = {("lagline_gle", "onchip"): 1e-5}
"""Time scales (s per model unit) for example/technology pairs the technology's default cannot
realise: lagline_gle's output error neuron (q = 20 at tau_r = 0.1) needs tau_r >= 0.16 us on
onchip's 200 MHz op-amps (vle.mapping.value_selection.BANDWIDTH_MARGIN), so 10 us per unit."""


CHROMIUM = shutil.which("chromium")
"""Headless Chromium (Debian: apt-get install chromium), to open pages as a person would."""


def open_in_chromium(page: Path, folder: Path, size: str = "1280,2400"
                     ) -> tuple[Path, list[str], str]:
    """Open ``page`` from its file in headless Chromium: a screenshot (``folder/shot.png``),
    the console messages the page logged, and the DOM after its scripts ran."""
    assert CHROMIUM is not None
    shot = folder / "shot.png"
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", f"--user-data-dir={folder / 'profile'}",
            "--enable-logging=stderr", "--v=0"]
    done = subprocess.run(base + [f"--window-size={size}", f"--screenshot={shot}",
                                  page.as_uri()], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    dom = subprocess.run(base + ["--dump-dom", page.as_uri()], capture_output=True, text=True,
                         timeout=120)
    return shot, console, dom.stdout


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``predicate`` every 50 ms until it holds; fail naming ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout} s")
        time.sleep(0.05)


def fragments(store: Path) -> int:
    """Finished tasks in a result store folder (its complete per-task fragments)."""
    folder = store / "tasks"
    return len([p for p in folder.glob("*.npz") if not p.name.startswith(".")]) \
        if folder.exists() else 0


def sigkill_when(proc: subprocess.Popen[str], predicate: Callable[[], bool], timeout: float,
                 what: str) -> None:
    """SIGKILL ``proc`` once ``predicate`` holds (as a user's ``kill -9`` mid-run would)."""
    try:
        wait_for(predicate, timeout, what)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()


def stepped_unit(name: str, weight: float, amplitude: float, t_stop: float) -> Model:
    """One linear unit (tau_m = 1, tau_r = 0.25) driven through ``weight`` by a step of
    ``amplitude`` from t = 0, dt = 0.01: the closed-form cases of the op-amp non-idealities."""
    net = Network(name, (
        Population("x", 1, "input"),
        Population("n", 1, "output", tau_m=1.0, tau_r=0.25, phi="linear")),
        (Projection("x", "n", np.full((1, 1), weight)),))
    return Model(net, {"x": Step(amplitude)}, SimulationSettings(dt=0.01, t_stop=t_stop))


def load_script(path: Path) -> ModuleType:
    """An example or benchmark script imported as a module (named after its file), so a test
    can call its functions."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
