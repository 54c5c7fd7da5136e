#!/usr/bin/env bash
# Two Ringpool nodes on one PostgreSQL database (issue 15). Creates a fresh database, starts node A
# and node B, creates a site and pool on A and measures how long until B leases from it (the
# stated bound: the commit's notification, or at worst cluster.changePollMillis, 1 s, plus one
# read), and how long until B leases a number added on A to a pool it holds; then runs the throughput scenario
# against node B (every figure a ratio to B's /health in the same run) while A stays up.
# Measure on a quiet machine. Usage: loadtest/run-two-nodes.sh [throughput options...]
# Env: PG_URL (jdbc:postgresql://127.0.0.1:5432), PG_USER/PG_PASSWORD (ringpool/ringpool).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
JAVA="$JAVA_HOME/bin/java"
SERVER_JAR=server/target/ringpool-server.jar
LOADTEST_JAR=loadtest/target/ringpool-loadtest.jar
if [ ! -f "$SERVER_JAR" ] || [ ! -f "$LOADTEST_JAR" ]; then
  ./mvnw -q -B -pl server,loadtest -am package -DskipTests
fi
PG_URL="${PG_URL:-jdbc:postgresql://127.0.0.1:5432}"
PG_USER="${PG_USER:-ringpool}"; PG_PASSWORD="${PG_PASSWORD:-ringpool}"
DB="rp_two_nodes_$$"
PGHOSTPORT=$(echo "$PG_URL" | sed -E 's#jdbc:postgresql://([^/]*).*#\1#')
export PGPASSWORD="$PG_PASSWORD"
psql -h "${PGHOSTPORT%:*}" -p "${PGHOSTPORT#*:}" -U "$PG_USER" -d postgres -qc "CREATE DATABASE $DB"
WORK=$(mktemp -d)
ADMIN=loadtest-admin-key-0123456789
SECRET=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  psql -h "${PGHOSTPORT%:*}" -p "${PGHOSTPORT#*:}" -U "$PG_USER" -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
. loadtest/jvm-options.sh
start_node() { # name core; sets NODE_PORT (not called as $(...): a subshell would keep the pid from cleanup)
  mkdir -p "$WORK/$1"
  jvm_options "$WORK/$1"
  RINGPOOL_PORT=0 RINGPOOL_DATA_DIR="$WORK/$1" RINGPOOL_ADMIN_KEY=$ADMIN RINGPOOL_SECRET_KEY=$SECRET RINGPOOL_DEMO=false \
  RINGPOOL_DB_URL="$PG_URL/$DB" RINGPOOL_DB_USER="$PG_USER" RINGPOOL_DB_PASSWORD="$PG_PASSWORD" RINGPOOL_NODE_ID="$1" \
    taskset -c "$2" "$JAVA" "${JVM_OPTS[@]}" -Xms1g -Xmx1g ${SERVER_JAVA_OPTS:-} -jar "$SERVER_JAR" > "$WORK/$1.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 200); do grep -q 'listening port=' "$WORK/$1.log" && break; sleep 0.2; done
  NODE_PORT=$(grep -o 'listening port=[0-9]*' "$WORK/$1.log" | cut -d= -f2)
}
start_node node-a 0; PORT_A=$NODE_PORT
start_node node-b 0; PORT_B=$NODE_PORT
echo "node A :$PORT_A, node B :$PORT_B (both core 0), database $DB; commit $(git rev-parse --short HEAD)" >&2

# A site and pool made through A, then starts through B until one is tracked: how long until B
# leases from it. B hears of the change when it commits (cluster.ChangeNotifications), and catches
# up on a start that names a key it does not know yet (cluster.ChangeCatchUp); without either it
# would see the site at its next change poll.
lease_on_b_after_creating_on_a() {
  SITE=$(curl -s -X POST "localhost:$PORT_A/v1/sites" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
    -d "{\"name\":\"Two nodes $1\",\"defaultNumber\":\"+74951234567\"}")
  SITE_ID=$(echo "$SITE" | sed -E 's/.*"siteId":"([^"]+)".*/\1/')
  API_KEY=$(echo "$SITE" | sed -E 's/.*"apiKey":"([^"]+)".*/\1/')
  PUBLIC_KEY=$(echo "$SITE" | sed -E 's/.*"publicKey":"([^"]+)".*/\1/')
  POOL_ID=$(curl -s -X POST "localhost:$PORT_A/v1/sites/$SITE_ID/pools" -H "Authorization: Bearer $API_KEY" \
    -H 'Content-Type: application/json' -d "{\"name\":\"main\",\"numbers\":[\"+749555${1}001\",\"+749555${1}002\"]}" \
    | sed -E 's/.*"poolId":"([^"]+)".*/\1/')
  T0=$(date +%s%N)
  TRIES=0
  while :; do
    TRIES=$((TRIES + 1))
    R=$(curl -s -X POST "localhost:$PORT_B/v1/sessions" -H 'Content-Type: application/json' -H 'User-Agent: Mozilla/5.0 Chrome/130.0' \
      -d "{\"siteKey\":\"$PUBLIC_KEY\",\"visitorId\":\"two-nodes-1\",\"url\":\"https://example.com/\"}")
    if echo "$R" | grep -q '"tracked":true'; then break; fi
    if [ $(( ($(date +%s%N) - T0) / 1000000 )) -gt 30000 ]; then echo "node B did not lease within 30 s: $R" >&2; exit 1; fi
    sleep 0.05
  done
  echo "site created on A leased on B after $(( ($(date +%s%N) - T0) / 1000000 )) ms, at start number $TRIES ($2; stated bound: the request itself, or 1000 ms poll + one read)"
}
lease_on_b_after_creating_on_a 50 "the nodes' first site"
lease_on_b_after_creating_on_a 51 "a second site"
lease_on_b_after_creating_on_a 52 "a third site"

# A number added through A to a pool B already holds, full: B learns it from the commit's
# notification (cluster.ChangeNotifications), as no request of B's names anything new.
start_on_b() {
  curl -s -X POST "localhost:$PORT_B/v1/sessions" -H 'Content-Type: application/json' -H 'User-Agent: Mozilla/5.0 Chrome/130.0' \
    -d "{\"siteKey\":\"$PUBLIC_KEY\",\"visitorId\":\"$1\",\"url\":\"https://example.com/\"}"
}
start_on_b two-nodes-2 | grep -q '"tracked":true' || { echo "node B did not lease the pool's second number" >&2; exit 1; }
start_on_b two-nodes-3 | grep -q '"pool_exhausted"' || { echo "node B's pool was expected full" >&2; exit 1; }
curl -s -o /dev/null -X POST "localhost:$PORT_A/v1/sites/$SITE_ID/pools/$POOL_ID/numbers" -H "Authorization: Bearer $API_KEY" \
  -H 'Content-Type: application/json' -d '{"numbers":["+74955552003"]}'
T0=$(date +%s%N)
TRIES=0
until start_on_b two-nodes-3 | grep -q '"tracked":true'; do
  TRIES=$((TRIES + 1))
  if [ $(( ($(date +%s%N) - T0) / 1000000 )) -gt 30000 ]; then echo "node B did not lease the added number within 30 s" >&2; exit 1; fi
  sleep 0.01
done
echo "number added on A leased on B after $(( ($(date +%s%N) - T0) / 1000000 )) ms, after $TRIES untracked starts (stated bound: the commit's notification, or 1000 ms poll + one read)"

taskset -c 1 "$JAVA" -Xmx1g -jar "$LOADTEST_JAR" throughput --url="http://127.0.0.1:$PORT_B" --admin-key=$ADMIN --test-clock=false \
  --out="${OUT:-loadtest/results}/two-nodes" "$@"
