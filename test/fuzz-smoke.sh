#!/usr/bin/env bash
# Short fuzz run for `make test`: every test/fuzz/fuzz_*.c target is built
# (ASan + UBSan + libFuzzer, see test/fuzz/build.sh), replays its seed corpus
# test/fuzz/corpus/<name>/ (found crashes live there as regression inputs),
# then fuzzes for a few seconds.  Two checks per target: "replay" (skipped with a
# NOTE when the target has no corpus yet) and "fuzz".
#
#   FUZZ_SECONDS=N   seconds of fuzzing per target (default: 75 s shared by
#                    all targets, between 3 and 10 s each)
#
# Prints "N passed, N failed"; exits non-zero on failure.  Without clang or
# libFuzzer it says so and reports "0 passed, 0 failed" (skipped, exit 0).
set -uo pipefail
cd "$(dirname "$0")/.."

bash test/fuzz/build.sh
brc=$?
if [ $brc -eq 77 ]; then
    echo "SKIPPED fuzz smoke: clang with libFuzzer is not installed (as root: apt-get install clang libclang-rt-14-dev)"
    echo "0 passed, 0 failed"
    exit 0
fi

pass=0; fail=0
srcs=(test/fuzz/fuzz_*.c)
ntargets=${#srcs[@]}
if [ ! -e "${srcs[0]}" ]; then
    echo "  FAIL no fuzz targets in test/fuzz/"
    echo "0 passed, 1 failed"; exit 1
fi
if [ -n "${FUZZ_SECONDS:-}" ]; then
    secs=$FUZZ_SECONDS
else
    secs=$((75 / ntargets)); [ $secs -gt 10 ] && secs=10; [ $secs -lt 3 ] && secs=3
fi
TMP=$(mktemp -d /tmp/journey-fuzz.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

for src in "${srcs[@]}"; do
    name=$(basename "$src" .c); short=${name#fuzz_}
    bin=test/fuzz/bin/$name
    if [ ! -x "$bin" ]; then
        echo "  FAIL $short: did not build"; fail=$((fail + 2)); continue
    fi
    seeds=test/fuzz/corpus/$short
    # 1. replay the seed corpus (and the regression inputs of past crashes)
    if [ -d "$seeds" ] && [ -n "$(ls -A "$seeds")" ]; then
        mkdir -p "$TMP/$short.replay.art"
        if "$bin" -runs=0 -artifact_prefix="$TMP/$short.replay.art/" "$seeds" >"$TMP/$short.replay" 2>&1; then
            echo "  ok $short replay ($(ls "$seeds" | wc -l) seed inputs)"; pass=$((pass + 1))
        else
            echo "  FAIL $short replay: a seed input crashes:"; tail -30 "$TMP/$short.replay" | sed 's/^/    /'
            fail=$((fail + 1))
        fi
    else
        # not a failure (a target may start from scratch), but said loudly
        echo "  NOTE $short: no seed corpus in $seeds, replay skipped (add seeds: see test/fuzz/README.md)"
    fi
    # 2. fuzz for a few seconds from the seeds (new inputs go to a temp dir, not the repo)
    mkdir -p "$TMP/$short.corpus" "$TMP/$short.art"
    dirs=("$TMP/$short.corpus"); [ -d "$seeds" ] && dirs+=("$seeds")
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
        -artifact_prefix="$TMP/$short.art/" "${dirs[@]}" >"$TMP/$short.fuzz" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TMP/$short.fuzz" | tail -1)
    if [ $rc -eq 0 ]; then
        echo "  ok $short fuzz (${runs:-?} executions in ${secs}s)"; pass=$((pass + 1))
    else
        echo "  FAIL $short fuzz (exit $rc after ${runs:-?} executions):"
        grep -E 'ERROR|runtime error|FAIL|fuzz_|SUMMARY|#[0-9]+ ' "$TMP/$short.fuzz" | head -30 | sed 's/^/    /'
        for a in "$TMP/$short.art"/*; do
            [ -f "$a" ] || continue
            keep=/tmp/journey-fuzz-crash-$short-$(basename "$a")
            cp "$a" "$keep"
            echo "    reproduce: bash test/fuzz/build.sh $short && $bin $keep"
            echo "    (add it to $seeds/ once fixed, as a regression input)"
        done
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
