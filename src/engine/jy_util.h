/*
 * jy_util.h — small helpers shared by several engines (no postgres.h).
 */
#ifndef JY_UTIL_H
#define JY_UTIL_H

#include <stdint.h>

/* the value of a hexadecimal digit (either case), -1 for any other character */
int			jy_hex_digit(int c);

/*
 * The character a one-letter JSON escape \c stands for (c one of " \ / b f n
 * r t), -1 for any other c (\u is not one-letter: the caller reads it).
 */
int			jy_json_escape(int c);

/*
 * The splitmix64 finalizer: a bijective mix of all 64 bits (hash tables,
 * seeds).  jy_splitmix64(&s): the next number of the splitmix64 generator
 * with state s (the sample data and k-means seeding; their sequences must not
 * change: sample data and fitted models depend on them).
 */
static inline uint64_t
jy_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static inline uint64_t
jy_splitmix64(uint64_t *s)
{
	return jy_mix64(*s += UINT64_C(0x9E3779B97F4A7C15));
}

#endif
