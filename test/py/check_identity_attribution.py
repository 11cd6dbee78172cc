#!/usr/bin/python3
"""Independent checks of identity stitching and Markov attribution (run by
test/t/30_identity_attribution.pl against the running test cluster).

- connected components of journey_identity_stitch == networkx's, on random
  graphs with hubs; the person id is the component's best identifier;
- guard rails (max_per_person) == a plain Python re-implementation of the
  documented rule; incremental merge == stitching everything at once;
- Markov removal effects == an exact rational solve (fractions.Fraction,
  Gaussian elimination) on random path sets (order 1), and == numpy's dense
  solve of an order-k chain built here from the paths (orders 1-3);
  per-conversion drill-down rows (journey_markov_credit) sum to the channel
  totals computed here; partial chains rolled up == the chain of all paths.
Prints one line per check: "ok - ..." or "not ok - ...".
"""
import os
import random
import subprocess
import sys
from fractions import Fraction

import networkx as nx

PSQL = [os.environ.get('JOURNEY_PGBIN', '/usr/lib/postgresql/15/bin') + '/psql', '-X', '-q', '-A', '-t', '-F', '\t',
        '-v', 'ON_ERROR_STOP=1']
DB = 'jy_tap_identity'


def psql(sql, db=DB, stdin=None):
    r = subprocess.run(PSQL + ['-d', db, '-c', sql], input=stdin, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError('psql failed: %s\n%s' % (sql, r.stderr))
    return [l.split('\t') for l in r.stdout.splitlines() if l != '']


def report(ok, what):
    print(('ok - ' if ok else 'not ok - ') + what)
    sys.stdout.flush()


def load_links(table, links):
    psql('DROP TABLE IF EXISTS %s; CREATE TABLE %s (ka text, a text, kb text, b text, ts timestamptz, seq int)'
         % (table, table))
    data = ''.join('%s\t%s\t%s\t%s\t%s\t%d\n' % (ka, a, kb, b, '2024-01-01 00:00:00+00' if ts is None else
                                                 '2024-01-01 00:00:%02d+00' % ts, i + 1)
                   for i, (ka, a, kb, b, ts) in enumerate(links))
    psql('COPY %s FROM STDIN' % table, stdin=data)


def key(node, prio):
    kind, val = node
    rank = prio.index(kind) if kind in prio else len(prio)
    return (rank, kind.encode(), val.encode())


def random_links(rng, nnodes, nlinks, kinds):
    nodes = [(rng.choice(kinds), 'v%d' % rng.randrange(10 * nnodes)) for _ in range(nnodes)]
    hubs = nodes[:3]
    links = []
    for _ in range(nlinks):
        a = rng.choice(hubs) if rng.random() < 0.2 else rng.choice(nodes)
        b = rng.choice(nodes)
        links.append((a[0], a[1], b[0], b[1], rng.randrange(60)))
    return links


def check_components(rng, n, nnodes, nlinks):
    kinds = ['user_id', 'anonymous_id', 'email_hash', 'device_id']
    prio = ['user_id', 'email_hash']
    links = random_links(rng, nnodes, nlinks, kinds)
    load_links('l', links)
    rows = psql("SELECT kind, identifier, person_kind, person_id FROM journey_identity_stitch("
                "'SELECT ka, a, kb, b FROM l ORDER BY random()', '{user_id,email_hash}')")
    got = {(r[0], r[1]): (r[2], r[3]) for r in rows}
    g = nx.Graph()
    for ka, a, kb, b, _ in links:
        g.add_edge((ka, a), (kb, b))
    ok = len(got) == g.number_of_nodes() == len(rows)
    for comp in nx.connected_components(g):
        best = min(comp, key=lambda x: key(x, prio))
        for v in comp:
            if got.get(v) != best:
                ok = False
    report(ok, 'graph %d: %d links, %d identifiers, %d components equal networkx, person = best identifier'
           % (n, len(links), g.number_of_nodes(), nx.number_connected_components(g)))


def reference_limits(links, prio, limits):
    """the documented rule: links in order (ts, lower identifier, higher identifier, row), refuse a
    union that would exceed a kind's limit"""
    parent, members = {}, {}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for ka, a, kb, b, ts in links:
        for v in ((ka, a), (kb, b)):
            if v not in parent:
                parent[v] = v
                members[v] = [v]
    order = sorted(range(len(links)), key=lambda i: (
        links[i][4], min(key((links[i][0], links[i][1]), prio), key((links[i][2], links[i][3]), prio)),
        max(key((links[i][0], links[i][1]), prio), key((links[i][2], links[i][3]), prio)), i))
    refused = []
    for i in order:
        ka, a, kb, b, ts = links[i]
        ra, rb = find((ka, a)), find((kb, b))
        if ra == rb:
            continue
        bad = None
        for kind, lim in zip(prio, limits):
            if lim is None:
                continue
            cnt = sum(1 for m in members[ra] + members[rb] if m[0] == kind)
            if cnt > lim:
                bad = kind
                break
        if bad:
            refused.append(i + 1)
            continue
        parent[rb] = ra
        members[ra] += members[rb]
    out = {}
    for v in parent:
        r = find(v)
        out[v] = min(members[r], key=lambda x: key(x, prio))
    return out, sorted(refused)


def check_limits(rng, n):
    prio = ['user_id', 'email_hash', 'anonymous_id']
    limits = [1, 2, None]
    links = random_links(rng, 400, 600, ['user_id', 'anonymous_id', 'email_hash'])
    load_links('l', links)
    want, want_ref = reference_limits(links, prio, limits)
    q = "'SELECT ka, a, kb, b, ts FROM l ORDER BY random()', '{user_id,email_hash,anonymous_id}', '{1,2,NULL}'"
    rows = psql('SELECT kind, identifier, person_kind, person_id FROM journey_identity_stitch(%s)' % q)
    got = {(r[0], r[1]): (r[2], r[3]) for r in rows}
    # the refused link numbers are row numbers of the (shuffled) query: map back through seq
    ref = psql("SELECT r.link_number, r.kind_a, r.id_a, r.kind_b, r.id_b FROM journey_identity_refused("
               "'SELECT ka, a, kb, b, ts FROM l ORDER BY seq', '{user_id,email_hash,anonymous_id}', '{1,2,NULL}') r")
    got_ref = sorted(int(r[0]) for r in ref)
    report(got == want and got_ref == want_ref and len(want_ref) > 0,
           'graph %d with limits user_id<=1, email_hash<=2: persons and %d refused links equal the reference'
           % (n, len(want_ref)))


def check_incremental(rng):
    links = random_links(rng, 1500, 2000, ['user_id', 'anonymous_id'])
    cut = len(links) // 2
    load_links('l', links)
    psql("DROP TABLE IF EXISTS persons; CREATE TABLE persons AS SELECT * FROM journey_identity_stitch("
         "'SELECT ka, a, kb, b FROM l WHERE seq <= %d', '{user_id}')" % cut)
    psql("CREATE TEMP TABLE ch AS SELECT * FROM journey_identity_merge('SELECT * FROM persons', "
         "'SELECT ka, a, kb, b FROM l WHERE seq > %d', '{user_id}'); "
         "DELETE FROM persons p USING ch WHERE (p.kind, p.identifier) = (ch.kind, ch.identifier); "
         "INSERT INTO persons SELECT kind, identifier, person_kind, person_id FROM ch; "
         "CREATE TABLE merged AS SELECT DISTINCT previous_person_kind, previous_person_id, person_kind, person_id "
         "FROM ch WHERE previous_person_id IS NOT NULL" % cut)
    full = psql("SELECT kind, identifier, person_kind, person_id FROM journey_identity_stitch("
                "'SELECT ka, a, kb, b FROM l', '{user_id}') EXCEPT SELECT * FROM persons")
    full2 = psql("SELECT * FROM persons EXCEPT SELECT kind, identifier, person_kind, person_id FROM "
                 "journey_identity_stitch('SELECT ka, a, kb, b FROM l', '{user_id}')")
    nmerged = psql('SELECT count(*) FROM merged')[0][0]
    psql('DROP TABLE merged')
    report(not full and not full2 and int(nmerged) > 0,
           'incremental merge of %d new links onto %d: same persons as stitching all (%s persons merged)'
           % (len(links) - cut, cut, nmerged))


def exact_markov(paths):
    """paths: list of (channels, converted). Exact removal effects with Fractions."""
    chans = sorted({c for p, _ in paths for c in p})
    idx = {c: i + 1 for i, c in enumerate(chans)}
    n = len(chans) + 1
    cnt = [[0] * (n + 2) for _ in range(n)]    # cols: 0..n-1 transient, n conv, n+1 null
    for p, conv in paths:
        prev = 0
        for c in p:
            cnt[prev][idx[c]] += 1
            prev = idx[c]
        cnt[prev][n if conv else n + 1] += 1

    def solve(removed):
        a = []
        for i in range(n):
            s = sum(cnt[i])
            row = [Fraction(0)] * (n + 1)
            for j in range(n):
                row[j] = Fraction(1 if i == j else 0)
                if i != removed and s and j != 0:
                    row[j] -= Fraction(cnt[i][j], s)
            row[n] = Fraction(0) if i == removed or not s else Fraction(cnt[i][n], s)
            a.append(row)
        for k in range(n):
            p = next(i for i in range(k, n) if a[i][k] != 0)
            a[k], a[p] = a[p], a[k]
            for i in range(n):
                if i != k and a[i][k] != 0:
                    f = a[i][k] / a[k][k]
                    a[i] = [x - f * y for x, y in zip(a[i], a[k])]
        return a[0][n] / a[0][0]
    p = solve(-1)
    return {c: (1 - solve(idx[c]) / p) if p else Fraction(0) for c in chans}


def check_markov(rng, n):
    nch = rng.randrange(2, 9)
    chans = ['c%d' % i for i in range(nch)]
    paths = []
    for _ in range(rng.randrange(20, 300)):
        length = rng.randrange(1, 7)
        p = [rng.choice(chans[:max(1, int(nch * rng.random()) + 1)]) for _ in range(length)]
        conv = rng.random() < 0.3 + 0.1 * chans.index(p[-1]) / nch
        paths.append((p, conv))
    psql('DROP TABLE IF EXISTS mp; CREATE TABLE mp (channels text[], converted boolean)')
    psql('COPY mp FROM STDIN', stdin=''.join('{%s}\t%s\n' % (','.join(p), 't' if c else 'f') for p, c in paths))
    rows = psql('SELECT (r).channel, (r).removal_effect, (r).share FROM '
                '(SELECT unnest(journey_markov_attribution(channels, converted, 1)) r FROM mp) s')
    want = exact_markov(paths)
    tot = sum(want.values())
    ok = len(rows) == len(want)
    worst = 0.0
    for ch, re_, share in rows:
        e = want.get(ch)
        if e is None:
            ok = False
            continue
        worst = max(worst, abs(float(re_) - float(e)), abs(float(share) - float(e / tot if tot else 0)))
    ok = ok and worst < 1e-9
    report(ok, 'Markov path set %d (%d paths, %d channels): removal effects and shares equal the exact '
           'rational solve (max error %.2e)' % (n, len(paths), len(want), worst))


def numpy_markov(paths, k):
    """paths: list of (channels, converted).  Order-k chain built from the paths themselves: states
    = tuples of the last k channels with ('S',) padding; removal of c drops every state holding c."""
    import numpy as np
    cnt = {}
    for p, conv in paths:
        if not p:
            if not conv:
                continue
            p = ['direct/none']
        pad = ['S'] * k + list(p)
        states = [tuple(pad[i:i + k]) for i in range(len(p) + 1)]
        for a, b in zip(states, states[1:]):
            cnt.setdefault(a, {}).setdefault(b, 0)
            cnt[a][b] += 1
        end = 'CONV' if conv else 'NULL'
        cnt.setdefault(states[-1], {}).setdefault(end, 0)
        cnt[states[-1]][end] += 1
    start = ('S',) * k
    chans = sorted({c for s in cnt for c in s if c != 'S'}, key=lambda s: s.encode())

    def solve(removed):
        keep = [s for s in cnt if removed is None or removed not in s]
        ix = {s: i for i, s in enumerate(keep)}
        n = len(keep)
        a = np.eye(n)
        r = np.zeros(n)
        for s in keep:
            tot = sum(cnt[s].values())
            for t, v in cnt[s].items():
                if t == 'CONV':
                    r[ix[s]] += v / tot
                elif t != 'NULL' and t in ix:
                    a[ix[s], ix[t]] -= v / tot
        return np.linalg.solve(a, r)[ix[start]] if start in ix else 0.0
    p = solve(None)
    return {c: (1 - solve(c) / p) if p > 0 else 0.0 for c in chans}, len(cnt)


def check_markov_k(rng, n, k):
    nch = rng.randrange(2, 6)
    chans = ['c%d' % i for i in range(nch)] + ['"q, r"']
    paths = []
    for _ in range(rng.randrange(30, 250)):
        length = rng.randrange(0, 6)
        p = [rng.choice(chans) for _ in range(length)]
        conv = rng.random() < (0.25 + (0.3 if 'c1' in p else 0) + (0.2 if p[-2:] == ['c0', 'c2'] else 0))
        paths.append((p, conv))
    psql('DROP TABLE IF EXISTS mp; CREATE TABLE mp (id int, channels text[], converted boolean)')
    psql('COPY mp FROM STDIN', stdin=''.join('%d\t{%s}\t%s\n' % (i, ','.join(p), 't' if c else 'f')
                                            for i, (p, c) in enumerate(paths)))
    real = [([x.replace('"', '') for x in p], c) for p, c in paths]
    want, nstates = numpy_markov(real, k)
    rows = psql('SELECT (r).channel, (r).removal_effect, (r).share, (r).conversions FROM '
                '(SELECT unnest(journey_markov_attribution(channels, converted, 1, %d)) r FROM mp) s' % k)
    got = {r[0]: float(r[1]) for r in rows}
    worst = max([abs(got.get(c, -9) - want[c]) for c in want] + [0.0])
    ok = set(got) == set(want) and worst < 1e-9
    report(ok, 'Markov order %d, path set %d (%d paths, %d channels, %d states): removal effects equal numpy\'s '
           'solve of the chain built from the paths (max error %.2e)' % (k, n, len(paths), len(want), nstates, worst))
    # drill-down: per-conversion rows sum to the channel totals of the documented split
    tot = {}
    for p, conv in real:
        if not conv:
            continue
        p = p or ['direct/none']
        dist = sorted(set(p))
        s = sum(want[c] for c in dist)
        for c in p:
            share = want[c] / s if s > 0 else 1.0 / len(dist)
            tot[c] = tot.get(c, 0.0) + share / p.count(c)
    rows = psql('WITH m AS (SELECT journey_markov_attribution(channels, converted, 1, %d) cr FROM mp) '
                'SELECT c.channel, sum(c.credit), count(DISTINCT mp.id) FROM mp, m, '
                'journey_markov_credit(mp.channels, mp.converted, m.cr) c GROUP BY 1' % k)
    gotd = {r[0]: float(r[1]) for r in rows}
    nconv = sum(1 for _, c in real if c)
    worst = max([abs(gotd.get(c, -9) - v) for c, v in tot.items()] + [0.0])
    ok = set(gotd) == set(tot) and worst < 1e-9 and abs(sum(gotd.values()) - nconv) < 1e-9
    report(ok, 'Markov order %d, path set %d: drill-down rows sum to the channel totals (%d conversions, '
           'max error %.2e)' % (k, n, nconv, worst))
    # partial chains (5 parts) rolled up == the chain of all paths, and so are the credits
    same = psql('SELECT (SELECT rollup(m)::text FROM (SELECT journey_markov_chain(channels, converted, 1, %d) m '
                'FROM mp GROUP BY id %% 5) s) = (SELECT journey_markov_chain(channels, converted, 1, %d)::text FROM mp), '
                '(SELECT journey_markov_credits(rollup(m))::text FROM (SELECT journey_markov_chain(channels, converted, 1, %d) m '
                'FROM mp GROUP BY id %% 5) s) = (SELECT journey_markov_attribution(channels, converted, 1, %d)::text FROM mp)'
                % (k, k, k, k))
    report(same == [['t', 't']], 'Markov order %d, path set %d: rollup of 5 partial chains equals the chain of all '
           'paths (text), and its credits' % (k, n))


def main():
    rng = random.Random(int(os.environ.get('JOURNEY_SEED', '20261203')))
    psql('DROP DATABASE IF EXISTS %s' % DB, db='postgres')
    psql('CREATE DATABASE %s' % DB, db='postgres')
    psql('CREATE EXTENSION journey')
    for i, (nn, nl) in enumerate([(50, 40), (300, 250), (2000, 1500), (3000, 6000), (20000, 15000)]):
        check_components(rng, i, nn, nl)
    for i in range(4):
        check_limits(rng, i)
    check_incremental(rng)
    for i in range(12):
        check_markov(rng, i)
    for k in (1, 2, 3):
        for i in range(4):
            check_markov_k(rng, i, k)
    psql('DROP DATABASE %s' % DB, db='postgres')


if __name__ == '__main__':
    main()
