/*
 * pattern.h — journey's pattern language (compiler + linear-time matcher) and
 * a ClickHouse sequenceMatch/sequenceCount-compatible matcher.
 *
 * Plain C: no postgres.h.  All memory comes from a caller-supplied allocator
 * (palloc in the glue, an arena in tests); nothing is freed individually.
 *
 * ---- the journey pattern language (see doc/patterns.md for the grammar) ---
 * A pattern is compiled into a Thompson NFA and run as a Pike VM over the
 * journey's events.  Event names become pattern-local ids 0..nnames-1; every
 * event whose name is not in the pattern has id -1 ("other").
 *
 * Time: `(?t op d)` is a zero-width assertion on the gap between the event
 * that follows it and that event's predecessor in the journey (the first
 * event of a journey has an infinite gap).  `within d` / `span op d` bound
 * the span (last minus first event time) of the whole match.
 *
 * Matches are non-empty and non-overlapping: the next match is the one that
 * ends first among those starting after the previous match; among matches
 * with that end, the one that starts last (the shortest) is reported.
 * Forward pass (earliest end) + backward pass (latest start): each event is
 * looked at O(1) times per match search, so the whole scan is
 * O(events x program size).  No backtracking, no iteration cap.
 */
#ifndef JY_PATTERN_H
#define JY_PATTERN_H

#include "jy_engine.h"

/* allocator: returns zeroed or not-zeroed memory; must not return NULL (may longjmp) */
typedef struct JyAlloc
{
	void	   *(*alloc) (void *arg, size_t size);
	void	   *arg;
} JyAlloc;

/* compile errors */
typedef enum
{
	JY_PAT_OK = 0,
	JY_PAT_SYNTAX = 1,			/* -> SQLSTATE 2201B */
	JY_PAT_EMPTY = 2,			/* empty pattern -> 2201B */
	JY_PAT_LIMIT = 3,			/* absurd repeat bounds / program too large -> 54000 */
	JY_PAT_UNSUPPORTED = 4		/* -> 0A000 */
} JyPatStatus;

typedef struct JyPatError
{
	JyPatStatus status;
	int			pos;			/* 0-based byte offset into the pattern text */
	char		msg[160];
} JyPatError;

/* comparison operators of time constraints */
typedef enum
{
	JY_OP_LT, JY_OP_LE, JY_OP_GT, JY_OP_GE, JY_OP_EQ
} JyCmpOp;

#define JY_PAT_MAX_REPEAT	1000		/* largest m or n in {m,n} */
#define JY_PAT_MAX_PROG		100000		/* largest compiled program (instructions) */
#define JY_PAT_MAX_NAMES	4096		/* distinct event names in one pattern */
#define JY_PAT_TICK_WORK	65536		/* work units between two interrupt ticks */

typedef struct JyPattern JyPattern;

/* Compile src[0..len).  On error returns NULL and fills *err. */
JyPattern  *jy_pat_compile(const char *src, size_t len, const JyAlloc *a, JyPatError *err);

/*
 * The same, calling tick(tick_arg) (may be NULL; may longjmp) every
 * JY_PAT_TICK_WORK units of compile work (bytes scanned, syntax nodes built,
 * names compared), so that a huge pattern text can be canceled.  A pattern
 * whose program must exceed JY_PAT_MAX_PROG (its elements and alternatives
 * alone exceed it and no repeat can have a maximum of 0) is rejected as soon
 * as the parser has seen enough of it, with the error of the final check.
 */
JyPattern  *jy_pat_compile_ex(const char *src, size_t len, const JyAlloc *a, JyPatError *err,
							  void (*tick) (void *), void *tick_arg);

/* pattern-local names: ids 0..n-1 (each is NUL-terminated, unescaped) */
int			jy_pat_nnames(const JyPattern *p);
const char *jy_pat_name(const JyPattern *p, int id, size_t *len);
/* id of a name, or -1 when the pattern does not mention it (ids follow name order) */
int32_t		jy_pat_lookup(const JyPattern *p, const char *name, size_t len);

/*
 * Key that orders events with equal times by name (the journey type's
 * order: bytes, shorter first) as far as the pattern can tell: 2*id+1 for a
 * name of the pattern, 2*r for any other name sorting between pattern names
 * r-1 and r.  Events whose keys are equal are indistinguishable to the
 * pattern.  The id is (key-1)/2 for odd keys, -1 for even ones.
 */
uint32_t	jy_pat_tie_key(const JyPattern *p, const char *name, size_t len);
int			jy_pat_proglen(const JyPattern *p);

/*
 * True when events whose names the pattern does not mention cannot change any
 * result of jy_pat_next / jy_pat_match / jy_pat_count, so a caller may leave
 * them out of the events it passes: patterns of the shape S1 .* S2 .* ... .* Sk
 * (each Si a name, a set of names or a group of such alternatives; optional
 * within / span clause).  Conservative: false for every other shape.
 */
bool		jy_pat_skips_others(const JyPattern *p);

/*
 * Names every match contains: bit i set = an event with pattern-local id i
 * occurs in every match (only ids below 64; 0 when nothing is known).  A
 * journey lacking one of them has no match: match false, count 0, no rows.
 */
uint64_t	jy_pat_required(const JyPattern *p);

/* the events of one journey, sorted by ts (ties keep their order) */
typedef struct JyEvents
{
	const int64_t *ts;
	const int32_t *ev;			/* pattern-local ids, -1 = other */
	size_t		n;
} JyEvents;

/* working memory of a matcher (sized by the program, reusable across journeys) */
typedef struct JyPatScratch JyPatScratch;

JyPatScratch *jy_pat_scratch(const JyPattern *p, const JyAlloc *a);

/*
 * Optional interrupt hook (the glue runs CHECK_FOR_INTERRUPTS there; it may
 * longjmp: the matcher holds no resources).  It is called by cost, not by
 * events: the matcher counts work units (one per event scanned plus one per
 * NFA state visited in its closures) and calls the tick between events once
 * JY_PAT_TICK_WORK units have passed since the previous call.  One event costs
 * at most ~3 x the program size, so two calls are at most
 * JY_PAT_TICK_WORK + 3 x JY_PAT_MAX_PROG units apart (a few milliseconds)
 * whatever the pattern; with a one-name pattern that is every ~2^15 events.
 */
void		jy_pat_set_tick(JyPatScratch *s, void (*tick) (void *), void *arg);
/* work units counted so far by matches run with s (for tests) */
uint64_t	jy_pat_work(const JyPatScratch *s);

/*
 * Find the next match starting at index >= from.  Returns true and sets
 * *mstart and *mend (inclusive event indexes) when there is one.  With
 * need_start = false only *mend is computed (cheaper: no backward pass).
 */
bool		jy_pat_next(const JyPattern *p, JyPatScratch *s, const JyEvents *e,
						size_t from, bool need_start, size_t *mstart, size_t *mend);

/* convenience: does the journey contain a match?  number of non-overlapping matches */
bool		jy_pat_match(const JyPattern *p, JyPatScratch *s, const JyEvents *e);
int64_t		jy_pat_count(const JyPattern *p, JyPatScratch *s, const JyEvents *e);

/*
 * Parse a duration as the pattern language does: a number with an optional
 * unit (600, 600s, 10min, 1.5 hours) or a quoted PostgreSQL-style interval
 * ('1 day 02:00:00').  Returns characters consumed, 0 on error.
 */
size_t		jy_pat_parse_duration(const char *s, size_t len, int64_t *usecs);

/* ---- ClickHouse-compatible sequenceMatch / sequenceCount ----------------
 * Pattern syntax: (?N) condition N (1-based), `.` any stored event, `.*` any
 * run of stored events, (?t op S) with op one of < <= > >= == and S whole
 * seconds.  Only events for which at least one condition is true are kept
 * (the caller filters), as in ClickHouse.  White space between tokens is
 * allowed (ClickHouse rejects it).
 */
#define JY_CH_MAX_CONDS 32

typedef struct JyChPattern JyChPattern;

JyChPattern *jy_ch_compile(const char *src, size_t len, int nconds, const JyAlloc *a, JyPatError *err);
/* the same, calling tick(tick_arg) (may be NULL) every JY_PAT_TICK_WORK bytes of text */
JyChPattern *jy_ch_compile_ex(const char *src, size_t len, int nconds, const JyAlloc *a, JyPatError *err,
							  void (*tick) (void *), void *tick_arg);

/*
 * events: ts sorted ascending; mask bit k set when condition k+1 holds.
 * tick (may be NULL) is called by cost like jy_pat_set_tick: every JY_PAT_TICK_WORK
 * work units (one per event plus two per action of the pattern per event).
 */
bool		jy_ch_match(const JyChPattern *p, const int64_t *ts, const uint32_t *mask, size_t n,
						const JyAlloc *a, void (*tick) (void *), void *tick_arg);
int64_t		jy_ch_count(const JyChPattern *p, const int64_t *ts, const uint32_t *mask, size_t n,
						const JyAlloc *a, void (*tick) (void *), void *tick_arg);

#endif
