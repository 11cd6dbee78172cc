#!/usr/bin/env bash
# Renders the pictures of README.md and the doc pages from the demo's own queries on the sample data
# (journey_sample_events(2000, 1), as in `make demo`):
#   funnel.svg     funnel_report: users reaching each step (gnuplot)
#   retention.svg  weekly retention heatmap from retention_matrix (gnuplot)
#   sankey.svg     step-numbered Sankey from journey_sankey (sankey.py, plain python3, no packages)
# Needs a server with journey installed (PGHOST/PGPORT/PGUSER); `make pictures` runs it through
# test/run.sh, which provides a throwaway one.  Tools: gnuplot (Debian gnuplot-nox), python3.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PSQL=${PSQL:-/usr/lib/postgresql/15/bin/psql}
DB=journey_pictures
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
q() { "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$DB" -A -t -F $'\t' -c "$1"; }

"$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
"$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$DB" -c "CREATE EXTENSION journey" \
    -c "SET timezone = 'UTC'" -c "CREATE TABLE events AS SELECT * FROM journey_sample_events(2000, 1)"

# funnel: the demo's funnel report (doc/funnel.md)
q "SELECT r.step, s.name, r.users, round(100 * r.conversion_from_first)::int
   FROM funnel_report((SELECT funnel_summary(t) FROM (
          SELECT funnel_times(ts, '1 day', event, ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']) AS t
          FROM events GROUP BY user_id) u)) r
   JOIN unnest(ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase']) WITH ORDINALITY s(name, step) USING (step)
   ORDER BY r.step" > "$T/funnel.dat"

# retention: weekly cohorts, the demo's retention_matrix (doc/retention.md); row index, period, percent, cohort
q "SELECT dense_rank() OVER (ORDER BY cohort DESC) - 1, period_index, round((100 * retention_rate)::numeric, 1), cohort
   FROM retention_matrix((SELECT retention_summary(user_id, ts, 'week', 8, 'UTC') FROM events))
   ORDER BY cohort, period_index" > "$T/retention.dat"

# Sankey: first 5 steps, top 4 events per step (doc/patterns.md)
q "SELECT step, source, target, users
   FROM journey_sankey((SELECT array_agg(j) FROM (SELECT journey_agg(ts, event) AS j FROM events GROUP BY user_id) x), 5, 4)
   ORDER BY step, source, target" > "$T/sankey.tsv"
"$PSQL" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB"

cd "$T"
gnuplot <<'GP'
set terminal svg size 720,360 font "Helvetica,13" background rgb "white" noenhanced
set output "funnel.svg"
set title "Funnel within 1 day (2,000 sample users)"
set style fill solid 0.85 noborder
set boxwidth 0.6
set yrange [0:*]
set ylabel "users"
set xtics nomirror
set ytics nomirror
set border 3
unset key
set datafile separator "\t"
plot "funnel.dat" using 1:3:xtic(2) with boxes lc rgb "#3b75af", \
     "" using 1:3:(sprintf("%d (%d%%)", $3, $4)) with labels offset 0,0.8
GP
gnuplot <<'GP'
set terminal svg size 720,420 font "Helvetica,12" background rgb "white" noenhanced
set output "retention.svg"
set title "Weekly retention by cohort (% of the cohort active k weeks later)"
set datafile separator "\t"
set palette defined (0 "#f7fbff", 20 "#9ecae1", 50 "#4292c6", 100 "#08306b")
set cbrange [0:100]
set cblabel "%"
set xlabel "weeks since first activity"
set xrange [-0.5:8.5]
set yrange [-0.5:7.5]
set xtics 1 out nomirror
set ytics out nomirror
unset key
set style fill solid 1.0 noborder
plot "retention.dat" using 2:1:(0.5):(0.5):3:ytic(4) with boxxyerror fc palette, \
     "" using 2:1:($3 > 50 ? sprintf("%g", $3) : "") with labels tc rgb "#ffffff", \
     "" using 2:1:($3 <= 50 ? sprintf("%g", $3) : "") with labels tc rgb "#000000"
GP
python3 "$HERE/sankey.py" sankey.tsv > sankey.svg
cp funnel.svg retention.svg sankey.svg "$HERE/"
echo "wrote $HERE/funnel.svg $HERE/retention.svg $HERE/sankey.svg"
