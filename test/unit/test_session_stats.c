/* Unit tests of the session_stats codec and the summary types' text scanner. */
#include "unit.h"
#include "session_stats.h"

static JySessionStats *
parse(const char *txt, JyCodecError *err)
{
	uint32_t	cap = jy_ss_text_max_entries(txt);
	JySessionStats *s = malloc(JY_SS_SIZE(cap));

	memset(s, 0xAA, JY_SS_SIZE(cap));	/* every byte of the value must be written */
	if (jy_ss_parse_text(txt, s, cap, err) != JY_CODEC_OK)
	{
		free(s);
		return NULL;
	}
	return s;
}

static char *
print(const JySessionStats *s)
{
	size_t		n = jy_ss_print_text(s, NULL);
	char	   *out = malloc(n + 1);

	if (jy_ss_print_text(s, out) != n || strlen(out) != n)
	{
		free(out);
		return NULL;
	}
	return out;
}

static void
test_text_roundtrip(void)
{
	const char *texts[] = {
		"{\"v\":1,\"sessions\":0,\"events\":0,\"bounces\":0,\"duration_us\":0,\"hist\":[]}",
		"{\"v\":1,\"sessions\":3,\"events\":7,\"bounces\":1,\"duration_us\":527,\"hist\":[[0,1],[263,1],[264,1]]}",
		"{\"v\":1,\"sessions\":1125899906842623,\"events\":1125899906842623,\"bounces\":1125899906842623,\"duration_us\":0,\"hist\":[[0,1125899906842623]]}",
		"{\"v\":1,\"sessions\":1,\"events\":2,\"bounces\":0,\"duration_us\":9223372036854775807,\"hist\":[[14335,1]]}",
	};
	size_t		i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
	{
		JyCodecError err;
		JySessionStats *s = parse(texts[i], &err);
		char	   *out;

		CHECK(s != NULL);
		out = print(s);
		CHECK(out != NULL && strcmp(out, texts[i]) == 0);
		free(out);
		free(s);
	}
	/* white space between tokens is allowed and not kept */
	{
		JyCodecError err;
		JySessionStats *s = parse(" { \"v\" : 1 ,\n\"sessions\":1,\"events\":1,\"bounces\":1,\"duration_us\":0,\"hist\":[ [ 0 , 1 ] ] } \t", &err);
		char	   *out;

		CHECK(s != NULL);
		out = print(s);
		CHECK(strcmp(out, "{\"v\":1,\"sessions\":1,\"events\":1,\"bounces\":1,\"duration_us\":0,\"hist\":[[0,1]]}") == 0);
		free(out);
		free(s);
	}
}

static void
test_text_errors(void)
{
	JyCodecError err;

	CHECK(parse("", &err) == NULL);
	CHECK_EQ_I64(err.status, JY_CODEC_ESYNTAX);
	CHECK(strcmp(err.msg, "Expected '{' at character 1.") == 0);
	CHECK(parse("{}", &err) == NULL);
	CHECK(strcmp(err.msg, "Expected '\"v\"' at character 2.") == 0);
	CHECK(parse("{\"v\":2,\"sessions\":0}", &err) == NULL);
	CHECK_EQ_I64(err.status, JY_CODEC_EVERSION);
	CHECK_EQ_I64(err.value, 2);
	CHECK(strcmp(err.msg, "This version of journey reads version 1.") == 0);
	CHECK(parse("{\"v\":256}", &err) == NULL);
	CHECK_EQ_I64(err.status, JY_CODEC_ERANGE);
	CHECK_EQ_I64(err.pos, 5);
	CHECK(strcmp(err.msg, "Allowed values are 0 to 255.") == 0);
	CHECK(parse("{\"v\":1,\"sessions\":-1,\"events\":0,\"bounces\":0,\"duration_us\":0,\"hist\":[]}", &err) == NULL);
	CHECK_EQ_I64(err.status, JY_CODEC_ERANGE);
	CHECK(strcmp(err.msg, "Allowed values are 0 to 9223372036854775807.") == 0);
	CHECK(parse("{\"v\":1,\"sessions\":0,\"events\":0,\"bounces\":0,\"duration_us\":0,\"hist\":[]} x", &err) == NULL);
	CHECK(strcmp(err.msg, "Expected end of input at character 71.") == 0);
	CHECK(parse("{\"v\":1,\"sessions\":1,\"events\":2,\"bounces\":0,\"duration_us\":5,\"hist\":[[+5,1]]}", &err) == NULL);
	CHECK(strcmp(err.msg, "Expected an integer at character 69.") == 0);
	/* rules */
	CHECK(parse("{\"v\":1,\"sessions\":1,\"events\":1,\"bounces\":2,\"duration_us\":0,\"hist\":[[0,1]]}", &err) == NULL);
	CHECK_EQ_I64(err.status, JY_CODEC_EINVALID);
	CHECK(strcmp(err.msg, "There are more bounces than sessions.") == 0);
	CHECK(parse("{\"v\":1,\"sessions\":1,\"events\":1,\"bounces\":0,\"duration_us\":0,\"hist\":[[0,1]]}", &err) == NULL);
	CHECK(strcmp(err.msg, "There are fewer events than the non-bounce sessions need.") == 0);
	CHECK(parse("{\"v\":1,\"sessions\":2,\"events\":2,\"bounces\":2,\"duration_us\":0,\"hist\":[[0,1]]}", &err) == NULL);
	CHECK(strcmp(err.msg, "Histogram counts do not add up to the number of sessions.") == 0);
	CHECK(parse("{\"v\":1,\"sessions\":2,\"events\":2,\"bounces\":2,\"duration_us\":0,\"hist\":[[1,1],[0,1]]}", &err) == NULL);
	CHECK(strcmp(err.msg, "Histogram entries are not strictly increasing, out of range or zero.") == 0);
	CHECK(parse("{\"v\":1,\"sessions\":1,\"events\":2,\"bounces\":0,\"duration_us\":5,\"hist\":[[14335,1]]}", &err) == NULL);
	CHECK(strncmp(err.msg, "The total duration 5 is outside the range ", 42) == 0);
}

static void
test_text_entry_limit(void)
{
	/* JY_SS_MAX_ENTRIES entries parse; one more is "no more histogram entries" */
	size_t		n = JY_SS_MAX_ENTRIES + 1,
				cap = 128 + n * 16,
				len;
	char	   *t = malloc(cap);
	uint32_t	i;
	JyCodecError err;
	JySessionStats *s;

	len = (size_t) snprintf(t, cap, "{\"v\":1,\"sessions\":%u,\"events\":%u,\"bounces\":%u,\"duration_us\":0,\"hist\":[",
							(unsigned) n, (unsigned) n, (unsigned) n);
	for (i = 0; i < n; i++)
		len += (size_t) snprintf(t + len, cap - len, "%s[%u,1]", i ? "," : "", i % JY_SS_MAX_ENTRIES);
	snprintf(t + len, cap - len, "]}");
	s = parse(t, &err);
	CHECK(s == NULL);
	CHECK_EQ_I64(err.status, JY_CODEC_ESYNTAX);
	CHECK(strstr(err.msg, "Expected no more histogram entries at character") == err.msg);
	free(t);
}

static void
test_binary(void)
{
	JyCodecError err;
	JySessionStats *s = parse("{\"v\":1,\"sessions\":3,\"events\":7,\"bounces\":1,\"duration_us\":527,\"hist\":[[0,1],[263,1],[264,1]]}", &err),
			   *r;
	size_t		n,
				used = 0;
	uint8_t    *b,
			   *b2;
	uint32_t	ne;

	CHECK(s != NULL);
	n = jy_ss_send_size(s);
	CHECK_EQ_I64(n, 40 + 3 * 8);
	b = malloc(n + 3);
	jy_ss_send(s, b);
	CHECK(b[0] == 1 && b[7] == 3);	/* version, big-endian nentries */
	CHECK(jy_ss_recv_header(b, n, &ne, &err) == JY_CODEC_OK && ne == 3);
	r = malloc(JY_SS_SIZE(ne));
	CHECK(jy_ss_recv(b, n, r, &used, &err) == JY_CODEC_OK);
	CHECK_EQ_I64(used, n);
	CHECK(memcmp((char *) r + 4, (char *) s + 4, JY_SS_SIZE(3) - 4) == 0);
	/* trailing bytes are left to the caller */
	memset(b + n, 0, 3);
	CHECK(jy_ss_recv(b, n + 3, r, &used, &err) == JY_CODEC_OK && used == n);
	/* truncations: as pq_getmsgbyte / pq_copymsgbytes say it */
	CHECK(jy_ss_recv_header(b, 0, &ne, &err) == JY_CODEC_ETRUNC);
	CHECK(strcmp(err.msg, "no data left in message") == 0);
	CHECK(jy_ss_recv_header(b, 3, &ne, &err) == JY_CODEC_ETRUNC);
	CHECK(strcmp(err.msg, "insufficient data left in message") == 0);
	CHECK(jy_ss_recv(b, 8 + 16, r, &used, &err) == JY_CODEC_EINVALID);
	CHECK(strcmp(err.msg, "Declared 3 histogram entries, more than the message holds.") == 0);
	CHECK(jy_ss_recv(b, n - 1, r, &used, &err) == JY_CODEC_ETRUNC);
	/* reserved bits */
	b2 = malloc(n);
	memcpy(b2, b, n);
	b2[1] = 1;
	CHECK(jy_ss_recv(b2, n, r, &used, &err) == JY_CODEC_EINVALID);
	CHECK(strcmp(err.msg, "Reserved bits are set.") == 0);
	free(b2);
	free(b);
	free(r);
	free(s);
}

static void
test_merge(void)
{
	JyCodecError err;
	JySessionStats *a = parse("{\"v\":1,\"sessions\":2,\"events\":5,\"bounces\":1,\"duration_us\":10,\"hist\":[[0,1],[10,1]]}", &err),
			   *b = parse("{\"v\":1,\"sessions\":2,\"events\":4,\"bounces\":0,\"duration_us\":30,\"hist\":[[10,1],[20,1]]}", &err),
			   *r;
	char	   *out;
	size_t		miss;

	CHECK(a && b);
	miss = jy_ss_missing_buckets(a, b);
	CHECK_EQ_I64(miss, 1);
	CHECK_EQ_I64(jy_ss_missing_buckets(b, a), 1);
	CHECK_EQ_I64(jy_ss_missing_buckets(a, a), 0);
	r = malloc(JY_SS_SIZE(a->nentries + miss));
	memcpy(r, a, JY_SS_SIZE(a->nentries));
	CHECK(jy_ss_merge(r, b, &err) == JY_CODEC_OK);
	CHECK(jy_ss_validate(r, &err) == JY_CODEC_OK);
	out = print(r);
	CHECK(strcmp(out, "{\"v\":1,\"sessions\":4,\"events\":9,\"bounces\":1,\"duration_us\":40,\"hist\":[[0,1],[10,2],[20,1]]}") == 0);
	free(out);
	/* overflow */
	r->duration_sum = INT64_MAX;
	CHECK(jy_ss_merge(r, b, &err) == JY_CODEC_EOVERFLOW);
	CHECK(strcmp(err.msg, "session_stats count or duration out of range while merging") == 0);
	free(r);
	free(a);
	free(b);
	a = parse("{\"v\":1,\"sessions\":1125899906842623,\"events\":1125899906842623,\"bounces\":1125899906842623,\"duration_us\":0,\"hist\":[[0,1125899906842623]]}", &err);
	b = parse("{\"v\":1,\"sessions\":1,\"events\":1,\"bounces\":1,\"duration_us\":0,\"hist\":[[0,1]]}", &err);
	CHECK(a && b);
	CHECK(jy_ss_merge(a, b, &err) == JY_CODEC_EOVERFLOW);
	CHECK(strcmp(err.msg, "session_stats histogram count out of range while merging") == 0);
	free(a);
	free(b);
}

static void
test_scanner_end(void)
{
	JyTs		sc;
	JyCodecError err;
	int64_t		v;

	jy_ts_init(&sc, ", \"k\" : 7 \n");
	CHECK(jy_ts_key(&sc, "k", true) && jy_ts_int(&sc, 0, 9, &v) && v == 7 && jy_ts_end(&sc));
	jy_ts_init(&sc, "7 x");
	CHECK(jy_ts_int(&sc, 0, 9, &v) && !jy_ts_end(&sc));
	CHECK(jy_codec_scan_failed(&err, &sc) == JY_CODEC_ESYNTAX);
	CHECK(strcmp(err.msg, "Expected end of input at character 3.") == 0 && err.pos == 2);
	jy_ts_init(&sc, "10");
	CHECK(!jy_ts_int(&sc, 0, 9, &v));
	CHECK(jy_codec_scan_failed(&err, &sc) == JY_CODEC_ERANGE);
	CHECK(strcmp(err.msg, "Allowed values are 0 to 9.") == 0 && err.pos == 0);
}

int
main(void)
{
	RUN(test_text_roundtrip);
	RUN(test_text_errors);
	RUN(test_text_entry_limit);
	RUN(test_binary);
	RUN(test_merge);
	RUN(test_scanner_end);
	UNIT_DONE();
}
