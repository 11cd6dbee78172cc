#!/usr/bin/env bash
# TAP tests (prove) against the running throwaway cluster of test/run.sh
# (PGHOST/PGPORT/PGUSER in the environment, superuser): dump/restore and COPY
# BINARY byte-equality, the ALTER EXTENSION UPDATE chain, pgbench concurrency,
# statement_timeout cancellation, binary/text decoder mutation, static checks.
#
#   bash test/tap.sh [test/t/NN_name.pl ...]
#   JOURNEY_TAP_BIG=1   the long versions (10M-event cancellation, more mutations, longer pgbench)
#
# Prints "N passed, N failed" (N = TAP assertions); exits non-zero on failure.
# The files share their helpers (psql, run, fresh_db ...) through test/t/lib/JourneyTest.pm.
set -uo pipefail
cd "$(dirname "$0")/.."
if ! command -v prove >/dev/null; then
    echo "SKIPPED tap: prove (perl) is not installed"; echo "0 passed, 0 failed"; exit 0
fi
# the binaries of test/run.sh's private installation, else those of pg_config
bindir=${JOURNEY_PGBIN:-$("${PG_CONFIG:-pg_config}" --bindir 2>/dev/null)}
if [ -z "${PGHOST:-}" ] || ! "$bindir/psql" -X -d postgres -c 'SELECT 1' >/dev/null 2>&1; then
    echo "SKIPPED tap: no running server (run through 'make test', which starts one and sets PGHOST)"
    echo "0 passed, 0 failed"; exit 0
fi
files=("$@"); [ ${#files[@]} -eq 0 ] && files=(test/t/*.pl)
out=$(mktemp /tmp/journey-tap.XXXXXX)
prove -v --timer "${files[@]}" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
p=$(grep -cE '^ok [0-9]+' "$out" || true)
f=$(grep -cE '^not ok [0-9]+' "$out" || true)
# a test file that died, or planned more than it ran, is one more failure
dubious=$(grep -cE '^test/t/.*\(Wstat: [1-9][0-9]* .*Failed: 0\)' "$out" || true)
f=$((f + dubious))
if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
rm -f "$out"
echo "$p passed, $f failed"
[ "$f" -eq 0 ]
