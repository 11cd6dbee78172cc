# Cancellation: statement_timeout stops long journey operations within about
# a second.  Each query is sized so it runs well past the 1 s timeout (the
# timeout firing with 57014 proves it); the latency is elapsed - 1 s.
use strict;
use warnings;
use Test::More;
use IPC::Open3;
use Time::HiRes qw(time);

my $bin = '/usr/lib/postgresql/15/bin';
my $n = $ENV{JOURNEY_TAP_BIG} ? 10_000_000 : 2_000_000;
# under valgrind (test/sanitize.sh sets JOURNEY_SANITIZER) every backend runs ~30x
# slower, connection start and error clean-up included: latencies mean nothing there
my $slow = ($ENV{JOURNEY_SANITIZER} // '') eq 'valgrind' ? 'valgrind' : '';

sub run
{
	my $pid = open3(my $in, my $out, undef, @_);
	close $in;
	local $/;
	my $o = <$out> // '';
	waitpid $pid, 0;
	return ($? >> 8, $o);
}

sub psql
{
	my ($db, $sql) = @_;
	my ($rc, $o) = run("$bin/psql", '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', $db, '-c', $sql);
	die "psql failed on $db: $sql\n$o" if $rc;
	chomp $o;
	return $o;
}

my $db = 'jy_tap_cancel';
psql('postgres', "DROP DATABASE IF EXISTS $db");
psql('postgres', "CREATE DATABASE $db");
psql($db, 'CREATE EXTENSION journey');
# one user with $n events, stored in random order (so session_stats must sort)
psql($db, "CREATE UNLOGGED TABLE big AS SELECT 1 AS user_id, timestamptz '2024-01-01' + (g * 37 % $n) * interval '1 second' + (g % 7) * interval '1 millisecond' AS ts FROM generate_series(1, $n) g");

my @cases = (
	["sessionize window over 5 x $n events of one partition",
	 'SELECT max(sn) FROM (SELECT sessionize(ts + k * interval \'1 microsecond\', \'5 minutes\', \'1 hour\') OVER (PARTITION BY user_id ORDER BY ts, k) AS sn FROM big, generate_series(1, 5) k) x'],
	["session_start window over 5 x $n events",
	 'SELECT max(st) FROM (SELECT session_start(ts + k * interval \'1 microsecond\') OVER (ORDER BY ts, k) AS st FROM big, generate_series(1, 5) k) x'],
	["session_stats of one user with 5 x $n events (unsorted)",
	 'SELECT session_count(session_stats(ts + k * interval \'1 microsecond\', \'10 minutes\', \'2 hours\')) FROM big, generate_series(1, 5) k'],
	["rollup of 5 x $n per-event summaries",
	 'SELECT session_count(rollup(s)) FROM (SELECT session_stats(ts) AS s FROM big, generate_series(1, 5) k GROUP BY ts, k) x'],
);
for my $c (@cases)
{
	my ($what, $sql) = @$c;
	my $t0 = time;
	my ($rc, $o) = run("$bin/psql", '-X', '-q', '-d', $db, '-c', 'SET statement_timeout = \'1s\'', '-c', '\set VERBOSITY verbose', '-c', $sql);
	my $el = time - $t0;
	like($o, qr/57014/, "$what: canceled by statement_timeout (57014)") or diag $o;
	my $lat = $el - 1.0;
	if ($slow)
	{
		pass(sprintf('%s: stopped %.3f s after the timeout (not judged: server under %s)', $what, $lat, $slow));
	}
	else
	{
		ok($o =~ /57014/ && $lat < 1.0, sprintf('%s: stopped %.3f s after the timeout (< 1 s)', $what, $lat));
	}
	diag(sprintf('cancel latency %-60s %.3f s', $what, $lat));
}
is(psql($db, 'SELECT 1'), '1', 'the server still answers');
psql('postgres', "DROP DATABASE $db");
done_testing();
