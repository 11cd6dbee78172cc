#!/usr/bin/env python3
"""journey's benchmark runner (make bench).

Runs against the throwaway cluster started by test/run.sh (PGHOST/PGPORT/PGUSER
in the environment).  For each bench/cases/*.sql: set-up, an agreement check
(a fast wrong answer is no result), a warm-up (the floor query), then several repetitions with
the floor, the plain-SQL and the journey queries interleaved, with parallel
workers off and on.  Prints a table and writes the same as JSON under
bench/results/.

SCALE: small (20k users, ~160k events), default (1.25M users, ~10M events),
or a number of users.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PSQL = os.environ.get("PSQL", "/usr/lib/postgresql/15/bin/psql")
DB = "journey_bench"


def scale_users(s):
    if s in ("", "default"):
        return 1_250_000
    if s == "small":
        return 20_000
    if s == "medium":
        return 250_000
    return int(s)


def psql(sql, db=DB, check=True):
    r = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db],
                       input=sql, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise RuntimeError("psql failed: %s\n--- sql ---\n%s" % (r.stderr.strip(), sql[:2000]))
    return r.stdout.strip()


def timed(query, parallel):
    """Run one query in a fresh backend; return (ms, peak anonymous memory in kB)."""
    script = "\n".join([
        "SET max_parallel_workers_per_gather = %d;" % (2 if parallel else 0),
        "SELECT 'PID ' || pg_backend_pid();",
        "\\timing on",
        # count(q) references the whole row, so no output column can be optimized away
        "SELECT count(q) FROM (%s) q;" % query.strip().rstrip(";"),
        "\\timing off",
        "SELECT 'DONE';",
    ])
    p = subprocess.Popen([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", DB],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         bufsize=1)
    p.stdin.write(script + "\n")
    p.stdin.close()
    peak = [0]
    stop = threading.Event()

    def sample(pid):
        path = "/proc/%d/status" % pid
        while not stop.is_set():
            try:
                with open(path) as f:
                    for line in f:
                        if line.startswith("RssAnon:"):
                            peak[0] = max(peak[0], int(line.split()[1]))
            except OSError:
                return
            time.sleep(0.01)

    ms = None
    th = None
    for line in p.stdout:
        line = line.strip()
        if line.startswith("PID ") and th is None:
            th = threading.Thread(target=sample, args=(int(line[4:]),), daemon=True)
            th.start()
        m = re.match(r"Time: ([0-9.]+) ms", line)
        if m:
            ms = float(m.group(1))
    stop.set()
    err = p.stderr.read()
    p.wait()
    if p.returncode != 0 or ms is None:
        raise RuntimeError("timed query failed: %s\n%s" % (err.strip(), query[:1000]))
    return ms, peak[0]


def plan(query, parallel):
    """The plan PostgreSQL chooses for the timed form of a query (EXPLAIN, not run)."""
    return psql("SET max_parallel_workers_per_gather = %d;\nEXPLAIN (COSTS OFF) SELECT count(q) FROM (%s) q;"
                % (2 if parallel else 0, query.strip().rstrip(";")))


def parse_case(path):
    case = {"file": os.path.basename(path), "name": os.path.basename(path), "setup": "", "floor": None,
            "plain": None, "journey": [], "check": None, "teardown": "", "once": set(), "measure": [],
            "requires": []}
    kind, label, buf = None, None, []

    def flush():
        text = "\n".join(buf).strip()
        if kind is None or not text:
            return
        if kind == "journey":
            case["journey"].append((label or "journey", text))
        elif kind == "measure":
            case["measure"].append((label or "measure", text))
        elif kind in ("setup", "teardown"):
            case[kind] += text + "\n"
        elif kind in ("floor", "plain", "check"):
            case[kind] = text

    for raw in open(path):
        m = re.match(r"--\s*@(\w+)\s*(.*)$", raw.rstrip("\n"))
        if m:
            flush()
            kind, label, buf = m.group(1), m.group(2).strip(), []
            if kind == "name":
                case["name"] = label
                kind = None
            elif kind == "requires":
                # "-- @requires <path under $JOURNEY_DATA_DIR>": real data the case loads; the case
                # is skipped (and says so) when the file is absent
                case["requires"].append(label)
                kind = None
            elif kind == "once":
                # "-- @once <variant label>" (one line per variant): a variant too slow to
                # repeat: one run with parallel workers off, one with them on
                case["once"].add(label)
                kind = None
            continue
        buf.append(raw.rstrip("\n"))
    flush()
    return case


def main():
    users = scale_users(os.environ.get("SCALE", ""))
    reps = int(os.environ.get("REPS", "5" if users <= 100_000 else "3" if users <= 500_000 else "2"))
    only = os.environ.get("CASES", "")
    t_start = time.time()
    psql("DROP DATABASE IF EXISTS %s;" % DB, db="postgres")
    psql("CREATE DATABASE %s;" % DB, db="postgres")
    psql("CREATE EXTENSION journey;")
    t0 = time.time()
    # The event log as an application appends it: in time order, not grouped by user.
    psql("""CREATE TABLE events AS SELECT * FROM journey_sample_events(%d, 1) ORDER BY ts;
            VACUUM ANALYZE events;""" % users)
    load_s = time.time() - t0
    n_events = int(psql("SELECT count(*) FROM events;"))
    heap_bytes = int(psql("SELECT pg_relation_size('events');"))
    print("== bench: %d users, %d events, heap %.1f MB (%.1f bytes/event), loaded in %.1f s, %d repetitions"
          % (users, n_events, heap_bytes / 1e6, heap_bytes / n_events, load_s, reps))
    info = {"users": users, "events": n_events, "heap_bytes": heap_bytes, "reps": reps,
            "machine": {"nproc": os.cpu_count(), "uname": " ".join(os.uname())},
            "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cases": []}

    rows = []
    cases = sorted(f for f in os.listdir(os.path.join(ROOT, "bench", "cases")) if f.endswith(".sql"))
    if only:
        # CASES=20_,30_ runs the matching cases, in the order given
        wanted = [o for o in only.split(",") if o]
        cases = [f for o in wanted for f in cases if o in f]
    for f in cases:
        case = parse_case(os.path.join(ROOT, "bench", "cases", f))
        print("-- case %s (%s)" % (case["name"], f), flush=True)
        t_case = time.time()
        datadir = os.environ.get("JOURNEY_DATA_DIR", "")
        missing = [r for r in case["requires"] if not (datadir and os.path.isfile(os.path.join(datadir, r)))]
        if missing:
            print("   skipped: %s not found under $JOURNEY_DATA_DIR (%r)" % (", ".join(missing), datadir), flush=True)
            info["cases"].append({"name": case["name"], "file": f, "skipped": "missing " + ", ".join(missing)})
            continue
        if case["setup"]:
            t = time.time()
            psql(case["setup"])
            print("   setup %.1f s" % (time.time() - t), flush=True)
        result = {"name": case["name"], "file": f, "check": None, "runs": []}
        if case["check"]:
            ok = psql(case["check"])
            result["check"] = ok
            if ok != "t":
                print("   CHECK FAILED: journey and plain SQL disagree (%r); not timing this case" % ok)
                result["check_failed"] = True
                info["cases"].append(result)
                if case["teardown"]:
                    psql(case["teardown"])
                continue
            print("   check: journey = plain SQL", flush=True)
        if case["measure"]:
            # "-- @measure <label>": one number, not timed (e.g. storage bytes per event)
            result["measures"] = {}
            for label, q in case["measure"]:
                val = float(psql(q))
                result["measures"][label] = val
                print("   %s: %.2f" % (label, val), flush=True)
        variants = []
        if case["floor"]:
            variants.append(("floor", case["floor"]))
        if case["plain"]:
            variants.append(("plain", case["plain"]))
        variants += case["journey"]
        # A variant whose plan is the same with parallel workers allowed as without
        # (PostgreSQL chose no Gather: window functions, or a GROUP BY user where
        # partial aggregation does not pay) would only repeat its serial runs: the
        # "on" row reports the serial runs and says so (same_plan).
        same_plan = {v: plan(q, False) == plan(q, True) for v, q in variants}
        off_times, off_mem = {}, {}
        for parallel in (False, True):
            times = {v: [] for v, _ in variants}
            mem = {v: 0 for v, _ in variants}
            if not parallel and not case["check"]:
                # warm-up, once per case: the floor reads the same table (into shared
                # buffers and the OS cache) as every variant; the first timed round
                # follows right after.  A case with an agreement check needs none:
                # the check has just read the same tables.  Warming every variant cost
                # ~20 % of a full run and moved no median by more than the run-to-run noise.
                timed(variants[0][1], parallel)
            for rep in range(reps):
                for v, q in variants:      # interleaved
                    if v in case["once"] and rep > 0:
                        continue           # @once: one run per parallel setting
                    if parallel and same_plan[v]:
                        continue           # the serial plan again: its runs are reported
                    ms, kb = timed(q, parallel)
                    times[v].append(ms)
                    mem[v] = max(mem[v], kb)
            if parallel:
                for v, _ in variants:
                    if same_plan[v]:
                        times[v], mem[v] = off_times[v], off_mem[v]
            else:
                off_times, off_mem = times, mem
            floor = statistics.median(times["floor"]) if times.get("floor") else None
            plain = statistics.median(times["plain"]) if times.get("plain") else None
            floor_min = min(times["floor"]) if times.get("floor") else None
            plain_min = min(times["plain"]) if times.get("plain") else None
            for v, _ in variants:
                med = statistics.median(times[v])
                r = {"variant": v + ("*" if v in case["once"] else ""), "parallel": parallel,
                     "once": v in case["once"], "same_plan": parallel and same_plan[v], "median_ms": med, "min_ms": min(times[v]),
                     "max_ms": max(times[v]), "x_floor": med / floor if floor else None,
                     "x_plain": med / plain if plain else None,
                     "x_floor_min": min(times[v]) / floor_min if floor_min else None,
                     "x_plain_min": min(times[v]) / plain_min if plain_min else None,
                     "events_per_s": n_events / (med / 1000.0) if med > 0 else None,
                     "peak_anon_mb": mem[v] / 1024.0, "times_ms": times[v]}
                result["runs"].append(r)
                rows.append((case["name"], r))
        if case["teardown"]:
            psql(case["teardown"])
        result["elapsed_s"] = round(time.time() - t_case, 1)
        info["cases"].append(result)
        print("   case took %.0f s (set-up, check, warm-up and timed runs)" % result["elapsed_s"], flush=True)
        for r in result["runs"]:
            print("   " + fmt_row(case["name"], r), flush=True)
        save(info, users)

    info["total_s"] = round(time.time() - t_start, 1)
    info["load_s"] = round(load_s, 1)
    print_table(rows)
    print("\nstorage: events heap %.1f bytes/event" % (heap_bytes / n_events))
    for c in info["cases"]:
        for label, val in c.get("measures", {}).items():
            print("%s: %.2f" % (label, val))
    out = save(info, users)
    print("bench took %.1f min in all (%.1f min loading the events)" % (info["total_s"] / 60, load_s / 60))
    print("* run once per parallel setting (too slow to repeat): median = min = max = that run")
    print("on= the plan with parallel workers allowed is the serial plan (no Gather): the serial runs are shown")
    print("\nwritten: %s" % os.path.relpath(out, ROOT))
    failed = [c["name"] for c in info["cases"] if c.get("check_failed")]
    if failed:
        print("agreement check failed for: %s" % ", ".join(failed))
        sys.exit(1)


HDR = ("%-22s %-20s %-4s %10s %21s %8s %8s %8s %8s %8s %9s" % (
    "case", "variant", "par", "median ms", "min-max ms", "x floor", "x plain", "(min)fl", "(min)pl",
    "Mev/s", "peak MB"))


def fmt_row(name, r):
    def f(x, fmt):
        return fmt % x if x is not None else "-"
    return "%-22s %-20s %-4s %10.1f %21s %8s %8s %8s %8s %8.2f %9.1f" % (
        name[:22], r["variant"][:20], ("on=" if r.get("same_plan") else "on") if r["parallel"] else "off", r["median_ms"],
        "%.1f-%.1f" % (r["min_ms"], r["max_ms"]),
        f(r["x_floor"], "%.2f"), f(r["x_plain"], "%.3f"), f(r["x_floor_min"], "%.2f"),
        f(r["x_plain_min"], "%.3f"), r["events_per_s"] / 1e6, r["peak_anon_mb"])


def save(info, users):
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    out = os.path.join(ROOT, "bench", "results", "bench-%s-%d.json" % (info["when"].replace(":", ""), users))
    for path in (out, os.path.join(ROOT, "bench", "results", "latest.json")):
        with open(path, "w") as fh:
            json.dump(info, fh, indent=1)
    return out


def print_table(rows):
    print()
    print(HDR)
    print("-" * len(HDR))
    for name, r in rows:
        print(fmt_row(name, r))


if __name__ == "__main__":
    main()
