/*
 * libFuzzer target: funnel_summary binary input (jy_fs_recv_header, jy_fs_recv).
 * Properties: no crash with a value buffer of exactly the size the header
 * announces; an accepted message re-encodes to the same bytes; its text form
 * parses back to the same value.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "funnel_summary.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	JyCodecError err;
	uint32_t	nsteps;
	size_t		total;
	JyFunnelSummary *s;
	JyCodecStatus st;

	st = jy_fs_recv_header(data, size, &nsteps, &total, &err);
	if (st != JY_CODEC_OK)
	{
		if (st != JY_CODEC_ETRUNC && st != JY_CODEC_EINVALID)
			__builtin_trap();
		return 0;
	}
	s = malloc(JY_FS_SIZE(nsteps, total));
	st = jy_fs_recv(data, size, s, &err);
	if (st == JY_CODEC_OK)
	{
		size_t		bl = jy_fs_send_size(s),
					tl = jy_fs_print_text(s, NULL),
					room,
					used = 0;
		uint8_t    *bin = malloc(bl);
		char	   *text = malloc(tl + 1);
		JyFunnelSummary *s2;

		if (bl != size || s->nsteps != nsteps || jy_fs_total(s) != total)
			__builtin_trap();
		jy_fs_send(s, bin);
		if (memcmp(bin, data, bl) != 0)
			__builtin_trap();
		jy_fs_print_text(s, text);
		room = jy_fs_text_max_size(text);
		s2 = malloc(room);
		if (jy_fs_parse_text(text, s2, room, &used, &err) != JY_CODEC_OK ||
			used != JY_FS_SIZE(nsteps, total) ||
			memcmp((char *) s + 4, (char *) s2 + 4, used - 4) != 0)
			__builtin_trap();
		free(s2);
		free(bin);
		free(text);
	}
	else if (st != JY_CODEC_EINVALID)
		__builtin_trap();
	free(s);
	return 0;
}
