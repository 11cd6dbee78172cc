/*
 * textscan.h — the scanner behind the text input of journey's summary types
 * (a fixed JSON-like layout read token by token).  Plain C, no postgres.h:
 * engine codecs parse with it, and the glue's jy_scan_* (src/textscan.c) wrap
 * it with ereport.
 *
 * Every function skips white space (space, tab, newline, CR) first, then
 * reads one token; on a mismatch it records what was expected and where, and
 * returns false.  The first failure is kept (later calls after a failure
 * return false at once), so a parser can test each call and return.
 * The text is NUL-terminated; the scanner never reads past the NUL.
 */
#ifndef JY_TEXTSCAN_H
#define JY_TEXTSCAN_H

#include "jy_engine.h"

typedef enum
{
	JY_TS_OK = 0,
	JY_TS_ESYNTAX = 1,			/* unexpected input: 22P02 "invalid input syntax" */
	JY_TS_ERANGE = 2			/* a number out of its allowed range: 22003 */
} JyTsStatus;

typedef struct JyTs
{
	const char *start;			/* the whole text */
	const char *p;				/* next character */
	JyTsStatus	status;
	size_t		pos;			/* 0-based character offset of the failure */
	/*
	 * ESYNTAX: "Expected <what> at character <pos + 1>." (or a parser's own
	 * sentence); ERANGE: "Allowed values are <range>." — the detail sentence.
	 */
	char		msg[256];
} JyTs;

void		jy_ts_init(JyTs *s, const char *text);

/* Record a syntax failure at the current position: "Expected <expected> at character N." */
bool		jy_ts_fail(JyTs *s, const char *expected);

/* Record a syntax failure with a sentence of the caller's (printf format). */
bool		jy_ts_fail_msg(JyTs *s, const char *fmt,...) __attribute__((format(printf, 2, 3)));

void		jy_ts_ws(JyTs *s);

/* The literal text `lit`. */
bool		jy_ts_lit(JyTs *s, const char *lit);

/* Is the next non-blank character c?  (Consumes only the white space.) */
bool		jy_ts_peek(JyTs *s, char c);

/* [","] "\"key\"" ":" */
bool		jy_ts_key(JyTs *s, const char *key, bool comma);

/* A decimal integer (strtoll) in [min, max]; ERANGE outside. */
bool		jy_ts_int(JyTs *s, int64_t min, int64_t max, int64_t *out);

/*
 * A finite number (strtod), starting with a digit or '-'.  Subnormal results
 * are accepted (the output functions print them, so they must read back);
 * only a result that overflows to infinity or underflows to zero is ERANGE.
 */
bool		jy_ts_double(JyTs *s, double *out);

/* true or false */
bool		jy_ts_bool(JyTs *s, bool *out);

#endif
