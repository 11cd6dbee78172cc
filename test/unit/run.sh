#!/usr/bin/env bash
# Runs each engine unit-test binary and adds up their "N passed, N failed" lines.
pass=0; fail=0
for b in "$@"; do
    echo "-- $b"
    out=$("$b" 2>&1); rc=$?
    echo "$out"
    line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
    if [ -z "$line" ]; then fail=$((fail + 1)); echo "  FAIL $b: no summary line (exit $rc)"; continue; fi
    p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
    pass=$((pass + p)); fail=$((fail + f))
    [ $rc -ne 0 ] && [ "$f" -eq 0 ] && { fail=$((fail + 1)); echo "  FAIL $b: exit $rc"; }
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
