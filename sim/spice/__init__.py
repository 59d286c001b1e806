"""The SPICE backend: compiled circuits run by ngspice and read back as model traces."""
