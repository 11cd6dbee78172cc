#!/usr/bin/env bash
# The long reliability run (`make check-all`): everything `make test` does,
# then the long versions:
#   1. long fuzzing: every test/fuzz/fuzz_*.c for FUZZ_RUNS executions (default 10^7 each)
#   2. pg_regress, the TAP suite and SANITIZE_SQLSMITH random queries (default 500)
#      against a sanitized journey (ASan+UBSan; UBSan + valgrind memcheck when the
#      ASan runtime cannot be preloaded into the Debian server, as on Debian 12)
#   3. the long TAP versions and SQLSMITH_QUERIES random queries (default 20000)
#      against a plain server
#
#   FUZZ_RUNS=N  SQLSMITH_QUERIES=N  SANITIZE_SQLSMITH=N  SQLSMITH_SEED=S   sizes
#   CHECK_ALL_SKIP="test fuzz sanitize long"                               skip steps
#
# Prints one line per step and "N passed, N failed"; exits non-zero on failure.
# Logs are kept in /tmp/journey-check-all.<pid>/.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
FUZZ_RUNS=${FUZZ_RUNS:-10000000}
SQLSMITH_QUERIES=${SQLSMITH_QUERIES:-20000}     # plain server
SANITIZE_SQLSMITH=${SANITIZE_SQLSMITH:-500}     # sanitized server (valgrind is ~30x slower)
SKIP=" ${CHECK_ALL_SKIP:-} "
LOGS=/tmp/journey-check-all.$$
mkdir -p "$LOGS"
pass=0; fail=0
step() { # name, command...
    local name=$1; shift
    local t0; t0=$(date +%s)
    "$@" >"$LOGS/$name.log" 2>&1
    local rc=$?
    local line; line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$LOGS/$name.log" | tail -1)
    if [ $rc -eq 0 ]; then
        echo "  ok $name ($(( $(date +%s) - t0 )) s) ${line:+[$line]}"; pass=$((pass + 1))
    else
        echo "  FAIL $name ($(( $(date +%s) - t0 )) s, exit $rc) ${line:+[$line]} -- log: $LOGS/$name.log"
        tail -40 "$LOGS/$name.log" | sed 's/^/    /'
        fail=$((fail + 1))
    fi
}

# 1. the short suite, exactly as `make test`
[[ $SKIP == *" test "* ]] || step make-test bash test/run.sh test

# 2. long fuzzing
if [[ $SKIP != *" fuzz "* ]]; then
    bash test/fuzz/build.sh >"$LOGS/fuzz-build.log" 2>&1
    brc=$?
    if [ $brc -eq 77 ]; then
        echo "  SKIPPED long fuzzing: $(head -1 "$LOGS/fuzz-build.log")"
    elif [ $brc -ne 0 ]; then
        echo "  FAIL fuzz build"; cat "$LOGS/fuzz-build.log"; fail=$((fail + 1))
    else
        for src in test/fuzz/fuzz_*.c; do
            name=$(basename "$src" .c); short=${name#fuzz_}
            work=$LOGS/fuzz-$short; mkdir -p "$work/corpus" "$work/art"
            t0=$(date +%s)
            test/fuzz/bin/$name -runs="$FUZZ_RUNS" -max_len=512 -timeout=10 -rss_limit_mb=2048 \
                -print_final_stats=1 -artifact_prefix="$work/art/" "$work/corpus" "test/fuzz/corpus/$short" \
                >"$work/run.log" 2>&1
            rc=$?
            runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/run.log" | tail -1)
            cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$work/run.log" | tail -1)
            if [ $rc -eq 0 ]; then
                echo "  ok fuzz $short: ${runs:-?} executions in $(( $(date +%s) - t0 )) s, $cov, no crash"; pass=$((pass + 1))
            else
                echo "  FAIL fuzz $short after ${runs:-?} executions (exit $rc):"
                grep -E 'ERROR|runtime error|fuzz_|SUMMARY' "$work/run.log" | head -20 | sed 's/^/    /'
                for a in "$work"/art/*; do [ -f "$a" ] && echo "    reproduce: test/fuzz/bin/$name $a"; done
                fail=$((fail + 1))
            fi
        done
    fi
fi

# 3. sanitizers: pg_regress, the TAP suite and some sqlsmith queries in one server
#    running the sanitized journey (slow under valgrind, hence the short TAP and
#    fewer queries).  Scripts run from a copy: editing the tree meanwhile is harmless.
cp test/sanitize.sh "$LOGS/sanitize.sh"
if [[ $SKIP != *" sanitize "* ]]; then
    step sanitize env JOURNEY_ROOT="$ROOT" bash "$LOGS/sanitize.sh" \
        --sqlsmith "$SANITIZE_SQLSMITH" --run "bash test/tap.sh"
    grep -E 'NOTE|  ok |FAIL|sqlsmith seed|valgrind memcheck|error rate|cancel latency' "$LOGS/sanitize.log" | sed 's/^/    /'
fi
# 4. the long TAP versions (10M-event cancellation, 3000 binary / 20000 text
#    mutations, 60 s pgbench) and many sqlsmith queries, in a plain server
if [[ $SKIP != *" long "* ]]; then
    step long env JOURNEY_ROOT="$ROOT" bash "$LOGS/sanitize.sh" --plain --skip-regress \
        --sqlsmith "$SQLSMITH_QUERIES" --run "JOURNEY_TAP_BIG=1 bash test/tap.sh"
    grep -E '  ok |FAIL|sqlsmith seed|error rate|cancel latency|mutated' "$LOGS/long.log" | sed 's/^/    /'
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
