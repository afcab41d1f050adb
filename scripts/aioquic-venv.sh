#!/usr/bin/env bash
# Creates (or reuses) a Python venv with aioquic, for tests/quic.rs and
# examples/ecosystem/tests/h3.rs: the outside QUIC stack (client and
# server, HTTP/3) that the crate's QUIC configs are proven against.
# Rebuildable: delete the directory to start over. Prints the path of the
# venv's python.
#
#   scripts/aioquic-venv.sh            # target/aioquic-venv
#   AIOQUIC_VENV=/some/dir scripts/aioquic-venv.sh
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${AIOQUIC_VENV:-target/aioquic-venv}"
# The version tests/quic.rs was written against.
version="${AIOQUIC_VERSION:-1.7.2}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -m pip show aioquic 2>/dev/null | grep -qx "Version: $version"; then
    # --clear: a half-made venv from an interrupted run is not reused.
    python3 -m venv --clear "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --retries 5 --timeout 60 "aioquic==$version" >&2
    # build.rs found no aioquic when the ecosystem's HTTP/3 tests were built
    # (they are ignored, cfg skip_aioquic) and watches no venv that did not
    # exist: probe again.
    touch build.rs
fi
echo "$PWD/$venv/bin/python"
