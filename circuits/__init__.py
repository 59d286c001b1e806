"""Circuit data, cells, technologies and the netlist writer (see the circuits issue)."""
