/*
 * sample.h — deterministic e-commerce event stream (the built-in sample data).
 *
 * Every user's stream depends only on (seed, user id), so the events of
 * users 1..N are the same whatever N is.  Events come out ordered by user,
 * then time; a user's events can share a timestamp.
 */
#ifndef JY_SAMPLE_H
#define JY_SAMPLE_H

#include "jy_engine.h"

typedef enum
{
	JY_EV_PAGE_VIEW = 0,
	JY_EV_SEARCH,
	JY_EV_PRODUCT_VIEW,
	JY_EV_ADD_TO_CART,
	JY_EV_CHECKOUT,
	JY_EV_PURCHASE,
	JY_EV_SIGNUP,
	JY_EV_N
} JyEventKind;

extern const char *const jy_sample_event_names[JY_EV_N];
extern const char *const jy_sample_sources[];
extern const char *const jy_sample_mediums[];
extern const char *const jy_sample_devices[];
extern const char *const jy_sample_countries[];
extern const char *const jy_sample_categories[];
#define JY_SAMPLE_N_SOURCES    7
#define JY_SAMPLE_N_DEVICES    3
#define JY_SAMPLE_N_COUNTRIES  8
#define JY_SAMPLE_N_CATEGORIES 8

typedef struct JySampleEvent
{
	int64_t		user_id;
	int64_t		ts;				/* microseconds since 2000-01-01 00:00 UTC */
	uint8_t		event;			/* JyEventKind */
	uint8_t		source;			/* index into sources / mediums */
	uint8_t		device;
	uint8_t		country;
	int32_t		product_id;		/* 0 = none */
	int64_t		revenue_cents;	/* < 0 = none (only purchases carry revenue) */
} JySampleEvent;

#define JY_SAMPLE_MAX_SESSIONS 40
#define JY_SAMPLE_MAX_SESSION_EVENTS 48
#define JY_SAMPLE_MAX_USER_EVENTS (JY_SAMPLE_MAX_SESSIONS * JY_SAMPLE_MAX_SESSION_EVENTS)

typedef struct JySample
{
	uint64_t	seed;
	int64_t		users;
	int64_t		next_user;		/* next user to generate */
	int			pos;			/* next event of buf to hand out */
	int			n;				/* events in buf */
	JySampleEvent buf[JY_SAMPLE_MAX_USER_EVENTS];
} JySample;

/* Start of the sample's time range: 2024-01-01 00:00 UTC, in microseconds since 2000-01-01. */
#define JY_SAMPLE_EPOCH INT64_C(757382400000000)

void jy_sample_init(JySample *g, int64_t users, uint64_t seed);
/* Next event; false when all users are done. */
bool jy_sample_next(JySample *g, JySampleEvent *out);
/* All of one user's events (for tests); returns the count. */
int jy_sample_user(uint64_t seed, int64_t user, JySampleEvent *buf);

#endif
