/*
 * libFuzzer target: journey_markov_chain binary input (jy_mkc_recv,
 * jy_mkc_validate).
 * Properties: no crash with a value buffer of exactly the size the measuring
 * pass announces; a status is one of the documented ones; an accepted and
 * valid message uses every byte, re-encodes to the bytes read, and its text
 * form parses back to the same value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "markov_chain.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	JyCodecError err;
	JyMkFlat	hdr;
	JyMkFlat   *f;
	size_t		fs = 0,
				used = 0;
	JyCodecStatus st;

	st = jy_mkc_recv(data, size, &hdr, NULL, &fs, &used, &err);
	if (st != JY_CODEC_OK)
	{
		if (st != err.status || (st != JY_CODEC_ETRUNC && st != JY_CODEC_EINVALID))
			__builtin_trap();
		return 0;
	}
	if (fs < sizeof(JyMkFlat) || fs > JY_MKC_MAX_BYTES + sizeof(JyMkFlat))
		__builtin_trap();
	f = calloc(1, fs);
	st = jy_mkc_recv(data, size, &hdr, f, &fs, &used, &err);
	if (st == JY_CODEC_OK)
	{
		if (used != size)
			__builtin_trap();
		if (jy_mkc_validate(f, fs, NULL, NULL, &err) == JY_CODEC_OK)
		{
			size_t		bl = jy_mkc_send_size(f),
						tl = jy_mkc_print_text(f, NULL, NULL, NULL),
						fs2 = 0;
			uint8_t    *bin = malloc(bl);
			char	   *text = malloc(tl + 1);
			JyMkFlat   *f2;

			if (bl != size)
				__builtin_trap();
			jy_mkc_send(f, bin);
			if (memcmp(bin, data, bl) != 0)
				__builtin_trap();
			jy_mkc_print_text(f, text, NULL, NULL);
			if (jy_mkc_parse_text(text, &hdr, NULL, &fs2, NULL, NULL, &err) != JY_CODEC_OK || fs2 != fs)
				__builtin_trap();
			f2 = calloc(1, fs2);
			if (jy_mkc_parse_text(text, &hdr, f2, &fs2, NULL, NULL, &err) != JY_CODEC_OK ||
				memcmp((char *) f + 4, (char *) f2 + 4, fs - 4) != 0)
				__builtin_trap();
			free(f2);
			free(bin);
			free(text);
		}
		else if (err.status != JY_CODEC_EINVALID)
			__builtin_trap();
	}
	else if (st != err.status || (st != JY_CODEC_ETRUNC && st != JY_CODEC_EINVALID))
		__builtin_trap();
	free(f);
	return 0;
}
