/*
 * libFuzzer target: journey text input (jy_jc_parse_text).
 * Properties: no crash; an accepted text prints back to a text that parses to
 * the same value; the value's encoding decodes to the same value.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc/engine \
 *         test/fuzz/fuzz_journey_text.c src/engine/[every].c -lm
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "journey_codec.h"

typedef struct Arr
{
	JyJView		v;
	void	   *mem[5];
} Arr;

static void
arr_alloc(Arr *a, uint32_t cap)
{
	a->v.n = a->v.ndict = 0;
	a->v.ts = a->mem[0] = malloc((cap + 1) * sizeof(int64_t));
	a->v.ev = a->mem[1] = malloc((cap + 1) * sizeof(uint32_t));
	a->v.name = (const char **) (a->mem[2] = malloc((cap + 1) * sizeof(char *)));
	a->v.name_len = a->mem[3] = malloc((cap + 1) * sizeof(uint32_t));
	a->mem[4] = NULL;
}

static void
arr_free(Arr *a)
{
	int			i;

	for (i = 0; i < 5; i++)
		free(a->mem[i]);
}

static int
same(const JyJView *a, const JyJView *b)
{
	uint32_t	i;

	if (a->n != b->n || a->ndict != b->ndict)
		return 0;
	for (i = 0; i < a->n; i++)
		if (a->ts[i] != b->ts[i] || a->ev[i] != b->ev[i])
			return 0;
	for (i = 0; i < a->ndict; i++)
		if (jy_jc_name_cmp(a->name[i], a->name_len[i], b->name[i], b->name_len[i]) != 0)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t	cap = jy_jc_text_max_events((const char *) data, size);
	Arr			a,
				b,
				c;
	JyJcError	e;
	char	   *namebuf = malloc(size + 1);
	void	   *scratch = malloc(jy_jc_canon_scratch(cap, cap));
	char	   *text = NULL,
			   *nb2 = NULL;
	void	   *scr2 = NULL;
	uint8_t    *enc = NULL;

	arr_alloc(&a, cap);
	arr_alloc(&b, 0);
	arr_alloc(&c, 0);
	if (jy_jc_parse_text((const char *) data, size, &a.v, cap, namebuf, scratch, &e) == JY_JC_OK)
	{
		size_t		tl = jy_jc_text_size(&a.v),
					w,
					el;
		uint32_t	cap2;

		text = malloc(tl + 1);
		w = jy_jc_print_text(&a.v, text);
		if (w != tl || strlen(text) != tl)
			__builtin_trap();
		cap2 = jy_jc_text_max_events(text, tl);
		arr_free(&b);
		arr_alloc(&b, cap2);
		nb2 = malloc(tl + 1);
		scr2 = malloc(jy_jc_canon_scratch(cap2, cap2));
		if (jy_jc_parse_text(text, tl, &b.v, cap2, nb2, scr2, &e) != JY_JC_OK || !same(&a.v, &b.v))
			__builtin_trap();
		el = jy_jc_encoded_size(&a.v);
		enc = malloc(el);
		if (jy_jc_encode(&a.v, enc) != el)
			__builtin_trap();
		arr_free(&c);
		arr_alloc(&c, a.v.n + a.v.ndict);
		if (jy_jc_decode(enc, el, &c.v, &e) != JY_JC_OK || !same(&a.v, &c.v))
			__builtin_trap();
	}
	else if (e.status != JY_JC_EMALFORMED && e.status != JY_JC_ELIMIT && e.status != JY_JC_ERANGE)
		__builtin_trap();
	arr_free(&a);
	arr_free(&b);
	arr_free(&c);
	free(namebuf);
	free(scratch);
	free(text);
	free(nb2);
	free(scr2);
	free(enc);
	return 0;
}
