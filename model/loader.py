"""Read model files (TOML) into validated :class:`~vle.model.model.Model` objects.

Every problem is one :class:`~vle.model.errors.ModelError` naming the file, the key and what
was expected. Arrays too large for TOML live in ``.npz`` (or ``.npy``) files that the TOML names
relative to its own folder.
"""

from __future__ import annotations

import dataclasses
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from vle.model import converters
from vle.model.budget import check_memory, format_bytes
from vle.model.dataset import DATASETS, DatasetSpec
from vle.model.errors import ModelError
from vle.model.learning import LearningRule, Optimizer, Teacher
from vle.model.model import Model
from vle.model.network import Network
from vle.model.population import Population
from vle.model.projection import Projection
from vle.model.settings import SimulationSettings
from vle.model.stimulus import Pwl, Stimulus
from vle.model.table import Table

_POPULATION_KEYS = ("name", "kind", "size", "tau_m", "tau_r", "phi", "bias", "drive_limits")
_INPUT_KEYS = ("name", "kind", "size")
_PROJECTION_KEYS = ("pre", "post", "weights", "init", "file", "plastic")
_INIT_KEYS = {
    "normal": ("kind", "mean", "std", "seed"),
    "uniform": ("kind", "low", "high", "seed"),
    "constant": ("kind", "value"),
}


def load_model(path: str | Path, *, max_memory: int | None = None) -> Model:
    """Load and validate the model file at ``path``. A model whose parameters alone would
    exceed ``max_memory`` bytes (default :func:`vle.model.budget.default_budget`) is refused
    before they are built."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ModelError("(file)", "no such file", "an existing model file", file=path) from None
    except IsADirectoryError:
        raise ModelError("(file)", "is a folder", "a model file (TOML text)", file=path) from None
    except OSError as exc:
        raise ModelError("(file)", f"cannot be read ({exc.strerror})", "a readable file",
                         file=path) from None
    try:
        data = tomllib.loads(toml_text(raw))
    except ModelError as exc:
        raise exc.in_file(path) from None
    except tomllib.TOMLDecodeError as exc:
        raise ModelError("(syntax)", str(exc), "valid TOML", file=path) from None
    try:
        return model_from_dict(data, base_dir=path.parent, source=path, max_memory=max_memory)
    except ModelError as exc:
        raise exc.in_file(path) from None


def model_files(folder: str | Path) -> list[Path]:
    """The model files among ``folder/*.toml``, sorted: those with a ``[network]`` table. Run
    files (a sweep's ``[sweep]``, a fidelity run's ``[fidelity]``) name their model instead;
    a file that is no valid TOML is kept, so that loading it reports the problem."""
    out = []
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            data = tomllib.loads(toml_text(path.read_bytes()))
        except (ModelError, tomllib.TOMLDecodeError, OSError):
            out.append(path)
            continue
        if "network" in data or not ({"sweep", "fidelity"} & set(data)):
            out.append(path)
    return out


def toml_text(raw: bytes) -> str:
    """The text of a model file's bytes; a binary or non-UTF-8 file is a :class:`ModelError`
    (TOML is UTF-8 text by definition, and a NUL byte never occurs in text)."""
    expected = "a TOML text file (UTF-8), such as examples/lagline.toml"
    nul = raw.find(b"\0")
    if nul >= 0:
        raise ModelError("(file)", f"is not a TOML text file (binary data: a NUL byte at "
                         f"byte {nul})", expected)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelError("(file)", f"is not a TOML text file (not UTF-8: byte "
                         f"0x{raw[exc.start]:02x} at byte {exc.start})", expected) from None


def model_from_dict(
    data: dict[str, Any], *, base_dir: Path = Path("."), source: Path | None = None,
    max_memory: int | None = None,
) -> Model:
    """Build a :class:`Model` from the parsed TOML ``data``; files are relative to ``base_dir``;
    ``max_memory`` as for :func:`load_model`."""
    top = Table(data, "", ("network", "population", "projection", "stimulus", "simulation",
                           "learning", "target", "dataset"))
    name = converters.identifier("network.name",
                             Table(top.get("network", expected="a [network] table"), "network",
                                   ("name",)).get("name", expected="a network name"))
    raw_pops = top.get("population", expected="[[population]] tables")
    if not isinstance(raw_pops, list) or not raw_pops:
        raise ModelError("population", "not a list of tables", "[[population]] tables")
    check_parameter_memory(raw_pops, top.get("projection", []), max_memory)
    pops = tuple(_population(raw, i) for i, raw in enumerate(raw_pops))
    sizes: dict[str, int] = {}
    for p in pops:
        if p.name in sizes:
            raise ModelError(f"population.{p.name}", "the name is used twice",
                             "unique population names")
        sizes[p.name] = p.size
    raw_projs = top.get("projection", [])
    if not isinstance(raw_projs, list):
        raise ModelError("projection", "not a list of tables", "[[projection]] tables")
    projs = tuple(_projection(raw, i, sizes, base_dir) for i, raw in enumerate(raw_projs))
    network = Network(name, pops, projs)
    stim_table = Table(top.get("stimulus", {}), "stimulus", tuple(sizes))
    stimuli = {k: stimulus_from_table(v, f"stimulus.{k}", base_dir)
               for k, v in stim_table.data.items()}
    sim = top.sub("simulation", ("dt", "t_stop", "scheme"))
    settings = SimulationSettings(
        dt=sim.get("dt", expected="a number > 0"),
        t_stop=sim.get("t_stop", expected="a number > 0"),
        scheme=sim.get("scheme", "exact"),
    )
    learning = _learning(top.get("learning")) if top.has("learning") else None
    target_table = Table(top.get("target", {}), "target", tuple(sizes))
    targets = {k: _target(v, f"target.{k}", k, base_dir, max_memory)
               for k, v in target_table.data.items()}
    dataset = None
    if top.has("dataset"):
        ds = top.sub("dataset", [f.name for f in dataclasses.fields(DatasetSpec)])
        ds.get("name", expected="a dataset name: " + ", ".join(DATASETS))
        ds.get("input", expected="the input population the sequences stream into")
        ds.get("output", expected="the output population that classifies")
        dataset = DatasetSpec(**ds.data)
    return Model(network, stimuli, settings, source, learning, targets, dataset)


_LEARNING_KEYS = ("rule", "loss", "beta", "gamma", "optimizer", "learn_tau_m", "learn_bias",
                  "tau_lr",
                  "tau_m_min", "feedback", "feedback_seed", "decay", "feedback_weights")
_OPTIMIZER_KEYS = ("kind", "lr", "momentum", "beta1", "beta2", "eps")


def _learning(raw: Any) -> LearningRule:
    t = Table(raw, "learning", _LEARNING_KEYS)
    kwargs = {k: v for k, v in t.data.items() if k != "optimizer"}
    if t.has("optimizer"):
        opt = t.sub("optimizer", _OPTIMIZER_KEYS)
        opt.get("kind", expected="one of 'sgd', 'momentum', 'adam'")
        kwargs["optimizer"] = Optimizer(**opt.data)
    return LearningRule(**kwargs)


def _target(raw: Any, path: str, name: str, base_dir: Path,
            max_memory: int | None) -> Stimulus | Teacher:
    if isinstance(raw, dict) and raw.get("kind") == "teacher":
        t = Table(raw, path, ("kind", "model", "population"))
        file = t.get("model", expected="the teacher's model file, e.g. 'teacher.toml'")
        if not isinstance(file, str):
            raise ModelError(t.key("model"), f"got {file!r}", "a file name")
        try:
            teacher = load_model(base_dir / file, max_memory=max_memory)
        except ModelError as exc:
            raise ModelError(t.key("model"), f"the teacher model is invalid: {exc}",
                             "a valid model file") from None
        pop = converters.identifier(t.key("population"), t.get("population", name))
        try:
            return Teacher(teacher.network, pop, file)
        except ModelError:
            # Teacher does not know which target it serves; name the key to change here
            known = ", ".join(repr(p.name) for p in teacher.network.neurons)
            given = "" if t.has("population") else " (the default: the student's output name)"
            raise ModelError(t.key("population"), f"the teacher {file!r} has no population "
                             f"{pop!r}{given}", f"population = one of the teacher's "
                             f"populations ({known}), of the same size as {name!r}") from None
    return stimulus_from_table(raw, path, base_dir)


PARAMETER_ARRAYS = 4
"""Arrays per unit a loaded model holds and the run copies at least once (tau_m, tau_r, bias
and the layout's flat copy)."""


def check_parameter_memory(raw_pops: Any, raw_projs: Any, budget: int | None) -> None:
    """Refuse a model file whose sizes alone (parameters per unit, one weight per pair of
    units) exceed the memory budget, before any array is built; entries that are not
    well-formed are left to their own checks."""
    sizes: dict[str, int] = {}
    for i, raw in enumerate(raw_pops if isinstance(raw_pops, list) else ()):
        size = raw.get("size") if isinstance(raw, dict) else None
        if isinstance(size, int) and not isinstance(size, bool) and size > 0:
            sizes[str(raw.get("name", f"[{i}]"))] = size
    parts = {f"population.{n}.size": (n_ * PARAMETER_ARRAYS * 8.0, f"{n_:.4g} units x "
                                      f"{PARAMETER_ARRAYS} parameters")
             for n, n_ in sizes.items()}
    for raw in raw_projs if isinstance(raw_projs, list) else ():
        if isinstance(raw, dict) and raw.get("pre") in sizes and raw.get("post") in sizes:
            pre, post = raw["pre"], raw["post"]
            parts[f"projection.{pre}->{post}"] = (sizes[pre] * sizes[post] * 8.0,
                                                  f"{sizes[post]} x {sizes[pre]} weights")
    if not parts:
        return
    total = sum(b for b, _ in parts.values())
    key, (top, what) = max(parts.items(), key=lambda kv: kv[1][0])
    check_memory(key, total, f"the parameters alone; {what}: {format_bytes(top)}", budget)


def _population(raw: Any, index: int) -> Population:
    if not isinstance(raw, dict):
        raise ModelError(f"population[{index}]", f"got {raw!r}"[:80], "a table")
    if "name" not in raw:
        raise ModelError(f"population[{index}].name", "missing", "a population name")
    name = converters.identifier(f"population[{index}].name", raw["name"])
    kind = raw.get("kind", "hidden")
    allowed = _INPUT_KEYS if kind == "input" else _POPULATION_KEYS
    t = Table(raw, f"population.{name}", allowed)
    kwargs: dict[str, Any] = {"name": name, "kind": kind,
                              "size": t.get("size", expected="an integer >= 1")}
    if kind != "input":
        kwargs["tau_m"] = t.get("tau_m", expected="a number > 0 or a list with one per unit")
        for key in ("tau_r", "phi", "bias", "drive_limits"):
            if t.has(key):
                kwargs[key] = t.get(key)
        if not t.has("phi"):
            raise ModelError(t.key("phi"), "missing", "one of 'tanh', 'sigmoid', 'softplus', "
                             "'relu', 'hardtanh', 'linear' (no default: phi changes the model)")
    return Population(**kwargs)


def _projection(raw: Any, index: int, sizes: dict[str, int], base_dir: Path) -> Projection:
    t = Table(raw, f"projection[{index}]", _PROJECTION_KEYS)
    pre = converters.identifier(t.key("pre"), t.get("pre", expected="a population name"))
    post = converters.identifier(t.key("post"), t.get("post", expected="a population name"))
    t = Table(raw, f"projection.{pre}->{post}", _PROJECTION_KEYS)
    for end, name in (("pre", pre), ("post", post)):
        if name not in sizes:
            raise ModelError(t.key(end), f"no population named {name!r}",
                             "one of " + ", ".join(map(repr, sizes)))
    shape = (sizes[post], sizes[pre])
    given = [k for k in ("weights", "init", "file") if t.has(k)]
    if len(given) != 1:
        raise ModelError(t.path, f"got {' and '.join(given) or 'none'} of weights, init, file",
                         "exactly one of weights (inline), init (an initialiser table) or "
                         "file ('w.npz:key')")
    if given[0] == "weights":
        w = converters.real_array(t.key("weights"), t.get("weights"), shape=shape)
    elif given[0] == "init":
        w = _init_weights(t.get("init"), t.key("init"), shape)
    else:
        w = converters.real_array(t.key("file"), _array_from_file(t.get("file"), t.key("file"),
                                                              base_dir), shape=shape)
    return Projection(pre, post, w, t.get("plastic", True))


def _init_weights(raw: Any, key: str, shape: tuple[int, int]) -> np.ndarray:
    kind = converters.choice(f"{key}.kind", Table(raw, key, ("kind", "mean", "std", "seed", "low",
                                                         "high", "value")).get(
        "kind", expected="normal, uniform or constant"), tuple(_INIT_KEYS))
    t = Table(raw, key, _INIT_KEYS[kind])
    if kind == "constant":
        return np.full(shape, converters.number(t.key("value"), t.get("value")))
    seed = converters.integer(t.key("seed"), t.get(
        "seed", expected="an integer seed (random weights must be reproducible)"), minimum=0)
    rng = np.random.default_rng(seed)
    if kind == "normal":
        mean = converters.number(t.key("mean"), t.get("mean", 0.0))
        std = converters.number(t.key("std"), t.get("std", expected="a number >= 0"), nonneg=True)
        return rng.normal(mean, std, size=shape)
    low = converters.number(t.key("low"), t.get("low", expected="a number"))
    high = converters.number(t.key("high"), t.get("high", expected="a number > low"))
    if not high > low:
        raise ModelError(t.key("high"), f"got {high:g} <= low = {low:g}", "high > low")
    return rng.uniform(low, high, size=shape)


def _array_from_file(spec: Any, key: str, base_dir: Path, name: str | None = None) -> np.ndarray:
    """Read ``'file.npz:array'`` (or ``'file.npy'``; or ``spec`` a file and ``name`` the array)."""
    if not isinstance(spec, str) or not spec:
        raise ModelError(key, f"got {spec!r}", "a file name such as 'weights.npz:W'")
    if name is None and ":" in spec:
        spec, name = spec.rsplit(":", 1)
    path = base_dir / spec
    expected = "a readable .npz file holding the named array, or a .npy file"
    try:
        loaded = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise ModelError(key, f"file {str(path)!r} does not exist", expected) from None
    except IsADirectoryError:
        raise ModelError(key, f"{str(path)!r} is a folder", expected) from None
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise _not_numeric(key, path, exc) from None
    if isinstance(loaded, np.ndarray):
        return loaded
    with loaded:
        names = list(loaded.files)
        if name is None:
            if len(names) != 1:
                raise ModelError(key, f"{str(path)!r} holds arrays {names}",
                                 f"'{spec}:<array name>' naming one of them")
            name = names[0]
        if name not in names:
            raise ModelError(key, f"{str(path)!r} has no array {name!r} (it has {names})",
                             "the name of an array in the file")
        try:
            return np.asarray(loaded[name])
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
            raise _not_numeric(key, path, exc, name) from None


def _not_numeric(key: str, path: Path, exc: Exception, name: str | None = None) -> ModelError:
    """The error for a file (or an array in it) that numpy cannot read as numbers.

    numpy falls back to unpickling anything without a .npy or .npz header, so a corrupt file
    surfaces as a refusal to load pickled data; the file is then simply not an array file.
    """
    what = f"array {name!r} in {str(path)!r}" if name else f"file {str(path)!r}"
    if "Object arrays" in str(exc):
        problem = f"{what} holds Python objects, not numbers"
    elif name is None and "pickled" in str(exc):
        problem = f"{what} is not a .npy or .npz file (no numpy header)"
    else:
        problem = f"{what} is not a valid numeric array file ({type(exc).__name__}: {exc})"
    return ModelError(key, problem, "a .npy or .npz file of numeric arrays written by "
                      "numpy.save / numpy.savez")


def stimulus_from_table(raw: Any, path: str, base_dir: Path) -> Stimulus:
    """Build a stimulus (or target) signal from its TOML table."""
    kinds = tuple(Stimulus.registry) + (("teacher",) if path.startswith("target") else ())
    kind = converters.choice(f"{path}.kind", Table(raw, path, ("kind", "file", *_all_fields())).get(
        "kind", expected="one of " + ", ".join(kinds)), kinds)
    cls = Stimulus.registry[kind]
    if cls is Pwl:
        t = Table(raw, path, ("kind", "file", "t", "values"))
        file = t.get("file", expected="an .npz file holding the time points and values")
        tk = converters.identifier(t.key("t"), t.get("t", expected="the name of the time array"))
        vk = converters.identifier(t.key("values"), t.get("values",
                                                      expected="the name of the values array"))
        # _array_from_file's errors already carry the full key (path.file)
        times = _array_from_file(file, t.key("file"), base_dir, tk)
        vals = _array_from_file(file, t.key("file"), base_dir, vk)
        try:
            return Pwl(t=times, values=vals, source=file)
        except ModelError as exc:
            raise ModelError(exc.key.replace("stimulus", path, 1), exc.problem,
                             exc.expected) from None
    t = Table(raw, path, ("kind", *_fields(cls)))
    try:
        return cls(**{k: v for k, v in t.data.items() if k != "kind"})
    except ModelError as exc:
        raise ModelError(exc.key.replace("stimulus", path, 1), exc.problem,
                         exc.expected) from None


def _fields(cls: type[Stimulus]) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.name != "source")  # type: ignore[arg-type]


def _all_fields() -> tuple[str, ...]:
    out: dict[str, None] = {}
    for cls in Stimulus.registry.values():
        out.update(dict.fromkeys(_fields(cls)))
    return tuple(out)
