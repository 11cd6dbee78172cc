/* Unit tests of the cohort_retention codec (src/engine/retention_codec.c) and the text scanner. */
#include "unit.h"
#include "retention_codec.h"

/* values live in 8-byte aligned buffers, zeroed like palloc0 */
static uint64_t mem_a[1 << 16], mem_b[1 << 16], mem_c[1 << 16];
static char txt[1 << 20];
static uint8_t wire[1 << 19];

static void *
grow_realloc(void *old, size_t bytes, void *arg)
{
	(void) arg;
	return realloc(old, bytes);
}

static JyCr *
make(uint64_t *mem, uint8_t unit, int32_t periods, int64_t window, const char *tz,
	 int64_t last, uint32_t nc)
{
	JyCrError	e;
	size_t		sz = jy_cr_size((uint16_t) strlen(tz), periods, nc, &e);
	JyCr	   *r = (JyCr *) mem;

	memset(mem, 0, sz);
	r->vl_len_ = (int32_t) sz;
	jy_cr_init(r, unit, JY_CR_FIRST_TIME, periods, window, tz, (uint16_t) strlen(tz), last, nc);
	return r;
}

/* a user active in the periods given by a bit mask (bit 0 always) */
static void
user(JyCr *r, uint32_t i, int64_t cohort, uint64_t mask)
{
	uint64_t	bits[JY_RET_BITWORDS] = {0};
	int64_t    *rec = JY_CR_REC(r, i);
	uint64_t	saved[JY_RET_BITWORDS];

	bits[0] = mask | 1;
	if (rec[1] == 0)
		jy_cr_set_user(rec, cohort, bits, r->periods);
	else
	{
		memcpy(saved, bits, sizeof(saved));
		rec[1]++;
		jy_ret_add_user(JY_CR_ACTIVE(rec), JY_CR_LAST(rec, r->periods), JY_CR_BOTH(rec, r->periods),
						saved, r->periods);
	}
}

static JyCrStatus
parse(const char *text, JyCrText *t, JyTs *ts, JyCrError *e)
{
	jy_ts_init(ts, text);
	return jy_cr_parse_text(ts, t, e, grow_realloc, NULL);
}

/* the value a parsed text describes, in mem (validated) */
static JyCr *
build(uint64_t *mem, const JyCrText *t, JyCrError *e, JyCrStatus *st)
{
	JyCr	   *r;

	r = (JyCr *) mem;
	memset(mem, 0, JY_CR_SIZE(t->tzlen, t->periods, t->nrec));
	r->vl_len_ = (int32_t) JY_CR_SIZE(t->tzlen, t->periods, t->nrec);
	jy_cr_init(r, t->unit, t->ctype, t->periods, t->window_us, t->tz, t->tzlen, t->last_period,
			   (uint32_t) t->nrec);
	if (t->nrec)
		memcpy(JY_CR_REC(r, 0), t->recs, t->nrec * JY_CR_RECWORDS(t->periods) * 8);
	*st = jy_cr_validate(r, (size_t) r->vl_len_, e);
	return r;
}

static void
test_text_roundtrip(void)
{
	JyCr	   *r = make(mem_a, JY_RET_MONTH, 2, 0, "UTC", 290, 1);
	JyCrText	t;
	JyTs		ts;
	JyCrError	e;
	JyCrStatus	st;
	/* active [2,0,1], last [1,0,1], both [0,0,0] */
	const char *want = "{\"v\":1,\"period\":\"month\",\"window_us\":0,\"tz\":\"UTC\",\"periods\":2,"
		"\"cohorts\":\"first_time\",\"last_period\":290,\"data\":[[288,2,[2,0,1],[1,0,1],[0,0,0]]]}";
	JyCr	   *b;

	user(r, 0, 288, 0);			/* active in period 0 only */
	user(r, 0, 288, 4);			/* periods 0 and 2 */
	CHECK(jy_cr_validate(r, (size_t) r->vl_len_, &e) == JY_CR_OK);
	CHECK_EQ_I64(jy_cr_text_size(r), strlen(want));
	CHECK_EQ_I64(jy_cr_print_text(r, txt), strlen(want));
	CHECK(strcmp(txt, want) == 0);
	CHECK(parse(txt, &t, &ts, &e) == JY_CR_OK);
	b = build(mem_b, &t, &e, &st);
	free(t.recs);
	CHECK(st == JY_CR_OK);
	CHECK(b->vl_len_ == r->vl_len_ && memcmp(b, r, (size_t) r->vl_len_) == 0);
	/* white space between tokens, negative numbers */
	CHECK(parse(" { \"v\" : 1 , \"period\":\"rolling\",\"window_us\":86400000000,\"tz\":\"Asia/Kathmandu\","
				"\"periods\":0,\"cohorts\":\"first_time\",\"last_period\":-3,\"data\":[ [-5 ,1,[1],[1],[0]] ] }\n",
				&t, &ts, &e) == JY_CR_OK);
	b = build(mem_b, &t, &e, &st);
	free(t.recs);
	CHECK(st == JY_CR_OK);
	jy_cr_print_text(b, txt);
	CHECK(strcmp(txt, "{\"v\":1,\"period\":\"rolling\",\"window_us\":86400000000,\"tz\":\"Asia/Kathmandu\","
				 "\"periods\":0,\"cohorts\":\"first_time\",\"last_period\":-3,\"data\":[[-5,1,[1],[1],[0]]]}") == 0);
}

static void
test_text_errors(void)
{
	JyCrText	t;
	JyTs		ts;
	JyCrError	e;
	JyCrStatus	st;
	const char *head = "{\"v\":1,\"period\":\"day\",\"window_us\":0,\"tz\":\"UTC\",\"periods\":0,"
		"\"cohorts\":\"first_time\",\"last_period\":0,\"data\":";

	CHECK(parse("garbage", &t, &ts, &e) == JY_CR_ETEXT);
	CHECK(ts.status == JY_TS_ESYNTAX && ts.pos == 0);
	CHECK(strcmp(ts.msg, "Expected '{' at character 1.") == 0);
	CHECK(parse("{\"v\":2}", &t, &ts, &e) == JY_CR_EVERSION && e.value == 2);
	CHECK(strcmp(e.msg, "This version of journey reads version 1.") == 0);
	CHECK(parse("{\"v\":256}", &t, &ts, &e) == JY_CR_ETEXT && ts.status == JY_TS_ERANGE);
	CHECK(strcmp(ts.msg, "Allowed values are 0 to 255.") == 0 && ts.pos == 5);
	CHECK(parse("{\"v\":1,\"period\":\"year\"", &t, &ts, &e) == JY_CR_ETEXT);
	CHECK(strcmp(ts.msg, "Unknown period \"year\"; valid are day, week, month, rolling and elapsed month.") == 0);
	CHECK(parse("{\"v\":1,\"period\":\"\"", &t, &ts, &e) == JY_CR_ETEXT);
	CHECK(strcmp(ts.msg, "Expected a string of 1 to 16 characters at character 18.") == 0);
	CHECK(parse("{\"v\":1,\"period\":\"d\\ay\"", &t, &ts, &e) == JY_CR_ETEXT);
	CHECK(strcmp(ts.msg, "Expected a printable character without backslash at character 19.") == 0);
	snprintf(txt, sizeof(txt), "%s[[0,1,[1],[1],[0]]]} x", head);
	CHECK(parse(txt, &t, &ts, &e) == JY_CR_ETEXT);
	free(t.recs);
	CHECK(strncmp(ts.msg, "Expected end of input at character", 34) == 0);
	snprintf(txt, sizeof(txt), "%s[[0,1,[1],[1]]]}", head);
	CHECK(parse(txt, &t, &ts, &e) == JY_CR_ETEXT);
	free(t.recs);
	CHECK(strncmp(ts.msg, "Expected ',' at character", 25) == 0);
	/* a cohort record beyond its limits */
	snprintf(txt, sizeof(txt), "%s[[200000001,1,[1],[1],[0]]]}", head);
	CHECK(parse(txt, &t, &ts, &e) == JY_CR_ETEXT && ts.status == JY_TS_ERANGE);
	free(t.recs);
	CHECK(strcmp(ts.msg, "Allowed values are -200000000 to 200000000.") == 0);
	/* syntax fine, rules broken: validation names the rule */
	snprintf(txt, sizeof(txt), "%s[]}", head);
	CHECK(parse(txt, &t, &ts, &e) == JY_CR_OK);
	build(mem_b, &t, &e, &st);
	CHECK(st == JY_CR_EINVALID && strcmp(e.msg, "There is no cohort.") == 0);
	snprintf(txt, sizeof(txt), "%s[[0,2,[1],[1],[0]]]}", head);
	CHECK(parse(txt, &t, &ts, &e) == JY_CR_OK);
	build(mem_b, &t, &e, &st);
	free(t.recs);
	CHECK(st == JY_CR_EINVALID && strcmp(e.msg, "Period 0 activity differs from the cohort size.") == 0);
	snprintf(txt, sizeof(txt), "%s[[0,1,[1],[1],[0]],[0,1,[1],[1],[0]]]}", head);
	CHECK(parse(txt, &t, &ts, &e) == JY_CR_OK);
	build(mem_b, &t, &e, &st);
	free(t.recs);
	CHECK(st == JY_CR_EINVALID && strcmp(e.msg, "Cohorts are not strictly increasing.") == 0);
	snprintf(txt, sizeof(txt), "%s[[1,1,[1],[1],[0]]]}", head);
	CHECK(parse(txt, &t, &ts, &e) == JY_CR_OK);
	build(mem_b, &t, &e, &st);
	free(t.recs);
	CHECK(st == JY_CR_EINVALID && strcmp(e.msg, "A cohort index is out of range or after the last period.") == 0);
}

static void
test_validate_layout(void)
{
	JyCr	   *r = make(mem_a, JY_RET_DAY, 3, 0, "Europe/Paris", 10, 2);
	JyCrError	e;
	size_t		sz = (size_t) r->vl_len_;

	user(r, 0, 5, 2);
	user(r, 1, 7, 8);
	CHECK(jy_cr_validate(r, sz, &e) == JY_CR_OK);
	CHECK(jy_cr_validate(r, sz - 8, &e) == JY_CR_EINVALID);
	CHECK(strcmp(e.msg, "The size does not match the declared contents.") == 0);
	r->flags = 1;
	CHECK(jy_cr_validate(r, sz, &e) == JY_CR_EINVALID && strcmp(e.msg, "Reserved bits are set.") == 0);
	r->flags = 0;
	r->version = 7;
	CHECK(jy_cr_validate(r, sz, &e) == JY_CR_EINVALID && strcmp(e.msg, "Unsupported format version 7.") == 0);
	r->version = 1;
	r->unit = 9;
	CHECK(jy_cr_validate(r, sz, &e) == JY_CR_EINVALID && strcmp(e.msg, "Unknown period code 9.") == 0);
	r->unit = JY_RET_ROLLING;
	CHECK(jy_cr_validate(r, sz, &e) == JY_CR_EINVALID);
	CHECK(strcmp(e.msg, "The rolling window must be positive for rolling periods and zero otherwise.") == 0);
	r->unit = JY_RET_DAY;
	/* the padding after "Europe/Paris" (36 + 12 -> 48: none); use a 1-byte name instead */
	r = make(mem_a, JY_RET_DAY, 0, 0, "Z", 0, 1);
	user(r, 0, 0, 0);
	CHECK(jy_cr_validate(r, (size_t) r->vl_len_, &e) == JY_CR_OK);
	JY_CR_TZ(r)[2] = 1;
	CHECK(jy_cr_validate(r, (size_t) r->vl_len_, &e) == JY_CR_EINVALID);
	CHECK(strcmp(e.msg, "Padding bytes are not zero.") == 0);
	JY_CR_TZ(r)[2] = 0;
	JY_CR_TZ(r)[0] = '"';
	CHECK(jy_cr_validate(r, (size_t) r->vl_len_, &e) == JY_CR_EINVALID);
	CHECK(!jy_cr_tzname_ok("", 0) && !jy_cr_tzname_ok("a\\b", 3) && jy_cr_tzname_ok("UTC", 3));
	/* the size limit */
	CHECK(jy_cr_size(3, 1000, 50000, &e) == 0 && e.status == JY_CR_ELIMIT);
	CHECK(strcmp(e.msg, "50000 cohorts of 1000 periods need more than 1 GB.") == 0);
	CHECK(jy_cr_size(3, 1000, 40000, &e) == JY_CR_SIZE(3, 1000, 40000));
}

static void
test_binary_roundtrip(void)
{
	JyCr	   *r = make(mem_a, JY_RET_WEEK, 4, 0, "America/New_York", 30, 3),
			   *b,
				hdr;
	JyCrError	e;
	size_t		n;

	user(r, 0, -3, 0x1e);
	user(r, 0, -3, 0x4);
	user(r, 1, 2, 0x3);
	user(r, 2, 29, 0);
	CHECK(jy_cr_validate(r, (size_t) r->vl_len_, &e) == JY_CR_OK);
	n = jy_cr_wire_size(r);
	CHECK_EQ_I64(n, 32 + 16 + 3 * 17 * 8);
	jy_cr_wire_write(r, wire);
	/* network order: periods = 4 at bytes 4..7, tzlen = 16 at 28..29 */
	CHECK(wire[0] == 1 && wire[1] == JY_RET_WEEK && wire[7] == 4 && wire[29] == 16 && wire[28] == 0);
	jy_cr_wire_header(wire, &hdr);
	CHECK(jy_cr_wire_check(&hdr, n - JY_CR_WIRE_HDR, &e) == JY_CR_OK);
	CHECK(jy_cr_wire_check(&hdr, n - JY_CR_WIRE_HDR - 1, &e) == JY_CR_EINVALID);
	CHECK(strcmp(e.msg, "Declared 3 cohorts of 4 periods, which does not match the message length.") == 0);
	b = make(mem_b, hdr.unit, hdr.periods, hdr.window_us, "America/New_York", hdr.last_period, hdr.ncohorts);
	jy_cr_wire_body(b, &hdr, wire + JY_CR_WIRE_HDR);
	CHECK(jy_cr_validate(b, (size_t) b->vl_len_, &e) == JY_CR_OK);
	CHECK(memcmp(b, r, (size_t) r->vl_len_) == 0);
	hdr.periods = 1001;
	CHECK(jy_cr_wire_check(&hdr, n - JY_CR_WIRE_HDR, &e) == JY_CR_EINVALID);
	CHECK(strcmp(e.msg, "The number of periods or the time-zone length is out of range.") == 0);
}

static void
test_merge(void)
{
	JyCr	   *a = make(mem_a, JY_RET_DAY, 2, 0, "UTC", 10, 2),
			   *b = make(mem_b, JY_RET_DAY, 2, 0, "UTC", 12, 2),
			   *c;
	JyCrError	e;
	uint32_t	missing;
	int64_t		n;

	user(a, 0, 1, 2);
	user(a, 1, 5, 0);
	user(b, 0, 5, 6);
	user(b, 1, 9, 4);
	CHECK(jy_cr_compatible(a, b, &e) == JY_CR_OK);
	missing = jy_cr_missing(a, b);
	CHECK_EQ_I64(missing, 1);
	c = make(mem_c, JY_RET_DAY, 2, 0, "UTC", 12, a->ncohorts + missing);
	CHECK(jy_cr_merge_into(c, a, b, &e, NULL, NULL) == JY_CR_OK);
	CHECK(jy_cr_validate(c, (size_t) c->vl_len_, &e) == JY_CR_OK);
	CHECK_EQ_I64(JY_CR_REC(c, 0)[0], 1);
	CHECK_EQ_I64(JY_CR_REC(c, 1)[0], 5);
	CHECK_EQ_I64(JY_CR_REC(c, 1)[1], 2);
	CHECK_EQ_I64(JY_CR_ACTIVE(JY_CR_REC(c, 1))[1], 1);
	CHECK_EQ_I64(JY_CR_ACTIVE(JY_CR_REC(c, 1))[2], 1);
	CHECK_EQ_I64(JY_CR_REC(c, 2)[0], 9);
	CHECK(jy_cr_total_users(c, &n) && n == 4);
	/* in place: every cohort of a is in c */
	CHECK_EQ_I64(jy_cr_missing(c, a), 0);
	CHECK(jy_cr_merge_inplace(c, a, &e, NULL, NULL) == JY_CR_OK);
	CHECK(jy_cr_total_users(c, &n) && n == 6);
	CHECK(jy_cr_validate(c, (size_t) c->vl_len_, &e) == JY_CR_OK);
	/* overflow */
	JY_CR_REC(c, 0)[1] = INT64_MAX;
	CHECK(jy_cr_merge_inplace(c, a, &e, NULL, NULL) == JY_CR_EOVERFLOW);
	JY_CR_REC(c, 0)[1] = INT64_MAX;
	CHECK(!jy_cr_total_users(c, &n));
	/* settings */
	b->periods = 3;
	CHECK(jy_cr_compatible(a, b, &e) == JY_CR_ESETTINGS);
	CHECK(strcmp(e.msg, "One has period day, 2 periods, cohorts first_time, time zone UTC; "
				 "the other has period day, 3 periods, cohorts first_time, time zone UTC.") == 0);
}

static void
test_reports(void)
{
	JyCr	   *r = make(mem_a, JY_RET_DAY, 3, 0, "UTC", 4, 2);
	int64_t		minc,
				span,
				acc[4 * 8] = {0},
				st[8];
	int32_t		ks[8],
				days[8];

	user(r, 0, 1, 0x6);			/* days 1, 2, 3 */
	user(r, 0, 1, 0x8);			/* days 1, 4 */
	user(r, 1, 3, 0x2);			/* days 3, 4 */
	jy_cr_lifecycle_span(r, &minc, &span);
	CHECK_EQ_I64(minc, 1);
	CHECK_EQ_I64(span, 4);		/* 1 .. min(1 + 3, 4) */
	CHECK(jy_cr_lifecycle(r, minc, span, acc, NULL, NULL));
	/* period 1: 2 new */
	CHECK(acc[0] == 2 && acc[1] == 0 && acc[2] == 0 && acc[3] == 0);
	/* period 2 (k=1 of cohort 1): returning 1 (user 1), dormant 1 (user 2) */
	CHECK(acc[4] == 0 && acc[5] == 1 && acc[6] == 0 && acc[7] == 1);
	/* period 3: cohort 1 k=2: returning 1; cohort 3 new 1 */
	CHECK(acc[8] == 1 && acc[9] == 1 && acc[10] == 0 && acc[11] == 0);
	/* period 4: cohort 1 k=3: resurrecting 1 (user 2), dormant 1 (user 1); cohort 3 k=1: returning 1 */
	CHECK(acc[12] == 0 && acc[13] == 1 && acc[14] == 1 && acc[15] == 1);
	CHECK(jy_cr_cohort_complete(r, JY_CR_REC(r, 0)));	/* 1 + 3 >= 4 */
	CHECK(!jy_cr_cohort_complete(make(mem_b, JY_RET_DAY, 1, 0, "UTC", 4, 1), JY_CR_REC(r, 0)));
	CHECK(jy_cr_period_seen(r, JY_CR_REC(r, 1), 1) && !jy_cr_period_seen(r, JY_CR_REC(r, 1), 2));
	CHECK_EQ_I64(jy_cr_active_periods(r, JY_CR_REC(r, 0), ks), 4);
	/* stickiness of one user: days 0 (Sat 2000-01-01), 1, 2 (Mon), 9 (Mon) by week */
	r = make(mem_a, JY_RET_DAY, 9, 0, "UTC", 9, 1);
	user(r, 0, 0, 0x206);
	CHECK_EQ_I64(jy_cr_stickiness(r, JY_RET_WEEK, st, days), 3);
	CHECK(st[0] == -5 && days[0] == 2 && st[1] == 2 && days[1] == 1 && st[2] == 9 && days[2] == 1);
	CHECK_EQ_I64(jy_cr_stickiness(r, JY_RET_MONTH, st, days), 1);
	CHECK(st[0] == 0 && days[0] == 4);
}

static void
test_table_fill(void)
{
	static int64_t slots[1024 * JY_RET_SLOT_WORDS(1)];
	int64_t		bases[8],
				scratch[8];
	JyRetTable	t;
	JyCr	   *r,
			   *want;
	JyCrError	e;
	size_t		nc;

	jy_ret_table_init(&t, slots, 1024, 3);
	jy_ret_table_add(&t, 10, 5);
	jy_ret_table_add(&t, 10, 7);
	jy_ret_table_add(&t, 11, 6);
	jy_ret_table_add(&t, 12, 5);
	jy_ret_table_add(&t, 12, 4);	/* base moves to 4: periods 0 and 1 */
	nc = jy_cr_table_bases(&t, bases, scratch, NULL, NULL);
	CHECK_EQ_I64(nc, 3);
	CHECK(bases[0] == 4 && bases[1] == 5 && bases[2] == 6);
	r = make(mem_a, JY_RET_DAY, 3, 0, "UTC", 7, (uint32_t) nc);
	jy_cr_fill_from_table(r, &t, bases, nc, NULL, NULL);
	CHECK(jy_cr_validate(r, (size_t) r->vl_len_, &e) == JY_CR_OK);
	want = make(mem_b, JY_RET_DAY, 3, 0, "UTC", 7, 3);
	user(want, 0, 4, 0x2);
	user(want, 1, 5, 0x4);
	user(want, 2, 6, 0);
	CHECK(memcmp(r, want, (size_t) r->vl_len_) == 0);
}

static void
test_textscan(void)
{
	JyTs		s;
	int64_t		v;
	double		d;
	bool		b;

	jy_ts_init(&s, " -9223372036854775808 9223372036854775808");
	CHECK(jy_ts_int(&s, INT64_MIN, INT64_MAX, &v) && v == INT64_MIN);
	CHECK(!jy_ts_int(&s, INT64_MIN, INT64_MAX, &v) && s.status == JY_TS_ERANGE && s.pos == 22);
	/* the first failure is kept */
	CHECK(!jy_ts_lit(&s, "x") && s.status == JY_TS_ERANGE);
	jy_ts_init(&s, "4.9406564584124654e-324 1e-400 1e309 -x true false nope");
	CHECK(jy_ts_double(&s, &d) && d > 0);
	CHECK(!jy_ts_double(&s, &d) && s.status == JY_TS_ERANGE);
	jy_ts_init(&s, "1e309");
	CHECK(!jy_ts_double(&s, &d) && s.status == JY_TS_ERANGE);
	jy_ts_init(&s, "-x");
	CHECK(!jy_ts_double(&s, &d) && s.status == JY_TS_ESYNTAX && strcmp(s.msg, "Expected a number at character 1.") == 0);
	jy_ts_init(&s, "true false nope");
	CHECK(jy_ts_bool(&s, &b) && b && jy_ts_bool(&s, &b) && !b && !jy_ts_bool(&s, &b));
	CHECK(strcmp(s.msg, "Expected true or false at character 12.") == 0);
	jy_ts_init(&s, "\t\"k\" :");
	CHECK(jy_ts_key(&s, "k", false) && *s.p == '\0');
	jy_ts_init(&s, "\"k\":");
	CHECK(!jy_ts_key(&s, "k", true) && strcmp(s.msg, "Expected ',' at character 1.") == 0);
}

int
main(void)
{
	RUN(test_text_roundtrip);
	RUN(test_text_errors);
	RUN(test_validate_layout);
	RUN(test_binary_roundtrip);
	RUN(test_merge);
	RUN(test_reports);
	RUN(test_table_fill);
	RUN(test_textscan);
	UNIT_DONE();
}
