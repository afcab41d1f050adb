#!/usr/bin/env bash
# End-to-end on loopback: the example server (examples/server.rs, sslconf's
# blocking accept, a thread a connection) against `openssl s_server -www`,
# both driven by the same load generator, `openssl s_time`.
#
#   scripts/loopback-bench.sh               # 10 s a run, each run once
#   SECONDS_PER_RUN=5 REPEAT=3 scripts/loopback-bench.sh   # median of 3
#   KEYS=ecdsa LOADS="full resumed1.2" scripts/loopback-bench.sh
#
# Builds the example in release, makes an ECDSA P-256 and an RSA-2048
# certificate with the openssl CLI, and for each key and each load:
#
#   full        s_time -new                 full TLS 1.3 handshakes, no request
#   full+GET    s_time -new -www /          full TLS 1.3 handshakes and one GET
#   resumed+GET s_time -reuse -www /        TLS 1.3 resumption (the client must
#                                           read the response to get a ticket)
#   resumed1.2  s_time -reuse -tls1_2       TLS 1.2 resumption, no request
#
# prints connections per second (s_time is single-threaded, so this is often
# bound by the client's own CPU) and the server's CPU per connection
# (utime+stime from /proc/<pid>/stat over the run), which compares the servers
# themselves. Both servers run with default settings except: no client
# certificate requested (openssl's default; the example's --verify-mode none).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
REPEAT=${REPEAT:-1}
KEYS=${KEYS:-ecdsa rsa}
LOADS=${LOADS:-full full+GET resumed+GET resumed1.2}
export OPENSSL_CONF=/dev/null # no distribution config changing either side

command -v openssl >/dev/null || { echo "openssl is required" >&2; exit 1; }
echo "building the example server (release)..." >&2
cargo build --release --quiet --example server
server_bin=target/release/examples/server

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

make_cert() { # name, then openssl -newkey arguments
  local name=$1
  shift
  openssl req -x509 -newkey "$@" -nodes -days 30 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$work/$name.key" -out "$work/$name.pem" 2>/dev/null
}
make_cert ecdsa ec -pkeyopt ec_paramgen_curve:P-256
make_cert rsa rsa:2048

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_listening() { # port
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "nothing listening on port $1" >&2
  return 1
}

cpu_ticks() { # pid: utime + stime, all threads
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}

start_server() { # kind key port; prints the pid
  local kind=$1 key=$2 port=$3
  case $kind in
    sslconf)
      "$server_bin" --port "$port" --cert "$work/$key.pem" --key "$work/$key.key" \
        --verify-mode none >/dev/null 2>"$work/server-$kind-$key.log" &
      ;;
    openssl)
      openssl s_server -accept "127.0.0.1:$port" -cert "$work/$key.pem" -key "$work/$key.key" \
        -www -quiet >/dev/null 2>"$work/server-$kind-$key.log" </dev/null &
      ;;
  esac
  echo $!
}

# One s_time run; prints "connections conns_per_s server_cpu_us_per_conn reused".
run_load() { # pid port load
  local pid=$1 port=$2 load=$3 args
  case $load in
    full) args=(-new) ;;
    full+GET) args=(-new -www /) ;;
    resumed+GET) args=(-reuse -www /) ;;
    resumed1.2) args=(-reuse -tls1_2) ;;
  esac
  local tick_hz before after start end out
  tick_hz=$(getconf CLK_TCK)
  before=$(cpu_ticks "$pid")
  start=$(date +%s.%N)
  out=$(openssl s_time -connect "127.0.0.1:$port" -time "$SECONDS_PER_RUN" "${args[@]}" 2>&1 || true)
  end=$(date +%s.%N)
  after=$(cpu_ticks "$pid")
  python3 - "$out" "$start" "$end" "$before" "$after" "$tick_hz" "$load" <<'EOF'
import re, sys
out, start, end, before, after, hz, load = sys.argv[1:]
m = re.findall(r"(\d+) connections in [\d.]+s;", out)
if not m:
    print("0 0 0 0")
    sys.stderr.write(out[-2000:])
    sys.exit(0)
conns = int(m[-1])
wall = float(end) - float(start)
cpu_us = (int(after) - int(before)) / int(hz) * 1e6
# s_time prints a character per connection: 'r' when the session was reused.
marks = "".join(line for line in out.splitlines() if re.fullmatch(r"[*rt123]+", line or "-"))
print(conns, f"{conns / wall:.1f}", f"{cpu_us / max(conns, 1):.1f}", marks.count("r"))
EOF
}

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(openssl version)"
echo "each run ${SECONDS_PER_RUN}s, median of $REPEAT; conn/s from s_time's count over wall time;"
echo "server CPU = utime+stime of the server process per connection"
echo
echo "| key | load | server | conn/s | server CPU µs/conn | reused | sslconf/openssl conn/s | sslconf/openssl CPU |"
echo "|---|---|---|---:|---:|---:|---:|---:|"
for key in $KEYS; do
  declare -A port pid
  for kind in sslconf openssl; do
    port[$kind]=$(free_port)
    pid[$kind]=$(start_server "$kind" "$key" "${port[$kind]}")
    pids+=("${pid[$kind]}")
    wait_listening "${port[$kind]}"
  done
  for load in $LOADS; do
    declare -A rate cpu reused
    for kind in sslconf openssl; do
      rate[$kind]="" cpu[$kind]="" reused[$kind]=""
    done
    for _ in $(seq 1 "$REPEAT"); do
      # Interleaved, so that a burst of other load hits both alike.
      for kind in sslconf openssl; do
        read -r _conns r c u < <(run_load "${pid[$kind]}" "${port[$kind]}" "$load")
        rate[$kind]+="$r"$'\n' cpu[$kind]+="$c"$'\n' reused[$kind]+="$u"$'\n'
      done
    done
    for kind in sslconf openssl; do
      rate[$kind]=$(printf '%s' "${rate[$kind]}" | median)
      cpu[$kind]=$(printf '%s' "${cpu[$kind]}" | median)
      reused[$kind]=$(printf '%s' "${reused[$kind]}" | median)
    done
    for kind in sslconf openssl; do
      if [[ $kind == sslconf ]]; then
        ratios=$(python3 -c "import sys; a,b,c,d=map(float,sys.argv[1:]); print(f'{a/b:.2f} | {c/d:.2f}' if b and d else '- | -')" \
          "${rate[sslconf]}" "${rate[openssl]}" "${cpu[sslconf]}" "${cpu[openssl]}")
      else
        ratios="- | -"
      fi
      echo "| $key | $load | $kind | ${rate[$kind]} | ${cpu[$kind]} | ${reused[$kind]} | $ratios |"
    done
  done
  for kind in sslconf openssl; do kill "${pid[$kind]}" 2>/dev/null || true; done
  unset port pid
done
