"""The compiler from models to circuits: :func:`compile`, an ordered list of small passes
(:data:`PASSES`) and the :class:`MappingReport` of what it realised.

One module per pass: :mod:`~vle.mapping.variant` (the learning rule's effect on the network),
:mod:`~vle.mapping.timescale`, :mod:`~vle.mapping.value_selection` (R and C from tau under the
technology's ranges and series), :mod:`~vle.mapping.weights` (conductances, signs,
quantisation), :mod:`~vle.mapping.cell_selection` (a cell for every block, and their wiring),
:mod:`~vle.mapping.assembly` (sources, analyses, options, initial conditions and probes
around the cells, as one circuit); the plan they pass along (:mod:`~vle.mapping.plan`) and the
report. :func:`plan_cost` (:mod:`~vle.mapping.cost`) estimates what a compiled circuit costs:
area, static power, energy and speed per population and projection.

May import: :mod:`vle.model` and :mod:`vle.circuits`; never :mod:`vle.sim`,
:mod:`vle.learning` or the face.
"""

from vle.mapping.compiler import PASSES, compile, compile_plan, plan_for
from vle.mapping.cost import CostReport, PopulationCost, plan_cost
from vle.mapping.errors import MappingError
from vle.mapping.report import MappingReport, Row
from vle.mapping.variation import Variation

__all__ = ["PASSES", "CostReport", "MappingError", "MappingReport", "PopulationCost", "Row",
           "Variation", "compile", "compile_plan", "plan_cost", "plan_for"]
