/*
 * libFuzzer target: journey_markov_chain text input (jy_mkc_parse_text,
 * jy_mkc_validate).
 * Properties: no crash; the measuring pass and the filling pass agree; a
 * status is one of the documented ones; an accepted and valid text prints
 * back to a text that parses to the same bytes and prints identically; its
 * binary form decodes to the same bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "markov_chain.h"

/* parse str (both passes) into a new value; NULL on an error (err set) */
static JyMkFlat *
parse(const char *str, size_t *size, JyCodecError *err)
{
	JyMkFlat	hdr,
				hdr2;
	JyMkFlat   *f;
	size_t		size2 = 0;

	*size = 0;
	if (jy_mkc_parse_text(str, &hdr, NULL, size, NULL, NULL, err) != JY_CODEC_OK)
		return NULL;
	if (*size < sizeof(JyMkFlat) || *size > JY_MKC_MAX_BYTES || hdr.vl_len_ != 0)
		__builtin_trap();
	f = calloc(1, *size);
	if (jy_mkc_parse_text(str, &hdr, f, &size2, NULL, NULL, err) != JY_CODEC_OK || size2 != *size)
		__builtin_trap();
	memcpy(&hdr2, f, sizeof(JyMkFlat));
	hdr2.vl_len_ = 0;
	if (memcmp(&hdr, &hdr2, sizeof(JyMkFlat)) != 0)
		__builtin_trap();
	return f;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *str = malloc(size + 1);
	JyMkFlat   *f,
			   *f2,
			   *f3;
	JyCodecError err;
	size_t		fs = 0,
				fs2 = 0,
				fs3 = 0;

	memcpy(str, data, size);
	str[size] = '\0';
	f = parse(str, &fs, &err);
	if (f == NULL)
	{
		if ((err.status != JY_CODEC_ESYNTAX && err.status != JY_CODEC_ERANGE &&
			 err.status != JY_CODEC_EINVALID) || err.pos > size || strlen(err.msg) == 0)
			__builtin_trap();
	}
	else if (jy_mkc_validate(f, fs, NULL, NULL, &err) != JY_CODEC_OK)
	{
		if (err.status != JY_CODEC_EINVALID || strlen(err.msg) == 0)
			__builtin_trap();
	}
	else
	{
		size_t		tl = jy_mkc_print_text(f, NULL, NULL, NULL),
					bl = jy_mkc_send_size(f),
					used = 0;
		char	   *text = malloc(tl + 1),
				   *text2;
		uint8_t    *bin = malloc(bl);
		JyMkFlat	hdr;

		if (jy_mkc_print_text(f, text, NULL, NULL) != tl || strlen(text) != tl)
			__builtin_trap();
		f2 = parse(text, &fs2, &err);
		if (f2 == NULL || fs2 != fs || memcmp((char *) f + 4, (char *) f2 + 4, fs - 4) != 0)
			__builtin_trap();
		text2 = malloc(tl + 1);
		if (jy_mkc_print_text(f2, text2, NULL, NULL) != tl || strcmp(text, text2) != 0)
			__builtin_trap();
		jy_mkc_send(f, bin);
		if (jy_mkc_recv(bin, bl, &hdr, NULL, &fs3, &used, &err) != JY_CODEC_OK || fs3 != fs)
			__builtin_trap();
		f3 = calloc(1, fs3);
		if (jy_mkc_recv(bin, bl, &hdr, f3, &fs3, &used, &err) != JY_CODEC_OK || used != bl ||
			memcmp((char *) f + 4, (char *) f3 + 4, fs - 4) != 0 ||
			jy_mkc_validate(f3, fs3, NULL, NULL, &err) != JY_CODEC_OK)
			__builtin_trap();
		free(text);
		free(text2);
		free(bin);
		free(f2);
		free(f3);
	}
	free(str);
	free(f);
	return 0;
}
