/*
 * journey_glue.h — the `journey` SQL type for other capabilities' glue
 * (pattern matching, funnels, retention over stored journeys).
 *
 *   JyJView v;
 *   jy_journey_view(PG_GETARG_DATUM(0), &v);     -- detoast once, validate, decode
 *   for (i = 0; i < v.n; i++) ... v.ts[i] (µs), v.ev[i] -> v.name[id] / v.name_len[id]
 *   id = jy_jc_find_name(&v, "purchase", 8);      -- -1 when the journey has no such event
 *
 * The arrays are palloc'd in CurrentMemoryContext; names point into the
 * detoasted value (kept alive in the same context) or into static memory.
 * Events are sorted by (time, name); the dictionary is sorted by name bytes.
 */
#ifndef JOURNEY_GLUE_H
#define JOURNEY_GLUE_H

#include "journey.h"
#include "journey_codec.h"

/*
 * Decode a journey datum (any TOAST state).  A stored value that fails
 * validation is reported as ERRCODE_DATA_CORRUPTED.
 */
extern void jy_journey_view(Datum d, JyJView *v);

/*
 * Decode only the events sel picks (jy_jc_decode_select_ex, fully
 * validating): v->n kept events, *row their positions among all events
 * (palloc'd with the view).  Stored values only (ERRCODE_DATA_CORRUPTED).
 */
extern void jy_journey_view_select(Datum d, JyJView *v, uint32 **row, JyJcSelect sel, void *sel_arg);

/*
 * Allocate the arrays of a view for n events and ndict names: one palloc'd
 * block starting at v->ts (pfree(v->ts) frees them all).
 */
extern void jy_journey_view_alloc(JyJView *v, uint32 n, uint32 ndict);

/* Build a journey value (palloc'd varlena) from a canonical view. */
extern struct varlena *jy_journey_from_view(const JyJView *v);

/*
 * Canonicalize any view (unsorted events, duplicate/unused names) in place
 * and build the value; limit and range errors become 54000 / 22008.
 */
extern struct varlena *jy_journey_build(JyJView *v);

/*
 * Raise the error of a codec result: limits 54000, times 22008, anything else
 * malformed_code ("what at character/byte N"; text input counts characters
 * from 1, binary input and stored values bytes from 0).
 */
extern void jy_journey_report(const JyJcError *e, int malformed_code, const char *what) pg_attribute_noreturn();

/* 22008 unless t is a time a journey can hold (0001-01-01 .. 9999-12-31 UTC) */
extern void jy_journey_check_time(TimestampTz t);

#define DatumGetJourneyPP(d) ((struct varlena *) PG_DETOAST_DATUM_PACKED(d))
#define PG_GETARG_JOURNEY_PP(n) DatumGetJourneyPP(PG_GETARG_DATUM(n))
#define PG_GETARG_JOURNEY_VIEW(n, v) jy_journey_view(PG_GETARG_DATUM(n), (v))

#endif
