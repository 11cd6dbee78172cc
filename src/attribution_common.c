/*
 * attribution_common.c — argument and result helpers of the attribution glue
 * (attribution_glue.h).
 */
#include "attribution_glue.h"

#include "catalog/pg_type.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

Datum *
jy_attr_array_elems(ArrayType *a, const char *name, int *n)
{
	Datum	   *d;
	bool	   *nulls;
	bool		text = ARR_ELEMTYPE(a) == TEXTOID;
	int			i;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("%s must be a one-dimensional array", name)));
	deconstruct_array(a, ARR_ELEMTYPE(a), text ? -1 : 8, text ? false : FLOAT8PASSBYVAL,
					  text ? TYPALIGN_INT : TYPALIGN_DOUBLE, &d, &nulls, n);
	for (i = 0; i < *n; i++)
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", name)));
	return d;
}

Datum *
jy_attr_channels_arg(FunctionCallInfo fcinfo, int argno, int *n)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("channels must not be NULL"),
				 errhint("Use an empty array for a conversion without touchpoints.")));
	return jy_attr_array_elems(PG_GETARG_ARRAYTYPE_P(argno), "channels", n);
}

TupleDesc
jy_attr_result_element_desc(FunctionCallInfo fcinfo, Oid *elemtype)
{
	Oid			rettype = get_fn_expr_rettype(fcinfo->flinfo);

	*elemtype = get_element_type(rettype);
	if (!OidIsValid(*elemtype))
		elog(ERROR, "function result is not an array");
	return BlessTupleDesc(lookup_rowtype_tupdesc_copy(*elemtype, -1));
}

ArrayType *
jy_attr_rows_array(Datum *rows, int n, Oid elemtype)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return construct_array(rows, n, elemtype, typlen, typbyval, typalign);
}

void
jy_attr_check_channel_len(size_t len)
{
	if (len > JY_MAX_CHANNEL_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("channel name is too long"),
				 errdetail("Channel names are at most %d bytes.", JY_MAX_CHANNEL_LEN)));
}
