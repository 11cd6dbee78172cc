# The build tracks header dependencies (doc/DEVELOPING.md, "Build notes"): in a scratch copy of the
# Makefile and src/, compiling one object writes its .d; a changed header it includes rebuilds it, an
# unrelated header does not; an object whose .d is missing (a tree built before header tracking) is
# rebuilt.  A stale object once crashed a server in a full-scale `make bench` (2026-12-04).
# Works on the scratch copy only (dry runs, `make -n`, and single-object compiles): the checkout under
# test is not touched.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);

my $pg_config = $ENV{PG_CONFIG} // 'pg_config';
my $tmp = tempdir('journey-build.XXXXXX', TMPDIR => 1, CLEANUP => 1);
system('cp', '-r', 'Makefile', 'journey.control', 'src', $tmp) == 0 or BAIL_OUT('cannot copy the tree');
# the copy starts without objects or dependency files (as a fresh clone)
system("find '$tmp/src' \\( -name '*.o' -o -name '*.d' -o -name '*.bc' \\) -delete") == 0 or BAIL_OUT('cannot clean the copy');

sub mk
{
	my $args = shift;
	my $out = `make -C '$tmp' PG_CONFIG='$pg_config' $args 2>&1`;
	return ($? >> 8, $out);
}
# the objects a dry run would compile
sub compiles
{
	my (undef, $out) = mk(shift);
	my @o = $out =~ m{-c -o (src/\S+\.o)}g;
	return join(' ', sort @o);
}

my $obj = 'src/pattern_common.o';
my ($rc, $out) = mk("-s $obj");
is($rc, 0, "make $obj compiles in a fresh copy") or diag $out;
ok(-f "$tmp/src/pattern_common.d", 'compiling it wrote src/pattern_common.d');
my $deps = do { local $/; open my $h, '<', "$tmp/src/pattern_common.d" or die; <$h> };
like($deps, qr{src/pattern_glue\.h}, 'the .d lists the header it includes (src/pattern_glue.h)');
like($deps, qr{src/pattern_common\.bc}, 'the .d also covers the JIT bitcode target');

is(compiles("-n $obj"), '', 'nothing to rebuild right after the build');
is(compiles("-n -W src/pattern_glue.h $obj"), $obj, 'a newer src/pattern_glue.h rebuilds it');
is(compiles("-n -W src/funnel_conf.h $obj"), '', 'a newer header it does not include does not');

unlink "$tmp/src/pattern_common.d" or die;
is(compiles("-n $obj"), $obj, 'an object without its .d is rebuilt');
($rc, $out) = mk("-s $obj");
is($rc, 0, 'the rebuild succeeds') or diag $out;
ok(-f "$tmp/src/pattern_common.d", 'and writes the .d again');
is(compiles("-n $obj"), '', 'then nothing is left to rebuild');

done_testing();
