/*
 * summary_codec.h — what the codecs of journey's summary types
 * (session_stats.h, funnel_summary.h) share: the error they report, the
 * text printer, and the big-endian reader and writer of their binary
 * (send/recv) forms.  Text is scanned with textscan.h.  Plain C, no
 * postgres.h; nothing is allocated.
 *
 * The glue maps a JyCodecError to a SQLSTATE and message with
 * jy_codec_ereport (src/summary_type.h).
 */
#ifndef JY_SUMMARY_CODEC_H
#define JY_SUMMARY_CODEC_H

#include "jy_engine.h"
#include "qsketch.h"
#include "textscan.h"

typedef enum
{
	JY_CODEC_OK = 0,
	JY_CODEC_ESYNTAX = 1,		/* text: unexpected token (22P02); msg "Expected X at character N." */
	JY_CODEC_ERANGE = 2,		/* text: a number out of range (22003) at pos; msg "Allowed values are X." */
	JY_CODEC_EVERSION = 3,		/* text: unsupported format version `value` (22P02); msg a sentence */
	JY_CODEC_EINVALID = 4,		/* the value breaks a rule of its type (22P02 text, 22P03 binary); msg a sentence */
	JY_CODEC_ETRUNC = 5,		/* binary: the message ends early (08P01, as pq_getmsg*); msg the primary message */
	JY_CODEC_EOVERFLOW = 6		/* adding or merging: a count out of range (22003); msg the primary message */
} JyCodecStatus;

typedef struct JyCodecError
{
	JyCodecStatus status;
	size_t		pos;			/* 0-based character (text) or byte offset (binary) */
	int64_t		value;			/* EVERSION: the version found */
	char		msg[256];		/* see the status; a detail sentence ends with a period */
} JyCodecError;

/* Record an error (printf-style message); returns status. */
JyCodecStatus jy_codec_fail(JyCodecError *err, JyCodecStatus status, size_t pos, const char *fmt,...)
			__attribute__((format(printf, 4, 5)));

/* Record the scanner's failure (ESYNTAX or ERANGE, its position and sentence); returns the status. */
JyCodecStatus jy_codec_scan_failed(JyCodecError *err, const JyTs *ts);

/*
 * The start of a summary's text, `{"v":<version>`: the scanner's failure
 * (jy_codec_scan_failed), or EVERSION (value: the version read) when the
 * version is not `version`.  JY_CODEC_OK: go on with the next key.
 */
JyCodecStatus jy_codec_text_version(JyTs *ts, JyCodecError *err, int version);

/* "end of input": only white space left */
bool		jy_ts_end(JyTs *ts);

/*
 * A histogram "[[bucket,count],...]" ("[]" when empty; qsketch entries,
 * bucket 0..JY_QS_MAX_BUCKET, count 1..JY_QS_COUNT_MAX) into e, which has
 * room for `room` entries; *n receives the number read.  More than max
 * entries: "Expected no more histogram entries at character N."  Order and
 * duplicates are the validator's business.
 */
bool		jy_ts_qs_entries(JyTs *ts, uint64_t *e, size_t max, size_t room, size_t *n);

/* ---- writing text: a cursor that only counts when out is NULL ---------------- */

typedef struct JyTextOut
{
	char	   *out;			/* NULL: only count */
	size_t		len;
} JyTextOut;

/* n bytes of s */
void		jy_to_bytes(JyTextOut *o, const char *s, size_t n);
void		jy_to_str(JyTextOut *o, const char *s);
void		jy_to_i64(JyTextOut *o, int64_t v);
void		jy_to_u64(JyTextOut *o, uint64_t v);
/* ,"key":v (key needs no escaping) */
void		jy_to_key_i64(JyTextOut *o, const char *key, int64_t v);
/* a histogram as jy_ts_qs_entries reads it */
void		jy_to_qs_entries(JyTextOut *o, const uint64_t *e, size_t n);
/* NUL-terminate (when writing); returns the length without the NUL */
size_t		jy_to_finish(JyTextOut *o);

/* ---- binary forms: network byte order ------------------------------------------- */

typedef struct JyWire
{
	const uint8_t *buf;
	size_t		len;
	size_t		pos;
	JyCodecError *err;
} JyWire;

/*
 * Read an unsigned big-endian integer of `bytes` (1, 2, 4, 8) bytes; false
 * with ETRUNC when the message ends first, with pq_getmsgbyte's message for
 * one byte ("no data left in message") and pq_copymsgbytes's otherwise
 * ("insufficient data left in message").
 */
bool		jy_wire_get(JyWire *w, int bytes, uint64_t *out);

/* Write v as `bytes` big-endian bytes at *p and advance *p. */
void		jy_wire_put(uint8_t **p, int bytes, uint64_t v);

/*
 * The 8 bytes every summary's binary form starts with: version (1), flags
 * (1), reserved (2) and its element count (4).  get: false when the message
 * ends early (ETRUNC recorded), the fields unchecked.
 */
bool		jy_wire_get_head(JyWire *w, uint64_t *version, uint64_t *flags, uint64_t *reserved, uint64_t *count);
void		jy_wire_put_head(uint8_t **p, uint8_t version, uint8_t flags, uint16_t reserved, uint32_t count);

#endif
