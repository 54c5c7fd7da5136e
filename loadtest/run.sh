#!/usr/bin/env bash
# Starts a fresh server (test clock on, temporary data dir) pinned to core 0, runs one loadtest
# scenario pinned to core 1 against it, stops the server. Builds the jars if they are missing.
# Usage: loadtest/run.sh <accuracy|sweep|throughput|memory> [--option=value ...]
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
trap 'kill $SERVER_PID 2>/dev/null || true; wait $SERVER_PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
# The server runs with bin/ringpool's JVM options (config/jvm.options: G1 named explicitly, since a
# JVM pinned to one core would otherwise pick Serial), heap -Xms = -Xmx = SERVER_HEAP.
mkdir -p "$WORK/data"
JVM_OPTS=()
while IFS= read -r line; do
  line="${line%%#*}"; line="${line#"${line%%[![:space:]]*}"}"; line="${line%"${line##*[![:space:]]}"}"
  [ -n "$line" ] && JVM_OPTS+=("${line//\${RINGPOOL_DATA_DIR\}/$WORK/data}")
done < config/jvm.options
RINGPOOL_PORT=0 RINGPOOL_DATA_DIR="$WORK/data" RINGPOOL_ADMIN_KEY=$ADMIN RINGPOOL_DEMO=false RINGPOOL_TEST_CLOCK=true \
  taskset -c 0 "$JAVA" "${JVM_OPTS[@]}" -Xms"$SERVER_HEAP" -Xmx"$SERVER_HEAP" ${SERVER_JAVA_OPTS:-} -jar "$SERVER_JAR" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 150); do grep -q 'listening port=' "$WORK/server.log" && break; sleep 0.2; done
PORT=$(grep -o 'listening port=[0-9]*' "$WORK/server.log" | cut -d= -f2)
echo "server pid $SERVER_PID port $PORT (core 0, G1, -Xms=-Xmx=$SERVER_HEAP); loadtest on core 1; commit $(git rev-parse --short HEAD); $("$JAVA" -version 2>&1 | head -1)" >&2
SCENARIO="$1"; shift
EXTRA=()
[ "$SCENARIO" = memory ] && EXTRA+=("--server-pid=$SERVER_PID")
taskset -c 1 "$JAVA" -Xmx1g -jar "$LOADTEST_JAR" "$SCENARIO" --url="http://127.0.0.1:$PORT" --admin-key=$ADMIN \
  --out="${OUT:-loadtest/results}" "${EXTRA[@]}" "$@"
if [ -n "${KEEP_SERVER_LOG:-}" ]; then cp "$WORK/server.log" "$KEEP_SERVER_LOG"; fi
# GC pauses of the run (G1 logs one line per pause): count, longest, total.
cat "$WORK/data"/gc.log* 2>/dev/null | awk '/ Pause / && $NF ~ /ms$/ {ms=$NF; sub(/ms/,"",ms); n++; t+=ms; if (ms+0>m) m=ms+0}
  END {if (n) printf "gc pauses: %d, longest %.1f ms, total %.0f ms (G1, heap '"$SERVER_HEAP"')\n", n, m, t}' >&2 || true
