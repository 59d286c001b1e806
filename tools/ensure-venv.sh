#!/usr/bin/env bash
# Create or reuse .venv and install vle into it (editable, strict mode, with test extras).
#
# Fast when nothing changed: the install is redone only when pyproject.toml or the set of package
# files changes (strict editable installs link each file, so new files need a reinstall; edits
# to existing files are seen at once).
set -eu
venv=${1:-.venv}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

if [ -x "$venv/bin/python" ] && ! "$venv/bin/python" -c \
        'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then
    echo "vle: $venv has an unusable or too old Python; recreating it"
    rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
    py=$(tools/find-python.sh)
    echo "vle: creating $venv with $py ($("$py" --version 2>&1))"
    "$py" -m venv "$venv"
    "$venv/bin/python" -m pip install -q --upgrade pip setuptools wheel
fi

stamp="$venv/.vle-install-stamp"
want=$( { cat pyproject.toml; find model mapping circuits sim learning execution fidelity explore cli -type f \( -name '*.py' -o -name 'py.typed' -o -name "*.html" \) | sort; } | sha1sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "vle: installing the package and its dependencies into $venv"
    log="$venv/pip-install.log"
    if ! "$venv/bin/python" -m pip install --disable-pip-version-check \
            -e ".[test,datasets]" --config-settings editable_mode=strict >"$log" 2>&1 \
       || ! (cd / && "$here/$venv/bin/python" -c "import vle.sim"); then
        tail -n 30 "$log" >&2
        echo "vle: installing into $venv failed; the full pip log is $log" >&2
        exit 1
    fi
    echo "$want" > "$stamp"
fi
