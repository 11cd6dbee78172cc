/*
 * retention_codec.h — the cohort_retention summary type: layout, validation,
 * text and binary forms, merge, and the numbers its report functions show.
 * Plain C, no postgres.h; the glue (src/cohort_retention_io.c and friends)
 * allocates values and maps the status codes below to SQLSTATEs.
 *
 * ---- Layout of a value (native-endian, 8-byte aligned as allocated) --------
 *   int32  vl_len_      PostgreSQL's varlena header (the glue sets it)
 *   uint8  version      = 1
 *   uint8  unit         1 day, 2 week, 3 month, 4 rolling, 5 elapsed month
 *   uint8  cohort_type  0 first_time, 1 recurring
 *   uint8  flags        reserved, must be 0
 *   int32  periods      N, 0 .. JY_RET_MAX_PERIODS
 *   int64  window_us    rolling window in microseconds (> 0 for rolling, else 0)
 *   int64  last_period  period (day for rolling, month for elapsed month) of
 *                       the latest event seen, |.| <= JY_CR_MAX_ABS_INDEX
 *   uint32 ncohorts     >= 1 (0 only inside an aggregate's state)
 *   uint16 tzlen        bytes of the time-zone name, 1 .. 255
 *   uint16 reserved     must be 0
 *   char   tz[tzlen]    printable ASCII without '"' and '\', then zero bytes up
 *                       to a multiple of 8 from the start of the value
 *   records[ncohorts], cohort ascending, each int64 x (2 + 3 (N + 1)):
 *          cohort, size, active[0..N], last[0..N], both[0..N]
 *   (the count arrays are described in retention.h)
 *
 * ---- Binary form (send/recv): network byte order ---------------------------
 *   version, unit, cohort_type, flags (1 byte each), periods (4), window_us (8),
 *   last_period (8), ncohorts (4), tzlen (2), reserved (2) — 32 bytes — then
 *   tz[tzlen] (no padding) and every record word as 8 bytes.
 *
 * ---- Text form ---------------------------------------------------------------
 *   {"v":1,"period":"month","window_us":0,"tz":"UTC","periods":2,
 *    "cohorts":"first_time","last_period":290,"data":[[288,2,[2,1,0],[1,0,1],[0,1,0]]]}
 *   each data entry: [cohort, size, [active...], [last...], [both...]];
 *   white space is allowed between tokens.
 */
#ifndef JY_RETENTION_CODEC_H
#define JY_RETENTION_CODEC_H

#include "retention.h"
#include "textscan.h"

#define JY_CR_VERSION 1
#define JY_CR_FIRST_TIME 0
#define JY_CR_RECURRING 1
#define JY_CR_MAX_TZLEN 255
/* cohort indexes and last_period stay within this (dates far inside PostgreSQL's range) */
#define JY_CR_MAX_ABS_INDEX INT64_C(200000000)
/* largest value (and largest allocation): PostgreSQL's MaxAllocSize */
#define JY_CR_MAX_SIZE ((size_t) 0x3fffffff)
/* bytes of the fixed part of the binary form */
#define JY_CR_WIRE_HDR 32

typedef struct JyCr
{
	int32_t		vl_len_;
	uint8_t		version;
	uint8_t		unit;
	uint8_t		ctype;
	uint8_t		flags;
	int32_t		periods;
	int64_t		window_us;
	int64_t		last_period;
	uint32_t	ncohorts;
	uint16_t	tzlen;
	uint16_t	reserved;
	char		data[];
} JyCr;

#define JY_CR_HDRSZ offsetof(JyCr, data)
#define JY_CR_RECOFF(tzlen) ((JY_CR_HDRSZ + (size_t) (tzlen) + 7) & ~(size_t) 7)
#define JY_CR_RECWORDS(n) (2 + 3 * ((size_t) (n) + 1))
#define JY_CR_SIZE(tzlen, n, nc) (JY_CR_RECOFF(tzlen) + (size_t) (nc) * JY_CR_RECWORDS(n) * sizeof(int64_t))
#define JY_CR_TZ(r) ((r)->data)
#define JY_CR_REC(r, i) ((int64_t *) ((char *) (r) + JY_CR_RECOFF((r)->tzlen)) + (size_t) (i) * JY_CR_RECWORDS((r)->periods))
#define JY_CR_ACTIVE(rec) ((rec) + 2)
#define JY_CR_LAST(rec, n) ((rec) + 2 + ((n) + 1))
#define JY_CR_BOTH(rec, n) ((rec) + 2 + 2 * ((n) + 1))

/* units whose keys are timestamps and whose periods start at each user's first event */
#define JY_CR_PER_USER(u) ((u) == JY_RET_ROLLING || (u) == JY_RET_ELAPSED_MONTH)

/* names as the text form and the messages spell them; index = code */
extern const char *const jy_cr_unit_names[];	/* [0] = "", 1 .. 5 */
extern const char *const jy_cr_ctype_names[];	/* 0 .. 1 */

/* the calendar unit a cohort (and the last period) is counted in */
static inline JyRetUnit
jy_cr_cohort_unit(uint8_t u)
{
	return u == JY_RET_ROLLING ? JY_RET_DAY : u == JY_RET_ELAPSED_MONTH ? JY_RET_MONTH : (JyRetUnit) u;
}

/* Result codes (the glue maps them to SQLSTATEs). */
typedef enum
{
	JY_CR_OK = 0,
	JY_CR_ETEXT = 1,			/* text syntax or number range: details in the JyTs */
	JY_CR_EVERSION = 2,			/* text of an unknown format version (err.value): 22P02 */
	JY_CR_EINVALID = 3,			/* a broken rule: 22P02 text, 22P03 binary, XX001 stored */
	JY_CR_ELIMIT = 4,			/* more than JY_CR_MAX_SIZE bytes or 2^32 cohorts: 54000 */
	JY_CR_ESETTINGS = 5,		/* merging values with different settings: 22023 */
	JY_CR_EOVERFLOW = 6			/* a count beyond int64: 22003 */
} JyCrStatus;

typedef struct JyCrError
{
	JyCrStatus	status;
	int64_t		value;			/* EVERSION: the version read */
	char		msg[512];		/* a full sentence, ends with a period */
} JyCrError;

/* Tick callback for long loops (may longjmp; may be NULL), every 2^16 cohorts. */
typedef void (*JyCrTick) (void *arg);

/* ---- values ------------------------------------------------------------------ */

/*
 * Size of a value with these dimensions, or 0 with ELIMIT ("N cohorts of P
 * periods need more than 1 GB.") when it exceeds JY_CR_MAX_SIZE.
 */
size_t		jy_cr_size(uint16_t tzlen, int32_t periods, uint32_t ncohorts, JyCrError *err);

/*
 * Fill the header of a zeroed value of jy_cr_size(...) bytes (vl_len_ is left
 * alone) and copy the time-zone name.
 */
void		jy_cr_init(JyCr *r, uint8_t unit, uint8_t ctype, int32_t periods, int64_t window,
					   const char *tz, uint16_t tzlen, int64_t last_period, uint32_t ncohorts);

/* Every rule a value from outside must satisfy; `size` is its total size. */
JyCrStatus	jy_cr_validate(const JyCr *r, size_t size, JyCrError *err);

/* Is a time-zone name acceptable (1 .. 255 printable ASCII, no '"' or '\')? */
bool		jy_cr_tzname_ok(const char *s, size_t len);

/* One user's bitmap (JY_RET_BITWORDS words) as a size-1 record of cohort c. */
void		jy_cr_set_user(int64_t *rec, int64_t cohort, const uint64_t *bits, int32_t periods);

/* ---- text ---------------------------------------------------------------- */

/*
 * What a text holds.  recs is grown with grow(old, bytes, arg) (old == NULL
 * for the first call; must not return NULL — it may longjmp instead), by
 * doubling from 8 records.
 */
typedef struct JyCrText
{
	uint8_t		unit;
	uint8_t		ctype;
	int32_t		periods;
	int64_t		window_us;
	int64_t		last_period;
	uint16_t	tzlen;
	char		tz[JY_CR_MAX_TZLEN + 1];	/* NUL-terminated */
	int64_t    *recs;			/* nrec x JY_CR_RECWORDS(hdr.periods) */
	size_t		nrec;
} JyCrText;

/*
 * Parse a NUL-terminated text.  Failures of the syntax (including an unknown
 * period or cohort type, and more cohorts than fit in a value) and numbers out
 * of range are ETEXT with the details in *ts (jy_ts_init'd by the caller on
 * the same text); EVERSION for a version other than 1.  The value still has
 * to be built (jy_cr_size, jy_cr_init, records) and validated.
 */
JyCrStatus	jy_cr_parse_text(JyTs *ts, JyCrText *out, JyCrError *err,
							 void *(*grow) (void *old, size_t bytes, void *arg), void *arg);

/* Length of the text of a value (without NUL), and writing it (plus a NUL). */
size_t		jy_cr_text_size(const JyCr *r);
size_t		jy_cr_print_text(const JyCr *r, char *out);

/* ---- binary -------------------------------------------------------------- */

/* Header fields from the first JY_CR_WIRE_HDR bytes of a binary form (no checks). */
void		jy_cr_wire_header(const uint8_t *b, JyCr *hdr);

/*
 * Check a received header against the bytes that follow it (`rest`): the
 * periods and time-zone length ranges, and that the message holds exactly
 * the declared contents.
 */
JyCrStatus	jy_cr_wire_check(const JyCr *hdr, size_t rest, JyCrError *err);

/*
 * Copy the time-zone name and the records (after the header) into a value
 * allocated and initialised for hdr's dimensions, and the header's version,
 * flags and reserved fields (validation comes next).
 */
void		jy_cr_wire_body(JyCr *r, const JyCr *hdr, const uint8_t *rest);

/* Size of the binary form, and writing it. */
size_t		jy_cr_wire_size(const JyCr *r);
void		jy_cr_wire_write(const JyCr *r, uint8_t *out);

/* ---- merge ----------------------------------------------------------------- */

/* ESETTINGS (with both settings in the sentence) unless a and b can be merged. */
JyCrStatus	jy_cr_compatible(const JyCr *a, const JyCr *b, JyCrError *err);

/* Cohorts of b that a does not have. */
uint32_t	jy_cr_missing(const JyCr *a, const JyCr *b);

/*
 * a += b in place when b has no cohort a lacks (jy_cr_missing == 0); else
 * out (initialised with a's settings, max last_period, a->ncohorts + missing
 * cohorts) = a + b.  EOVERFLOW when a count leaves int64 (the target is then
 * partly updated).
 */
JyCrStatus	jy_cr_merge_inplace(JyCr *a, const JyCr *b, JyCrError *err, JyCrTick tick, void *arg);
JyCrStatus	jy_cr_merge_into(JyCr *out, const JyCr *a, const JyCr *b, JyCrError *err,
							 JyCrTick tick, void *arg);

/* ---- what the report functions show -------------------------------------------- */

/* Sum of the cohort sizes; false on int64 overflow. */
bool		jy_cr_total_users(const JyCr *r, int64_t *out);

/*
 * Calendar periods after the latest event seen have not happened yet: may
 * row k of cohort record rec appear (always for rolling windows)?
 */
static inline bool
jy_cr_period_seen(const JyCr *r, const int64_t *rec, int32_t k)
{
	return r->unit == JY_RET_ROLLING || rec[0] + k <= r->last_period;
}

/*
 * Lifecycle: the periods minc .. minc + span - 1 (every one where each earlier
 * cohort is still within its N periods) and per period four counts in acc
 * (new, returning, resurrecting, dormant; span x 4, zeroed by the caller).
 * jy_cr_lifecycle_span gives minc and span; jy_cr_lifecycle fills acc and
 * returns false when a sum leaves int64.  Calendar units, first-time cohorts.
 */
void		jy_cr_lifecycle_span(const JyCr *r, int64_t *minc, int64_t *span);
bool		jy_cr_lifecycle(const JyCr *r, int64_t minc, int64_t span, int64_t *acc,
							JyCrTick tick, void *arg);

/*
 * Last activity: can activity after period N of cohort record rec exist in
 * the data seen (false while the cohort is still inside its N periods)?
 */
bool		jy_cr_cohort_complete(const JyCr *r, const int64_t *rec);

/* Indexes k with users active in period k of record rec; returns how many (<= N + 1). */
int32_t		jy_cr_active_periods(const JyCr *r, const int64_t *rec, int32_t *out);

/*
 * Stickiness of a one-user day summary: the active days grouped by calendar
 * `unit` (week or month).  out_start (days since 2000-01-01 of each period's
 * first day) and out_days have room for N + 1 entries; returns the count.
 */
int32_t		jy_cr_stickiness(const JyCr *r, JyRetUnit unit, int64_t *out_start, int32_t *out_days);

/* ---- building values from the one-pass summary table ---------------------------- */

/*
 * The distinct cohort (base) keys of the occupied slots of t, ascending:
 * bases and scratch hold t->n values; returns how many.
 */
size_t		jy_cr_table_bases(const JyRetTable *t, int64_t *bases, int64_t *scratch,
							  JyCrTick tick, void *arg);

/*
 * Add every occupied slot of t as a user to value r, whose records 0 .. nc-1
 * are zeroed and whose cohorts are bases[0 .. nc) (sets each record's cohort).
 */
void		jy_cr_fill_from_table(JyCr *r, const JyRetTable *t, const int64_t *bases, size_t nc,
								  JyCrTick tick, void *arg);

#endif
