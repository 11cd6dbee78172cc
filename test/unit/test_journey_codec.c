/* Unit tests of the journey codec (src/engine/journey_codec.c). */
#include "unit.h"
#include "journey_codec.h"

#define MAXN 4096
#define SEC JY_USECS_PER_SEC

typedef struct Buf
{
	JyJView		v;
	int64_t		ts[MAXN];
	uint32_t	ev[MAXN];
	const char *name[MAXN];
	uint32_t	name_len[MAXN];
} Buf;

static Buf A, B, C, D, E;
static uint8_t enc[1 << 18], enc2[1 << 18];
static char txt[1 << 20], namebuf[1 << 20];
static uint64_t scratch[(1 << 20) / 8];
static uint32_t mscratch[2 * MAXN];
static char names_store[MAXN][16];

static void
buf_init(Buf *b)
{
	b->v.n = 0;
	b->v.ndict = 0;
	b->v.ts = b->ts;
	b->v.ev = b->ev;
	b->v.name = b->name;
	b->v.name_len = b->name_len;
}

/* add an event with its own (possibly duplicate) dictionary entry */
static void
add(Buf *b, int64_t ts, const char *nm)
{
	b->ts[b->v.n] = ts;
	b->ev[b->v.n] = b->v.ndict;
	b->name[b->v.ndict] = nm;
	b->name_len[b->v.ndict] = (uint32_t) strlen(nm);
	b->v.n++;
	b->v.ndict++;
}

static uint64_t rng = 12345;
static uint64_t
rnd(void)
{
	uint64_t	z = (rng += UINT64_C(0x9E3779B97F4A7C15));

	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static int
views_equal(const JyJView *a, const JyJView *b)
{
	uint32_t	i;

	if (a->n != b->n || a->ndict != b->ndict)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->ts[i] != b->ts[i] || a->ev[i] != b->ev[i])
			return 0;
	for (i = 0; i < a->ndict; i++)
		if (jy_jc_name_cmp(a->name[i], a->name_len[i], b->name[i], b->name_len[i]) != 0)
			return 0;
	return 1;
}

/* encode a canonical view into enc, return the size */
static size_t
encode(const JyJView *v)
{
	size_t		sz = jy_jc_encoded_size(v);
	size_t		w = jy_jc_encode(v, enc);

	return sz == w ? sz : 0;
}

static JyJcStatus
decode_into(Buf *b, const uint8_t *bytes, size_t len, JyJcError *e)
{
	buf_init(b);
	return jy_jc_decode(bytes, len, &b->v, e);
}

static void
random_journey(Buf *b, uint32_t n, uint32_t nnames, int64_t step_unit)
{
	uint32_t	i;
	int64_t		t = INT64_C(757382400000000) + (int64_t) (rnd() % 1000000);

	buf_init(b);
	for (i = 0; i < n; i++)
	{
		if (rnd() % 10)
			t += (int64_t) (rnd() % 100000) * step_unit;
		add(b, t, names_store[rnd() % nnames]);
	}
	/* shuffle events (order must not matter) */
	for (i = n; i > 1; i--)
	{
		uint32_t	j = (uint32_t) (rnd() % i);
		int64_t		tt = b->ts[i - 1];
		uint32_t	ee = b->ev[i - 1];

		b->ts[i - 1] = b->ts[j];
		b->ev[i - 1] = b->ev[j];
		b->ts[j] = tt;
		b->ev[j] = ee;
	}
}

static void
test_well_known_sorted(void)
{
	uint32_t	i;

	for (i = 1; i < jy_jc_n_well_known; i++)
		CHECK(jy_jc_name_cmp(jy_jc_well_known[i - 1], (uint32_t) strlen(jy_jc_well_known[i - 1]),
							 jy_jc_well_known[i], (uint32_t) strlen(jy_jc_well_known[i])) < 0);
	CHECK_EQ_I64(jy_jc_n_well_known, 67);
}

static void
test_empty_and_single(void)
{
	JyJcError	e;
	size_t		sz;

	buf_init(&A);
	CHECK(jy_jc_canonicalize(&A.v, scratch, &e) == JY_JC_OK);
	sz = encode(&A.v);
	CHECK_EQ_I64(sz, 4);
	CHECK(enc[0] == 1 && enc[1] == 0 && enc[2] == 0 && enc[3] == 0);
	CHECK(decode_into(&B, enc, sz, &e) == JY_JC_OK);
	CHECK_EQ_I64(B.v.n, 0);
	jy_jc_print_text(&B.v, txt);
	CHECK(strcmp(txt, "[]") == 0);

	buf_init(&A);
	add(&A, 0, "page_view");
	CHECK(jy_jc_canonicalize(&A.v, scratch, &e) == JY_JC_OK);
	sz = encode(&A.v);
	/* version, unit 6, n 1, ndict 1, first time 0, well-known #35, event code 0 */
	CHECK_EQ_I64(sz, 7);
	CHECK(enc[1] == 6 && enc[5] == (35 << 1 | 1) && enc[6] == 0);
	CHECK(decode_into(&B, enc, sz, &e) == JY_JC_OK);
	CHECK(views_equal(&A.v, &B.v));
	jy_jc_print_text(&B.v, txt);
	CHECK(strcmp(txt, "[2000-01-01 00:00:00+00 page_view]") == 0);
}

static void
test_canonical_order_and_dedup(void)
{
	JyJcError	e;

	buf_init(&A);
	add(&A, 10 * SEC, "zeta");
	add(&A, 5 * SEC, "beta");
	add(&A, 10 * SEC, "alpha");
	add(&A, 5 * SEC, "beta");
	add(&A, 10 * SEC, "zeta");
	CHECK(jy_jc_canonicalize(&A.v, scratch, &e) == JY_JC_OK);
	CHECK_EQ_I64(A.v.n, 5);
	CHECK_EQ_I64(A.v.ndict, 3);
	CHECK(memcmp(A.v.name[0], "alpha", 5) == 0);
	CHECK(memcmp(A.v.name[2], "zeta", 4) == 0);
	/* (5 beta) (5 beta) (10 alpha) (10 zeta) (10 zeta) */
	CHECK(A.ts[0] == 5 * SEC && A.ev[0] == 1 && A.ev[1] == 1);
	CHECK(A.ts[2] == 10 * SEC && A.ev[2] == 0 && A.ev[3] == 2 && A.ev[4] == 2);
	jy_jc_print_text(&A.v, txt);
	CHECK(strcmp(txt, "[2000-01-01 00:00:05+00 beta, +0s beta, +5s alpha, +0s zeta, +0s zeta]") == 0);
	CHECK_EQ_I64(jy_jc_text_size(&A.v), strlen(txt));
	CHECK_EQ_I64(jy_jc_find_name(&A.v, "beta", 4), 1);
	CHECK_EQ_I64(jy_jc_find_name(&A.v, "gamma", 5), -1);
}

static void
test_random_roundtrips(void)
{
	int			round;
	JyJcError	e;

	for (round = 0; round < 300; round++)
	{
		uint32_t	n = (uint32_t) (rnd() % 300) + 1;
		uint32_t	nn = (uint32_t) (rnd() % 40) + 1;
		int64_t		unit = round % 3 == 0 ? 1 : round % 3 == 1 ? 1000 : 1000000;
		size_t		sz,
					tl;

		random_journey(&A, n, nn, unit);
		CHECK(jy_jc_canonicalize(&A.v, scratch, &e) == JY_JC_OK);
		sz = encode(&A.v);
		CHECK(sz > 0);
		CHECK(decode_into(&B, enc, sz, &e) == JY_JC_OK);
		CHECK(views_equal(&A.v, &B.v));
		/* text round trip is exact and gives the same bytes */
		tl = jy_jc_print_text(&B.v, txt);
		CHECK_EQ_I64(tl, jy_jc_text_size(&B.v));
		buf_init(&C);
		if (jy_jc_parse_text(txt, tl, &C.v, MAXN, namebuf, scratch, &e) != JY_JC_OK)
		{
			printf("    %s\n    %.200s\n", e.msg, txt);
			CHECK(0);
		}
		CHECK(views_equal(&B.v, &C.v));
		CHECK_EQ_I64(jy_jc_encoded_size(&C.v), sz);
		jy_jc_encode(&C.v, enc2);
		CHECK(memcmp(enc, enc2, sz) == 0);
		/* every truncation fails cleanly */
		{
			size_t		cut;

			for (cut = 0; cut < sz; cut++)
				CHECK(decode_into(&D, enc, cut, &e) != JY_JC_OK);
		}
	}
}

/* occurrences of event i of v (same time and name) in w */
static uint32_t
count_pair(const JyJView *w, int64_t ts, const char *nm, uint32_t len)
{
	uint32_t	i,
				c = 0;

	for (i = 0; i < w->n; i++)
		if (w->ts[i] == ts && w->name_len[w->ev[i]] == len && memcmp(w->name[w->ev[i]], nm, len) == 0)
			c++;
	return c;
}

/* union: max multiplicity of every (time, name); idempotent, commutative, associative */
static void
test_union_idempotent(void)
{
	int			round;
	JyJcError	e;

	for (round = 0; round < 200; round++)
	{
		static Buf U, U2, UU, BA, UC, BC, ABC;
		uint32_t	i,
					x;

		random_journey(&A, (uint32_t) (rnd() % 60), 2 + round % 5, 1);
		random_journey(&B, (uint32_t) (rnd() % 60), 2 + round % 7, 1);
		random_journey(&C, (uint32_t) (rnd() % 30), 3, 1);
		CHECK(jy_jc_canonicalize(&A.v, scratch, &e) == JY_JC_OK);
		CHECK(jy_jc_canonicalize(&B.v, scratch, &e) == JY_JC_OK);
		CHECK(jy_jc_canonicalize(&C.v, scratch, &e) == JY_JC_OK);
		buf_init(&U);
		buf_init(&U2);
		buf_init(&UU);
		buf_init(&BA);
		buf_init(&UC);
		buf_init(&BC);
		buf_init(&ABC);
		CHECK(jy_jc_union(&A.v, &A.v, &U.v, mscratch, &e, NULL, NULL) == JY_JC_OK);
		CHECK(views_equal(&U.v, &A.v));
		CHECK(jy_jc_union(&A.v, &B.v, &U.v, mscratch, &e, NULL, NULL) == JY_JC_OK);
		CHECK(jy_jc_union(&B.v, &A.v, &BA.v, mscratch, &e, NULL, NULL) == JY_JC_OK);
		CHECK(views_equal(&U.v, &BA.v));
		/* a retried load changes nothing */
		CHECK(jy_jc_union(&U.v, &B.v, &UU.v, mscratch, &e, NULL, NULL) == JY_JC_OK);
		CHECK(views_equal(&U.v, &UU.v));
		CHECK(jy_jc_union(&U.v, &A.v, &U2.v, mscratch, &e, NULL, NULL) == JY_JC_OK);
		CHECK(views_equal(&U.v, &U2.v));
		/* associative */
		CHECK(jy_jc_union(&U.v, &C.v, &UC.v, mscratch, &e, NULL, NULL) == JY_JC_OK);
		CHECK(jy_jc_union(&B.v, &C.v, &BC.v, mscratch, &e, NULL, NULL) == JY_JC_OK);
		CHECK(jy_jc_union(&A.v, &BC.v, &ABC.v, mscratch, &e, NULL, NULL) == JY_JC_OK);
		CHECK(views_equal(&UC.v, &ABC.v));
		/* multiplicities against a reference count */
		for (i = 0; i < U.v.n; i++)
		{
			const char *nm = U.v.name[U.v.ev[i]];
			uint32_t	len = U.v.name_len[U.v.ev[i]],
						ca = count_pair(&A.v, U.v.ts[i], nm, len),
						cb = count_pair(&B.v, U.v.ts[i], nm, len);

			CHECK(count_pair(&U.v, U.v.ts[i], nm, len) == (ca > cb ? ca : cb));
		}
		for (i = 0, x = 0; i < A.v.n; i++)
			x += count_pair(&U.v, A.v.ts[i], A.v.name[A.v.ev[i]], A.v.name_len[A.v.ev[i]]) >= 1;
		CHECK(x == A.v.n);
		/* canonical */
		{
			size_t		sz = encode(&U.v);

			CHECK(decode_into(&D, enc, sz, &e) == JY_JC_OK);
			CHECK(views_equal(&U.v, &D.v));
		}
	}
}

static void
test_merge_associative(void)
{
	int			round;
	JyJcError	e;

	for (round = 0; round < 200; round++)
	{
		static Buf AB, ABC, BC, ABC2, BA;

		random_journey(&A, (uint32_t) (rnd() % 50), 5 + round % 20, 1000);
		random_journey(&B, (uint32_t) (rnd() % 50), 3 + round % 30, 1000);
		random_journey(&C, (uint32_t) (rnd() % 50), 10, 1);
		CHECK(jy_jc_canonicalize(&A.v, scratch, &e) == JY_JC_OK);
		CHECK(jy_jc_canonicalize(&B.v, scratch, &e) == JY_JC_OK);
		CHECK(jy_jc_canonicalize(&C.v, scratch, &e) == JY_JC_OK);
		buf_init(&AB);
		buf_init(&ABC);
		buf_init(&BC);
		buf_init(&ABC2);
		buf_init(&BA);
		CHECK(jy_jc_merge(&A.v, &B.v, &AB.v, mscratch, &e) == JY_JC_OK);
		CHECK(jy_jc_merge(&AB.v, &C.v, &ABC.v, mscratch, &e) == JY_JC_OK);
		CHECK(jy_jc_merge(&B.v, &C.v, &BC.v, mscratch, &e) == JY_JC_OK);
		CHECK(jy_jc_merge(&A.v, &BC.v, &ABC2.v, mscratch, &e) == JY_JC_OK);
		CHECK(jy_jc_merge(&B.v, &A.v, &BA.v, mscratch, &e) == JY_JC_OK);
		CHECK(views_equal(&ABC.v, &ABC2.v));
		CHECK(views_equal(&AB.v, &BA.v));
		/* the merge is canonical: decoding its encoding gives it back */
		{
			size_t		sz = encode(&ABC.v);

			CHECK(decode_into(&D, enc, sz, &e) == JY_JC_OK);
			CHECK(views_equal(&ABC.v, &D.v));
		}
		/* and equals canonicalizing the concatenation */
		{
			uint32_t	i;

			buf_init(&E);
			for (i = 0; i < A.v.n; i++)
				add(&E, A.ts[i], A.name[A.ev[i]]);
			for (i = 0; i < B.v.n; i++)
				add(&E, B.ts[i], B.name[B.ev[i]]);
			for (i = 0; i < E.v.n; i++)
				E.name_len[i] = (uint32_t) strlen(E.name[i]);
			CHECK(jy_jc_canonicalize(&E.v, scratch, &e) == JY_JC_OK);
			CHECK(views_equal(&E.v, &AB.v));
		}
	}
}

static void
test_escape_for_huge_steps(void)
{
	JyJcError	e;
	uint32_t	i;
	size_t		sz;

	/* many names make K large, so a step across 9998 years needs the long form */
	buf_init(&A);
	for (i = 0; i < 200; i++)
		add(&A, JY_JC_MIN_TS + (int64_t) i, names_store[i]);
	add(&A, JY_JC_MAX_TS, names_store[7]);
	CHECK(jy_jc_canonicalize(&A.v, scratch, &e) == JY_JC_OK);
	sz = encode(&A.v);
	CHECK(decode_into(&B, enc, sz, &e) == JY_JC_OK);
	CHECK(views_equal(&A.v, &B.v));
	CHECK(B.ts[200] == JY_JC_MAX_TS && B.ts[0] == JY_JC_MIN_TS);
	jy_jc_print_text(&B.v, txt);
	CHECK(strncmp(txt, "[0001-01-01 00:00:00+00 ", 24) == 0);
	buf_init(&C);
	CHECK(jy_jc_parse_text(txt, strlen(txt), &C.v, MAXN, namebuf, scratch, &e) == JY_JC_OK);
	CHECK(views_equal(&B.v, &C.v));
	/* out of range times are refused */
	buf_init(&A);
	add(&A, JY_JC_MAX_TS + 1, "x");
	CHECK(jy_jc_canonicalize(&A.v, scratch, &e) == JY_JC_ERANGE);
}

/* a small valid value to corrupt: [2000-01-01 00:00:01+00 b, +1s a, +0s zz] */
static size_t
sample_value(void)
{
	JyJcError	e;

	buf_init(&A);
	add(&A, 1 * SEC, "bb");
	add(&A, 2 * SEC, "aa");
	add(&A, 2 * SEC, "zz");
	if (jy_jc_canonicalize(&A.v, scratch, &e) != JY_JC_OK)
		return 0;
	return encode(&A.v);
}

static JyJcStatus
dec(const uint8_t *b, size_t len, JyJcError *e)
{
	return decode_into(&B, b, len, e);
}

static void
test_decoder_rejects(void)
{
	JyJcError	e;
	size_t		sz = sample_value();
	uint8_t		m[64];

	/*
	 * layout: 01 06 03 03 | first time 2e6 zigzag (4e6: 3 bytes) | 04 'aa' 04
	 * 'bb' 04 'zz' | events
	 */
	CHECK(sz > 10);
	CHECK(dec(enc, sz, &e) == JY_JC_OK);
	CHECK(enc[1] == 6);

	memcpy(m, enc, sz);
	m[0] = 2;
	CHECK(dec(m, sz, &e) == JY_JC_EMALFORMED && e.pos == 0 && strstr(e.msg, "version"));
	memcpy(m, enc, sz);
	m[1] |= 0x10;
	CHECK(dec(m, sz, &e) == JY_JC_EMALFORMED && e.pos == 1 && strstr(e.msg, "Reserved"));
	memcpy(m, enc, sz);
	m[1] = 7;
	CHECK(dec(m, sz, &e) == JY_JC_EMALFORMED && e.pos == 1);
	{
		/* steps of 10 x 100 ms: unit 5 is not the largest (unit 6, step 1 is) */
		uint8_t		nc[] = {1, 5, 2, 1, 0, 2, 'x', 0, 10};

		CHECK(dec(nc, sizeof(nc), &e) == JY_JC_EMALFORMED && strstr(e.msg, "non-canonical"));
		nc[8] = 11;
		CHECK(dec(nc, sizeof(nc), &e) == JY_JC_OK && B.ts[1] == 1100000);
		nc[1] = 6;
		nc[8] = 1;
		CHECK(dec(nc, sizeof(nc), &e) == JY_JC_OK && B.ts[1] == 1000000);
	}
	{
		/* two well-known names (35 page_view, 38 purchase): in order, swapped, repeated */
		uint8_t		wk[] = {1, 6, 2, 2, 0, 71, 77, 0, 3};

		CHECK(dec(wk, sizeof(wk), &e) == JY_JC_OK && B.v.ndict == 2 && B.v.name_len[1] == 8);
		wk[5] = 77;
		wk[6] = 71;
		CHECK(dec(wk, sizeof(wk), &e) == JY_JC_EMALFORMED && e.pos == 6 && strstr(e.msg, "not after the previous name"));
		wk[5] = 71;
		CHECK(dec(wk, sizeof(wk), &e) == JY_JC_EMALFORMED && e.pos == 6 && strstr(e.msg, "not after the previous name"));
	}
	/* declared counts larger than the bytes */
	memcpy(m, enc, sz);
	m[2] = 0x7f;
	CHECK(dec(m, sz, &e) == JY_JC_EMALFORMED && e.pos == 4);
	memcpy(m, enc, sz);
	m[3] = 4;					/* more names than events */
	CHECK(dec(m, sz, &e) == JY_JC_EMALFORMED);
	/* over the limits */
	{
		uint8_t		big[] = {1, 0, 0x81, 0x80, 0x80, 0x08, 1};	/* n = 2^24 + 1 */

		CHECK(dec(big, sizeof(big), &e) == JY_JC_ELIMIT);
	}
	/* over-long varint: 0x83 0x00 encodes 3 in two bytes */
	{
		uint8_t		ol[] = {1, 0, 0x83, 0x00, 1};

		CHECK(dec(ol, sizeof(ol), &e) == JY_JC_EMALFORMED && strstr(e.msg, "Bad varint") && e.pos == 2);
	}
	/* 11-byte varint */
	{
		uint8_t		lv[] = {1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01};

		CHECK(dec(lv, sizeof(lv), &e) == JY_JC_EMALFORMED);
	}
	/* trailing byte */
	memcpy(m, enc, sz);
	m[sz] = 0;
	CHECK(dec(m, sz + 1, &e) == JY_JC_EMALFORMED && strstr(e.msg, "Unexpected bytes"));
	/* names out of order: swap "aa" and "bb" */
	{
		size_t		d = 4;

		while (!(enc[d] == 4 && enc[d + 1] == 'a'))
			d++;
		memcpy(m, enc, sz);
		m[d + 1] = m[d + 2] = 'c';
		CHECK(dec(m, sz, &e) == JY_JC_EMALFORMED && strstr(e.msg, "name order") && e.pos == d + 3);
		/* a well-known name written out: 'aa' -> ... needs the same length; use "$set"-free check below */
		/* a zero byte in a name */
		memcpy(m, enc, sz);
		m[d + 1] = 0;
		CHECK(dec(m, sz, &e) == JY_JC_EMALFORMED && strstr(e.msg, "zero byte"));
		/* events: codes of (0,bb=1) (1s,aa=0) (0,zz=2) -> 1, 3, 2; swap ties to (zz, aa) */
		CHECK(enc[sz - 3] == 1 && enc[sz - 2] == 3 && enc[sz - 1] == 2);
		memcpy(m, enc, sz);
		m[sz - 2] = 5;			/* 1s zz */
		m[sz - 1] = 0;			/* +0 aa: before zz in name order */
		CHECK(dec(m, sz, &e) == JY_JC_EMALFORMED && strstr(e.msg, "same time") && e.pos == sz - 1);
		/* first event with a step */
		memcpy(m, enc, sz);
		m[sz - 3] = 4;
		CHECK(dec(m, sz, &e) == JY_JC_EMALFORMED && strstr(e.msg, "first event"));
		/* unused name: all events use aa */
		memcpy(m, enc, sz);
		m[sz - 3] = 0;
		m[sz - 1] = 0;
		CHECK(dec(m, sz, &e) == JY_JC_EMALFORMED && strstr(e.msg, "not used"));
	}
	/* a well-known name written out in full */
	{
		uint8_t		wk[] = {1, 6, 1, 1, 0, 8, 'v', 'i', 'e', 'w', 0};

		CHECK(dec(wk, sizeof(wk), &e) == JY_JC_EMALFORMED && strstr(e.msg, "well-known"));
		wk[6] = 'x';
		CHECK(dec(wk, sizeof(wk), &e) == JY_JC_OK);
	}
	/* unknown well-known number */
	{
		uint8_t		wk[] = {1, 6, 1, 1, 0, 0x81, 0x01, 0};	/* number 64: valid */

		CHECK(dec(wk, sizeof(wk), &e) == JY_JC_OK);
		wk[5] = 0x87;			/* number 67: past the table */
		CHECK(dec(wk, sizeof(wk), &e) == JY_JC_EMALFORMED && strstr(e.msg, "Unknown well-known"));
	}
	/* first time out of range */
	{
		uint8_t		ft[] = {1, 6, 1, 1, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 3, 0};

		CHECK(dec(ft, sizeof(ft), &e) == JY_JC_EMALFORMED && strstr(e.msg, "years"));
	}
	/* empty journey with names or a unit */
	{
		uint8_t		ej[] = {1, 3, 0, 0};

		CHECK(dec(ej, sizeof(ej), &e) == JY_JC_EMALFORMED);
	}
}

static JyJcStatus
parse(const char *s, JyJcError *e)
{
	buf_init(&C);
	return jy_jc_parse_text(s, strlen(s), &C.v, MAXN, namebuf, scratch, e);
}

static void
test_text_parse(void)
{
	JyJcError	e;

	CHECK(parse(" [ ] ", &e) == JY_JC_OK && C.v.n == 0);
	CHECK(parse("[2024-01-01T10:00:00Z a,+1d2h3m4.5s b, 2024-01-02 12:03:04.5+00 c]", &e) == JY_JC_OK);
	CHECK_EQ_I64(C.v.n, 3);
	CHECK(C.ts[2] == C.ts[1]);
	CHECK(C.ts[1] - C.ts[0] == ((26 * 60 + 3) * 60 + 4) * SEC + SEC / 2);
	/* zone offsets */
	CHECK(parse("[2024-01-01 12:30:00+02:30 a]", &e) == JY_JC_OK);
	buf_init(&D);
	CHECK(jy_jc_parse_text("[2024-01-01 10:00:00Z a]", 24, &D.v, MAXN, namebuf + 1000, scratch, &e) == JY_JC_OK);
	CHECK(C.ts[0] == D.ts[0]);
	CHECK(parse("[2024-01-01 05:00:00-0500 a]", &e) == JY_JC_OK && C.ts[0] == D.ts[0]);
	CHECK(parse("[2024-01-01 05:00:00-05 a]", &e) == JY_JC_OK && C.ts[0] == D.ts[0]);
	/* ties in any order become name order */
	CHECK(parse("[2024-01-01 10:00:00Z b, +0s a]", &e) == JY_JC_OK);
	jy_jc_print_text(&C.v, txt);
	CHECK(strcmp(txt, "[2024-01-01 10:00:00+00 a, +0s b]") == 0);
	/* quoted names and escapes */
	CHECK(parse("[2024-01-01 10:00:00Z \"Order Completed\", +1s \"a\\\"b\\\\c\\n\\x01\", +1s\"\"]", &e) == JY_JC_OK);
	CHECK_EQ_I64(C.v.ndict, 3);
	jy_jc_print_text(&C.v, txt);
	CHECK(strcmp(txt, "[2024-01-01 10:00:00+00 \"Order Completed\", +1s \"a\\\"b\\\\c\\n\\x01\", +1s \"\"]") == 0);
	/* UTF-8 names stay bare */
	CHECK(parse("[2024-01-01 10:00:00Z k\xc3\xa4se]", &e) == JY_JC_OK);
	jy_jc_print_text(&C.v, txt);
	CHECK(strcmp(txt, "[2024-01-01 10:00:00+00 k\xc3\xa4se]") == 0);
	/* leap day, fractions */
	CHECK(parse("[2024-02-29 23:59:59.999999+00 a]", &e) == JY_JC_OK);
	jy_jc_print_time(C.ts[0], txt);
	CHECK(strcmp(txt, "2024-02-29 23:59:59.999999+00") == 0);
	jy_jc_print_time(-1, txt);
	CHECK(strcmp(txt, "1999-12-31 23:59:59.999999+00") == 0);
}

static void
test_text_errors(void)
{
	JyJcError	e;

	CHECK(parse("", &e) == JY_JC_EMALFORMED && e.pos == 0);
	CHECK(parse("[", &e) == JY_JC_EMALFORMED && e.pos == 1);
	CHECK(parse("[+1s a]", &e) == JY_JC_EMALFORMED && strstr(e.msg, "absolute"));
	CHECK(parse("[2024-01-01 10:00:00 a]", &e) == JY_JC_EMALFORMED && strstr(e.msg, "zone") && e.pos == 20);
	CHECK(parse("[2024-02-30 10:00:00Z a]", &e) == JY_JC_EMALFORMED && strstr(e.msg, "out of range") && e.pos == 1);
	CHECK(parse("[2023-02-29 10:00:00Z a]", &e) == JY_JC_EMALFORMED);
	CHECK(parse("[2024-01-01 24:00:00Z a]", &e) == JY_JC_EMALFORMED);
	CHECK(parse("[2024-01-01 10:00:00.1234567Z a]", &e) == JY_JC_EMALFORMED && strstr(e.msg, "6 fractional"));
	CHECK(parse("[2024-01-01 10:00:00Z a, 2024-01-01 09:00:00Z b]", &e) == JY_JC_EMALFORMED && strstr(e.msg, "decrease") && e.pos == 25);
	CHECK(parse("[2024-01-01 10:00:00Z a, +1s]", &e) == JY_JC_EMALFORMED);
	CHECK(parse("[2024-01-01 10:00:00Za]", &e) == JY_JC_EMALFORMED && strstr(e.msg, "white space"));
	CHECK(parse("[2024-01-01 10:00:00Z a b]", &e) == JY_JC_EMALFORMED && strstr(e.msg, "',' or ']'"));
	CHECK(parse("[2024-01-01 10:00:00Z a,]", &e) == JY_JC_EMALFORMED);
	CHECK(parse("[2024-01-01 10:00:00Z a] x", &e) == JY_JC_EMALFORMED && strstr(e.msg, "end of input"));
	CHECK(parse("[2024-01-01 10:00:00Z a, +1s2m b]", &e) == JY_JC_EMALFORMED && strstr(e.msg, "no number after"));
	CHECK(parse("[2024-01-01 10:00:00Z a, +1m2h b]", &e) == JY_JC_EMALFORMED && strstr(e.msg, "smaller"));
	CHECK(parse("[2024-01-01 10:00:00Z a, +1.5m b]", &e) == JY_JC_EMALFORMED);
	CHECK(parse("[2024-01-01 10:00:00Z a, +99999999999999999999s b]", &e) == JY_JC_EMALFORMED && strstr(e.msg, "out of range"));
	CHECK(parse("[9999-12-31 23:59:59Z a, +1s b]", &e) == JY_JC_ERANGE);
	CHECK(parse("[0001-01-01 00:00:00+01 a]", &e) == JY_JC_ERANGE);
	CHECK(parse("[2024-01-01 10:00:00Z \"abc]", &e) == JY_JC_EMALFORMED && strstr(e.msg, "Unterminated"));
	CHECK(parse("[2024-01-01 10:00:00Z \"a\\qb\"]", &e) == JY_JC_EMALFORMED && strstr(e.msg, "Unknown escape"));
	CHECK(parse("[2024-01-01 10:00:00Z \"a\\x0\"]", &e) == JY_JC_EMALFORMED && strstr(e.msg, "\\x"));
	CHECK(parse("[2024-01-01 10:00:00Z \"a\\x00\"]", &e) == JY_JC_EMALFORMED && strstr(e.msg, "Zero byte"));
	/* a name over the limit */
	{
		static char big[JY_JC_MAX_NAME_LEN + 64];

		strcpy(big, "[2024-01-01 10:00:00Z ");
		memset(big + 22, 'x', JY_JC_MAX_NAME_LEN + 1);
		strcpy(big + 22 + JY_JC_MAX_NAME_LEN + 1, "]");
		CHECK(parse(big, &e) == JY_JC_ELIMIT);
		big[22 + JY_JC_MAX_NAME_LEN] = ']';
		big[22 + JY_JC_MAX_NAME_LEN + 1] = 0;
		CHECK(parse(big, &e) == JY_JC_OK);
	}
}

static void
test_limits(void)
{
	JyJcError	e;
	Buf		   *b = &A;

	buf_init(b);
	add(b, 0, "x");
	b->name_len[0] = JY_JC_MAX_NAME_LEN + 1;
	b->name[0] = namebuf;
	CHECK(jy_jc_canonicalize(&b->v, scratch, &e) == JY_JC_ELIMIT);
}

static void
test_sample_size(void)
{
	/* ~41 s steps at ms resolution over 4 well-known names: 3 bytes per event */
	JyJcError	e;
	uint32_t	i;
	int64_t		t = INT64_C(757382400123456);
	static const char *const nm[4] = {"page_view", "search", "product_view", "add_to_cart"};
	size_t		sz;

	buf_init(&A);
	for (i = 0; i < 1000; i++)
	{
		t += SEC + (int64_t) (rnd() % 80000) * 1000;
		add(&A, t, nm[rnd() % 4]);
	}
	CHECK(jy_jc_canonicalize(&A.v, scratch, &e) == JY_JC_OK);
	sz = encode(&A.v);
	CHECK(sz <= 3000 + 20);
	CHECK(sz >= 2000);
}

/*
 * canonicalize_ex on MAXN unsorted events (several sort runs, so the run
 * merges are exercised): the same order as a reference qsort by (time, name),
 * and tick is called.
 */
typedef struct RefEv
{
	int64_t		ts;
	const char *nm;
} RefEv;

static RefEv ref[MAXN];
static int	nticks;

static void
count_tick(void *arg)
{
	(void) arg;
	nticks++;
}

static int
refev_cmp(const void *a, const void *b)
{
	const RefEv *x = a,
			   *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return jy_jc_name_cmp(x->nm, (uint32_t) strlen(x->nm), y->nm, (uint32_t) strlen(y->nm));
}

static void
test_canonicalize_ex_large_unsorted(void)
{
	JyJcError	e;
	int			i,
				round;

	for (round = 0; round < 3; round++)
	{
		buf_init(&A);
		for (i = 0; i < MAXN; i++)
		{
			/* few distinct times: many ties ordered by name */
			ref[i].ts = (int64_t) (rnd() % (round == 0 ? 50 : 100000)) * SEC;
			ref[i].nm = names_store[rnd() % MAXN];
			add(&A, ref[i].ts, ref[i].nm);
		}
		nticks = 0;
		CHECK(jy_jc_canonicalize_ex(&A.v, scratch, &e, count_tick, NULL) == JY_JC_OK);
		CHECK(nticks > 0);
		qsort(ref, MAXN, sizeof(RefEv), refev_cmp);
		CHECK(A.v.n == MAXN);
		for (i = 0; i < MAXN; i++)
		{
			CHECK(A.v.ts[i] == ref[i].ts);
			CHECK(A.v.name_len[A.v.ev[i]] == strlen(ref[i].nm) &&
				  memcmp(A.v.name[A.v.ev[i]], ref[i].nm, A.v.name_len[A.v.ev[i]]) == 0);
		}
	}
}


/*
 * The _ex forms of decode / encode / print / parse / merge call the tick
 * every 2^16 events or names (a 2^24-event journey held the backend ~1 s in
 * one decode, 4 s in one journey_out) and give the plain forms' results.
 */
#define BIGN 300000u

static void
view_alloc(JyJView *v, uint32_t n, uint32_t nd)
{
	v->n = n;
	v->ndict = nd;
	v->ts = malloc((size_t) n * sizeof(int64_t));
	v->ev = malloc((size_t) n * sizeof(uint32_t));
	v->name = malloc((size_t) nd * sizeof(const char *));
	v->name_len = malloc((size_t) nd * sizeof(uint32_t));
}

static void
view_free(JyJView *v)
{
	free(v->ts);
	free(v->ev);
	free(v->name);
	free(v->name_len);
}

static bool
view_equal(const JyJView *a, const JyJView *b)
{
	uint32_t	i;

	if (a->n != b->n || a->ndict != b->ndict)
		return false;
	for (i = 0; i < a->ndict; i++)
		if (a->name_len[i] != b->name_len[i] || memcmp(a->name[i], b->name[i], a->name_len[i]) != 0)
			return false;
	return memcmp(a->ts, b->ts, (size_t) a->n * sizeof(int64_t)) == 0 &&
		memcmp(a->ev, b->ev, (size_t) a->n * sizeof(uint32_t)) == 0;
}

static void
test_ex_forms_tick(void)
{
	JyJView		v,
				d,
				m;
	JyJcError	e;
	uint32_t	i;
	size_t		sz,
				tsz;
	uint8_t    *b1,
			   *b2;
	char	   *t1,
			   *t2,
			   *nb;
	void	   *scr;
	uint32_t   *ms;
	static const char *nm[3] = {"cart", "search", "view"};

	/* canonical: 1 s apart, names in name order, all used */
	view_alloc(&v, BIGN, 3);
	for (i = 0; i < 3; i++)
	{
		v.name[i] = nm[i];
		v.name_len[i] = (uint32_t) strlen(nm[i]);
	}
	for (i = 0; i < BIGN; i++)
	{
		v.ts[i] = (int64_t) i * SEC + (i % 5 == 0 ? 250000 : 0);
		v.ev[i] = i % 3;
	}
	nticks = 0;
	sz = jy_jc_encoded_size_ex(&v, count_tick, NULL);
	CHECK(sz == jy_jc_encoded_size(&v));
	CHECK(nticks >= 4);
	b1 = malloc(sz);
	b2 = malloc(sz);
	nticks = 0;
	CHECK(jy_jc_encode_ex(&v, b1, count_tick, NULL) == sz);
	CHECK(nticks >= 4);
	CHECK(jy_jc_encode(&v, b2) == sz && memcmp(b1, b2, sz) == 0);

	view_alloc(&d, BIGN, 3);
	nticks = 0;
	CHECK(jy_jc_decode_ex(b1, sz, &d, &e, count_tick, NULL) == JY_JC_OK);
	CHECK(nticks >= 4);
	CHECK(view_equal(&v, &d));

	nticks = 0;
	tsz = jy_jc_text_size_ex(&v, count_tick, NULL);
	CHECK(tsz == jy_jc_text_size(&v));
	CHECK(nticks >= 4);
	t1 = malloc(tsz + 1);
	t2 = malloc(tsz + 1);
	nticks = 0;
	CHECK(jy_jc_print_text_ex(&v, t1, count_tick, NULL) == tsz);
	CHECK(nticks >= 4);
	CHECK(jy_jc_print_text(&v, t2) == tsz && memcmp(t1, t2, tsz + 1) == 0);

	/* parse the text back: ticks in the parse loop (and in the sort) */
	view_free(&d);
	view_alloc(&d, BIGN, BIGN);
	nb = malloc(tsz + 1);
	scr = malloc(jy_jc_canon_scratch(BIGN, BIGN));
	nticks = 0;
	CHECK(jy_jc_parse_text_ex(t1, tsz, &d, BIGN, nb, scr, &e, count_tick, NULL) == JY_JC_OK);
	CHECK(nticks >= 4);
	CHECK(view_equal(&v, &d));

	/* merge with itself: 2 x BIGN events */
	view_alloc(&m, 2 * BIGN, 6);
	ms = malloc(6 * sizeof(uint32_t));
	nticks = 0;
	CHECK(jy_jc_merge_ex(&v, &v, &m, ms, &e, count_tick, NULL) == JY_JC_OK);
	CHECK(nticks >= 9);
	CHECK(m.n == 2 * BIGN && m.ndict == 3 && m.ts[1] == v.ts[0] && m.ts[2 * BIGN - 1] == v.ts[BIGN - 1]);

	free(b1);
	free(b2);
	free(t1);
	free(t2);
	free(nb);
	free(scr);
	free(ms);
	view_free(&v);
	view_free(&d);
	view_free(&m);
}

/*
 * The times-only decode accepts exactly what the full decode accepts, with the
 * same error (status, position, message), and the same times: on random
 * journeys (well-known and own names, units 10^0..10^6 µs, huge steps) and on
 * every single-byte corruption of them.
 */
static void
test_decode_times_matches_decode(void)
{
	static int64_t tso[MAXN];
	int			round;
	JyJcError	e1,
				e2;
	uint32_t	n;

	for (round = 0; round < 300; round++)
	{
		static const int64_t units[] = {1, 10, 1000, 1000000, INT64_C(60000000)};
		size_t		sz,
					k;
		uint32_t	i;

		random_journey(&A, (uint32_t) (rnd() % 40), 1 + round % 9, units[round % 5]);
		if (round % 7 == 0 && A.v.n > 0)
		{
			A.name[0] = "purchase";		/* a well-known name */
			A.name_len[0] = 8;
		}
		CHECK(jy_jc_canonicalize(&A.v, scratch, &e1) == JY_JC_OK);
		sz = encode(&A.v);
		CHECK(sz > 0);
		CHECK(jy_jc_decode_times_ex(enc, sz, tso, &n, &e2, NULL, NULL) == JY_JC_OK);
		CHECK(n == A.v.n);
		for (i = 0; i < n; i++)
			CHECK(tso[i] == A.v.ts[i]);
		for (k = 0; k < sz && k < 48; k++)
		{
			uint8_t		m[1024];
			JyJcStatus	s1,
						s2;
			uint8_t		delta = (uint8_t) (1 + rnd() % 255);

			if (sz > sizeof(m))
				break;
			memcpy(m, enc, sz);
			m[k] ^= delta;
			s1 = decode_into(&B, m, sz, &e1);
			s2 = jy_jc_decode_times_ex(m, sz, tso, &n, &e2, NULL, NULL);
			CHECK(s1 == s2);
			if (s1 != JY_JC_OK)
			{
				CHECK(e1.pos == e2.pos);
				CHECK(strcmp(e1.msg, e2.msg) == 0);
			}
			else
			{
				CHECK(n == B.v.n);
				for (i = 0; i < n; i++)
					CHECK(tso[i] == B.v.ts[i]);
			}
			/* truncated */
			s1 = decode_into(&B, enc, k, &e1);
			s2 = jy_jc_decode_times_ex(enc, k, tso, &n, &e2, NULL, NULL);
			CHECK(s1 == s2 && s1 != JY_JC_OK && e1.pos == e2.pos);
		}
	}
}

/*
 * The selective decode: same status, position and message as the full
 * decode on valid and corrupted values, and on a valid one exactly the
 * events of the kept names, in order, with their positions; the callback
 * sees the full dictionary and the total event count.
 */
typedef struct SelArg
{
	uint8_t		keep[MAXN];
	uint32_t	mask;			/* keep id when bit (id % 32) is set */
	int			calls;
	uint32_t	n_seen;
	uint32_t	ndict_seen;
} SelArg;

static const uint8_t *
sel_by_mask(void *arg, const JyJView *v)
{
	SelArg	   *sa = (SelArg *) arg;
	uint32_t	i;

	sa->calls++;
	sa->n_seen = v->n;
	sa->ndict_seen = v->ndict;
	if (sa->mask == 0)
		return NULL;
	for (i = 0; i < v->ndict; i++)
		sa->keep[i] = (uint8_t) ((sa->mask >> (i % 32)) & 1);
	return sa->keep;
}

static void
test_decode_select_matches_decode(void)
{
	static int64_t tso[MAXN];
	static uint32_t evo[MAXN],
				rowo[MAXN],
				nlo[MAXN];
	static const char *nmo[MAXN];
	int			round;
	JyJcError	e1,
				e2;

	for (round = 0; round < 300; round++)
	{
		static const int64_t units[] = {1, 10, 1000, 1000000, INT64_C(60000000)};
		size_t		sz,
					k;
		uint32_t	i,
					j;
		JyJView		s;
		SelArg		sa;

		random_journey(&A, (uint32_t) (rnd() % 40), 1 + round % 9, units[round % 5]);
		CHECK(jy_jc_canonicalize(&A.v, scratch, &e1) == JY_JC_OK);
		sz = encode(&A.v);
		CHECK(sz > 0);
		for (k = 0; k <= sz && k < 48; k++)
		{
			uint8_t		m[1024];
			JyJcStatus	s1,
						s2;

			if (sz > sizeof(m))
				break;
			memcpy(m, enc, sz);
			if (k > 0)
				m[k - 1] ^= (uint8_t) (1 + rnd() % 255);	/* k = 0: the value itself */
			memset(&sa, 0, sizeof(sa));
			sa.mask = round % 4 == 0 ? 0 : (uint32_t) rnd();
			s.ts = tso;
			s.ev = evo;
			s.name = nmo;
			s.name_len = nlo;
			s1 = decode_into(&B, m, sz, &e1);
			s2 = jy_jc_decode_select_ex(m, sz, &s, rowo, sel_by_mask, &sa, &e2, NULL, NULL);
			CHECK(s1 == s2);
			if (s1 != JY_JC_OK)
			{
				CHECK(e1.pos == e2.pos);
				CHECK(strcmp(e1.msg, e2.msg) == 0);
				continue;
			}
			CHECK(sa.calls == (B.v.n > 0 ? 1 : 0));
			if (B.v.n == 0)
			{
				CHECK(s.n == 0);
				continue;
			}
			CHECK(sa.n_seen == B.v.n && sa.ndict_seen == B.v.ndict && s.ndict == B.v.ndict);
			for (i = 0; i < B.v.ndict; i++)
				CHECK(s.name[i] == B.v.name[i] && s.name_len[i] == B.v.name_len[i]);
			for (i = 0, j = 0; i < B.v.n; i++)
			{
				if (sa.mask == 0 || !sa.keep[B.v.ev[i]])
					continue;
				CHECK(j < s.n && rowo[j] == i && tso[j] == B.v.ts[i] && evo[j] == B.v.ev[i]);
				j++;
			}
			CHECK(j == s.n);
		}
	}
}

int
main(void)
{
	int			i;

	for (i = 0; i < MAXN; i++)
		snprintf(names_store[i], sizeof(names_store[i]), i % 7 == 0 ? "page_view" : "ev%d", i * 7919 % 1000);
	RUN(test_well_known_sorted);
	RUN(test_empty_and_single);
	RUN(test_canonical_order_and_dedup);
	RUN(test_random_roundtrips);
	RUN(test_merge_associative);
	RUN(test_union_idempotent);
	RUN(test_escape_for_huge_steps);
	RUN(test_decoder_rejects);
	RUN(test_text_parse);
	RUN(test_text_errors);
	RUN(test_limits);
	RUN(test_sample_size);
	RUN(test_canonicalize_ex_large_unsorted);
	RUN(test_ex_forms_tick);
	RUN(test_decode_times_matches_decode);
	RUN(test_decode_select_matches_decode);
	UNIT_DONE();
}
