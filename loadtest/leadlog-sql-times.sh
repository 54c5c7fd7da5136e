#!/usr/bin/env bash
# The lead log's query on PostgreSQL, timed apart from HTTP: EXPLAIN ANALYZE's Execution Time, median of 5, in ms,
# and the plan's first nodes, for the old query (before session 42: ORDER BY at, a cursor as an OR, the limit a
# literal) on database BEFORE and the new one (LeadStore.querySql) on database AFTER. Each database holds what
# `loadtest/run.sh leadlog` seeded (one site's leads) with RINGPOOL_DB_URL pointing at it, the old jar's run on BEFORE.
# Usage: loadtest/leadlog-sql-times.sh BEFORE AFTER (psql's PGHOST, PGUSER, PGPASSWORD as usual).
set -euo pipefail
[ $# = 2 ] || { echo "usage: $0 BEFORE_DATABASE AFTER_DATABASE" >&2; exit 2; }
COLS="lead_id, site_id, kind, origin, form_id, page_url, at, last_at, submissions, phone, phone_valid, email, email_valid, name, message,
  status, is_unique, method, contact_of, session_id, visitor_id, source, medium, campaign, term, content, channel, landing_page, referrer,
  gclid, yclid, click_ids_json, client_ids_json, device_type, browser, os, tags_json, lead_value, currency"
run() { # database, query -> the median ms and the plan's first nodes
  local db=$1 sql=$2 times=() plan
  for _ in 1 2 3 4 5; do
    times+=("$(psql -d "$db" -At -c "EXPLAIN (ANALYZE) $sql" | grep 'Execution Time' | grep -o '[0-9.]*')")
  done
  plan=$(psql -d "$db" -At -c "EXPLAIN $sql" | grep -oE '(Index Scan Backward using [a-z_]+|Seq Scan on [a-z_]+|Sort|Hash Semi Join|Index Scan using [a-z_]+)' | head -3 | paste -sd, -)
  printf '%s ms (%s)\n' "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)" "$plan"
}
for side in before after; do
  db=$1; [ $side = after ] && db=$2
  S=$(psql -d "$db" -At -c "SELECT site_id FROM leads LIMIT 1")
  read -r LO HI MID <<< "$(psql -d "$db" -At -F' ' -c "SELECT MIN(at), MAX(at) + 1, (MIN(at) + MAX(at)) / 2 FROM leads")"
  W="FROM leads WHERE site_id = '$S'"
  R="AND at >= $LO AND at < $HI"
  TAG="AND EXISTS (SELECT 1 FROM lead_tags t WHERE t.lead_id = leads.lead_id AND LOWER(t.tag) = LOWER('lead'))"
  if [ $side = before ]; then
    O="ORDER BY at DESC, lead_id DESC LIMIT"; F=""; C="AND (at < $MID OR (at = $MID AND lead_id < 'ld_seed'))"; NR=""
  else
    O="ORDER BY site_id DESC, at DESC, lead_id DESC FETCH FIRST"; F="ROWS ONLY"; C="AND at <= $MID AND (at < $MID OR lead_id < 'ld_seed')"
    NR="AND at >= -9223372036854775808"
  fi
  echo "== $side ($db)"
  echo "year limit=50: $(run "$db" "SELECT $COLS $W $R $O 51 $F")"
  echo "year limit=500: $(run "$db" "SELECT $COLS $W $R $O 501 $F")"
  echo "year limit=50, cursor in the middle: $(run "$db" "SELECT $COLS $W $R $C $O 51 $F")"
  echo "year limit=500&source=google: $(run "$db" "SELECT $COLS $W $R AND LOWER(source) = LOWER('google') $O 501 $F")"
  echo "year limit=500&status=qualified: $(run "$db" "SELECT $COLS $W $R AND status = 'qualified' $O 501 $F")"
  echo "year limit=50&tag=lead: $(run "$db" "SELECT $COLS $W $R $TAG $O 51 $F")"
  echo "year limit=500&tag=lead: $(run "$db" "SELECT $COLS $W $R $TAG $O 501 $F")"
  echo "no range limit=50: $(run "$db" "SELECT $COLS $W $NR $O 51 $F")"
  echo "no range limit=50, cursor in the middle: $(run "$db" "SELECT $COLS $W $NR $C $O 51 $F")"
done
