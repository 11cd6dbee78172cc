#!/usr/bin/env python3
"""Quality and speed check of journey's kmeans_segment against scikit-learn.

Not part of the test suite (it needs python3-sklearn and python3-psycopg2:
`apt-get install -y python3-sklearn python3-psycopg2`).  Run it against a
database with the extension, e.g. from psql inside `bash test/run.sh sql`:

    \\! /usr/bin/python3 bench/kmeans_sklearn_check.py            # quality
    \\! /usr/bin/python3 bench/kmeans_sklearn_check.py --speed    # 1M x 8, k = 8

Connection: libpq environment (PGHOST, PGPORT, PGUSER), database from
PGDATABASE or --db (default journey_scratch).

Quality: for each data set and k, both fit the SAME standardized data
(StandardScaler == journey's z-scores: population standard deviation) with
k-means++ and n_init = 10; we print journey's inertia / scikit-learn's.
journey's inertia is recomputed here from its centroids (numpy, nearest
centroid for every point), so the reported number is checked, not trusted.

Data: synthetic blobs and uniform noise (sklearn generators, fixed seeds), RFM
per customer from CDNOW and from UCI Online Retail when the files exist under
$JOURNEY_DATA_DIR (or /work/shared/data); skipped with a message otherwise.
"""
import argparse
import gzip
import io
import os
import sys
import time

import numpy as np
import psycopg2
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.preprocessing import StandardScaler

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_limits = None


def data_dir():
    for d in (os.environ.get("JOURNEY_DATA_DIR", ""), "/work/shared/data"):
        if d and os.path.isdir(d):
            return d
    return None


def rfm_cdnow():
    d = data_dir()
    path = d and os.path.join(d, "cdnow", "cdnow_master.csv")
    if not path or not os.path.exists(path):
        return None
    cust = {}
    end = np.datetime64("1998-07-01")
    with open(path) as f:
        next(f)
        for line in f:
            cid, day, n, dollars = line.rstrip("\n").split(",")
            r = cust.setdefault(cid, [None, set(), 0.0])
            dd = np.datetime64(day)
            r[0] = dd if r[0] is None or dd > r[0] else r[0]
            r[1].add(day)
            r[2] += float(dollars)
    rows = [((end - r[0]).astype(int), len(r[1]), r[2]) for r in cust.values()]
    return np.array(rows, dtype=float)


def rfm_online_retail():
    d = data_dir()
    path = d and os.path.join(d, "online-retail", "online_retail.csv.gz")
    if not path or not os.path.exists(path):
        return None
    import csv
    cust = {}
    end = np.datetime64("2011-12-10")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rd = csv.reader(f)
        next(rd)
        for inv, _sc, _desc, qty, ts, price, cid, _country in rd:
            if not cid or inv.startswith("C"):
                continue
            q, p = float(qty), float(price)
            if q <= 0 or p <= 0:
                continue
            r = cust.setdefault(cid, [None, set(), 0.0])
            dd = np.datetime64(ts[:10])
            r[0] = dd if r[0] is None or dd > r[0] else r[0]
            r[1].add(inv)
            r[2] += q * p
    rows = [((end - r[0]).astype(int), len(r[1]), r[2]) for r in cust.values()]
    return np.array(rows, dtype=float)


def load(cur, X, table="kmx"):
    cur.execute(f"DROP TABLE IF EXISTS {table}")
    cur.execute(f"CREATE TABLE {table} (i bigint, f float8[])")
    buf = io.StringIO()
    for i, row in enumerate(X):
        buf.write(f"{i}\t{{{','.join(repr(float(v)) for v in row)}}}\n")
    buf.seek(0)
    cur.copy_from(buf, table, columns=("i", "f"))
    cur.execute(f"ANALYZE {table}")


def journey_fit(cur, k, opts, table="kmx"):
    t0 = time.time()
    cur.execute(f"SELECT m::text, (kmeans_summary(m)).* FROM (SELECT kmeans_segment(f, %s, %s) AS m FROM {table}) x",
                (k, opts))
    row = cur.fetchone()
    dt = time.time() - t0
    model_text = row[0]
    cur.execute("SELECT cluster, array_agg(z ORDER BY feature) FROM kmeans_centroids(%s::kmeans_model) GROUP BY cluster ORDER BY cluster",
                (model_text,))
    C = np.array([r[1] for r in cur.fetchall()], dtype=float)
    summary = dict(zip(["k", "dims", "n", "inertia", "silhouette", "iterations", "converged",
                        "standardized", "n_init", "seed"], row[1:]))
    return C, summary, dt


def inertia_of(Z, C):
    # nearest centroid for every point, in chunks
    tot = 0.0
    for s in range(0, len(Z), 200000):
        z = Z[s:s + 200000]
        d2 = ((z[:, None, :] - C[None, :, :]) ** 2).sum(axis=2)
        tot += d2.min(axis=1).sum()
    return tot


def sk_fit(Z, k, n_init, seed, max_iter=300, tol=1e-4):
    t0 = time.time()
    km = KMeans(n_clusters=k, init="k-means++", n_init=n_init, random_state=seed,
                algorithm="lloyd", max_iter=max_iter, tol=tol).fit(Z)
    return km, time.time() - t0


def quality(cur):
    sets = []
    X, _ = make_blobs(n_samples=20000, centers=8, n_features=8, cluster_std=2.5, random_state=0)
    sets.append(("blobs 20000x8 (8 centres, std 2.5)", X))
    X, _ = make_blobs(n_samples=20000, centers=12, n_features=3, cluster_std=4.0, random_state=1)
    sets.append(("overlapping blobs 20000x3 (12 centres, std 4)", X))
    X = np.random.RandomState(2).uniform(size=(20000, 5))
    sets.append(("uniform noise 20000x5", X))
    r = rfm_cdnow()
    if r is None:
        print("CDNOW data not found: skipped")
    else:
        sets.append((f"CDNOW RFM {len(r)}x3 (recency days, orders, dollars)", r))
        sets.append((f"CDNOW RFM log {len(r)}x3 (recency, log1p orders, log1p dollars)",
                     np.column_stack([r[:, 0], np.log1p(r[:, 1]), np.log1p(r[:, 2])])))
    r = rfm_online_retail()
    if r is None:
        print("Online Retail data not found: skipped")
    else:
        sets.append((f"Online Retail RFM {len(r)}x3", r))
        sets.append((f"Online Retail RFM log {len(r)}x3",
                     np.column_stack([r[:, 0], np.log1p(r[:, 1]), np.log1p(r[:, 2])])))
    print(f"{'data':60s} {'k':>3s} {'journey':>14s} {'sklearn':>14s} {'ratio':>8s} {'j s':>6s} {'sk s':>6s}")
    worst = 0.0
    for name, X in sets:
        Z = StandardScaler().fit_transform(X)
        load(cur, X)
        for k in (3, 5, 8):
            C, summ, jt = journey_fit(cur, k, '{"seed": 0, "n_init": 10}')
            ji = inertia_of(Z, C)
            if abs(ji / summ["inertia"] - 1) > 1e-6:
                print(f"  WARNING: journey reports inertia {summ['inertia']} but its centroids give {ji}")
            km, st = sk_fit(Z, k, 10, 0)
            ratio = ji / km.inertia_
            worst = max(worst, ratio)
            print(f"{name:60s} {k:3d} {ji:14.4f} {km.inertia_:14.4f} {ratio:8.5f} {jt:6.2f} {st:6.2f}")
    print(f"worst ratio journey/sklearn: {worst:.5f} (goal <= 1.01)")


def speed(cur, n, n_init):
    X, _ = make_blobs(n_samples=n, centers=8, n_features=8, cluster_std=3.0, random_state=42)
    Z = StandardScaler().fit_transform(X)
    load(cur, X)
    cur.execute("SET max_parallel_workers_per_gather = 0")
    t0 = time.time()
    cur.execute("SELECT count(*), sum(f[1] + f[8]) FROM kmx")
    cur.fetchone()
    floor = time.time() - t0
    opts = '{"seed": 0, "n_init": %d}' % n_init
    C, summ, jt = journey_fit(cur, 8, opts)
    ji = inertia_of(Z, C)
    if threadpool_limits:
        with threadpool_limits(limits=1):
            km, st = sk_fit(Z, 8, n_init, 0)
    else:
        km, st = sk_fit(Z, 8, n_init, 0)
    print(f"{n} x 8, k = 8, n_init = {n_init}")
    print(f"  floor (scan of the same rows):  {floor:.2f} s")
    print(f"  journey kmeans_segment:          {jt:.2f} s total, {summ['iterations']} iterations in the kept restart, inertia {ji:.2f}")
    print(f"  sklearn KMeans (1 thread, lloyd): {st:.2f} s total, {km.n_iter_} iterations in the kept restart, inertia {km.inertia_:.2f}")
    print(f"  ratio of inertias journey/sklearn: {ji / km.inertia_:.5f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", default=os.environ.get("PGDATABASE_KMEANS", "journey_scratch"))
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("--n", type=int, default=1000000)
    ap.add_argument("--n-init", type=int, default=10)
    a = ap.parse_args()
    conn = psycopg2.connect(dbname=a.db)
    conn.autocommit = True
    cur = conn.cursor()
    if a.speed:
        speed(cur, a.n, a.n_init)
    else:
        quality(cur)
    return 0


if __name__ == "__main__":
    sys.exit(main())
