#!/usr/bin/env bash
# The tokio example server (examples/tokio_server.rs) against nginx, on
# 127.0.0.1, both loaded by the same generator, `openssl s_time`, in turn.
#
#   scripts/nginx-bench.sh                         # 10 s a run, median of 3
#   SECONDS_PER_RUN=5 REPEAT=1 KEYS=ecdsa scripts/nginx-bench.sh
#   SERVERS="sslconf raw nginx" scripts/nginx-bench.sh   # raw: tokio-rustls's
#                                                  # TlsAcceptor, same example
#   SERVERS="sslconf reuseport nginx" ...          # reuseport: the example with
#                    # --reuseport-workers 2 (a current-thread runtime per
#                    # thread, SO_REUSEPORT listeners, as nginx's workers)
#
# Needs nginx (Debian: apt-get install -y nginx), openssl and python3. Makes
# an ECDSA P-256 and an RSA-2048 certificate, starts nginx with its own
# minimal config in a temporary directory (worker_processes 2, TLS 1.3 only,
# ssl_session_tickets on, `return 200`, access_log off, pid and logs in the
# directory; stopped at the end), and the example server with the same
# certificate (release build, --quiet, no client certificate asked for, a
# tokio runtime with one worker per CPU). Loads:
#
#   full        s_time -new             full TLS 1.3 handshakes, no request
#   full+GET    s_time -new -www /      full handshakes and one GET each
#   resumed     s_time -reuse -www /    TLS 1.3 resumption from tickets (the
#                                       client must read an answer to get one)
#
# For each: connections per second (one single-threaded client on the same
# two CPUs, so often the client's bound) and the server's CPU per connection
# (utime+stime from /proc/PID/stat over the run, all threads; for nginx the
# master and its workers summed), reported as handshakes per server
# CPU-second. KX_GROUPS picks the key exchange: "X25519" (servers and
# client restricted to it), or "default" (each side's default list: the
# example's and the Rust client's are X25519MLKEM768 first; nginx's
# OpenSSL 3.0 has no ML-KEM, so nginx answers with X25519).
#
# LOADGEN picks the load generator, the same for every server: "s_time"
# (default; OpenSSL 3.0's offers no ML-KEM group, so "default" means X25519
# with it too) or "rust" (benches/tls_load.rs, sslconf's blocking client,
# one thread, as s_time; it offers X25519MLKEM768 with "default" and prints
# which group each connection negotiated).
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
REPEAT=${REPEAT:-3}
KEYS=${KEYS:-ecdsa rsa}
LOADS=${LOADS:-full resumed}
GROUPS_=${KX_GROUPS:-X25519}
SERVERS=${SERVERS:-sslconf nginx}
LOADGEN=${LOADGEN:-s_time}
NGINX=${NGINX:-nginx}
export OPENSSL_CONF=/dev/null # no distribution config changing the client

command -v openssl >/dev/null || { echo "openssl is required" >&2; exit 1; }
command -v "$NGINX" >/dev/null || { echo "nginx is required: apt-get install -y nginx" >&2; exit 1; }
echo "building the tokio example server (release)..." >&2
cargo build --release --quiet --features tokio,watch --example tokio_server
server_bin=target/release/examples/tokio_server
if [[ $LOADGEN == rust ]]; then
  echo "building the Rust load generator (benches/tls_load.rs)..." >&2
  loadgen_bin=$(cargo bench -p sslconf-benches --quiet --bench tls_load --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "tls_load" and m.get("executable"):
        print(m["executable"])')
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # nginx's master stops its workers on TERM; give it a moment.
  sleep 0.3
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

# utime + stime of a process and, for nginx's master, of its workers.
cpu_ticks() { # pid
  local total=0 p
  for p in $1 $(ps -o pid= --ppid "$1" 2>/dev/null); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
  done
  echo "$total"
}

nginx_conf() { # key port groups
  local key=$1 port=$2 groups=$3 curve=""
  mkdir -p "$work/nginx-$key"
  [[ $groups != default ]] && curve="ssl_ecdh_curve $groups;"
  cat >"$work/nginx-$key/nginx.conf" <<EOF
user root;
worker_processes 2;
daemon off;
pid $work/nginx-$key/nginx.pid;
error_log $work/nginx-$key/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx-$key/body;
    proxy_temp_path $work/nginx-$key/proxy;
    fastcgi_temp_path $work/nginx-$key/fastcgi;
    uwsgi_temp_path $work/nginx-$key/uwsgi;
    scgi_temp_path $work/nginx-$key/scgi;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $work/$key.pem;
        ssl_certificate_key $work/$key.key;
        ssl_protocols TLSv1.3;
        ssl_session_tickets on;
        $curve
        location / { return 200 "ok\n"; }
    }
}
EOF
}

start_server() { # kind key port groups; prints the pid
  local kind=$1 key=$2 port=$3 groups=$4 group_args=()
  [[ $groups != default ]] && group_args=(--groups "$groups")
  case $kind in
    sslconf | raw | reuseport)
      local raw=()
      [[ $kind == raw ]] && raw=(--raw-rustls)
      [[ $kind == reuseport ]] && raw=(--reuseport-workers 2)
      "$server_bin" --port "$port" --cert "$work/$key.pem" --key "$work/$key.key" \
        --verify-mode none --protocol tls1.3 --quiet "${group_args[@]}" "${raw[@]}" \
        >/dev/null 2>"$work/server-$kind-$key.log" &
      ;;
    nginx)
      nginx_conf "$key" "$port" "$groups"
      "$NGINX" -p "$work/nginx-$key" -c "$work/nginx-$key/nginx.conf" \
        >/dev/null 2>"$work/server-$kind-$key.log" &
      ;;
  esac
  echo $!
}

# One load run; prints "connections conns_per_s server_cpu_us_per_conn reused".
run_load() { # pid port load groups kind
  local pid=$1 port=$2 load=$3 groups=$4 kind=$5 args
  case $load in
    full) args=(-new) ;;
    full+GET) args=(-new -www /) ;;
    resumed) args=(-reuse -www /) ;;
  esac
  local tick_hz before after start end out
  tick_hz=$(getconf CLK_TCK)
  before=$(cpu_ticks "$pid")
  start=$(date +%s.%N)
  if [[ $LOADGEN == rust ]]; then
    out=$("$loadgen_bin" --connect "127.0.0.1:$port" --time "$SECONDS_PER_RUN" --groups "$groups" "${args[@]/#-/--}" 2>&1 || true)
    echo "$out" | grep '^group' | sed "s/^group \(.*\): .*/\1/; s/^/$key $groups $load $kind: negotiated /" >>"$work/groups.log" || true
  else
    out=$(openssl s_time -connect "127.0.0.1:$port" -tls1_3 -time "$SECONDS_PER_RUN" "${args[@]}" 2>&1 || true)
  fi
  end=$(date +%s.%N)
  after=$(cpu_ticks "$pid")
  python3 - "$out" "$start" "$end" "$before" "$after" "$tick_hz" <<'EOF'
import re, sys
out, start, end, before, after, hz = sys.argv[1:]
m = re.findall(r"(\d+) connections in [\d.]+s;", out) or re.findall(r"(\d+) connections in [\d.]+ real", out)
if not m:
    print("0 0 0 0")
    sys.stderr.write(out[-2000:])
    sys.exit(0)
conns = int(m[-1])
wall = float(end) - float(start)
cpu_us = (int(after) - int(before)) / int(hz) * 1e6
# s_time prints a character per connection: 'r' when the session was reused.
marks = "".join(line for line in out.splitlines() if re.fullmatch(r"[*rt123]+", line or "-"))
reused = re.findall(r"^(\d+) reused", out, re.M)
print(conns, f"{conns / wall:.1f}", f"{cpu_us / max(conns, 1):.1f}", reused[-1] if reused else marks.count("r"))
EOF
}

median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "load generator: $LOADGEN; client: $(openssl version); nginx: $("$NGINX" -v 2>&1 | sed 's/.*: //'), $("$NGINX" -V 2>&1 | grep -o 'running with OpenSSL [^)]*' || true)"
echo "each run ${SECONDS_PER_RUN}s, median of $REPEAT, interleaved; groups: $GROUPS_"
echo "conn/s: s_time's count over wall time; CPU: utime+stime of the server's processes per connection"
echo
echo "| key | groups | load | server | conn/s | server CPU µs/conn | handshakes per CPU-s | reused | conn/s vs nginx | per CPU-s vs nginx |"
echo "|---|---|---|---|---:|---:|---:|---:|---:|---:|"
for key in $KEYS; do
  for groups in $GROUPS_; do
    declare -A port pid
    for kind in $SERVERS; do
      port[$kind]=$(free_port)
      pid[$kind]=$(start_server "$kind" "$key" "${port[$kind]}" "$groups")
      pids+=("${pid[$kind]}")
      wait_listening "${port[$kind]}"
    done
    for load in $LOADS; do
      declare -A rate cpu reused
      for kind in $SERVERS; do rate[$kind]="" cpu[$kind]="" reused[$kind]=""; done
      for _ in $(seq 1 "$REPEAT"); do
        # Interleaved, so that a burst of other load hits every server alike.
        for kind in $SERVERS; do
          read -r _conns r c u < <(run_load "${pid[$kind]}" "${port[$kind]}" "$load" "$groups" "$kind")
          rate[$kind]+="$r"$'\n' cpu[$kind]+="$c"$'\n' reused[$kind]+="$u"$'\n'
        done
      done
      for kind in $SERVERS; do
        rate[$kind]=$(printf '%s' "${rate[$kind]}" | median)
        cpu[$kind]=$(printf '%s' "${cpu[$kind]}" | median)
        reused[$kind]=$(printf '%s' "${reused[$kind]}" | median)
      done
      for kind in $SERVERS; do
        python3 - "$key" "$groups" "$load" "$kind" "${rate[$kind]}" "${cpu[$kind]}" \
          "${reused[$kind]}" "${rate[nginx]:-0}" "${cpu[nginx]:-0}" <<'EOF'
import sys
key, groups, load, kind = sys.argv[1:5]
rate, cpu, reused, rate_nginx, cpu_nginx = map(float, sys.argv[5:])
per_cpu = 1e6 / cpu if cpu else 0
vs_rate = f"{rate / rate_nginx:.2f}" if rate_nginx and kind != "nginx" else "-"
vs_cpu = f"{cpu_nginx / cpu:.2f}" if cpu_nginx and cpu and kind != "nginx" else "-"
print(f"| {key} | {groups} | {load} | {kind} | {rate:.0f} | {cpu:.0f} | {per_cpu:.0f} | {reused:.0f} | {vs_rate} | {vs_cpu} |")
EOF
      done
    done
    for kind in $SERVERS; do kill "${pid[$kind]}" 2>/dev/null || true; done
    sleep 0.3
    unset port pid
  done
done
if [[ -s $work/groups.log ]]; then
  echo
  echo "key exchange groups the Rust client negotiated (runs):"
  sort "$work/groups.log" | uniq -c
fi
