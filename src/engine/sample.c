/*
 * sample.c — the built-in e-commerce event generator.
 *
 * Users arrive uniformly over 8 weeks from 2024-01-01 through a channel
 * (utm source / medium).  Each session walks a small Markov chain over
 * page_view, search, product_view, add_to_cart, checkout, purchase; some users
 * sign up.  Users return with a probability that falls with every session
 * (churn) and rises after a purchase; the gap to the next session is mostly
 * days, sometimes under an hour (so the session gap matters).  About 3% of
 * consecutive events share a timestamp.  Nothing here allocates.
 */
#include "sample.h"
#include "jy_util.h"

const char *const jy_sample_event_names[JY_EV_N] = {
	"page_view", "search", "product_view", "add_to_cart", "checkout", "purchase", "signup"
};
const char *const jy_sample_sources[JY_SAMPLE_N_SOURCES] = {
	"google", "google", "facebook", "newsletter", "direct", "partner", "tiktok"
};
const char *const jy_sample_mediums[JY_SAMPLE_N_SOURCES] = {
	"cpc", "organic", "social", "email", "(none)", "referral", "social"
};
const char *const jy_sample_devices[JY_SAMPLE_N_DEVICES] = {"mobile", "desktop", "tablet"};
const char *const jy_sample_countries[JY_SAMPLE_N_COUNTRIES] = {
	"US", "GB", "DE", "FR", "BR", "IN", "JP", "CA"
};
const char *const jy_sample_categories[JY_SAMPLE_N_CATEGORIES] = {
	"shoes", "shirts", "pants", "bags", "hats", "socks", "jackets", "accessories"
};

/* random numbers: splitmix64 (jy_util.h), tiny, fast, good enough for synthetic data */

/* uniform integer in [0, n) */
static inline uint64_t
rng_below(uint64_t *s, uint64_t n)
{
	return (uint64_t) (((unsigned __int128) jy_splitmix64(s) * n) >> 64);
}

/* per-mille chance */
static inline bool
rng_pm(uint64_t *s, unsigned pm)
{
	return rng_below(s, 1000) < pm;
}

/* pick from a cumulative per-mille table */
static int
rng_pick(uint64_t *s, const uint16_t *cum, int n)
{
	uint64_t	r = rng_below(s, 1000);
	int			i;

	for (i = 0; i < n - 1; i++)
		if (r < cum[i])
			return i;
	return n - 1;
}

/* roughly exponential with the given mean, in microseconds, via inversion on 1/1024 steps */
static int64_t
rng_exp(uint64_t *s, int64_t mean)
{
	/* -ln(u) for u uniform in (0,1], piecewise: sum of geometric halvings */
	uint64_t	r = jy_splitmix64(s);
	int			halvings = __builtin_clzll(r | 1);	/* P(k) = 2^-(k+1) */
	uint64_t	frac = rng_below(s, 1024);

	/* each halving adds ln 2 ~ 0.693 of the mean; the fraction smooths within a step */
	return (int64_t) ((double) mean * (0.693147 * (double) halvings + 0.693147 * (double) frac / 1024.0));
}

static const uint16_t source_cum[JY_SAMPLE_N_SOURCES] = {280, 520, 660, 760, 910, 960, 1000};
static const uint16_t device_cum[JY_SAMPLE_N_DEVICES] = {550, 930, 1000};
static const uint16_t country_cum[JY_SAMPLE_N_COUNTRIES] = {350, 500, 620, 720, 800, 900, 950, 1000};

static int32_t
pick_product(uint64_t *s)
{
	/* skewed popularity: a quarter of views go to the top 20 products */
	if (rng_pm(s, 250))
		return (int32_t) (1 + rng_below(s, 20));
	return (int32_t) (1 + rng_below(s, 500));
}

static int64_t
product_price_cents(int32_t product)
{
	return 499 + (int64_t) ((product * 7919) % 19000);
}

int
jy_sample_user(uint64_t seed, int64_t user, JySampleEvent *buf)
{
	uint64_t	s = seed * UINT64_C(0x2545F4914F6CDD1D) ^ (uint64_t) user * UINT64_C(0x9E3779B97F4A7C15);
	int			n = 0;
	int			source,
				device,
				country,
				session;
	int64_t		t;
	int64_t		end = JY_SAMPLE_EPOCH + 12 * 7 * JY_USECS_PER_DAY;
	unsigned	return_pm;
	bool		signed_up = false;

	jy_splitmix64(&s);
	source = rng_pick(&s, source_cum, JY_SAMPLE_N_SOURCES);
	device = rng_pick(&s, device_cum, JY_SAMPLE_N_DEVICES);
	country = rng_pick(&s, country_cum, JY_SAMPLE_N_COUNTRIES);
	t = JY_SAMPLE_EPOCH + (int64_t) rng_below(&s, (uint64_t) (8 * 7 * JY_USECS_PER_DAY));
	/* engaged users come back more often */
	return_pm = 350 + (unsigned) rng_below(&s, 450);

	for (session = 0; session < JY_SAMPLE_MAX_SESSIONS && t < end; session++)
	{
		int			st = JY_EV_PAGE_VIEW;
		int			k;
		int			cart_items = 0;
		int64_t		cart_cents = 0;
		int32_t		product = 0;
		int			src = source;
		bool		bought = false;

		if (session > 0)
		{
			/* returning visits come direct or by e-mail more often */
			uint64_t	r = rng_below(&s, 1000);

			if (r < 350)
				src = 4;
			else if (r < 550)
				src = 3;
		}

		for (k = 0; k < JY_SAMPLE_MAX_SESSION_EVENTS; k++)
		{
			JySampleEvent *e = &buf[n++];
			int			next;
			uint64_t	r;

			e->user_id = user;
			e->ts = t;
			e->event = (uint8_t) st;
			e->source = (uint8_t) src;
			e->device = (uint8_t) device;
			e->country = (uint8_t) country;
			e->product_id = 0;
			e->revenue_cents = -1;

			switch (st)
			{
				case JY_EV_PRODUCT_VIEW:
					product = pick_product(&s);
					e->product_id = product;
					break;
				case JY_EV_ADD_TO_CART:
					e->product_id = product;
					cart_items++;
					cart_cents += product_price_cents(product);
					break;
				case JY_EV_PURCHASE:
					e->revenue_cents = cart_cents > 0 ? cart_cents : product_price_cents(pick_product(&s));
					cart_items = 0;
					cart_cents = 0;
					bought = true;
					break;
				case JY_EV_SIGNUP:
					signed_up = true;
					break;
				default:
					break;
			}

			/* next state */
			r = rng_below(&s, 1000);
			switch (st)
			{
				case JY_EV_PAGE_VIEW:
					next = r < 480 ? JY_EV_PRODUCT_VIEW : r < 680 ? JY_EV_PAGE_VIEW :
						r < 800 ? JY_EV_SEARCH : (r < 830 && !signed_up) ? JY_EV_SIGNUP : -1;
					break;
				case JY_EV_SEARCH:
					next = r < 700 ? JY_EV_PRODUCT_VIEW : r < 800 ? JY_EV_SEARCH : -1;
					break;
				case JY_EV_PRODUCT_VIEW:
					next = r < 360 ? JY_EV_PRODUCT_VIEW : r < 560 ? JY_EV_ADD_TO_CART :
						r < 700 ? JY_EV_PAGE_VIEW : -1;
					break;
				case JY_EV_ADD_TO_CART:
					next = r < 420 ? JY_EV_CHECKOUT : r < 720 ? JY_EV_PRODUCT_VIEW : -1;
					break;
				case JY_EV_CHECKOUT:
					next = r < 640 ? JY_EV_PURCHASE : r < 720 ? JY_EV_PAGE_VIEW : -1;
					break;
				case JY_EV_PURCHASE:
					next = r < 300 ? JY_EV_PAGE_VIEW : -1;
					break;
				case JY_EV_SIGNUP:
					next = r < 800 ? JY_EV_PAGE_VIEW : -1;
					break;
				default:
					next = -1;
			}
			if (next < 0 || k + 1 == JY_SAMPLE_MAX_SESSION_EVENTS)
				break;
			st = next;
			/* time to the next event: same instant 3%, else ~40 s, ms resolution */
			if (!rng_pm(&s, 30))
				t += JY_USECS_PER_SEC + rng_exp(&s, 40 * JY_USECS_PER_SEC) / 1000 * 1000;
		}
		(void) cart_items;

		/* come back?  engagement decays by a fifth per visit, a purchase helps */
		if (!rng_pm(&s, return_pm + (bought ? 150 : 0)))
			break;
		return_pm = return_pm * 4 / 5;
		if (rng_pm(&s, 120))
			t += 5 * JY_USECS_PER_MINUTE + rng_exp(&s, 25 * JY_USECS_PER_MINUTE) / 1000 * 1000;
		else
			t += 2 * JY_USECS_PER_HOUR + rng_exp(&s, 4 * JY_USECS_PER_DAY) / 1000 * 1000;
	}
	return n;
}

void
jy_sample_init(JySample *g, int64_t users, uint64_t seed)
{
	g->seed = seed;
	g->users = users;
	g->next_user = 1;
	g->pos = 0;
	g->n = 0;
}

bool
jy_sample_next(JySample *g, JySampleEvent *out)
{
	while (g->pos >= g->n)
	{
		if (g->next_user > g->users)
			return false;
		g->n = jy_sample_user(g->seed, g->next_user++, g->buf);
		g->pos = 0;
	}
	*out = g->buf[g->pos++];
	return true;
}
