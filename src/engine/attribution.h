/*
 * attribution.h — multi-touch attribution: conversion paths from a user's
 * events, the heuristic credit models, and the order-k Markov chain
 * removal effect (order 1..JY_MK_MAX_ORDER) solved exactly.  See doc/attribution.md for the formulas.
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

/* ---- Markov chain of order k (exact removal effects) ------------------- */

#define JY_MK_MAX_ORDER 4
#define JY_MK_MAX_CHANNELS 256
#define JY_MK_MAX_STATES 2000	/* transient states, start included */
#define JY_MK_CONV (-1)			/* last symbol of a gram: absorbed in conversion */
#define JY_MK_NULL (-2)			/* last symbol of a gram: absorbed in null */

/*
 * An order-k chain is given by its grams: k + 1 symbols (from-state = the
 * first k, next = the last) with a count.  Symbols: 0 = start padding,
 * 1..nch = channels, JY_MK_CONV / JY_MK_NULL as the last symbol.  A path
 * c1..cn adds the n + 1 grams (s[i-k], .., s[i]) for i = 1..n+1 where s[j] = 0
 * for j < 1 and s[n+1] = conversion or null.  The transient states are the
 * distinct from-states (start = k zeros); the to-state of a gram whose next is
 * a channel is (s[i-k+1], .., s[i]).
 */

/* the n + 1 grams of one path into g[(n + 1) * (k + 1)] */
void		jy_mk_path_grams(int order, const int32_t *ch, size_t n, bool converted, int32_t *g);

/* grams strictly increasing (lexicographic on int32 symbols)?  */
int			jy_mk_gram_cmp(int order, const int32_t *a, const int32_t *b);

/* number of transient states of sorted distinct grams (distinct from-states, plus start if absent) */
size_t		jy_mk_count_states(int order, size_t ngrams, const int32_t *sym);

/* bytes of the work area for jy_mk_solve_k with ns states and ngrams grams */
size_t		jy_mk_work_bytes(size_t ns, size_t ngrams);

/*
 * Solve the chain of sorted distinct grams (sym: ngrams * (order + 1), cnt:
 * positive counts): *p_conv = P(conversion | start) and, for c = 1..nch,
 * p_without[c - 1] = the same with every state that contains c removed
 * (transitions into it go to null).  A to-state that is no from-state (only
 * in hand-made input) absorbs in null.  Dense Gaussian elimination with
 * partial pivoting on I - Q of the kept states: nch + 1 solves of at most ns
 * unknowns, O(nch ns^3).  work: jy_mk_work_bytes(ns, ngrams) bytes, 8-aligned;
 * tick(arg) once per pivot row (may be NULL).
 */
void		jy_mk_solve_k(int order, int nch, size_t ngrams, const int32_t *sym, const double *cnt,
						  size_t ns, double *p_conv, double *p_without, void *work,
						  void (*tick) (void *), void *arg);

/*
 * P(conversion | state 0) of an absorbing chain given densely: q = nt x nt
 * transient transition probabilities, r = probabilities into conversion,
 * `removed` (or -1) a state made a null state.  work: nt (nt + 1) doubles.
 */
double		jy_mk_absorb(int nt, const double *q, const double *r, int removed, double *work);

#endif
