/*
 * summary_type.c — glue shared by the summary types with an engine codec
 * (summary_type.h).
 */
#include "summary_type.h"

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
