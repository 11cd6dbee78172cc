# A/B statistics (ab_ztest, ab_chisq, ab_prob_beats, ab_expected_loss,
# ab_sample_size, ab_mde) equal scipy to 1e-9 relative on a grid including
# tiny and huge counts, zero conversions and 100 % conversion
# (test/t/80_experiments.py does the comparison, one line per number).
# Needs python3-scipy: installed with apt-get when we are root and it is
# missing; otherwise the test is skipped, and says so.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use JourneyTest;
use File::Basename qw(dirname);

my $dir = dirname(__FILE__);

plan skip_all => 'python3-scipy is not installed (as root: apt-get install python3-scipy)'
  unless have_python_module('scipy');

my $db = 'jy_tap_experiments';
fresh_db($db, 'CREATE EXTENSION journey');

my $out = `$python $dir/80_experiments.py $db 2>&1`;
my $rc = $?;
my ($n, $nfail) = (0, 0);
for my $line (split /\n/, $out)
{
	if ($line =~ /^PASS (.*)$/) { pass($1); $n++; }
	elsif ($line =~ /^FAIL (.*)$/) { fail($1); $n++; $nfail++; }
}
is($rc, 0, 'the scipy comparison script ran to the end') or diag($out);
ok($n > 500, "$n numbers compared with scipy");
diag("$n numbers compared with scipy, $nfail differ by more than 1e-9 relative");
drop_db($db);
done_testing();
