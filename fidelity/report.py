"""The fidelity report: PNG plots and one HTML page that opens from the file, with no server
and no script (tables as HTML, the plots embedded as data URIs, the PNGs also beside it).

Contents: what was run (model, technology, non-idealities with their magnitudes, backend,
samples, seed, command), a table of every metric over the samples (mean, standard deviation,
median, 95th percentile, the worst sample), histograms of each trace's NRMSE and of the
output's gain and phase errors, the worst samples' output traces over the ideal one, the
sensitivity ranking when one was run, and every failed sample with its message.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from vle.fidelity.metrics import LONG_NAMES, UNITS, metric_kind

TITLE = "vle fidelity report"


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@dataclass(frozen=True)
class Overlay:
    """Traces for the overlay plot: the ideal ``reference`` and the worst samples' ``samples``
    (sample index -> trace), all ``(time, unit)`` on ``time`` (model time units)."""

    trace: str
    time: np.ndarray
    reference: np.ndarray
    samples: Mapping[int, np.ndarray]


@dataclass(frozen=True)
class SensitivityRow:
    """One non-ideality alone (or at one magnitude): ``metric`` mean and spread over samples."""

    nonideality: str
    magnitude: str
    metric: str
    mean: float
    std: float
    samples: int


def metric_names(ds: xr.Dataset) -> list[str]:
    """The metric variables of a fidelity dataset, in file order."""
    return [str(v) for v in ds.data_vars if ":" in str(v)]


def summary_rows(ds: xr.Dataset, dim: str = "sample") -> list[dict[str, Any]]:
    """Per metric: mean, std, median, p95 of the finished samples, and the worst sample (the
    largest magnitude)."""
    ok = ds["status"].values == "ok" if "status" in ds else np.ones(ds.sizes[dim], bool)
    rows = []
    for name in metric_names(ds):
        vals = np.asarray(ds[name].values, dtype=np.float64)[ok]
        fin = np.isfinite(vals)
        if not fin.any():
            continue
        v = vals[fin]
        worst = int(np.argmax(np.abs(np.where(fin, vals, 0.0))))
        index = ds[dim].values[ok][worst]
        rows.append({"metric": name, "mean": float(v.mean()), "std": float(v.std()),
                     "median": float(np.median(v)), "p95": float(np.quantile(np.abs(v), 0.95)),
                     "worst": float(vals[worst]), "worst_sample": int(index),
                     "units": UNITS[metric_kind(name)], "n": int(v.size)})
    return rows


def _save(plt: Any, fig: Any, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def histograms(ds: xr.Dataset, kind: str, out: Path, *, traces: Sequence[str] | None = None
               ) -> Path | None:
    """One histogram panel per trace of the metric ``kind`` (``nrmse``, ``gain``, ...)."""
    names = [n for n in metric_names(ds) if metric_kind(n) == kind
             and (traces is None or n.split(":")[0] in traces)]
    if not names:
        return None
    ok = ds["status"].values == "ok"
    plt = _pyplot()
    cols = min(3, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.6 * rows), squeeze=False)
    for ax, name in zip(axes.ravel(), names, strict=False):
        v = np.asarray(ds[name].values, dtype=np.float64)[ok]
        v = v[np.isfinite(v)]
        ax.hist(v, bins=max(5, min(40, v.size // 3 or 1)), color="#4477aa")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(f"{kind} ({UNITS[kind]})", fontsize=8)
        ax.set_ylabel("samples", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(names):]:
        ax.axis("off")
    return _save(plt, fig, out / f"hist_{kind}.png")


def overlay_plot(overlay: Overlay, out: Path, units: str) -> Path:
    """The worst samples' output traces over the ideal one (unit 0 of each trace)."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.plot(overlay.time, overlay.reference[:, 0], color="black", lw=2, label="ideal (numba)")
    for i, tr in overlay.samples.items():
        ax.plot(overlay.time, tr[:, 0], lw=1, label=f"sample {i}")
    ax.set_xlabel("time (model time units)")
    ax.set_ylabel(f"{overlay.trace} ({units})")
    ax.legend(fontsize=8)
    ax.set_title(f"{overlay.trace}: the worst samples against the ideal model", fontsize=10)
    return _save(plt, fig, out / "worst_samples.png")


def sensitivity_plot(rows: Sequence[SensitivityRow], out: Path) -> Path | None:
    """Bars of the mean metric of each non-ideality alone, largest first, with its spread."""
    alone = sorted((r for r in rows if r.magnitude == "technology"), key=lambda r: -r.mean)
    if not alone:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(alone) + 1.2))
    ax.barh([r.nonideality for r in alone][::-1], [r.mean for r in alone][::-1],
            xerr=[r.std for r in alone][::-1], color="#cc6677")
    ax.set_xlabel(f"{alone[0].metric} (mean +- std over samples; "
                  f"{UNITS[metric_kind(alone[0].metric)]})")
    ax.set_title("sensitivity: each non-ideality alone at its technology value", fontsize=10)
    return _save(plt, fig, out / "sensitivity.png")


def oat_plot(rows: Sequence[SensitivityRow], out: Path) -> Path | None:
    """The one-at-a-time sweep: the metric's mean (and spread) against the magnitude, as a
    multiple of the technology's value, one line per non-ideality."""
    def factor(r: SensitivityRow) -> float:
        return 1.0 if r.magnitude == "technology" else float(r.magnitude.lstrip("x"))

    names = sorted({r.nonideality for r in rows})
    if not any(r.magnitude != "technology" for r in rows):
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for name in names:
        pts = sorted((factor(r), r.mean, r.std) for r in rows if r.nonideality == name)
        f, m, s = (np.array(v) for v in zip(*pts, strict=True))
        ax.errorbar(f, m, yerr=s, marker="o", capsize=3, label=name)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("magnitude (multiple of the technology's value)")
    ax.set_ylabel(f"{rows[0].metric} ({UNITS[metric_kind(rows[0].metric)]})")
    ax.legend(fontsize=8)
    ax.set_title("one-at-a-time sweep of each non-ideality's magnitude", fontsize=10)
    return _save(plt, fig, out / "sensitivity_sweep.png")


def learning_plot(ds: xr.Dataset, out: Path) -> Path:
    """Per sample, the task loss deployed as is, fine-tuned on the sample and hardware-aware
    trained (log scale), with the nominal parts' loss as a line."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.6))
    x = np.arange(ds.sizes["sample"])
    for name, colour in (("as_is", "#cc6677"), ("fine_tuned", "#117733"),
                         ("hardware_aware", "#4477aa")):
        ax.plot(x, ds[name].values, "o", color=colour, ms=4, label=name.replace("_", " "))
    ax.axhline(float(ds["nominal"].values[0]), color="0.4", ls="--", lw=1, label="nominal parts")
    ax.set_yscale("log")
    ax.set_xlabel("sample")
    ax.set_ylabel("task loss")
    ax.set_title(f"learning on the circuit: {ds.attrs.get('epochs')} epochs of the local rule "
                 f"(plain SGD, lr {ds.attrs.get('lr')})", fontsize=10)
    ax.legend(fontsize=8)
    return _save(plt, fig, out / "learning.png")


def learning_rows(ds: xr.Dataset) -> list[tuple[str, str, str, str]]:
    """Per deployment: median and mean task loss and, against as-is, the samples it beats."""
    rows = []
    as_is = ds["as_is"].values
    for name in ("as_is", "fine_tuned", "hardware_aware"):
        v = ds[name].values
        beats = "" if name == "as_is" else f"{int(np.sum(v < as_is))} of {v.size}"
        rows.append((name.replace("_", " "), _fmt(float(np.median(v))), _fmt(float(v.mean())),
                     beats))
    return rows


def _fmt(x: float) -> str:
    return "nan" if not math.isfinite(x) else f"{x:.3g}"


def _img(path: Path | None, alt: str) -> str:
    if path is None:
        return ""
    data = base64.b64encode(path.read_bytes()).decode()
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{html.escape(alt)}">'
            f"<figcaption>{html.escape(alt)} ({html.escape(path.name)})</figcaption></figure>")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>"
                   for r in rows)
    return f'<table class="{cls}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


_STYLE = """
body{font-family:sans-serif;margin:2em auto;max-width:70em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:0.9em}
th,td{border:1px solid #bbb;padding:0.25em 0.6em;text-align:right}
th{background:#eee} td:first-child,th:first-child{text-align:left}
table.facts td{text-align:left}
figure{margin:1em 0} img{max-width:100%} figcaption{font-size:0.8em;color:#555}
.failed td{color:#a00}
"""


def write_report(ds: xr.Dataset, out: str | Path, *, overlay: Overlay | None = None,
                 sensitivity: Sequence[SensitivityRow] = (), output_trace: str | None = None,
                 command: str = "", learning: xr.Dataset | None = None) -> Path:
    """Write ``out/report.html`` and its PNGs from a fidelity dataset; returns the page."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    attrs = ds.attrs
    status = ds["status"].values
    done, failed = int(np.sum(status == "ok")), int(np.sum(status != "ok"))
    facts = [("model", str(attrs.get("model", ""))),
             ("technology", str(attrs.get("technology", ""))),
             ("non-idealities", str(attrs.get("nonidealities_described", ""))),
             ("backend", str(attrs.get("backend", ""))),
             ("samples", f"{done} finished, {failed} failed"),
             ("seed", str(attrs.get("seed", ""))),
             ("command", command or str(attrs.get("command", "")))]
    parts = [f"<h1>{TITLE}</h1>",
             _table(("what", "value"), facts, "facts"),
             "<h2>Metrics over the samples</h2>",
             "<p>Against the ideal model on the numba reference, on the model's grid. "
             "gain@w and phase@w: relative gain and phase (radians) errors at angular "
             "frequency w. P.W:grad_*: for a model that learns, the circuit's accumulated "
             "weight update on projection P against the ideal model's and against its own "
             "exact gradient (adjoint), as cosine and norm ratio.</p>"]
    rows = summary_rows(ds)
    shown = [r for r in rows if metric_kind(r["metric"]) in ("nrmse", "max_abs", "delay")
             or metric_kind(r["metric"]).startswith("grad_")
             or (output_trace is not None and r["metric"].startswith(output_trace + ":"))]
    parts.append(_table(("metric", "units", "mean", "std", "median", "p95 |x|", "worst",
                         "worst sample"),
                        [(r["metric"], r["units"], _fmt(r["mean"]), _fmt(r["std"]),
                          _fmt(r["median"]), _fmt(r["p95"]), _fmt(r["worst"]),
                          str(r["worst_sample"])) for r in shown], "metrics"))
    if len(shown) < len(rows):
        parts.append(f"<p>Gain and phase of the other traces: {len(rows) - len(shown)} more "
                     "metrics in <code>samples/results.nc</code>.</p>")
    parts.append("<h2>Distributions</h2>")
    parts.append(_img(histograms(ds, "nrmse", out), "NRMSE of every trace"))
    if output_trace is not None:
        for kind in ("gain", "phase"):
            parts.append(_img(histograms(ds, kind, out, traces=[output_trace]),
                              f"{LONG_NAMES[kind]} of {output_trace}"))
    if overlay is not None:
        parts.append("<h2>Worst samples</h2>")
        parts.append(_img(overlay_plot(overlay, out, "model units"),
                          f"{overlay.trace} of the worst samples"))
    if sensitivity:
        parts.append("<h2>Sensitivity</h2>")
        parts.append(_img(sensitivity_plot(sensitivity, out), "sensitivity ranking"))
        parts.append(_img(oat_plot(sensitivity, out), "one-at-a-time sweep of the magnitude"))
        parts.append(_table(("non-ideality", "magnitude", "metric", "mean", "std", "samples"),
                            [(r.nonideality, r.magnitude, r.metric, _fmt(r.mean), _fmt(r.std),
                              str(r.samples)) for r in sensitivity], "sensitivity"))
    if learning is not None and learning.sizes.get("sample", 0):
        parts.append("<h2>Learning on the circuit</h2>")
        parts.append(f"<p>The trained model on each drawn circuit as it is, after "
                     f"{learning.attrs.get('epochs')} epochs of its local rule on the circuit "
                     "itself (plain SGD on the plastic weights, as the plasticity elements "
                     "realise it), and hardware-aware trained (a new draw per epoch). Nominal "
                     f"parts: task loss {_fmt(float(learning['nominal'].values[0]))}.</p>")
        parts.append(_table(("deployment", "median loss", "mean loss", "better than as is"),
                            learning_rows(learning), "learning"))
        parts.append(_img(learning_plot(learning, out), "task loss per sample"))
    if failed:
        idx = ds["sample"].values
        msgs = ds["message"].values if "message" in ds else [""] * len(idx)
        parts.append("<h2>Failed samples</h2>")
        parts.append(_table(("sample", "status", "message"),
                            [(str(i), str(s), str(m)) for i, s, m in zip(idx, status, msgs,
                                                                         strict=True)
                             if s != "ok"], "failed"))
    page = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{TITLE}</title><style>{_STYLE}</style></head><body>"
            + "\n".join(parts) + "</body></html>\n")
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    return path
