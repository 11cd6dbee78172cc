/*
 * markov_agg.c — the journey_markov_chain aggregates:
 *   journey_markov_chain(channels, converted, revenue [, order]) and
 *   journey_markov_attribution(...) (transition jy_markov_chain_trans),
 *   rollup(journey_markov_chain) and every chain aggregate's combine
 *   (jy_markov_chain_merge).
 * While an aggregate runs, the state is an expanded object (MkChain) with
 * hash tables of channels and grams; it is flattened into the canonical form
 * of src/engine/markov_chain.h (channels in byte order, grams strictly
 * increasing) only when it leaves the aggregate.
 */
#include "attribution_glue.h"

#include <math.h>

#include "utils/expandeddatum.h"
#include "utils/memutils.h"

PG_FUNCTION_INFO_V1(jy_markov_chain_trans);
PG_FUNCTION_INFO_V1(jy_markov_chain_merge);

typedef struct MkChain
{
	ExpandedObjectHeader hdr;
	int			order;
	int			nch;
	char	  **names;			/* 1-based, insertion order; capch entries */
	uint32	   *lens;
	int64		capch;
	int16	   *nhash;			/* channel number, 0 = empty; nhcap slots, a power of 2 */
	int			nhcap;
	int64		namebytes;
	int32	   *gsym;			/* ngrams * (order + 1) */
	int64	   *gcnt;
	int64		ngrams,
				gcap;
	int32	   *ghash;			/* gram index + 1, 0 = empty; ghcap slots, a power of 2 */
	int64		ghcap;
	int64		paths,
				conversions;
	double		revenue;
	int32	   *buf;			/* one path's channels and grams */
	int64		bufcap;
} MkChain;

static Size mk_get_flat_size(ExpandedObjectHeader *eohptr);
static void mk_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

static const ExpandedObjectMethods mk_methods = {mk_get_flat_size, mk_flatten_into};

/* the aggregate context; these functions take journey_markov_chain, so SQL can call them */
static MemoryContext
mk_agg_context(FunctionCallInfo fcinfo, const char *name)
{
	MemoryContext cxt;

	if (!AggCheckCallContext(fcinfo, &cxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s called in non-aggregate context", name)));
	return cxt;
}

static MkChain *
mk_new(MemoryContext parent, int order)
{
	/* small: a chain per group of a GROUP BY (per user, per day) must stay cheap */
	MemoryContext cxt = AllocSetContextCreate(parent, "journey_markov_chain", ALLOCSET_SMALL_SIZES);
	MkChain    *m = (MkChain *) MemoryContextAllocZero(cxt, sizeof(MkChain));

	EOH_init_header(&m->hdr, &mk_methods, cxt);
	m->order = order;
	m->gcap = 8;
	m->gsym = MemoryContextAlloc(cxt, sizeof(int32) * m->gcap * (order + 1));
	m->gcnt = MemoryContextAlloc(cxt, sizeof(int64) * m->gcap);
	m->ghcap = 16;
	m->ghash = MemoryContextAllocZero(cxt, sizeof(int32) * m->ghcap);
	return m;
}

/* insert channel c (its name stored) into the name hash, which has room */
static void
mk_hash_channel(MkChain *m, int c)
{
	uint32		s = jy_attr_name_hash(m->names[c], m->lens[c]) & (m->nhcap - 1);

	while (m->nhash[s] != 0)
		s = (s + 1) & (m->nhcap - 1);
	m->nhash[s] = (int16) c;
}

/* the number of channel p[0..n), added when new */
static int
mk_channel(MkChain *m, const char *p, size_t n)
{
	int			c;
	MemoryContext cxt = m->hdr.eoh_context;

	if (m->nhcap > 0)
	{
		uint32		s = jy_attr_name_hash(p, n) & (m->nhcap - 1);

		while ((c = m->nhash[s]) != 0)
		{
			if (m->lens[c] == n && memcmp(m->names[c], p, n) == 0)
				return c;
			s = (s + 1) & (m->nhcap - 1);
		}
	}
	if (m->nch >= JY_MK_MAX_CHANNELS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct channels for the Markov model"),
				 errdetail("At most %d channels are supported (one exact solve per channel).",
						   JY_MK_MAX_CHANNELS),
				 errhint("Group rare channels into one, e.g. with a CASE expression.")));
	c = ++m->nch;
	if (c >= m->capch)
	{
		int64		cap = jy_grow_cap(m->capch, c + 1, JY_MK_MAX_CHANNELS + 1, "channels", "per chain");

		m->names = m->names ? repalloc(m->names, sizeof(char *) * cap) : MemoryContextAlloc(cxt, sizeof(char *) * cap);
		m->lens = m->lens ? repalloc(m->lens, sizeof(uint32) * cap) : MemoryContextAlloc(cxt, sizeof(uint32) * cap);
		m->capch = cap;
	}
	m->names[c] = MemoryContextAlloc(cxt, n + 1);
	memcpy(m->names[c], p, n);
	m->lens[c] = (uint32) n;
	m->namebytes += (int64) n;
	if (2 * c >= m->nhcap)
	{
		/* grow and rehash: at most half full */
		int			k;

		if (m->nhash)
			pfree(m->nhash);
		m->nhcap = m->nhcap ? m->nhcap * 2 : 8;
		m->nhash = MemoryContextAllocZero(cxt, sizeof(int16) * m->nhcap);
		for (k = 1; k <= c; k++)
			mk_hash_channel(m, k);
	}
	else
		mk_hash_channel(m, c);
	return c;
}

static uint32
gram_hash(const int32 *g, int w)
{
	uint32		h = 2166136261u;
	int			j;

	for (j = 0; j < w; j++)
		h = (h ^ (uint32) g[j]) * 16777619u;
	return h ^ (h >> 15);
}

/* the free slot of gram g in the gram hash, which has room */
static int64
mk_hash_gram(MkChain *m, const int32 *g)
{
	int64		s = gram_hash(g, m->order + 1) & (m->ghcap - 1);

	while (m->ghash[s] != 0)
		s = (s + 1) & (m->ghcap - 1);
	return s;
}

static void
mk_add_gram(MkChain *m, const int32 *g, int64 count)
{
	int			w = m->order + 1;
	int64		s = gram_hash(g, w) & (m->ghcap - 1),
				i;

	while (m->ghash[s] != 0)
	{
		i = m->ghash[s] - 1;
		if (memcmp(m->gsym + i * w, g, sizeof(int32) * w) == 0)
		{
			m->gcnt[i] = jy_add_checked(m->gcnt[i], count, "Markov transition count out of range");
			return;
		}
		s = (s + 1) & (m->ghcap - 1);
	}
	if (m->ngrams >= m->gcap)
	{
		int64		cap;

		/* the flat form must stay under 1 GB: (8 + 4 (order + 1)) bytes per transition */
		if (m->ngrams >= jy_mkc_max_grams(m->order))
			jy_mk_too_big();
		cap = jy_grow_cap(m->gcap, m->ngrams + 1, jy_mkc_max_grams(m->order),
						  "Markov transitions", "per chain");
		m->gsym = repalloc_huge(m->gsym, sizeof(int32) * cap * w);
		m->gcnt = repalloc_huge(m->gcnt, sizeof(int64) * cap);
		m->gcap = cap;
	}
	i = m->ngrams++;
	memcpy(m->gsym + i * w, g, sizeof(int32) * w);
	m->gcnt[i] = count;
	m->ghash[s] = (int32) (i + 1);
	if (m->ngrams * 2 > m->ghcap)
	{
		int64		k;

		pfree(m->ghash);
		m->ghcap *= 2;
		m->ghash = MemoryContextAllocExtended(m->hdr.eoh_context, sizeof(int32) * m->ghcap,
											  MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		for (k = 0; k < m->ngrams; k++)
			m->ghash[mk_hash_gram(m, m->gsym + k * w)] = (int32) (k + 1);
	}
}

static void
mk_add_totals(MkChain *m, int64 paths, int64 conversions, double revenue)
{
	m->paths = jy_add_checked(m->paths, paths, "Markov path count out of range");
	m->conversions = jy_add_checked(m->conversions, conversions, "Markov path count out of range");
	m->revenue += revenue;
	if (isinf(m->revenue))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("Markov revenue total out of range")));
}

/* add the flat chain f into m (channels mapped by name) */
static void
mk_add_flat(MkChain *m, const JyMkFlat *f)
{
	int			w = f->order + 1,
				c,
				j;
	int32	   *map = palloc(sizeof(int32) * (f->nchannels + 1)),
			   *g = palloc(sizeof(int32) * w);
	const char *p = JY_MKC_NAMES(f);
	const int32 *sym = JY_MKC_SYM(f);
	const int64 *cnt = JY_MKC_CNT(f);
	int64		i;

	if (f->order != m->order)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cannot merge Markov chains of order %d and %d", m->order, f->order)));
	map[0] = 0;
	for (c = 1; c <= f->nchannels; c++)
	{
		uint32		len;
		const char *name = jy_mkc_next_name(&p, &len);

		map[c] = mk_channel(m, name, len);
	}
	for (i = 0; i < f->ngrams; i++)
	{
		for (j = 0; j < w; j++)
		{
			int32		s = sym[i * w + j];

			g[j] = s > 0 ? map[s] : s;
		}
		mk_add_gram(m, g, cnt[i]);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	mk_add_totals(m, f->paths, f->conversions, f->revenue);
	pfree(map);
	pfree(g);
}

static Size
mk_get_flat_size(ExpandedObjectHeader *eohptr)
{
	MkChain    *m = (MkChain *) eohptr;
	Size		sz = jy_mkc_size(m->order, m->ngrams, m->namebytes, m->nch);

	if (sz > JY_MKC_MAX_BYTES)
		jy_mk_too_big();
	return sz;
}

typedef struct MkSortCtx
{
	const MkChain *m;
	const int32 *rank;
} MkSortCtx;

static int
mk_name_cmp(const void *a, const void *b, void *arg)
{
	const MkChain *m = ((const MkSortCtx *) arg)->m;
	int			x = *(const int32 *) a,
				y = *(const int32 *) b;
	uint32		n = Min(m->lens[x], m->lens[y]);
	int			r = n ? memcmp(m->names[x], m->names[y], n) : 0;

	if (r != 0)
		return r;
	return m->lens[x] < m->lens[y] ? -1 : m->lens[x] > m->lens[y] ? 1 : 0;
}

static int
mk_gram_idx_cmp(const void *a, const void *b, void *arg)
{
	const MkSortCtx *sc = (const MkSortCtx *) arg;
	int			w = sc->m->order + 1,
				j;
	const int32 *x = sc->m->gsym + *(const int64 *) a * w,
			   *y = sc->m->gsym + *(const int64 *) b * w;

	for (j = 0; j < w; j++)
	{
		int32		u = x[j] > 0 ? sc->rank[x[j]] : x[j],
					v = y[j] > 0 ? sc->rank[y[j]] : y[j];

		if (u != v)
			return u < v ? -1 : 1;
	}
	return 0;
}

/* the canonical flat form: channels renumbered in byte order, grams sorted */
static void
mk_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	MkChain    *m = (MkChain *) eohptr;
	JyMkFlat   *f = (JyMkFlat *) result;
	int			w = m->order + 1,
				c,
				j;
	int32	   *order = palloc(sizeof(int32) * (m->nch + 1)),
			   *rank = palloc(sizeof(int32) * (m->nch + 1));
	int64	   *gi = palloc_extended(sizeof(int64) * Max(m->ngrams, 1), MCXT_ALLOC_HUGE),
				i;
	MkSortCtx	sc;
	char	   *p;
	int32	   *sym;
	int64	   *cnt;

	Assert(allocated_size == jy_mkc_size(m->order, m->ngrams, m->namebytes, m->nch));
	memset(f, 0, sizeof(JyMkFlat));
	SET_VARSIZE(f, allocated_size);
	f->version = JY_MKC_VERSION;
	f->order = (uint8) m->order;
	f->nchannels = m->nch;
	f->ngrams = m->ngrams;
	f->paths = m->paths;
	f->conversions = m->conversions;
	f->revenue = m->revenue;
	sc.m = m;
	sc.rank = rank;
	for (c = 0; c < m->nch; c++)
		order[c] = c + 1;
	jy_sort(order, m->nch, sizeof(int32), mk_name_cmp, &sc);
	rank[0] = 0;
	for (c = 0; c < m->nch; c++)
		rank[order[c]] = c + 1;
	for (i = 0; i < m->ngrams; i++)
		gi[i] = i;
	jy_sort(gi, m->ngrams, sizeof(int64), mk_gram_idx_cmp, &sc);
	cnt = JY_MKC_CNT(f);
	sym = JY_MKC_SYM(f);
	for (i = 0; i < m->ngrams; i++)
	{
		const int32 *g = m->gsym + gi[i] * w;

		cnt[i] = m->gcnt[gi[i]];
		for (j = 0; j < w; j++)
			sym[i * w + j] = g[j] > 0 ? rank[g[j]] : g[j];
	}
	p = JY_MKC_NAMES(f);
	for (c = 0; c < m->nch; c++)
	{
		uint32		len = m->lens[order[c]];

		memcpy(p, &len, sizeof(uint32));
		memcpy(p + sizeof(uint32), m->names[order[c]], len);
		p += sizeof(uint32) + len;
	}
	pfree(order);
	pfree(rank);
	pfree(gi);
}

/* the chain of argument d as an expanded object we may modify, in context parent */
static MkChain *
mk_expand(Datum d, MemoryContext parent)
{
	JyMkFlat   *f;
	MkChain    *m;

	if (VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)) &&
		DatumGetEOHP(d)->eoh_methods == &mk_methods)
		return (MkChain *) DatumGetEOHP(d);
	f = DatumGetMkFlatP(d);
	m = mk_new(parent, f->order);
	mk_add_flat(m, f);
	return m;
}

static int
order_arg(FunctionCallInfo fcinfo, int argno)
{
	int32		order;

	if (PG_NARGS() <= argno)
		return 1;
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("order must not be NULL")));
	order = PG_GETARG_INT32(argno);
	if (order < 1 || order > JY_MK_MAX_ORDER)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("order must be between 1 and %d", JY_MK_MAX_ORDER),
				 errdetail("An order-k chain has one state per sequence of k channels; its cost grows with the number of states.")));
	return order;
}

/* transition: one path (channels, converted, revenue [, order]) */
Datum
jy_markov_chain_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = mk_agg_context(fcinfo, "journey_markov_chain");
	int			order = order_arg(fcinfo, 4);
	MkChain    *m;
	Datum	   *d;
	int			n,
				i;
	double		revenue = 0;
	bool		converted;
	int32	   *g;

	m = PG_ARGISNULL(0) ? mk_new(cxt, order) : mk_expand(PG_GETARG_DATUM(0), cxt);
	if (m->order != order)
		jy_arg_differs("order", "group", NULL);
	/* a row without a path or an outcome is no path */
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_DATUM(EOHPGetRWDatum(&m->hdr));
	converted = PG_GETARG_BOOL(2);
	if (converted && !PG_ARGISNULL(3))
	{
		revenue = PG_GETARG_FLOAT8(3);
		if (isnan(revenue) || isinf(revenue))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("revenue must be a finite number")));
	}
	d = jy_attr_array_elems(PG_GETARG_ARRAYTYPE_P(1), "channels", &n);
	if (n == 0 && !converted)
		PG_RETURN_DATUM(EOHPGetRWDatum(&m->hdr));
	/* room for the path's channels, then its n + 1 grams */
	m->buf = jy_grow(m->hdr.eoh_context, m->buf, &m->bufcap, (int64) (Max(n, 1) + 1) * (order + 2),
					 sizeof(int32), PG_INT64_MAX, "channels in one path", "channels per path");
	if (n == 0)
	{
		/* a conversion without touchpoints: the direct/none channel */
		m->buf[0] = mk_channel(m, JY_DIRECT_NONE, strlen(JY_DIRECT_NONE));
		n = 1;
	}
	else
		for (i = 0; i < n; i++)
		{
			text	   *t = DatumGetTextPP(d[i]);

			jy_attr_check_channel_len(VARSIZE_ANY_EXHDR(t));
			m->buf[i] = mk_channel(m, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
			if ((i & 0xffff) == 0xffff)
				CHECK_FOR_INTERRUPTS();
		}
	g = m->buf + n;
	jy_mk_path_grams(order, m->buf, (size_t) n, converted, g);
	for (i = 0; i <= n; i++)
	{
		mk_add_gram(m, g + (size_t) i * (order + 1), 1);
		if ((i & 0xffff) == 0xffff)
			CHECK_FOR_INTERRUPTS();
	}
	mk_add_totals(m, 1, converted ? 1 : 0, converted ? revenue : 0);
	PG_RETURN_DATUM(EOHPGetRWDatum(&m->hdr));
}

/* merge (rollup transition and combine function of every chain aggregate) */
Datum
jy_markov_chain_merge(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = mk_agg_context(fcinfo, "journey_markov_chain_merge");
	struct varlena *a,
			   *b;
	JyMkFlat   *f;
	MkChain    *m;

	JY_COMBINE_ARGS(struct varlena, a, b);
	f = DatumGetMkFlatP(PointerGetDatum(b));
	m = a == NULL ? mk_new(cxt, f->order) : mk_expand(PointerGetDatum(a), cxt);
	mk_add_flat(m, f);
	PG_RETURN_DATUM(EOHPGetRWDatum(&m->hdr));
}
