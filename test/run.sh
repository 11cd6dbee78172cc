#!/usr/bin/env bash
# journey's one entry point for `make test`, `make demo` and `make bench`.
#
#   bash test/run.sh test          install what is missing, build, install, start a
#                                  throwaway cluster, run every suite, print
#                                  "N passed, N failed"; non-zero exit on any failure
#   bash test/run.sh demo          same set-up, then the showcase in demo/*.sql
#   bash test/run.sh bench [SCALE=small|N]   same set-up, then bench/run.sh
#   bash test/run.sh pictures      same set-up, then doc/img/render.sh (the SVGs of the docs)
#   bash test/run.sh sql FILE...   same set-up, then psql -f each FILE in a fresh
#                                  database with the extension (for experiments)
#   bash test/run.sh tap [FILE...] same set-up, then only those TAP files (all when none)
#   bash test/run.sh regress NAME...  same set-up, then only those pg_regress files (after setup)
#
# The cluster lives in a temp directory, listens only on a Unix socket there,
# runs as the `postgres` user when we are root (the server refuses root) and is
# stopped and removed on exit, whatever happens.
set -uo pipefail

MODE=${1:-test}
shift || true
SQL_FILES=()
for kv in "$@"; do
    case "$kv" in
        SCALE=*) export SCALE="${kv#SCALE=}" ;;
        *) SQL_FILES+=("$(cd "$(dirname "$kv")" && pwd)/$(basename "$kv")") ;;
    esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

PGVER=15
PGBIN=/usr/lib/postgresql/$PGVER/bin
export PG_CONFIG=$PGBIN/pg_config
PKGS="postgresql-$PGVER postgresql-server-dev-$PGVER make gcc libc6-dev"
# Optional tools for the fuzz smoke run (skipped, and said so, when absent).
OPT_PKGS="clang libclang-rt-14-dev"

say() { printf '== %s\n' "$*"; }
die() { printf 'journey: %s\n' "$*" >&2; exit 2; }

# ---- 1. dependencies --------------------------------------------------------
missing_pkgs() {
    local p out=""
    for p in $1; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || out="$out $p"
    done
    echo "$out"
}
need=$(missing_pkgs "$PKGS")
want=$(missing_pkgs "$OPT_PKGS")
if [ -n "$need$want" ]; then
    if [ "$(id -u)" = 0 ]; then
        say "installing:$need$want"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null || die "apt-get update failed"
        apt-get install -y -qq --no-install-recommends $need >/dev/null || die "apt-get install$need failed"
        if [ -n "$want" ]; then
            apt-get install -y -qq --no-install-recommends $want >/dev/null ||
                say "optional packages$want could not be installed; fuzz smoke will be skipped"
        fi
    elif [ -n "$need" ]; then
        die "missing Debian packages:$need. Install them (as root: apt-get install$need) and run again."
    fi
fi
[ -x "$PGBIN/postgres" ] || die "$PGBIN/postgres not found: apt-get install postgresql-$PGVER"

# ---- 2. build and install ---------------------------------------------------
say "building"
make -s PG_CONFIG="$PG_CONFIG" >/tmp/journey-build.$$ 2>&1 || { cat /tmp/journey-build.$$; rm -f /tmp/journey-build.$$; die "build failed"; }
rm -f /tmp/journey-build.$$

# ---- 3. a throwaway cluster -------------------------------------------------
TMP=$(mktemp -d /tmp/journey-pg.XXXXXX)
chmod 755 "$TMP"
RUNAS=()
if [ "$(id -u)" = 0 ]; then
    RUNAS=(runuser -u postgres --)
fi
stop_cluster() {
    if [ -f "$TMP/data/postmaster.pid" ]; then
        "${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$TMP/data" -m immediate -w stop >/dev/null 2>&1
    fi
    rm -rf "$TMP"
}
trap stop_cluster EXIT
trap 'exit 130' INT TERM

# A private copy of the PostgreSQL $PGVER server (about 50 MB, under a second to copy):
# the extension is installed into it, not into the system's directories, so
# concurrent runs from several work trees never see each other's build, and no
# root is needed.  PostgreSQL finds its lib and share directories relative to
# its binaries, so the copy is a complete installation.
PRIV=$TMP/inst
mkdir -p "$PRIV/usr/lib/postgresql" "$PRIV/usr/share/postgresql"
cp -a "/usr/lib/postgresql/$PGVER" "$PRIV/usr/lib/postgresql/" &&
    cp -a "/usr/share/postgresql/$PGVER" "$PRIV/usr/share/postgresql/" || die "could not copy the server to $PRIV"
make -s PG_CONFIG="$PG_CONFIG" DESTDIR="$PRIV" install >/dev/null || die "make install into $PRIV failed"
PGBIN=$PRIV/usr/lib/postgresql/$PGVER/bin
mkdir -p "$TMP/data"
[ ${#RUNAS[@]} -gt 0 ] && chown postgres: "$TMP/data" "$TMP"


say "starting a throwaway PostgreSQL $PGVER cluster in $TMP"
"${RUNAS[@]}" "$PGBIN/initdb" -D "$TMP/data" -A trust -U postgres -E UTF8 --locale=C >"$TMP/initdb.log" 2>&1 ||
    { cat "$TMP/initdb.log"; die "initdb failed"; }
cat >>"$TMP/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$TMP'
port = 5432
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 512MB
work_mem = 64MB
maintenance_work_mem = 512MB
max_parallel_workers_per_gather = 2
timezone = 'UTC'
log_min_messages = warning
EOF
"${RUNAS[@]}" "$PGBIN/pg_ctl" -D "$TMP/data" -l "$TMP/server.log" -w -t 60 start >/dev/null ||
    { cat "$TMP/server.log"; die "the server did not start"; }

export PGHOST=$TMP PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
# the binaries of the private installation (the extension is installed there, not in /usr)
export JOURNEY_PGBIN=$PGBIN
export JOURNEY_SERVER_LOG=$TMP/server.log
# Real public datasets (shared/ beside the clone, as CI lays it out). Tests that use
# them read $JOURNEY_DATA_DIR (psql: \getenv) and say so when it is absent.
for d in "$ROOT/../shared/data" /work/shared/data; do
    if [ -d "$d" ]; then export JOURNEY_DATA_DIR=$(cd "$d" && pwd); break; fi
done
export JOURNEY_DATA_DIR=${JOURNEY_DATA_DIR:-}
PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1)

case "$MODE" in
demo)
    "${PSQL[@]}" -c 'CREATE DATABASE journey_demo' || die "createdb failed"
    for f in demo/*.sql; do
        "${PSQL[@]}" -d journey_demo -P footer=off -f "$f" || die "demo step $f failed"
    done
    say "demo done; the cluster is stopped and removed"
    ;;
bench)
    bash bench/run.sh || die "bench failed"
    ;;
pictures)
    # bash test/run.sh pictures: doc/img/*.svg from the demo data (make pictures)
    command -v gnuplot >/dev/null || die "gnuplot not found: apt-get install gnuplot-nox"
    PSQL="$PGBIN/psql" bash doc/img/render.sh || die "rendering the pictures failed"
    ;;
sql)
    # bash test/run.sh sql FILE...: run psql scripts against a fresh database (for experiments)
    "${PSQL[@]}" -c 'CREATE DATABASE journey_scratch' || die "createdb failed"
    "${PSQL[@]}" -d journey_scratch -c 'CREATE EXTENSION journey' || die "CREATE EXTENSION failed"
    for f in "${SQL_FILES[@]}"; do
        "$PGBIN/psql" -X -d journey_scratch -f "$f"
    done
    ;;
regress)
    # bash test/run.sh regress NAME...: only those pg_regress files (setup first), diffs shown
    names=""
    for f in "${SQL_FILES[@]}"; do names="$names $(basename "$f" .sql)"; done
    rm -rf results regression.diffs regression.out
    if [ "$(id -u)" = 0 ]; then mkdir -p results; fi
    make -s PG_CONFIG="$PG_CONFIG" installcheck REGRESS="setup$names" || { cat regression.diffs 2>/dev/null | head -200; exit 1; }
    ;;
tap)
    # bash test/run.sh tap [test/t/NN_name.pl ...]: only the TAP files named (all when none)
    bash test/tap.sh "${SQL_FILES[@]}" || exit 1
    ;;
test)
    pass=0; fail=0; failed=()
    # (a) pg_regress
    say "pg_regress"
    rm -rf results regression.diffs regression.out
    if [ "$(id -u)" = 0 ]; then mkdir -p results; fi
    make -s PG_CONFIG="$PG_CONFIG" installcheck >"$TMP/regress.log" 2>&1
    rrc=$?
    cat "$TMP/regress.log"
    p=$(grep -cE '\.\.\. ok ' "$TMP/regress.log" || true)
    f=$(grep -cE '\.\.\. FAILED' "$TMP/regress.log" || true)
    # every sql/*.sql must have run: the ones that did not (pg_regress aborted) count as failed
    nfiles=$(ls sql/*.sql | wc -l)
    [ $((p + f)) -lt "$nfiles" ] && f=$((nfiles - p))
    [ $rrc -ne 0 ] && [ "$f" -eq 0 ] && f=1
    pass=$((pass + p)); fail=$((fail + f))
    if [ "$f" -gt 0 ]; then
        failed+=("pg_regress")
        [ -f regression.diffs ] && head -300 regression.diffs
    fi
    # (b) engine unit tests and (c) other suites report "N passed, N failed" each
    for suite in unit fuzz-smoke tap clients; do
        script=test/$suite.sh
        [ -f "$script" ] || continue
        say "$suite"
        bash "$script" >"$TMP/$suite.log" 2>&1
        rc=$?
        cat "$TMP/$suite.log"
        line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$TMP/$suite.log" | tail -1)
        if [ -n "$line" ]; then
            sp=${line%% passed*}; sf=${line#*passed, }; sf=${sf%% failed*}
            pass=$((pass + sp)); fail=$((fail + sf))
        fi
        if [ $rc -ne 0 ] || [ -z "$line" ]; then
            failed+=("$suite")
            [ -z "$line" ] && fail=$((fail + 1))
        fi
    done
    if grep -q 'terminated by signal' "$TMP/server.log"; then
        say "the server log shows a crashed backend:"
        grep -B2 -A2 'terminated by signal' "$TMP/server.log"
        fail=$((fail + 1)); failed+=("server-crash")
    fi
    [ ${#failed[@]} -gt 0 ] && say "failing suites: ${failed[*]}"
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ] || exit 1
    ;;
*)
    die "unknown mode $MODE (test, demo, bench)"
    ;;
esac
