#!/usr/bin/env bash
# Run mypy over the whole mapped package. The strict editable install keeps a link tree of the
# package as it is imported (vle, vle.model, vle.sim, ...) under build/__editable__.*; checking
# it from there lets mypy see the subpackages that live in top-level folders.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
tree=$(ls -d "$here"/build/__editable__.vle-*/ 2>/dev/null | head -n 1)
if [ -z "$tree" ]; then
    echo "typecheck: no editable install found; run 'make venv' first" >&2
    exit 1
fi
cd "$tree"
exec "$here/.venv/bin/python" -m mypy --config-file "$here/pyproject.toml" -p vle
