/*
 * retention_codec_fuzz.h — checks shared by the two cohort_retention codec
 * fuzz targets (fuzz_retention_codec_text.c, fuzz_retention_codec_bin.c):
 * given a value that passed validation, every form must round-trip exactly,
 * and merge and the report numbers must keep it valid.  A failed property
 * is __builtin_trap() (a crash to libFuzzer).
 */
#include <stdlib.h>
#include <string.h>

#include "retention_codec.h"

#define PROP(c) do { if (!(c)) __builtin_trap(); } while (0)

static void *
fz_grow(void *old, size_t bytes, void *arg)
{
	(void) arg;
	return realloc(old, bytes);
}

/* a zeroed value of these dimensions (malloc'd to size, so ASan sees strays), or NULL above the limit */
static JyCr *
fz_alloc(uint8_t unit, uint8_t ctype, int32_t periods, int64_t window, const char *tz, uint16_t tzlen,
		 int64_t last, uint32_t nc)
{
	JyCrError	e;
	size_t		sz = jy_cr_size(tzlen, periods, nc, &e);
	JyCr	   *r;

	if (sz == 0)
	{
		PROP(e.status == JY_CR_ELIMIT);
		return NULL;
	}
	r = (JyCr *) calloc(1, sz);
	r->vl_len_ = (int32_t) sz;
	jy_cr_init(r, unit, ctype, periods, window, tz, tzlen, last, nc);
	return r;
}

/* parse a NUL-terminated text into a validated value (NULL when rejected) */
static JyCr *
fz_from_text(const char *text)
{
	JyTs		ts;
	JyCrText	t;
	JyCrError	e;
	JyCrStatus	st;
	JyCr	   *r;

	jy_ts_init(&ts, text);
	st = jy_cr_parse_text(&ts, &t, &e, fz_grow, NULL);
	if (st != JY_CR_OK)
	{
		PROP(st == JY_CR_EVERSION || (st == JY_CR_ETEXT && ts.status != JY_TS_OK && ts.msg[0] != '\0'));
		free(t.recs);
		return NULL;
	}
	r = fz_alloc(t.unit, t.ctype, t.periods, t.window_us, t.tz, t.tzlen, t.last_period, (uint32_t) t.nrec);
	if (r != NULL && t.nrec > 0)
		memcpy(JY_CR_REC(r, 0), t.recs, t.nrec * JY_CR_RECWORDS(t.periods) * sizeof(int64_t));
	free(t.recs);
	if (r != NULL && jy_cr_validate(r, (size_t) r->vl_len_, &e) != JY_CR_OK)
	{
		PROP(e.status == JY_CR_EINVALID && e.msg[0] != '\0');
		free(r);
		return NULL;
	}
	return r;
}

/* decode a binary form into a validated value (NULL when rejected) */
static JyCr *
fz_from_wire(const uint8_t *b, size_t len)
{
	JyCr		hdr;
	JyCrError	e;
	JyCr	   *r;

	if (len < JY_CR_WIRE_HDR)
		return NULL;
	jy_cr_wire_header(b, &hdr);
	if (jy_cr_wire_check(&hdr, len - JY_CR_WIRE_HDR, &e) != JY_CR_OK)
	{
		PROP(e.status == JY_CR_EINVALID);
		return NULL;
	}
	r = fz_alloc(hdr.unit, hdr.ctype, hdr.periods, hdr.window_us, (const char *) b + JY_CR_WIRE_HDR,
				 hdr.tzlen, hdr.last_period, hdr.ncohorts);
	if (r == NULL)
		return NULL;
	jy_cr_wire_body(r, &hdr, b + JY_CR_WIRE_HDR);
	if (jy_cr_validate(r, (size_t) r->vl_len_, &e) != JY_CR_OK)
	{
		PROP(e.status == JY_CR_EINVALID && e.msg[0] != '\0');
		free(r);
		return NULL;
	}
	return r;
}

static int
fz_same(const JyCr *a, const JyCr *b)
{
	return a->vl_len_ == b->vl_len_ && memcmp(a, b, (size_t) a->vl_len_) == 0;
}

/* every property of a valid value */
static void
fz_check_value(const JyCr *r)
{
	size_t		tl = jy_cr_text_size(r),
				wl = jy_cr_wire_size(r);
	char	   *text = malloc(tl + 1);
	uint8_t    *w = malloc(wl);
	JyCr	   *back,
			   *sum;
	JyCrError	e;
	int64_t		users,
				minc,
				span;

	/* text: exact size, parses back to the same bytes */
	PROP(jy_cr_print_text(r, text) == tl && strlen(text) == tl);
	back = fz_from_text(text);
	PROP(back != NULL && fz_same(back, r));
	free(back);
	/* binary: decodes back to the same bytes */
	jy_cr_wire_write(r, w);
	back = fz_from_wire(w, wl);
	PROP(back != NULL && fz_same(back, r));
	free(back);
	/* merge with itself: in place, counts doubled, still valid unless a count overflows */
	PROP(jy_cr_compatible(r, r, &e) == JY_CR_OK && jy_cr_missing(r, r) == 0);
	sum = malloc((size_t) r->vl_len_);
	memcpy(sum, r, (size_t) r->vl_len_);
	if (jy_cr_merge_inplace(sum, r, &e, NULL, NULL) == JY_CR_OK)
		PROP(jy_cr_validate(sum, (size_t) sum->vl_len_, &e) == JY_CR_OK);
	else
		PROP(e.status == JY_CR_EOVERFLOW);
	free(sum);
	/* reports read only what they may */
	(void) jy_cr_total_users(r, &users);
	if (!JY_CR_PER_USER(r->unit) && r->ctype == JY_CR_FIRST_TIME)
	{
		int64_t    *acc;

		jy_cr_lifecycle_span(r, &minc, &span);
		PROP(span >= 1 && span <= (int64_t) r->periods + 1);
		acc = calloc((size_t) span * 4, sizeof(int64_t));
		(void) jy_cr_lifecycle(r, minc, span, acc, NULL, NULL);
		free(acc);
	}
	{
		int32_t    *ks = malloc(((size_t) r->periods + 1) * sizeof(int32_t));
		int64_t    *st = malloc(((size_t) r->periods + 1) * sizeof(int64_t));
		uint32_t	i;

		for (i = 0; i < r->ncohorts; i++)
		{
			PROP(jy_cr_active_periods(r, JY_CR_REC(r, i), ks) >= 1);
			(void) jy_cr_cohort_complete(r, JY_CR_REC(r, i));
		}
		PROP(jy_cr_stickiness(r, JY_RET_WEEK, st, ks) <= r->periods + 1);
		free(ks);
		free(st);
	}
	free(text);
	free(w);
}
