#!/usr/bin/python3
"""A/B statistics of journey against scipy (run by 80_experiments.pl).

Calls the SQL functions through $JOURNEY_PGBIN/psql (PGHOST etc. from the
environment, database in argv[1]) and compares every number with scipy to 1e-9 relative.  Prints one
line per check: "PASS name" or "FAIL name: detail"."""
import math
import os
import subprocess
import sys

import numpy as np
from scipy import integrate, optimize, stats

DB = sys.argv[1]
PSQL = [os.path.join(os.environ['JOURNEY_PGBIN'], 'psql'), '-X', '-q', '-A', '-t', '-F', '|', '-v', 'ON_ERROR_STOP=1', '-d', DB]
REL = 1e-9


def sql(q):
    out = subprocess.run(PSQL + ['-c', 'SET extra_float_digits = 3; ' + q], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return [line.split('|') for line in out.stdout.strip().split('\n') if line != '']


def num(s):
    return float('nan') if s == '' else float(s)


def close(a, b, scale=0.0):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= REL * max(abs(a), abs(b), scale)


results = []


def check(name, got, ref, scale=0.0):
    ok = close(got, ref, scale)
    results.append(ok)
    print(('PASS ' if ok else 'FAIL ') + name + ('' if ok else ': journey %r scipy %r' % (got, ref)))


GRID = [
    (0, 1, 1, 1), (1, 1, 0, 1), (0, 10, 0, 10), (10, 10, 10, 10), (0, 10, 3, 10), (10, 10, 7, 10),
    (1, 2, 1, 3), (5, 100, 9, 100), (120, 1000, 150, 1000), (3, 7, 5, 11), (50, 1000, 0, 1000),
    (0, 1000, 1000, 1000), (1, 10000000, 3, 10000000), (123456, 10000000, 124789, 10000000),
    (10000000, 10000000, 9999990, 10000000), (2, 5000000, 0, 5000000), (4999000, 10000000, 5001000, 10000000),
    (1000, 1000, 999, 1000), (7, 1000000, 19, 1000000),
]
ALPHAS = [0.05, 0.01, 1e-6]


def ztest_ref(ca, na, cb, nb, alpha):
    ra, rb = ca / na, cb / nb
    zq = stats.norm.isf(alpha / 2)
    d = rb - ra
    se = math.sqrt(ra * (1 - ra) / na + rb * (1 - rb) / nb)
    pp = (ca + cb) / (na + nb)
    se0 = math.sqrt(pp * (1 - pp) * (1 / na + 1 / nb))
    z = d / se0 if se0 > 0 else float('nan')
    p = 2 * stats.norm.sf(abs(z)) if se0 > 0 else float('nan')
    lift = rb / ra - 1 if ca > 0 else float('nan')
    if ca > 0 and cb > 0:
        sl = math.sqrt(1 / ca - 1 / na + 1 / cb - 1 / nb)
        lr = math.log(rb / ra)
        ll, lh = math.expm1(lr - zq * sl), math.expm1(lr + zq * sl)
    else:
        ll = lh = float('nan')
    return dict(z=z, p_value=p, diff=d, diff_low=d - zq * se, diff_high=d + zq * se,
                lift=lift, lift_low=ll, lift_high=lh, _se=zq * se)


for (ca, na, cb, nb) in GRID:
    for alpha in ALPHAS:
        row = sql('SELECT * FROM ab_ztest(%d, %d, %d, %d, %r)' % (ca, na, cb, nb, alpha))[0]
        names = ['z', 'p_value', 'diff', 'diff_low', 'diff_high', 'lift', 'lift_low', 'lift_high']
        ref = ztest_ref(ca, na, cb, nb, alpha)
        for k, v in zip(names, row):
            # the interval ends are differences: compare relative to the terms subtracted
            scale = abs(ref['diff']) + ref['_se'] if k in ('diff_low', 'diff_high') else 0.0
            check('ztest(%d,%d,%d,%d,alpha=%g).%s' % (ca, na, cb, nb, alpha, k), num(v), ref[k], scale)
    # the two-sided z-test p-value is the 2x2 chi-square p-value (scipy's chi2_contingency)
    if 0 < ca + cb < na + nb:
        chi = stats.chi2_contingency(np.array([[ca, na - ca], [cb, nb - cb]], dtype=float), correction=False)
        row = sql('''SELECT * FROM ab_chisq('{"a": [%d, %d], "b": [%d, %d]}')''' % (na, ca, nb, cb))[0]
        check('chisq2x2(%d,%d,%d,%d).statistic' % (ca, na, cb, nb), num(row[0]), chi[0])
        check('chisq2x2(%d,%d,%d,%d).p_value' % (ca, na, cb, nb), num(row[2]), chi[1])


# always-valid (mixture SPRT) p-value and confidence sequence: the formula of Johari, Pekelis & Walsh
def seq_ref(ca, na, cb, nb, tau, alpha):
    ra, rb = ca / na, cb / nb
    d = rb - ra
    V = ra * (1 - ra) / na + rb * (1 - rb) / nb
    if V <= 0:
        return d, float('nan'), float('nan'), float('nan'), 0.0
    logL = 0.5 * math.log(V / (V + tau ** 2)) + tau ** 2 * d ** 2 / (2 * V * (V + tau ** 2))
    half = math.sqrt(V * (V + tau ** 2) / tau ** 2 * (2 * math.log(1 / alpha) + math.log((V + tau ** 2) / V)))
    return d, min(1.0, math.exp(-logL)), d - half, d + half, half


for (ca, na, cb, nb) in GRID:
    for tau in (0.001, 0.02, 0.3):
        for alpha in (0.05, 1e-6):
            row = sql('SELECT * FROM ab_sequential(%d, %d, %d, %d, %r, %r)' % (ca, na, cb, nb, tau, alpha))[0]
            ref = seq_ref(ca, na, cb, nb, tau, alpha)
            for k, v in enumerate(['diff', 'p_value', 'diff_low', 'diff_high']):
                scale = abs(ref[0]) + ref[4] if k >= 2 else 0.0
                check('sequential(%d,%d,%d,%d,tau=%g,alpha=%g).%s' % (ca, na, cb, nb, tau, alpha, v), num(row[k]), ref[k], scale)


# k x 2 tables
TABLES = [
    [(10, 100), (12, 100), (30, 100)],
    [(0, 5), (1, 5), (5, 5)],
    [(1, 1000000), (5, 1000000), (9, 1000000), (2, 1000000)],
    [(4000, 100000), (4100, 100000), (4200, 100000), (3900, 100000), (4500, 100000)],
    [(999, 1000), (1000, 1000), (990, 1000)],
    [(1, 2), (0, 3), (2, 2)],
    [(300, 1000), (100, 1000), (900, 1000), (10, 1000), (500, 1000), (0, 1000)],
]
for t in TABLES:
    js = '{' + ', '.join('"v%d": [%d, %d]' % (i, n, c) for i, (c, n) in enumerate(t)) + '}'
    row = sql("SELECT * FROM ab_chisq('%s')" % js)[0]
    chi = stats.chi2_contingency(np.array([[c, n - c] for (c, n) in t], dtype=float), correction=False)
    check('chisq%s.statistic' % t, num(row[0]), chi[0])
    check('chisq%s.df' % t, num(row[1]), chi[2])
    check('chisq%s.p_value' % t, num(row[2]), chi[1])


def prob_ref(aA, bA, aB, bB):
    """P(pB > pA) = integral of f_B(x) F_A(x) dx, by adaptive quadrature."""
    mB, sB = aB / (aB + bB), math.sqrt(aB * bB / ((aB + bB) ** 2 * (aB + bB + 1)))
    mA, sA = aA / (aA + bA), math.sqrt(aA * bA / ((aA + bA) ** 2 * (aA + bA + 1)))
    lo, hi = max(0.0, mB - 60 * sB), min(1.0, mB + 60 * sB)
    pts = sorted(p for p in (mA, mB, mA - 5 * sA, mA + 5 * sA) if lo < p < hi)
    # integrate the smaller of P and 1 - P directly (relative accuracy)
    fwd = lambda x: stats.beta.pdf(x, aB, bB) * stats.beta.cdf(x, aA, bA)
    bwd = lambda x: stats.beta.pdf(x, aB, bB) * stats.beta.sf(x, aA, bA)
    p1 = integrate.quad(fwd, lo, hi, points=pts or None, epsabs=0, epsrel=1e-13, limit=2000)[0]
    if p1 > 0.5:
        p0 = integrate.quad(bwd, lo, hi, points=pts or None, epsabs=0, epsrel=1e-13, limit=2000)[0]
        return 1 - p0
    return p1


def loss_ref(aA, bA, aB, bB):
    """E[max(pA - pB, 0)] = integral over u of P(pB <= u) P(pA > u) (a positive integrand)."""
    mA, sA = aA / (aA + bA), math.sqrt(aA * bA / ((aA + bA) ** 2 * (aA + bA + 1)))
    mB, sB = aB / (aB + bB), math.sqrt(aB * bB / ((aB + bB) ** 2 * (aB + bB + 1)))
    lo, hi = max(0.0, min(mA, mB) - 60 * max(sA, sB)), min(1.0, max(mA, mB) + 60 * max(sA, sB))
    pts = sorted(p for p in (mA, mB) if lo < p < hi)
    f = lambda u: stats.beta.cdf(u, aB, bB) * stats.beta.sf(u, aA, bA)
    return integrate.quad(f, lo, hi, points=pts or None, epsabs=0, epsrel=1e-13, limit=2000)[0]


PRIORS = [(1, 1), (2, 3), (1, 20)]
for (ca, na, cb, nb) in GRID:
    for (pa, pb) in PRIORS:
        aA, bA, aB, bB = pa + ca, pb + na - ca, pa + cb, pb + nb - cb
        if min(aA, bA, aB, bB) > 3e6 and (pa, pb) != (1, 1):
            continue
        row = sql('SELECT ab_prob_beats(%d, %d, %d, %d, %r, %r), ab_expected_loss(%d, %d, %d, %d, %r, %r)'
                  % (ca, na, cb, nb, pa, pb, ca, na, cb, nb, pa, pb))[0]
        check('prob_beats(%d,%d,%d,%d,prior=%d,%d)' % (ca, na, cb, nb, pa, pb), num(row[0]), prob_ref(aA, bA, aB, bB))
        check('expected_loss(%d,%d,%d,%d,prior=%d,%d)' % (ca, na, cb, nb, pa, pb), num(row[1]), loss_ref(aA, bA, aB, bB))


try:
    from scipy.stats._boost import _beta_cdf as beta_cdf, _beta_sf as beta_sf, _beta_pdf as beta_pdf
except ImportError:     # the same functions through the public (slower) interface
    beta_cdf, beta_sf, beta_pdf = stats.beta.cdf, stats.beta.sf, stats.beta.pdf


# ---- non-integer posterior parameters and P(best) of k arms (quadrature) ----
def best_ref(A, B):
    """P(best_i) = int f_i prod_{j!=i} F_j and loss_i = int F_i (1 - prod_{j!=i} F_j), by scipy.integrate.quad
    on pieces around every arm's mean (+- 1..128 sd), in the coordinate x or y = 1 - x where the arms sit;
    every function takes (t, 1 - t) and uses the argument nearer 0 (a posterior packed against 1 keeps its
    digits). The two end pieces are integrated in u with t = c u^10 (resp. 1 - t = c u^10): the priors of
    the grid are multiples of 0.1, so the endpoint powers t^(a-1), F_j ~ t^a become smooth in u.
    P(best) above 1/2 as 1 - sum of the others."""
    k = len(A)
    flip = sum(a / (a + b) for a, b in zip(A, B)) / k > 0.5
    P_, Q_ = (B, A) if flip else (A, B)     # parameters in the integration coordinate t

    def lo_cdf(j, t, y):     # P(T_j <= t)
        return beta_cdf(t, P_[j], Q_[j]) if t <= 0.5 else beta_sf(y, Q_[j], P_[j])

    def up_cdf(j, t, y):     # P(T_j > t)
        return beta_sf(t, P_[j], Q_[j]) if t <= 0.5 else beta_cdf(y, Q_[j], P_[j])

    def pdf(j, t, y):
        if not (t > 0 and y > 0):
            return 0.0
        return beta_pdf(t, P_[j], Q_[j]) if t <= 0.5 else beta_pdf(y, Q_[j], P_[j])
    # F_j (x coordinate) and its complement, as functions of t
    F, S = (up_cdf, lo_cdf) if flip else (lo_cdf, up_cdf)
    pts = {0.0, 1.0}
    for p, q in zip(P_, Q_):
        m, sd = p / (p + q), math.sqrt(p * q / ((p + q) ** 2 * (p + q + 1)))
        for t in (0, 1, 3, 8, 20, 50, 128):
            for sg in (-1, 1):
                if 0 < m + sg * t * sd < 1:
                    pts.add(m + sg * t * sd)
    pts = sorted(pts)

    def integ(f):
        q = lambda g, lo, hi: integrate.quad(g, lo, hi, epsabs=0, epsrel=1e-13, limit=200)[0]
        tot = 0.0
        n = len(pts) - 1
        for i, (lo, hi) in enumerate(zip(pts[:-1], pts[1:])):
            if i == 0:
                tot += q(lambda u: f(hi * u ** 10, 1 - hi * u ** 10) * 10 * hi * u ** 9, 0, 1)
            elif i == n - 1:
                c = 1 - lo
                tot += q(lambda u: f(1 - c * u ** 10, c * u ** 10) * 10 * c * u ** 9, 0, 1)
            else:
                tot += q(lambda t: f(t, 1 - t), lo, hi)
        return tot

    def one_minus_prod_F(i, t, y):
        s = 0.0
        for j in range(k):
            if j != i:
                sj = S(j, t, y)
                s += math.log1p(-sj) if sj < 1 else -math.inf
        return -math.expm1(s)

    P, L = [], []
    for i in range(k):
        P.append(integ(lambda t, y: pdf(i, t, y) * math.prod(F(j, t, y) for j in range(k) if j != i)))
        L.append(integ(lambda t, y: F(i, t, y) * one_minus_prod_F(i, t, y)))
    for i in range(k):
        if P[i] > 0.5:
            P[i] = 1 - sum(P[j] for j in range(k) if j != i)
    return P, L


# two arms, non-integer posteriors (no closed form): ab_prob_beats, ab_expected_loss
for (ca, na, cb, nb) in GRID:
    for (pa, pb) in [(0.5, 0.5), (0.1, 0.3), (2.7, 13.2)]:
        aA, bA, aB, bB = pa + ca, pb + na - ca, pa + cb, pb + nb - cb
        row = sql('SELECT ab_prob_beats(%d, %d, %d, %d, %r, %r), ab_expected_loss(%d, %d, %d, %d, %r, %r)'
                  % (ca, na, cb, nb, pa, pb, ca, na, cb, nb, pa, pb))[0]
        P, L = best_ref([aA, aB], [bA, bB])
        check('prob_beats(%d,%d,%d,%d,prior=%r,%r)' % (ca, na, cb, nb, pa, pb), num(row[0]), P[1])
        check('expected_loss(%d,%d,%d,%d,prior=%r,%r)' % (ca, na, cb, nb, pa, pb), num(row[1]), L[1])

# A/B/n: P(best) and the expected loss against the best in ab_readout; for two arms with integer
# posteriors P(best) of B also equals the closed form P(B > A)
TABLES_BEST = [
    [(120, 1000), (150, 1000)], [(0, 10), (3, 10), (10, 10)], [(120, 1000), (150, 1000), (130, 1000), (90, 1000)],
    [(1, 2), (1, 3), (0, 1), (2, 2), (0, 0)], [(7, 1000000), (19, 1000000), (12, 1000000)],
    [(4999000, 10000000), (5001000, 10000000), (5000000, 10000000)], [(0, 1000), (1000, 1000)],
    [(1000, 1000), (999, 1000), (990, 1000)], [(10000000, 10000000), (9999990, 10000000)],
    [(1, 10000000), (3, 10000000), (0, 10000000), (2, 10000000)], [(100, 1000), (300, 1000), (200, 1000)],
]
for t in TABLES_BEST:
    js = '{' + ', '.join('"v%d": [%d, %d]' % (i, n, c) for i, (c, n) in enumerate(t)) + '}'
    for (pa, pb) in [(1, 1), (0.5, 0.5), (0.1, 0.3)]:
        rows = sql("SELECT prob_best, expected_loss_best, prob_beats_control FROM ab_readout('%s', 'v0', 0.05, %r, %r)" % (js, pa, pb))
        P, L = best_ref([pa + c for c, n in t], [pb + n - c for c, n in t])
        for i, r in enumerate(rows):
            check('prob_best%s[%d],prior=%r,%r' % (t, i, pa, pb), num(r[0]), P[i])
            check('expected_loss_best%s[%d],prior=%r,%r' % (t, i, pa, pb), num(r[1]), L[i])
        if len(t) == 2 and (pa, pb) == (1, 1):
            check('prob_best%s[1] = closed-form P(B > A)' % (t,), num(rows[1][0]), num(rows[1][2]))


# planning: sample size (unrounded formula, compared before rounding up) and MDE
def n_ref(p1, mde, alpha, power):
    p2 = p1 + mde
    pbar = (p1 + p2) / 2
    za, zb = stats.norm.isf(alpha / 2), stats.norm.ppf(power)
    return (za * math.sqrt(2 * pbar * (1 - pbar)) + zb * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / mde ** 2


for (p1, mde, alpha, power) in [(0.1, 0.01, 0.05, 0.8), (0.5, 0.001, 0.05, 0.9), (0.001, 0.0005, 0.01, 0.8),
                                (0.9, -0.05, 0.05, 0.8), (1e-6, 1e-6, 0.05, 0.99), (0.3, 0.6, 0.2, 0.5)]:
    got = num(sql('SELECT ab_sample_size(%r, %r, %r, %r)' % (p1, mde, alpha, power))[0][0])
    ref = n_ref(p1, mde, alpha, power)
    results.append(got == math.ceil(ref) or (abs(ref - round(ref)) < 1e-6 * ref and abs(got - ref) < 1.5))
    print(('PASS' if results[-1] else 'FAIL') + ' sample_size(%r,%r,%r,%r) = %d (scipy %.6f)' % (p1, mde, alpha, power, got, ref))
for (p1, n, alpha, power) in [(0.1, 10000, 0.05, 0.8), (0.5, 100, 0.05, 0.9), (0.001, 10000000, 0.01, 0.8),
                              (0.02, 2000, 0.05, 0.8), (0.3, 5, 0.2, 0.5)]:
    got = num(sql('SELECT ab_mde(%r, %d, %r, %r)' % (p1, n, alpha, power))[0][0])
    ref = optimize.brentq(lambda d: n_ref(p1, d, alpha, power) - n, 1e-12, (1 - p1) * (1 - 1e-15), xtol=1e-16, rtol=1e-15, maxiter=500)
    check('mde(%r,%d,%r,%r)' % (p1, n, alpha, power), got, ref)

print('%d checks, %d failed' % (len(results), results.count(False)))
