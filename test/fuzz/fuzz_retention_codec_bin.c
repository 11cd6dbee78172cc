/*
 * libFuzzer target: cohort_retention binary input (the recv path:
 * jy_cr_wire_header, jy_cr_wire_check, jy_cr_wire_body, validation).
 * Properties: no crash; an accepted message is canonical — written back it
 * is the same bytes; its text parses back to the same value; merge and the
 * report numbers keep it valid (retention_codec_fuzz.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "retention_codec_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t    *msg = malloc(size ? size : 1);
	JyCr	   *r;

	memcpy(msg, data, size);
	r = fz_from_wire(msg, size);
	if (r != NULL)
	{
		uint8_t    *w = malloc(jy_cr_wire_size(r));

		PROP(jy_cr_wire_size(r) == size);
		jy_cr_wire_write(r, w);
		PROP(memcmp(w, msg, size) == 0);
		free(w);
		fz_check_value(r);
	}
	free(r);
	free(msg);
	return 0;
}
