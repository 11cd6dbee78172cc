#!/usr/bin/env bash
# Random SQL (Debian's sqlsmith) against a database with journey and sample
# tables whose columns have journey's types, for a bounded number of queries.
# The server must never crash: the server log must show no backend
# "terminated by signal" (or by a non-zero exit code) during the run.
#
#   bash test/sqlsmith.sh [N]      N queries (default $SQLSMITH_QUERIES or 2000)
#   SQLSMITH_SEED=S                seed (default 1; the run is reproducible with it)
#   SQLSMITH_TIMEOUT=T             statement_timeout of the random queries (default 3s)
#
# With PGHOST set to a running server (as in test/run.sh or test/sanitize.sh)
# it uses that server and reads its log from $JOURNEY_SERVER_LOG; otherwise it
# starts its own throwaway server through `test/sanitize.sh --plain`.
# Prints "N passed, N failed"; exits non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/.."
N=${1:-${SQLSMITH_QUERIES:-2000}}
SEED=${SQLSMITH_SEED:-1}
PSQL=(/usr/lib/postgresql/15/bin/psql -X -q -v ON_ERROR_STOP=1)

if ! command -v sqlsmith >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlsmith >/dev/null 2>&1
    fi
    if ! command -v sqlsmith >/dev/null; then
        echo "SKIPPED sqlsmith: not installed (as root: apt-get install sqlsmith)"
        echo "0 passed, 0 failed"; exit 0
    fi
fi
if [ -z "${PGHOST:-}" ] || ! "${PSQL[@]}" -d postgres -c 'SELECT 1' >/dev/null 2>&1; then
    exec bash test/sanitize.sh --plain --skip-regress --sqlsmith "$N"
fi

pass=0; fail=0
ok() { echo "  ok $*"; pass=$((pass + 1)); }
bad() { echo "  FAIL $*"; fail=$((fail + 1)); }
LOG=${JOURNEY_SERVER_LOG:-}
start=0; [ -n "$LOG" ] && [ -f "$LOG" ] && start=$(wc -c <"$LOG")

DB=journey_smith
"${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null || { bad "createdb"; echo "$pass passed, $fail failed"; exit 1; }
"${PSQL[@]}" -d $DB -v smith_timeout="${SQLSMITH_TIMEOUT:-3s}" >/dev/null <<'SQL' || { bad "setup"; echo "$pass passed, $fail failed"; exit 1; }
CREATE EXTENSION journey;
CREATE TABLE events AS SELECT * FROM journey_sample_events(200, 1);
CREATE TABLE user_sessions AS
  SELECT user_id, session_stats(ts) AS s, session_stats(ts, '5 minutes') AS s5,
         session_stats(ts, '10 minutes', '1 hour') AS s_max
  FROM events GROUP BY user_id;
INSERT INTO user_sessions VALUES (-1, NULL, NULL, NULL);
CREATE TABLE daily AS
  SELECT date_trunc('day', ts) AS day, rollup(s) AS s FROM events e JOIN user_sessions u USING (user_id) GROUP BY 1;
CREATE TABLE sessions AS
  SELECT user_id, ts, event, sessionize(ts) OVER w AS session_no, session_start(ts) OVER w AS started,
         session_key(user_id, session_start(ts) OVER w) AS session_id
  FROM events WINDOW w AS (PARTITION BY user_id ORDER BY ts);
CREATE TABLE edge (ts timestamptz, t timestamp, gap interval, q float8, s session_stats, txt text);
INSERT INTO edge VALUES
  ('-infinity', '-infinity', '-1 day', 'NaN', NULL, ''),
  ('infinity', 'infinity', '0', 'Infinity', '{"v":1,"sessions":0,"events":0,"bounces":0,"duration_us":0,"hist":[]}', '{'),
  ('4713-01-01 BC', '4713-01-01 BC', '178000000 years', -1, '{"v":1,"sessions":1,"events":1,"bounces":1,"duration_us":0,"hist":[[0,1]]}', '{"v":1}'),
  ('294276-12-31 23:59:59', '294276-12-31', '1 microsecond', 1e308, NULL, NULL);
-- every other journey type as a column, so random queries call their functions with them
CREATE TABLE journeys AS
  SELECT user_id, journey_agg(ts, event) AS j,
         funnel_times(ts, '1 day', event, ARRAY['page_view', 'product_view', 'add_to_cart', 'purchase']) AS ft,
         funnel_step(ts, '1 hour', 'strict_order', event = 'page_view', event = 'add_to_cart') AS lvl,
         cohort_retention(ts, 'day', 14, 'UTC') AS cr,
         ARRAY[count(*)::float8, count(DISTINCT event)::float8, coalesce(sum(revenue), 0)::float8] AS features
  FROM events GROUP BY user_id;
INSERT INTO journeys (user_id, j) VALUES (-1, '[]'), (-2, NULL),
  (-3, '[2024-01-01 00:00:00Z a, +0s b, +0s "\\x01", +9999d c]');
CREATE TABLE summaries AS
  SELECT (SELECT funnel_summary(ft) FROM journeys) AS fs,
         (SELECT rollup(cr) FROM journeys) AS cr,
         (SELECT rollup(j) FROM journeys WHERE user_id > 0) AS j,
         (SELECT kmeans_segment(features, 3) FROM journeys WHERE features IS NOT NULL) AS km,
         (SELECT retention_summary(user_id, ts, 'week', 4, 'UTC') FROM events) AS rs;
CREATE TABLE patterns (p text);
INSERT INTO patterns VALUES ('page_view .* purchase within 1 hour'), ('(a|b)*c'), ('(?t>=10)'), ('.{0,5}'), (''), ('((('), (NULL);
CREATE ROLE smith LOGIN;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO smith;
ALTER ROLE smith SET statement_timeout = :'smith_timeout';
ANALYZE;
SQL
ok "database $DB with journey and sample tables (events, user_sessions, daily, sessions, edge, journeys, summaries, patterns)"

out=$(mktemp /tmp/journey-smith.XXXXXX)
t0=$(date +%s)
timeout $((N / 2 + 600)) sqlsmith --target="host=$PGHOST port=${PGPORT:-5432} user=smith dbname=$DB" \
    --max-queries="$N" --seed="$SEED" --exclude-catalog --dump-all-queries --verbose >"$out.q" 2>"$out" 
rc=$?
t1=$(date +%s)
nq=$(awk 'BEGIN{RS=";\n"} NF{n++} END{print n+0}' "$out.q")
nj=$(awk 'BEGIN{RS=";\n"; IGNORECASE=1} /session_|sessionize|rollup|journey|bounce_|duration|event_count|events_per|funnel|retention|cohort|kmeans|sequence_/{n++} END{print n+0}' "$out.q")
echo "  sqlsmith seed $SEED: exit $rc, $nq queries generated in $((t1 - t0)) s, $nj of them call journey functions or read journey types"
# the verbose log ends with sqlsmith's error tally (errors are expected: random SQL)
grep -vE '^(Loading|Generating)' "$out" | tr '\r' '\n' | grep -E 'queries|error|ERROR' | tail -8 | sed 's/^/    /'
# journey's own errors among them (the message texts of src/*.c); an internal
# error (elog, XX000) reached from SQL would show here
jerr=$(tr '\r' '\n' <"$out" | grep -E 'ERROR: +(session|sessionize|maximum session|percentile|journey|funnel|retention|cohort|kmeans|pattern|sequence|invalid (session_stats|funnel_summary|cohort_retention|kmeans_model|journey)|unsupported|value out of range in)' | sed -E 's/^[[:space:]]*[0-9]+[[:space:]]+//' | sort -u)
if [ -n "$jerr" ]; then echo "  journey errors seen (distinct messages):"; echo "$jerr" | head -30 | sed 's/^/    /'; fi
if [ $rc -eq 0 ] || [ $rc -eq 1 ] && [ "$nq" -ge "$N" ]; then
    ok "sqlsmith ran $nq queries"
else
    bad "sqlsmith stopped early (exit $rc, $nq of $N queries):"
    head -20 "$out" | sed 's/^/    /'
fi
if [ -n "$LOG" ] && [ -f "$LOG" ]; then
    if tail -c +$((start + 1)) "$LOG" | grep -qE 'terminated by signal|was terminated by exception'; then
        bad "a backend crashed during the run:"
        tail -c +$((start + 1)) "$LOG" | grep -B3 -A3 -E 'terminated by' | head -40
        cp "$out.q" /tmp/journey-smith-crash-queries.sql
        echo "    queries of the run: /tmp/journey-smith-crash-queries.sql (reproduce: SQLSMITH_SEED=$SEED bash test/sqlsmith.sh $N)"
    else
        ok "no crashed backend in the server log"
    fi
else
    # no log to read: at least the server must still answer
    if "${PSQL[@]}" -d $DB -c 'SELECT 1' >/dev/null 2>&1; then ok "server still answers (no log given)"; else bad "server does not answer"; fi
fi
rm -f "$out" "$out.q"
"${PSQL[@]}" -d postgres -c "DROP DATABASE $DB" >/dev/null 2>&1
"${PSQL[@]}" -d postgres -c "DROP ROLE smith" >/dev/null 2>&1
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
