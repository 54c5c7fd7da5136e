#!/usr/bin/env bash
# Starts a fresh server (test clock on, temporary data dir) pinned to core 0, runs one loadtest
# scenario pinned to core 1 against it, stops the server. Builds the jars if they are missing.
# Usage: loadtest/run.sh <accuracy|sweep|throughput|memory|report|footprint|export> [--option=value ...]
# footprint also restarts the server on the same store and times the first report after it.
# throughput also prints the server's CPU by thread group for each phase (kernel accounting, ServerCpu).
# RINGPOOL_DB_URL/_USER/_PASSWORD are passed through (a PostgreSQL run; give it an empty database).
# SERVER_JAVA_OPTS and SERVER_ARGS (e.g. "--config FILE") go to the server's JVM and command line.
# SERVER_JAR names another build of the server (default server/target/ringpool-server.jar), for A/B runs.
# LOADTEST_JAVA_OPTS goes to the load generator's JVM (e.g. -Xlog:gc:file=gen-gc.log, to check that its own pauses
# are not what an open-loop p99 measures).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JAVA="$JAVA_HOME/bin/java"
SERVER_JAR="${SERVER_JAR:-server/target/ringpool-server.jar}"
LOADTEST_JAR=loadtest/target/ringpool-loadtest.jar
if [ ! -f "$SERVER_JAR" ] || [ ! -f "$LOADTEST_JAR" ]; then
  ./mvnw -q -B -pl server,loadtest -am package -DskipTests
fi
WORK=$(mktemp -d)
ADMIN=loadtest-admin-key-0123456789
# The heap bin/ringpool gives the server on this machine (bin/default-heap), unless SERVER_HEAP names one.
HEAP_GIVEN="${SERVER_HEAP:-}"
SERVER_HEAP="${SERVER_HEAP:-$(bin/default-heap)}"
SERVER_CORE="${SERVER_CORE:-0}"
LOADTEST_CORE="${LOADTEST_CORE:-1}"
SERVER_PID=
# A run that fails keeps the server's log (loadtest/results/, not tracked): the cause of a refusal
# such as session 26's one 503 while adding numbers went with the temporary directory.
trap 'rc=$?; kill $SERVER_PID 2>/dev/null || true; wait $SERVER_PID 2>/dev/null || true
  if [ "$rc" -ne 0 ] && [ -s "$WORK/server.log" ]; then
    mkdir -p loadtest/results; kept="loadtest/results/server-failed-$(date +%Y%m%d-%H%M%S).log"
    cp "$WORK/server.log" "$kept" && echo "run failed (exit $rc); the server log is kept in $kept" >&2
  fi
  rm -rf "$WORK"' EXIT

# The server runs with bin/ringpool's JVM options (config/jvm.options: the collector named explicitly,
# since a JVM pinned to one core would otherwise pick Serial), heap -Xms = -Xmx = SERVER_HEAP.
mkdir -p "$WORK/data"
. loadtest/jvm-options.sh
jvm_options "$WORK/data"

start_server() {
  RINGPOOL_PORT=0 RINGPOOL_DATA_DIR="$WORK/data" RINGPOOL_ADMIN_KEY=$ADMIN RINGPOOL_DEMO=false RINGPOOL_TEST_CLOCK=true \
    RINGPOOL_TEST_CLOCK_START="${TEST_CLOCK_START:-}" taskset -c "$SERVER_CORE" "$JAVA" "${JVM_OPTS[@]}" -Xms"$SERVER_HEAP" -Xmx"$SERVER_HEAP" ${SERVER_JAVA_OPTS:-} -jar "$SERVER_JAR" ${SERVER_ARGS:-} >> "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  STARTED_AT=$(date +%s%N)
  local want=$(( $(grep -c 'listening port=' "$WORK/server.log" 2>/dev/null || true) + 1 ))
  for _ in $(seq 1 3000); do [ "$(grep -c 'listening port=' "$WORK/server.log" 2>/dev/null || true)" -ge "$want" ] && break; sleep 0.1; done
  PORT=$(grep -o 'listening port=[0-9]*' "$WORK/server.log" | tail -1 | cut -d= -f2)
  echo "server pid $SERVER_PID port $PORT (core $SERVER_CORE, $(jvm_collector), -Xms=-Xmx=$SERVER_HEAP) up in $(( ($(date +%s%N) - STARTED_AT) / 1000000 )) ms; loadtest on core $LOADTEST_CORE; commit $(git rev-parse --short HEAD); $("$JAVA" -version 2>&1 | head -1)" >&2
}

stop_server() {
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
}

# export: a big site's export through HTTP (issue 10). The calls are written straight into the H2
# file while the server is stopped (org.h2.tools.RunScript from the server jar: INSERT … SELECT over
# SYSTEM_RANGE, 2,000,000 rows in a minute or two, where the API would take the better part of an
# hour); the site is made through the admin API first. Then the server is started again with
# SERVER_HEAP (default here 256m) and the export is fetched with curl while the server's heap is
# sampled every second (jcmd GC.heap_info). Options: --rows=N (2000000), --format=F (yandex-calls).
if [ "${1:-}" = export ]; then
  shift
  ROWS=2000000; FORMAT=yandex-calls
  for a in "$@"; do case "$a" in --rows=*) ROWS="${a#--rows=}";; --format=*) FORMAT="${a#--format=}";;
    *) echo "export: unknown option $a (--rows=N, --format=F)" >&2; exit 2;; esac; done
  SERVER_HEAP="${HEAP_GIVEN:-256m}"
  # EXPORT_DATA=DIR keeps the seeded data directory there and reuses it on the next run (seeding takes minutes).
  if [ -n "${EXPORT_DATA:-}" ] && [ -f "$EXPORT_DATA/site.env" ]; then
    rm -rf "$WORK/data"; cp -a "$EXPORT_DATA" "$WORK/data"; rm -f "$WORK/data"/gc.log*
    . "$WORK/data/site.env"
    echo "reusing the seeded data directory $EXPORT_DATA (site $SITE_ID)" >&2
  else
  start_server 1
  SITE_JSON=$(curl -sf -X POST "http://127.0.0.1:$PORT/v1/sites" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
    -d '{"name":"big site","defaultNumber":"+74950000000","timeZone":"UTC","currency":"RUB"}')
  SITE_ID=$(echo "$SITE_JSON" | sed -E 's/.*"siteId":"([^"]+)".*/\1/')
  API_KEY=$(echo "$SITE_JSON" | sed -E 's/.*"apiKey":"([^"]+)".*/\1/')
  stop_server
  T0=$(( ($(date +%s) - 3 * 86400) * 1000 ))
  {
    for (( lo = 1; lo <= ROWS; lo += 250000 )); do
      hi=$(( lo + 249999 > ROWS ? ROWS : lo + 249999 ))
      cat <<SQL
INSERT INTO calls (call_id, site_id, provider, provider_call_id, caller, caller_valid, number, answered, status, started_at, ended_at,
  duration_seconds, talk_seconds, first_time, is_unique, target, unique_target, method, attributed_at, visitor_id, source, medium,
  campaign, channel, landing_page, gclid, yclid, client_ids_json, tags_json, device_type, browser, os, call_value, created_at, updated_at)
SELECT 'cl_seed' || LPAD(CAST(X AS VARCHAR), 10, '0'), '$SITE_ID', 'generic', 'seed-' || X,
  '+7916' || LPAD(CAST(MOD(X, 10000000) AS VARCHAR), 7, '0'), TRUE, '+74950000001', MOD(X, 5) <> 0, 'completed',
  $T0 + X * 100, $T0 + X * 100 + 61000, 61, 50, MOD(X, 3) = 0, MOD(X, 2) = 0, TRUE, MOD(X, 2) = 0, 'active', $T0 + X * 100,
  'v_' || MOD(X, 700000), 'google', 'cpc', 'brand', 'paid', 'https://shop.example/product/' || MOD(X, 500) || '?utm_source=google',
  'GCLID-' || X, 'YCLID-' || X, '{"ym":"' || (1700000000000 + X) || '"}', '["seo","lead"]', 'desktop', 'Chrome', 'Windows',
  CASE WHEN MOD(X, 4) = 0 THEN 1500 ELSE NULL END, $T0 + X * 100, $T0 + X * 100
FROM SYSTEM_RANGE($lo, $hi);
COMMIT;
SQL
    done
  } > "$WORK/seed.sql"
  SEED_START=$(date +%s%N)
  taskset -c "$LOADTEST_CORE" "$JAVA" -Xmx1g -cp "$SERVER_JAR" org.h2.tools.RunScript -url "jdbc:h2:file:$WORK/data/ringpool" -script "$WORK/seed.sql"
  echo "seeded $ROWS calls straight into H2 in $(( ($(date +%s%N) - SEED_START) / 1000000 )) ms" >&2
  printf 'SITE_ID=%s\nAPI_KEY=%s\nT0=%s\n' "$SITE_ID" "$API_KEY" "$T0" > "$WORK/data/site.env"
  if [ -n "${EXPORT_DATA:-}" ]; then rm -rf "$EXPORT_DATA"; cp -a "$WORK/data" "$EXPORT_DATA"; fi
  fi
  # The report facts of 2,000,000 calls alone need ~200 MB: this server only exports, so they load on demand (never here).
  printf 'server:\n  reportPreload: false\n' > "$WORK/export.yaml"
  SERVER_ARGS="--config=$WORK/export.yaml"
  start_server 2
  HEAP_LOG="$WORK/heap.txt"; : > "$HEAP_LOG"
  ( while kill -0 "$SERVER_PID" 2>/dev/null; do
      "$JAVA_HOME/bin/jcmd" "$SERVER_PID" GC.heap_info 2>/dev/null | grep -o 'used [0-9]*K' | head -1 | grep -o '[0-9]*' >> "$HEAP_LOG"
      sleep 1
    done ) &
  SAMPLER=$!
  FROM=$(date -u -d "@$(( T0 / 1000 - 86400 ))" +%F); TO=$(date -u +%F)
  EXPORT_START=$(date +%s%N)
  STATS=$(curl -s -N -o >(wc -l > "$WORK/lines.txt") -w '%{http_code} %{size_download}' -H "Authorization: Bearer $API_KEY" \
    "http://127.0.0.1:$PORT/v1/sites/$SITE_ID/exports/$FORMAT.csv?from=$FROM&to=$TO") || true
  EXPORT_MS=$(( ($(date +%s%N) - EXPORT_START) / 1000000 ))
  sleep 1
  kill "$SAMPLER" 2>/dev/null || true
  read -r STATUS BYTES <<< "$STATS"
  LINES=$(cat "$WORK/lines.txt")
  ROWS_OUT=$(( LINES - 1 ))
  MAX_USED_KB=$(sort -n "$HEAP_LOG" | tail -1)
  echo "export $FORMAT: HTTP $STATUS, $ROWS_OUT rows (+ header), $BYTES bytes in $EXPORT_MS ms: $(( ROWS_OUT * 1000 / (EXPORT_MS > 0 ? EXPORT_MS : 1) )) rows/s, $(( BYTES / 1024 * 1000 / (EXPORT_MS > 0 ? EXPORT_MS : 1) / 1024 )) MiB/s; server heap -Xmx$SERVER_HEAP, most used seen (1 s samples) $(( ${MAX_USED_KB:-0} / 1024 )) MiB" >&2
  grep -E 'streamed_response_failed|OutOfMemory|report_facts_loaded' "$WORK/server.log" >&2 || true
  if [ -n "${KEEP_SERVER_LOG:-}" ]; then cp "$WORK/server.log" "$KEEP_SERVER_LOG"; fi
  cat "$WORK/data"/gc.log* 2>/dev/null | awk '/ Pause / && $NF ~ /ms$/ {ms=$NF; sub(/ms/,"",ms); n++; t+=ms; if (ms+0>m) m=ms+0}
    END {if (n) printf "gc pauses: %d, longest %.1f ms, total %.0f ms ('"$(jvm_collector)"', heap '"$SERVER_HEAP"')\n", n, m, t}' >&2 || true
  exit 0
fi

start_server 1
SCENARIO="$1"; shift
EXTRA=()
[ "$SCENARIO" = memory ] || [ "$SCENARIO" = throughput ] && EXTRA+=("--server-pid=$SERVER_PID")
[ "$SCENARIO" = footprint ] && EXTRA+=("--server-pid=$SERVER_PID" "--server-log=$WORK/server.log" "--state=$WORK/footprint.json")
taskset -c "$LOADTEST_CORE" "$JAVA" -Xmx1g ${LOADTEST_JAVA_OPTS:-} -jar "$LOADTEST_JAR" "$SCENARIO" --url="http://127.0.0.1:$PORT" --admin-key=$ADMIN \
  --out="${OUT:-loadtest/results}" "${EXTRA[@]}" "$@"
if [ "$SCENARIO" = footprint ] && [ -f "$WORK/footprint.json" ]; then
  kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true
  # The restarted server's test clock starts where the simulator left it, as a real server's clock
  # would be: one in its own past refuses its report snapshots (written "in the future").
  TEST_CLOCK_START=$(grep -o '"clockAt" *: *"[^"]*"' "$WORK/footprint.json" | sed 's/.*: *"\([^"]*\)"/\1/')
  start_server 2
  taskset -c "$LOADTEST_CORE" "$JAVA" -Xmx1g -jar "$LOADTEST_JAR" footprint --phase=after-restart --url="http://127.0.0.1:$PORT" \
    --admin-key=$ADMIN --out="${OUT:-loadtest/results}" --server-log="$WORK/server.log" --state="$WORK/footprint.json"
fi
if [ -n "${KEEP_SERVER_LOG:-}" ]; then cp "$WORK/server.log" "$KEEP_SERVER_LOG"; fi
# GC pauses of the run (the GC log has one line per pause): count, longest, total.
cat "$WORK/data"/gc.log* 2>/dev/null | awk '/ Pause / && $NF ~ /ms$/ {ms=$NF; sub(/ms/,"",ms); n++; t+=ms; if (ms+0>m) m=ms+0}
  END {if (n) printf "gc pauses: %d, longest %.1f ms, total %.0f ms ('"$(jvm_collector)"', heap '"$SERVER_HEAP"')\n", n, m, t}' >&2 || true
