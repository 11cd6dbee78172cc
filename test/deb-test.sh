#!/bin/bash
# The Debian package as a user gets it: install postgresql-15-journey_*.deb with dpkg -i (as root), then run
# the regression suite against it from a tree that holds no build (git archive of HEAD: sources, sql/,
# expected/), under pg_virtualenv as autopkgtest does (debian/tests/installcheck), and remove the package.
# Usage: make deb && bash test/deb-test.sh [KEEP=1 leaves the package installed]
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
deb=$(ls -t postgresql-15-journey_*_amd64.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "no postgresql-15-journey_*.deb here: run make deb first"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "dpkg -i needs root"; exit 1; }
dpkg -i "$deb" >/dev/null || { echo "dpkg -i $deb failed"; exit 1; }
d=$(mktemp -d /tmp/journey-debtest.XXXXXX)
chmod 755 "$d"
git archive HEAD | tar -x -C "$d"
chown -R postgres: "$d"
# nothing built in the tree: the extension comes from the package
( cd "$d" && ls journey.so src/*.o >/dev/null 2>&1 ) && { echo "build output in the test tree"; exit 1; }
cd "$d"
runuser -u postgres -- pg_virtualenv -v 15 make PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config installcheck >"$d/log" 2>&1
rc=$?
cat "$d/log" | grep -E '\.\.\. |tests passed|failed'
[ $rc -ne 0 ] && [ -f regression.diffs ] && head -100 regression.diffs
cd "$ROOT"
rm -rf "$d"
[ "${KEEP:-0}" = 1 ] || dpkg -r postgresql-15-journey >/dev/null
exit $rc
