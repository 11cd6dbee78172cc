/*
 * sample_identity.c — identifier links for the sample data (see sample_identity.h).
 */
#include <stdio.h>

#include "sample.h"
#include "sample_identity.h"

static uint64_t
mix(uint64_t seed, int64_t user, uint64_t salt)
{
	uint64_t	x = seed * UINT64_C(0x9E3779B97F4A7C15) ^ (uint64_t) user * UINT64_C(0xD1B54A32D192ED03) ^ salt;

	x ^= x >> 31;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 29;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 32;
	return x;
}

/* is this user a further device of the previous user's account? */
static bool
further_device(uint64_t seed, int64_t user)
{
	return user > 1 && mix(seed, user, 1) % 1000 < 250;
}

int64_t
jy_sample_identity_account(uint64_t seed, int64_t user)
{
	int			steps = 0;

	/* at most three steps back: a person has at most four devices */
	while (steps < 3 && further_device(seed, user))
	{
		user--;
		steps++;
	}
	return user;
}

int
jy_sample_identity_links(uint64_t seed, int64_t user, JySampleLink *out)
{
	static JySampleEvent buf[JY_SAMPLE_MAX_USER_EVENTS];
	int			n = jy_sample_user(seed, user, buf),
				i,
				nl = 0;
	int64_t		login = -1;
	int64_t		account = jy_sample_identity_account(seed, user);
	uint64_t	h = mix(seed, user, 2);

	if (n == 0)
		return 0;
	for (i = 0; i < n && login < 0; i++)
		if (buf[i].event == JY_EV_SIGNUP || buf[i].event == JY_EV_PURCHASE)
			login = buf[i].ts;
	if (login < 0 && account != user)
		login = buf[n - 1].ts;	/* a further device logs in at its last event */
	if (login < 0)
		return 0;
	out[nl].kind_a = "anonymous_id";
	snprintf(out[nl].id_a, JY_SAMPLE_ID_LEN, "%lld", (long long) user);
	out[nl].kind_b = "user_id";
	snprintf(out[nl].id_b, JY_SAMPLE_ID_LEN, "u%lld", (long long) account);
	out[nl].ts = login;
	nl++;
	if (account == user && h % 1000 < 700)
	{
		out[nl].kind_a = "user_id";
		snprintf(out[nl].id_a, JY_SAMPLE_ID_LEN, "u%lld", (long long) account);
		out[nl].kind_b = "email_hash";
		snprintf(out[nl].id_b, JY_SAMPLE_ID_LEN, "%016llx", (unsigned long long) mix(seed, account, 3));
		out[nl].ts = login;
		nl++;
	}
	if ((h >> 20) % 100 == 0)
	{
		out[nl].kind_a = "anonymous_id";
		snprintf(out[nl].id_a, JY_SAMPLE_ID_LEN, "%lld", (long long) user);
		out[nl].kind_b = "user_id";
		snprintf(out[nl].id_b, JY_SAMPLE_ID_LEN, "u-qa");
		out[nl].ts = buf[n - 1].ts;
		nl++;
	}
	return nl;
}
