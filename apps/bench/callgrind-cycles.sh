#!/bin/bash
# Instructions per order cycle of one server, counted by callgrind (docs/benchmarks.md, "What
# the service adds to node's HTTP"): instruction counts do not move with the machine's load,
# CPU time on a shared 2-core box does.
#
#   apps/bench/callgrind-cycles.sh <dist> <cafe|floor> <express|fastify> [cycles 100] [warm-up rounds 4] [port 20000]
#
# Starts the café (LOG_LEVEL=warn) or the floor app from <dist> under callgrind with counting
# off and a file per thread, warms it with rounds of order-cycles-in-turn, then counts the next
# round and prints instructions per cycle: the main thread's (the event loop: JavaScript, node's
# HTTP, the libuv loop) and all threads' (V8's compiler and GC helpers too). The request phase's
# timeouts are raised: under valgrind a server is some 50 times slower.
set -euo pipefail
dist=$(realpath "$1") kind=$2 adapter=$3 cycles=${4:-100} warm=${5:-4} port=${6:-20000}
here=$(dirname "$(realpath "$0")")
bench=$(realpath "$here/../../dist/apps/bench/src")
case $kind in
  cafe) entry=$dist/apps/cafe/src/main.js ;;
  floor) entry=$dist/apps/bench/src/nest-floor-server.js ;;
  *) echo "kind: cafe or floor" >&2; exit 2 ;;
esac
out=$(mktemp -d)
CUSTOMER_PORT=$port BARISTA_PORT=$((port + 1)) HTTP_ADAPTER=$adapter LOG_LEVEL=warn \
  HEADERS_TIMEOUT_SECONDS=300 REQUEST_TIMEOUT_SECONDS=300 NODE_PATH="$here/../../node_modules" \
  valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes --smc-check=all-non-file \
  --callgrind-out-file="$out/cg.%p" node "$entry" >"$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until curl -s -o /dev/null "http://127.0.0.1:$((port + 1))/queue"; do
  kill -0 $server || { cat "$out/server.log" >&2; exit 1; }
  sleep 1
done
play() { node "$bench/order-cycles-in-turn.js" "http://127.0.0.1:$port/" "http://127.0.0.1:$((port + 1))/" "$cycles" "$1"; }
for round in $(seq 1 "$warm"); do play $((10000 + round * cycles)) >/dev/null; done
callgrind_control -z $server >/dev/null 2>&1
callgrind_control -i on $server >/dev/null 2>&1
played=$(play 40000)
callgrind_control -i off $server >/dev/null 2>&1
callgrind_control -d $server >/dev/null 2>&1
sleep 2
sum() { cat "$@" | awk '/^totals:/ { s += $2 } END { print s }'; }
main=$(sum "$out"/cg.$server.1-01)
all=$(sum "$out"/cg.$server.1-*)
echo "$kind $adapter $played: main thread $((main / cycles)), all threads $((all / cycles)) instructions per cycle ($out)"
