/*
 * libFuzzer target: journey binary decoding (jy_jc_header + jy_jc_decode),
 * the code behind journey_recv and every read of a stored value.
 * Properties: no crash, no read outside the input; the arrays sized from the
 * header suffice; an accepted value is canonical, i.e. re-encoding it gives
 * exactly the input bytes; its text parses back to the same value; the
 * times-only decode (jy_jc_decode_times_ex) gives the same status, error
 * position and message, and the same times; so does the selective decode
 * (jy_jc_decode_select_ex, keeping every other name), with the kept events.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/engine \
 *         test/fuzz/fuzz_journey_bin.c src/engine/[every].c -lm
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "journey_codec.h"

static uint8_t keep_odd[65536];

/* keep the events of every other name (ids 1, 3, ...) */
static const uint8_t *
sel_odd(void *arg, const JyJView *v)
{
	uint32_t	i;

	(void) arg;
	for (i = 0; i < v->ndict; i++)
		keep_odd[i] = (uint8_t) (i & 1);
	return keep_odd;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t	n,
				nd;
	JyJcError	e;
	JyJView		v,
				w;
	uint8_t    *copy;

	/* an exact-size heap copy, so ASan sees any read past the end */
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	if (jy_jc_header(copy, size, &n, &nd, &e) != JY_JC_OK)
	{
		free(copy);
		return 0;
	}
	if ((size_t) n + nd > size)
		__builtin_trap();		/* the header check must bound the allocation */
	v.ts = malloc((n + 1) * sizeof(int64_t));
	v.ev = malloc((n + 1) * sizeof(uint32_t));
	v.name = malloc((nd + 1) * sizeof(char *));
	v.name_len = malloc((nd + 1) * sizeof(uint32_t));
	{
		JyJcError	e1,
					e2;
		JyJcStatus	s1 = jy_jc_decode(copy, size, &v, &e1),
					s2;
		int64_t    *ts2 = malloc((n + 1) * sizeof(int64_t));
		uint32_t	n2 = 0,
					i;

		s2 = jy_jc_decode_times_ex(copy, size, ts2, &n2, &e2, NULL, NULL);
		if (s1 != s2)
			__builtin_trap();
		if (s1 != JY_JC_OK && (e1.pos != e2.pos || strcmp(e1.msg, e2.msg) != 0))
			__builtin_trap();
		if (s1 == JY_JC_OK)
		{
			if (n2 != v.n)
				__builtin_trap();
			for (i = 0; i < n2; i++)
				if (ts2[i] != v.ts[i])
					__builtin_trap();
		}
		free(ts2);
		/* the selective decode: same verdict, the kept events in order */
		{
			JyJView		s;
			uint32_t   *row = malloc((n + 1) * sizeof(uint32_t));
			JyJcStatus	s3;
			uint32_t	k = 0;

			s.ts = malloc((n + 1) * sizeof(int64_t));
			s.ev = malloc((n + 1) * sizeof(uint32_t));
			s.name = malloc((nd + 1) * sizeof(char *));
			s.name_len = malloc((nd + 1) * sizeof(uint32_t));
			s.n = 0;
			s3 = jy_jc_decode_select_ex(copy, size, &s, row, sel_odd, NULL, &e2, NULL, NULL);
			if (s1 != s3)
				__builtin_trap();
			if (s1 != JY_JC_OK && (e1.pos != e2.pos || strcmp(e1.msg, e2.msg) != 0))
				__builtin_trap();
			if (s1 == JY_JC_OK)
			{
				for (i = 0; i < v.n; i++)
					if (v.ev[i] & 1)
					{
						if (k >= s.n || row[k] != i || s.ts[k] != v.ts[i] || s.ev[k] != v.ev[i])
							__builtin_trap();
						k++;
					}
				if (k != s.n)
					__builtin_trap();
			}
			free(row);
			free(s.ts);
			free(s.ev);
			free(s.name);
			free(s.name_len);
		}
	}
	if (jy_jc_decode(copy, size, &v, &e) == JY_JC_OK)
	{
		size_t		el = jy_jc_encoded_size(&v);
		uint8_t    *enc = malloc(el);
		size_t		tl = jy_jc_text_size(&v);
		char	   *text = malloc(tl + 1);
		uint32_t	cap = jy_jc_text_max_events(text, tl);
		char	   *nb = malloc(tl + 1);
		void	   *scratch = malloc(jy_jc_canon_scratch(cap, cap));
		uint32_t	i;

		if (jy_jc_encode(&v, enc) != el || el != size || memcmp(enc, copy, size) != 0)
			__builtin_trap();
		jy_jc_print_text(&v, text);
		w.ts = malloc((cap + 1) * sizeof(int64_t));
		w.ev = malloc((cap + 1) * sizeof(uint32_t));
		w.name = malloc((cap + 1) * sizeof(char *));
		w.name_len = malloc((cap + 1) * sizeof(uint32_t));
		if (jy_jc_parse_text(text, tl, &w, cap, nb, scratch, &e) != JY_JC_OK ||
			w.n != v.n || w.ndict != v.ndict)
			__builtin_trap();
		for (i = 0; i < v.n; i++)
			if (w.ts[i] != v.ts[i] || w.ev[i] != v.ev[i])
				__builtin_trap();
		for (i = 0; i < v.ndict; i++)
			if (jy_jc_name_cmp(w.name[i], w.name_len[i], v.name[i], v.name_len[i]) != 0)
				__builtin_trap();
		free(w.ts);
		free(w.ev);
		free(w.name);
		free(w.name_len);
		free(enc);
		free(text);
		free(nb);
		free(scratch);
	}
	free(v.ts);
	free(v.ev);
	free(v.name);
	free(v.name_len);
	free(copy);
	return 0;
}
