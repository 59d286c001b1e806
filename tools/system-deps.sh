#!/usr/bin/env bash
# Make sure the Debian packages the SPICE backend needs are present (ngspice, libngspice0,
# libngspice0-dev), and Chromium, which the tests use to open the fidelity report as a person
# would (headless, from the file). Installs them with apt-get when running as root; otherwise prints the exact
# command to run. Never fails the build: the SPICE and browser tests skip with a clear reason
# when ngspice or Chromium is missing.
set -u
pkgs=(ngspice libngspice0 libngspice0-dev chromium)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "vle: ngspice is not installed and this is not a Debian-like system; install ngspice" \
         "(version 39 or newer) and its shared library with your package manager." >&2
    exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
    echo "vle: installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/dev/null; then
        echo "vle: apt-get could not install ${missing[*]}; SPICE tests will be skipped" >&2
    fi
else
    echo "vle: missing system packages ${missing[*]} (needed by the SPICE backend). Run:" >&2
    echo "    sudo apt-get install ${missing[*]}" >&2
fi
exit 0
