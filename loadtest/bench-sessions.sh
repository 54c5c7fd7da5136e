#!/usr/bin/env bash
# Measures POST /v1/sessions (a new visitor leasing a number, durably committed) and heartbeats of
# live sessions against GET /health in the same run, with wrk at 64 connections: ROUNDS rounds (2)
# of health, sessions, heartbeats alternating, each figure also as a ratio to that round's /health.
# Server pinned to core 0 (bin/ringpool's JVM options from config/jvm.options), wrk to core 1.
# Under each figure: the server's CPU in that run by thread group, from the kernel's accounting
# (loadtest/thread-cpu.sh): "jit" is the JIT compiler still compiling the path being measured.
# PLAIN=1 starts the jar as "java -jar" alone, with no JVM option, as an operator might (the jar
# then runs the server in a second JVM with config/jvm.options, launch.ServerJvm; add
# RINGPOOL_RELAUNCH=false for the JVM's own choices); the figures are the server JVM's.
# VISITOR_IDS=script: each start names an id as the site script makes it (v + ms + random; in time
# order to the second); VISITOR_IDS=server: starts send no visitorId, as the script's first page view
# did until session 36 (the server makes the id); VISITOR_IDS=random: 16 random hex digits (no order);
# otherwise wrk/sessions.lua names one. JAR=path: another build, for A/B runs.
# Usage: [ROUNDS=2] [WARMUP=3] [PLAIN=1] [VISITOR_IDS=script|server|random] [JAR=…] loadtest/bench-sessions.sh [seconds-per-run]   (needs: wrk, a built server jar)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-15}"
JAVA="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
JAR=${JAR:-server/target/ringpool-server.jar}
WORK=$(mktemp -d)
ADMIN=bench-admin-key-0123456789
trap 'kill $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

mkdir -p "$WORK/data"
. loadtest/jvm-options.sh
. loadtest/thread-cpu.sh
jvm_options "$WORK/data"
HEAP="${SERVER_HEAP:-$(bin/default-heap)}"   # bin/ringpool's default on this machine
SERVER_OPTS=("${JVM_OPTS[@]}" -Xms"$HEAP" -Xmx"$HEAP" ${SERVER_JAVA_OPTS:-})
[ -n "${PLAIN:-}" ] && SERVER_OPTS=()
RINGPOOL_PORT=0 RINGPOOL_DATA_DIR="$WORK/data" RINGPOOL_ADMIN_KEY=$ADMIN RINGPOOL_DEMO=false \
  taskset -c 0 "$JAVA" "${SERVER_OPTS[@]}" -jar "$JAR" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do grep -q 'listening port=' "$WORK/server.log" && break; sleep 0.2; done
PORT=$(grep -o 'listening port=[0-9]*' "$WORK/server.log" | cut -d= -f2)
# A bare "java -jar" becomes the server JVM (launch.ServerJvm), or with RINGPOOL_RELAUNCH=process hands it to a child: then the child's CPU is the one to read.
CHILD=$(pgrep -P "$SERVER_PID" java || true)
[ -n "$CHILD" ] && SERVER_PID=$CHILD && echo "server JVM (the launcher's child): $(tr '\0' ' ' < "/proc/$CHILD/cmdline" | cut -c1-240)"
BASE="http://127.0.0.1:$PORT"

SITE=$(curl -sf -XPOST "$BASE/v1/sites" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
  -d '{"name":"bench","domains":["example.com"],"defaultNumber":"+74951234567","timeZone":"Europe/Moscow"}')
SITE_ID=$(echo "$SITE" | sed 's/.*"siteId":"\([^"]*\)".*/\1/')
API_KEY=$(echo "$SITE" | sed 's/.*"apiKey":"\([^"]*\)".*/\1/')
export SITE_KEY=$(echo "$SITE" | sed 's/.*"publicKey":"\([^"]*\)".*/\1/')
# Enough numbers that no run exhausts the pool: every measured start is a real lease.
# +7 900 000-00-00 onwards: ten digits after the 7, as Russian numbers have (the server refuses
# numbers too short or too long for their country code).
numbers() { seq $((9000000000 + $1 * 10000)) $((9000000000 + $1 * 10000 + 9999)) | sed 's/.*/"+7&"/' | paste -sd,; }
echo "{\"name\":\"bench\",\"numbers\":[$(numbers 0)]}" > "$WORK/pool.json"
POOL_ID=$(curl -sf -XPOST "$BASE/v1/sites/$SITE_ID/pools" -H "Authorization: Bearer $API_KEY" -H 'Content-Type: application/json' \
  --data-binary @"$WORK/pool.json" | sed 's/.*"poolId":"\([^"]*\)".*/\1/')
for block in $(seq 1 ${BLOCKS:-59}); do
  echo "{\"numbers\":[$(numbers "$block")]}" > "$WORK/numbers.json"
  curl -sf -XPOST "$BASE/v1/sites/$SITE_ID/pools/$POOL_ID/numbers" -H "Authorization: Bearer $API_KEY" \
    -H 'Content-Type: application/json' --data-binary @"$WORK/numbers.json" > /dev/null
done

echo "commit $(git rev-parse --short HEAD) · $(nproc) cores · $("$JAVA" -version 2>&1 | head -1) · ${PLAIN:+java -jar alone, RINGPOOL_RELAUNCH=${RINGPOOL_RELAUNCH:-true} · }heap $HEAP · ${VISITOR_IDS:+visitor ids: $VISITOR_IDS · }${DURATION}s per run · 64 connections · warm-up ${WARMUP:-3}s a kind"
export SESSION_IDS_OUT="$WORK/session-ids" SESSION_IDS="$WORK/session-ids"
# Warm-up, WARMUP seconds (3) of each request kind. On one core the JIT compiler is still
# compiling the measured paths a minute into the load (docs/scaling.md): WARMUP=60 or more gives
# the figures of a server that has been running, the default those of one just started.
WARMUP="${WARMUP:-3}"
taskset -c 1 wrk -t1 -c16 -d${WARMUP}s -s loadtest/wrk/health.lua "$BASE/health" > /dev/null
taskset -c 1 wrk -t1 -c16 -d${WARMUP}s -s loadtest/wrk/sessions.lua "$BASE/v1/sessions" > /dev/null
[ "$WARMUP" -gt 3 ] && taskset -c 1 wrk -t1 -c16 -d${WARMUP}s -s loadtest/wrk/heartbeat.lua "$BASE/v1/sessions" > /dev/null
for ROUND in $(seq 1 "${ROUNDS:-2}"); do
  HEALTH_RPS=
  for TARGET in health sessions heartbeat; do
    case $TARGET in
      health) URL="$BASE/health" ;;
      sessions) URL="$BASE/v1/sessions" ;;
      heartbeat) URL="$BASE/v1/sessions" ;;
    esac
    thread_cpu_snapshot "$SERVER_PID" "$WORK/cpu-before"
    OUT=$(taskset -c 1 wrk -t1 -c64 -d${DURATION}s -s loadtest/wrk/$TARGET.lua "$URL")
    thread_cpu_snapshot "$SERVER_PID" "$WORK/cpu-after"
    RPS=$(echo "$OUT" | awk '/Requests\/sec/ {print $2}')
    [ "$TARGET" = health ] && HEALTH_RPS=$RPS
    LAT=$(echo "$OUT" | grep '^p50=')
    printf "round %s %-9s %10s req/s  %5.3f x health  %s\n" "$ROUND" "$TARGET" "$RPS" "$(echo "$RPS / $HEALTH_RPS" | bc -l)" "$LAT"
    echo "                  server $(thread_cpu_report "$WORK/cpu-before" "$WORK/cpu-after")"
  done
done
echo "sessions known to heartbeat.lua: $(wc -l < "$WORK/session-ids")"
cat "$WORK/data"/gc.log* 2>/dev/null | awk '/ Pause / && $NF ~ /ms$/ {ms=$NF; sub(/ms/,"",ms); n++; t+=ms; if (ms+0>m) m=ms+0}
  END {if (n) printf "gc pauses: %d, longest %.1f ms, total %.0f ms ('"$(jvm_collector)"', heap '"$HEAP"')\n", n, m, t}' || true
curl -sf "$BASE/metrics" | grep -E "^ringpool_store_commit_(batch_sum|batch_count|seconds)" || true
