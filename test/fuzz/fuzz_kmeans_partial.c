/*
 * libFuzzer target: the kmeans_partial decoders (jy_kmp_parse_header /
 * jy_kmp_parse for text, jy_kmp_decode_header / jy_kmp_decode for binary).
 * Byte 0 picks the decoder (even: text, odd: binary), the rest is the input.
 * Properties: no crash, no read outside the input; an accepted value is valid
 * (jy_kmp_check), prints to a text that parses to the same bytes, encodes to
 * a binary form that decodes to the same bytes (binary: the input itself);
 * merging an accepted value with itself either is refused with a reason or
 * gives a valid value.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/engine \
 *         test/fuzz/fuzz_kmeans_partial.c src/engine/[every].c -lm
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kmeans_dist.h"

static void
check_value(const JyKmPartial *p, const uint8_t *bin_in, size_t bin_len)
{
	size_t		sz = jy_kmp_size(p->k, p->dims);
	size_t		wl = jy_kmp_wire_size(p->k, p->dims);
	char	   *txt = malloc(jy_kmp_text_bound(p->k, p->dims));
	uint8_t    *bin = malloc(wl);
	JyKmPartial *q = malloc(sz);
	JyKmpErr	e;
	int			kind,
				k,
				d;
	size_t		len;

	if (jy_kmp_check(p) != NULL)
		abort();
	len = jy_kmp_print(p, txt);
	if (len + 1 > jy_kmp_text_bound(p->k, p->dims))
		abort();
	if (jy_kmp_parse_header(txt, &kind, &k, &d, &e) != JY_KMP_OK || k != p->k || d != p->dims || kind != p->kind)
		abort();
	memset(q, 0xAB, sz);
	q->vl_len_ = p->vl_len_;
	if (jy_kmp_parse(txt, q, &e) != JY_KMP_OK || memcmp(p, q, sz) != 0)
		abort();
	jy_kmp_encode(p, bin);
	if (bin_in && (bin_len != wl || memcmp(bin, bin_in, wl) != 0))
		abort();
	memset(q, 0xCD, sz);
	q->vl_len_ = p->vl_len_;
	if (jy_kmp_decode(bin, wl, q, &e) != JY_KMP_OK || memcmp(p, q, sz) != 0)
		abort();
	/* self-merge: refused with a reason, or valid */
	memcpy(q, p, sz);
	if (jy_kmp_merge(q, p) == NULL && jy_kmp_check(q) != NULL)
		abort();
	free(txt);
	free(bin);
	free(q);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	JyKmpErr	e;
	int			kind,
				k,
				d;
	JyKmPartial *p;

	if (size < 1)
		return 0;
	if ((data[0] & 1) == 0)
	{
		char	   *s = malloc(size);

		memcpy(s, data + 1, size - 1);
		s[size - 1] = '\0';
		if (jy_kmp_parse_header(s, &kind, &k, &d, &e) == JY_KMP_OK)
		{
			/* keep the fuzzer's memory bounded: the header alone may ask for 80 MB */
			if ((size_t) k * d <= 65536)
			{
				p = malloc(jy_kmp_size(k, d));
				p->vl_len_ = 0;
				if (jy_kmp_parse(s, p, &e) == JY_KMP_OK)
					check_value(p, NULL, 0);
				else if (e.what == NULL)
					abort();
				free(p);
			}
		}
		else if (e.what == NULL)
			abort();
		free(s);
	}
	else
	{
		const uint8_t *b = data + 1;
		size_t		len = size - 1;
		uint8_t    *copy = malloc(len ? len : 1);

		memcpy(copy, b, len);
		if (jy_kmp_decode_header(copy, len, &kind, &k, &d, &e) == JY_KMP_OK)
		{
			p = malloc(jy_kmp_size(k, d));
			p->vl_len_ = 0;
			if (jy_kmp_decode(copy, len, p, &e) == JY_KMP_OK)
				check_value(p, copy, len);
			else if (e.what == NULL)
				abort();
			free(p);
		}
		else if (e.what == NULL)
			abort();
		free(copy);
	}
	return 0;
}
