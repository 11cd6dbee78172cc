#!/usr/bin/env bash
# Build every libFuzzer target test/fuzz/fuzz_*.c against all of src/engine/*.c
# with ASan + UBSan (any UB aborts, so the fuzzer reports it as a crash).
#
#   bash test/fuzz/build.sh            build all targets into test/fuzz/bin/
#   bash test/fuzz/build.sh NAME...    build only fuzz_NAME
#
# Warnings are shown but not fatal here (the Makefile build is -Werror with gcc;
# clang may warn differently about other capabilities' engines).
# Exit 0 when built, 77 when clang/libFuzzer is not available (the caller
# reports a skip), 1 when a target does not compile (that is a failure).
set -uo pipefail
cd "$(dirname "$0")/../.."

CC=${FUZZ_CC:-}
if [ -z "$CC" ]; then
    for c in clang clang-14 clang-15 clang-16; do
        command -v "$c" >/dev/null 2>&1 && { CC=$c; break; }
    done
fi
if [ -z "$CC" ]; then
    echo "fuzz build: clang not found (apt-get install clang libclang-rt-14-dev)"
    exit 77
fi
mkdir -p test/fuzz/bin
# probe: can this clang link a libFuzzer binary with the sanitizers?
probe=test/fuzz/bin/.probe
printf '%s\n' '#include <stdint.h>' '#include <stddef.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void) d; (void) n; return 0; }' > "$probe.c"
if ! "$CC" -fsanitize=fuzzer,address,undefined -o "$probe" "$probe.c" >"$probe.log" 2>&1; then
    echo "fuzz build: $CC cannot link -fsanitize=fuzzer,address,undefined (libclang-rt-14-dev missing?):"
    sed 's/^/  /' "$probe.log" | head -5
    rm -f "$probe" "$probe.c" "$probe.log"
    exit 77
fi
rm -f "$probe" "$probe.c" "$probe.log"

ENGINE_SRCS=$(ls src/engine/*.c | sort)
CFLAGS="-g -O1 -std=gnu11 -Wall -Wextra -fno-omit-frame-pointer
 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc/engine"

if [ $# -gt 0 ]; then
    targets=(); for n in "$@"; do targets+=("test/fuzz/fuzz_$n.c"); done
else
    targets=(test/fuzz/fuzz_*.c)
fi
rc=0
for src in "${targets[@]}"; do
    [ -f "$src" ] || { echo "fuzz build: no such target $src"; rc=1; continue; }
    name=$(basename "$src" .c)
    bin=test/fuzz/bin/$name
    # rebuild only when an engine file, the target, or a file the target includes ($bin.d, written by
    # the last build: e.g. test/fuzz/retention_codec_fuzz.h, test/unit/test_funnel.c) is newer
    if [ -x "$bin" ] && [ -f "$bin.d" ]; then
        mapfile -t deps < <(sed -e 's/^[^:]*://' -e 's/\\$//' "$bin.d" | tr ' ' '\n' | grep -v '^$')
        stale=$(find "${deps[@]}" src/engine -newer "$bin" -name '*.[ch]' 2>/dev/null | head -1)
        for d in "${deps[@]}"; do [ -e "$d" ] || stale=$d; done
        [ -z "$stale" ] && continue
    fi
    # shellcheck disable=SC2086
    if ! "$CC" $CFLAGS -o "$bin" "$src" $ENGINE_SRCS -lm 2>"$bin.log" ||
       ! "$CC" -MM -MT "$bin" -Isrc/engine -o "$bin.d" "$src" 2>>"$bin.log"; then
        echo "fuzz build: $name does not compile:"; cat "$bin.log"; rc=1
        rm -f "$bin" "$bin.d"
    fi
    rm -f "$bin.log"
done
exit $rc
