#!/bin/bash
# The update with the OLD library: journey 0.1.0 built from commit 3ea4238 into a private PostgreSQL
# copy writes values of every type into a cluster; the cluster is then started with the current build
# (default_version), values are read back before and after ALTER EXTENSION journey UPDATE and must
# equal what 0.1.0's library printed and sent.  Run as root (the cluster runs as postgres).
# Usage: bash test/old-library.sh     prints "N passed, N failed"
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OLD=3ea4238
T=$(mktemp -d /tmp/journey-oldlib.XXXXXX); chmod 755 "$T"
pass=0; fail=0
ok() { if [ "$1" = "$2" ]; then echo "ok - $3"; pass=$((pass+1)); else echo "not ok - $3"; echo "#   got:      $1"; echo "#   expected: $2"; fail=$((fail+1)); fi; }
RUN=(); [ "$(id -u)" = 0 ] && RUN=(runuser -u postgres --)
cleanup() {
    for i in old new; do [ -f "$T/data/postmaster.pid" ] && "${RUN[@]}" "$T/$i/usr/lib/postgresql/15/bin/pg_ctl" -D "$T/data" -m immediate -w stop >/dev/null 2>&1; done
    rm -rf "$T"
}
trap cleanup EXIT
inst() {   # inst DIR SRC: a private PostgreSQL 15 copy with journey built from SRC installed into it
    mkdir -p "$T/$1/usr/lib/postgresql" "$T/$1/usr/share/postgresql"
    cp -a /usr/lib/postgresql/15 "$T/$1/usr/lib/postgresql/" && cp -a /usr/share/postgresql/15 "$T/$1/usr/share/postgresql/" &&
    # a journey installed system-wide (make install, the .deb) must not leak into the private copy
    rm -f "$T/$1/usr/share/postgresql/15/extension/journey"* "$T/$1/usr/lib/postgresql/15/lib/journey.so" &&
    rm -rf "$T/$1/usr/lib/postgresql/15/lib/bitcode/journey" "$T/$1/usr/lib/postgresql/15/lib/bitcode/journey.index.bc"
    (cd "$2" && make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config >/dev/null 2>&1 &&
        make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config DESTDIR="$T/$1" install >/dev/null 2>&1)
}
mkdir -p "$T/src-old" "$T/src-new"
git archive "$OLD" | tar -x -C "$T/src-old" || { echo "no commit $OLD here"; exit 1; }
git archive HEAD | tar -x -C "$T/src-new"
inst old "$T/src-old" || { echo "building $OLD failed"; exit 1; }
inst new "$T/src-new" || { echo "building HEAD failed"; exit 1; }
ok "$(ls "$T/old/usr/share/postgresql/15/extension/" | grep -c '^journey--')" 1 "the old installation has only 0.1.0's script"
mkdir "$T/data"; [ "$(id -u)" = 0 ] && chown postgres: "$T/data" "$T"
"${RUN[@]}" "$T/old/usr/lib/postgresql/15/bin/initdb" -D "$T/data" -A trust -U postgres --locale=C -E UTF8 >/dev/null 2>&1 || { echo "initdb failed"; exit 1; }
printf "listen_addresses = ''\nunix_socket_directories = '%s'\ntimezone = 'UTC'\nfsync = off\n" "$T" >> "$T/data/postgresql.conf"
start() { "${RUN[@]}" "$T/$1/usr/lib/postgresql/15/bin/pg_ctl" -D "$T/data" -l "$T/log.$1" -w start >/dev/null; }
stop() { "${RUN[@]}" "$T/$1/usr/lib/postgresql/15/bin/pg_ctl" -D "$T/data" -w stop >/dev/null; }
q() { "$T/$1/usr/lib/postgresql/15/bin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -h "$T" -U postgres -d postgres -c "$2"; }
start old || { cat "$T/log.old"; exit 1; }
q old "CREATE EXTENSION journey" >/dev/null
q old "CREATE TABLE ev AS SELECT * FROM journey_sample_events(200, 7)" >/dev/null
q old "CREATE TABLE per_user AS SELECT user_id, session_stats(ts, '30 minutes') AS s, journey_agg(ts, event) AS j,
  cohort_retention(ts, 'day', 14, 'UTC') AS r,
  funnel_times(ts, '1 day', 'strict_order', event = 'page_view', event = 'product_view', event = 'purchase') AS ft
  FROM ev GROUP BY user_id" >/dev/null
q old "CREATE TABLE summaries AS SELECT rollup(s) AS s, rollup(j) AS j, rollup(r) AS r, funnel_summary(ft) AS f FROM per_user" >/dev/null
q old "CREATE TABLE models AS SELECT kmeans_segment(ARRAY[session_count(s)::float8, length(j)::float8], 3) AS m FROM per_user" >/dev/null
V="SELECT md5(string_agg(x, ',' ORDER BY x)) || ' ' || count(*) FROM (
  SELECT concat_ws('|', user_id, s::text, encode(session_stats_send(s), 'hex'), j::text, encode(journey_send(j), 'hex'),
    r::text, encode(cohort_retention_send(r), 'hex'), ft::text) AS x FROM per_user
  UNION ALL SELECT concat_ws('|', s::text, encode(session_stats_send(s), 'hex'), j::text, encode(journey_send(j), 'hex'),
    r::text, encode(cohort_retention_send(r), 'hex'), f::text, encode(funnel_summary_send(f), 'hex')) FROM summaries
  UNION ALL SELECT m::text || encode(kmeans_model_send(m), 'hex') FROM models) v"
K="SELECT string_agg(concat_ws(',', step, users, drop_off, median_time_from_previous), ';' ORDER BY step) FROM summaries, funnel_report(f)"
old_v=$(q old "$V"); old_k=$(q old "$K")
ok "$(q old "SELECT extversion FROM pg_extension WHERE extname = 'journey'")" 0.1.0 "values written by 0.1.0's library ($old_v)"
stop old
start new || { cat "$T/log.new"; exit 1; }
ok "$(q new "$V")" "$old_v" "the current library reads 0.1.0's stored values identically, before the update"
q new "ALTER EXTENSION journey UPDATE" >/dev/null
ok "$(q new "SELECT extversion FROM pg_extension WHERE extname = 'journey'")" "$(sed -n "s/^default_version = '\(.*\)'/\1/p" journey.control)" "ALTER EXTENSION journey UPDATE"
ok "$(q new "$V")" "$old_v" "and after the update"
ok "$(q new "$K")" "$old_k" "funnel_report of the stored funnel_summary equals 0.1.0's"
stop new
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
