#!/usr/bin/env bash
# make bench: called by test/run.sh with a throwaway cluster up (PGHOST etc. exported).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v python3 >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y -qq python3 >/dev/null; else echo "journey: make bench needs python3 (apt-get install python3)" >&2; exit 2; fi
fi
# engine micro-benchmarks (no server): events/s per core vs memory bandwidth
make -s bench/micro >/dev/null && bench/micro
python3 bench/bench.py
