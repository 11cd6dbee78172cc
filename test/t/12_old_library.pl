# 0.1.0's own library (built from commit 3ea4238) writes values of every type; the current library
# reads them identically before and after ALTER EXTENSION journey UPDATE (test/old-library.sh, ~70 s).
use strict;
use warnings;
use Test::More;
if (system('git cat-file -e 3ea4238 2>/dev/null') != 0)
{
	plan skip_all => 'no git history here (commit 3ea4238)';
}
my $out = `bash test/old-library.sh 2>&1`;
my $rc = $? >> 8;
for my $l (split /\n/, $out)
{
	if ($l =~ /^ok - (.*)/) { pass($1); }
	elsif ($l =~ /^not ok - (.*)/) { fail($1); }
	elsif ($l =~ /^#/) { diag $l; }
}
is($rc, 0, 'test/old-library.sh exit status') or diag $out;
done_testing();
