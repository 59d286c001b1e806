#!/usr/bin/env bash
# Print the path of the newest usable Python >= 3.12 on this machine, or explain what to install.
#
# "Usable" means the interpreter runs and can create a virtual environment. Names on PATH are
# tried by running them, because pyenv shims exist for every installed version but fail
# ("command not found") unless that version is selected; pyenv's own installs are tried directly.
set -u

ok() {
    "$1" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info >= (3, 12) else 1)' \
        >/dev/null 2>&1
}

# newest minor first: python3.13 on PATH and pyenv's 3.13 installs before any 3.12
candidates=()
pyenv_root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
for minor in 13 12; do
    candidates+=(python3."$minor")
    for dir in $(ls -d "$pyenv_root"/versions/3."$minor"* 2>/dev/null | sort -rV); do
        candidates+=("$dir/bin/python3")
    done
done
candidates+=(python3)

for c in "${candidates[@]}"; do
    if ok "$c"; then
        command -v "$c" 2>/dev/null || echo "$c"
        exit 0
    fi
done

cat >&2 <<MSG
vle needs Python >= 3.12 (3.13 recommended: brian2 2.11 needs it) with the venv module.
None was found (tried: ${candidates[*]}).
Install one, for example:
    sudo apt-get install python3.13 python3.13-venv     # Debian/Ubuntu with 3.13 available
    pyenv install 3.13                                 # with pyenv
then run the make command again.
MSG
exit 1
