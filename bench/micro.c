/*
 * bench/micro.c — engine micro-benchmarks outside PostgreSQL (make bench).
 * Prints events/s per core for each engine on sorted and unsorted input, next
 * to this machine's memory read bandwidth, so each engine's distance from the
 * hardware is visible.  Single-threaded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "jy_engine.h"
#include "sessionize.h"
#include "qsketch.h"
#include "sample.h"
#include "journey_codec.h"

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static volatile uint64_t sink;

static void
report(const char *what, double n, double secs, double bytes_per_item)
{
	printf("  %-42s %8.1f M items/s  %8.2f ns/item  %7.2f GB/s\n", what, n / secs / 1e6,
		   secs / n * 1e9, n * bytes_per_item / secs / 1e9);
}

int
main(int argc, char **argv)
{
	size_t		n = argc > 1 ? (size_t) atoll(argv[1]) : 10000000;
	int64_t    *ts = malloc(n * sizeof(int64_t));
	int64_t    *scratch = malloc(n * sizeof(int64_t));
	JySample   *g = malloc(sizeof(JySample));
	JySampleEvent e;
	size_t		i,
				k;
	double		t;
	uint64_t	s = 0;

	printf("== engine micro-benchmarks (%zu events, one core)\n", n);

	/* memory read bandwidth: the floor for anything that touches each event once */
	for (i = 0; i < n; i++)
		ts[i] = (int64_t) i;
	t = now();
	for (k = 0; k < 5; k++)
		for (i = 0; i < n; i++)
			s += (uint64_t) ts[i];
	sink = s;
	report("memory read (sum of int64)", 5.0 * n, now() - t, 8);

	/* sample generator */
	jy_sample_init(g, INT64_MAX, 1);
	t = now();
	for (i = 0; i < n; i++)
	{
		jy_sample_next(g, &e);
		ts[i] = e.ts;
	}
	report("sample generator", n, now() - t, sizeof(JySampleEvent));

	/* sessionize over per-user sorted runs (the generator's order) */
	{
		JySessionTotals tot = {0, 0, 0, 0};
		size_t		start = 0;

		/* treat the stream as one sorted run per user-sized block of 8 */
		t = now();
		for (start = 0; start + 8 <= n; start += 8)
		{
			int64_t		run[8];

			memcpy(run, ts + start, sizeof(run));
			jy_sort_int64(run, 8, NULL);
			jy_session_totals(run, 8, 30 * JY_USECS_PER_MINUTE, 0, &tot, NULL, NULL);
		}
		sink = (uint64_t) tot.sessions;
		report("session_totals, runs of 8 (per-user shape)", n, now() - t, 8);
	}
	{
		JySessionizer z;
		int64_t		acc = 0;

		for (i = 0; i < n; i++)
			ts[i] = (int64_t) i * 7919;	/* sorted */
		t = now();
		jy_sessionizer_init(&z, 30 * JY_USECS_PER_MINUTE, 0);
		for (i = 0; i < n; i++)
			acc += jy_sessionizer_step(&z, ts[i], false);
		sink = (uint64_t) acc;
		report("sessionizer step, sorted", n, now() - t, 8);
	}

	/* sort: unsorted input costs a radix sort, sorted input is only checked */
	for (i = 0; i < n; i++)
		ts[i] = (int64_t) (((uint64_t) i * UINT64_C(0x9E3779B97F4A7C15)) >> 12);
	t = now();
	jy_sort_int64(ts, n, scratch);
	report("radix sort, unsorted int64", n, now() - t, 8);
	t = now();
	for (i = 1, k = 0; i < n; i++)
		k += ts[i] < ts[i - 1];
	sink = k;
	report("sortedness check (sorted input)", n, now() - t, 8);

	/* quantile sketch inserts */
	{
		uint64_t	ent[JY_QS_MAX_BUCKET + 2];
		size_t		ne = 0;

		t = now();
		for (i = 0; i < n; i++)
			ne = jy_qs_add(ent, ne, jy_qs_bucket((int64_t) ((i * 2654435761u) % 3600000000u)), 1);
		sink = ne;
		report("qsketch add", n, now() - t, 8);
	}
	/*
	 * journey decode: the sample's users as stored journeys (about 8 events
	 * each, as in the server bench's bench_journeys), fully validated.  Per
	 * journey, this is the part of every stored-journey question that does not
	 * depend on the question; doc/performance.md compares it with the scan
	 * floor per row.
	 */
	{
		size_t		nusers = n / 8 > 0 ? n / 8 : 1,
					cap = 64 * nusers + 1024,
					used = 0,
					nj = 0,
					nev = 0;
		uint8_t    *arena = malloc(cap);
		size_t	   *off = malloc((nusers + 1) * sizeof(size_t));
		int64_t    *jts = malloc(JY_SAMPLE_MAX_USER_EVENTS * sizeof(int64_t));
		uint32_t   *jev = malloc(JY_SAMPLE_MAX_USER_EVENTS * sizeof(uint32_t));
		const char *jname[JY_EV_N];
		uint32_t	jnl[JY_EV_N];
		void	   *scr = malloc(jy_jc_canon_scratch(JY_SAMPLE_MAX_USER_EVENTS, JY_EV_N));
		JyJcError	err;
		int64_t		acc = 0;
		int			r;

		jy_sample_init(g, (int64_t) nusers, 1);
		jy_sample_next(g, &e);
		for (;;)
		{
			int64_t		uid = e.user_id;
			uint32_t	m = 0;
			bool		more = true;
			JyJView		v;
			size_t		sz;
			int			kk;

			while (more && e.user_id == uid)
			{
				jts[m] = e.ts;
				jev[m] = e.event;
				m++;
				more = jy_sample_next(g, &e);
			}
			for (kk = 0; kk < JY_EV_N; kk++)
			{
				jname[kk] = jy_sample_event_names[kk];
				jnl[kk] = (uint32_t) strlen(jname[kk]);
			}
			v.n = m;
			v.ndict = JY_EV_N;
			v.ts = jts;
			v.ev = jev;
			v.name = jname;
			v.name_len = jnl;
			if (jy_jc_canonicalize(&v, scr, &err) != JY_JC_OK)
				return 1;
			sz = jy_jc_encoded_size(&v);
			if (used + sz > cap)
				break;
			off[nj++] = used;
			jy_jc_encode(&v, arena + used);
			used += sz;
			nev += m;
			if (!more)
				break;
		}
		off[nj] = used;
		{
			JyJView		v;

			v.ts = jts;
			v.ev = jev;
			v.name = jname;
			v.name_len = jnl;
			t = now();
			for (r = 0; r < 3; r++)
				for (i = 0; i < nj; i++)
				{
					if (jy_jc_decode(arena + off[i], off[i + 1] - off[i], &v, &err) != JY_JC_OK)
						return 1;
					acc += v.ts[v.n - 1];
				}
			t = now() - t;
			printf("  %-42s %8.1f ns/journey %6.2f ns/event  (%zu journeys, %.1f events, %.1f bytes each)\n",
				   "journey decode (validated), sample users", t / (3.0 * nj) * 1e9, t / (3.0 * nev) * 1e9,
				   nj, (double) nev / nj, (double) used / nj);
			t = now();
			for (r = 0; r < 3; r++)
				for (i = 0; i < nj; i++)
				{
					uint32_t	k2;

					if (jy_jc_decode_times_ex(arena + off[i], off[i + 1] - off[i], jts, &k2, &err, NULL, NULL) != JY_JC_OK)
						return 1;
					acc += jts[0];
				}
			t = now() - t;
			printf("  %-42s %8.1f ns/journey %6.2f ns/event\n", "journey decode, times only",
				   t / (3.0 * nj) * 1e9, t / (3.0 * nev) * 1e9);
		}
		sink = (uint64_t) acc;
		free(arena);
		free(off);
		free(jts);
		free(jev);
		free(scr);
	}

	free(ts);
	free(scratch);
	free(g);
	return 0;
}
