/*
 * libFuzzer target: cohort_retention text input (jy_cr_parse_text, then
 * validation).  The input is a C string (it ends at a NUL, as in
 * cohort_retention_in).  Properties: no crash; every failure has a status and
 * a sentence; an accepted value prints to exactly jy_cr_text_size bytes that
 * parse back to the same bytes, and the same for the binary form; merge and
 * the report numbers keep it valid (retention_codec_fuzz.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "retention_codec_fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *text = malloc(size + 1);
	JyCr	   *r;

	memcpy(text, data, size);
	text[size] = '\0';
	r = fz_from_text(text);
	if (r != NULL)
		fz_check_value(r);
	free(r);
	free(text);
	return 0;
}
