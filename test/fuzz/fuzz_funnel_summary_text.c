/*
 * libFuzzer target: funnel_summary text input (jy_fs_parse_text).
 * Properties: no crash within the buffer jy_fs_text_max_size promises; an
 * accepted text is valid, prints back to a text that parses to the same
 * bytes; its binary form decodes to the same bytes; merging it with itself
 * overflows or is valid; adding a user (in place and rebuilt) agrees.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "funnel_summary.h"

static void
check_add_user(const JyFunnelSummary *s, size_t size, const uint8_t *data, size_t dlen)
{
	uint32_t	bk[JY_FUNNEL_MAX_STEPS];
	int			lv = dlen ? data[0] % (s->nsteps + 1) : 0,
				k;
	size_t		miss,
				total = jy_fs_total(s);
	JyFunnelSummary *r,
			   *c;
	JyCodecError err;
	JyCodecStatus st;

	for (k = 1; k < lv; k++)
		bk[k] = dlen > (size_t) k ? (uint32_t) data[k] * 57u % (JY_QS_MAX_BUCKET + 1) : 0;
	miss = jy_fs_missing(s, lv, bk);
	r = malloc(JY_FS_SIZE(s->nsteps, total + miss));
	jy_fs_init(r, s->nsteps, total + miss);
	st = jy_fs_add_user(r, s, lv, bk, &err);
	if (st == JY_CODEC_OK)
	{
		if (jy_fs_total(r) != total + miss ||
			jy_fs_validate(r, JY_FS_SIZE(s->nsteps, total + miss), &err) != JY_CODEC_OK ||
			r->users != s->users + 1)
			__builtin_trap();
		if (miss == 0)
		{
			/* in place gives the same value */
			c = malloc(size);
			memcpy(c, s, size);
			if (jy_fs_add_user(c, c, lv, bk, &err) != JY_CODEC_OK || memcmp((char *) c + 4, (char *) r + 4, size - 4) != 0)
				__builtin_trap();
			free(c);
		}
	}
	else if (st != JY_CODEC_EOVERFLOW)
		__builtin_trap();
	free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *str = malloc(size + 1);
	size_t		room,
				used = 0;
	JyFunnelSummary *s;
	JyCodecError err;
	JyCodecStatus st;

	memcpy(str, data, size);
	str[size] = '\0';
	room = jy_fs_text_max_size(str);
	s = malloc(room);
	st = jy_fs_parse_text(str, s, room, &used, &err);
	if (st == JY_CODEC_OK)
	{
		size_t		tl = jy_fs_print_text(s, NULL),
					bl = jy_fs_send_size(s),
					total = jy_fs_total(s),
					room2,
					used2 = 0,
					t2;
		char	   *text = malloc(tl + 1);
		uint8_t    *bin = malloc(bl);
		JyFunnelSummary *s2,
				   *r;
		uint32_t	nsteps;

		if (used > room || used != JY_FS_SIZE(s->nsteps, total) || jy_fs_validate(s, used, &err) != JY_CODEC_OK)
			__builtin_trap();
		if (jy_fs_print_text(s, text) != tl || strlen(text) != tl)
			__builtin_trap();
		room2 = jy_fs_text_max_size(text);
		s2 = malloc(room2);
		if (jy_fs_parse_text(text, s2, room2, &used2, &err) != JY_CODEC_OK || used2 != used ||
			memcmp((char *) s + 4, (char *) s2 + 4, used - 4) != 0)
			__builtin_trap();
		free(s2);
		jy_fs_send(s, bin);
		if (jy_fs_recv_header(bin, bl, &nsteps, &t2, &err) != JY_CODEC_OK || nsteps != s->nsteps || t2 != total)
			__builtin_trap();
		s2 = malloc(JY_FS_SIZE(nsteps, t2));
		if (jy_fs_recv(bin, bl, s2, &err) != JY_CODEC_OK || memcmp((char *) s + 4, (char *) s2 + 4, used - 4) != 0)
			__builtin_trap();
		free(s2);
		r = malloc(JY_FS_SIZE(s->nsteps, 2 * total));
		jy_fs_init(r, s->nsteps, 2 * total);
		st = jy_fs_merge(r, s, s, &used2, &err);
		if (st == JY_CODEC_OK)
		{
			if (used2 != used || jy_fs_validate(r, used2, &err) != JY_CODEC_OK)
				__builtin_trap();
		}
		else if (st != JY_CODEC_EOVERFLOW)
			__builtin_trap();
		free(r);
		check_add_user(s, used, data, size);
		free(text);
		free(bin);
	}
	else if (st != err.status || (st != JY_CODEC_ESYNTAX && st != JY_CODEC_ERANGE &&
								  st != JY_CODEC_EVERSION && st != JY_CODEC_EINVALID) ||
			 err.pos > size || strlen(err.msg) == 0 || strstr(err.msg, "more room") != NULL)
		__builtin_trap();
	free(str);
	free(s);
	return 0;
}
