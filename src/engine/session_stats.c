/*
 * session_stats.c — the session_stats codec (layout in session_stats.h).
 */
#include <inttypes.h>
#include <string.h>

#include "session_stats.h"

void
jy_ss_init(JySessionStats *s, uint32_t n)
{
	memset((char *) s + sizeof(int32_t), 0, JY_SS_SIZE(n) - sizeof(int32_t));
	s->version = JY_SS_VERSION;
	s->nentries = n;
}

JyCodecStatus
jy_ss_validate(const JySessionStats *s, JyCodecError *err)
{
	uint64_t	total,
				lo,
				hi;

#define BAD(...) return jy_codec_fail(err, JY_CODEC_EINVALID, 0, __VA_ARGS__)
	if (s->version != JY_SS_VERSION)
		BAD("Unsupported format version %u.", s->version);
	if (s->flags != 0 || s->reserved != 0)
		BAD("Reserved bits are set.");
	if (s->sessions < 0 || s->events < 0 || s->bounces < 0 || s->duration_sum < 0)
		BAD("A count or the duration is negative.");
	if (s->bounces > s->sessions)
		BAD("There are more bounces than sessions.");
	if (s->events < s->sessions)
		BAD("There are fewer events than sessions.");
	/* unsigned: 2 * (sessions - bounces) can pass INT64_MAX (both differences are >= 0 here) */
	if ((uint64_t) (s->events - s->bounces) < 2 * (uint64_t) (s->sessions - s->bounces))
		BAD("There are fewer events than the non-bounce sessions need.");
	if (s->nentries > JY_SS_MAX_ENTRIES || !jy_qs_valid(s->entries, s->nentries))
		BAD("Histogram entries are not strictly increasing, out of range or zero.");
	if (!jy_qs_total(s->entries, s->nentries, &total) || total != (uint64_t) s->sessions)
		BAD("Histogram counts do not add up to the number of sessions.");
	jy_qs_sum_bounds(s->entries, s->nentries, &lo, &hi);
	if ((uint64_t) s->duration_sum < lo || (uint64_t) s->duration_sum > hi)
		BAD("The total duration %" PRId64 " is outside the range %" PRIu64 " to %" PRIu64
			" that the histogram allows.", s->duration_sum, lo, hi);
#undef BAD
	return JY_CODEC_OK;
}

/* ---- text ------------------------------------------------------------------ */

uint32_t
jy_ss_text_max_entries(const char *str)
{
	/* an entry is at least "[b,c]" and the separating ',' */
	size_t		n = strlen(str) / 6 + 1;

	return n < JY_SS_MAX_ENTRIES ? (uint32_t) n : JY_SS_MAX_ENTRIES;
}

JyCodecStatus
jy_ss_parse_text(const char *str, JySessionStats *s, uint32_t cap, JyCodecError *err)
{
	JyTs		sc;
	size_t		n = 0;

	jy_ts_init(&sc, str);
	err->status = JY_CODEC_OK;
	err->value = 0;
	jy_ss_init(s, 0);
	if (jy_codec_text_version(&sc, err, JY_SS_VERSION) != JY_CODEC_OK)
		return err->status;
	if (!jy_ts_key(&sc, "sessions", true) ||
		!jy_ts_int(&sc, 0, INT64_MAX, &s->sessions) ||
		!jy_ts_key(&sc, "events", true) ||
		!jy_ts_int(&sc, 0, INT64_MAX, &s->events) ||
		!jy_ts_key(&sc, "bounces", true) ||
		!jy_ts_int(&sc, 0, INT64_MAX, &s->bounces) ||
		!jy_ts_key(&sc, "duration_us", true) ||
		!jy_ts_int(&sc, 0, INT64_MAX, &s->duration_sum) ||
		!jy_ts_key(&sc, "hist", true) ||
		!jy_ts_qs_entries(&sc, s->entries, JY_SS_MAX_ENTRIES, cap, &n) ||
		!jy_ts_lit(&sc, "}") || !jy_ts_end(&sc))
		return jy_codec_scan_failed(err, &sc);
	s->nentries = (uint32_t) n;
	return jy_ss_validate(s, err);
}

size_t
jy_ss_print_text(const JySessionStats *s, char *out)
{
	JyTextOut	o = {out, 0};

	jy_to_str(&o, "{\"v\":");
	jy_to_i64(&o, s->version);
	jy_to_key_i64(&o, "sessions", s->sessions);
	jy_to_key_i64(&o, "events", s->events);
	jy_to_key_i64(&o, "bounces", s->bounces);
	jy_to_key_i64(&o, "duration_us", s->duration_sum);
	jy_to_str(&o, ",\"hist\":");
	jy_to_qs_entries(&o, s->entries, s->nentries);
	jy_to_str(&o, "}");
	return jy_to_finish(&o);
}

/* ---- binary ---------------------------------------------------------------- */

/* the fixed part up to nentries, and its check */
static bool
recv_head(JyWire *r, uint64_t *version, uint64_t *flags, uint64_t *reserved, uint32_t *n)
{
	uint64_t	nn;

	if (!jy_wire_get_head(r, version, flags, reserved, &nn))
		return false;
	if (nn > JY_SS_MAX_ENTRIES || nn * 8 > r->len - r->pos)
	{
		jy_codec_fail(r->err, JY_CODEC_EINVALID, r->pos,
					  "Declared %u histogram entries, more than the message holds.", (unsigned) nn);
		return false;
	}
	*n = (uint32_t) nn;
	return true;
}

JyCodecStatus
jy_ss_recv_header(const uint8_t *buf, size_t len, uint32_t *n, JyCodecError *err)
{
	JyWire		r = {buf, len, 0, err};
	uint64_t	version,
				flags,
				reserved;

	err->status = JY_CODEC_OK;
	if (!recv_head(&r, &version, &flags, &reserved, n))
		return err->status;
	return JY_CODEC_OK;
}

JyCodecStatus
jy_ss_recv(const uint8_t *buf, size_t len, JySessionStats *s, size_t *used, JyCodecError *err)
{
	JyWire		r = {buf, len, 0, err};
	uint64_t	version,
				flags,
				reserved,
				v[4];
	uint32_t	n,
				i;

	err->status = JY_CODEC_OK;
	if (!recv_head(&r, &version, &flags, &reserved, &n))
		return err->status;
	jy_ss_init(s, n);
	s->version = (uint8_t) version;
	s->flags = (uint8_t) flags;
	s->reserved = (uint16_t) reserved;
	for (i = 0; i < 4; i++)
		if (!jy_wire_get(&r, 8, &v[i]))
			return err->status;
	s->sessions = (int64_t) v[0];
	s->events = (int64_t) v[1];
	s->bounces = (int64_t) v[2];
	s->duration_sum = (int64_t) v[3];
	for (i = 0; i < n; i++)
		if (!jy_wire_get(&r, 8, &s->entries[i]))
			return err->status;
	*used = r.pos;
	return jy_ss_validate(s, err);
}

size_t
jy_ss_send_size(const JySessionStats *s)
{
	return 8 + 4 * 8 + (size_t) s->nentries * 8;
}

void
jy_ss_send(const JySessionStats *s, uint8_t *out)
{
	uint32_t	i;

	jy_wire_put_head(&out, s->version, s->flags, s->reserved, s->nentries);
	jy_wire_put(&out, 8, (uint64_t) s->sessions);
	jy_wire_put(&out, 8, (uint64_t) s->events);
	jy_wire_put(&out, 8, (uint64_t) s->bounces);
	jy_wire_put(&out, 8, (uint64_t) s->duration_sum);
	for (i = 0; i < s->nentries; i++)
		jy_wire_put(&out, 8, s->entries[i]);
}

/* ---- merge ------------------------------------------------------------------- */

size_t
jy_ss_missing_buckets(const JySessionStats *a, const JySessionStats *b)
{
	size_t		miss = 0,
				i = 0,
				j;

	for (j = 0; j < b->nentries; j++)
	{
		uint32_t	bk = JY_QS_BUCKET(b->entries[j]);

		if ((size_t) b->nentries * 8 < a->nentries)
		{
			/* few entries in b: binary search */
			size_t		lo = jy_qs_lower_bound(a->entries, a->nentries, bk);

			miss += !(lo < a->nentries && JY_QS_BUCKET(a->entries[lo]) == bk);
		}
		else
		{
			while (i < a->nentries && JY_QS_BUCKET(a->entries[i]) < bk)
				i++;
			miss += !(i < a->nentries && JY_QS_BUCKET(a->entries[i]) == bk);
		}
	}
	return miss;
}

JyCodecStatus
jy_ss_merge(JySessionStats *r, const JySessionStats *b, JyCodecError *err)
{
	size_t		n;

	if (__builtin_add_overflow(r->sessions, b->sessions, &r->sessions) ||
		__builtin_add_overflow(r->events, b->events, &r->events) ||
		__builtin_add_overflow(r->bounces, b->bounces, &r->bounces) ||
		__builtin_add_overflow(r->duration_sum, b->duration_sum, &r->duration_sum))
		return jy_codec_fail(err, JY_CODEC_EOVERFLOW, 0,
							 "session_stats count or duration out of range while merging");
	n = jy_qs_merge(r->entries, r->nentries, b->entries, b->nentries);
	if (n == (size_t) -1)
		return jy_codec_fail(err, JY_CODEC_EOVERFLOW, 0,
							 "session_stats histogram count out of range while merging");
	r->nentries = (uint32_t) n;
	return JY_CODEC_OK;
}
