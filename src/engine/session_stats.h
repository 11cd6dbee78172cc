/*
 * session_stats.h — the session_stats summary type's codec: layout,
 * validation, text and binary forms, merge.  Plain C, no postgres.h; nothing
 * is allocated (the caller sizes every buffer with the functions below).
 *
 * ---- Layout, format version 1 (in memory and on disk, native byte order) ---
 *   int32  vl_len_        PostgreSQL's varlena header (the glue sets it)
 *   uint8  version        = 1
 *   uint8  flags          reserved, must be 0
 *   uint16 reserved       must be 0
 *   uint32 nentries       duration-histogram entries that follow (<= JY_SS_MAX_ENTRIES)
 *   int64  sessions, events, bounces, duration_sum (microseconds)
 *   uint64 entries[nentries]   qsketch entries (bucket << 50 | count), strictly
 *                              increasing buckets (qsketch.h)
 * Rules (jy_ss_validate; the aggregates keep them true): the counts and the
 * duration are >= 0; bounces <= sessions <= events; a non-bounce session has
 * at least two events; the histogram counts add up to sessions; the duration
 * lies within the bounds the histogram allows.
 *
 * ---- Text form ----------------------------------------------------------------
 *   {"v":1,"sessions":3,"events":7,"bounces":1,"duration_us":123456,"hist":[[0,1],[1536,2]]}
 * Keys in this order; white space is allowed between tokens.
 *
 * ---- Binary form (send/recv), network byte order ------------------------------
 *   uint8 version, uint8 flags, uint16 reserved, uint32 nentries,
 *   int64 sessions, events, bounces, duration_sum, uint64 entries[nentries]
 */
#ifndef JY_SESSION_STATS_H
#define JY_SESSION_STATS_H

#include "qsketch.h"
#include "summary_codec.h"

#define JY_SS_VERSION		1
#define JY_SS_MAX_ENTRIES	(JY_QS_MAX_BUCKET + 1)

typedef struct JySessionStats
{
	int32_t		vl_len_;		/* varlena header: the glue's */
	uint8_t		version;
	uint8_t		flags;
	uint16_t	reserved;
	uint32_t	nentries;
	int64_t		sessions;
	int64_t		events;
	int64_t		bounces;
	int64_t		duration_sum;
	uint64_t	entries[];
} JySessionStats;

#define JY_SS_HDRSZ			offsetof(JySessionStats, entries)
#define JY_SS_SIZE(n)		(JY_SS_HDRSZ + (size_t) (n) * sizeof(uint64_t))

/* A zeroed value of version 1 with n entries (s has JY_SS_SIZE(n) bytes; vl_len_ untouched). */
void		jy_ss_init(JySessionStats *s, uint32_t n);

/* Every rule of the layout; EINVALID with the broken rule as a sentence. */
JyCodecStatus jy_ss_validate(const JySessionStats *s, JyCodecError *err);

/* ---- text ------------------------------------------------------------------ */

/* Histogram entries a parse of str can produce at most (size the value with JY_SS_SIZE). */
uint32_t	jy_ss_text_max_entries(const char *str);

/*
 * Parse and validate the text form into s, which has room for cap entries
 * (from jy_ss_text_max_entries).  Errors: ESYNTAX, ERANGE, EVERSION, EINVALID.
 */
JyCodecStatus jy_ss_parse_text(const char *str, JySessionStats *s, uint32_t cap, JyCodecError *err);

/* Print the text form into out (NUL-terminated); out NULL: only count.  Returns the length. */
size_t		jy_ss_print_text(const JySessionStats *s, char *out);

/* ---- binary ---------------------------------------------------------------- */

/*
 * Read the fixed part of a binary message; sets *n (entries) after checking
 * it against JY_SS_MAX_ENTRIES and the bytes present.  ETRUNC, EINVALID.
 */
JyCodecStatus jy_ss_recv_header(const uint8_t *buf, size_t len, uint32_t *n, JyCodecError *err);

/*
 * Decode and validate a binary message into s (room for the n of
 * jy_ss_recv_header); *used receives the bytes read (the caller checks that
 * nothing follows).  ETRUNC, EINVALID.
 */
JyCodecStatus jy_ss_recv(const uint8_t *buf, size_t len, JySessionStats *s, size_t *used, JyCodecError *err);

/* Size of the binary form, and writing it. */
size_t		jy_ss_send_size(const JySessionStats *s);
void		jy_ss_send(const JySessionStats *s, uint8_t *out);

/* ---- merge ------------------------------------------------------------------- */

/* Number of b's histogram buckets missing from a. */
size_t		jy_ss_missing_buckets(const JySessionStats *a, const JySessionStats *b);

/*
 * Add b into r, which has room for r->nentries + jy_ss_missing_buckets(r, b)
 * entries; r->nentries is updated (the caller sets the varlena size to
 * JY_SS_SIZE(r->nentries)).  EOVERFLOW when a count or the duration
 * overflows (r is then partly merged).
 */
JyCodecStatus jy_ss_merge(JySessionStats *r, const JySessionStats *b, JyCodecError *err);

#endif
