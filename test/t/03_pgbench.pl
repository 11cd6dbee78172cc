# Concurrency: pgbench mixes inserts into an event table with journey
# analytics (per-user session_stats, cross-user rollup, sessionize windows;
# parallel plans forced for some clients) — several clients, bounded time,
# zero errors, and every insert landed.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use JourneyTest;
use File::Temp qw(tempdir);

my $tmp = tempdir(CLEANUP => 1);
# a fixed number of transactions per client, not a duration: with -T, an insert that
# commits as the clock runs out is not counted, and the row count check below is off by one
my $ntx = $ENV{JOURNEY_TAP_BIG} ? 1500 : 300;

sub script
{
	my ($name, $text) = @_;
	open my $fh, '>', "$tmp/$name.sql" or die;
	print $fh $text;
	close $fh;
	return "$tmp/$name.sql";
}

my $db = 'jy_tap_bench';
fresh_db($db);
psql($db, q{
CREATE EXTENSION journey;
CREATE TABLE events AS SELECT * FROM journey_sample_events(1000, 1);
CREATE INDEX ON events (user_id, ts);
CREATE TABLE daily (day date, s session_stats);
ANALYZE events;
});
my $before = psql($db, 'SELECT count(*) FROM events');

my @f = (
	'-f', script('insert', q{\set uid random(1, 1200)
\set mins random(0, 40000)
INSERT INTO events (user_id, ts, event) VALUES (:uid, timestamptz '2024-03-01' + :mins * interval '1 minute', 'page_view');
}) . '@6',
	'-f', script('user', q{\set uid random(1, 1200)
SELECT (session_kpis(session_stats(ts, '30 minutes'))).* FROM events WHERE user_id = :uid;
SELECT max(sn) FROM (SELECT sessionize(ts) OVER (ORDER BY ts) AS sn, session_start(ts) OVER (ORDER BY ts) FROM events WHERE user_id = :uid) x;
}) . '@3',
	'-f', script('rollup', q{SELECT (session_kpis(rollup(s))).* FROM (SELECT user_id, session_stats(ts) AS s FROM events GROUP BY user_id) x;
}) . '@1',
	'-f', script('summary', q{\set d random(0, 27)
BEGIN;
DELETE FROM daily WHERE day = date '2024-03-01' + :d;
INSERT INTO daily SELECT date '2024-03-01' + :d, rollup(s) FROM (SELECT session_stats(ts) AS s FROM events WHERE ts >= date '2024-03-01' + :d AND ts < date '2024-03-02' + :d GROUP BY user_id) x;
COMMIT;
SELECT session_count(rollup(s)) FROM daily;
}) . '@1',
);
my @cmd = ("$bin/pgbench", '-n', '-c', '4', '-j', '2', '-t', $ntx, '-r', @f, $db);
local $ENV{PGOPTIONS} = '-c parallel_setup_cost=0 -c parallel_tuple_cost=0 -c min_parallel_table_scan_size=0 -c max_parallel_workers_per_gather=2';
my ($rc, $o) = run(@cmd);
is($rc, 0, "pgbench -c 4 -j 2 -t $ntx (parallel plans encouraged) exits 0") or diag $o;
my ($failed) = $o =~ /number of failed transactions: (\d+)/;
my ($total) = $o =~ /number of transactions actually processed: (\d+)/;
is($failed, 0, 'zero failed transactions');
ok(($total // 0) > 20, 'transactions processed: ' . ($total // 'none'));
unlike($o, qr/ERROR|FATAL|aborted/, 'no error in pgbench output') or diag $o;
# per-script counts: every successful insert transaction added exactly one row
my ($ins) = $o =~ /SQL script 1: \S+insert\.sql.*?\n\s*-\s*weight: \d+.*?\n\s*-\s*(\d+) transactions/s;
my $after = psql($db, 'SELECT count(*) FROM events');
ok(defined $ins && $ins > 0, 'insert transactions: ' . ($ins // 'unparsed'));
is($after - $before, $ins // -1, "every insert landed ($before -> $after rows)");
# the analytics still agree with plain SQL on the grown table
is(psql($db, q{SELECT session_count(rollup(s)) = (SELECT count(*) FROM (SELECT user_id, ts, ts - lag(ts) OVER (PARTITION BY user_id ORDER BY ts) AS d FROM events) x WHERE d IS NULL OR d > interval '30 minutes') FROM (SELECT session_stats(ts) AS s FROM events GROUP BY user_id) y}),
	't', 'after the run, rollup(session_stats) sessions equal the plain-SQL count');
drop_db($db);
done_testing();
