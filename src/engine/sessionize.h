/*
 * sessionize.h — the sessionization rule, one event at a time.
 *
 * An event starts a new session when it is the first event, or
 *   - its gap to the previous event is strictly greater than `gap`, or
 *   - max_len > 0 and it lies strictly more than `max_len` after the first
 *     event of the current session, or
 *   - its split marker is true.
 * Events must arrive in non-decreasing time order.
 */
#ifndef JY_SESSIONIZE_H
#define JY_SESSIONIZE_H

#include "jy_engine.h"

typedef struct JySessionizer
{
	int64_t		gap;		/* > 0, microseconds */
	int64_t		max_len;	/* 0 = no maximum */
	int64_t		prev;		/* time of the previous event */
	int64_t		start;		/* time of the current session's first event */
	int64_t		number;		/* current session number, 0 before any event */
} JySessionizer;

typedef enum
{
	JY_SESS_SAME = 0,			/* event continues the current session */
	JY_SESS_NEW = 1,			/* event starts a new session */
	JY_SESS_UNORDERED = -1		/* event is earlier than the previous one */
} JySessStep;

static inline void
jy_sessionizer_init(JySessionizer *s, int64_t gap, int64_t max_len)
{
	s->gap = gap;
	s->max_len = max_len;
	s->prev = 0;
	s->start = 0;
	s->number = 0;
}

static inline JySessStep
jy_sessionizer_step(JySessionizer *s, int64_t ts, bool split)
{
	bool		brk;

	if (s->number == 0)
		brk = true;
	else if (ts < s->prev)
		return JY_SESS_UNORDERED;
	else
		brk = split ||
			jy_udiff(ts, s->prev) > (uint64_t) s->gap ||
			(s->max_len > 0 && jy_udiff(ts, s->start) > (uint64_t) s->max_len);
	s->prev = ts;
	if (brk)
	{
		s->number++;
		s->start = ts;
		return JY_SESS_NEW;
	}
	return JY_SESS_SAME;
}

/*
 * Session statistics over one sorted run of timestamps (one user's events):
 * sessions, events, bounces (single-event sessions), total duration, and each
 * session's duration handed to `on_session` (may be NULL).
 */
typedef struct JySessionTotals
{
	int64_t		sessions;
	int64_t		events;
	int64_t		bounces;
	int64_t		duration_sum;	/* microseconds */
} JySessionTotals;

/* Returns false when the sum of durations would overflow int64. */
bool jy_session_totals(const int64_t *ts, size_t n, int64_t gap, int64_t max_len,
					   JySessionTotals *out,
					   void (*on_session) (void *arg, int64_t duration, int64_t events),
					   void *arg);

/*
 * The same, calling tick(tick_arg) every 2^20 events (tick may be NULL), so
 * the caller can honour cancellation during one long pass.
 */
bool jy_session_totals_ex(const int64_t *ts, size_t n, int64_t gap, int64_t max_len,
						  JySessionTotals *out,
						  void (*on_session) (void *arg, int64_t duration, int64_t events),
						  void *arg, void (*tick) (void *), void *tick_arg);

#endif
