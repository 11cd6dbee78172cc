/*
 * fuzz_experiments.c — libFuzzer target for the A/B counts codec
 * (src/engine/experiments.c: jy_ab_parse, jy_ab_print) and the statistics
 * over whatever it accepts.
 *
 * Accepted input must print and parse back to the same arms (names, users,
 * conversions), and the statistics over any two arms must be in range
 * (p-values and probabilities in [0, 1], loss >= 0) or NaN where documented.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments.h"

#define FAIL(...) do { fprintf(stderr, "fuzz_experiments: " __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	JyAbArm    *arms = malloc(sizeof(JyAbArm) * (size / 8 + 1));
	char	   *names = malloc(size + 1);
	const char *reason = NULL;
	size_t		pos = 0;
	int			n = jy_ab_parse((const char *) data, size, arms, names, &reason, &pos);

	if (n >= 0)
	{
		size_t		cap = jy_ab_print_size(arms, n);
		char	   *txt = malloc(cap);
		size_t		len = jy_ab_print(arms, n, txt);
		JyAbArm    *arms2 = malloc(sizeof(JyAbArm) * (len / 8 + 1));
		char	   *names2 = malloc(len + 1);
		int			n2;

		if (len + 1 > cap)
			FAIL("print overran its size estimate");
		n2 = jy_ab_parse(txt, len, arms2, names2, &reason, &pos);
		if (n2 != n)
			FAIL("round trip: %d arms became %d (%s): %s", n, n2, n2 < 0 ? reason : "", txt);
		for (int i = 0; i < n; i++)
			if (arms[i].len != arms2[i].len || memcmp(arms[i].name, arms2[i].name, arms[i].len) != 0 ||
				arms[i].users != arms2[i].users || arms[i].conversions != arms2[i].conversions)
				FAIL("round trip changed arm %d: %s", i, txt);
		if (n >= 2)
		{
			JyAbCompare c;
			double		st, df, p;

			jy_ab_compare(arms[0].conversions, arms[0].users, arms[1].conversions, arms[1].users, 0.05, &c);
			if (!isnan(c.p_value) && !(c.p_value >= 0 && c.p_value <= 1))
				FAIL("p-value %g", c.p_value);
			if (jy_ab_chisq(arms, n, &st, &df, &p) == 0 && !(p >= 0 && p <= 1 && st >= 0))
				FAIL("chi-square %g p %g", st, p);
			if (arms[0].users < 1e4 && arms[1].users < 1e4)
			{
				double		pb, loss;

				if (jy_ab_prob_beats(arms[0].conversions, arms[0].users, arms[1].conversions, arms[1].users,
									 1, 1, 1e6, &pb, NULL, NULL) == 0 && !(pb >= 0 && pb <= 1))
					FAIL("P(B>A) %g", pb);
				if (jy_ab_expected_loss(arms[0].conversions, arms[0].users, arms[1].conversions, arms[1].users,
										1, 1, 1e6, &loss, NULL, NULL) == 0 && !(loss >= 0 && loss <= 1))
					FAIL("loss %g", loss);
			}
		}
		free(txt);
		free(arms2);
		free(names2);
	}
	else if (n == -1 && pos > size)
		FAIL("error position beyond the input");
	free(arms);
	free(names);
	return 0;
}
