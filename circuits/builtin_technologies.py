"""The built-in technologies: ``ideal``, ``discrete`` and ``onchip``.

Numbers are typical values, stated so they can be argued with: E96 metal-film resistors (1 %)
and E12 C0G/film capacitors (5 %) on a PCB with a general-purpose op-amp of 5 MHz
gain-bandwidth; a CMOS process with 2 fF/um^2 MIM capacitors, high-resistance poly resistors
and an OTA of 200 MHz gain-bandwidth driving small capacitive loads.

Cost models (:class:`~vle.circuits.technology.CostModel`, used by
:func:`vle.mapping.cost.plan_cost`) are estimates of the same kind: land patterns of
catalogue parts on the PCB, a layout from sheet resistance and capacitor density on chip, and
op-amp quiescent currents proportional to gain-bandwidth (the constants below say from what).
"""

from __future__ import annotations

import math

from vle.circuits.circuit import Options
from vle.circuits.technology import (
    CostModel,
    Mismatch,
    OpAmpSpec,
    Range,
    Technology,
    register_technology,
)

MM2 = 1e-6
"""One square millimetre in m^2."""
UM2 = 1e-12
"""One square micrometre in m^2."""

# --- discrete (PCB) -------------------------------------------------------------------------
PCB_SUPPLY = 30.0
"""V across the rails: +-15 V, the usual supply of op-amps whose output swings +-12 V."""
PCB_OPAMP_CURRENT = 1.5e-3
PCB_OPAMP_GBW = 5e6
"""Quiescent current (A) per amplifier of a general-purpose +-15 V op-amp of this GBW (Hz):
datasheet typicals of the class are 1.4 mA at 3 MHz (TL07x, JFET input) and 1.6 mA at
10 MHz (OPA172); 1.5 mA at 5 MHz is between them. Scaled in proportion to GBW (I_q / GBW
held), a catalogue trend within one process generation, not a law."""
PCB_SWING_SIGMA = 0.5
"""V: spread of an op-amp's output limit across parts. A TL07x at +-15 V into 10 kohm swings
+-13.5 V typical and +-12 V at least (datasheet V_OM); the 1.5 V between them read as 3
sigma. The nominal limit is the guaranteed one (12 V), so a draw is a part nearer to or
further from it."""
PCB_0603 = 3.2 * 1.6 * MM2
"""Courtyard of an 0603 (1608 metric) resistor or C0G capacitor, about 3.2 mm x 1.6 mm
(IPC-7351 nominal land pattern plus courtyard excess; typical)."""
PCB_1206 = 4.4 * 2.2 * MM2
"""Courtyard of a 1206 (3216 metric) C0G or PPS film chip capacitor, about 4.4 mm x 2.2 mm."""
PCB_BOX_5MM = 7.2 * 5.5 * MM2
"""Body of a 5 mm pitch PET box film capacitor up to 1 uF at 63 V (WIMA MKS2 class,
about 7.2 mm x 5.5 mm)."""
PCB_BOX_15MM = 18.0 * 9.0 * MM2
"""Body of a 15 mm pitch PET box film capacitor up to 10 uF at 63 V (WIMA MKS4 class, about
18 mm x 9 mm)."""
PCB_SOIC8_DUAL = 5.5 * 6.5 * MM2 + 2 * PCB_0603
"""A dual op-amp in SOIC-8 (courtyard about 5.5 mm x 6.5 mm) with its two 100 nF 0603
decoupling capacitors; half of it per op-amp."""

# --- onchip (CMOS) --------------------------------------------------------------------------
CHIP_SUPPLY = 1.8
"""V across the rails: +-0.9 V, a 0.18 um process's 1.8 V, enough for outputs in +-0.6 V."""
OTA_CC = 0.5e-12
"""Miller compensation capacitor (F) of the two-stage OTA, held fixed: phase margin ties it
to the load (C_c >= 0.22 C_L for 60 degrees; Allen & Holberg, CMOS Analog Circuit Design,
sec. 6.3), and the loads (a section or a summing node) do not change with GBW."""
OTA_V_OV = 0.2
"""Overdrive voltage V_GS - V_T (V) of the input pair in strong inversion (typical design
value, 0.15-0.25 V; Razavi, Design of Analog CMOS Integrated Circuits, ch. 9)."""
OTA_CURRENT_RATIO = 3.0
"""Total supply current over the input pair's tail current: the second stage needs
g_m2 >= 2.2 g_m1 C_L / C_c for 60 degrees of phase margin (Allen & Holberg), about 2.2 times
the tail current with C_L = 2 C_c at equal overdrive; bias branches are left out."""
OTA_CURRENT_PER_GBW = OTA_CURRENT_RATIO * 2 * math.pi * OTA_CC * OTA_V_OV
"""A/Hz. Miller OTA: GBW = g_m1 / (2 pi C_c), and in strong inversion g_m1 = 2 I_D / V_ov =
I_tail / V_ov, so I_tail = 2 pi GBW C_c V_ov and I_q = OTA_CURRENT_RATIO I_tail
(at 200 MHz: 126 uA tail, 377 uA in all)."""
OTA_CORE_AREA = 2000 * UM2
"""Transistors, common-centroid matching, guard rings and local routing of a two-stage OTA in
a 0.18 um process, about 40 um x 50 um (a typical figure, not a drawn layout). Held fixed
with GBW: at these currents devices are a few um wide and the layout, not W, sets the area."""
OTA_SWING_SIGMA = 0.02
"""V: spread of the OTA's output limit across the die and corners: the output stage leaves
a saturation voltage (about the 0.2 V overdrive, ``OTA_V_OV``) to each rail, which moves by
some tens of mV with threshold mismatch and process; 20 mV is a typical figure, not a
simulated one."""
CHIP_CAPACITOR_DENSITY = 2e-3
"""F/m^2: a foundry-typical MIM capacitor of 2 fF/um^2."""
CHIP_RESISTOR_OVERHEAD = 1.0
"""A serpentine of high-resistance poly with spacing equal to its width covers twice its
drawn area W L."""
CHIP_RESISTOR_HEAD = 2 * 2.0 * UM2
"""Two contact heads, about 2 um^2 each (contacts and their enclosure)."""

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
    opamp=OpAmpSpec(dc_gain=1e5, gbw=5e6, v_low=-12.0, v_high=12.0, offset_sigma=1e-3,
                    swing_sigma=PCB_SWING_SIGMA),
    # thick-film 0603 chip resistors are rated +-100 ppm/K, C0G (NP0) ceramics 0 +- 30 ppm/K
    # (EIA class 1); each part's own coefficient anywhere in its rating
    resistor_tc_spread=100e-6,
    capacitor_tc_spread=30e-6,
    weight_capacitance=1e-6,
    # film capacitor insulation resistance of about 10 Gohm x uF
    weight_leak_tau=1e4,
    cost=CostModel(
        supply_voltage=PCB_SUPPLY,
        opamp_current_per_gbw=PCB_OPAMP_CURRENT / PCB_OPAMP_GBW,
        opamp_area=PCB_SOIC8_DUAL / 2,
        resistor_footprint=PCB_0603,
        # C0G reaches about 10 nF in 0603 and 100 nF in 1206; above, film capacitors
        capacitor_footprints=((10e-9, PCB_0603), (100e-9, PCB_1206), (1e-6, PCB_BOX_5MM),
                              (10e-6, PCB_BOX_15MM)),
        assumptions=(
            "op-amps: +-15 V supplies, 1.5 mA per amplifier at 5 MHz GBW (between TL07x and "
            "OPA172 datasheet typicals), scaled in proportion to GBW",
            "op-amp area: half a SOIC-8 dual package with its two 0603 decoupling capacitors",
            "resistors: 0603 courtyards (IPC-7351 nominal, typical); capacitors: 0603 C0G up to "
            "10 nF, 1206 up to 100 nF, 5 mm and 15 mm pitch box film capacitors up to 1 uF and "
            "10 uF",
            "area is the sum of part courtyards: no routing, connectors or spacing between "
            "parts (a dense board needs about 1.5-2 times that)",
        )),
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
    capacitor_density=CHIP_CAPACITOR_DENSITY,
    weight_bits=8,
    weight_max=4.0,
    opamp=OpAmpSpec(dc_gain=1e4, gbw=200e6, v_low=-0.6, v_high=0.6, offset_sigma=2e-3,
                    swing_sigma=OTA_SWING_SIGMA),
    weight_capacitance=1e-12,
    # junction leakage of about 1 fA at 0.1 V on 1 pF
    weight_leak_tau=100.0,
    mismatch=Mismatch(resistor_pelgrom=5e-9, capacitor_pelgrom=5e-9, resistor_sheet=1e3,
                      resistor_width=1e-6),
    # high-resistance p+ poly: about -1e-3 /K (process documents give -0.5 to -1.5e-3 /K);
    # MIM capacitors about +30 ppm/K; one coefficient per layer on the die (no spread)
    resistor_tc=-1e-3,
    capacitor_tc=30e-6,
    cost=CostModel(
        supply_voltage=CHIP_SUPPLY,
        opamp_current_per_gbw=OTA_CURRENT_PER_GBW,
        opamp_area=OTA_CORE_AREA + OTA_CC / CHIP_CAPACITOR_DENSITY,
        resistor_overhead=CHIP_RESISTOR_OVERHEAD,
        resistor_head_area=CHIP_RESISTOR_HEAD,
        assumptions=(
            "op-amps: two-stage Miller OTAs on 1.8 V, I_q = 3 x 2 pi GBW C_c V_ov with "
            "C_c = 0.5 pF fixed and V_ov = 0.2 V (strong inversion; Razavi, Allen & Holberg), "
            "377 uA at 200 MHz",
            "op-amp area: 2000 um^2 of devices and local routing (typical, not a drawn layout) "
            "plus C_c at the MIM density, independent of GBW",
            "resistors: high-resistance poly, L = (R / R_sheet) W at 1 kohm/sq and W = 1 um, "
            "twice W L for the serpentine's spacing plus 4 um^2 of contact heads",
            "capacitors: MIM plate area C / (2 fF/um^2), no spacing; a quantised conductance is "
            "the one resistor the netlist holds, not a programmable conductance DAC",
            "area is the sum of the parts: no routing between cells, pads or bias generation",
        )),
    tolerance=0.01,
    options=Options(reltol=1e-4, abstol=1e-15, vntol=1e-7, chgtol=1e-18, method="gear"),
))
