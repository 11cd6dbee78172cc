/*
 * sessionize_glue.c — SQL interface of sessionization:
 *   sessionize(ts, gap, max_length, split)      window: session number 1, 2, ...
 *   session_start(ts, gap, max_length, split)   window: first timestamp of the row's session
 *   session_key(user_key, session_start)        deterministic uuid of a session
 * The rule itself is the engine's (src/engine/sessionize.h).
 */
#include "jy_agg.h"

#include "common/md5.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/uuid.h"
#include "windowapi.h"

#include "sessionize.h"

PG_FUNCTION_INFO_V1(jy_sessionize_window);
PG_FUNCTION_INFO_V1(jy_session_start_window);
PG_FUNCTION_INFO_V1(jy_session_key_text);
PG_FUNCTION_INFO_V1(jy_session_key_int8);

/* argument positions of the window functions */
#define ARG_TS		0
#define ARG_GAP		1
#define ARG_MAXLEN	2
#define ARG_SPLIT	3

typedef struct SessWinState
{
	bool		initialized;
	bool		params_stable;	/* gap / max_length are constants: read once */
	bool		split_stable;	/* split is a constant (usually the NULL default) */
	bool		split_value;	/* its value, when split_stable */
	int64		last_pos;		/* position of the previous row handed to us */
	int64		gap;
	int64		max_len;
	JySessionizer s;
} SessWinState;

static void
read_params(WindowObject winobj, int nargs, int64 *gap, int64 *max_len)
{
	bool		isnull;
	Datum		d;

	*gap = 30 * USECS_PER_MINUTE;
	*max_len = 0;
	if (nargs > ARG_GAP)
	{
		d = WinGetFuncArgCurrent(winobj, ARG_GAP, &isnull);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("session gap must not be NULL"),
					 errhint("Omit the argument to use the default of 30 minutes.")));
		*gap = jy_interval_usecs(DatumGetIntervalP(d), "session gap");
		if (*gap <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("session gap must be a positive interval"),
					 errdetail("The value given is %s.",
							   DatumGetCString(DirectFunctionCall1(interval_out, d)))));
	}
	if (nargs > ARG_MAXLEN)
	{
		d = WinGetFuncArgCurrent(winobj, ARG_MAXLEN, &isnull);
		if (!isnull)
		{
			*max_len = jy_interval_usecs(DatumGetIntervalP(d), "maximum session length");
			if (*max_len < *gap)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("maximum session length must not be shorter than the session gap"),
						 errdetail("The maximum length is %s and the gap is %s.",
								   DatumGetCString(DirectFunctionCall1(interval_out, d)),
								   jy_usecs_to_cstring(*gap))));
		}
	}
}

/*
 * Advance the per-partition sessionizer to the current row.  Returns false
 * when the row's timestamp is NULL (the row belongs to no session).
 */
/* the current row's split argument (NULL: no split) */
static bool
split_arg(WindowObject winobj)
{
	bool		isnull;
	Datum		d = WinGetFuncArgCurrent(winobj, ARG_SPLIT, &isnull);

	return !isnull && DatumGetBool(d);
}

static bool
sess_advance(FunctionCallInfo fcinfo, SessWinState **out)
{
	WindowObject winobj = PG_WINDOW_OBJECT();
	SessWinState *st;
	int64		pos = WinGetCurrentPosition(winobj);
	int			nargs = PG_NARGS();
	bool		isnull;
	bool		split = false;
	Datum		d;
	int64		ts;

	st = (SessWinState *) WinGetPartitionLocalMemory(winobj, sizeof(SessWinState));
	*out = st;
	if (!st->initialized)
	{
		st->params_stable = jy_arg_stable(fcinfo, ARG_GAP) && jy_arg_stable(fcinfo, ARG_MAXLEN);
		read_params(winobj, nargs, &st->gap, &st->max_len);
		jy_sessionizer_init(&st->s, st->gap, st->max_len);
		st->split_stable = jy_arg_stable(fcinfo, ARG_SPLIT);
		st->split_value = false;
		if (nargs > ARG_SPLIT && st->split_stable)
			st->split_value = split_arg(winobj);
		st->initialized = true;
		st->last_pos = pos - 1;
	}
	else if (!st->params_stable)
	{
		int64		gap,
					max_len;

		read_params(winobj, nargs, &gap, &max_len);
		if (gap != st->gap || max_len != st->max_len)
			jy_arg_differs("session gap and maximum length", "partition", NULL);
	}
	if (pos != st->last_pos + 1)
		elog(ERROR, "window rows visited out of order in sessionize (%lld after %lld)",
			 (long long) pos, (long long) st->last_pos);
	st->last_pos = pos;
	/* the tuplestore may forget rows before this one */
	WinSetMarkPosition(winobj, pos);

	d = WinGetFuncArgCurrent(winobj, ARG_TS, &isnull);
	if (isnull)
		return false;
	ts = DatumGetInt64(d);
	split = st->split_stable ? st->split_value : split_arg(winobj);
	if (jy_sessionizer_step(&st->s, ts, split) == JY_SESS_UNORDERED)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("sessionize requires the window to be ordered by its timestamp argument"),
				 errdetail("A row with timestamp %s follows a row with timestamp %s.",
						   pstrdup(timestamptz_to_str(ts)), pstrdup(timestamptz_to_str(st->s.prev))),
				 errhint("Use OVER (PARTITION BY user_id ORDER BY ts).")));
	return true;
}

/* sessionize (the session number) and session_start (its first timestamp) */
static Datum
sess_window(FunctionCallInfo fcinfo, bool start)
{
	SessWinState *st;

	if (!sess_advance(fcinfo, &st))
		PG_RETURN_NULL();
	PG_RETURN_INT64(start ? st->s.start : st->s.number);
}

JY_FMGR_VARIANT(jy_sessionize_window, sess_window, false);
JY_FMGR_VARIANT(jy_session_start_window, sess_window, true);

/*
 * session_key: a name-based uuid (version 3 layout: MD5 of a namespace and a
 * name) of the user key's text and the session's first timestamp, so that
 * the same session gets the same key in every incremental load.
 */
static Datum
session_key(const char *key, size_t keylen, int64 start)
{
	static const char ns[] = "journey.session.v1";
	pg_uuid_t  *uuid = (pg_uuid_t *) palloc(sizeof(pg_uuid_t));
	const char *errstr = NULL;
	uint8		startbytes[8];
	char	   *buf;
	size_t		len = sizeof(ns) + keylen + 1 + 8;
	int			i;

	/* a key within 28 bytes of 1 GB would make the hashed buffer pass palloc's limit */
	if (len > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("user key is too long"),
				 errdetail("The key is %zu bytes long; the limit is %zu bytes.",
						   keylen, (size_t) MaxAllocSize - (len - keylen))));
	for (i = 0; i < 8; i++)
		startbytes[i] = (uint8) ((uint64) start >> (56 - 8 * i));
	buf = palloc(len);
	memcpy(buf, ns, sizeof(ns));	/* includes the NUL separator */
	memcpy(buf + sizeof(ns), key, keylen);
	buf[sizeof(ns) + keylen] = '\0';
	memcpy(buf + sizeof(ns) + keylen + 1, startbytes, 8);
	if (!pg_md5_binary(buf, len, uuid->data, &errstr))
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("could not compute MD5 for session_key: %s", errstr ? errstr : "unknown error")));
	pfree(buf);
	uuid->data[6] = (uuid->data[6] & 0x0f) | 0x30;	/* version 3 */
	uuid->data[8] = (uuid->data[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	return UUIDPGetDatum(uuid);
}

Datum
jy_session_key_text(PG_FUNCTION_ARGS)
{
	text	   *key = PG_GETARG_TEXT_PP(0);

	return session_key(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key), PG_GETARG_INT64(1));
}

Datum
jy_session_key_int8(PG_FUNCTION_ARGS)
{
	char		buf[32];
	int			n = snprintf(buf, sizeof(buf), INT64_FORMAT, PG_GETARG_INT64(0));

	return session_key(buf, (size_t) n, PG_GETARG_INT64(1));
}
