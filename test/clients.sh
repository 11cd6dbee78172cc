#!/usr/bin/env bash
# Client suite (part of `make test`): every documented report query through psycopg2, psycopg 3,
# pyodbc and a C program on psqlODBC, and pgjdbc (four ways of binding a step list), against the
# cluster of test/run.sh (PGHOST/PGPORT/PGUSER).  Checks that each query runs with its parameters
# bound the client's natural way, that columns arrive as the types documented in doc/clients.md and
# that values equal psql's.  Installs its Debian packages when run as root; otherwise skips, saying so.
# Prints "N passed, N failed".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PKGS="python3-psycopg2 python3-psycopg python3-pyodbc odbc-postgresql unixodbc unixodbc-dev libpostgresql-jdbc-java default-jdk-headless"
PSQL=${JOURNEY_PSQL:-/usr/lib/postgresql/15/bin/psql}

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "installing:$missing"
        export DEBIAN_FRONTEND=noninteractive
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; } >/dev/null 2>&1 ||
            { echo "apt-get install$missing failed"; echo "0 passed, 1 failed"; exit 1; }
    else
        echo "client suite skipped: missing Debian packages$missing (as root: apt-get install$missing)"
        echo "0 passed, 0 failed"
        exit 0
    fi
fi
[ -n "${PGHOST:-}" ] || { echo "PGHOST is not set: run through test/run.sh"; echo "0 passed, 1 failed"; exit 1; }

WORK=$(mktemp -d /tmp/journey-clients.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
gcc -O1 -Wall -Wextra -Werror -Wno-format-truncation -o "$WORK/odbc_check" "$ROOT/test/clients/odbc_check.c" -lodbc ||
    { echo "building odbc_check failed"; echo "0 passed, 1 failed"; exit 1; }
javac -d "$WORK" -cp /usr/share/java/postgresql.jar "$ROOT/test/clients/JdbcCheck.java" ||
    { echo "building JdbcCheck failed"; echo "0 passed, 1 failed"; exit 1; }

# node-postgres is not packaged for this node: npm installs pg@8 once into a cache directory; without
# node or npm (or offline) the node-postgres checks are skipped, and check.py says so
NODE_CACHE=/tmp/journey-clients-npm
export JOURNEY_CLIENTS_NODE_PATH=""
if command -v node >/dev/null && command -v npm >/dev/null; then
    if [ ! -f "$NODE_CACHE/node_modules/pg/package.json" ]; then
        mkdir -p "$NODE_CACHE" && (cd "$NODE_CACHE" && timeout 180 npm install --silent --no-audit --no-fund pg@8 >/dev/null 2>&1)
    fi
    [ -f "$NODE_CACHE/node_modules/pg/package.json" ] && export JOURNEY_CLIENTS_NODE_PATH=$NODE_CACHE/node_modules
fi

DB=journey_clients
"$PSQL" -X -q -v ON_ERROR_STOP=1 -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" &&
"$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$DB" -c "CREATE EXTENSION journey" \
    -c "CREATE TABLE events AS SELECT * FROM journey_sample_events(2000, 1)" -c "ANALYZE events" ||
    { echo "could not create the database $DB"; echo "0 passed, 1 failed"; exit 1; }

JOURNEY_PSQL=$PSQL JOURNEY_CLIENTS_DB=$DB JOURNEY_CLIENTS_WORK=$WORK /usr/bin/python3 "$ROOT/test/clients/check.py"
rc=$?
"$PSQL" -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB"
exit $rc
