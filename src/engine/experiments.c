/*
 * experiments.c — A/B(/n) significance of conversion rates (plain C, no
 * PostgreSQL).  See experiments.h and doc/experiments.md.
 */
#include "experiments.h"
#include "statfn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- counts codec ------------------------------------------------------- */

typedef struct Scan
{
	const char *s;
	size_t		len;
	size_t		pos;
	const char *reason;
} Scan;

static void
skip_ws(Scan *sc)
{
	while (sc->pos < sc->len &&
		   (sc->s[sc->pos] == ' ' || sc->s[sc->pos] == '\t' || sc->s[sc->pos] == '\n' || sc->s[sc->pos] == '\r'))
		sc->pos++;
}

static int
expect(Scan *sc, char c, const char *reason)
{
	skip_ws(sc);
	if (sc->pos < sc->len && sc->s[sc->pos] == c)
	{
		sc->pos++;
		return 1;
	}
	sc->reason = reason;
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* a JSON string into out (UTF-8); returns its length or -1 */
static long
scan_string(Scan *sc, char *out)
{
	long		n = 0;

	if (!expect(sc, '"', "expected a variant name in double quotes"))
		return -1;
	for (;;)
	{
		unsigned char c;

		if (sc->pos >= sc->len)
		{
			sc->reason = "unterminated string";
			return -1;
		}
		c = (unsigned char) sc->s[sc->pos++];
		if (c == '"')
			return n;
		if (c < 0x20)
		{
			sc->reason = "control character in a string";
			sc->pos--;
			return -1;
		}
		if (c != '\\')
		{
			out[n++] = (char) c;
			continue;
		}
		if (sc->pos >= sc->len)
		{
			sc->reason = "unterminated escape";
			return -1;
		}
		c = (unsigned char) sc->s[sc->pos++];
		switch (c)
		{
			case '"':
			case '\\':
			case '/':
				out[n++] = (char) c;
				break;
			case 'b':
				out[n++] = '\b';
				break;
			case 'f':
				out[n++] = '\f';
				break;
			case 'n':
				out[n++] = '\n';
				break;
			case 'r':
				out[n++] = '\r';
				break;
			case 't':
				out[n++] = '\t';
				break;
			case 'u':
				{
					unsigned	cp = 0;

					if (sc->len - sc->pos < 4)
					{
						sc->reason = "truncated \\u escape";
						return -1;
					}
					for (int i = 0; i < 4; i++)
					{
						int			h = hexval(sc->s[sc->pos + i]);

						if (h < 0)
						{
							sc->reason = "invalid \\u escape";
							return -1;
						}
						cp = cp * 16 + (unsigned) h;
					}
					if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF))
					{
						sc->reason = "\\u0000 and surrogate escapes are not accepted";
						return -1;
					}
					sc->pos += 4;
					/* the \uXXXX form takes 6 bytes, its UTF-8 at most 3 */
					if (cp < 0x80)
						out[n++] = (char) cp;
					else if (cp < 0x800)
					{
						out[n++] = (char) (0xC0 | (cp >> 6));
						out[n++] = (char) (0x80 | (cp & 0x3F));
					}
					else
					{
						out[n++] = (char) (0xE0 | (cp >> 12));
						out[n++] = (char) (0x80 | ((cp >> 6) & 0x3F));
						out[n++] = (char) (0x80 | (cp & 0x3F));
					}
					break;
				}
			default:
				sc->reason = "invalid escape in a string";
				sc->pos--;
				return -1;
		}
	}
}

static int
scan_count(Scan *sc, double *v)
{
	unsigned long long x = 0;
	size_t		start;

	skip_ws(sc);
	start = sc->pos;
	while (sc->pos < sc->len && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9')
	{
		x = x * 10 + (unsigned long long) (sc->s[sc->pos] - '0');
		if (x > 9007199254740992ULL)
		{
			sc->reason = "count above 2^53";
			return 0;
		}
		sc->pos++;
	}
	if (sc->pos == start)
	{
		sc->reason = "expected a non-negative integer count";
		return 0;
	}
	if (sc->pos - start > 1 && sc->s[start] == '0')
	{
		sc->pos = start;
		sc->reason = "leading zero in a count";
		return 0;
	}
	if (sc->pos < sc->len && (sc->s[sc->pos] == '.' || sc->s[sc->pos] == 'e' || sc->s[sc->pos] == 'E'))
	{
		sc->reason = "counts are integers";
		return 0;
	}
	*v = (double) x;
	return 1;
}

static int
arm_cmp(const void *a, const void *b)
{
	const JyAbArm *x = a, *y = b;
	size_t		m = x->len < y->len ? x->len : y->len;
	int			c = memcmp(x->name, y->name, m);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len ? 1 : 0;
}

int
jy_ab_sort(JyAbArm *arms, int n)
{
	if (n > 1)
		qsort(arms, (size_t) n, sizeof(JyAbArm), arm_cmp);
	for (int i = 0; i + 1 < n; i++)
		if (arm_cmp(&arms[i], &arms[i + 1]) == 0)
			return i;
	return -1;
}

int
jy_ab_parse(const char *s, size_t len, JyAbArm *arms, char *names,
			const char **reason, size_t *errpos)
{
	Scan		sc = {s, len, 0, NULL};
	int			n = 0;
	size_t		used = 0;

	if (!expect(&sc, '{', "expected \"{\""))
		goto fail;
	skip_ws(&sc);
	if (sc.pos < sc.len && sc.s[sc.pos] == '}')
		sc.pos++;
	else
	{
		for (;;)
		{
			long		nl;
			JyAbArm    *a;

			if (n >= JY_AB_MAX_ARMS)
				return -2;
			a = &arms[n];
			nl = scan_string(&sc, names + used);
			if (nl < 0)
				goto fail;
			a->name = names + used;
			a->len = (size_t) nl;
			used += (size_t) nl;
			if (!expect(&sc, ':', "expected \":\" after a variant name") ||
				!expect(&sc, '[', "expected \"[users, conversions]\""))
				goto fail;
			if (!scan_count(&sc, &a->users))
				goto fail;
			if (!expect(&sc, ',', "expected \",\" between users and conversions"))
				goto fail;
			if (!scan_count(&sc, &a->conversions))
				goto fail;
			if (!expect(&sc, ']', "expected \"]\" after conversions"))
				goto fail;
			if (a->conversions > a->users)
			{
				sc.reason = "conversions exceed users";
				goto fail;
			}
			n++;
			skip_ws(&sc);
			if (sc.pos < sc.len && sc.s[sc.pos] == ',')
			{
				sc.pos++;
				continue;
			}
			if (!expect(&sc, '}', "expected \",\" or \"}\""))
				goto fail;
			break;
		}
	}
	skip_ws(&sc);
	if (sc.pos != sc.len)
	{
		sc.reason = "junk after the closing \"}\"";
		goto fail;
	}
	if (jy_ab_sort(arms, n) >= 0)
	{
		sc.reason = "duplicate variant name";
		sc.pos = 0;
		goto fail;
	}
	return n;
fail:
	*reason = sc.reason ? sc.reason : "invalid input";
	*errpos = sc.pos;
	return -1;
}

size_t
jy_ab_print_size(const JyAbArm *arms, int n)
{
	size_t		sz = 3;

	for (int i = 0; i < n; i++)
		sz += 6 * arms[i].len + 2 + 4 + 2 * 17 + 4;
	return sz;
}

size_t
jy_ab_print(const JyAbArm *arms, int n, char *out)
{
	char	   *p = out;

	*p++ = '{';
	for (int i = 0; i < n; i++)
	{
		if (i > 0)
		{
			*p++ = ',';
			*p++ = ' ';
		}
		*p++ = '"';
		for (size_t j = 0; j < arms[i].len; j++)
		{
			unsigned char c = (unsigned char) arms[i].name[j];

			if (c == '"' || c == '\\')
			{
				*p++ = '\\';
				*p++ = (char) c;
			}
			else if (c < 0x20)
				p += sprintf(p, "\\u%04x", c);
			else
				*p++ = (char) c;
		}
		p += sprintf(p, "\": [%.0f, %.0f]", arms[i].users, arms[i].conversions);
	}
	*p++ = '}';
	*p = '\0';
	return (size_t) (p - out);
}

/* ---- frequentist ------------------------------------------------------- */

int
jy_ab_compare(double ca, double na, double cb, double nb, double alpha, JyAbCompare *o)
{
	double		zq = jy_norm_ppf(1.0 - alpha / 2.0);

	o->rate_a = na > 0 ? ca / na : NAN;
	o->rate_b = nb > 0 ? cb / nb : NAN;
	o->diff = o->rate_b - o->rate_a;
	o->diff_low = o->diff_high = NAN;
	o->lift = o->lift_low = o->lift_high = NAN;
	o->z = o->p_value = NAN;
	if (!(na > 0 && nb > 0))
		return 0;
	{
		double		se = sqrt(o->rate_a * (1.0 - o->rate_a) / na + o->rate_b * (1.0 - o->rate_b) / nb);

		o->diff_low = o->diff - zq * se;
		o->diff_high = o->diff + zq * se;
	}
	if (ca > 0)
		o->lift = o->rate_b / o->rate_a - 1.0;
	if (ca > 0 && cb > 0)
	{
		double		lr = log(o->rate_b / o->rate_a);
		double		se = sqrt(1.0 / ca - 1.0 / na + 1.0 / cb - 1.0 / nb);

		o->lift_low = expm1(lr - zq * se);
		o->lift_high = expm1(lr + zq * se);
	}
	{
		double		pp = (ca + cb) / (na + nb);
		double		se0 = sqrt(pp * (1.0 - pp) * (1.0 / na + 1.0 / nb));

		if (se0 > 0)
		{
			o->z = o->diff / se0;
			o->p_value = 2.0 * jy_norm_sf(fabs(o->z));
			if (o->p_value > 1.0)
				o->p_value = 1.0;
		}
	}
	return 0;
}

int
jy_ab_chisq(const JyAbArm *arms, int n, double *stat, double *df, double *p)
{
	double		N = 0, C = 0;
	int			k = 0;
	JySum		s = {0, 0};

	for (int i = 0; i < n; i++)
		if (arms[i].users > 0)
		{
			N += arms[i].users;
			C += arms[i].conversions;
			k++;
		}
	if (k < 2 || C <= 0 || C >= N)
		return -1;
	for (int i = 0; i < n; i++)
	{
		double		ni = arms[i].users, e1, e0, d1, d0;

		if (!(ni > 0))
			continue;
		e1 = ni * (C / N);
		e0 = ni * ((N - C) / N);
		d1 = arms[i].conversions - e1;
		d0 = (ni - arms[i].conversions) - e0;
		jy_sum_add(&s, d1 * d1 / e1);
		jy_sum_add(&s, d0 * d0 / e0);
	}
	*stat = jy_sum_get(&s);
	*df = k - 1;
	*p = jy_chi2_sf(*stat, *df);
	return 0;
}

/* ---- Bayesian ----------------------------------------------------------- */

int
jy_ab_prob_beats(double ca, double na, double cb, double nb, double pa, double pb,
				 double max_terms, double *p, void (*tick) (void *), void *arg)
{
	return jy_beta_prob_gt(pa + cb, pb + nb - cb, pa + ca, pb + na - ca, max_terms, p, tick, arg);
}

int
jy_ab_expected_loss(double ca, double na, double cb, double nb, double pa, double pb,
					double max_terms, double *loss, void (*tick) (void *), void *arg)
{
	double		aA = pa + ca, bA = pb + na - ca, aB = pa + cb, bB = pb + nb - cb;
	double		pAB, K, v;

	/*
	 * E[max(pA - pB, 0)] = (mA - mB) P(pA > pB) + K (1/(aA+bA) + 1/(aB+bB)),
	 * K = B(aA+aB, bA+bB) / (B(aA,bA) B(aB,bB)): from E[pA 1{pA>pB}] =
	 * mA P(A' > B) with A' ~ Beta(aA+1, bA) and I_y(a,b) - I_y(a+1,b) =
	 * y^a (1-y)^b / (a B(a,b)).  No difference of two nearly equal
	 * probabilities (the textbook form loses digits when the arms are close).
	 */
	if (jy_beta_prob_gt(aA, bA, aB, bB, max_terms, &pAB, tick, arg) < 0)
		return -1;
	K = (double) expl(jy_lbeta_diff3(aA + aB, bA + bB, aA, bA, aB, bB));
	v = (aA / (aA + bA) - aB / (aB + bB)) * pAB + K * (1.0 / (aA + bA) + 1.0 / (aB + bB));
	*loss = v > 0.0 ? v : 0.0;
	return 0;
}

/* ---- planning ----------------------------------------------------------- */

double
jy_ab_sample_size(double p1, double mde, double alpha, double power)
{
	double		p2 = p1 + mde, pbar, za, zb, num;

	if (!(p1 > 0 && p1 < 1 && p2 > 0 && p2 < 1 && mde != 0 && alpha > 0 && alpha < 1 && power > 0 && power < 1))
		return NAN;
	pbar = 0.5 * (p1 + p2);
	za = jy_norm_ppf(1.0 - alpha / 2.0);
	zb = jy_norm_ppf(power);
	num = za * sqrt(2.0 * pbar * (1.0 - pbar)) + zb * sqrt(p1 * (1.0 - p1) + p2 * (1.0 - p2));
	return num * num / (mde * mde);
}

double
jy_ab_mde(double p1, double users, double alpha, double power)
{
	double		lo = 0.0, hi = 1.0 - p1;

	if (!(p1 > 0 && p1 < 1 && users > 0 && alpha > 0 && alpha < 1 && power > 0 && power < 1))
		return NAN;
	/* the largest possible effect still needs more users: none is detectable */
	if (!(jy_ab_sample_size(p1, hi * (1.0 - 1e-15), alpha, power) <= users))
		return NAN;
	for (int i = 0; i < 200 && hi - lo > 1e-17 * hi; i++)
	{
		double		mid = 0.5 * (lo + hi);
		double		n = jy_ab_sample_size(p1, mid, alpha, power);

		if (mid <= lo || mid >= hi)
			break;
		if (n > users || isnan(n))
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}
