# Two commands on a fresh machine: `make demo` (the main job) and `make test` (the tests).
# Both create or reuse .venv, install what they need, and are safe to run again.
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test setup system-deps venv lint netlists clean

setup: system-deps venv

system-deps:
	@tools/system-deps.sh

venv:
	@tools/ensure-venv.sh $(VENV)

# pytest exits 5 when it collects no tests: not a failure of the code under test.
test: setup
	$(PY) -m pytest $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(PY) -m ruff check .
	tools/typecheck.sh

demo: setup
	$(PY) examples/demo.py --out demo-output

# The golden netlists (netlists/*.cir, checked by tests/test_netlist_golden.py) change only here.
netlists: venv
	$(PY) -m vle netlist --golden netlists

lint: venv
	$(PY) -m ruff check .
	tools/typecheck.sh

clean:
	rm -rf build demo-output .pytest_cache .mypy_cache .ruff_cache
