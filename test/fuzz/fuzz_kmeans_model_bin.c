/*
 * libFuzzer target: kmeans_model binary input (jy_kmm_recv_header, then
 * jy_kmm_recv_body into a value of exactly the announced size).
 * Properties: no crash; rejections are ETRUNC or EINVALID with a sentence;
 * an accepted message re-encodes to exactly the input bytes, except that a
 * NaN silhouette of any bit pattern comes back as the canonical NaN; its
 * text form (within jy_kmm_text_bound) parses back to the same value.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans_model.h"

/* byte offset of the silhouette in the binary form */
#define SIL_OFF 52

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	JyKmModel	h,
				h2;
	JyKmModel  *m,
			   *m2;
	JyCodecError err;
	JyCodecStatus st;
	size_t		vsize,
				bl,
				bound,
				tl;
	uint8_t    *bin;
	char	   *text;
	JyTs		ts;

	st = jy_kmm_recv_header(data, size, &h, &err);
	if (st != JY_CODEC_OK)
	{
		if (st != err.status || (st != JY_CODEC_ETRUNC && st != JY_CODEC_EINVALID) ||
			strlen(err.msg) == 0)
			__builtin_trap();
		return 0;
	}
	vsize = jy_kmm_size(h.k, h.dims);
	m = malloc(vsize);
	st = jy_kmm_recv_body(data, size, &h, m, &err);
	if (st != JY_CODEC_OK)
	{
		if (st != err.status || st != JY_CODEC_EINVALID || strlen(err.msg) == 0)
			__builtin_trap();
		free(m);
		return 0;
	}

	/* binary: the bytes read, with the canonical NaN for any NaN silhouette */
	bl = jy_kmm_send_size(m);
	if (bl != size)
		__builtin_trap();
	bin = malloc(bl);
	jy_kmm_send(m, bin);
	{
		uint64_t	in = 0;
		int			i;

		for (i = 0; i < 8; i++)
			in = (in << 8) | data[SIL_OFF + i];
		if (memcmp(bin, data, SIL_OFF) != 0 ||
			memcmp(bin + SIL_OFF + 8, data + SIL_OFF + 8, bl - SIL_OFF - 8) != 0)
			__builtin_trap();
		if ((in & UINT64_C(0x7FF0000000000000)) == UINT64_C(0x7FF0000000000000) &&
			(in & UINT64_C(0x000FFFFFFFFFFFFF)) != 0)
		{
			static const uint8_t canon[8] = {0x7F, 0xF8, 0, 0, 0, 0, 0, 0};

			if (memcmp(bin + SIL_OFF, canon, 8) != 0 || !isnan(m->silhouette))
				__builtin_trap();
		}
		else if (memcmp(bin + SIL_OFF, data + SIL_OFF, 8) != 0)
			__builtin_trap();
	}

	/* text round trip */
	bound = jy_kmm_text_bound(m->k, m->dims);
	text = malloc(bound);
	tl = jy_kmm_print(m, text, NULL, NULL);
	if (tl >= bound || strlen(text) != tl)
		__builtin_trap();
	jy_ts_init(&ts, text);
	m2 = malloc(vsize);
	if (jy_kmm_parse_header(&ts, &h2, &err) != JY_CODEC_OK || h2.k != m->k || h2.dims != m->dims ||
		jy_kmm_parse_body(&ts, &h2, m2, &err, NULL, NULL) != JY_CODEC_OK ||
		memcmp((char *) m + 4, (char *) m2 + 4, vsize - 4) != 0)
		__builtin_trap();

	free(m);
	free(m2);
	free(bin);
	free(text);
	return 0;
}
