# The dbt example project (examples/dbt, doc/dbt.md): its models, rendered and materialized as dbt-postgres
# would (examples/dbt/mini_dbt.py; dbt itself is not installable here), over a first load, a load with late
# events and a retried load, must equal a full rebuild, and the retry must change nothing.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use JourneyTest;
use File::Basename qw(dirname);
use File::Temp qw(tempdir);

my $root = dirname(__FILE__) . '/../..';
my $project = "$root/examples/dbt";

my ($prc) = run('python3', '-c', 'import jinja2, yaml');
plan skip_all => 'python3 with jinja2 and yaml is needed to render the dbt models' if $prc;

my $db = 'jy_tap_dbt';
my $target = tempdir(CLEANUP => 1);
sub dbt
{
	my (@args) = @_;
	local $ENV{PGDATABASE} = $db;
	my ($rc, $o) = run('python3', "$project/mini_dbt.py", @args, '--project', $project, '--target', $target);
	diag($o) if $rc;
	return ($rc, $o);
}

fresh_db($db);
psql($db, 'CREATE EXTENSION journey');
psql($db, q{CREATE SCHEMA raw;
       CREATE TABLE raw.events (event_id bigint, user_id bigint, ts timestamptz, event text, loaded_at timestamptz);
       CREATE TABLE public.plan AS
         SELECT s.*, CASE WHEN ts >= '2024-02-15' OR (ts >= '2024-02-13' AND event_id % 5 = 0) THEN 2 ELSE 1 END AS load
         FROM (SELECT row_number() OVER (ORDER BY user_id, ts, event) AS event_id, user_id, ts, event
               FROM journey_sample_events(2000, 1)) s});

my @models = qw(user_journeys user_kpis session_kpis funnel_report retention_matrix segments);
sub load
{
	my ($n, $at) = @_;
	psql($db, "INSERT INTO raw.events SELECT event_id, user_id, ts, event, '$at' FROM plan WHERE load = $n");
}

# 1. first load, first run: every model is built as a table
load(1, '2024-02-15 06:00+00');
my ($rc, $o) = dbt('run', '--schema', 'analytics');
is($rc, 0, 'first run');
like($o, qr/OK analytics\.user_journeys incremental\n/, 'first run builds user_journeys from scratch');

# 2. second load with 125 late events for the two days before the cutoff
load(2, '2024-03-25 06:00+00');
is(psql($db, q{SELECT count(*) FROM raw.events e WHERE loaded_at = '2024-03-25 06:00+00' AND ts < '2024-02-15'}), 125,
   'the second load carries 125 late events');
($rc, $o) = dbt('run', '--schema', 'analytics');
is($rc, 0, 'second run');
like($o, qr/OK analytics\.user_journeys incremental \(incremental run\)/, 'second run is incremental');
is(psql($db, q{SELECT count(*) FROM analytics.user_journeys WHERE loaded_at = '2024-03-25 06:00+00'}), 583,
   'the 583 users of the second load were rebuilt');
psql($db, 'CREATE SCHEMA after2; ' . join(' ', map { "CREATE TABLE after2.$_ AS SELECT * FROM analytics.$_;" } @models));

# 3. the loader retries the second load (same rows appended again, later loaded_at) and dbt runs again
load(2, '2024-03-25 07:00+00');
($rc, $o) = dbt('run', '--schema', 'analytics');
is($rc, 0, 'run after the retried load');
($rc, $o) = dbt('test', '--schema', 'analytics');
is($rc, 0, 'schema tests (unique, not_null) pass');

# 4. full rebuild into another schema
($rc, $o) = dbt('run', '--schema', 'rebuild', '--full-refresh');
is($rc, 0, 'full rebuild');

sub same
{
	my ($a, $b, $cols) = @_;
	return psql($db, "SELECT (SELECT count(*) FROM $a) = (SELECT count(*) FROM $b)
	               AND NOT EXISTS (SELECT $cols FROM $a EXCEPT ALL SELECT $cols FROM $b)
	               AND NOT EXISTS (SELECT $cols FROM $b EXCEPT ALL SELECT $cols FROM $a)");
}
# summaries compared through their text form (session_stats has no equality operator)
my %cols = (user_journeys => 'user_id, j::text', user_kpis => 'user_id, sessions::text, funnel, retention::text, events, purchases, active_days_span',
            session_kpis => '*', funnel_report => '*', retention_matrix => '*', segments => '*');
for my $m (@models)
{
	is(same("analytics.$m", "rebuild.$m", $cols{$m}), 't', "$m after first load, late load and retry equals the full rebuild");
}
for my $m (@models)
{
	is(same("analytics.$m", "after2.$m", $cols{$m}), 't', "$m unchanged by the retried load");
}
is(psql($db, 'SELECT sessions FROM analytics.session_kpis'), 4021, 'session KPIs: 4021 sessions, sessions across loads whole');
is(psql($db, 'SELECT sum(length(j)) FROM analytics.user_journeys'), 16609, 'every event once in the journeys');
is(psql($db, q{SELECT round(100.0 * (SELECT users FROM analytics.funnel_report WHERE step = 4) / (SELECT users FROM analytics.funnel_report WHERE step = 1), 1)}),
   '19.4', 'funnel conversion view -> purchase 19.4 %');
is(psql($db, 'SELECT sum(cohort_size) FROM analytics.retention_matrix WHERE period_index = 0'), 2000, 'retention: 2000 users in cohorts');
is(psql($db, 'SELECT count(DISTINCT segment) FROM analytics.segments'), 3, 'three segments');

drop_db($db);
done_testing();
