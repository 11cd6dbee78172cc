/* Unit tests of the shared engine sorts (src/engine/jy_sort.h). */
#include "unit.h"
#include "jy_sort.h"

static uint64_t rs = 42;
static int64_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (int64_t) rs;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t		x = *(const int64_t *) a,
				y = *(const int64_t *) b;

	return (x > y) - (x < y);
}

static void
test_sort_matches_qsort(void)
{
	static int64_t a[20000], b[20000], scratch[20000];
	size_t		sizes[] = {0, 1, 2, 63, 64, 65, 1000, 20000};
	size_t		k,
				i;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
	{
		size_t		n = sizes[k];

		for (i = 0; i < n; i++)
		{
			/* mix of negatives, extremes and narrow ranges (skipped passes) */
			int64_t		r = rnd();

			a[i] = (i % 7 == 0) ? INT64_MIN + (r & 3) : (i % 11 == 0) ? INT64_MAX - (r & 3) :
				(k % 2 ? r : (r & 0xffff) - 30000);
			b[i] = a[i];
		}
		jy_sort_int64(a, n, scratch);
		qsort(b, n, sizeof(int64_t), cmp64);
		CHECK(memcmp(a, b, n * sizeof(int64_t)) == 0);
	}
}

/* a 20-byte element (odd size for the merge's memcpy), total order through idx */
typedef struct Elem
{
	int64_t		key;
	uint32_t	tie;
	int64_t		idx;
} __attribute__((packed)) Elem;

static int
elem_cmp(const void *pa, const void *pb)
{
	Elem		a,
				b;

	memcpy(&a, pa, sizeof(Elem));
	memcpy(&b, pb, sizeof(Elem));
	if (a.key != b.key)
		return a.key < b.key ? -1 : 1;
	if (a.tie != b.tie)
		return a.tie < b.tie ? -1 : 1;
	return (a.idx > b.idx) - (a.idx < b.idx);
}

static int
elem_cmp_arg(const void *pa, const void *pb, void *arg)
{
	(*(long *) arg)++;
	return elem_cmp(pa, pb);
}

static void
count_tick(void *arg)
{
	(*(int *) arg)++;
}

/* jy_sort_ex gives qsort's order (a total order) around the run and merge boundaries */
static void
test_generic_sort_matches_qsort(void)
{
	size_t		sizes[] = {0, 1, 2, 15, 16, 17, 33, 1000, 1025, 4097, 100000, 200001};
	size_t		k,
				i;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++)
	{
		size_t		n = sizes[k];
		Elem	   *a = malloc((n + 1) * sizeof(Elem)),
				   *b = malloc((n + 1) * sizeof(Elem)),
				   *scratch = malloc((n + 1) * sizeof(Elem));
		int			ticks = 0;
		long		ncmp = 0;
		size_t		passes = 0,
					w;

		CHECK(a && b && scratch);
		for (i = 0; i < n; i++)
		{
			Elem		e;

			/* few distinct keys (many ties), some already-sorted stretches */
			e.key = (k % 2) ? rnd() % 50 : (i % 3000 < 1500 ? (int64_t) i : rnd() % 1000);
			e.tie = (uint32_t) (rnd() & 3);
			e.idx = (int64_t) i;
			a[i] = e;
			b[i] = e;
		}
		/* size 1025 also without a tick callback */
		jy_sort_ex(a, n, sizeof(Elem), elem_cmp_arg, &ncmp, n > JY_SORT_RUN ? scratch : NULL,
				   n == 1025 ? NULL : count_tick, &ticks);
		qsort(b, n, sizeof(Elem), elem_cmp);
		i = memcmp(a, b, n * sizeof(Elem));
		free(a);
		free(b);
		free(scratch);
		CHECK(i == 0);
		/* the comparator's argument is passed; a tick per merge pass and per 2^16 elements */
		CHECK(n < 2 || ncmp > 0);
		for (w = JY_SORT_RUN; w < n; w *= 2)
			passes++;
		if (n == 1025)
			continue;
		CHECK(ticks >= (int) passes);
		if (n >= ((size_t) 1 << 17))
			CHECK(ticks >= (int) (2 * passes));
	}
}

int
main(void)
{
	RUN(test_sort_matches_qsort);
	RUN(test_generic_sort_matches_qsort);
	UNIT_DONE();
}
