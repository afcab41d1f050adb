#!/usr/bin/env bash
# Instruction counts (valgrind callgrind) of one `ratios` case, rustls and
# sslconf, and their ratio: deterministic where wall-clock time is noisy.
#
#   benches/callgrind.sh CASE [ITERS]        e.g. benches/callgrind.sh handshake/tls13/ecdsa/full/x25519 100
#   benches/callgrind.sh --list
#
# Each case compares rustls with sslconf, except hostile/*, which compare
# two sslconf runs (a plain client chain and a degenerate one).
#
# Only the measured loop is collected (setup, certificate loading and warm-up
# are not). Builds the benches with line tables in target/callgrind (its own
# target dir, so the normal build is not disturbed) and keeps the profiles in
# target/callgrind/out/ for callgrind_annotate.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target/callgrind}"
export CARGO_PROFILE_BENCH_DEBUG=line-tables-only

bin=$(cargo bench -p sslconf-benches --no-run --all-features --bench ratios --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "ratios" and m.get("executable"):
        print(m["executable"])')

if [[ "${1:-}" == "--list" || -z "${1:-}" ]]; then
  "$bin" --list
  exit 0
fi

case_name=$1
iters=${2:-50}
# A process's first system-store config happens once per process.
[[ $case_name == config/system-first* ]] && iters=1
out="$CARGO_TARGET_DIR/out"
mkdir -p "$out"
slug=${case_name//\//_}

# The two sides: rustls and sslconf, or (hostile/ cases) two sslconf runs.
read -r -a sides <<<"$("$bin" --labels "$case_name")"
declare -A ir
for imp in "${sides[@]}"; do
  file="$out/$slug.$imp.callgrind"
  valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured_loop*' \
    --callgrind-out-file="$file" "$bin" --callgrind "$case_name" "$imp" "$iters" \
    >/dev/null 2>"$file.log"
  ir[$imp]=$(grep -E '^(summary|totals):' "$file" | head -1 | awk '{print $2}')
done

python3 - "$case_name" "$iters" "${sides[0]}" "${ir[${sides[0]}]}" "${sides[1]}" "${ir[${sides[1]}]}" <<'EOF'
import sys
name, iters = sys.argv[1], int(sys.argv[2])
a_name, r, b_name, s = sys.argv[3], int(sys.argv[4]), sys.argv[5], int(sys.argv[6])
width = max(len(a_name), len(b_name), len("ratio"))
print(f"{name}: {iters} iterations")
print(f"  {a_name:<{width}} {r / iters:14.0f} Ir/iter")
print(f"  {b_name:<{width}} {s / iters:14.0f} Ir/iter  ({(s - r) / iters:+.0f})")
print(f"  {'ratio':<{width}} {s / r:.4f}")
EOF
echo "profiles: $out/$slug.{${sides[0]},${sides[1]}}.callgrind (callgrind_annotate --inclusive=yes FILE)"
