#!/usr/bin/env bash
# Creates (or reuses) a Python venv with sslyze, for tests/presets.rs:
# the Mozilla server-side TLS check of the presets. Rebuildable: delete the
# directory to start over. Prints the path of the sslyze program.
#
#   scripts/sslyze-venv.sh            # target/sslyze-venv
#   SSLYZE_VENV=/some/dir scripts/sslyze-venv.sh
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${SSLYZE_VENV:-target/sslyze-venv}"
# The version whose Mozilla guideline TESTING.md records (5.7).
version="${SSLYZE_VERSION:-6.3.1}"
if [ ! -x "$venv/bin/sslyze" ] || ! "$venv/bin/python" -m pip show sslyze 2>/dev/null | grep -qx "Version: $version"; then
    # --clear: a half-made venv from an interrupted run is not reused.
    python3 -m venv --clear "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --retries 5 --timeout 60 "sslyze==$version" >&2
    # build.rs found no sslyze when the tests were built (they are ignored,
    # cfg skip_sslyze) and watches no venv that did not exist: probe again.
    touch build.rs
fi
echo "$PWD/$venv/bin/sslyze"
