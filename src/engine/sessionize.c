/*
 * sessionize.c — session totals over a sorted run of timestamps.  No
 * postgres.h here.
 */
#include "sessionize.h"

bool
jy_session_totals(const int64_t *ts, size_t n, int64_t gap, int64_t max_len,
				  JySessionTotals *out,
				  void (*on_session) (void *arg, int64_t duration, int64_t events),
				  void *arg)
{
	return jy_session_totals_ex(ts, n, gap, max_len, out, on_session, arg, NULL, NULL);
}

bool
jy_session_totals_ex(const int64_t *ts, size_t n, int64_t gap, int64_t max_len,
					 JySessionTotals *out,
					 void (*on_session) (void *arg, int64_t duration, int64_t events),
					 void *arg, void (*tick) (void *), void *tick_arg)
{
	JySessionizer s;
	int64_t		first = 0,
				last = 0,
				count = 0;
	size_t		i;

	jy_sessionizer_init(&s, gap, max_len);
	for (i = 0; i <= n; i++)
	{
		bool		brk;

		if (tick && (i & ((1u << 20) - 1)) == 0 && i > 0)
			tick(tick_arg);
		brk = (i == n) || jy_sessionizer_step(&s, ts[i], false) == JY_SESS_NEW;
		if (brk && count > 0)
		{
			int64_t		d = (int64_t) jy_udiff(last, first);

			if (d < 0 || out->duration_sum > INT64_MAX - d)
				return false;
			out->sessions++;
			out->events += count;
			out->bounces += (count == 1);
			out->duration_sum += d;
			if (on_session)
				on_session(arg, d, count);
			count = 0;
		}
		if (i == n)
			break;
		if (count == 0)
			first = ts[i];
		last = ts[i];
		count++;
	}
	return true;
}
