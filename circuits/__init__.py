"""Circuit data, cells, technologies and the netlist writer.

Elements and subcircuits are frozen, validated data (:mod:`~vle.circuits.elements`,
:mod:`~vle.circuits.circuit`); :func:`write_netlist` is the one writer (ngspice dialect);
:mod:`~vle.circuits.cells` builds the blocks of a prospective-neuron circuit; technologies are
data registered by name (:mod:`~vle.circuits.technology` defines them,
:mod:`~vle.circuits.builtin_technologies` holds ``ideal``, ``discrete`` and ``onchip``);
:func:`transfer_function` analyses the linear part of any circuit.

May import: numpy, scipy and PySpice (for :func:`to_pyspice`); nothing else of ``vle``: a
circuit knows nothing of the model it came from.
"""

from vle.circuits import builtin_technologies as _builtin_technologies  # noqa: F401  (registers the built-ins)
from vle.circuits import opamp_swing as _opamp_swing  # noqa: F401  (registers opamp-swing)
from vle.circuits.circuit import Circuit, Options, Section, Subcircuit, Transient
from vle.circuits.elements import (
    Behavioral,
    Capacitor,
    CurrentSource,
    Element,
    Instance,
    Resistor,
    Vccs,
    Vcvs,
    VoltageSource,
)
from vle.circuits.engineering import format_value, parse_value
from vle.circuits.errors import CircuitError
from vle.circuits.netlist import write_netlist
from vle.circuits.probes import Probe, ProbeMap
from vle.circuits.pyspice import to_pyspice
from vle.circuits.smallsignal import TransferFunction, transfer_function
from vle.circuits.technology import (
    OpAmpSpec,
    Technology,
    get_technology,
    register_technology,
    technology_names,
)
from vle.circuits.waveforms import Dc, Pulse, Pwl, Sin, TrRandom

__all__ = [
    "Behavioral",
    "Capacitor",
    "Circuit",
    "CircuitError",
    "CurrentSource",
    "Dc",
    "Element",
    "Instance",
    "OpAmpSpec",
    "Options",
    "Probe",
    "ProbeMap",
    "Pulse",
    "Pwl",
    "Resistor",
    "Section",
    "Sin",
    "Subcircuit",
    "Technology",
    "TrRandom",
    "TransferFunction",
    "Transient",
    "Vccs",
    "Vcvs",
    "VoltageSource",
    "format_value",
    "get_technology",
    "parse_value",
    "register_technology",
    "technology_names",
    "to_pyspice",
    "transfer_function",
    "write_netlist",
]
