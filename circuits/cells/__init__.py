"""Cells: one function per circuit block, each returning a
:class:`~vle.circuits.circuit.Subcircuit` and documenting its equation and topology."""

from vle.circuits.cells.crossbar import crossbar, plastic_crossbar, transposed_crossbar
from vle.circuits.cells.multiplier import multiplier
from vle.circuits.cells.nonlinearity import phi_cell, phi_expression, phi_prime_cell
from vle.circuits.cells.opamp import follower, opamp
from vle.circuits.cells.plasticity import plasticity_element
from vle.circuits.cells.sections import lag_section, lead_section
from vle.circuits.cells.softmax import softmax_error
from vle.circuits.cells.summing import summing_amplifier, summing_node

__all__ = [
    "crossbar",
    "follower",
    "lag_section",
    "lead_section",
    "multiplier",
    "opamp",
    "phi_cell",
    "phi_expression",
    "phi_prime_cell",
    "plastic_crossbar",
    "plasticity_element",
    "softmax_error",
    "summing_amplifier",
    "summing_node",
    "transposed_crossbar",
]
