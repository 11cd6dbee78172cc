# Identity stitching and Markov attribution against independent implementations
# (test/py/check_identity_attribution.py): networkx's connected components, a
# Python re-implementation of the guard-rail rule, and an exact rational solve
# of the absorbing Markov chain.  Needs Debian's python3-networkx: installed
# here when we are root and it is missing, skipped with a message otherwise.
use strict;
use warnings;
use Test::More;

my $py = '/usr/bin/python3';
if (system("$py -c 'import networkx' >/dev/null 2>&1") != 0 && $> == 0)
{
	system('DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-networkx >/dev/null 2>&1');
}
if (system("$py -c 'import networkx' >/dev/null 2>&1") != 0)
{
	plan skip_all => 'python3-networkx is not installed (apt-get install python3-networkx)';
}
my @out = `$py test/py/check_identity_attribution.py 2>&1`;
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
cmp_ok($n, '>=', 20, "$n checks ran");
done_testing();
