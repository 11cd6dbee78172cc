# Every SQL-callable function of the extension, called with edge values as an
# ordinary role.  The calls are generated from the catalog (pg_depend of the
# extension), so a function added later is covered without editing this test:
# see test/t/06_edge_calls.sql for the values and the generator.
# Fails on a crashed backend, on any XX000 (internal error: a user must never
# reach one), and when a returned value does not read back from its own text.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use JourneyTest;
use File::Basename qw(dirname);
use Time::HiRes qw(time);
use File::Temp qw(tempdir);

my $dir = dirname(__FILE__);

my $db = 'jy_tap_edge';
my $role = 'jy_edge_caller';
psql('postgres', "DROP DATABASE IF EXISTS $db");
psql('postgres', "DROP ROLE IF EXISTS $role");
psql('postgres', "CREATE ROLE $role LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE");
psql('postgres', "CREATE DATABASE $db");
psql($db, 'CREATE EXTENSION journey');
{
	my ($rc, $o) = psql_file($db, "$dir/06_edge_calls.sql");
	die "setup failed:\n$o" if $rc;
}
psql($db, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO $role");
is(psql($db, "SELECT rolsuper FROM pg_roles WHERE rolname = '$role'"), 'f', "the calls run as $role, an ordinary role");

my @calls = map { [split /\t/, $_, 3] } split /\n/, psql($db, q{SELECT id, fn, sql FROM edge_calls() ORDER BY id}, '-F', "\t");
my %fn = map { $_->[0] => $_->[1] } @calls;
my %sql = map { $_->[0] => $_->[2] } @calls;
my $nfn = psql($db, q{SELECT count(DISTINCT fn) FROM edge_calls()});
my $ncat = psql($db, q{SELECT count(*) FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'journey' WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'});
is($nfn, $ncat, "every one of the extension's $ncat functions is called");

my $script = "\\set VERBOSITY verbose\nSET statement_timeout = '5s';\n";
$script .= "\\warn '\@\@ $_->[0]'\n$_->[2];\n" for @calls;
my $tmp = tempdir(CLEANUP => 1);
open my $fh, '>', "$tmp/calls.sql" or die $!;
print $fh $script;
close $fh;
my $t0 = time;
my ($rc, $out) = run("$bin/psql", '-X', '-q', '-v', 'ON_ERROR_STOP=0', '-o', '/dev/null', '-U', $role, '-d', $db, '-f', "$tmp/calls.sql");
my $secs = time - $t0;
if ($ENV{JOURNEY_EDGE_LOG})
{
	open my $lf, '>', $ENV{JOURNEY_EDGE_LOG} or die $!;
	print $lf $script, "\n---- output ----\n", $out;
	close $lf;
}

my ($cur, %state, @internal, @crash, @roundtrip, @timeout, $lasterr);
my $nerr = 0;
for my $line (split /\n/, $out)
{
	if ($line =~ /^\@\@ (\d+)$/) { $cur = $1; $lasterr = undef; next; }
	next unless defined $cur;
	if ($line =~ /ERROR:  ([0-9A-Z]{5}): (.*)$/)
	{
		my ($code, $msg) = ($1, $2);
		$nerr++;
		$state{$code}++;
		$lasterr = "$code: $msg";
		push @internal, "call $cur $fn{$cur}: $lasterr\n    $sql{$cur}" if $code =~ /^XX/;
		push @timeout, "call $cur $fn{$cur}\n    $sql{$cur}" if $code eq '57014';
		push @roundtrip, "call $cur $fn{$cur}: $lasterr\n    $sql{$cur}" if $msg =~ /EDGE ROUND TRIP MISMATCH/;
	}
	elsif ($line =~ /^CONTEXT:.*edge_roundtrip/ && defined $lasterr && $lasterr !~ /EDGE ROUND TRIP/)
	{
		push @roundtrip, "call $cur $fn{$cur}: the text of the result does not read back: $lasterr\n    $sql{$cur}";
	}
	elsif ($line =~ /server closed the connection unexpectedly|connection to server was lost|terminated abnormally/)
	{
		push @crash, "call $cur $fn{$cur}\n    $sql{$cur}";
	}
}
my $ncalls = scalar @calls;
my $ninternal = psql($db, q{SELECT count(DISTINCT fn) FROM edge_calls() c JOIN pg_proc p ON p.oid = c.fn::regprocedure WHERE 'internal'::regtype = ANY (p.proargtypes::regtype[])});
diag(sprintf "%d calls of %d functions (%d of them take internal: PostgreSQL refuses any call from SQL, 42883) in %.0f s as %s: %d errors (%s), %d ok",
	$ncalls, $nfn, $ninternal, $secs, $role, $nerr,
	join(', ', map { "$_ x$state{$_}" } sort { $state{$b} <=> $state{$a} || $a cmp $b } keys %state), $ncalls - $nerr);
ok($ncalls > 3000, "$ncalls calls made");
is(scalar @crash, 0, 'no call crashed a backend') or diag join("\n", @crash[0 .. ($#crash < 20 ? $#crash : 19)]);
is(scalar @internal, 0, 'no call reached an internal error (XX000)') or diag join("\n", @internal[0 .. ($#internal < 30 ? $#internal : 29)]);
is(scalar @roundtrip, 0, 'every returned value reads back from its text') or diag join("\n", @roundtrip[0 .. ($#roundtrip < 30 ? $#roundtrip : 29)]);
diag("calls stopped by statement_timeout (5 s):\n" . join("\n", @timeout)) if @timeout;
is(psql('postgres', 'SELECT 1'), '1', 'the server is up after the calls');

# the edge values themselves (built by the extension's own aggregates) read back from their text
for my $t (qw(journey funnel_summary cohort_retention session_stats kmeans_model clv_model kmeans_partial journey_markov_chain))
{
	my ($rc2, $o2) = run("$bin/psql", '-X', '-q', '-A', '-t', '-d', $db, '-c',
		"SELECT count(*) FROM edge_$t WHERE v IS NOT NULL AND (v::text)::$t\::text = v::text");
	my $n = psql($db, "SELECT count(*) FROM edge_$t WHERE v IS NOT NULL");
	chomp $o2;
	is($rc2 == 0 ? $o2 : "error: $o2", $n, "all $n edge values of type $t read back from their text");
}

drop_db($db);
psql('postgres', "DROP ROLE $role");
done_testing();
