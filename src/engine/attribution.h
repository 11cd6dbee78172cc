/*
 * attribution.h — multi-touch attribution: conversion paths from a user's
 * events, the heuristic credit models, and the first-order Markov chain
 * removal effect solved exactly.  See doc/attribution.md for the formulas.
 */
#ifndef JY_ATTRIBUTION_H
#define JY_ATTRIBUTION_H

#include "jy_engine.h"

/* ---- paths ----------------------------------------------------------- */

typedef struct JyAttrEvent
{
	int64_t		ts;
	const char *channel;		/* NULL: not a touchpoint */
	uint32_t	chlen;
	bool		conversion;
	bool		has_revenue;
	double		revenue;
} JyAttrEvent;

/* sort a user's events: time, then touchpoints before conversions, then channel bytes; tick(arg) every 64k moves (may be NULL) */
void		jy_attr_sort_events(JyAttrEvent *ev, size_t n, JyAttrEvent *scratch, void (*tick) (void *), void *arg);

/*
 * Build the paths of sorted events.  For every conversion, emit(arg, conv,
 * touches, ntouch) with the indexes of its touchpoints (ts >= conv.ts -
 * lookback, in time order).  Without reuse a touchpoint belongs to the first
 * conversion at or after it (and is dropped when outside that window);
 * with reuse every conversion sees every earlier touchpoint in its window.
 * Touchpoints after the last conversion are emitted last with conv = -1 (a
 * non-converting path), if any.  idx must hold n entries.
 */
typedef void (*JyAttrEmit) (void *arg, long conv, const size_t *touches, size_t ntouch);
void		jy_attr_paths(const JyAttrEvent *ev, size_t n, int64_t lookback, bool reuse,
						  size_t *idx, JyAttrEmit emit, void *arg);

/* ---- heuristic models ------------------------------------------------ */

typedef enum
{
	JY_ATTR_FIRST = 0,
	JY_ATTR_LAST,
	JY_ATTR_LAST_NON_DIRECT,
	JY_ATTR_LINEAR,
	JY_ATTR_TIME_DECAY,
	JY_ATTR_POSITION,
	JY_ATTR_NMODELS
} JyAttrModel;

/* model by name ("first", "last", "last_non_direct", "linear", "time_decay", "position"); -1 unknown */
int			jy_attr_model(const char *name, size_t len);
extern const char *const jy_attr_model_names[JY_ATTR_NMODELS];

/*
 * Credits of the n >= 1 touchpoints of one conversion into credit[] (sum 1).
 * ts: touch times (time_decay only), conv_ts the conversion time, half_life >
 * 0 in µs; direct[i]: the touchpoint is direct (last_non_direct); weights:
 * first, middle, last (position; non-negative, positive sum).
 */
void		jy_attr_credit(JyAttrModel model, size_t n, const int64_t *ts, const bool *direct,
						   int64_t conv_ts, int64_t half_life, const double weights[3], double *credit);

/* ---- first-order Markov chain ---------------------------------------- */

#define JY_MK_MAX_CHANNELS 256

/*
 * Transition counts between states 0 = start, 1..n = channels, n+1 =
 * conversion, n+2 = null, held as a dense (MAX+1) x (MAX+3) matrix the caller
 * allocates (jy_mk_size bytes) and zeroes.
 */
typedef struct JyMarkov
{
	int			nchannels;
	double		paths;
	double		conversions;
	double		revenue;
	double		counts[];		/* [(JY_MK_MAX_CHANNELS + 1) * (JY_MK_MAX_CHANNELS + 3)] */
} JyMarkov;

size_t		jy_mk_size(void);
/* add one path of channel numbers 1..n (n = 0: ignored); false when a number is out of range */
bool		jy_mk_add_path(JyMarkov *m, const int *ch, size_t n, bool converted, double revenue, double weight);
/*
 * Solve: p_conv = P(conversion | start), and for every channel c (1..n)
 * p_without[c-1] = P(conversion | start) with c made a null state (its
 * incoming transitions lead to null).  Gaussian elimination with partial
 * pivoting on I - Q of the transient states; O(n^4) in all.  work: 2 (n+1)^2
 * + 2 (n+1) doubles.  tick(arg) is called once per solve.
 */
void		jy_mk_solve(const JyMarkov *m, double *p_conv, double *p_without, double *work,
						void (*tick) (void *), void *arg);
/*
 * P(conversion | state 0) of an absorbing chain: q = nt x nt transient
 * transition probabilities, r = probabilities into conversion, `removed` (or
 * -1) a state made a null state.  work: nt (nt + 1) doubles.
 */
double		jy_mk_absorb(int nt, const double *q, const double *r, int removed, double *work);

#endif
