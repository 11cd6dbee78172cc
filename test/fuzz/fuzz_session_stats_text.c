/*
 * libFuzzer target: session_stats text input (jy_ss_parse_text).
 * Properties: no crash; a status is one of the documented ones; an accepted
 * text is valid, prints back to a text that parses to the same bytes and
 * prints identically; its binary form decodes to the same bytes; merging it
 * into itself either overflows or gives a valid value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "session_stats.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *str = malloc(size + 1);
	uint32_t	cap;
	JySessionStats *s,
			   *s2 = NULL,
			   *r = NULL;
	JyCodecError err;
	JyCodecStatus st;

	memcpy(str, data, size);
	str[size] = '\0';
	cap = jy_ss_text_max_entries(str);
	s = malloc(JY_SS_SIZE(cap));
	st = jy_ss_parse_text(str, s, cap, &err);
	if (st == JY_CODEC_OK)
	{
		size_t		tl = jy_ss_print_text(s, NULL),
					bl,
					used = 0;
		char	   *text = malloc(tl + 1),
				   *text2;
		uint8_t    *bin;
		uint32_t	cap2,
					n;

		if (s->nentries > cap || jy_ss_validate(s, &err) != JY_CODEC_OK)
			__builtin_trap();
		if (jy_ss_print_text(s, text) != tl || strlen(text) != tl)
			__builtin_trap();
		cap2 = jy_ss_text_max_entries(text);
		s2 = malloc(JY_SS_SIZE(cap2));
		if (jy_ss_parse_text(text, s2, cap2, &err) != JY_CODEC_OK ||
			memcmp((char *) s + 4, (char *) s2 + 4, JY_SS_SIZE(s->nentries) - 4) != 0)
			__builtin_trap();
		text2 = malloc(tl + 1);
		if (jy_ss_print_text(s2, text2) != tl || strcmp(text, text2) != 0)
			__builtin_trap();
		bl = jy_ss_send_size(s);
		bin = malloc(bl);
		jy_ss_send(s, bin);
		if (jy_ss_recv_header(bin, bl, &n, &err) != JY_CODEC_OK || n != s->nentries)
			__builtin_trap();
		if (jy_ss_recv(bin, bl, s2, &used, &err) != JY_CODEC_OK || used != bl ||
			memcmp((char *) s + 4, (char *) s2 + 4, JY_SS_SIZE(s->nentries) - 4) != 0)
			__builtin_trap();
		if (jy_ss_missing_buckets(s, s) != 0)
			__builtin_trap();
		r = malloc(JY_SS_SIZE(s->nentries));
		memcpy(r, s, JY_SS_SIZE(s->nentries));
		if (jy_ss_merge(r, s, &err) == JY_CODEC_OK)
		{
			if (r->nentries != s->nentries || jy_ss_validate(r, &err) != JY_CODEC_OK)
				__builtin_trap();
		}
		else if (err.status != JY_CODEC_EOVERFLOW)
			__builtin_trap();
		free(text);
		free(text2);
		free(bin);
	}
	else if (st != err.status || (st != JY_CODEC_ESYNTAX && st != JY_CODEC_ERANGE &&
								  st != JY_CODEC_EVERSION && st != JY_CODEC_EINVALID) ||
			 err.pos > size || strlen(err.msg) == 0)
		__builtin_trap();
	free(str);
	free(s);
	free(s2);
	free(r);
	return 0;
}
