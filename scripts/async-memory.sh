#!/usr/bin/env bash
# Memory per idle connection of a server process, on 127.0.0.1: the tokio
# example server (examples/tokio_server.rs) with sslconf's accept_async, the
# same example with tokio-rustls's TlsAcceptor on the same rustls config
# (--raw-rustls), and nginx (worker_processes 2, as scripts/nginx-bench.sh).
#
#   scripts/async-memory.sh                 # 1000 connections, ECDSA P-256
#   CONNS=500 KEY=rsa SERVERS="sslconf raw" scripts/async-memory.sh
#
# A Python client opens CONNS TLS 1.3 connections (X25519), completes each
# handshake and keeps them all open without sending a request, so every
# server holds a finished handshake waiting for a request head. The server's
# VmRSS (summed over nginx's master and workers) is read before and after;
# (after - before) / CONNS is the resident memory per connection, heap and
# task included, kernel socket buffers not. VmHWM, the peak, is shown too.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNS=${CONNS:-1000}
KEY=${KEY:-ecdsa}
SERVERS=${SERVERS:-sslconf raw nginx}
NGINX=${NGINX:-nginx}
export OPENSSL_CONF=/dev/null

echo "building the tokio example server (release)..." >&2
cargo build --release --quiet --features tokio,watch --example tokio_server
server_bin=target/release/examples/tokio_server

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 0.3
  rm -rf "$work"
}
trap cleanup EXIT

case $KEY in
  ecdsa) newkey=(ec -pkeyopt ec_paramgen_curve:P-256) ;;
  rsa) newkey=(rsa:2048) ;;
esac
openssl req -x509 -newkey "${newkey[@]}" -nodes -days 30 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_listening() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}
# Sum of a /proc/PID/status field (kB) over a process and its children.
status_kb() { # pid field
  local total=0 p
  for p in $1 $(ps -o pid= --ppid "$1" 2>/dev/null); do
    total=$((total + $(awk -v f="$2:" '$1 == f { print $2 }' "/proc/$p/status")))
  done
  echo "$total"
}

echo "$CONNS idle TLS 1.3 connections (X25519, $KEY certificate) held open after the handshake"
echo
echo "| server | VmRSS before (kB) | VmRSS with $CONNS connections (kB) | **per connection** | VmHWM (kB) |"
echo "|---|---:|---:|---:|---:|"
for kind in $SERVERS; do
  port=$(free_port)
  case $kind in
    sslconf | raw)
      raw=()
      [[ $kind == raw ]] && raw=(--raw-rustls)
      ulimit -n 8192
      "$server_bin" --port "$port" --cert "$work/cert.pem" --key "$work/key.pem" \
        --verify-mode none --protocol tls1.3 --groups X25519 --quiet \
        --idle-timeout-ms 600000 "${raw[@]}" >/dev/null 2>"$work/$kind.log" &
      ;;
    nginx)
      mkdir -p "$work/nginx"
      cat >"$work/nginx/nginx.conf" <<EOF
user root;
worker_processes 2;
worker_rlimit_nofile 8192;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 8192; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    client_header_timeout 600s;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $work/cert.pem;
        ssl_certificate_key $work/key.pem;
        ssl_protocols TLSv1.3;
        ssl_ecdh_curve X25519;
        ssl_session_tickets on;
        location / { return 200 "ok\n"; }
    }
}
EOF
      "$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" >/dev/null 2>"$work/$kind.log" &
      ;;
  esac
  pid=$!
  pids+=("$pid")
  wait_listening "$port"
  sleep 0.5
  before=$(status_kb "$pid" VmRSS)
  # The client: opens every connection, says "ready", holds them until stdin closes.
  coproc CLIENT {
    ulimit -n 8192
    exec python3 -c '
import socket, ssl, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.minimum_version = ssl.TLSVersion.TLSv1_3
conns = []
for _ in range(n):
    conns.append(ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost"))
print("ready", flush=True)
sys.stdin.read()
' "$port" "$CONNS"
  }
  read -r ready <&"${CLIENT[0]}"
  [[ $ready == ready ]] || { echo "the client failed" >&2; exit 1; }
  sleep 1
  after=$(status_kb "$pid" VmRSS)
  hwm=$(status_kb "$pid" VmHWM)
  per=$(python3 -c "import sys; print(f'{(int(sys.argv[2]) - int(sys.argv[1])) * 1024 / int(sys.argv[3]):,.0f} B')" "$before" "$after" "$CONNS")
  echo "| $kind | $before | $after | $per | $hwm |"
  exec {CLIENT[1]}>&-
  wait "$CLIENT_PID" 2>/dev/null || true
  kill "$pid" 2>/dev/null || true
  sleep 0.3
done
