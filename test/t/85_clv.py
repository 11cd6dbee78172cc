#!/usr/bin/python3
"""BG/NBD and Gamma-Gamma of journey against scipy (run by 85_clv.pl).

argv: database, file of per-customer statistics (x|t_x|T|m, m empty when
x = 0) that journey computed from CDNOW, journey's bgnbd model text, its
gamma_gamma model text, file of journey predictions
(x|t_x|T|m|expected_10|p_alive|gg_value).  Prints "PASS name", "FAIL name:
detail" and "INFO text" lines."""
import json
import math
import sys

import numpy as np
from scipy import optimize, special

rows = np.array([[float(v) if v.strip() != '' else np.nan for v in line.strip().split('|')] for line in open(sys.argv[2]) if line.strip()])
bg = json.loads(sys.argv[3])
gg = json.loads(sys.argv[4])
preds = [[float(v) if v.strip() != '' else np.nan for v in line.strip().split('|')] for line in open(sys.argv[5]) if line.strip()]
x, tx, T, m = rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3]
# the BG/NBD likelihood depends on (x, t_x, T) only: unique rows with weights
uniq, wts = np.unique(rows[:, :3], axis=0, return_counts=True)
ux, utx, uT = uniq[:, 0], uniq[:, 1], uniq[:, 2]
ok_all = []


def check(name, good, detail=''):
    ok_all.append(good)
    print(('PASS ' if good else 'FAIL ') + name + ('' if good else ': ' + detail))


def bg_ll(par, full=False):
    r, al, a, b = par
    x, tx, T = (globals()['x'], globals()['tx'], globals()['T']) if full else (ux, utx, uT)
    w = 1.0 if full else wts
    A1 = special.gammaln(r + x) - special.gammaln(r) + r * np.log(al)
    A2 = special.gammaln(a + b) + special.gammaln(b + x) - special.gammaln(b) - special.gammaln(a + b + x)
    A3 = -(r + x) * np.log(al + T)
    with np.errstate(divide='ignore', invalid='ignore'):
        A4 = np.where(x > 0, np.log(a) - np.log(b + x - 1) - (r + x) * np.log(al + tx), -np.inf)
    return float(np.sum(w * (A1 + A2 + np.logaddexp(A3, A4))))


def gg_ll(par, xs, ms):
    p, q, v = par
    return float(np.sum(special.gammaln(p * xs + q) - special.gammaln(p * xs) - special.gammaln(q) + q * np.log(v)
                        + (p * xs - 1) * np.log(ms) + p * xs * np.log(xs) - (p * xs + q) * np.log(v + ms * xs)))


# ---- BG/NBD: scipy's own optimum on the same sufficient statistics ----
jpar = [bg['r'], bg['alpha'], bg['a'], bg['b']]
print('INFO journey BG/NBD r=%.6f alpha=%.6f a=%.6f b=%.6f LL=%.6f (%d customers, %d iterations, converged %s, gradient %.3g)'
      % (*jpar, bg['log_likelihood'], bg['customers'], bg['iterations'], bg['converged'], bg['gradient']))
check('bgnbd converged', bg['converged'] is True)
check('bgnbd customers = rows', bg['customers'] == len(x), '%s vs %d' % (bg['customers'], len(x)))
ll_at_j = bg_ll(jpar, full=True)
check('bgnbd stored log-likelihood = scipy LL at journey parameters (1e-9 rel)',
      abs(ll_at_j - bg['log_likelihood']) <= 1e-9 * abs(ll_at_j), '%r vs %r' % (bg['log_likelihood'], ll_at_j))
best = None
for start in ([0.0, 0.0, 0.0, 0.0], list(np.log([0.1, 1.0, 0.1, 0.1]))):
    res = optimize.minimize(lambda th: -bg_ll(np.exp(th)), start, method='Nelder-Mead',
                            options=dict(xatol=1e-8, fatol=1e-10, maxiter=20000, maxfev=40000))
    res = optimize.minimize(lambda th: -bg_ll(np.exp(th)), res.x, method='BFGS', options=dict(gtol=1e-9))
    if best is None or res.fun < best.fun:
        best = res
spar = np.exp(best.x)
ll_s = bg_ll(spar, full=True)
print('INFO scipy   BG/NBD r=%.6f alpha=%.6f a=%.6f b=%.6f LL=%.6f' % (*spar, ll_s))
print('INFO log-likelihood difference journey - scipy: %.3g (relative %.3g)' % (bg['log_likelihood'] - ll_s, (bg['log_likelihood'] - ll_s) / abs(ll_s)))
check('bgnbd log-likelihood at the optimum equals scipy.optimize to 1e-6 relative',
      abs(bg['log_likelihood'] - ll_s) <= 1e-6 * abs(ll_s), '%r vs %r' % (bg['log_likelihood'], ll_s))
check('bgnbd journey optimum not worse than scipy by more than 1e-6 absolute', bg['log_likelihood'] >= ll_s - 1e-6,
      '%r vs %r' % (bg['log_likelihood'], ll_s))
for name, a, b in zip(['r', 'alpha', 'a', 'b'], jpar, spar):
    check('bgnbd %s equals scipy to 1e-4 relative' % name, abs(a - b) <= 1e-4 * abs(b), '%r vs %r' % (a, b))

# ---- Gamma-Gamma ----
sel = (x > 0) & (m > 0)
xs, ms = x[sel], m[sel]
gpar = [gg['p'], gg['q'], gg['gamma']]
print('INFO journey Gamma-Gamma p=%.6f q=%.6f gamma=%.6f LL=%.6f (%d customers, %d iterations, converged %s)'
      % (*gpar, gg['log_likelihood'], gg['customers'], gg['iterations'], gg['converged']))
check('gamma_gamma converged', gg['converged'] is True)
ll_gj = gg_ll(gpar, xs, ms)
check('gamma_gamma stored log-likelihood = scipy LL at journey parameters (1e-9 rel)',
      abs(ll_gj - gg['log_likelihood']) <= 1e-9 * abs(ll_gj), '%r vs %r' % (gg['log_likelihood'], ll_gj))
best = None
for start in ([0.0, 0.0, 0.0], list(np.log([1.0, 2.0, float(np.mean(ms))]))):
    res = optimize.minimize(lambda th: -gg_ll(np.exp(th), xs, ms), start, method='Nelder-Mead',
                            options=dict(xatol=1e-8, fatol=1e-10, maxiter=20000, maxfev=40000))
    res = optimize.minimize(lambda th: -gg_ll(np.exp(th), xs, ms), res.x, method='BFGS', options=dict(gtol=1e-9))
    if best is None or res.fun < best.fun:
        best = res
gs = np.exp(best.x)
print('INFO scipy   Gamma-Gamma p=%.6f q=%.6f gamma=%.6f LL=%.6f' % (*gs, -best.fun))
check('gamma_gamma log-likelihood at the optimum equals scipy.optimize to 1e-6 relative',
      abs(gg['log_likelihood'] + best.fun) <= 1e-6 * abs(best.fun), '%r vs %r' % (gg['log_likelihood'], -best.fun))

# ---- predictions at journey's parameters, by scipy.special ----
r, al, a, b = jpar
p, q, v = gpar
worst = 0.0
for (xi, txi, Ti, mi, e10, pal, gv) in preds:
    z = 10.0 / (al + Ti + 10.0)
    h = special.hyp2f1(r + xi, b + xi, a + b + xi - 1, z)
    den = 1 + (a / (b + xi - 1)) * ((al + Ti) / (al + txi)) ** (r + xi) if xi > 0 else 1.0
    e_ref = (a + b + xi - 1) / (a - 1) * (1 - ((al + Ti) / (al + Ti + 10.0)) ** (r + xi) * h) / den
    p_ref = 1.0 / den
    g_ref = p * (v + mi * xi) / (p * xi + q - 1) if xi > 0 else v * p / (q - 1)
    for name, got, ref in (('expected_purchases(10)', e10, e_ref), ('prob_alive', pal, p_ref), ('gamma_gamma_value', gv, g_ref)):
        rel = abs(got - ref) / max(abs(ref), 1e-300)
        worst = max(worst, rel)
        check('%s(x=%g, t_x=%.6g, T=%.6g, m=%.6g)' % (name, xi, txi, Ti, mi), rel <= 1e-9, '%r vs %r' % (got, ref))
print('INFO largest relative difference of the predictions from scipy.special: %.3g' % worst)
print('INFO %d checks, %d failed' % (len(ok_all), ok_all.count(False)))
