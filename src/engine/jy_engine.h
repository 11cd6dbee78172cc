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

/* the shared sorts (jy_sort_int64, jy_sort_ex) */
#include "jy_sort.h"

#endif
