/*
 * sample_identity.h — identifier links for the built-in sample data: which
 * sample users (journey_sample_events' user_id, treated as anonymous device
 * ids) log in to which account, and e-mail hashes of accounts.
 *
 * Deterministic in (seed, user) like the events: about a quarter of users are
 * a further device of the previous user's account (so a person has 1-4
 * devices), users who sign up, buy, or use a further device log in at that
 * moment, most accounts carry an e-mail hash, and one user in a hundred also
 * logs in to a shared QA account ("u-qa") that would glue strangers together
 * without a guard rail.
 */
#ifndef JY_SAMPLE_IDENTITY_H
#define JY_SAMPLE_IDENTITY_H

#include "jy_engine.h"

#define JY_SAMPLE_ID_MAX_LINKS 3
#define JY_SAMPLE_ID_LEN 32

typedef struct JySampleLink
{
	const char *kind_a;
	char		id_a[JY_SAMPLE_ID_LEN];
	const char *kind_b;
	char		id_b[JY_SAMPLE_ID_LEN];
	int64_t		ts;
} JySampleLink;

/* links of one sample user (0..JY_SAMPLE_ID_MAX_LINKS), in time order */
int			jy_sample_identity_links(uint64_t seed, int64_t user, JySampleLink *out);
/* the account (root user number) of a sample user */
int64_t		jy_sample_identity_account(uint64_t seed, int64_t user);

#endif
