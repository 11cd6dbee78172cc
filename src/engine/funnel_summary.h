/*
 * funnel_summary.h — the funnel_summary type's codec: layout, validation,
 * text and binary forms, adding a user, merge.  Plain C, no postgres.h;
 * nothing is allocated (the caller sizes every buffer with the functions
 * below).  A funnel_summary is the cross-user state of a funnel report: how
 * many users reached each step, and per step a histogram (qsketch.h) of the
 * time from the previous step.
 *
 * ---- Layout, format version 1 (in memory and on disk, native byte order) ---
 *   int32  vl_len_    PostgreSQL's varlena header (the glue sets it)
 *   uint8  version    = 1
 *   uint8  flags      reserved, must be 0
 *   uint16 reserved   must be 0
 *   uint32 nsteps     1 .. JY_FUNNEL_MAX_STEPS
 *   int64  users      users summarised (level 0 included)
 *   int64  reached[nsteps]    users that reached step k+1 (non-increasing, <= users)
 *   uint32 nent[nsteps]       histogram entries of step k+1 (time from step k); nent[0] = 0,
 *                             each <= JY_FS_MAX_ENTRIES_PER_STEP
 *   (padding to 8 bytes)
 *   uint64 entries[sum nent]  qsketch entries, per step strictly increasing buckets;
 *                             step k+1's counts add up to reached[k] (k >= 1)
 *
 * ---- Text form ----------------------------------------------------------------
 *   {"v":1,"users":10,"reached":[8,5,2],"hist":[[],[[1536,3],[2000,2]],[[900,2]]]}
 * Keys in this order; white space is allowed between tokens.
 *
 * ---- Binary form (send/recv), network byte order ------------------------------
 *   uint8 version, uint8 flags, uint16 reserved, uint32 nsteps, int64 users,
 *   int64 reached[nsteps], uint32 nent[nsteps], uint64 entries[sum nent]
 *   (nothing after the entries)
 */
#ifndef JY_FUNNEL_SUMMARY_H
#define JY_FUNNEL_SUMMARY_H

#include "funnel.h"
#include "qsketch.h"
#include "summary_codec.h"

#define JY_FS_VERSION		1
#define JY_FS_MAX_ENTRIES_PER_STEP (JY_QS_MAX_BUCKET + 1)

typedef struct JyFunnelSummary
{
	int32_t		vl_len_;		/* varlena header: the glue's */
	uint8_t		version;
	uint8_t		flags;
	uint16_t	reserved;
	uint32_t	nsteps;
	int64_t		users;
	char		data[];			/* reached[], nent[], pad, entries[] */
} JyFunnelSummary;

#define JY_FS_ALIGN(x)		(((size_t) (x) + 7) & ~(size_t) 7)
#define JY_FS_HDRSZ			offsetof(JyFunnelSummary, data)
#define JY_FS_REACHED(s)	((int64_t *) (s)->data)
#define JY_FS_NENT(s)		((uint32_t *) ((s)->data + (size_t) (s)->nsteps * sizeof(int64_t)))
#define JY_FS_ENT_OFF(nsteps) JY_FS_ALIGN(JY_FS_HDRSZ + (size_t) (nsteps) * (sizeof(int64_t) + sizeof(uint32_t)))
#define JY_FS_ENTRIES(s)	((uint64_t *) ((char *) (s) + JY_FS_ENT_OFF((s)->nsteps)))
#define JY_FS_SIZE(nsteps, total) (JY_FS_ENT_OFF(nsteps) + (size_t) (total) * sizeof(uint64_t))

/* A zeroed value of version 1 (s has JY_FS_SIZE(nsteps, total) bytes; vl_len_ untouched). */
void		jy_fs_init(JyFunnelSummary *s, uint32_t nsteps, size_t total);

/* Total histogram entries (sum of nent). */
size_t		jy_fs_total(const JyFunnelSummary *s);

/* Every rule of the layout, for a value of size bytes; EINVALID with the broken rule. */
JyCodecStatus jy_fs_validate(const JyFunnelSummary *s, size_t size, JyCodecError *err);

/* ---- text ------------------------------------------------------------------ */

/* Bytes a parse of str can need at most (the buffer for jy_fs_parse_text). */
size_t		jy_fs_text_max_size(const char *str);

/*
 * Parse and validate the text form into s (size bytes, from
 * jy_fs_text_max_size); *used receives the value's size,
 * JY_FS_SIZE(nsteps, total).  ESYNTAX, ERANGE, EVERSION, EINVALID.
 */
JyCodecStatus jy_fs_parse_text(const char *str, JyFunnelSummary *s, size_t size, size_t *used,
							   JyCodecError *err);

/* Print the text form into out (NUL-terminated); out NULL: only count.  Returns the length. */
size_t		jy_fs_print_text(const JyFunnelSummary *s, char *out);

/* ---- binary ---------------------------------------------------------------- */

/*
 * Read the fixed part and the per-step arrays of a binary message; sets
 * *nsteps and *total (size the value with JY_FS_SIZE) after checking them
 * against the limits and the bytes present.  ETRUNC, EINVALID.
 */
JyCodecStatus jy_fs_recv_header(const uint8_t *buf, size_t len, uint32_t *nsteps, size_t *total,
								JyCodecError *err);

/* Decode and validate a binary message (all of buf) into s (sized from jy_fs_recv_header). */
JyCodecStatus jy_fs_recv(const uint8_t *buf, size_t len, JyFunnelSummary *s, JyCodecError *err);

size_t		jy_fs_send_size(const JyFunnelSummary *s);
void		jy_fs_send(const JyFunnelSummary *s, uint8_t *out);

/* ---- adding a user, merging ---------------------------------------------------- */

/*
 * A user who reached level lv (0..nsteps), bk[k] the histogram bucket of
 * the time from step k to step k+1 (1 <= k < lv).  jy_fs_missing: how many
 * of those buckets are not in s yet.  jy_fs_add_user: add the user to r,
 * where r == s (then jy_fs_missing must be 0) or r is a fresh value of
 * s->nsteps steps with room for jy_fs_total(s) + missing entries, into which
 * s is copied first.  EOVERFLOW on a count out of range.
 */
size_t		jy_fs_missing(const JyFunnelSummary *s, int lv, const uint32_t *bk);
JyCodecStatus jy_fs_add_user(JyFunnelSummary *r, const JyFunnelSummary *s, int lv, const uint32_t *bk,
							 JyCodecError *err);

/*
 * r = a + b (same nsteps; the caller checks): r is a fresh value of
 * a->nsteps steps with room for jy_fs_total(a) + jy_fs_total(b) entries;
 * *used receives the merged value's size (<= its room).  EOVERFLOW.
 */
JyCodecStatus jy_fs_merge(JyFunnelSummary *r, const JyFunnelSummary *a, const JyFunnelSummary *b,
						  size_t *used, JyCodecError *err);

#endif
