/* Unit tests of the journey_markov_chain codec (src/engine/markov_chain.c). */
#include "unit.h"
#include "markov_chain.h"

/* both passes of the text parser; NULL on an error (err set) */
static JyMkFlat *
parse(const char *txt, size_t *size, JyCodecError *err)
{
	JyMkFlat	hdr;
	JyMkFlat   *f;

	if (jy_mkc_parse_text(txt, &hdr, NULL, size, NULL, NULL, err) != JY_CODEC_OK)
		return NULL;
	f = calloc(1, *size);
	if (jy_mkc_parse_text(txt, &hdr, f, size, NULL, NULL, err) != JY_CODEC_OK)
	{
		free(f);
		return NULL;
	}
	return f;
}

static char *
print(const JyMkFlat *f)
{
	size_t		n = jy_mkc_print_text(f, NULL, NULL, NULL);
	char	   *out = malloc(n + 1);

	if (jy_mkc_print_text(f, out, NULL, NULL) != n || strlen(out) != n)
	{
		free(out);
		return NULL;
	}
	return out;
}

static const char *const valid[] = {
	"{\"version\":1,\"order\":1,\"paths\":0,\"conversions\":0,\"revenue\":0,\"channels\":[],\"transitions\":[]}",
	"{\"version\":1,\"order\":1,\"paths\":2,\"conversions\":1,\"revenue\":2.5,\"channels\":[\"a\",\"b \\\"q\\\"\\u0001\"],\"transitions\":[[0,1,2],[1,-2,1],[1,2,1],[2,-1,1]]}",
	"{\"version\":1,\"order\":2,\"paths\":3,\"conversions\":2,\"revenue\":2,\"channels\":[\"A\",\"B\"],\"transitions\":[[0,0,1,2],[0,0,2,1],[0,1,-1,1],[0,1,2,1],[0,2,1,1],[1,2,-1,1],[2,1,-2,1]]}",
	"{\"version\":1,\"order\":1,\"paths\":9223372036854775807,\"conversions\":0,\"revenue\":-1.0000000000000001e+300,\"channels\":[\"\\\\\\u007f\"],\"transitions\":[[1,-2,9223372036854775807]]}",
};

static void
test_text_roundtrip(void)
{
	size_t		i;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
	{
		JyCodecError err;
		size_t		size = 0;
		JyMkFlat   *f = parse(valid[i], &size, &err);
		char	   *out;

		CHECK(f != NULL);
		CHECK_EQ_I64(size, jy_mkc_size(f->order, f->ngrams, (int64_t) size - (int64_t) jy_mkc_size(f->order, f->ngrams, 0, f->nchannels), f->nchannels));
		CHECK(jy_mkc_validate(f, size, NULL, NULL, &err) == JY_CODEC_OK);
		out = print(f);
		CHECK(out != NULL && strcmp(out, valid[i]) == 0);
		free(out);
		free(f);
	}
}

static void
test_binary_roundtrip(void)
{
	size_t		i;

	for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
	{
		JyCodecError err;
		size_t		size = 0,
					size2 = 0,
					used = 0,
					bl;
		JyMkFlat   *f = parse(valid[i], &size, &err),
				   *g,
					hdr;
		uint8_t    *bin;

		CHECK(f != NULL);
		bl = jy_mkc_send_size(f);
		bin = malloc(bl);
		jy_mkc_send(f, bin);
		/* header 44 bytes, the grams, the names with their lengths */
		CHECK_EQ_I64(bl, 44 + (size - sizeof(JyMkFlat)));
		CHECK(jy_mkc_recv(bin, bl, &hdr, NULL, &size2, &used, &err) == JY_CODEC_OK);
		CHECK_EQ_I64(size2, size);
		g = calloc(1, size2);
		CHECK(jy_mkc_recv(bin, bl, &hdr, g, &size2, &used, &err) == JY_CODEC_OK);
		CHECK_EQ_I64(used, bl);
		CHECK(memcmp((char *) f + 4, (char *) g + 4, size - 4) == 0);
		/* cut short: 08P01's message; one byte more: trailing bytes */
		CHECK(jy_mkc_recv(bin, bl - 1, &hdr, NULL, &size2, &used, &err) != JY_CODEC_OK || (jy_mkc_recv(bin, bl - 1, &hdr, g, &size2, &used, &err) != JY_CODEC_OK));
		CHECK(jy_mkc_recv(bin, 0, &hdr, NULL, &size2, &used, &err) == JY_CODEC_ETRUNC);
		CHECK(strcmp(err.msg, "no data left in message") == 0);
		CHECK(jy_mkc_recv(bin, 3, &hdr, NULL, &size2, &used, &err) == JY_CODEC_ETRUNC);
		CHECK(strcmp(err.msg, "insufficient data left in message") == 0);
		free(bin);
		free(f);
		free(g);
	}
}

/* a text that parses but breaks a rule: the reason (as the SQL detail) */
static const char *
reason(const char *txt, JyCodecStatus *st)
{
	static JyCodecError err;
	size_t		size = 0;
	JyMkFlat   *f = parse(txt, &size, &err);

	if (f == NULL)
	{
		*st = err.status;
		return err.msg;
	}
	*st = jy_mkc_validate(f, size, NULL, NULL, &err);
	free(f);
	return *st == JY_CODEC_OK ? "" : err.msg;
}

static void
test_rules(void)
{
	JyCodecStatus st;

	CHECK(strcmp(reason("{\"version\":1,\"order\":1,\"paths\":1,\"conversions\":1,\"revenue\":0,\"channels\":[\"b\",\"a\"],\"transitions\":[]}", &st),
				 "Channel names are not strictly increasing.") == 0 && st == JY_CODEC_EINVALID);
	CHECK(strcmp(reason("{\"version\":1,\"order\":1,\"paths\":1,\"conversions\":1,\"revenue\":0,\"channels\":[\"a\"],\"transitions\":[[1,-1,1],[0,1,1]]}", &st),
				 "Transitions are not strictly increasing.") == 0);
	CHECK(strcmp(reason("{\"version\":1,\"order\":1,\"paths\":1,\"conversions\":2,\"revenue\":0,\"channels\":[],\"transitions\":[]}", &st),
				 "Path and conversion counts must be non-negative, conversions at most paths.") == 0);
	CHECK(strcmp(reason("{\"version\":1,\"order\":1,\"paths\":1,\"conversions\":1,\"revenue\":0,\"channels\":[\"a\"],\"transitions\":[[0,2,1]]}", &st),
				 "A next symbol is out of range (a channel, -1 conversion or -2 null).") == 0);
	CHECK(strcmp(reason("{\"version\":1,\"order\":2,\"paths\":1,\"conversions\":1,\"revenue\":0,\"channels\":[\"a\"],\"transitions\":[[1,0,-1,1]]}", &st),
				 "A state symbol is out of range (start padding 0 only before the channels).") == 0);
	CHECK(strcmp(reason("{\"version\":2,\"order\":1}", &st), "Unknown version.") == 0 && st == JY_CODEC_EINVALID);
	CHECK(strcmp(reason("{\"version\":1,\"order\":5}", &st), "Allowed values are 1 to 4.") == 0 && st == JY_CODEC_ERANGE);
	CHECK(strcmp(reason("{\"version\":1,\"order\":1,\"paths\":1,\"conversions\":1,\"revenue\":0,\"channels\":[\"a\\u0000\"],\"transitions\":[]}", &st),
				 "Expected an escape \\u0001 to \\u007f at character 77.") == 0 && st == JY_CODEC_ESYNTAX);
	CHECK(strcmp(reason("{\"version\":1,\"order\":1,\"paths\":0,\"conversions\":0,\"revenue\":0,\"channels\":[] ,\"transitions\":[] } x", &st),
				 "Expected end of input at character 96.") == 0 && st == JY_CODEC_ESYNTAX);
}

int
main(void)
{
	RUN(test_text_roundtrip);
	RUN(test_binary_roundtrip);
	RUN(test_rules);
	UNIT_DONE();
}
