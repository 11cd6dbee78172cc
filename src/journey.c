/*
 * journey.c — module magic and glue helpers shared by every capability.
 */
#include "journey.h"

#include "utils/builtins.h"
#include "common/int.h"
#include "funcapi.h"
#include "access/htup_details.h"

PG_MODULE_MAGIC;

int64
jy_interval_usecs(const Interval *iv, const char *argname)
{
	int64		r,
				d;

	if (pg_mul_s64_overflow((int64) iv->month, INT64CONST(30) * USECS_PER_DAY, &r) ||
		pg_mul_s64_overflow((int64) iv->day, USECS_PER_DAY, &d) ||
		pg_add_s64_overflow(r, d, &r) ||
		pg_add_s64_overflow(r, iv->time, &r))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s is out of range", argname)));
	return r;
}

void
jy_arg_not_null(FunctionCallInfo fcinfo, int argno, const char *what, const char *hint)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be NULL", what),
				 hint ? errhint("%s", hint) : 0));
}

int64
jy_positive_interval_arg(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	int64		us;

	jy_arg_not_null(fcinfo, argno, argname, NULL);
	us = jy_interval_usecs(PG_GETARG_INTERVAL_P(argno), argname);
	if (us <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a positive interval", argname),
				 errdetail("The value given is %s.",
						   DatumGetCString(DirectFunctionCall1(interval_out,
															   PointerGetDatum(PG_GETARG_INTERVAL_P(argno)))))));
	return us;
}

Interval *
jy_usecs_to_interval(int64 usecs)
{
	Interval   *iv = (Interval *) palloc(sizeof(Interval));

	iv->month = 0;
	iv->day = (int32) (usecs / USECS_PER_DAY);
	iv->time = usecs % USECS_PER_DAY;
	return iv;
}

char *
jy_usecs_to_cstring(int64 usecs)
{
	return DatumGetCString(DirectFunctionCall1(interval_out,
											   PointerGetDatum(jy_usecs_to_interval(usecs))));
}

void
jy_init_row_srf(FunctionCallInfo fcinfo)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	if (rsinfo != NULL && IsA(rsinfo, ReturnSetInfo) && rsinfo->expectedDesc != NULL)
		InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	else
		InitMaterializedSRF(fcinfo, 0);
}

Datum
jy_row_datum(FunctionCallInfo fcinfo, Datum *values, bool *nulls)
{
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	tupdesc = BlessTupleDesc(tupdesc);
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

bytea *
jy_bytea_alloc(size_t n, uint8 **data)
{
	bytea	   *r = (bytea *) palloc_extended(VARHDRSZ + n, MCXT_ALLOC_HUGE);

	SET_VARSIZE(r, VARHDRSZ + n);
	*data = (uint8 *) VARDATA(r);
	return r;
}
