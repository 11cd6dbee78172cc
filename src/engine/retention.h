/*
 * retention.h — cohort retention on integer period indexes (no PostgreSQL).
 *
 * The glue maps timestamps to "keys":
 *   calendar units (day, week, month): the period index of the timestamp in
 *     the chosen time zone (see jy_ret_period_of_date), so period k of a
 *     cohort c is the key c + k;
 *   rolling windows: the timestamp itself (microseconds), so period k of a
 *     user whose cohort starts at c is floor((key - c) / window).
 *
 * A cohort is summarised by three count arrays over k = 0 .. N (N = periods):
 *   active[k]  users active in period k (active[0] = cohort size: the start
 *              event itself counts as activity in period 0, as in PostHog)
 *   last[k]    users whose last active period (within 0 .. N) is k
 *   both[k]    users active in k-1 and in k (both[0] = 0)
 * Everything the SQL layer shows derives from these and they merge by
 * addition: "on or after" retention at k is the sum of last[k .. N],
 * lifecycle returning = both[k], resurrecting = active[k] - both[k],
 * dormant = active[k-1] - both[k].
 */
#ifndef JY_RETENTION_H
#define JY_RETENTION_H

#include "jy_engine.h"

typedef enum
{
	JY_RET_DAY = 1,
	JY_RET_WEEK = 2,
	JY_RET_MONTH = 3,
	JY_RET_ROLLING = 4,
	JY_RET_ELAPSED_MONTH = 5	/* whole calendar months since the first event (glue computes k) */
} JyRetUnit;

#define JY_RET_MAX_PERIODS 1000		/* N; arrays hold N + 1 entries */
#define JY_RET_BITWORDS ((JY_RET_MAX_PERIODS + 1 + 63) / 64)

/* Days from 2000-01-01 of a proleptic Gregorian date, and back. */
int64_t		jy_ret_days_from_civil(int64_t y, int m, int d);
void		jy_ret_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/*
 * Period index of a local calendar date: day = days since 2000-01-01,
 * week = ISO weeks (Monday start) since Monday 2000-01-03, month = months
 * since January 2000.  Negative before those dates.
 */
int64_t		jy_ret_period_of_date(JyRetUnit unit, int64_t y, int m, int d);

/* First local date of period `idx` (inverse of jy_ret_period_of_date). */
void		jy_ret_period_start(JyRetUnit unit, int64_t idx, int64_t *y, int *m, int *d);

/* Days since 2000-01-01 of the first day of period idx. */
int64_t		jy_ret_period_start_days(JyRetUnit unit, int64_t idx);

/*
 * Mark the periods of one user: keys[0..n) sorted ascending (duplicates
 * allowed), cohort start key c, window (0 for calendar units, > 0 for
 * rolling).  Sets bit 0 and bit k for every key in period k, 0 <= k <= N.
 * Keys before c are ignored (activity before the cohort start is not
 * retention).  bits must hold JY_RET_BITWORDS words.
 */
void		jy_ret_user_bits(const int64_t *keys, size_t n, int64_t c, int64_t window,
							 int32_t periods, uint64_t *bits);

/* Period k of key x for cohort start c (x >= c); -1 when beyond INT32 range. */
int64_t		jy_ret_period_k(int64_t x, int64_t c, int64_t window);

/* Add one user's bitmap into the three count arrays (each periods + 1 long). */
void		jy_ret_add_user(int64_t *active, int64_t *last, int64_t *both,
							const uint64_t *bits, int32_t periods);

/*
 * dst += src element-wise for n entries; false (dst partly updated) on
 * int64 overflow.
 */
bool		jy_ret_add_counts(int64_t *dst, const int64_t *src, size_t n);

/*
 * Check the invariants of one cohort record; returns NULL when valid, or a
 * sentence (no final period) naming the first broken rule.
 */
const char *jy_ret_cohort_invalid(int64_t size, const int64_t *active, const int64_t *last,
								  const int64_t *both, int32_t periods);

/* "On or after" counts: out[k] = sum(last[k .. N]). */
void		jy_ret_on_or_after(const int64_t *last, int32_t periods, int64_t *out);

/* Sort ascending and drop duplicates in place; returns the new length. */
size_t		jy_ret_sort_unique(int64_t *v, size_t n, int64_t *scratch);
/* the same, calling tick(arg) (may be NULL) between radix passes (cancellation) */
size_t		jy_ret_sort_unique_ex(int64_t *v, size_t n, int64_t *scratch,
								  void (*tick) (void *), void *arg);

/*
 * ClickHouse retention(c1, ..., cn): `seen` has bit i set when condition i+1
 * held for some row.  out[0] = c1, out[i] = c1 AND c(i+1).
 */
void		jy_ret_clickhouse(uint32_t seen, int n, int16_t *out);

/*
 * The retention(...) aggregate state is an int8 anyone can pass to its support
 * functions: bits 0..n-1 = condition i+1 held on some row, bits 32..39 = n
 * (1..JY_RET_CH_MAX), every other bit zero.  Returns n for a valid state, or
 * -1 with *reason set to a sentence saying what is wrong.
 */
#define JY_RET_CH_MAX 32
int			jy_ret_ch_state_check(int64_t state, const char **reason);

/* ---- one-pass summary across users (calendar periods, any activity) ------
 * An open-addressing hash table of users.  Each slot is `2 + words` int64:
 *   user, base (the user's earliest period key so far; JY_RET_EMPTY when the
 *   slot is free), then a bitmap of periods base + k, k = 0 .. N, active.
 * When an earlier key arrives the bitmap is shifted up (bits beyond N drop:
 * the cohort start only moves earlier, so they can never count again).
 */
#define JY_RET_EMPTY INT64_MAX

typedef struct JyRetTable
{
	int64_t    *slots;
	size_t		cap;			/* power of two */
	size_t		n;				/* occupied slots */
	int			words;			/* bitmap words per slot: (N + 1 + 63) / 64 */
	int32_t		periods;
} JyRetTable;

#define JY_RET_SLOT_WORDS(words) (2 + (size_t) (words))

/* mem holds cap * JY_RET_SLOT_WORDS(words) int64; marks every slot free. */
void		jy_ret_table_init(JyRetTable *t, int64_t *mem, size_t cap, int32_t periods);

/* true when one more insert needs a larger table (load factor 3/4) */
static inline bool
jy_ret_table_full(const JyRetTable *t)
{
	return (t->n + 1) * 4 > t->cap * 3;
}

/*
 * The slot of `user`, inserting it (base = key, bit 0) when absent, else
 * adding period key `key` to it.  The table must not be full.
 */
int64_t    *jy_ret_table_add(JyRetTable *t, int64_t user, int64_t key);

/* Add key to an occupied slot (the fast path for consecutive rows of a user). */
void		jy_ret_slot_add(int64_t *slot, int64_t key, int32_t periods, int words);

/* Merge an occupied slot of the same user into dst's table (inserting it if absent). */
void		jy_ret_table_merge_slot(JyRetTable *t, const int64_t *src);

/* Move every occupied slot of `from` into the empty table `to`. */
void		jy_ret_table_rehash(const JyRetTable *from, JyRetTable *to);

#endif
