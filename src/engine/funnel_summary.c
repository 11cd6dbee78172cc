/*
 * funnel_summary.c — the funnel_summary codec (layout in funnel_summary.h).
 */
#include <inttypes.h>
#include <string.h>

#include "funnel_summary.h"

void
jy_fs_init(JyFunnelSummary *s, uint32_t nsteps, size_t total)
{
	memset((char *) s + sizeof(int32_t), 0, JY_FS_SIZE(nsteps, total) - sizeof(int32_t));
	s->version = JY_FS_VERSION;
	s->nsteps = nsteps;
}

size_t
jy_fs_total(const JyFunnelSummary *s)
{
	size_t		t = 0;
	uint32_t	k;

	for (k = 0; k < s->nsteps; k++)
		t += JY_FS_NENT(s)[k];
	return t;
}

JyCodecStatus
jy_fs_validate(const JyFunnelSummary *s, size_t size, JyCodecError *err)
{
	const int64_t *r;
	const uint32_t *ne;
	const uint64_t *e;
	size_t		total = 0;
	uint32_t	k;

#define BAD(...) return jy_codec_fail(err, JY_CODEC_EINVALID, 0, __VA_ARGS__)
	if (size < JY_FS_HDRSZ)
		BAD("The value is truncated.");
	if (s->version != JY_FS_VERSION)
		BAD("Unsupported format version %u.", s->version);
	if (s->flags != 0 || s->reserved != 0)
		BAD("Reserved bits are set.");
	if (s->nsteps < 1 || s->nsteps > JY_FUNNEL_MAX_STEPS)
		BAD("The number of steps %u is out of range.", s->nsteps);
	if (size < JY_FS_ENT_OFF(s->nsteps))
		BAD("The value is truncated.");
	if (s->users < 0)
		BAD("The number of users is negative.");
	r = JY_FS_REACHED(s);
	ne = JY_FS_NENT(s);
	for (k = 0; k < s->nsteps; k++)
	{
		if (r[k] < 0)
			BAD("Step %u has a negative user count.", k + 1);
		if (k == 0 && r[k] > s->users)
			BAD("Step 1 is reached by more users than the summary has.");
		if (k > 0 && r[k] > r[k - 1])
			BAD("Step %u is reached by more users than step %u.", k + 1, k);
		if (ne[k] > JY_FS_MAX_ENTRIES_PER_STEP || (k == 0 && ne[k] != 0))
			BAD("Step %u has an invalid number of histogram entries.", k + 1);
		total += ne[k];
	}
	if (size != JY_FS_SIZE(s->nsteps, total))
		BAD("The size does not match the histogram entries.");
	e = JY_FS_ENTRIES(s);
	for (k = 0; k < s->nsteps; k++)
	{
		uint64_t	tot;

		if (!jy_qs_valid(e, ne[k]))
			BAD("Histogram entries of step %u are not strictly increasing, out of range or zero.", k + 1);
		if (!jy_qs_total(e, ne[k], &tot) || tot != (uint64_t) (k == 0 ? 0 : r[k]))
			BAD("Histogram counts of step %u do not add up to the users reaching it.", k + 1);
		e += ne[k];
	}
#undef BAD
	return JY_CODEC_OK;
}

/* ---- text ------------------------------------------------------------------ */

size_t
jy_fs_text_max_size(const char *str)
{
	size_t		len = strlen(str),
				steps = len / 2 + 1,	/* a count and a ',' per step */
				ents = len / 6 + 1;		/* "[b,c]" and a ',' per entry */

	if (steps > JY_FUNNEL_MAX_STEPS)
		steps = JY_FUNNEL_MAX_STEPS;
	if (ents > (size_t) JY_FUNNEL_MAX_STEPS * JY_FS_MAX_ENTRIES_PER_STEP)
		ents = (size_t) JY_FUNNEL_MAX_STEPS * JY_FS_MAX_ENTRIES_PER_STEP;
	return JY_FS_SIZE(steps, ents);
}

static JyCodecStatus
no_room(JyCodecError *err)
{
	/* cannot happen with a buffer of jy_fs_text_max_size bytes */
	return jy_codec_fail(err, JY_CODEC_EINVALID, 0, "The value needs more room than it was given.");
}

JyCodecStatus
jy_fs_parse_text(const char *str, JyFunnelSummary *s, size_t size, size_t *used, JyCodecError *err)
{
	JyTs		sc;
	int64_t		users;
	uint32_t	nsteps = 0,
				k;
	uint32_t   *nent;
	uint64_t   *ents;
	size_t		total = 0;

	jy_ts_init(&sc, str);
	err->status = JY_CODEC_OK;
	err->value = 0;
	if (size < JY_FS_SIZE(1, 0))
		return no_room(err);
	/* the header, including the padding after nsteps: a value's bytes are all defined */
	memset((char *) s + sizeof(int32_t), 0, JY_FS_HDRSZ - sizeof(int32_t));
	if (jy_codec_text_version(&sc, err, JY_FS_VERSION) != JY_CODEC_OK)
		return err->status;
	if (!jy_ts_key(&sc, "users", true) ||
		!jy_ts_int(&sc, 0, INT64_MAX, &users) ||
		!jy_ts_key(&sc, "reached", true) ||
		!jy_ts_lit(&sc, "["))
		return jy_codec_scan_failed(err, &sc);
	for (;;)
	{
		if (nsteps >= JY_FUNNEL_MAX_STEPS)
			return jy_ts_fail(&sc, "no more steps"), jy_codec_scan_failed(err, &sc);
		if (JY_FS_HDRSZ + (size_t) (nsteps + 1) * sizeof(int64_t) > size)
			return no_room(err);
		if (!jy_ts_int(&sc, 0, INT64_MAX, &JY_FS_REACHED(s)[nsteps]))
			return jy_codec_scan_failed(err, &sc);
		nsteps++;
		if (!jy_ts_peek(&sc, ','))
			break;
		if (!jy_ts_lit(&sc, ","))
			return jy_codec_scan_failed(err, &sc);
	}
	if (JY_FS_ENT_OFF(nsteps) > size)
		return no_room(err);
	s->version = JY_FS_VERSION;
	s->flags = 0;
	s->reserved = 0;
	s->nsteps = nsteps;
	s->users = users;
	nent = JY_FS_NENT(s);
	memset(nent, 0, nsteps * sizeof(uint32_t));
	/* padding */
	memset((char *) (nent + nsteps), 0, JY_FS_ENT_OFF(nsteps) - ((char *) (nent + nsteps) - (char *) s));
	ents = JY_FS_ENTRIES(s);
	if (!jy_ts_lit(&sc, "]") || !jy_ts_key(&sc, "hist", true) || !jy_ts_lit(&sc, "["))
		return jy_codec_scan_failed(err, &sc);
	for (k = 0; k < nsteps; k++)
	{
		size_t		m;

		if ((k > 0 && !jy_ts_lit(&sc, ",")) ||
			!jy_ts_qs_entries(&sc, ents + total, JY_FS_MAX_ENTRIES_PER_STEP,
							  (size - JY_FS_ENT_OFF(nsteps)) / sizeof(uint64_t) - total, &m))
			return jy_codec_scan_failed(err, &sc);
		nent[k] = (uint32_t) m;
		total += m;
	}
	if (!jy_ts_lit(&sc, "]") || !jy_ts_lit(&sc, "}") || !jy_ts_end(&sc))
		return jy_codec_scan_failed(err, &sc);
	*used = JY_FS_SIZE(nsteps, total);
	return jy_fs_validate(s, *used, err);
}

size_t
jy_fs_print_text(const JyFunnelSummary *s, char *out)
{
	JyTextOut	o = {out, 0};
	const uint64_t *e = JY_FS_ENTRIES(s);
	uint32_t	k;

	jy_to_str(&o, "{\"v\":");
	jy_to_i64(&o, s->version);
	jy_to_key_i64(&o, "users", s->users);
	jy_to_str(&o, ",\"reached\":[");
	for (k = 0; k < s->nsteps; k++)
	{
		if (k)
			jy_to_str(&o, ",");
		jy_to_i64(&o, JY_FS_REACHED(s)[k]);
	}
	jy_to_str(&o, "],\"hist\":[");
	for (k = 0; k < s->nsteps; k++)
	{
		if (k)
			jy_to_str(&o, ",");
		jy_to_qs_entries(&o, e, JY_FS_NENT(s)[k]);
		e += JY_FS_NENT(s)[k];
	}
	jy_to_str(&o, "]}");
	return jy_to_finish(&o);
}

/* ---- binary ---------------------------------------------------------------- */

/*
 * The fixed part, reached[] and nent[]: into s when s != NULL (which then has
 * room for JY_FS_SIZE(nsteps, total)).  Leaves r at the entries.
 */
static bool
recv_head(JyWire *r, JyFunnelSummary *s, uint32_t *nsteps, size_t *total)
{
	uint64_t	version,
				flags,
				reserved,
				ns,
				users,
				v = 0;
	uint32_t	k;
	size_t		t = 0,
				reached_at;

	if (!jy_wire_get_head(r, &version, &flags, &reserved, &ns) || !jy_wire_get(r, 8, &users))
		return false;
	if (ns < 1 || ns > JY_FUNNEL_MAX_STEPS || ns * 12 > r->len - r->pos)
	{
		jy_codec_fail(r->err, JY_CODEC_EINVALID, r->pos,
					  "Declared %u steps, which is out of range or more than the message holds.",
					  (unsigned) ns);
		return false;
	}
	reached_at = r->pos;
	r->pos += ns * 8;			/* present: checked above */
	for (k = 0; k < ns; k++)
	{
		jy_wire_get(r, 4, &v);
		if (v > JY_FS_MAX_ENTRIES_PER_STEP)
		{
			jy_codec_fail(r->err, JY_CODEC_EINVALID, r->pos - 4,
						  "Step %u declares %u histogram entries.", k + 1, (unsigned) v);
			return false;
		}
		if (s)
			JY_FS_NENT(s)[k] = (uint32_t) v;
		t += v;
	}
	if (t * 8 != r->len - r->pos)
	{
		jy_codec_fail(r->err, JY_CODEC_EINVALID, r->pos,
					  "Declared %zu histogram entries, but the message holds %d bytes for them.",
					  t, (int) (r->len - r->pos));
		return false;
	}
	if (s)
	{
		JyWire		rr = {r->buf, r->len, reached_at, r->err};

		s->version = (uint8_t) version;
		s->flags = (uint8_t) flags;
		s->reserved = (uint16_t) reserved;
		s->users = (int64_t) users;
		for (k = 0; k < ns; k++)
		{
			jy_wire_get(&rr, 8, &v);
			JY_FS_REACHED(s)[k] = (int64_t) v;
		}
	}
	*nsteps = (uint32_t) ns;
	*total = t;
	return true;
}

JyCodecStatus
jy_fs_recv_header(const uint8_t *buf, size_t len, uint32_t *nsteps, size_t *total, JyCodecError *err)
{
	JyWire		r = {buf, len, 0, err};

	err->status = JY_CODEC_OK;
	return recv_head(&r, NULL, nsteps, total) ? JY_CODEC_OK : err->status;
}

JyCodecStatus
jy_fs_recv(const uint8_t *buf, size_t len, JyFunnelSummary *s, JyCodecError *err)
{
	JyWire		r = {buf, len, 0, err};
	uint32_t	nsteps;
	size_t		total,
				i;
	uint64_t   *e;

	err->status = JY_CODEC_OK;
	if (!recv_head(&r, NULL, &nsteps, &total))
		return err->status;
	jy_fs_init(s, nsteps, total);
	r.pos = 0;
	recv_head(&r, s, &nsteps, &total);
	e = JY_FS_ENTRIES(s);
	for (i = 0; i < total; i++)
		jy_wire_get(&r, 8, &e[i]);		/* present: checked */
	return jy_fs_validate(s, JY_FS_SIZE(nsteps, total), err);
}

size_t
jy_fs_send_size(const JyFunnelSummary *s)
{
	return 16 + (size_t) s->nsteps * 12 + jy_fs_total(s) * 8;
}

void
jy_fs_send(const JyFunnelSummary *s, uint8_t *out)
{
	size_t		total = jy_fs_total(s),
				i;
	uint32_t	k;

	jy_wire_put_head(&out, s->version, s->flags, s->reserved, s->nsteps);
	jy_wire_put(&out, 8, (uint64_t) s->users);
	for (k = 0; k < s->nsteps; k++)
		jy_wire_put(&out, 8, (uint64_t) JY_FS_REACHED(s)[k]);
	for (k = 0; k < s->nsteps; k++)
		jy_wire_put(&out, 4, JY_FS_NENT(s)[k]);
	for (i = 0; i < total; i++)
		jy_wire_put(&out, 8, JY_FS_ENTRIES(s)[i]);
}

/* ---- adding a user, merging ---------------------------------------------------- */

size_t
jy_fs_missing(const JyFunnelSummary *s, int lv, const uint32_t *bk)
{
	const uint64_t *e = JY_FS_ENTRIES(s);
	size_t		miss = 0;
	int			k;

	for (k = 0; k < (int) s->nsteps; k++)
	{
		if (k >= 1 && k < lv)
		{
			size_t		m = JY_FS_NENT(s)[k],
						i = jy_qs_lower_bound(e, m, bk[k]);

			miss += !(i < m && JY_QS_BUCKET(e[i]) == bk[k]);
		}
		e += JY_FS_NENT(s)[k];
	}
	return miss;
}

static JyCodecStatus
count_overflow(JyCodecError *err, const char *what)
{
	return jy_codec_fail(err, JY_CODEC_EOVERFLOW, 0, "funnel_summary %s out of range", what);
}

JyCodecStatus
jy_fs_add_user(JyFunnelSummary *r, const JyFunnelSummary *s, int lv, const uint32_t *bk, JyCodecError *err)
{
	int			k;

	if (r != s)
	{
		/* rebuild with room: copy step by step, inserting the new buckets */
		const uint64_t *src = JY_FS_ENTRIES(s);
		uint64_t   *dst = JY_FS_ENTRIES(r);

		r->users = s->users;
		memcpy(JY_FS_REACHED(r), JY_FS_REACHED(s), s->nsteps * sizeof(int64_t));
		for (k = 0; k < (int) s->nsteps; k++)
		{
			uint32_t	m = JY_FS_NENT(s)[k];

			memcpy(dst, src, m * sizeof(uint64_t));
			if (k >= 1 && k < lv)
			{
				/* room for one more: the next steps are not written yet */
				size_t		nm = jy_qs_add(dst, m, bk[k], 1);

				if (nm == (size_t) -1)
					return count_overflow(err, "histogram count");
				m = (uint32_t) nm;
			}
			JY_FS_NENT(r)[k] = m;
			src += JY_FS_NENT(s)[k];
			dst += m;
		}
	}
	else
	{
		uint64_t   *e = JY_FS_ENTRIES(r);

		for (k = 0; k < (int) r->nsteps; k++)
		{
			if (k >= 1 && k < lv && jy_qs_add(e, JY_FS_NENT(r)[k], bk[k], 1) == (size_t) -1)
				return count_overflow(err, "histogram count");
			e += JY_FS_NENT(r)[k];
		}
	}
	if (__builtin_add_overflow(r->users, 1, &r->users))
		return count_overflow(err, "user count");
	for (k = 0; k < lv; k++)
		if (__builtin_add_overflow(JY_FS_REACHED(r)[k], 1, &JY_FS_REACHED(r)[k]))
			return count_overflow(err, "user count");
	return JY_CODEC_OK;
}

JyCodecStatus
jy_fs_merge(JyFunnelSummary *r, const JyFunnelSummary *a, const JyFunnelSummary *b, size_t *used,
			JyCodecError *err)
{
	const uint64_t *ea = JY_FS_ENTRIES(a),
			   *eb = JY_FS_ENTRIES(b);
	uint64_t   *er = JY_FS_ENTRIES(r);
	size_t		total = 0;
	uint32_t	k;

	if (__builtin_add_overflow(a->users, b->users, &r->users))
		return count_overflow(err, "user count");
	for (k = 0; k < a->nsteps; k++)
	{
		size_t		m;

		if (__builtin_add_overflow(JY_FS_REACHED(a)[k], JY_FS_REACHED(b)[k], &JY_FS_REACHED(r)[k]))
			return count_overflow(err, "user count");
		memcpy(er, ea, JY_FS_NENT(a)[k] * sizeof(uint64_t));
		m = jy_qs_merge(er, JY_FS_NENT(a)[k], eb, JY_FS_NENT(b)[k]);
		if (m == (size_t) -1)
			return jy_codec_fail(err, JY_CODEC_EOVERFLOW, 0,
								 "funnel_summary histogram count out of range while merging");
		JY_FS_NENT(r)[k] = (uint32_t) m;
		ea += JY_FS_NENT(a)[k];
		eb += JY_FS_NENT(b)[k];
		er += m;
		total += m;
	}
	*used = JY_FS_SIZE(r->nsteps, total);
	return JY_CODEC_OK;
}
