/*
 * jy_sort.h — shared engine sorts (no postgres.h).
 *
 * Both take an optional tick(arg) callback that the glue points at
 * CHECK_FOR_INTERRUPTS (jy_tick), so a sort of tens of millions of values
 * can be cancelled within a fraction of a second.
 */
#ifndef JY_SORT_H
#define JY_SORT_H

#include <stddef.h>
#include <stdint.h>

/*
 * In-place sort of int64 values, ascending (radix sort for large inputs;
 * scratch must hold n values when n >= 64).  The _ex form calls tick(arg)
 * between radix passes, so a caller can honour cancellation (each pass is
 * one sequential sweep: ~0.1 s for 10M values).
 */
void		jy_sort_int64(int64_t *v, size_t n, int64_t *scratch);
void		jy_sort_int64_ex(int64_t *v, size_t n, int64_t *scratch, void (*tick) (void *), void *arg);

/*
 * In-place sort of n elements of `size` bytes by cmp(a, b, cmp_arg) (like
 * qsort_r), a merge sort: insertion sort of runs of JY_SORT_RUN elements,
 * then bottom-up merge passes through scratch (n * size bytes; may be NULL
 * when n <= JY_SORT_RUN).  Stable; for a total order (cmp never 0 for
 * distinct elements) the result is qsort's.  tick (may be NULL) is called
 * once per merge pass and every 2^16 elements of a pass.
 */
#define JY_SORT_RUN 16

void		jy_sort_ex(void *base, size_t n, size_t size,
					   int (*cmp) (const void *, const void *, void *), void *cmp_arg,
					   void *scratch, void (*tick) (void *), void *tick_arg);

#endif
