/* Unit tests of the funnel_summary codec. */
#include "unit.h"
#include "funnel_summary.h"

static JyFunnelSummary *
parse(const char *txt, JyCodecError *err, size_t *size)
{
	size_t		room = jy_fs_text_max_size(txt);
	JyFunnelSummary *s = malloc(room);

	memset(s, 0xAA, room);	/* every byte of the value must be written */
	if (jy_fs_parse_text(txt, s, room, size, err) != JY_CODEC_OK)
	{
		free(s);
		return NULL;
	}
	return s;
}

static char *
print(const JyFunnelSummary *s)
{
	size_t		n = jy_fs_print_text(s, NULL);
	char	   *out = malloc(n + 1);

	if (jy_fs_print_text(s, out) != n || strlen(out) != n)
	{
		free(out);
		return NULL;
	}
	return out;
}

static const char *doc_example =
"{\"v\":1,\"users\":10,\"reached\":[8,5,2],\"hist\":[[],[[1536,3],[2000,2]],[[900,2]]]}";

static void
test_text_roundtrip(void)
{
	const char *texts[] = {
		doc_example,
		"{\"v\":1,\"users\":0,\"reached\":[0],\"hist\":[[]]}",
		"{\"v\":1,\"users\":1,\"reached\":[1,0],\"hist\":[[],[]]}",
		"{\"v\":1,\"users\":9223372036854775807,\"reached\":[1125899906842623,1125899906842623],\"hist\":[[],[[14335,1125899906842623]]]}",
	};
	size_t		i,
				size;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
	{
		JyCodecError err;
		JyFunnelSummary *s = parse(texts[i], &err, &size);
		char	   *out;

		CHECK(s != NULL);
		CHECK_EQ_I64(size, JY_FS_SIZE(s->nsteps, jy_fs_total(s)));
		CHECK(jy_fs_validate(s, size, &err) == JY_CODEC_OK);
		out = print(s);
		CHECK(out != NULL && strcmp(out, texts[i]) == 0);
		free(out);
		free(s);
	}
}

static void
test_text_errors(void)
{
	JyCodecError err;
	size_t		size;

	CHECK(parse("garbage", &err, &size) == NULL);
	CHECK_EQ_I64(err.status, JY_CODEC_ESYNTAX);
	CHECK(strcmp(err.msg, "Expected '{' at character 1.") == 0);
	CHECK(parse("{\"v\":1,\"users\":2,\"reached\":[2,2],\"hist\":[[]]}", &err, &size) == NULL);
	CHECK(strcmp(err.msg, "Expected ',' at character 44.") == 0);
	CHECK(parse("{\"v\":1,\"users\":1,\"reached\":[1],\"hist\":[[]]} x", &err, &size) == NULL);
	CHECK(strcmp(err.msg, "Expected end of input at character 45.") == 0);
	CHECK(parse("{\"v\":3}", &err, &size) == NULL);
	CHECK(err.status == JY_CODEC_EVERSION && err.value == 3);
	CHECK(parse("{\"v\":1,\"users\":1,\"reached\":[2],\"hist\":[[]]}", &err, &size) == NULL);
	CHECK_EQ_I64(err.status, JY_CODEC_EINVALID);
	CHECK(strcmp(err.msg, "Step 1 is reached by more users than the summary has.") == 0);
	CHECK(parse("{\"v\":1,\"users\":3,\"reached\":[1,2],\"hist\":[[],[[0,2]]]}", &err, &size) == NULL);
	CHECK(strcmp(err.msg, "Step 2 is reached by more users than step 1.") == 0);
	CHECK(parse("{\"v\":1,\"users\":3,\"reached\":[2,1],\"hist\":[[[0,1]],[[0,1]]]}", &err, &size) == NULL);
	CHECK(strcmp(err.msg, "Step 1 has an invalid number of histogram entries.") == 0);
	CHECK(parse("{\"v\":1,\"users\":3,\"reached\":[2,2],\"hist\":[[],[[0,1]]]}", &err, &size) == NULL);
	CHECK(strcmp(err.msg, "Histogram counts of step 2 do not add up to the users reaching it.") == 0);
	CHECK(parse("{\"v\":1,\"users\":3,\"reached\":[2,2],\"hist\":[[],[[5,1],[5,1]]]}", &err, &size) == NULL);
	CHECK(strcmp(err.msg, "Histogram entries of step 2 are not strictly increasing, out of range or zero.") == 0);
	CHECK(parse("{\"v\":1,\"users\":3,\"reached\":[2,2],\"hist\":[[],[[5,0]]]}", &err, &size) == NULL);
	CHECK_EQ_I64(err.status, JY_CODEC_ERANGE);
	CHECK(strcmp(err.msg, "Allowed values are 1 to 1125899906842623.") == 0);
}

static void
test_step_limit(void)
{
	/* JY_FUNNEL_MAX_STEPS steps parse; one more is "no more steps" */
	size_t		cap = 64 + (JY_FUNNEL_MAX_STEPS + 1) * 6,
				len,
				size;
	char	   *t = malloc(cap);
	int			i,
				n;
	JyCodecError err;
	JyFunnelSummary *s;

	for (n = JY_FUNNEL_MAX_STEPS; n <= JY_FUNNEL_MAX_STEPS + 1; n++)
	{
		len = (size_t) snprintf(t, cap, "{\"v\":1,\"users\":0,\"reached\":[");
		for (i = 0; i < n; i++)
			len += (size_t) snprintf(t + len, cap - len, "%s0", i ? "," : "");
		len += (size_t) snprintf(t + len, cap - len, "],\"hist\":[");
		for (i = 0; i < n; i++)
			len += (size_t) snprintf(t + len, cap - len, "%s[]", i ? "," : "");
		snprintf(t + len, cap - len, "]}");
		s = parse(t, &err, &size);
		if (n == JY_FUNNEL_MAX_STEPS)
		{
			CHECK(s != NULL && s->nsteps == JY_FUNNEL_MAX_STEPS);
			free(s);
		}
		else
		{
			CHECK(s == NULL);
			CHECK(strstr(err.msg, "Expected no more steps at character") == err.msg);
		}
	}
	free(t);
}

static void
test_binary(void)
{
	JyCodecError err;
	size_t		size,
				n,
				total;
	JyFunnelSummary *s = parse(doc_example, &err, &size),
			   *r;
	uint8_t    *b;
	uint32_t	nsteps;

	CHECK(s != NULL);
	n = jy_fs_send_size(s);
	CHECK_EQ_I64(n, 16 + 3 * 12 + 3 * 8);
	b = malloc(n + 1);
	jy_fs_send(s, b);
	CHECK(jy_fs_recv_header(b, n, &nsteps, &total, &err) == JY_CODEC_OK);
	CHECK(nsteps == 3 && total == 3);
	r = malloc(JY_FS_SIZE(nsteps, total));
	CHECK(jy_fs_recv(b, n, r, &err) == JY_CODEC_OK);
	CHECK(memcmp((char *) r + 4, (char *) s + 4, size - 4) == 0);
	/* nothing may follow; truncations; a bad step count */
	b[n] = 0;
	CHECK(jy_fs_recv(b, n + 1, r, &err) == JY_CODEC_EINVALID);
	CHECK(strcmp(err.msg, "Declared 3 histogram entries, but the message holds 25 bytes for them.") == 0);
	CHECK(jy_fs_recv_header(b, 1, &nsteps, &total, &err) == JY_CODEC_ETRUNC);
	CHECK(strcmp(err.msg, "no data left in message") == 0);
	CHECK(jy_fs_recv_header(b, 12, &nsteps, &total, &err) == JY_CODEC_ETRUNC);
	CHECK(strcmp(err.msg, "insufficient data left in message") == 0);
	CHECK(jy_fs_recv_header(b, 16 + 35, &nsteps, &total, &err) == JY_CODEC_EINVALID);
	CHECK(strcmp(err.msg, "Declared 3 steps, which is out of range or more than the message holds.") == 0);
	b[16 + 24 + 4 + 1] = 0xff;	/* nent[1] = 0x00ff0002 */
	CHECK(jy_fs_recv_header(b, n, &nsteps, &total, &err) == JY_CODEC_EINVALID);
	CHECK(strcmp(err.msg, "Step 2 declares 16711682 histogram entries.") == 0);
	free(b);
	free(r);
	free(s);
}

/* a summary of nsteps built user by user, alternating in-place and rebuilt additions */
static JyFunnelSummary *
build(uint32_t nsteps, int nusers, unsigned seed, JyCodecError *err)
{
	JyFunnelSummary *s = malloc(JY_FS_SIZE(nsteps, 0));
	int			u;

	jy_fs_init(s, nsteps, 0);
	for (u = 0; u < nusers; u++)
	{
		uint32_t	bk[8];
		int			lv,
					k;
		size_t		miss;

		seed = seed * 1103515245u + 12345u;
		lv = (int) ((seed >> 16) % (nsteps + 1));
		for (k = 1; k < lv; k++)
		{
			seed = seed * 1103515245u + 12345u;
			bk[k] = (seed >> 16) % 40;
		}
		miss = jy_fs_missing(s, lv, bk);
		if (miss > 0)
		{
			JyFunnelSummary *r = malloc(JY_FS_SIZE(nsteps, jy_fs_total(s) + miss));

			jy_fs_init(r, nsteps, jy_fs_total(s) + miss);
			if (jy_fs_add_user(r, s, lv, bk, err) != JY_CODEC_OK)
				return NULL;
			free(s);
			s = r;
		}
		else if (jy_fs_add_user(s, s, lv, bk, err) != JY_CODEC_OK)
			return NULL;
	}
	return s;
}

static void
test_add_and_merge(void)
{
	JyCodecError err;
	JyFunnelSummary *a = build(4, 300, 1, &err),
			   *b = build(4, 500, 2, &err),
			   *r;
	size_t		used;
	char	   *out;

	CHECK(a && b);
	CHECK(jy_fs_validate(a, JY_FS_SIZE(4, jy_fs_total(a)), &err) == JY_CODEC_OK);
	CHECK(jy_fs_validate(b, JY_FS_SIZE(4, jy_fs_total(b)), &err) == JY_CODEC_OK);
	CHECK_EQ_I64(a->users, 300);
	CHECK(JY_FS_REACHED(a)[0] <= 300 && JY_FS_REACHED(a)[3] > 0);
	r = malloc(JY_FS_SIZE(4, jy_fs_total(a) + jy_fs_total(b)));
	jy_fs_init(r, 4, jy_fs_total(a) + jy_fs_total(b));
	CHECK(jy_fs_merge(r, a, b, &used, &err) == JY_CODEC_OK);
	CHECK(used == JY_FS_SIZE(4, jy_fs_total(r)));
	CHECK(jy_fs_validate(r, used, &err) == JY_CODEC_OK);
	CHECK_EQ_I64(r->users, 800);
	CHECK_EQ_I64(JY_FS_REACHED(r)[2], JY_FS_REACHED(a)[2] + JY_FS_REACHED(b)[2]);
	out = print(r);
	CHECK(out != NULL);
	free(out);
	free(r);
	/* overflow messages */
	a->users = INT64_MAX;
	CHECK(jy_fs_add_user(a, a, 0, NULL, &err) == JY_CODEC_EOVERFLOW);
	CHECK(strcmp(err.msg, "funnel_summary user count out of range") == 0);
	free(a);
	free(b);
	{
		size_t		size;
		uint32_t	bk[2] = {0, 14335};

		a = parse("{\"v\":1,\"users\":1125899906842623,\"reached\":[1125899906842623,1125899906842623],\"hist\":[[],[[14335,1125899906842623]]]}", &err, &size);
		CHECK(a != NULL);
		CHECK_EQ_I64(jy_fs_missing(a, 2, bk), 0);
		CHECK(jy_fs_add_user(a, a, 2, bk, &err) == JY_CODEC_EOVERFLOW);
		CHECK(strcmp(err.msg, "funnel_summary histogram count out of range") == 0);
		r = malloc(JY_FS_SIZE(2, 2));
		jy_fs_init(r, 2, 2);
		CHECK(jy_fs_merge(r, a, a, &used, &err) == JY_CODEC_EOVERFLOW);
		CHECK(strcmp(err.msg, "funnel_summary histogram count out of range while merging") == 0);
		free(r);
		free(a);
	}
}

int
main(void)
{
	RUN(test_text_roundtrip);
	RUN(test_text_errors);
	RUN(test_step_limit);
	RUN(test_binary);
	RUN(test_add_and_merge);
	UNIT_DONE();
}
