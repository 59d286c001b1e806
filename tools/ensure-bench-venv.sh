#!/usr/bin/env bash
# Create or reuse .venv-bench: a Python 3.11 venv with torch (CPU) and numpy, where
# benchmarks/torch_step.py (the plain-PyTorch MNIST-1D training step) runs.
#
# Why a second venv: the project's .venv is Python 3.13 (brian2 needs it), and PyPI's torch
# wheel for 3.13 is the multi-GB CUDA build; the CPU wheel on these machines is for 3.11
# (/opt/wheels/torch-2.13.0+cpu-cp311-...). Users whose Python has CPU torch wheels can
# instead `pip install -e ".[bench]"` (the optional extra) and run the same script.
#
# Safe to rerun: does nothing when torch already imports. Prints what is missing and exits 2
# when no Python 3.11 or no CPU torch wheel for it can be found.
set -eu
venv=${1:-.venv-bench}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
wheels=${VLE_TORCH_WHEELS:-/opt/wheels}

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import torch, numpy' 2>/dev/null; then
    exit 0
fi
py=""
for cand in python3.11 python3 "$(command -v pyenv >/dev/null 2>&1 && pyenv root)/versions/3.11"*/bin/python3; do
    if [ -n "$cand" ] && "$cand" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' \
            2>/dev/null; then
        py=$cand
        break
    fi
done
if [ -z "$py" ]; then
    echo "vle bench: no Python 3.11 found (tried python3.11, python3, pyenv 3.11.*);" \
         "install Python 3.11 (e.g. apt-get install python3.11-venv or pyenv install 3.11)" >&2
    exit 2
fi
# Only the local CPU wheel: the package index's Linux torch wheel is the multi-GB CUDA build.
if ! ls "$wheels"/torch-*+cpu-cp311*.whl >/dev/null 2>&1; then
    echo "vle bench: no CPU torch wheel for Python 3.11 in $wheels; put" \
         "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl there (or set" \
         "VLE_TORCH_WHEELS to its folder), or install the bench extra where your Python" \
         "has CPU torch wheels" >&2
    exit 2
fi
find_links=(--find-links "$wheels")
rm -rf "$venv"
echo "vle bench: creating $venv with $py ($("$py" --version 2>&1)) and installing torch (CPU)"
"$py" -m venv "$venv"
log="$venv/pip-install.log"
if ! "$venv/bin/python" -m pip install --disable-pip-version-check "${find_links[@]}" \
        "torch==2.13.0" "numpy>=1.26" >"$log" 2>&1 \
   || ! "$venv/bin/python" -c 'import torch, numpy'; then
    tail -n 20 "$log" >&2
    echo "vle bench: installing torch into $venv failed (full log: $log); put the CPU wheel" \
         "torch-2.13.0+cpu-cp311-...whl into $wheels (or set VLE_TORCH_WHEELS)" >&2
    exit 2
fi
echo "vle bench: $venv ready ($("$venv/bin/python" -c 'import torch; print("torch", torch.__version__)'))"
