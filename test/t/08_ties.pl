# One multiset of rows, one answer (issues 13 item 4 and 22): every
# aggregate of journey gets the same rows in several arrival orders and must
# give identical results.  Orders come from
#   - the physical order of the table (sorted, reversed, two shuffles),
#   - the plan: sort-based grouping (the sort of equal user_ids is not
#     stable), a hash aggregate that spills to disk (work_mem 64kB,
#     enable_sort off), forced parallel plans (Partial Aggregate under a
#     Gather / Gather Merge: per-worker states combined),
#   - ORDER BY inside the aggregate call (random key, descending time).
# The rows have many tied timestamps, exact duplicate rows, rows matching
# several funnel steps (overlapping and repeated steps), NULL events.
# Funnels: every one of the 24 mode combinations, four forms (VARIADIC
# booleans, names with a repeated name, steps + exclusions, funnel_times).
# Each check compares the whole per-user result (user_id | values) with the
# baseline; the test prints how many per-user values it compared.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use JourneyTest;
use Time::HiRes qw(time);

my $users = $ENV{JOURNEY_TAP_BIG} ? 3000 : 400;

my $db = 'jy_tap_ties';
fresh_db($db);
# 400 users (JOURNEY_TAP_BIG: 3000), 1-120 events each over a span of 10 to 600 minutes (whole
# minutes: many ties), 5% duplicated rows, 1% NULL events; the same multiset
# in four physical orders; r is a random sort key per row.
psql($db, qq{
CREATE EXTENSION journey;
SELECT setseed(0.13);
CREATE TABLE base AS
  SELECT u AS user_id,
         timestamptz '2024-03-01 00:00+00' + (u % 5) * interval '1 day'
           + floor(random() * (ARRAY[10, 20, 60, 180, 600])[1 + u % 5]) * interval '1 minute' AS ts,
         CASE WHEN random() < 0.01 THEN NULL
              ELSE (ARRAY['view', 'view', 'cart', 'checkout', 'purchase', 'other', 'search'])[1 + floor(random() * 7)::int]
         END AS event,
         (random() * 4)::int::float8 AS x
  FROM generate_series(1, $users) u, LATERAL generate_series(1, 1 + (u * 7919) % 120) i;
INSERT INTO base SELECT * FROM base WHERE random() < 0.05;
CREATE TABLE t_asc AS SELECT *, random() AS r FROM base ORDER BY user_id, ts, event;
CREATE TABLE t_desc AS SELECT * FROM t_asc ORDER BY user_id DESC, ts DESC, event DESC NULLS LAST;
CREATE TABLE t_rand1 AS SELECT * FROM t_asc ORDER BY random();
CREATE TABLE t_rand2 AS SELECT * FROM t_asc ORDER BY random();
ANALYZE t_asc; ANALYZE t_desc; ANALYZE t_rand1; ANALYZE t_rand2;
});
my $nrows = psql($db, 'SELECT count(*) FROM t_asc');
my $nties = psql($db, 'SELECT count(*) FROM (SELECT user_id, ts FROM t_asc GROUP BY 1, 2 HAVING count(*) > 1) x');
diag("$nrows rows, $nties (user, timestamp) pairs shared by several rows");
ok($nties > 1000, "many tied timestamps ($nties)");

my $par = 'SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0; '
  . 'SET max_parallel_workers_per_gather = 2; ';
my $ser = 'SET max_parallel_workers_per_gather = 0; ';
# [label, table, settings, ORDER BY inside the aggregate call]
my @variants = (
	['sorted table, serial', 't_asc', $ser, ''],
	['reversed table, sort-based grouping', 't_desc', $ser . 'SET enable_hashagg = off; ', ''],
	['shuffled table, spilling hash aggregate', 't_rand1', $ser . "SET enable_sort = off; SET work_mem = '64kB'; ", ''],
	['shuffled table, parallel hash aggregate', 't_rand2', $par . 'SET parallel_leader_participation = off; ', ''],
	['shuffled table, parallel sort-based aggregate', 't_rand1', $par . 'SET enable_hashagg = off; ', ''],
	['ORDER BY random key inside the aggregate', 't_rand2', $ser, ' ORDER BY r'],
	['ORDER BY ts DESC inside the aggregate', 't_asc', $ser, ' ORDER BY ts DESC, event DESC'],
);

# the plans really are what the labels say (checked on one query shape)
{
	my $q = 'SELECT user_id, journey_count(ts, event, \'view .* cart\') FROM %s GROUP BY user_id';
	my $p = psql($db, $par . 'EXPLAIN (COSTS OFF) ' . sprintf($q, 't_rand2'));
	like($p, qr/Partial (Hash|Group)?Aggregate/, 'parallel variant: Partial Aggregate') or diag $p;
	like($p, qr/Gather/, 'parallel variant: Gather') or diag $p;
	$p = psql($db, $par . 'SET enable_hashagg = off; EXPLAIN (COSTS OFF) ' . sprintf($q, 't_rand1'));
	like($p, qr/Partial GroupAggregate/, 'parallel sort-based variant: Partial GroupAggregate') or diag $p;
	$p = psql($db, $ser . "SET enable_sort = off; SET work_mem = '64kB'; EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) "
		  . sprintf($q, 't_rand1'));
	like($p, qr/HashAggregate/, 'spill variant: HashAggregate') or diag $p;
	my ($batches) = $p =~ /Batches: (\d+)/;
	ok(($batches // 0) > 1, 'spill variant: the hash aggregate spills (' . ($batches // '?') . ' batches)') or diag $p;
}

my $compared = 0;
my $queries = 0;

# run one per-user query (%T = table, %O = ORDER BY inside the aggregates) in every variant
sub check_same
{
	my ($name, $sql) = @_;
	my ($base, $nvals);
	my $t0 = time;
	for my $v (@variants)
	{
		my ($label, $tab, $set, $ord) = @$v;
		my $q = $sql =~ s/%T/$tab/gr =~ s/%O/$ord/gr;
		my $out = psql($db, $set . $q);
		$queries++;
		if (!defined $base)
		{
			$base = $out;
			my @lines = split /\n/, $out;
			my $ncols = () = ($lines[0] // '') =~ /\|/g;
			$nvals = scalar(@lines) * ($ncols || 1);
			next;
		}
		$compared += $nvals;
		if ($out ne $base)
		{
			my @a = split /\n/, $base;
			my @b = split /\n/, $out;
			my ($i) = grep { ($a[$_] // '') ne ($b[$_] // '') } 0 .. $#a;
			fail("$name: $label");
			diag("first difference:\n  baseline: " . ($a[$i] // '') . "\n  $label: " . ($b[$i] // ''));
			return;
		}
	}
	pass(sprintf("%s: identical in %d orders (%.1f s)", $name, scalar(@variants), time - $t0));
}

# ---- funnels: every mode combination ----
my @flags = qw(strict_deduplication strict_order strict_increase strict_once);
my @modes;
for my $m (0 .. 15)
{
	my @f = map { $flags[$_] } grep { $m & (1 << $_) } 0 .. 3;
	push @modes, join(', ', @f) || 'default';
	push @modes, join(', ', @f, 'allow_reentry') if $m & 2;
}
is(scalar(@modes), 24, '24 mode combinations');

# overlapping (a row matches several steps), repeated (steps 2 and 4 are the
# same condition) and absent-for-many-users ('purchase') steps
my $steps = q{event IN ('view', 'cart'), event IN ('cart', 'checkout'), event IN ('view', 'checkout'), event IN ('cart', 'checkout'), event = 'purchase'};
my $names = q{ARRAY['view', 'cart', 'view', 'checkout', 'cart', 'purchase']};
my %forms = (
	'funnel_step VARIADIC' => sub { "funnel_step(ts, '20 minutes', '$_[0]', $steps%O)" },
	'funnel_times VARIADIC' => sub { "funnel_times(ts, '20 minutes', '$_[0]', $steps%O)" },
	'funnel_step names' => sub { "funnel_step(ts, '20 minutes', event, $names, '$_[0]'%O)" },
	'funnel_times names' => sub { "funnel_times(ts, '20 minutes', event, $names, '$_[0]'%O)" },
	'funnel_step exclusions' => sub {
		"funnel_step(ts, '20 minutes', '$_[0]', ARRAY[$steps], ARRAY[event = 'search', event = 'other'], ARRAY[[1, 3], [2, 4]]%O)"
	},
);
for my $f (sort keys %forms)
{
	# 8 modes per query (24 aggregates in one query would sort 24 times under %O)
	for my $chunk (0 .. 2)
	{
		my @ms = @modes[$chunk * 8 .. $chunk * 8 + 7];
		my $cols = join(', ', map { $forms{$f}->($_) } @ms);
		check_same("$f, modes " . ($chunk * 8 + 1) . '-' . ($chunk * 8 + 8),
			"SELECT user_id, $cols FROM %T GROUP BY user_id ORDER BY user_id");
	}
}

# ---- patterns over raw rows, journey_agg, session_stats, retention ----
check_same('sequence_match / sequence_count',
	q{SELECT user_id,
	   sequence_match('(?1).*(?2)', ts, event = 'view', event = 'purchase'%O),
	   sequence_count('(?1).*(?2)', ts, event = 'view', event = 'purchase'%O),
	   sequence_count('(?1)(?2)', ts, event IN ('view', 'cart'), event IN ('cart', 'checkout')%O),
	   sequence_count('(?1)(?2)(?3)', ts, event = 'view', event IN ('view', 'cart'), event <> 'view'%O),
	   sequence_match('(?1)(?t<=60)(?2)', ts, event = 'cart', event = 'checkout'%O),
	   sequence_count('(?2)(?1)', ts, event = 'checkout', event IN ('cart', 'checkout')%O)
	 FROM %T GROUP BY user_id ORDER BY user_id});
check_same('journey_match / journey_count over rows',
	q{SELECT user_id,
	   journey_match(ts, event, 'view cart'%O),
	   journey_count(ts, event, 'view .* checkout'%O),
	   journey_count(ts, event, 'cart checkout'%O),
	   journey_count(ts, event, 'view . cart'%O),
	   journey_count(ts, event, '(view|cart)+ checkout within 10 minutes'%O)
	 FROM %T GROUP BY user_id ORDER BY user_id});
check_same('journey_agg',
	q{SELECT user_id, journey_agg(ts, event%O) FROM %T GROUP BY user_id ORDER BY user_id});
check_same('session_stats',
	q{SELECT user_id, session_stats(ts, '5 minutes'%O), session_stats(ts, '1 minute', '10 minutes'%O)
	 FROM %T GROUP BY user_id ORDER BY user_id});
check_same('cohort_retention, retention',
	q{SELECT user_id,
	   cohort_retention(ts, 'day', 6%O),
	   cohort_retention(ts, event = 'view', event = 'purchase', 'rolling 1 hour', 8, 'UTC'%O),
	   retention(event = 'view', event = 'cart', event = 'purchase'%O)
	 FROM %T GROUP BY user_id ORDER BY user_id});

# ---- the array forms, fed by array_agg in the variant's order ----
check_same('array forms (journey_match/count/matches/next_events/transitions)',
	q{SELECT user_id,
	   journey_match(t, e, 'view cart'), journey_count(t, e, 'view . cart'),
	   (SELECT array_agg(m::text) FROM journey_matches(t, e, 'cart . .') m),
	   journey_next_events(t, e, 'cart', 2),
	   journey_prev_events(t, e, 'checkout', 2, true),
	   (SELECT array_agg(x::text) FROM journey_transitions(t, e) x)
	 FROM (SELECT user_id, array_agg(ts%O) t, array_agg(coalesce(event, 'none')%O) e
	       FROM (SELECT user_id, ts, event, r FROM %T) s GROUP BY user_id) a ORDER BY user_id});

# ---- across users: summaries and their rollups ----
check_same('funnel_summary, rollup(journey), rollup(session_stats), rollup(cohort_retention), retention_summary',
	q{SELECT 1, md5(funnel_summary(ft)::text), md5(rollup(j)::text), rollup(ss)::text, md5(rollup(cr)::text),
	   (SELECT md5(retention_summary(user_id::bigint, ts, 'day', 6, 'UTC')::text) FROM %T)
	 FROM (SELECT user_id, funnel_times(ts, '20 minutes', 'strict_once', event = 'view', event = 'cart', event = 'checkout'%O) ft,
	              journey_agg(ts, event%O) j, session_stats(ts%O) ss, cohort_retention(ts, 'day', 6%O) cr
	       FROM %T GROUP BY user_id) u});

# ---- k-means with duplicate points (many users share a point) ----
check_same('kmeans_segment / kmeans_scan',
	q{SELECT 1, kmeans_segment(f, 3, '{"seed": 7, "silhouette_sample": 200}'%O)::text,
	   md5(kmeans_scan(f, 2, 4, '{"seed": 3}'%O)::text)
	 FROM (SELECT user_id, array[(count(*) % 5)::float8, max(x), min(x)] f, min(r) r, min(ts) ts, min(event) event
	       FROM %T GROUP BY user_id) u});

# the window form: every user's cluster (the fit sees the partition in the plan's order)
check_same('kmeans_cluster window',
	q{SELECT user_id, kmeans_cluster(f, 3, '{"seed": 5}') OVER ()
	 FROM (SELECT user_id, array[(count(*) % 5)::float8, max(x), min(x)] f FROM %T GROUP BY user_id) u
	 ORDER BY user_id});

diag("$queries queries, $compared per-user values compared with the baseline");
ok($compared > 100000, "compared $compared values");
drop_db($db);
done_testing();
