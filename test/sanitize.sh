#!/usr/bin/env bash
# The whole pg_regress suite against a journey built with AddressSanitizer +
# UndefinedBehaviorSanitizer, in a throwaway server that has the ASan runtime
# preloaded.  Zero sanitizer reports and zero crashed backends required.
#
#   bash test/sanitize.sh                 ASan + UBSan build, pg_regress
#   bash test/sanitize.sh --sqlsmith N    ... then N random queries (test/sqlsmith.sh) in the same server
#   bash test/sanitize.sh --valgrind      plain -O0 build, server under valgrind memcheck (slow fallback)
#   bash test/sanitize.sh --plain         plain build (used by test/sqlsmith.sh when no server is given)
#   --skip-regress                        do not run pg_regress
#   --run CMD                             run CMD (e.g. "bash test/tap.sh") against the same server
#   --keep                                keep the temp directory (logs, reports)
#
# Nothing is installed into the shared PostgreSQL: the server binary, its
# libraries and share files are mirrored into a private tree (PostgreSQL finds
# share/ and lib/ relative to its own binary), and the sanitized journey is
# installed there with DESTDIR.  Other work trees' runs are not disturbed.
#
# Limits of the method (see doc/reliability.md): the Debian server is not
# instrumented, so ASan watches journey's own code, stack and globals and
# malloc'd blocks (large pallocs), but not overruns *inside* a palloc arena.
# Prints "N passed, N failed"; exits non-zero on failure.
set -uo pipefail
cd "${JOURNEY_ROOT:-$(dirname "$0")/..}"
ROOT=$(pwd)

MODE=asan; REGRESS=1; SMITH=0; KEEP=0; RUNCMDS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --valgrind) MODE=valgrind ;;
        --plain) MODE=plain ;;
        --skip-regress) REGRESS=0 ;;
        --sqlsmith) SMITH=${2:?--sqlsmith needs a number}; shift ;;
        --keep) KEEP=1 ;;
        --run) RUNCMDS+=("${2:?--run needs a command}"); shift ;;
        *) echo "usage: $0 [--valgrind|--plain] [--skip-regress] [--sqlsmith N] [--run CMD]... [--keep]"; exit 2 ;;
    esac
    shift
done

PGVER=15
SYSBIN=/usr/lib/postgresql/$PGVER/bin
PG_CONFIG=$SYSBIN/pg_config
say() { printf '== %s\n' "$*"; }
pass=0; fail=0
ok() { echo "  ok $*"; pass=$((pass + 1)); }
bad() { echo "  FAIL $*"; fail=$((fail + 1)); }
finish() { echo "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; exit $?; }

[ -x "$SYSBIN/postgres" ] || { echo "SKIPPED: $SYSBIN/postgres not found (apt-get install postgresql-$PGVER postgresql-server-dev-$PGVER)"; echo "0 passed, 0 failed"; exit 0; }

ASAN_LIB=""
if [ "$MODE" = asan ]; then
    ASAN_LIB=$(gcc -print-file-name=libasan.so)
    if [ ! -e "$ASAN_LIB" ] || [ "$ASAN_LIB" = libasan.so ]; then
        echo "ASan runtime (gcc libasan) not found; falling back to valgrind"
        MODE=valgrind
    fi
fi
if [ "$MODE" = asan ] && ! timeout 20 env LD_PRELOAD="$ASAN_LIB" "$SYSBIN/postgres" -V >/dev/null 2>&1; then
    # Debian 12: any PostgreSQL program with the ASan runtime preloaded hangs in
    # set_pglocale_pgservice -> bindtextdomain (glibc _nl_state_lock futex wait).
    echo "NOTE: the ASan runtime cannot be preloaded into $SYSBIN/postgres (it hangs at start-up);"
    echo "      falling back to a UBSan build of journey with the server under valgrind memcheck"
    MODE=valgrind
fi
if [ "$MODE" = valgrind ] && ! command -v valgrind >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y -qq valgrind >/dev/null 2>&1; fi
    command -v valgrind >/dev/null || { echo "SKIPPED: neither the ASan runtime nor valgrind is available"; echo "0 passed, 0 failed"; exit 0; }
fi

TMP=$(mktemp -d /tmp/journey-san.XXXXXX)
RUNAS=()
if [ "$(id -u)" = 0 ]; then RUNAS=(runuser -u postgres --); fi
PGBIN=$TMP/root/usr/lib/postgresql/$PGVER/bin
cleanup() {
    if [ -f "$TMP/data/postmaster.pid" ]; then
        "${RUNAS[@]}" env -u LD_PRELOAD "$PGBIN/pg_ctl" -D "$TMP/data" -m immediate -w stop >/dev/null 2>&1
    fi
    if [ "$KEEP" = 1 ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. build journey (in a copy of the tree, so the work tree's objects stay as they are)
say "building journey ($MODE) in $TMP/src"
mkdir -p "$TMP/src"
cp -r Makefile journey.control src sql expected "$TMP/src/"
cp journey--*.sql "$TMP/src/" 2>/dev/null || true  # frozen install scripts and delta scripts
find "$TMP/src" -name '*.o' -delete
case "$MODE" in
    asan) SANFLAGS="-Wall -Wextra -O1 -g -fno-omit-frame-pointer -fno-wrapv -fsanitize=address,undefined -fno-sanitize=alignment" ;;
    valgrind) SANFLAGS="-Wall -Wextra -O1 -g -fno-omit-frame-pointer -fno-wrapv -fsanitize=undefined -fno-sanitize=alignment" ;;
    plain) SANFLAGS="-Wall -Wextra -Werror" ;;
esac
if ! make -C "$TMP/src" -s PG_CONFIG="$PG_CONFIG" PG_CFLAGS="$SANFLAGS" >"$TMP/build.log" 2>&1; then
    cat "$TMP/build.log"; bad "build"; finish
fi
ok "build ($SANFLAGS)"

# ---- 2. a private copy of the server installation with the sanitized journey in it
R=$TMP/root
mkdir -p "$R/usr/lib/postgresql/$PGVER/bin" "$R/usr/share/postgresql"
for b in postgres initdb pg_ctl; do cp "$SYSBIN/$b" "$PGBIN/"; done
cp -rs /usr/lib/postgresql/$PGVER/lib "$R/usr/lib/postgresql/$PGVER/lib"
cp -r /usr/share/postgresql/$PGVER "$R/usr/share/postgresql/$PGVER"
rm -f "$R/usr/lib/postgresql/$PGVER/lib/journey.so" "$R/usr/share/postgresql/$PGVER/extension"/journey*
if ! make -C "$TMP/src" -s PG_CONFIG="$PG_CONFIG" DESTDIR="$R" install >"$TMP/install.log" 2>&1; then
    cat "$TMP/install.log"; bad "private install"; finish
fi
# make install with DESTDIR writes below $R + the system paths; check it landed where the private server looks
[ -f "$R/usr/lib/postgresql/$PGVER/lib/journey.so" ] || { bad "private install: journey.so missing"; finish; }
libs=$(ldd "$R/usr/lib/postgresql/$PGVER/lib/journey.so")
if [ "$MODE" != plain ] && ! grep -qE 'libasan|libubsan' <<<"$libs"; then
    bad "journey.so is not linked against the sanitizer runtime"; finish
fi

# ---- 3. the server
chmod -R a+rX "$TMP"
[ ${#RUNAS[@]} -gt 0 ] && chown -R postgres: "$TMP"
mkdir -p "$TMP/reports"; chmod 777 "$TMP/reports"
"${RUNAS[@]}" "$PGBIN/initdb" -D "$TMP/data" -A trust -U postgres -E UTF8 --locale=C >"$TMP/initdb.log" 2>&1 ||
    { cat "$TMP/initdb.log"; bad "initdb"; finish; }
cat >>"$TMP/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$TMP'
port = 5432
fsync = off
shared_buffers = 128MB
max_parallel_workers_per_gather = 2
timezone = 'UTC'
log_min_messages = warning
CONF
ENVV=()
case "$MODE" in
asan)
    ENVV=(LD_PRELOAD="$ASAN_LIB"
          ASAN_OPTIONS="detect_leaks=0:log_path=$TMP/reports/asan:abort_on_error=0:detect_stack_use_after_return=0:allow_user_segv_handler=1"
          UBSAN_OPTIONS="print_stacktrace=1:log_path=$TMP/reports/ubsan")
    ;;
valgrind)
    ENVV=(UBSAN_OPTIONS="print_stacktrace=1:log_path=$TMP/reports/ubsan")
    # run every postgres process under memcheck: wrap the binary
    mv "$PGBIN/postgres" "$PGBIN/postgres.real"
    cat >"$PGBIN/postgres" <<WRAP
#!/bin/sh
exec valgrind --quiet --num-callers=30 --trace-children=no --error-exitcode=0 --leak-check=no --track-origins=no \
  --read-var-info=no --log-file=$TMP/reports/valgrind.%p "$PGBIN/postgres.real" "\$@"
WRAP
    chmod 755 "$PGBIN/postgres"
    ;;
esac
say "starting the server ($MODE)"
if ! "${RUNAS[@]}" env "${ENVV[@]}" "$PGBIN/pg_ctl" -D "$TMP/data" -l "$TMP/server.log" -w -t 300 start >/dev/null; then
    cat "$TMP/server.log"; bad "server start"; finish
fi
export PGHOST=$TMP PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
export JOURNEY_SERVER_LOG=$TMP/server.log
export JOURNEY_SANITIZER=$MODE
PSQL=("$SYSBIN/psql" -X -q)
# sanity: the sanitized library is what the server loads
"${PSQL[@]}" -c "CREATE DATABASE journey_sancheck" >/dev/null
if "${PSQL[@]}" -d journey_sancheck -Atc "CREATE EXTENSION journey; SELECT count(*) FROM journey_sample_events(10, 1)" >"$TMP/sancheck.out" 2>&1; then
    ok "extension loads in the $MODE server ($(tail -1 "$TMP/sancheck.out") sample rows)"
else
    cat "$TMP/sancheck.out"; bad "extension does not load"; finish
fi
"${PSQL[@]}" -c "DROP DATABASE journey_sancheck" >/dev/null

# ---- 4. pg_regress: every sql/*.sql, setup first (what `make installcheck` runs)
if [ "$REGRESS" = 1 ]; then
    tests=(setup); for f in $(ls sql/*.sql | sort); do t=$(basename "$f" .sql); [ "$t" = setup ] || tests+=("$t"); done
    say "pg_regress (${#tests[@]} tests)"
    mkdir -p "$TMP/regress"
    # run from the output directory, as `make installcheck` does: tests write client-side files
    # (\copy ... TO 'results/...') relative to psql's working directory
    (cd "$TMP/regress" &&
        "$(dirname "$(dirname "$($PG_CONFIG --pgxs)")")/../src/test/regress/pg_regress" \
        --inputdir="$ROOT" --outputdir=. --bindir="$SYSBIN" --load-extension=plpgsql \
        --dbname=contrib_regression "${tests[@]}") >"$TMP/regress.log" 2>&1
    cat "$TMP/regress.log" | grep -E '^(test|ok|not ok|     |  )' | sed 's/^/    /'
    np=$(grep -cE '\.\.\. ok |^ok ' "$TMP/regress.log" || true)
    nf=$(grep -cE '\.\.\. FAILED|^not ok ' "$TMP/regress.log" || true)
    if [ "$nf" -eq 0 ] && [ "$np" -eq "${#tests[@]}" ]; then
        ok "pg_regress under $MODE: $np/${#tests[@]} tests"
    else
        bad "pg_regress under $MODE: $np ok, $nf failed of ${#tests[@]}"
        [ -f "$TMP/regress/regression.diffs" ] && head -200 "$TMP/regress/regression.diffs"
    fi
fi

# ---- 5. random SQL in the same server
if [ "$SMITH" -gt 0 ]; then
    say "sqlsmith ($SMITH queries)"
    # under valgrind even sqlsmith's catalog queries take seconds
    [ "$MODE" = valgrind ] && export SQLSMITH_TIMEOUT=${SQLSMITH_TIMEOUT:-60s}
    bash test/sqlsmith.sh "$SMITH" 2>&1 | sed 's/^/    /'
    if [ "${PIPESTATUS[0]}" -eq 0 ]; then ok "sqlsmith"; else bad "sqlsmith"; fi
fi

# ---- 6. other suites against the same server
for cmd in "${RUNCMDS[@]}"; do
    say "$cmd"
    bash -c "$cmd" 2>&1 | sed 's/^/    /'
    if [ "${PIPESTATUS[0]}" -eq 0 ]; then ok "$cmd"; else bad "$cmd"; fi
done

# ---- 7. reports
"${RUNAS[@]}" env -u LD_PRELOAD "$PGBIN/pg_ctl" -D "$TMP/data" -m fast -w stop >/dev/null 2>&1
nrep=0
for f in "$TMP"/reports/asan* "$TMP"/reports/ubsan*; do
    [ -s "$f" ] || continue
    nrep=$((nrep + $(grep -cE 'runtime error|ERROR: AddressSanitizer' "$f")))
    echo "---- $f"; head -60 "$f"
done
if [ "$MODE" = valgrind ]; then
    # memcheck (--quiet) prints only errors, one block per error, "==pid== " prefixed,
    # blank-line separated.  The Debian server is not built for valgrind, so
    # some blocks are PostgreSQL's own known noise (e.g. uninitialised padding
    # written to files); a block counts against journey when a frame is in journey.so.
    nvg=0; njy=0
    for f in "$TMP"/reports/valgrind.*; do
        [ -s "$f" ] || continue
        b=$(awk '/^==[0-9]+== $/{if(blk!=""){n++; if(blk ~ /journey\.so|[^a-z]jy_[a-z0-9_]+|_glue\.c|src\/engine|(qsketch|sessionize|sample|journey)\.c/) j++}; blk=""; next} {blk=blk $0 "\n"} END{if(blk!=""){n++; if(blk ~ /journey\.so|[^a-z]jy_[a-z0-9_]+|_glue\.c|src\/engine|(qsketch|sessionize|sample|journey)\.c/) j++}; print n+0, j+0}' "$f")
        nvg=$((nvg + ${b% *})); njy=$((njy + ${b#* }))
        if [ "${b#* }" -gt 0 ]; then echo "---- $f"; grep -B20 -A5 -E 'journey\.so|[^a-z]jy_|_glue\.c' "$f" | head -80; fi
    done
    echo "  valgrind memcheck: $nvg error blocks in all, $njy with a journey frame"
    nrep=$((nrep + njy))
fi
if [ "$nrep" -eq 0 ]; then ok "sanitizer reports in journey code: 0 ($MODE)"; else bad "sanitizer reports in journey code: $nrep ($MODE)"; fi
if grep -qE 'terminated by signal|terminated by exit code|server process .* was terminated' "$TMP/server.log"; then
    bad "a backend crashed:"; grep -B2 -A3 -E 'terminated by' "$TMP/server.log" | head -40
else
    ok "no crashed backend in the server log"
fi
[ "$fail" -gt 0 ] && KEEP=1
finish
