#!/usr/bin/env bash
# Engine unit tests (no server): build test/unit/test_*.c against src/engine and run them.
# Also checks the architecture rule: no engine file includes a PostgreSQL header.
cd "$(dirname "$0")/.."
purity_fail=0
if grep -lE '#include *[<"](postgres|fmgr|postgres_fe|c)\.h' src/engine/*.[ch]; then
    echo "  FAIL engine-purity: the files above include a PostgreSQL header"
    purity_fail=1
else
    echo "  ok engine-purity (no PostgreSQL header in src/engine)"
fi
out=$(make -s unit 2>&1); rc=$?
echo "$out"
line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -1)
p=0; f=1
if [ -n "$line" ]; then p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}; fi
[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
echo "$((p + 1 - purity_fail)) passed, $((f + purity_fail)) failed"
[ $((f + purity_fail)) -eq 0 ]
