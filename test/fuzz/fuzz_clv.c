/*
 * fuzz_clv.c — libFuzzer target for the clv_model text codec
 * (src/engine/clv.c: jy_clv_parse, jy_clv_validate, jy_clv_print).
 *
 * Any input either is rejected with a reason, or parses to a model that
 * validates, prints, and parses back to the identical model (bit-exact
 * doubles) whose print is the identical text: the lossless contract of
 * clv_model's text I/O.  abort()s otherwise.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clv.h"

#define FAIL(...) do { fprintf(stderr, "fuzz_clv: " __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	JyClvModel	m, m2;
	size_t		pos = 0, pos2 = 0;
	char		t1[JY_CLV_TEXT_MAX], t2[JY_CLV_TEXT_MAX];
	const char *reason = jy_clv_parse((const char *) data, size, &m, &pos);
	size_t		l1, l2;

	if (reason)
	{
		if (pos > size)
			FAIL("error position %zu beyond the input (%zu)", pos, size);
		return 0;
	}
	if (jy_clv_validate(&m) != NULL)
		FAIL("parsed a model that does not validate");
	l1 = jy_clv_print(&m, t1);
	if (l1 >= JY_CLV_TEXT_MAX || strlen(t1) != l1)
		FAIL("print length %zu", l1);
	reason = jy_clv_parse(t1, l1, &m2, &pos2);
	if (reason)
		FAIL("printed text does not parse: %s: %s", reason, t1);
	if (memcmp(m.par, m2.par, sizeof(m.par)) != 0 || m.ll != m2.ll || m.n != m2.n || m.kind != m2.kind ||
		m.iterations != m2.iterations || m.converged != m2.converged || m.gradient != m2.gradient)
		FAIL("round trip changed the model: %s", t1);
	l2 = jy_clv_print(&m2, t2);
	if (l1 != l2 || memcmp(t1, t2, l1) != 0)
		FAIL("print is not stable: %s / %s", t1, t2);
	return 0;
}
