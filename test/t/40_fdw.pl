# Scale-out with postgres_fdw (issue 19): two shards on this one cluster (two
# extra databases reached as foreign servers through the Unix socket in
# $PGHOST, `extensions 'journey'`), a parent table partitioned by user_id range
# whose partitions are foreign tables.  With enable_partitionwise_aggregate,
# every per-user aggregate grouped by the partition key must be pushed to the
# shards (EXPLAIN VERBOSE: each shard's Remote SQL contains the aggregate) and
# give the same rows as the same query on one local table.
#
# Not pushed by postgres_fdw: an aggregate whose text arguments are all
# constants (cohort_retention(ts, 'week', 4), retention_summary(.., 'week', 4,
# 'UTC'), sequence_match('(?1)(?2)', ts, ...)): the aggregate's input collation
# does not come from a foreign column, so postgres_fdw keeps it local.  The
# test asserts that (so a postgres_fdw change is noticed) and checks the
# working forms of doc/scale-out.md: a text argument tied to a column
# (`'week' || left(event, 0)`) and per-shard views.
# Cross-shard rollup: a UNION ALL of per-shard rollup() subqueries equals the
# local rollup.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use JourneyTest;

my $host = $ENV{PGHOST} // die 'PGHOST is not set (run through test/run.sh)';
my $port = $ENV{PGPORT} // 5432;
my $user = $ENV{PGUSER} // 'postgres';

my $local = 'jy_fdw_local';
my @shards = ('jy_fdw_s1', 'jy_fdw_s2');
my $nusers = 400;

# deterministic events: users 1..400, 5..21 events each over ~4 months
my $fill = q{
CREATE TABLE events (user_id bigint NOT NULL, ts timestamptz NOT NULL, event text NOT NULL);
INSERT INTO events
SELECT u, timestamptz '2024-01-01 00:00:00+00' + ((u * 7919) % 90) * interval '1 day'
          + (i * ((u * 31 + i * 17) % 97)) * interval '1 hour',
       (ARRAY['home', 'view', 'cart', 'buy', 'view'])[1 + ((u * 13 + i * 7) % 5)]
FROM generate_series(1, 400) u, generate_series(1, 5 + u % 17) i
WHERE u BETWEEN %LO% AND %HI%;
ANALYZE events;
};

for my $db ($local, @shards)
{
	fresh_db($db);
	psql($db, 'CREATE EXTENSION journey');
}
my %range = ($local => [1, $nusers], $shards[0] => [1, 200], $shards[1] => [201, $nusers]);
for my $db ($local, @shards)
{
	my $sql = $fill =~ s/%LO%/$range{$db}[0]/r =~ s/%HI%/$range{$db}[1]/r;
	psql($db, $sql);
}

# per-shard views: the working form of the forms postgres_fdw keeps local
for my $db (@shards)
{
	psql($db, q{
CREATE VIEW user_retention AS
  SELECT user_id, cohort_retention(ts, 'week', 4) AS r FROM events GROUP BY user_id;
CREATE VIEW shard_retention AS
  SELECT retention_summary(user_id, ts, 'week', 4, 'UTC') AS r FROM events;
CREATE VIEW user_funnels AS
  SELECT user_id, funnel_times(ts, interval '7 days', event, ARRAY['view', 'cart', 'buy']) AS x
  FROM events GROUP BY user_id;
CREATE VIEW shard_journeys AS
  SELECT user_id, journey_agg(ts, event) AS j FROM events GROUP BY user_id;});
}

psql($local, qq{
CREATE EXTENSION postgres_fdw;
CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '$host', port '$port', dbname '$shards[0]', extensions 'journey');
CREATE SERVER shard2 FOREIGN DATA WRAPPER postgres_fdw
  OPTIONS (host '$host', port '$port', dbname '$shards[1]', extensions 'journey');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1 OPTIONS (user '$user');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard2 OPTIONS (user '$user');
CREATE TABLE events_p (user_id bigint NOT NULL, ts timestamptz NOT NULL, event text NOT NULL)
  PARTITION BY RANGE (user_id);
CREATE FOREIGN TABLE events_s1 PARTITION OF events_p FOR VALUES FROM (1) TO (201)
  SERVER shard1 OPTIONS (table_name 'events');
CREATE FOREIGN TABLE events_s2 PARTITION OF events_p FOR VALUES FROM (201) TO (MAXVALUE)
  SERVER shard2 OPTIONS (table_name 'events');
CREATE FOREIGN TABLE user_retention_s1 (user_id bigint, r cohort_retention)
  SERVER shard1 OPTIONS (table_name 'user_retention');
CREATE FOREIGN TABLE user_retention_s2 (user_id bigint, r cohort_retention)
  SERVER shard2 OPTIONS (table_name 'user_retention');
CREATE FOREIGN TABLE shard_retention_s1 (r cohort_retention)
  SERVER shard1 OPTIONS (table_name 'shard_retention');
CREATE FOREIGN TABLE shard_retention_s2 (r cohort_retention)
  SERVER shard2 OPTIONS (table_name 'shard_retention');
CREATE FOREIGN TABLE user_funnels_s1 (user_id bigint, x timestamptz[])
  SERVER shard1 OPTIONS (table_name 'user_funnels');
CREATE FOREIGN TABLE user_funnels_s2 (user_id bigint, x timestamptz[])
  SERVER shard2 OPTIONS (table_name 'user_funnels');
CREATE FOREIGN TABLE shard_journeys_s1 (user_id bigint, j journey)
  SERVER shard1 OPTIONS (table_name 'shard_journeys');
CREATE FOREIGN TABLE shard_journeys_s2 (user_id bigint, j journey)
  SERVER shard2 OPTIONS (table_name 'shard_journeys');
ANALYZE events_p;});

is(psql($local, 'SELECT count(*) FROM events_p'), psql($local, 'SELECT count(*) FROM events'),
	'the two shards hold every local event');

my $set = 'SET enable_partitionwise_aggregate = on; ';

# rows of a query as one text, for equality with the local table
sub rows
{
	my ($sql, $pre) = @_;
	$pre //= '';
	return psql($local, "${set}${pre}SELECT string_agg(t::text, E'\\n' ORDER BY t::text) FROM ($sql) t");
}

# the Remote SQL lines of a query's plan
sub remote_sql
{
	my ($sql) = @_;
	my $plan = psql($local, "${set}EXPLAIN (VERBOSE, COSTS OFF) $sql");
	return grep { /Remote SQL:/ } split /\n/, $plan;
}

# aggregate name (as it appears in Remote SQL) => select list, grouped by user_id
my @pushed = (
	['session_stats', 'session_stats(ts)'],
	['session_stats', q{session_stats(ts, interval '20 minutes', interval '4 hours')}],
	['funnel_step', q{funnel_step(ts, interval '7 days', event = 'view', event = 'cart', event = 'buy')}],
	['funnel_step', q{funnel_step(ts, interval '7 days', event, ARRAY['view', 'cart', 'buy'])}],
	['funnel_times', q{funnel_times(ts, interval '7 days', event = 'view', event = 'cart', event = 'buy')}],
	['funnel_times', q{funnel_times(ts, interval '7 days', event, ARRAY['view', 'cart', 'buy'])}],
	['journey_agg', 'journey_agg(ts, event)'],
	['journey_match', q{journey_match(ts, event, 'view .* buy')}],
	['journey_count', q{journey_count(ts, event, 'view .* buy')}],
	['journey_count', q{journey_count(ts, event, 'view cart within 2 days')}],
	['sequence_match', q{sequence_match('(?1)(?t<=86400)(?2)' || left(event, 0), ts, event = 'view', event = 'buy')}],
	['sequence_count', q{sequence_count('(?1)(?2)' || left(event, 0), ts, event = 'view', event = 'buy')}],
	['cohort_retention', q{cohort_retention(ts, 'week' || left(event, 0), 4)}],
	['cohort_retention', q{cohort_retention(ts, 'month' || left(event, 0), 3, 'America/New_York')}],
	['cohort_retention', q{cohort_retention(ts, event = 'view', event = 'buy', 'week' || left(event, 0), 4, 'UTC')}],
	['retention_summary', q{retention_summary(user_id, ts, 'week' || left(event, 0), 4, 'UTC')}],
);
for my $p (@pushed)
{
	my ($agg, $expr) = @$p;
	my $q = "SELECT user_id, $expr AS x FROM %T% GROUP BY user_id";
	my @remote = remote_sql($q =~ s/%T%/events_p/r);
	my $n = grep { /\b$agg\(/ && /GROUP BY/ } @remote;
	is($n, 2, "pushed down to both shards: $expr") or diag(join "\n", @remote);
	my $want = rows($q =~ s/%T%/events/r);
	is(rows($q =~ s/%T%/events_p/r), $want, "same rows as the local table: $expr");
}

# time zones: without a tz argument the periods are UTC on every node, whatever
# the coordinator session's TimeZone (postgres_fdw runs the shards' sessions in
# GMT; 0.1.0 used each session's zone and labelled shard summaries 'GMT')
{
	my $q = "SELECT user_id, cohort_retention(ts, 'week' || left(event, 0), 4) AS x FROM %T% GROUP BY user_id";
	is(rows($q =~ s/%T%/events_p/r, "SET timezone = 'America/Los_Angeles'; "), rows($q =~ s/%T%/events/r),
		'no tz argument: shards (GMT sessions) with the coordinator in America/Los_Angeles equal one node in UTC');
	my $q2 = "SELECT user_id, cohort_retention(ts, 'week', 4) AS x FROM %T% GROUP BY user_id";
	is(rows($q2 =~ s/%T%/events/r, "SET timezone = 'America/Los_Angeles'; "), rows($q2 =~ s/%T%/events/r),
		'no tz argument: the session TimeZone does not change the answer');
}

# constant-only text arguments: postgres_fdw keeps the aggregate local (it
# fetches the rows); the answer is still right
my @kept = (
	['cohort_retention', q{cohort_retention(ts, 'week', 4)}],
	['retention_summary', q{retention_summary(user_id, ts, 'week', 4, 'UTC')}],
	['sequence_match', q{sequence_match('(?1)(?2)', ts, event = 'view', event = 'buy')}],
);
for my $p (@kept)
{
	my ($agg, $expr) = @$p;
	my $q = "SELECT user_id, $expr AS x FROM %T% GROUP BY user_id";
	my @remote = remote_sql($q =~ s/%T%/events_p/r);
	my $n = grep { /\b$agg\(/ } @remote;
	is($n, 0, "not pushed (constant-only text arguments; documented): $expr") or diag(join "\n", @remote);
	is(rows($q =~ s/%T%/events_p/r), rows($q =~ s/%T%/events/r), "same rows as the local table: $expr");
}

# cross-user summaries: one summary per shard crosses the network, merged with rollup()
my $local_ret = psql($local, q{SELECT rollup(r)::text FROM
  (SELECT cohort_retention(ts, 'week', 4) r FROM events GROUP BY user_id) s});
is(psql($local, q{SELECT retention_summary(user_id, ts, 'week', 4, 'UTC')::text FROM events}), $local_ret,
	'local: retention_summary equals rollup of per-user cohort_retention');

# postgres_fdw does not push an aggregate over a grouped subquery (rollup of
# per-user cohort_retention computed in the same query): the per-user summaries
# are stored per shard (here: a view on each shard) and rollup() runs there
my $union_rollup = q{SELECT rollup(r)::text FROM (
  (SELECT rollup(r) r FROM user_retention_s1) UNION ALL (SELECT rollup(r) r FROM user_retention_s2)) s};
my @remote = remote_sql($union_rollup);
is(scalar(grep { /rollup\(/ } @remote), 2,
	'cross-shard retention: each shard runs rollup() of its stored per-user summaries')
	or diag(join "\n", @remote);
is(psql($local, $set . $union_rollup), $local_ret, 'cross-shard retention: UNION ALL of per-shard rollups equals the local rollup');

my $union_summary = q{SELECT rollup(r)::text FROM (
  (SELECT retention_summary(user_id, ts, 'week' || left(event, 0), 4, 'UTC') r FROM events_s1)
  UNION ALL
  (SELECT retention_summary(user_id, ts, 'week' || left(event, 0), 4, 'UTC') r FROM events_s2)) s};
@remote = remote_sql($union_summary);
is(scalar(grep { /retention_summary\(/ } @remote), 2, 'cross-shard retention_summary: one per shard')
	or diag(join "\n", @remote);
is(psql($local, $set . $union_summary), $local_ret, 'cross-shard retention_summary: rollup of the per-shard summaries equals the local one');

my $views = q{SELECT rollup(r)::text FROM (SELECT r FROM shard_retention_s1 UNION ALL SELECT r FROM shard_retention_s2) s};
is(psql($local, $views), $local_ret, 'per-shard views of retention_summary: rollup equals the local one');
is(psql($local, q{SELECT rollup(r)::text FROM (SELECT r FROM user_retention_s1 UNION ALL SELECT r FROM user_retention_s2) s}),
	$local_ret, 'per-shard views of per-user cohort_retention: rollup equals the local one');

# session_stats and funnel_summary rollups across shards
for my $p (['session_stats', 'session_stats(ts)'],
	['funnel_summary', q{funnel_summary(x)}])
{
	my ($agg, $expr) = @$p;
	my $inner = $agg eq 'funnel_summary'
		? q{(SELECT funnel_summary(x) r FROM %T% a)}
		: q{(SELECT rollup(x) r FROM (SELECT session_stats(ts) x FROM %T% GROUP BY user_id) a)};
	my ($t1, $t2, $t0) = $agg eq 'funnel_summary'
		? ('user_funnels_s1', 'user_funnels_s2', "(SELECT funnel_times(ts, interval '7 days', event, ARRAY['view', 'cart', 'buy']) x FROM events GROUP BY user_id)")
		: ('events_s1', 'events_s2', 'events');
	my $cross = 'SELECT rollup(r)::text FROM (' . ($inner =~ s/%T%/$t1/r) . ' UNION ALL ' . ($inner =~ s/%T%/$t2/r) . ') s';
	my $one = 'SELECT rollup(r)::text FROM ' . ($inner =~ s/%T%/$t0/r) . ' s';
	@remote = remote_sql($cross);
	is(scalar(grep { /\b$agg\(/ } @remote), 2, "cross-shard $agg: the per-user part runs on each shard") or diag(join "\n", @remote);
	is(psql($local, $set . $cross), psql($local, $one), "cross-shard $agg: rollup of per-shard summaries equals the local one");
}

# stored journeys: rollup(journey) per shard, merged
my $jlocal = psql($local, q{SELECT md5(rollup(j)::text) FROM (SELECT journey_agg(ts, event) j FROM events GROUP BY user_id) s});
my $jcross = q{SELECT md5(rollup(r)::text) FROM (
  (SELECT rollup(j) r FROM shard_journeys_s1) UNION ALL (SELECT rollup(j) r FROM shard_journeys_s2)) s};
@remote = remote_sql($jcross);
is(scalar(grep { /rollup\(/ } @remote), 2, 'cross-shard rollup(journey): one rollup per shard') or diag(join "\n", @remote);
is(psql($local, $jcross), $jlocal, 'cross-shard rollup(journey): equals the local rollup');

for my $db ($local, @shards)
{
	drop_db($db);
}
done_testing();
