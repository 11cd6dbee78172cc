/* Unit tests of the kmeans_model codec (src/engine/kmeans_model.c). */
#include <math.h>

#include "unit.h"
#include "kmeans_model.h"

/* the doc's example (doc/kmeans.md, "The kmeans_model value") */
static const char *EXAMPLE =
"{\"v\":1,\"k\":2,\"dims\":1,\"n\":3,\"standardized\":false,\"converged\":true,\"iterations\":1,\"n_init\":1,"
"\"seed\":0,\"tol\":0,\"inertia\":0.5,\"silhouette\":null,\"mean\":[0],\"scale\":[1],\"sizes\":[2,1],"
"\"within\":[0.5,0],\"centers\":[[0.5],[10]]}";

/* parse a text into a value of exactly the announced size (NULL when rejected) */
static JyKmModel *
parse(const char *txt, JyCodecError *err)
{
	JyTs		ts;
	JyKmModel	h;
	JyKmModel  *m;

	jy_ts_init(&ts, txt);
	if (jy_kmm_parse_header(&ts, &h, err) != JY_CODEC_OK)
		return NULL;
	m = malloc(jy_kmm_size(h.k, h.dims));
	memset(m, 0xAA, jy_kmm_size(h.k, h.dims));	/* every byte must be written */
	if (jy_kmm_parse_body(&ts, &h, m, err, NULL, NULL) != JY_CODEC_OK)
	{
		free(m);
		return NULL;
	}
	return m;
}

static char *
print(const JyKmModel *m)
{
	size_t		bound = jy_kmm_text_bound(m->k, m->dims);
	char	   *out = malloc(bound);
	size_t		n = jy_kmm_print(m, out, NULL, NULL);

	if (n >= bound || strlen(out) != n)
	{
		free(out);
		return NULL;
	}
	return out;
}

static void
test_layout(void)
{
	/* the stored format of 0.1.0: header 64 bytes, arrays after it */
	CHECK_EQ_I64(JY_KMM_HDRSZ, 64);
	CHECK_EQ_I64(offsetof(JyKmModel, n), 24);
	CHECK_EQ_I64(offsetof(JyKmModel, silhouette), 56);
	CHECK_EQ_I64(jy_kmm_size(2, 3), 64 + 2 * 8 + (2 * 3 + 2 + 2 * 3) * 8);
}

static void
test_text_roundtrip(void)
{
	JyCodecError err;
	JyKmModel  *m = parse(EXAMPLE, &err);
	char	   *out;

	CHECK(m != NULL);
	CHECK(m->k == 2 && m->dims == 1 && m->n == 3 && isnan(m->silhouette));
	CHECK(jy_kmm_sizes(m)[0] == 2 && jy_kmm_centers(m)[1] == 10.0);
	out = print(m);
	CHECK(out != NULL && strcmp(out, EXAMPLE) == 0);
	free(out);
	free(m);
	/* white space between tokens, subnormal and -0 kept */
	m = parse(" {\"v\" : 1,\"k\":1,\"dims\":2,\"n\":1,\"standardized\":false,\"converged\":false,\"iterations\":0,"
			  "\"n_init\":1,\"seed\":-9223372036854775808,\"tol\":4.9406564584124654e-324,\"inertia\":0,"
			  "\"silhouette\":-1,\"mean\":[0,0],\"scale\":[1,1],\"sizes\":[1],\"within\":[0],"
			  "\"centers\":[[-0,1e+100]]}\n", &err);
	CHECK(m != NULL);
	CHECK(signbit(jy_kmm_centers(m)[0]) && m->tol > 0.0 && m->seed == INT64_MIN);
	out = print(m);
	CHECK(out != NULL && strstr(out, "\"centers\":[[-0,1e+100]]") != NULL &&
		  strstr(out, "\"tol\":4.9406564584124654e-324") != NULL && out[0] == '{');
	free(out);
	free(m);
}

static void
test_text_errors(void)
{
	JyCodecError err;
	char		buf[1024];

	CHECK(parse("", &err) == NULL && err.status == JY_CODEC_ESYNTAX);
	CHECK(strcmp(err.msg, "Expected '{' at character 1.") == 0);
	CHECK(parse("{\"v\":2}", &err) == NULL && err.status == JY_CODEC_EVERSION && err.value == 2);
	CHECK(strcmp(err.msg, "This version of journey reads version 1.") == 0);
	CHECK(parse("{\"v\":256}", &err) == NULL && err.status == JY_CODEC_ERANGE && err.pos == 5);
	CHECK(parse("{\"v\":1,\"k\":0}", &err) == NULL && err.status == JY_CODEC_ERANGE);
	CHECK(strcmp(err.msg, "Allowed values are 1 to 10000.") == 0);
	/* trailing input */
	snprintf(buf, sizeof(buf), "%s x", EXAMPLE);
	CHECK(parse(buf, &err) == NULL && err.status == JY_CODEC_ESYNTAX);
	CHECK(strstr(err.msg, "Expected end of input") != NULL);
	/* a number that underflows to zero is out of range, NaN has no spelling */
	strcpy(buf, EXAMPLE);
	memcpy(strstr(buf, "0.5,0]"), "1e-9999", 7);
	CHECK(parse(buf, &err) == NULL && err.status == JY_CODEC_ERANGE);
	/* validation: sizes that do not add up */
	strcpy(buf, EXAMPLE);
	strstr(buf, "[2,1]")[1] = '1';
	CHECK(parse(buf, &err) == NULL && err.status == JY_CODEC_EINVALID);
	CHECK(strcmp(err.msg, "Cluster sizes do not add up to n.") == 0);
}

/* a valid one-dimensional model of k clusters with the given sizes */
static JyKmModel *
model(int k, int64_t n, const int64_t *sizes)
{
	JyKmModel  *m = malloc(jy_kmm_size(k, 1));

	jy_kmm_init(m, k, 1);
	m->n = n;
	m->n_init = 1;
	m->silhouette = NAN;
	jy_kmm_scale(m)[0] = 1.0;
	for (int a = 0; a < k; a++)
	{
		jy_kmm_sizes(m)[a] = sizes[a];
		jy_kmm_centers(m)[a] = a;
	}
	return m;
}

static void
test_validate(void)
{
	JyCodecError err;
	const int64_t ok[2] = {2, 1};
	const int64_t wrap[4] = {INT64_MAX, INT64_MAX, INT64_MAX, 2};
	JyKmModel  *m = model(2, 3, ok);

	CHECK(jy_kmm_validate(m, &err) == JY_CODEC_OK);
	m->reserved = 1;
	CHECK(jy_kmm_validate(m, &err) == JY_CODEC_EINVALID && strcmp(err.msg, "Reserved bits are set.") == 0);
	m->reserved = 0;
	m->flags = 4;
	CHECK(jy_kmm_validate(m, &err) == JY_CODEC_EINVALID);
	m->flags = 0;
	jy_kmm_mean(m)[0] = 1.0;
	CHECK(jy_kmm_validate(m, &err) == JY_CODEC_EINVALID &&
		  strcmp(err.msg, "An unstandardized model must have means 0 and scales 1.") == 0);
	m->flags = JY_KMM_STANDARDIZED;
	CHECK(jy_kmm_validate(m, &err) == JY_CODEC_OK);
	m->silhouette = 1.0000001;
	CHECK(jy_kmm_validate(m, &err) == JY_CODEC_EINVALID);
	m->silhouette = NAN;
	jy_kmm_centers(m)[1] = INFINITY;
	CHECK(jy_kmm_validate(m, &err) == JY_CODEC_EINVALID &&
		  strcmp(err.msg, "A centre coordinate is not finite.") == 0);
	free(m);

	/*
	 * Sizes whose sum wraps around int64 to exactly n: 3 (2^63 - 1) + 2 =
	 * 2^64 + 2^63 - 1.  The glue's check (before the codec moved to the
	 * engine) added them in int64 and, with -fwrapv, accepted this value.
	 */
	/* within-cluster sums whose sum overflows to infinity (also accepted before) */
	m = model(2, 3, ok);
	jy_kmm_within(m)[0] = jy_kmm_within(m)[1] = 1.5e308;
	m->inertia = 1e308;
	CHECK(jy_kmm_validate(m, &err) == JY_CODEC_EINVALID &&
		  strcmp(err.msg, "The within-cluster sums of squares do not add up to the inertia.") == 0);
	free(m);
	m = model(4, INT64_MAX, wrap);
	CHECK(jy_kmm_validate(m, &err) == JY_CODEC_EINVALID &&
		  strcmp(err.msg, "Cluster sizes do not add up to n.") == 0);
	free(m);
}

static void
test_binary(void)
{
	JyCodecError err;
	JyKmModel  *m = parse(EXAMPLE, &err),
			   *r;
	JyKmModel	h;
	size_t		n;
	uint8_t    *b;

	CHECK(m != NULL);
	n = jy_kmm_send_size(m);
	CHECK_EQ_I64(n, JY_KMM_WIRE_HDR + (2 + 2 + 2 + 2) * 8);
	b = malloc(n + 8);
	jy_kmm_send(m, b);
	/* canonical NaN, big-endian */
	CHECK(b[52] == 0x7F && b[53] == 0xF8 && b[59] == 0);
	CHECK(jy_kmm_recv_header(b, n, &h, &err) == JY_CODEC_OK);
	r = malloc(jy_kmm_size(h.k, h.dims));
	CHECK(jy_kmm_recv_body(b, n, &h, r, &err) == JY_CODEC_OK);
	CHECK(memcmp((char *) m + 4, (char *) r + 4, jy_kmm_size(2, 1) - 4) == 0);
	/* any NaN pattern in the silhouette reads as the canonical NaN */
	b[52] = 0xFF;
	b[59] = 0x01;
	CHECK(jy_kmm_recv_header(b, n, &h, &err) == JY_CODEC_OK &&
		  jy_kmm_recv_body(b, n, &h, r, &err) == JY_CODEC_OK);
	CHECK(memcmp((char *) m + 4, (char *) r + 4, jy_kmm_size(2, 1) - 4) == 0);
	/* truncation: pq_getmsg*'s messages */
	CHECK(jy_kmm_recv_header(b, 0, &h, &err) == JY_CODEC_ETRUNC && strcmp(err.msg, "no data left in message") == 0);
	CHECK(jy_kmm_recv_header(b, 59, &h, &err) == JY_CODEC_ETRUNC &&
		  strcmp(err.msg, "insufficient data left in message") == 0);
	CHECK(jy_kmm_recv_header(b, n - 1, &h, &err) == JY_CODEC_EINVALID &&
		  strcmp(err.msg, "The message holds 63 bytes after the header; 64 were expected.") == 0);
	b[0] = 2;
	CHECK(jy_kmm_recv_header(b, n, &h, &err) == JY_CODEC_EINVALID &&
		  strcmp(err.msg, "Version 2, k 2 or dims 1 is not supported.") == 0);
	free(b);
	free(r);
	free(m);
}

int
main(void)
{
	RUN(test_layout);
	RUN(test_text_roundtrip);
	RUN(test_text_errors);
	RUN(test_validate);
	RUN(test_binary);
	UNIT_DONE();
}
