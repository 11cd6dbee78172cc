/*
 * unit.h — a minimal unit-test harness for the engines (no server).
 * Each test binary ends with the line "N passed, N failed".
 */
#ifndef JY_UNIT_H
#define JY_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_passed, unit_failed, unit_cur_failed;
static const char *unit_cur;

#define CHECK(cond) do { \
	if (!(cond)) { \
		printf("  FAIL %s: %s:%d: %s\n", unit_cur, __FILE__, __LINE__, #cond); \
		unit_cur_failed = 1; \
		return; \
	} } while (0)

#define CHECK_EQ_I64(a, b) do { \
	long long _a = (long long) (a), _b = (long long) (b); \
	if (_a != _b) { \
		printf("  FAIL %s: %s:%d: %s == %s (%lld != %lld)\n", unit_cur, __FILE__, __LINE__, #a, #b, _a, _b); \
		unit_cur_failed = 1; \
		return; \
	} } while (0)

#define RUN(fn) do { \
	unit_cur = #fn; unit_cur_failed = 0; fn(); \
	if (unit_cur_failed) unit_failed++; else { unit_passed++; printf("  ok %s\n", #fn); } \
	} while (0)

#define UNIT_DONE() do { \
	printf("%d passed, %d failed\n", unit_passed, unit_failed); \
	return unit_failed ? 1 : 0; } while (0)

#endif
