"""The compiler from models to circuits: :func:`compile`, an ordered list of small passes
(:data:`PASSES`) and the :class:`MappingReport` of what it realised."""

from vle.mapping.compiler import PASSES, compile, plan_for
from vle.mapping.errors import MappingError
from vle.mapping.report import MappingReport, Row

__all__ = ["PASSES", "MappingError", "MappingReport", "Row", "compile", "plan_for"]
