/*
 * clv_glue.c — customer lifetime value inside PostgreSQL (thin glue over
 * src/engine/clv.c).
 *
 *   clv_customer(order_date, amount, calibration_end [, period_days])  aggregate -> clv_customer row
 *   bgnbd_fit(frequency, recency, age)          aggregate -> clv_model
 *   gamma_gamma_fit(frequency, monetary)        aggregate -> clv_model
 *   bgnbd_expected_purchases, bgnbd_prob_alive, gamma_gamma_expected_value,
 *   clv_value, clv_model_summary, rfm_score
 *
 * clv_model on-disk layout (native order; send/recv use the text form, which
 * is lossless and validated like the text input):
 *   int32  vl_len_
 *   uint8  version   = 1
 *   uint8  kind      1 bgnbd, 2 gamma_gamma
 *   uint8  flags     bit 0 converged, others must be 0
 *   uint8  reserved  must be 0
 *   int32  iterations
 *   int32  reserved2 must be 0
 *   float8 customers, log_likelihood, gradient, par[4] (unused slots 0)
 */
#include "journey.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "clv.h"
#include "jy_agg.h"

#define CLV_VERSION 1

typedef struct ClvModelV
{
	int32		vl_len_;
	uint8		version;
	uint8		kind;
	uint8		flags;
	uint8		reserved;
	int32		iterations;
	int32		reserved2;
	double		n;
	double		ll;
	double		gradient;
	double		par[4];
} ClvModelV;

static void
clv_from_datum(Datum d, JyClvModel *m)
{
	ClvModelV  *v = (ClvModelV *) PG_DETOAST_DATUM(d);
	const char *reason;

	if (VARSIZE(v) != sizeof(ClvModelV) || v->version != CLV_VERSION || (v->flags & ~1) != 0 ||
		v->reserved != 0 || v->reserved2 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid clv_model value"),
				 errdetail("The stored header (size, version or reserved bits) is not that of a version %d model.", CLV_VERSION)));
	m->kind = v->kind;
	memcpy(m->par, v->par, sizeof(m->par));
	m->ll = v->ll;
	m->n = v->n;
	m->iterations = v->iterations;
	m->converged = v->flags & 1;
	m->gradient = v->gradient;
	reason = jy_clv_validate(m);
	if (reason)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid clv_model value: %s", reason)));
}

static Datum
clv_to_datum(const JyClvModel *m)
{
	ClvModelV  *v = palloc0(sizeof(ClvModelV));

	SET_VARSIZE(v, sizeof(ClvModelV));
	v->version = CLV_VERSION;
	v->kind = (uint8) m->kind;
	v->flags = m->converged ? 1 : 0;
	v->iterations = m->iterations;
	v->n = m->n;
	v->ll = m->ll;
	v->gradient = m->gradient;
	memcpy(v->par, m->par, sizeof(v->par));
	return PointerGetDatum(v);
}

static Datum
clv_parse_text(const char *s, size_t len)
{
	JyClvModel	m;
	size_t		pos = 0;
	const char *reason = jy_clv_parse(s, len, &m, &pos);

	if (reason)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type clv_model: %s", reason),
				 errdetail("At character %zu.", pos + 1)));
	return clv_to_datum(&m);
}

PG_FUNCTION_INFO_V1(jy_clv_model_in);
Datum
jy_clv_model_in(PG_FUNCTION_ARGS)
{
	const char *s = PG_GETARG_CSTRING(0);

	PG_RETURN_DATUM(clv_parse_text(s, strlen(s)));
}

PG_FUNCTION_INFO_V1(jy_clv_model_out);
Datum
jy_clv_model_out(PG_FUNCTION_ARGS)
{
	JyClvModel	m;
	char	   *buf = palloc(JY_CLV_TEXT_MAX);

	clv_from_datum(PG_GETARG_DATUM(0), &m);
	jy_clv_print(&m, buf);
	PG_RETURN_CSTRING(buf);
}

PG_FUNCTION_INFO_V1(jy_clv_model_recv);
Datum
jy_clv_model_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version = pq_getmsgbyte(buf);
	const char *s;
	int			len;

	if (version != CLV_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported clv_model binary format version %d", version)));
	len = buf->len - buf->cursor;
	s = pq_getmsgbytes(buf, len);
	pq_getmsgend(buf);
	PG_RETURN_DATUM(clv_parse_text(s, (size_t) len));
}

PG_FUNCTION_INFO_V1(jy_clv_model_send);
Datum
jy_clv_model_send(PG_FUNCTION_ARGS)
{
	JyClvModel	m;
	char		txt[JY_CLV_TEXT_MAX];
	size_t		len;
	StringInfoData buf;

	clv_from_datum(PG_GETARG_DATUM(0), &m);
	len = jy_clv_print(&m, txt);
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, CLV_VERSION);
	pq_sendbytes(&buf, txt, (int) len);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* ---- clv_customer(order_date, amount, calibration_end [, period_days]) ---- */

typedef struct DayAmt
{
	int32		day;
	double		amt;
} DayAmt;

typedef struct CustState
{
	DayAmt	   *orders;
	int64		n;
	int64		cap;
	DateADT		cal_end;
	double		period;
	bool		have_args;
} CustState;

#define CLV_MAX_ORDERS (64 * 1024 * 1024)

static Datum
cust_trans(FunctionCallInfo fcinfo, double period)
{
	MemoryContext aggcxt = jy_agg_context(fcinfo, "clv_customer transition function");
	CustState  *st;
	DateADT		d, cal;
	double		amt;

	if (PG_ARGISNULL(0))
		st = MemoryContextAllocZero(aggcxt, sizeof(CustState));
	else
		st = (CustState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	jy_arg_not_null(fcinfo, 3, "calibration_end", NULL);
	d = PG_GETARG_DATEADT(1);
	amt = PG_GETARG_FLOAT8(2);
	cal = PG_GETARG_DATEADT(3);
	if (DATE_NOT_FINITE(d) || DATE_NOT_FINITE(cal))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("order dates and calibration_end must be finite")));
	if (!isfinite(amt) || fabs(amt) > 1e300)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("order amount must be finite"),
				 errdetail("Got %g.", amt)));
	if (!(period > 0 && period <= 1e6))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period_days must be positive and at most 1000000"),
				 errdetail("Got %g.", period)));
	if (!st->have_args)
	{
		st->cal_end = cal;
		st->period = period;
		st->have_args = true;
	}
	else if (st->cal_end != cal || st->period != period)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("calibration_end and period_days must be the same on every row of a group")));
	if (d > cal)
		PG_RETURN_POINTER(st);
	if (st->n >= CLV_MAX_ORDERS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many orders for one customer"),
				 errdetail("clv_customer keeps at most %d orders per group.", CLV_MAX_ORDERS)));
	st->orders = jy_grow(aggcxt, st->orders, &st->cap, st->n + 1, sizeof(DayAmt),
						 CLV_MAX_ORDERS, "orders for one customer", "orders per group");
	st->orders[st->n].day = d;
	st->orders[st->n].amt = amt;
	st->n++;
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(jy_clv_customer_trans3);
JY_FMGR_VARIANT(jy_clv_customer_trans3, cust_trans, 1.0);

PG_FUNCTION_INFO_V1(jy_clv_customer_trans4);
Datum
jy_clv_customer_trans4(PG_FUNCTION_ARGS)
{
	jy_arg_not_null(fcinfo, 4, "period_days", NULL);
	return cust_trans(fcinfo, PG_GETARG_FLOAT8(4));
}

static int
dayamt_cmp(const void *a, const void *b)
{
	const DayAmt *x = a, *y = b;

	return x->day < y->day ? -1 : x->day > y->day ? 1 : 0;
}

PG_FUNCTION_INFO_V1(jy_clv_customer_final);
Datum
jy_clv_customer_final(PG_FUNCTION_ARGS)
{
	CustState  *st;
	DayAmt	   *v;
	int			k = 0;
	double		revenue = 0, repeat_rev = 0, per;
	Datum		values[9];
	bool		nulls[9] = {false};

	st = jy_agg_final_state(fcinfo, "clv_customer final function");
	if (st == NULL || st->n == 0)
		PG_RETURN_NULL();
	v = palloc(sizeof(DayAmt) * st->n);
	memcpy(v, st->orders, sizeof(DayAmt) * st->n);
	qsort(v, st->n, sizeof(DayAmt), dayamt_cmp);
	/* same-day purchases merged: one order per distinct day */
	for (int i = 0; i < st->n; i++)
	{
		if (k > 0 && v[k - 1].day == v[i].day)
			v[k - 1].amt += v[i].amt;
		else
			v[k++] = v[i];
	}
	for (int i = 0; i < k; i++)
	{
		revenue += v[i].amt;
		if (i > 0)
			repeat_rev += v[i].amt;
	}
	per = st->period;
	values[0] = Int64GetDatum(k);
	values[1] = Float8GetDatum(revenue);
	values[2] = DateADTGetDatum(v[0].day);
	values[3] = DateADTGetDatum(v[k - 1].day);
	values[4] = Float8GetDatum((double) (k - 1));
	values[5] = Float8GetDatum((double) (v[k - 1].day - v[0].day) / per);
	values[6] = Float8GetDatum((double) (st->cal_end - v[0].day) / per);
	if (k > 1)
		values[7] = Float8GetDatum(repeat_rev / (k - 1));
	else
		nulls[7] = true;
	values[8] = Float8GetDatum(revenue / k);
	PG_RETURN_DATUM(jy_row_datum(fcinfo, values, nulls));
}

/* ---- fits ------------------------------------------------------------- */

typedef struct FitState
{
	JyClvRow   *rows;
	size_t		n;
	int64		cap;
} FitState;

#define CLV_MAX_FIT_ROWS ((size_t) 100 * 1000 * 1000)

/* room for `need` rows (the limit is checked by fit_push, which has its own message) */
static JyClvRow *
fit_grow(FitState *st, MemoryContext aggcxt, int64 need)
{
	return jy_grow(aggcxt, st->rows, &st->cap, need, sizeof(JyClvRow),
				   (int64) CLV_MAX_FIT_ROWS, "customers for one fit", "customers");
}

static FitState *
fit_state(FunctionCallInfo fcinfo, MemoryContext *aggcxt)
{
	FitState   *st;

	*aggcxt = jy_agg_context(fcinfo, "clv fit transition function");
	if (!PG_ARGISNULL(0))
		return (FitState *) PG_GETARG_POINTER(0);
	st = MemoryContextAllocZero(*aggcxt, sizeof(FitState));
	st->rows = fit_grow(st, *aggcxt, 64);
	return st;
}

static void
fit_push(FitState *st, MemoryContext aggcxt, JyClvRow r)
{
	if (st->n >= CLV_MAX_FIT_ROWS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many customers for one fit"),
				 errdetail("A CLV fit takes at most %zu customers.", CLV_MAX_FIT_ROWS)));
	if ((int64) st->n == st->cap)
	{
		/* compress duplicates before growing: customers share (x, t_x, T) often */
		st->n = jy_clv_compress(st->rows, st->n);
		if ((int64) st->n > st->cap / 2)
			st->rows = fit_grow(st, aggcxt, st->cap + 1);
	}
	st->rows[st->n++] = r;
}

static void
row_error(const char *reason)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid customer statistics: %s", reason),
			 errhint("Build them with clv_customer(order_date, amount, calibration_end, period_days).")));
}

/* (frequency, recency, age) at argno .. argno + 2, checked */
static void
bg_row_args(FunctionCallInfo fcinfo, int argno, double *x, double *t_x, double *T)
{
	const char *reason;

	*x = PG_GETARG_FLOAT8(argno);
	*t_x = PG_GETARG_FLOAT8(argno + 1);
	*T = PG_GETARG_FLOAT8(argno + 2);
	reason = jy_clv_check_bgnbd_row(*x, *t_x, *T);
	if (reason)
		row_error(reason);
}

PG_FUNCTION_INFO_V1(jy_bgnbd_fit_trans);
Datum
jy_bgnbd_fit_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	FitState   *st = fit_state(fcinfo, &aggcxt);
	JyClvRow	r;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_POINTER(st);
	bg_row_args(fcinfo, 1, &r.x, &r.t_x, &r.T);
	r.m = 0;
	r.w = 1;
	fit_push(st, aggcxt, r);
	PG_RETURN_POINTER(st);
}

PG_FUNCTION_INFO_V1(jy_gg_fit_trans);
Datum
jy_gg_fit_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	FitState   *st = fit_state(fcinfo, &aggcxt);
	JyClvRow	r;
	const char *reason;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);
	r.x = PG_GETARG_FLOAT8(1);
	r.m = PG_GETARG_FLOAT8(2);
	r.t_x = r.T = 0;
	r.w = 1;
	if (r.x == 0)				/* no repeat purchase: no value to model */
		PG_RETURN_POINTER(st);
	reason = jy_clv_check_gg_row(r.x, r.m);
	if (reason)
		row_error(reason);
	fit_push(st, aggcxt, r);
	PG_RETURN_POINTER(st);
}

static Datum
fit_final(FunctionCallInfo fcinfo, int kind)
{
	FitState   *st;
	JyClvModel	m;
	JyClvRow   *rows;
	size_t		n;
	int			rc;

	st = jy_agg_final_state(fcinfo, "clv fit final function");
	if (st == NULL || st->n == 0)
		PG_RETURN_NULL();
	rows = palloc_extended(sizeof(JyClvRow) * st->n, MCXT_ALLOC_HUGE);
	memcpy(rows, st->rows, sizeof(JyClvRow) * st->n);
	n = jy_clv_compress(rows, st->n);
	rc = kind == JY_CLV_BGNBD ? jy_bgnbd_fit(rows, n, &m, jy_tick, NULL) : jy_gg_fit(rows, n, &m, jy_tick, NULL);
	if (rc < 0)
		PG_RETURN_NULL();
	if (!isfinite(m.ll) || jy_clv_validate(&m) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the %s fit found no finite log-likelihood", kind == JY_CLV_BGNBD ? "BG/NBD" : "Gamma-Gamma"),
				 errdetail("The data give the model no admissible parameters.")));
	if (!m.converged)
		ereport(WARNING,
				(errmsg("the %s fit did not converge", kind == JY_CLV_BGNBD ? "BG/NBD" : "Gamma-Gamma"),
				 errdetail("After %d iterations the largest gradient component is %g (log-likelihood %.10g)%s.",
						   m.iterations, m.gradient, m.ll,
						   m.converged ? "" : "; a parameter may have run to a boundary (of its range e^-30 .. e^30, or where the likelihood turns flat), or the data do not identify every parameter"),
				 errhint("The model is returned with \"converged\": false; do not use it for predictions without checking it.")));
	PG_RETURN_DATUM(clv_to_datum(&m));
}

PG_FUNCTION_INFO_V1(jy_bgnbd_fit_final);
JY_FMGR_VARIANT(jy_bgnbd_fit_final, fit_final, JY_CLV_BGNBD);

PG_FUNCTION_INFO_V1(jy_gg_fit_final);
JY_FMGR_VARIANT(jy_gg_fit_final, fit_final, JY_CLV_GAMMA_GAMMA);

/* ---- predictions ------------------------------------------------------ */

static void
model_arg(FunctionCallInfo fcinfo, int argno, int kind, JyClvModel *m)
{
	clv_from_datum(PG_GETARG_DATUM(argno), m);
	if (m->kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expected a %s model", kind == JY_CLV_BGNBD ? "bgnbd" : "gamma_gamma"),
				 errdetail("Got a %s model.", m->kind == JY_CLV_BGNBD ? "bgnbd" : "gamma_gamma")));
}

static double
horizon_arg(FunctionCallInfo fcinfo, int argno)
{
	double		t = PG_GETARG_FLOAT8(argno);

	if (!(t >= 0 && t <= 1e6))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the horizon must lie between 0 and 1000000 periods"),
				 errdetail("Got %g.", t)));
	return t;
}

static double
bg_expected_checked(const JyClvModel *m, double t, double x, double t_x, double T)
{
	double		e;

	if (m->par[2] == 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the expected-purchases formula is undefined for a = 1")));
	e = jy_bgnbd_expected(m, t, x, t_x, T);
	if (!isfinite(e))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the hypergeometric series of the BG/NBD prediction did not converge"),
				 errdetail("The horizon %g is too long relative to alpha + age for the series.", t)));
	return e;
}

PG_FUNCTION_INFO_V1(jy_bgnbd_expected_purchases);
Datum
jy_bgnbd_expected_purchases(PG_FUNCTION_ARGS)
{
	JyClvModel	m;
	double		t, x, t_x, T;

	model_arg(fcinfo, 0, JY_CLV_BGNBD, &m);
	t = horizon_arg(fcinfo, 1);
	bg_row_args(fcinfo, 2, &x, &t_x, &T);
	PG_RETURN_FLOAT8(bg_expected_checked(&m, t, x, t_x, T));
}

PG_FUNCTION_INFO_V1(jy_bgnbd_prob_alive);
Datum
jy_bgnbd_prob_alive(PG_FUNCTION_ARGS)
{
	JyClvModel	m;
	double		x, t_x, T;

	model_arg(fcinfo, 0, JY_CLV_BGNBD, &m);
	bg_row_args(fcinfo, 1, &x, &t_x, &T);
	PG_RETURN_FLOAT8(jy_bgnbd_p_alive(&m, x, t_x, T));
}

static double
gg_expected_checked(const JyClvModel *m, double x, bool mnull, double v)
{
	double		e;
	const char *reason;

	if (mnull)
		v = 0.0;
	if (x != 0 || !mnull)
	{
		if (x == 0)
			reason = (isfinite(v) && x == 0 ? NULL : "monetary value must be finite");
		else if (x < 0)
			reason = "frequency must be a non-negative integer";
		else
			reason = jy_clv_check_gg_row(x, v);
		if (reason)
			row_error(reason);
	}
	e = jy_gg_expected(m, x, v);
	if (!isfinite(e))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the Gamma-Gamma expectation is infinite for this model"),
				 errdetail("It needs p * frequency + q > 1 (q > 1 for a customer without repeat purchases); the model has p = %g, q = %g.",
						   m->par[0], m->par[1])));
	return e;
}

PG_FUNCTION_INFO_V1(jy_gg_expected_value);
Datum
jy_gg_expected_value(PG_FUNCTION_ARGS)
{
	JyClvModel	m;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	model_arg(fcinfo, 0, JY_CLV_GAMMA_GAMMA, &m);
	PG_RETURN_FLOAT8(gg_expected_checked(&m, PG_GETARG_FLOAT8(1), PG_ARGISNULL(2), PG_ARGISNULL(2) ? 0.0 : PG_GETARG_FLOAT8(2)));
}

/*
 * clv_value(bgnbd, gamma_gamma, frequency, recency, age, monetary, horizon, discount_rate)
 *   = sum_{i=1}^{horizon} E[value] (E[Y(i)] - E[Y(i-1)]) / (1 + discount_rate)^i
 */
PG_FUNCTION_INFO_V1(jy_clv_value);
Datum
jy_clv_value(PG_FUNCTION_ARGS)
{
	JyClvModel	bg, gg;
	double		x, t_x, T, ev, d, prev = 0, total = 0;
	int32		h;

	for (int i = 0; i < 8; i++)
		if (PG_ARGISNULL(i) && i != 5)
			PG_RETURN_NULL();
	model_arg(fcinfo, 0, JY_CLV_BGNBD, &bg);
	model_arg(fcinfo, 1, JY_CLV_GAMMA_GAMMA, &gg);
	bg_row_args(fcinfo, 2, &x, &t_x, &T);
	ev = gg_expected_checked(&gg, x, PG_ARGISNULL(5), PG_ARGISNULL(5) ? 0.0 : PG_GETARG_FLOAT8(5));
	h = PG_GETARG_INT32(6);
	d = PG_GETARG_FLOAT8(7);
	if (h < 0 || h > 100000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the horizon must lie between 0 and 100000 periods"),
				 errdetail("Got %d.", h)));
	if (!(d > -1.0 && d <= 1e6))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("discount_rate must be greater than -1 and at most 1000000"),
				 errdetail("Got %g.", d)));
	for (int i = 1; i <= h; i++)
	{
		double		e = bg_expected_checked(&bg, (double) i, x, t_x, T);

		CHECK_FOR_INTERRUPTS();
		total += ev * (e - prev) / pow(1.0 + d, (double) i);
		prev = e;
	}
	PG_RETURN_FLOAT8(total);
}

PG_FUNCTION_INFO_V1(jy_clv_model_summary);
Datum
jy_clv_model_summary(PG_FUNCTION_ARGS)
{
	JyClvModel	m;
	Datum		values[10];
	bool		nulls[10] = {false};

	clv_from_datum(PG_GETARG_DATUM(0), &m);
	values[0] = PointerGetDatum(cstring_to_text(m.kind == JY_CLV_BGNBD ? "bgnbd" : "gamma_gamma"));
	for (int i = 0; i < 4; i++)
	{
		if (m.kind == JY_CLV_GAMMA_GAMMA && i == 3)
			nulls[1 + i] = true;
		else
			values[1 + i] = Float8GetDatum(m.par[i]);
	}
	values[5] = Float8GetDatum(m.ll);
	values[6] = Int64GetDatum((int64) m.n);
	values[7] = Int32GetDatum(m.iterations);
	values[8] = BoolGetDatum(m.converged != 0);
	values[9] = Float8GetDatum(m.gradient);
	PG_RETURN_DATUM(jy_row_datum(fcinfo, values, nulls));
}

/* rfm_score(value, breaks, higher_is_better): 1 + number of breaks below value (or the reverse) */
PG_FUNCTION_INFO_V1(jy_rfm_score);
Datum
jy_rfm_score(PG_FUNCTION_ARGS)
{
	double		v = PG_GETARG_FLOAT8(0);
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	bool		higher = PG_GETARG_BOOL(2);
	Datum	   *elems;
	bool	   *enulls;
	int			n, below = 0;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR), errmsg("breaks must be a one-dimensional array")));
	deconstruct_array(arr, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elems, &enulls, &n);
	if (n < 1 || n > 99)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("breaks must hold between 1 and 99 values"),
				 errdetail("Got %d.", n)));
	if (isnan(v))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("value must not be NaN")));
	for (int i = 0; i < n; i++)
	{
		double		b;

		if (enulls[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("breaks must not contain NULL")));
		b = DatumGetFloat8(elems[i]);
		if (isnan(b) || (i > 0 && !(b >= DatumGetFloat8(elems[i - 1]))))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("breaks must be sorted ascending and not NaN")));
		if (v > b)
			below++;
	}
	PG_RETURN_INT32(higher ? 1 + below : n + 1 - below);
}
