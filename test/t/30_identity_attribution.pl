# Identity stitching and Markov attribution against independent implementations
# (test/py/check_identity_attribution.py): networkx's connected components, a
# Python re-implementation of the guard-rail rule, and an exact rational solve
# of the absorbing Markov chain (order 1) and numpy's dense solve of order-k
# chains (orders 1-3).  Needs Debian's python3-networkx and python3-numpy:
# installed here when we are root and they are missing, skipped with a message
# otherwise.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use JourneyTest;

plan skip_all => 'python3-networkx or python3-numpy is not installed (apt-get install python3-networkx python3-numpy)'
  unless have_python_module('networkx', 'numpy');
my @out = `$python test/py/check_identity_attribution.py 2>&1`;
my $rc = $?;
my $n = 0;
for my $l (@out)
{
	chomp $l;
	if ($l =~ /^(not )?ok - (.*)$/)
	{
		ok(!defined $1, $2);
		$n++;
	}
	else
	{
		diag $l;
	}
}
is($rc, 0, 'the checker exited cleanly');
cmp_ok($n, '>=', 56, "$n checks ran");

# Cancellation: statement_timeout stops a long stitch (reading, sorting, applying links) and the
# paths aggregate of one huge group within about a second.
my $db = 'jy_tap_identity_cancel';
fresh_db($db);
psql_rc($db, 'CREATE EXTENSION journey');
psql_rc($db, "CREATE UNLOGGED TABLE cl AS SELECT 'd'::text ka, (g % 1500000)::text a, 'u'::text kb, (g * 7 % 1200000)::text b, timestamptz '2024-01-01' + g * interval '1 s' ts FROM generate_series(1, 4000000) g");
# 12 channels, order 3: 1 885 states, 13 dense solves of that size (about 2 s: timeout 0.3 s)
psql_rc($db, "CREATE UNLOGGED TABLE cm AS SELECT ARRAY(SELECT 'ch' || abs(hashint4(g * 8 + i) % 12) FROM generate_series(1, 6) i) c, g % 5 = 0 AS v FROM generate_series(1, 40000) g");
psql_rc($db, "CREATE UNLOGGED TABLE ce AS SELECT 1 AS u, timestamptz '2024-01-01' + (g::bigint * 7919 % 4000000) * interval '1 s' ts, (ARRAY['a','b','c'])[g % 3 + 1] ch, g % 50 = 0 AS conv FROM generate_series(1, 4000000) g");
use Time::HiRes qw(time);
for my $case (["stitch with limits", 1, "SELECT count(*) FROM journey_identity_stitch('SELECT ka, a, kb, b, ts FROM cl', '{u}', '{2}')"],
			  ["stitch", 1, "SELECT count(*) FROM journey_identity_stitch('SELECT ka, a, kb, b FROM cl')"],
			  ["order-3 Markov solve of 1885 states (runs ~2 s: timeout 0.3 s)", 0.3,
			   "SELECT journey_markov_attribution(c, v, 1, 3) FROM cm"],
			  ["conversion paths of one 4M-event group (runs ~1 s: timeout 0.3 s)", 0.3,
			   "SELECT count(*) FROM (SELECT journey_conversion_paths(ts, ch, conv, 1, '30 days') FROM ce GROUP BY u) s"])
{
	my ($label, $timeout, $q) = @$case;
	my $t0 = time;
	my ($rc2, $o) = psql_rc($db, "SET statement_timeout = '" . ($timeout * 1000) . "ms'; $q");
	my $el = time - $t0;
	like($o, qr/canceling statement due to statement timeout/, "$label: cancelled by statement_timeout") or diag $o;
	cmp_ok($el - $timeout, '<', 1.5, sprintf("$label: cancel latency %.2f s (elapsed - timeout)", $el - $timeout));
}
drop_db($db);
done_testing();
