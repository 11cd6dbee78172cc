# Release metadata agrees with journey.control: META.json (PGXN meta spec 1.0.0: required keys and
# value forms), CHANGELOG.md, debian/changelog, LICENSE; the frozen install script of 0.1.0 is
# what commit 3ea4238 generated (when git history is there).
use strict;
use warnings;
use Test::More;
use JSON::PP;

my ($default) = map { /default_version\s*=\s*'([^']+)'/ ? $1 : () } do { open my $c, '<', 'journey.control' or die; <$c> };
sub slurp { my $f = shift; open my $h, '<', $f or return undef; local $/; return <$h>; }

my $meta = eval { decode_json(slurp('META.json')) };
ok($meta, 'META.json is valid JSON') or diag $@;
for my $k (qw(name abstract version maintainer license provides meta-spec))
{
	ok(defined $meta->{$k}, "META.json has the required key $k");
}
is($meta->{name}, 'journey', 'META.json name');
is($meta->{version}, $default, "META.json version is default_version $default");
like($meta->{version}, qr/^\d+\.\d+\.\d+$/, 'META.json version is a semantic version');
is($meta->{license}, 'postgresql', 'META.json license is postgresql');
is($meta->{'meta-spec'}{version}, '1.0.0', 'META.json meta-spec version 1.0.0');
is($meta->{provides}{journey}{version}, $default, 'META.json provides journey at the default version');
ok(defined $meta->{provides}{journey}{file}, 'META.json provides journey with a file');
ok(ref $meta->{maintainer} eq 'ARRAY' || !ref $meta->{maintainer}, 'META.json maintainer is a string or a list');
like($meta->{prereqs}{runtime}{requires}{PostgreSQL} // '', qr/^15\./, 'META.json requires PostgreSQL 15 or later');

like(slurp('CHANGELOG.md') // '', qr/^## \Q$default\E /m, "CHANGELOG.md has a section for $default");
like(slurp('debian/changelog') // '', qr/^journey \(\Q$default\E-\d+\)/, "debian/changelog's latest entry is $default");
like(slurp('LICENSE') // '', qr/Copyright \(c\) 2026, the journey authors/, 'LICENSE names the copyright holder');

SKIP:
{
	my $have = system('git cat-file -e 3ea4238 2>/dev/null') == 0;
	skip 'no git history here (commit 3ea4238)', 1 unless $have;
	my $gen = "-- journey 0.1.0 install script. Generated from src/sql/*.sql by make: edit those.\n"
		. "\\echo Use \"CREATE EXTENSION journey\" to load this file. \\quit\n";
	for my $f (sort split /\n/, `git ls-tree --name-only 3ea4238 src/sql/`)
	{
		$gen .= "\n-- ---- $f ----\n" . `git show 3ea4238:$f`;
	}
	ok($gen eq slurp('journey--0.1.0.sql'), 'journey--0.1.0.sql is byte for byte what commit 3ea4238 generated');
}
done_testing();
