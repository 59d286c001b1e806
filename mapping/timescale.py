"""Pass 2, time scaling: every prospective section to realise, in seconds.

A representation neuron is the section ``(1 + s tau_r)/(1 + s tau_m)``; with learning rules
``gle`` and ``le`` each unit also has an error neuron ``(1 + s tau_m)/(1 + s tau_r)``
(``bp`` has none: ``e = eps``). Model time ``t`` is ``t * time_scale`` seconds.
"""

from __future__ import annotations

from dataclasses import replace

from vle.mapping.plan import Plan, SectionRequest
from vle.mapping.report import Row


def scale_time(plan: Plan) -> tuple[Plan, list[Row], list[str]]:
    """One :class:`SectionRequest` per neuron and error neuron."""
    s = plan.time_scale
    out: list[SectionRequest] = []
    for part in plan.parts:
        errors = part.learning and plan.rule in ("gle", "le")
        for pop in part.network.neurons:
            tau_m, tau_r = pop.taus
            for i in range(pop.size):
                m, r = float(tau_m[i]) * s, float(tau_r[i]) * s
                out.append(SectionRequest(part, pop.name, i, "neuron", r, m))
                if errors:
                    out.append(SectionRequest(part, pop.name, i, "error", m, r))
    note = (f"time scale {s:g} s per model time unit ({plan.technology.name} default "
            f"{plan.technology.time_scale:g})")
    return replace(plan, sections=tuple(out)), [], [note]
