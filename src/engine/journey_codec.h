/*
 * journey_codec.h — the journey codec: one user's ordered, timestamped events in one
 * compact, canonical, self-contained byte string.  Plain C, no postgres.h.
 *
 * A journey is the sorted multiset of (time, event name) pairs.  Events are
 * ordered by time (microseconds), and events at the same time by name bytes
 * (memcmp order, shorter first on a common prefix).  Because the order is a
 * function of the pairs alone, building a journey does not depend on input
 * order, and merging journeys is a multiset union (associative, commutative).
 *
 * ---- Format version 1 (the bytes after PostgreSQL's varlena header) --------
 *
 *   byte 0     version, = 1
 *   byte 1     flags: bits 0-2 = unit exponent e (0..6), bits 3-7 reserved, = 0
 *   varint     n       events (0 .. JY_JC_MAX_EVENTS)
 *   varint     ndict   distinct names (0 when n = 0, else 1 .. min(n, JY_JC_MAX_NAMES))
 *   [n > 0]    varint  zigzag(first time in µs)
 *   ndict x    varint x: x even -> a name of x/2 bytes follows (<= JY_JC_MAX_NAME_LEN);
 *                        x odd  -> well-known name number (x-1)/2 (jy_jc_well_known)
 *   n x        varint c: with K = ndict and ESC = UINT64_MAX / K - 1,
 *                        q = c / K is the time step in units of 10^e µs and
 *                        c % K the event's name id; when q == ESC the step
 *                        follows as one more varint (steps >= ESC only).
 *                        The first event's step must be 0.
 *   nothing after the last event.
 *
 * varint = unsigned LEB128, at most 10 bytes, no over-long forms.
 *
 * Canonical form (the decoder rejects anything else, so equal journeys have
 * equal bytes and `=` / hashing work on the bytes):
 *   - e is the largest value in 0..6 such that 10^e µs divides every time
 *     step between consecutive events (6 when there is no non-zero step;
 *     0 for the empty journey);
 *   - the dictionary is strictly increasing in name order, every name is used
 *     by at least one event, and a name of the well-known table is always
 *     written as its number;
 *   - events are in (time, name id) order; ids follow name order so this is
 *     (time, name) order;
 *   - every time lies in [JY_JC_MIN_TS, JY_JC_MAX_TS] (years 1 to 9999 UTC).
 */
#ifndef JY_JCODEC_H
#define JY_JCODEC_H

#include "jy_engine.h"

#define JY_JC_VERSION		1
#define JY_JC_MAX_EVENTS	16777216u	/* 2^24 events per journey */
#define JY_JC_MAX_NAMES		65535u		/* distinct event names per journey */
#define JY_JC_MAX_NAME_LEN	1024u		/* bytes per event name */
#define JY_JC_FLAG_UNIT_MASK 0x07u

/* 0001-01-01 00:00:00 UTC and 9999-12-31 23:59:59.999999 UTC, µs since 2000-01-01 */
#define JY_JC_MIN_TS	INT64_C(-63082281600000000)
#define JY_JC_MAX_TS	INT64_C(252455615999999999)

/* Result codes (the glue maps them to SQLSTATEs). */
typedef enum
{
	JY_JC_OK = 0,
	JY_JC_EMALFORMED = 1,		/* bad bytes / bad text: 22P02, 22P03 */
	JY_JC_ELIMIT = 2,			/* a documented limit is exceeded: 54000 */
	JY_JC_ERANGE = 3			/* a time outside JY_JC_MIN_TS..MAX_TS: 22008 */
} JyJcStatus;

/* What went wrong, and where (byte offset for binary, character for text). */
typedef struct JyJcError
{
	JyJcStatus	status;
	size_t		pos;			/* 0-based offset of the problem */
	char		msg[160];		/* a full sentence, ends with a period */
} JyJcError;

/*
 * The decoded view of a journey.  The caller owns all arrays; names point
 * into the encoded value (or into the static well-known table), so the value
 * must outlive the view.  Invariants after decoding or canonicalizing:
 *   ts non-decreasing; ev[i] < ndict; ts[i] == ts[i-1] implies ev[i] >= ev[i-1];
 *   name[] strictly increasing in name order; every id is used.
 */
typedef struct JyJView
{
	uint32_t	n;				/* events */
	uint32_t	ndict;			/* distinct names */
	int64_t    *ts;				/* [n] microseconds since 2000-01-01 UTC */
	uint32_t   *ev;				/* [n] name ids */
	const char **name;			/* [ndict] name bytes, not NUL-terminated */
	uint32_t   *name_len;		/* [ndict] */
} JyJView;

/* ---- decoding ------------------------------------------------------------ */

/*
 * Read and check the fixed part; sets *n and *ndict (to size the arrays for
 * jy_jc_decode).  Checks the counts against the limits and against the bytes
 * present before anything is allocated.
 */
JyJcStatus	jy_jc_header(const uint8_t *buf, size_t len, uint32_t *n, uint32_t *ndict,
						 JyJcError *err);

/*
 * Decode and fully validate (every canonical-form rule above).  v->ts, v->ev,
 * v->name, v->name_len must have room for the counts from jy_jc_header;
 * v->n and v->ndict are set.
 */
JyJcStatus	jy_jc_decode(const uint8_t *buf, size_t len, JyJView *v, JyJcError *err);

/*
 * The _ex forms of decode, encode, text size, print and parse call tick(arg)
 * (may be NULL; may longjmp) every 2^16 events and every 2^16 names, so that a
 * journey of 2^24 events can be canceled (decoding one takes ~1 s).
 */
JyJcStatus	jy_jc_decode_ex(const uint8_t *buf, size_t len, JyJView *v, JyJcError *err,
							void (*tick) (void *), void *arg);

/*
 * Times-only decode: the same validation as jy_jc_decode (a value it accepts
 * is exactly a value jy_jc_decode accepts), but only the event times are
 * written, to ts (room for the n of jy_jc_header); *n receives the count.
 * For questions that need no event names (sessions, durations): no name
 * arrays to allocate, no name ids to store.
 */
JyJcStatus	jy_jc_decode_times_ex(const uint8_t *buf, size_t len, int64_t *ts, uint32_t *n,
								  JyJcError *err, void (*tick) (void *), void *arg);

/*
 * Selective decode: the same validation as jy_jc_decode (a value it accepts
 * is exactly a value jy_jc_decode accepts, with the same errors), but only
 * the events the caller needs are written.  Once the dictionary is read
 * (v->name, v->name_len, v->ndict set; v->n = all events), sel(sel_arg, v)
 * returns keep[ndict]: event names whose events are wanted (keep[id] != 0),
 * or NULL for none.  The kept events are written in order to v->ts and v->ev,
 * their 0-based positions among all events to row[], and v->n becomes their
 * count.  v->ts, v->ev and row need room for the n of jy_jc_header (every
 * event is written to the next free slot, then kept or overwritten).
 * For questions that look at a few event names (funnels, patterns).
 */
typedef const uint8_t *(*JyJcSelect) (void *sel_arg, const JyJView *v);

JyJcStatus	jy_jc_decode_select_ex(const uint8_t *buf, size_t len, JyJView *v, uint32_t *row,
								   JyJcSelect sel, void *sel_arg, JyJcError *err,
								   void (*tick) (void *), void *arg);

/* ---- encoding ------------------------------------------------------------ */

/* Exact size of the canonical encoding of a canonical view. */
size_t		jy_jc_encoded_size(const JyJView *v);
size_t		jy_jc_encoded_size_ex(const JyJView *v, void (*tick) (void *), void *arg);

/* Write it; out must have jy_jc_encoded_size(v) bytes.  Returns the size. */
size_t		jy_jc_encode(const JyJView *v, uint8_t *out);
size_t		jy_jc_encode_ex(const JyJView *v, uint8_t *out, void (*tick) (void *), void *arg);

/*
 * Bring any view into canonical form in place: sort and de-duplicate the
 * dictionary, drop unused names, remap ids, sort events by (time, name).
 * `scratch` needs jy_jc_canon_scratch(n, ndict) bytes (8-byte aligned).
 * Checks the limits (ELIMIT) and the time range (ERANGE; err->pos = event index).
 */
size_t		jy_jc_canon_scratch(uint32_t n, uint32_t ndict);
JyJcStatus	jy_jc_canonicalize(JyJView *v, void *scratch, JyJcError *err);
/* the same, calling tick(arg) between sort runs and passes (cancellation) */
JyJcStatus	jy_jc_canonicalize_ex(JyJView *v, void *scratch, JyJcError *err,
								  void (*tick) (void *), void *arg);

/*
 * Merge two canonical views into out (multiset union, canonical).  out's
 * arrays need a->n + b->n events and a->ndict + b->ndict names; `scratch`
 * needs (a->ndict + b->ndict) * sizeof(uint32_t) bytes.
 */
JyJcStatus	jy_jc_merge(const JyJView *a, const JyJView *b, JyJView *out,
						uint32_t *scratch, JyJcError *err);
/* the same, calling tick(arg) (may be NULL) every 2^16 names and events */
JyJcStatus	jy_jc_merge_ex(const JyJView *a, const JyJView *b, JyJView *out,
						   uint32_t *scratch, JyJcError *err, void (*tick) (void *), void *arg);

/*
 * Union of two canonical views (idempotent merge): an event (time, name) that
 * occurs x times in a and y times in b occurs max(x, y) times in out, so
 * union(a, a) = a and union(union(a, b), b) = union(a, b); associative and
 * commutative.  Same array and scratch sizes as jy_jc_merge.  tick(arg), when
 * not NULL, is called every 65536 output events (cancellation).
 */
JyJcStatus	jy_jc_union(const JyJView *a, const JyJView *b, JyJView *out,
						uint32_t *scratch, JyJcError *err,
						void (*tick) (void *), void *arg);

/* ---- names --------------------------------------------------------------- */

/* name order: memcmp on the common prefix, then the shorter first */
int			jy_jc_name_cmp(const char *a, uint32_t alen, const char *b, uint32_t blen);

/* id of a name in a canonical view, or -1 (binary search) */
int64_t		jy_jc_find_name(const JyJView *v, const char *name, uint32_t len);

/* The frozen well-known-name table of format 1 (common analytics event names). */
extern const char *const jy_jc_well_known[];
extern const uint32_t jy_jc_n_well_known;

/* ---- text format ---------------------------------------------------------
 *   journey := '[' ']' | '[' event { ',' event } ']'
 *   event   := time name
 *   time    := absolute | '+' step
 *   absolute:= YYYY-MM-DD ('T' | ' ') HH:MM:SS [ '.' 1-6 digits ] zone
 *   zone    := 'Z' | ('+' | '-') HH [ [':'] MM ]
 *   step    := [ D 'd' ] [ H 'h' ] [ M 'm' ] [ S [ '.' 1-6 digits ] 's' ]   (at least one part)
 *   name    := bare | '"' { char | '\' escape } '"'
 *   bare    := 1 or more bytes other than white space, control bytes, and  , [ ] " \ +
 *   escape  := '"' | '\' | 'n' | 't' | 'r' | 'x' 2 hex digits
 * White space (space, tab, newline, CR) is allowed between tokens and is
 * required between time and a bare name.  The first event's time must be
 * absolute.  Times must not decrease; events at the same time may come in any
 * order (they are put in name order).
 * Output: the first time absolute in UTC ("2024-01-01 10:00:00+00"), then
 * steps such as "+41.27s", "+2d3h0m5s" ("+0s" for a tie); names bare when
 * possible.
 */

/*
 * Parse text into a view.  The arrays of v must have room for `cap_events`
 * events and `cap_events` names (a journey of text length L has at most L/2
 * events); names may point into `text`, or into `namebuf` (room for `len`
 * bytes) when they needed unescaping.  The result is canonical.
 * `scratch` needs jy_jc_canon_scratch(cap_events, cap_events) bytes.
 */
JyJcStatus	jy_jc_parse_text(const char *text, size_t len, JyJView *v, uint32_t cap_events,
							 char *namebuf, void *scratch, JyJcError *err);
JyJcStatus	jy_jc_parse_text_ex(const char *text, size_t len, JyJView *v, uint32_t cap_events,
								char *namebuf, void *scratch, JyJcError *err,
								void (*tick) (void *), void *arg);

/* Upper bound of the events in a text of `len` bytes. */
uint32_t	jy_jc_text_max_events(const char *text, size_t len);

/* Size of the text of a canonical view, without the terminating NUL. */
size_t		jy_jc_text_size(const JyJView *v);
size_t		jy_jc_text_size_ex(const JyJView *v, void (*tick) (void *), void *arg);

/* Write the text (and a NUL); out needs jy_jc_text_size(v) + 1 bytes. */
size_t		jy_jc_print_text(const JyJView *v, char *out);
size_t		jy_jc_print_text_ex(const JyJView *v, char *out, void (*tick) (void *), void *arg);

/* Print one timestamp as "YYYY-MM-DD HH:MM:SS[.ffffff]+00" (NUL-terminated, <= 32 bytes). */
size_t		jy_jc_print_time(int64_t ts, char *out);

#endif
