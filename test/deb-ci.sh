#!/bin/bash
# CI: build the Debian package (make deb) and test it installed (test/deb-test.sh); about 3 minutes.
# Installs the build dependencies with apt-get when missing (root).
set -euo pipefail
cd "$(dirname "$0")/.."
need=""
for p in debhelper postgresql-server-dev-all dpkg-dev lintian postgresql-common; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need="$need $p"
done
if [ -n "$need" ]; then
    [ "$(id -u)" = 0 ] || { echo "missing Debian packages:$need (as root: apt-get install$need)"; exit 1; }
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
rm -f postgresql-15-journey_*.deb postgresql-15-journey-dbgsym_*.deb
make -s deb
bash test/deb-test.sh
