/*
 * libFuzzer target: kmeans_model text input (jy_kmm_parse_header, then
 * jy_kmm_parse_body into a value of exactly the size the header announces).
 * Properties: no crash; a status is one of the documented ones with a
 * sentence; an accepted text is valid, prints (within jy_kmm_text_bound)
 * back to a text that parses to the same bytes and prints identically; its
 * binary form decodes to the same bytes.
 *
 * A header announcing a value above 4 MB is not read further: the glue
 * allocates it (up to 82 MB for k = 10000, dims = 1024) before reading the
 * arrays, but within -max_len no text can fill it, and the body's code paths
 * are the same for every size.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans_model.h"

#define BODY_LIMIT ((size_t) 4 << 20)

static bool
text_status(JyCodecStatus st)
{
	return st == JY_CODEC_ESYNTAX || st == JY_CODEC_ERANGE || st == JY_CODEC_EVERSION ||
		st == JY_CODEC_EINVALID;
}

/* parse a whole text into a fresh value (NULL when rejected) */
static JyKmModel *
parse(const char *str, JyCodecError *err)
{
	JyTs		ts;
	JyKmModel	h;
	JyKmModel  *m;

	jy_ts_init(&ts, str);
	if (jy_kmm_parse_header(&ts, &h, err) != JY_CODEC_OK)
		return NULL;
	m = malloc(jy_kmm_size(h.k, h.dims));
	if (jy_kmm_parse_body(&ts, &h, m, err, NULL, NULL) != JY_CODEC_OK)
	{
		free(m);
		return NULL;
	}
	return m;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *str = malloc(size + 1);
	JyTs		ts;
	JyKmModel	h;
	JyKmModel  *m,
			   *m2,
			   *m3;
	JyCodecError err;
	JyCodecStatus st;
	size_t		vsize,
				bound,
				tl,
				bl;
	char	   *text,
			   *text2;
	uint8_t    *bin;

	memcpy(str, data, size);
	str[size] = '\0';
	jy_ts_init(&ts, str);
	st = jy_kmm_parse_header(&ts, &h, &err);
	if (st != JY_CODEC_OK)
	{
		if (st != err.status || !text_status(st) || st == JY_CODEC_EINVALID ||
			err.pos > size || strlen(err.msg) == 0)
			__builtin_trap();
		free(str);
		return 0;
	}
	if (h.k < 1 || h.k > JY_KM_MAX_K || h.dims < 1 || h.dims > JY_KM_MAX_DIMS)
		__builtin_trap();
	vsize = jy_kmm_size(h.k, h.dims);
	if (vsize > BODY_LIMIT)
	{
		free(str);
		return 0;
	}
	m = malloc(vsize);
	st = jy_kmm_parse_body(&ts, &h, m, &err, NULL, NULL);
	if (st != JY_CODEC_OK)
	{
		if (st != err.status || !text_status(st) || st == JY_CODEC_EVERSION ||
			err.pos > size || strlen(err.msg) == 0)
			__builtin_trap();
		free(m);
		free(str);
		return 0;
	}
	if (m->k != h.k || m->dims != h.dims || jy_kmm_validate(m, &err) != JY_CODEC_OK)
		__builtin_trap();

	/* text round trip */
	bound = jy_kmm_text_bound(m->k, m->dims);
	text = malloc(bound);
	tl = jy_kmm_print(m, text, NULL, NULL);
	if (tl >= bound || strlen(text) != tl)
		__builtin_trap();
	m2 = parse(text, &err);
	if (m2 == NULL || memcmp((char *) m + 4, (char *) m2 + 4, vsize - 4) != 0)
		__builtin_trap();
	text2 = malloc(bound);
	if (jy_kmm_print(m2, text2, NULL, NULL) != tl || strcmp(text, text2) != 0)
		__builtin_trap();

	/* binary round trip */
	bl = jy_kmm_send_size(m);
	bin = malloc(bl);
	jy_kmm_send(m, bin);
	m3 = malloc(vsize);
	if (jy_kmm_recv_header(bin, bl, &h, &err) != JY_CODEC_OK || h.k != m->k || h.dims != m->dims ||
		jy_kmm_recv_body(bin, bl, &h, m3, &err) != JY_CODEC_OK ||
		memcmp((char *) m + 4, (char *) m3 + 4, vsize - 4) != 0)
		__builtin_trap();

	free(str);
	free(m);
	free(m2);
	free(m3);
	free(text);
	free(text2);
	free(bin);
	return 0;
}
