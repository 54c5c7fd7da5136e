#!/usr/bin/env bash
# Starts a fresh server (test clock on, temporary data dir) pinned to core 0, runs one loadtest
# scenario pinned to core 1 against it, stops the server. Builds the jars if they are missing.
# Usage: loadtest/run.sh <accuracy|sweep|throughput|memory|report|footprint> [--option=value ...]
# footprint also restarts the server on the same store and times the first report after it.
# RINGPOOL_DB_URL/_USER/_PASSWORD are passed through (a PostgreSQL run; give it an empty database).
# SERVER_JAVA_OPTS and SERVER_ARGS (e.g. "--config FILE") go to the server's JVM and command line.
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JAVA="$JAVA_HOME/bin/java"
SERVER_JAR=server/target/ringpool-server.jar
LOADTEST_JAR=loadtest/target/ringpool-loadtest.jar
if [ ! -f "$SERVER_JAR" ] || [ ! -f "$LOADTEST_JAR" ]; then
  ./mvnw -q -B -pl server,loadtest -am package -DskipTests
fi
WORK=$(mktemp -d)
ADMIN=loadtest-admin-key-0123456789
SERVER_HEAP="${SERVER_HEAP:-1g}"
SERVER_CORE="${SERVER_CORE:-0}"
LOADTEST_CORE="${LOADTEST_CORE:-1}"
SERVER_PID=
trap 'kill $SERVER_PID 2>/dev/null || true; wait $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT

# The server runs with bin/ringpool's JVM options (config/jvm.options: G1 named explicitly, since a
# JVM pinned to one core would otherwise pick Serial), heap -Xms = -Xmx = SERVER_HEAP.
mkdir -p "$WORK/data"
JVM_OPTS=()
while IFS= read -r line; do
  line="${line%%#*}"; line="${line#"${line%%[![:space:]]*}"}"; line="${line%"${line##*[![:space:]]}"}"
  [ -n "$line" ] && JVM_OPTS+=("${line//\${RINGPOOL_DATA_DIR\}/$WORK/data}")
done < config/jvm.options

start_server() {
  RINGPOOL_PORT=0 RINGPOOL_DATA_DIR="$WORK/data" RINGPOOL_ADMIN_KEY=$ADMIN RINGPOOL_DEMO=false RINGPOOL_TEST_CLOCK=true \
    taskset -c "$SERVER_CORE" "$JAVA" "${JVM_OPTS[@]}" -Xms"$SERVER_HEAP" -Xmx"$SERVER_HEAP" ${SERVER_JAVA_OPTS:-} -jar "$SERVER_JAR" ${SERVER_ARGS:-} >> "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  STARTED_AT=$(date +%s%N)
  for _ in $(seq 1 600); do grep -q 'listening port=' "$WORK/server.log" && [ "$(grep -c 'listening port=' "$WORK/server.log")" -ge "$1" ] && break; sleep 0.1; done
  PORT=$(grep -o 'listening port=[0-9]*' "$WORK/server.log" | tail -1 | cut -d= -f2)
  echo "server pid $SERVER_PID port $PORT (core $SERVER_CORE, G1, -Xms=-Xmx=$SERVER_HEAP) up in $(( ($(date +%s%N) - STARTED_AT) / 1000000 )) ms; loadtest on core $LOADTEST_CORE; commit $(git rev-parse --short HEAD); $("$JAVA" -version 2>&1 | head -1)" >&2
}

start_server 1
SCENARIO="$1"; shift
EXTRA=()
[ "$SCENARIO" = memory ] && EXTRA+=("--server-pid=$SERVER_PID")
[ "$SCENARIO" = footprint ] && EXTRA+=("--server-pid=$SERVER_PID" "--server-log=$WORK/server.log" "--state=$WORK/footprint.json")
taskset -c "$LOADTEST_CORE" "$JAVA" -Xmx1g -jar "$LOADTEST_JAR" "$SCENARIO" --url="http://127.0.0.1:$PORT" --admin-key=$ADMIN \
  --out="${OUT:-loadtest/results}" "${EXTRA[@]}" "$@"
if [ "$SCENARIO" = footprint ] && [ -f "$WORK/footprint.json" ]; then
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  start_server 2
  taskset -c "$LOADTEST_CORE" "$JAVA" -Xmx1g -jar "$LOADTEST_JAR" footprint --phase=after-restart --url="http://127.0.0.1:$PORT" \
    --admin-key=$ADMIN --out="${OUT:-loadtest/results}" --server-log="$WORK/server.log" --state="$WORK/footprint.json"
fi
if [ -n "${KEEP_SERVER_LOG:-}" ]; then cp "$WORK/server.log" "$KEEP_SERVER_LOG"; fi
# GC pauses of the run (G1 logs one line per pause): count, longest, total.
cat "$WORK/data"/gc.log* 2>/dev/null | awk '/ Pause / && $NF ~ /ms$/ {ms=$NF; sub(/ms/,"",ms); n++; t+=ms; if (ms+0>m) m=ms+0}
  END {if (n) printf "gc pauses: %d, longest %.1f ms, total %.0f ms (G1, heap '"$SERVER_HEAP"')\n", n, m, t}' >&2 || true
