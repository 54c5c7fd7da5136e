#!/usr/bin/env bash
# Starts a fresh server (test clock on, temporary data dir) pinned to core 0, runs one loadtest
# scenario pinned to core 1 against it, stops the server. Builds the jars if they are missing.
# Usage: loadtest/run.sh <accuracy|sweep|throughput|memory|report|footprint|export|calllog|leadlog> [--option=value ...]
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
# export, calllog and leadlog use curl, not the load generator's jar.
if [ ! -f "$SERVER_JAR" ] || { [ "${1:-}" != export ] && [ "${1:-}" != calllog ] && [ "${1:-}" != leadlog ] && [ ! -f "$LOADTEST_JAR" ]; }; then
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

# calllog: the time of a call-log page over a wide and a narrow range (audit AD3). ROWS calls (--rows=, 100000) of one
# site over the last DAYS days (--days=, 365) are written straight into the store while the server is stopped, as for
# export below: H2 through org.h2.tools.RunScript, PostgreSQL (RINGPOOL_DB_URL/_USER/_PASSWORD, an empty database)
# through the same tool and the server jar's driver, then ANALYZE. Every fifth call shares its millisecond with the one
# before; 3/7 are from google, 2/10 missed, 1/40 tagged lead. Each page is fetched --reps= times (5) after a warm-up;
# the table gives the median and the slowest in ms, then a walk of the whole range by cursor at limit 500. Each fetch of
# a page moves its end by a second (to=...T00:00:0NZ): H2 hands a statement's last result back when the same query
# comes again on an unchanged table, which would time that cache rather than the read.
# Compare two builds with SERVER_JAR=old.jar on a second run (the same rows are seeded each time).
# leadlog: the same for the lead log, ROWS leads of one site: 3/7 from google, 2/10 qualified, 1/40 tagged lead, every
# fourth a callback, every lead with a valid phone (so each lead of a page looks up the calls from it, as a real log's do).
if [ "${1:-}" = calllog ] || [ "${1:-}" = leadlog ]; then
  LOG=$1; shift
  ROWS=100000; DAYS=365; REPS=5
  for a in "$@"; do case "$a" in --rows=*) ROWS="${a#--rows=}";; --days=*) DAYS="${a#--days=}";; --reps=*) REPS="${a#--reps=}";;
    *) echo "$LOG: unknown option $a (--rows=N, --days=N, --reps=N)" >&2; exit 2;; esac; done
  start_server 1
  SITE_JSON=$(curl -sf -X POST "http://127.0.0.1:$PORT/v1/sites" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
    -d '{"name":"log site","defaultNumber":"+74950000000","timeZone":"UTC","currency":"RUB"}')
  SITE_ID=$(echo "$SITE_JSON" | sed -E 's/.*"siteId":"([^"]+)".*/\1/')
  API_KEY=$(echo "$SITE_JSON" | sed -E 's/.*"apiKey":"([^"]+)".*/\1/')
  stop_server
  NOW=$(( $(date +%s) * 1000 ))
  STEP=$(( DAYS * 86400000 / ROWS )); T0=$(( NOW - DAYS * 86400000 - 3600000 ))
  if [ -n "${RINGPOOL_DB_URL:-}" ]; then
    SERIES="generate_series(CAST(1 AS BIGINT), $ROWS) AS g(x)"; ANALYZE="ANALYZE calls; ANALYZE call_tags; ANALYZE leads; ANALYZE lead_tags;"
    DB_ARGS=(-url "$RINGPOOL_DB_URL" -user "${RINGPOOL_DB_USER:-}" -password "${RINGPOOL_DB_PASSWORD:-}")
  else
    SERIES="SYSTEM_RANGE(1, $ROWS)"; ANALYZE=""; DB_ARGS=(-url "jdbc:h2:file:$WORK/data/ringpool")
  fi
  if [ "$LOG" = calllog ]; then
  cat > "$WORK/seed.sql" <<SQL
INSERT INTO calls (call_id, site_id, provider, provider_call_id, caller, caller_valid, number, answered, status, started_at, ended_at,
  duration_seconds, talk_seconds, first_time, is_unique, target, unique_target, method, attributed_at, visitor_id, source, medium,
  campaign, channel, landing_page, tags_json, device_type, browser, os, created_at, updated_at)
SELECT 'cl_seed' || LPAD(CAST(X AS VARCHAR), 10, '0'), '$SITE_ID', 'generic', 'seed-' || X,
  '+7916' || LPAD(CAST(MOD(X * 7919, 10000000) AS VARCHAR), 7, '0'), TRUE, '+74950000001', MOD(X, 10) >= 2,
  CASE WHEN MOD(X, 10) < 2 THEN 'missed' WHEN MOD(X, 10) = 2 THEN 'busy' ELSE 'completed' END,
  $T0 + (X - CASE WHEN MOD(X, 5) = 0 THEN 1 ELSE 0 END) * $STEP, $T0 + X * $STEP + 61000, 61, 50, MOD(X, 3) = 0, MOD(X, 2) = 0,
  TRUE, MOD(X, 2) = 0, CASE WHEN MOD(X, 7) < 5 THEN 'active' ELSE 'none' END, $T0 + X * $STEP, 'v_' || MOD(X, 70000),
  CASE WHEN MOD(X, 7) < 3 THEN 'google' WHEN MOD(X, 7) < 5 THEN 'yandex' ELSE NULL END, 'cpc', 'brand', 'paid',
  'https://shop.example/product/' || MOD(X, 500), CASE WHEN MOD(X, 40) = 0 THEN '["lead"]' ELSE '[]' END, 'desktop', 'Chrome',
  'Windows', $T0 + X * $STEP, $T0 + X * $STEP
FROM $SERIES;
INSERT INTO call_tags (site_id, call_id, tag) SELECT '$SITE_ID', 'cl_seed' || LPAD(CAST(X AS VARCHAR), 10, '0'), 'lead'
FROM $SERIES WHERE MOD(X, 40) = 0;
COMMIT;
$ANALYZE
SQL
  else
  cat > "$WORK/seed.sql" <<SQL
INSERT INTO leads (lead_id, site_id, kind, origin, form_id, page_url, at, last_at, submissions, phone, phone_valid, email, email_valid,
  name, status, is_unique, method, session_id, visitor_id, source, medium, campaign, channel, landing_page, tags_json, device_type,
  browser, os, created_at, updated_at)
SELECT 'ld_seed' || LPAD(CAST(X AS VARCHAR), 10, '0'), '$SITE_ID', CASE WHEN MOD(X, 4) = 0 THEN 'callback' ELSE 'form' END, 'script',
  'order', 'https://shop.example/product/' || MOD(X, 500), $T0 + (X - CASE WHEN MOD(X, 5) = 0 THEN 1 ELSE 0 END) * $STEP,
  $T0 + X * $STEP, 1, '+7916' || LPAD(CAST(MOD(X * 7919, 10000000) AS VARCHAR), 7, '0'), TRUE, NULL, FALSE, 'Ivan',
  CASE WHEN MOD(X, 10) < 2 THEN 'qualified' WHEN MOD(X, 10) = 2 THEN 'won' ELSE 'new' END, MOD(X, 2) = 0,
  CASE WHEN MOD(X, 7) < 5 THEN 'session' ELSE 'none' END, 's_' || X, 'v_' || MOD(X, 70000),
  CASE WHEN MOD(X, 7) < 3 THEN 'google' WHEN MOD(X, 7) < 5 THEN 'yandex' ELSE NULL END, 'cpc', 'brand', 'paid',
  'https://shop.example/product/' || MOD(X, 500), CASE WHEN MOD(X, 40) = 0 THEN '["lead"]' ELSE '[]' END, 'desktop', 'Chrome',
  'Windows', $T0 + X * $STEP, $T0 + X * $STEP
FROM $SERIES;
INSERT INTO lead_tags (site_id, lead_id, tag) SELECT '$SITE_ID', 'ld_seed' || LPAD(CAST(X AS VARCHAR), 10, '0'), 'lead'
FROM $SERIES WHERE MOD(X, 40) = 0;
COMMIT;
$ANALYZE
SQL
  fi
  SEED_START=$(date +%s%N)
  taskset -c "$LOADTEST_CORE" "$JAVA" -Xmx1g -cp "$SERVER_JAR" org.h2.tools.RunScript "${DB_ARGS[@]}" -script "$WORK/seed.sql"
  echo "seeded $ROWS ${LOG%log}s over $DAYS days straight into the store in $(( ($(date +%s%N) - SEED_START) / 1000000 )) ms" >&2
  start_server 2
  BASE="http://127.0.0.1:$PORT/v1/sites/$SITE_ID/${LOG%log}s"
  # The filters timed: the lead log has no caller; a lead is qualified where a call is missed (2 in 10 of either).
  if [ "$LOG" = calllog ]; then FILTERS=("" "&source=google" "&status=missed" "&tag=lead"); else FILTERS=("" "&source=google" "&status=qualified" "&tag=lead"); fi
  page_ms() { curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $API_KEY" "$BASE?$1"; }
  # The median and the slowest of REPS fetches, in ms, @R@ in the query replaced by the fetch's number; a status
  # other than 200 stops the run.
  measure() {
    local times=() code t
    for r in $(seq 1 "$REPS"); do
      read -r code t <<< "$(page_ms "${2//@R@/$r}")"
      [ "$code" = 200 ] || { echo "$LOG: HTTP $code for $2" >&2; exit 1; }
      times+=("$(awk -v t="$t" 'BEGIN { printf "%.1f", t * 1000 }')")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v name="$1" '{ v[NR] = $1 } END { printf "%-34s %9.1f %9.1f\n", name, v[int((NR + 1) / 2)], v[NR] }'
  }
  YEAR="from=$(date -u -d "@$(( T0 / 1000 ))" +%F)&to=$(date -u -d tomorrow +%F)T00:00:0@R@Z"
  MID=$(( T0 / 1000 + DAYS * 86400 / 2 ))
  NARROW="from=$(date -u -d "@$MID" +%F)&to=$(date -u -d "@$(( MID + 19 * 86400 ))" +%F)T00:00:0@R@Z"
  CALLER=$(printf '%%2B7916%07d' $(( (ROWS / 2) * 7919 % 10000000 )))
  # Warm-up: every page of the table once (untimed) and then some, so the first cases measured do not pay for the JIT.
  for r in $(seq 1 3); do
    for q in "$YEAR" "$NARROW"; do for limit in 50 500; do for filter in "${FILTERS[@]}"; do
      page_ms "${q//@R@/$(( r + 5 ))}&limit=$limit$filter" > /dev/null
    done; done; done
  done
  {
    echo "${LOG%log} log pages, $ROWS ${LOG%log}s of one site over $DAYS days, $REPS fetches each; commit $(git rev-parse --short HEAD), server jar $SERVER_JAR (sha256 $(sha256sum "$SERVER_JAR" | cut -c1-12)); $(nproc) cores, $("$JAVA" -version 2>&1 | head -1)"
    echo "store: ${RINGPOOL_DB_URL:-H2 file}"
    printf '%-34s %9s %9s\n' "page" "median ms" "max ms"
    for range in year narrow; do
      q=$YEAR; [ "$range" = narrow ] && q=$NARROW
      for limit in 50 500; do
        for filter in "${FILTERS[@]}"; do
          measure "$range limit=$limit${filter}" "$q&limit=$limit$filter"
        done
      done
    done
    if [ "$LOG" = calllog ]; then measure "year limit=50&caller" "$YEAR&limit=50&caller=$CALLER"; fi
    measure "whole log (no range) limit=51..55" "limit=5@R@"
    # The whole range by cursor, as AD3 walked it.
    WALK_TIMES="$WORK/walk.txt"; : > "$WALK_TIMES"; CURSOR=""; PAGES=0; WALK_START=$(date +%s%N)
    while :; do
      OUT_JSON=$(curl -s -w '\n%{time_total}' -H "Authorization: Bearer $API_KEY" "$BASE?${YEAR//@R@/0}&limit=500${CURSOR:+&cursor=$CURSOR}")
      echo "$OUT_JSON" | tail -1 | awk '{ printf "%.1f\n", $1 * 1000 }' >> "$WALK_TIMES"
      PAGES=$(( PAGES + 1 ))
      CURSOR=$(echo "$OUT_JSON" | head -n -1 | grep -o '"nextCursor":"[^"]*"' | cut -d'"' -f4 || true)
      [ -n "$CURSOR" ] || break
    done
    sort -n "$WALK_TIMES" | awk -v pages="$PAGES" -v ms="$(( ($(date +%s%N) - WALK_START) / 1000000 ))" -v first="$(head -1 "$WALK_TIMES")" \
      '{ v[NR] = $1; sum += $1 } END { printf "year by cursor, limit=500: %d pages in %d ms (%.0f ms of it in the pages, the rest this script reading them); first page %.1f ms, median %.1f ms, slowest %.1f ms\n", pages, ms, sum, first, v[int((NR + 1) / 2)], v[NR] }'
  } | tee "$WORK/$LOG.txt"
  mkdir -p "${OUT:-loadtest/results}"; cp "$WORK/$LOG.txt" "${OUT:-loadtest/results}/$LOG.txt"
  exit 0
fi

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
