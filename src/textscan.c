/*
 * textscan.c — glue of the summary types' text input: the ereport wrappers
 * (jy_scan_*) over the engine scanner src/engine/textscan.c, for the glue
 * that still scans text itself, and jy_codec_ereport, which maps an engine
 * codec's JyCodecError to a SQLSTATE and message.
 */
#include "journey.h"

#include "textscan.h"

void
jy_codec_ereport(const JyCodecError *e, const char *type_name, const char *input, int invalid_errcode)
{
	switch (e->status)
	{
		case JY_CODEC_ESYNTAX:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s: \"%s\"", type_name, input),
					 errdetail("%s", e->msg)));
			break;
		case JY_CODEC_ERANGE:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("value out of range in %s input at character %d",
							type_name, (int) e->pos + 1),
					 errdetail("%s", e->msg)));
			break;
		case JY_CODEC_EVERSION:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("unsupported %s format version %d", type_name, (int) e->value),
					 errdetail("%s", e->msg)));
			break;
		case JY_CODEC_EINVALID:
			ereport(ERROR,
					(errcode(invalid_errcode),
					 errmsg("invalid %s value", type_name),
					 errdetail("%s", e->msg)));
			break;
		case JY_CODEC_ETRUNC:
			ereport(ERROR,
					(errcode(ERRCODE_PROTOCOL_VIOLATION),
					 errmsg("%s", e->msg)));
			break;
		case JY_CODEC_EOVERFLOW:
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s", e->msg)));
			break;
		case JY_CODEC_OK:
			break;
	}
	elog(ERROR, "%s codec: unexpected status %d", type_name, (int) e->status);
	pg_unreachable();
}

/* ---- jy_scan_*: the engine scanner, raising the error ---------------------- */

#define SCAN(sc, call) \
	do { \
		JyCodecError err_; \
		JyScan		s_ = {(sc)->start, (sc)->p, &err_}; \
		if (!(call)) \
			jy_codec_ereport(&err_, (sc)->type_name, (sc)->start, ERRCODE_INVALID_TEXT_REPRESENTATION); \
		(sc)->p = s_.p; \
	} while (0)

void
jy_scan_init(JyTextScan *sc, const char *str, const char *type_name)
{
	sc->start = str;
	sc->p = str;
	sc->type_name = type_name;
}

void
jy_scan_fail(JyTextScan *sc, const char *expected)
{
	SCAN(sc, jy_ts_fail(&s_, expected));
	pg_unreachable();
}

void
jy_scan_ws(JyTextScan *sc)
{
	SCAN(sc, (jy_ts_ws(&s_), true));
}

void
jy_scan_lit(JyTextScan *sc, const char *lit)
{
	SCAN(sc, jy_ts_lit(&s_, lit));
}

bool
jy_scan_peek(JyTextScan *sc, char c)
{
	bool		r = false;

	SCAN(sc, (r = jy_ts_peek(&s_, c), true));
	return r;
}

void
jy_scan_key(JyTextScan *sc, const char *key, bool comma)
{
	SCAN(sc, jy_ts_key(&s_, key, comma));
}

int64
jy_scan_int(JyTextScan *sc, int64 min, int64 max)
{
	int64_t		v = 0;

	SCAN(sc, jy_ts_int(&s_, min, max, &v));
	return (int64) v;
}

double
jy_scan_double(JyTextScan *sc)
{
	double		v = 0;

	SCAN(sc, jy_ts_double(&s_, &v));
	return v;
}

bool
jy_scan_bool(JyTextScan *sc)
{
	bool		v = false;

	SCAN(sc, jy_ts_bool(&s_, &v));
	return v;
}
