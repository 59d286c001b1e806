"""The built-in technologies: ``ideal``, ``discrete`` and ``onchip``.

Numbers are typical values, stated so they can be argued with: E96 metal-film resistors (1 %)
and E12 C0G/film capacitors (5 %) on a PCB with a general-purpose op-amp of 5 MHz
gain-bandwidth; a CMOS process with 2 fF/um^2 MIM capacitors, high-resistance poly resistors
and an OTA of 200 MHz gain-bandwidth driving small capacitive loads.
"""

from __future__ import annotations

from vle.circuits.circuit import Options
from vle.circuits.technology import Mismatch, OpAmpSpec, Range, Technology, register_technology

IDEAL = register_technology(Technology(
    name="ideal",
    description="exact values, ideal controlled and behavioural sources (the equations as a "
                "circuit)",
    time_scale=1e-3,
    v_unit=1.0,
    behavioural=True,
    selection="exact",
    unit_resistance=1e3,
    feedback_resistance=1e3,
    weight_capacitance=1e-6,
    # Tight tolerances: the ideal netlist is compared with the reference to 1e-3 NRMSE.
    options=Options(reltol=1e-6, abstol=1e-12, vntol=1e-9, chgtol=1e-16, method="gear"),
))

DISCRETE = register_technology(Technology(
    name="discrete",
    description="PCB: E96 resistors (1 %), E12 capacitors (5 %), op-amps of 5 MHz GBW",
    time_scale=1e-3,
    v_unit=1.0,
    behavioural=False,
    selection="series",
    unit_resistance=10e3,
    feedback_resistance=10e3,
    resistor=Range(100.0, 1e6, "ohm"),
    capacitor=Range(100e-12, 10e-6, "F"),
    resistor_series="E96",
    capacitor_series="E12",
    resistor_tolerance=0.01,
    capacitor_tolerance=0.05,
    opamp=OpAmpSpec(dc_gain=1e5, gbw=5e6, v_low=-12.0, v_high=12.0, offset_sigma=1e-3),
    weight_capacitance=1e-6,
    # film capacitor insulation resistance of about 10 Gohm x uF
    weight_leak_tau=1e4,
    tolerance=0.015,
    options=Options(reltol=1e-4, abstol=1e-12, vntol=1e-7, chgtol=1e-15, method="gear"),
))

ONCHIP = register_technology(Technology(
    name="onchip",
    description="CMOS: MIM capacitors (2 fF/um^2, unit 5 fF), poly resistors, OTAs of 200 MHz "
                "GBW, 8-bit conductances",
    time_scale=1e-6,
    v_unit=0.1,
    behavioural=False,
    selection="unit-capacitor",
    unit_resistance=200e3,
    feedback_resistance=100e3,
    resistor=Range(1e3, 10e6, "ohm"),
    capacitor=Range(5e-15, 20e-12, "F"),
    capacitor_unit=5e-15,
    capacitor_density=2e-3,
    weight_bits=8,
    weight_max=4.0,
    opamp=OpAmpSpec(dc_gain=1e4, gbw=200e6, v_low=-0.6, v_high=0.6, offset_sigma=2e-3),
    weight_capacitance=1e-12,
    # junction leakage of about 1 fA at 0.1 V on 1 pF
    weight_leak_tau=100.0,
    mismatch=Mismatch(resistor_pelgrom=5e-9, capacitor_pelgrom=5e-9, resistor_sheet=1e3,
                      resistor_width=1e-6),
    tolerance=0.01,
    options=Options(reltol=1e-4, abstol=1e-15, vntol=1e-7, chgtol=1e-18, method="gear"),
))
