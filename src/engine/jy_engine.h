/*
 * jy_engine.h — common definitions for journey's engines.
 *
 * Engines are plain C99: they never include postgres.h, allocate nothing per
 * event in hot loops, and are unit-tested and fuzzed without a server.
 * Timestamps are int64 microseconds (PostgreSQL's TimestampTz epoch, but the
 * engines do not care which epoch).
 */
#ifndef JY_ENGINE_H
#define JY_ENGINE_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#define JY_USECS_PER_SEC    INT64_C(1000000)
#define JY_USECS_PER_MINUTE INT64_C(60000000)
#define JY_USECS_PER_HOUR   INT64_C(3600000000)
#define JY_USECS_PER_DAY    INT64_C(86400000000)

/* (a - b) for a >= b, exact even when the signed difference would overflow. */
static inline uint64_t
jy_udiff(int64_t a, int64_t b)
{
	return (uint64_t) a - (uint64_t) b;
}

/*
 * In-place sort of int64 values, ascending (radix sort for large inputs;
 * scratch must hold n values when n >= 64).  The _ex form calls tick(arg)
 * between radix passes, so a caller can honour cancellation (each pass is
 * one sequential sweep: ~0.1 s for 10M values).
 */
void jy_sort_int64(int64_t *v, size_t n, int64_t *scratch);
void jy_sort_int64_ex(int64_t *v, size_t n, int64_t *scratch, void (*tick) (void *), void *arg);

#endif
