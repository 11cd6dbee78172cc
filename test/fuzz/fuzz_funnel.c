/*
 * libFuzzer target over the funnel engine: random rows, steps, exclusions and
 * modes from the input bytes; the engine's level must equal
 *   - ClickHouse's algorithm (transliterated in test/unit/test_funnel.c, run
 *     on the rows in journey's tie order) for every mode combination without
 *     exclusions, and
 *   - the engine's own result on the rows in reverse order (tie order), and
 *   - the brute-force chain enumeration for default / strict_once /
 *     strict_once+strict_increase, with exclusions (inputs of at most 8 rows),
 * and the winning chain's timestamps must be a valid chain.
 *
 *   clang -fsanitize=fuzzer,address -Isrc/engine test/fuzz/fuzz_funnel.c src/engine/ *.c
 */
#pragma GCC diagnostic ignored "-Wunused-function"
#define main funnel_unit_main
#include "../unit/test_funnel.c"
#undef main

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Row			rows[MAXR];
	int			nr = 0,
				maxr,
				N,
				k,
				got,
				want;
	unsigned	modes;
	int64_t		window,
				t = 1000,	/* ClickHouse timestamps are unsigned */
				times[MAXN];
	size_t		p = 4;

	if (size < 4)
		return 0;
	modes = data[0] & JY_FUNNEL_ALL_MODES;
	if (modes & JY_FUNNEL_ALLOW_REENTRY)
		modes |= JY_FUNNEL_STRICT_ORDER;
	N = 1 + data[1] % 6;
	window = 1 + data[2] % 16;
	g_nx = (N >= 2) ? data[3] % (MAXX + 1) : 0;
	for (k = 0; k < g_nx; k++)
	{
		int			a,
					b;

		if (p + 2 > size)
			return 0;
		a = 1 + data[p] % (N - 1);
		b = a + 1 + data[p + 1] % (N - a);
		g_excl[k].from = (uint16_t) a;
		g_excl[k].to = (uint16_t) b;
		p += 2;
	}
	/*
	 * strict_once keeps every chain that ends at the current timestamp: with
	 * k rows at one time matching all 6 steps that is up to k!/(k-6)! chains
	 * (16 rows: 5.7 M; 39 ms per input under ASan, 10 rows still 28 ms),
	 * which held the whole target at ~800 exec/s, while ClickHouse's
	 * algorithm below gives up at 20000 sequences and compares nothing
	 * there.  With 8 rows (20160 chains at most) the record pool still grows
	 * (JY_FUNNEL_NEED_MORE), and every strict_once input also gets the
	 * brute-force reference.  Other modes keep 16 rows.
	 */
	maxr = (modes & JY_FUNNEL_STRICT_ONCE) ? 8 : 16;
	while (p + 3 <= size && nr < maxr)
	{
		/* rows arrive in any order: the delta is signed */
		t += (int64_t) (data[p] % 7) - 2;
		rows[nr].ts = t;
		rows[nr].steps = data[p + 1] & ((1u << N) - 1);
		rows[nr].excl = g_nx ? (data[p + 2] & ((1u << g_nx) - 1)) : 0;
		nr++;
		p += 3;
	}
	got = run_engine(rows, nr, N, window, modes, times, NULL);
	{
		/* the same rows in reverse order: the same level and winning chain (tie order) */
		Row			rev[MAXR];
		int64_t		rtimes[MAXN];

		for (k = 0; k < nr; k++)
			rev[k] = rows[nr - 1 - k];
		if (run_engine(rev, nr, N, window, modes, rtimes, NULL) != got)
			__builtin_trap();
		for (k = 0; k < got; k++)
			if (rtimes[k] != times[k])
				__builtin_trap();
	}
	if (g_nx == 0)
	{
		want = ch_level(rows, nr, N, (uint64_t) window, modes);
		if (want >= 0 && got != want)
			__builtin_trap();
	}
	/*
	 * The brute-force enumeration is exponential in the rows that match many
	 * steps: only small inputs get it (16 rows matching all 6 steps took 22 s
	 * of CPU, over libFuzzer's per-input timeout).  ClickHouse's algorithm
	 * above checks every size.
	 */
	if (nr <= 8 && (modes == 0 || modes == JY_FUNNEL_STRICT_ONCE ||
					modes == (JY_FUNNEL_STRICT_ONCE | JY_FUNNEL_STRICT_INCREASE)))
	{
		JyFunnelEntry e[MAXR * (MAXN + MAXX + 1)];
		size_t		ne,
					last;
		int64_t		first;

		want = brute(rows, nr, N, window, modes, &last, &first, e, &ne);
		if (got != want)
			__builtin_trap();
		if (got > 0 && (times[got - 1] != e[last].ts || times[0] != first))
			__builtin_trap();
	}
	if (got < 0 || got > N || !times_valid(times, got, window, modes))
		__builtin_trap();
	return 0;
}
