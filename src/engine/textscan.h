/*
 * textscan.h — the scanner behind the text input of journey's summary types
 * (session_stats, funnel_summary, cohort_retention, kmeans_model), and the
 * error report their engine codecs share.  Plain C, no postgres.h.
 *
 * The text forms are a fixed JSON-like layout read token by token: literals,
 * keys in a fixed order, integers within bounds, finite doubles, booleans.
 * White space (space, tab, CR, LF) is allowed before every token.  Input is a
 * NUL-terminated string.  Every function returns false after recording the
 * first problem in the scanner's JyCodecError (status, 0-based character
 * position, and a sentence for the error detail); the glue maps the status to
 * a SQLSTATE and a message (src/textscan.c: jy_codec_ereport).
 */
#ifndef JY_TEXTSCAN_H
#define JY_TEXTSCAN_H

#include "jy_engine.h"

/* What a codec of a summary type reports (the glue maps it to an ereport). */
typedef enum
{
	JY_CODEC_OK = 0,
	JY_CODEC_ESYNTAX = 1,		/* text: unexpected token (22P02); msg "Expected X at character N." */
	JY_CODEC_ERANGE = 2,		/* text: a number out of range (22003) at pos; msg "Allowed values are X." */
	JY_CODEC_EVERSION = 3,		/* text: unsupported format version `value` (22P02) */
	JY_CODEC_EINVALID = 4,		/* the value breaks a rule of its type (22P02 text, 22P03 binary); msg a sentence */
	JY_CODEC_ETRUNC = 5,		/* binary: the message ends early (08P01, as pq_getmsg*); msg the primary message */
	JY_CODEC_EOVERFLOW = 6		/* merging: a count out of range (22003); msg the primary message */
} JyCodecStatus;

typedef struct JyCodecError
{
	JyCodecStatus status;
	size_t		pos;			/* 0-based character (text) or byte offset (binary) */
	int64_t		value;			/* EVERSION: the version found */
	char		msg[192];		/* see the status; a detail sentence ends with a period */
} JyCodecError;

/* Record an error (printf-style message); returns status. */
JyCodecStatus jy_codec_fail(JyCodecError *err, JyCodecStatus status, size_t pos, const char *fmt,...)
			__attribute__((format(printf, 4, 5)));

typedef struct JyScan
{
	const char *start;
	const char *p;
	JyCodecError *err;
} JyScan;

void		jy_ts_init(JyScan *s, const char *str, JyCodecError *err);
/* skip white space */
void		jy_ts_ws(JyScan *s);
/* syntax error "Expected <expected> at character N." at the current position; returns false */
bool		jy_ts_fail(JyScan *s, const char *expected);
/* the literal lit (after white space) */
bool		jy_ts_lit(JyScan *s, const char *lit);
/* is the next token (after white space) the character c? */
bool		jy_ts_peek(JyScan *s, char c);
/* [","] "key" ":" */
bool		jy_ts_key(JyScan *s, const char *key, bool comma);
/* a decimal integer in [min, max] (strtoll syntax, starting with a digit or '-') */
bool		jy_ts_int(JyScan *s, int64_t min, int64_t max, int64_t *out);
/* a finite double (strtod syntax, starting with a digit or '-'); subnormals read back */
bool		jy_ts_double(JyScan *s, double *out);
/* true or false */
bool		jy_ts_bool(JyScan *s, bool *out);
/* only white space left */
bool		jy_ts_end(JyScan *s);

/* ---- writing text: a cursor that counts when out is NULL ------------------ */

typedef struct JyTextOut
{
	char	   *out;			/* NULL: only count */
	size_t		len;
} JyTextOut;

void		jy_to_str(JyTextOut *o, const char *s);
void		jy_to_i64(JyTextOut *o, int64_t v);
void		jy_to_u64(JyTextOut *o, uint64_t v);

#endif
