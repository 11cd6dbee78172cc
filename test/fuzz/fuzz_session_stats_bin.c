/*
 * libFuzzer target: session_stats binary input (jy_ss_recv_header, jy_ss_recv).
 * Properties: no crash with a value buffer of exactly the size the header
 * announces; an accepted message re-encodes to the bytes read; its text
 * form parses back to the same value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "session_stats.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	JyCodecError err;
	uint32_t	n;
	JySessionStats *s,
			   *s2;
	size_t		used = 0;
	JyCodecStatus st;

	st = jy_ss_recv_header(data, size, &n, &err);
	if (st != JY_CODEC_OK)
	{
		if (st != JY_CODEC_ETRUNC && st != JY_CODEC_EINVALID)
			__builtin_trap();
		return 0;
	}
	s = malloc(JY_SS_SIZE(n));
	st = jy_ss_recv(data, size, s, &used, &err);
	if (st == JY_CODEC_OK)
	{
		size_t		bl = jy_ss_send_size(s),
					tl = jy_ss_print_text(s, NULL);
		uint8_t    *bin = malloc(bl);
		char	   *text = malloc(tl + 1);
		uint32_t	cap;

		if (s->nentries != n || used > size || bl != used)
			__builtin_trap();
		jy_ss_send(s, bin);
		if (memcmp(bin, data, bl) != 0)
			__builtin_trap();
		jy_ss_print_text(s, text);
		cap = jy_ss_text_max_entries(text);
		s2 = malloc(JY_SS_SIZE(cap));
		if (jy_ss_parse_text(text, s2, cap, &err) != JY_CODEC_OK ||
			memcmp((char *) s + 4, (char *) s2 + 4, JY_SS_SIZE(n) - 4) != 0)
			__builtin_trap();
		free(s2);
		free(bin);
		free(text);
	}
	else if (st != JY_CODEC_ETRUNC && st != JY_CODEC_EINVALID)
		__builtin_trap();
	free(s);
	return 0;
}
