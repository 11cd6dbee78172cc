# ALTER EXTENSION journey UPDATE walks every delta script journey--A--B.sql
# to the current version and gives the same objects as a fresh install.
# With a single version (today) there is nothing to walk: the test says so and
# checks that the installed scripts match the work tree and that the catalog
# of a fresh install is well-formed.
use strict;
use warnings;
use Test::More;
use IPC::Open3;

my $bin = $ENV{JOURNEY_PGBIN} // '/usr/lib/postgresql/15/bin';

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

# every object of the extension, described with what matters to users
my $objects_sql = q{
SELECT string_agg(x, E'\n' ORDER BY x) FROM (
  SELECT pg_describe_object(d.classid, d.objid, 0)
         || CASE WHEN d.classid = 'pg_proc'::regclass THEN
              (SELECT ' ' || p.provolatile::text || p.proparallel::text || p.proisstrict::text || p.prosecdef::text
                      || p.prokind::text || ' ' || coalesce(p.prosrc, '') || coalesce(pg_get_function_sqlbody(p.oid), '')
                      || ' -> ' || p.prorettype::regtype::text
               FROM pg_proc p WHERE p.oid = d.objid) ELSE '' END
         || ' / ' || coalesce(obj_description(d.objid, (SELECT relname FROM pg_class WHERE oid = d.classid)), '<no comment>') AS x
  FROM pg_depend d JOIN pg_extension e ON d.refobjid = e.oid AND d.refclassid = 'pg_extension'::regclass
  WHERE e.extname = 'journey' AND d.deptype = 'e') s};

my $sharedir = `$bin/pg_config --sharedir`;
chomp $sharedir;
my $extdir = "$sharedir/extension";
my ($default) = map { /default_version\s*=\s*'([^']+)'/ ? $1 : () } do { open my $c, '<', 'journey.control' or die; <$c> };
ok(defined $default, "journey.control declares default_version $default");
ok(-f "$extdir/journey--$default.sql", "install script journey--$default.sql is installed");

my @repo_deltas = sort glob('journey--*--*.sql');
my @inst_deltas = sort map { s{.*/}{}r } glob("$extdir/journey--*--*.sql");
for my $d (@repo_deltas)
{
	ok(-f "$extdir/$d" && system('cmp', '-s', $d, "$extdir/$d") == 0, "delta script $d is installed as in the work tree");
}

psql('postgres', 'DROP DATABASE IF EXISTS jy_tap_fresh');
psql('postgres', 'CREATE DATABASE jy_tap_fresh');
psql('jy_tap_fresh', 'CREATE EXTENSION journey');
is(psql('jy_tap_fresh', q{SELECT extversion FROM pg_extension WHERE extname = 'journey'}), $default, 'a fresh install is the default version');
my $fresh = psql('jy_tap_fresh', $objects_sql);
my $nobj = () = $fresh =~ /\n/g;
ok($nobj > 20, ($nobj + 1) . ' extension objects in a fresh install');

# every version from which an update path to the default exists
my @paths = split /\n/, psql('jy_tap_fresh',
	qq{SELECT source || ' ' || path FROM pg_extension_update_paths('journey') WHERE target = '$default' AND path IS NOT NULL AND source <> '$default' ORDER BY source});
if (!@paths)
{
	pass("only one version ($default) and " . scalar(@inst_deltas) . ' delta scripts installed: no update path to walk (the check walks every journey--A--B.sql once there is one)');
}
for my $p (@paths)
{
	my ($from, $path) = split / /, $p, 2;
	my $db = 'jy_tap_upd';
	psql('postgres', "DROP DATABASE IF EXISTS $db");
	psql('postgres', "CREATE DATABASE $db");
	my ($rc, $o) = run("$bin/psql", '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $db,
		'-c', "CREATE EXTENSION journey VERSION '$from'", '-c', 'ALTER EXTENSION journey UPDATE');
	is($rc, 0, "CREATE EXTENSION journey VERSION '$from'; ALTER EXTENSION journey UPDATE (path $path)") or diag $o;
	is(psql($db, q{SELECT extversion FROM pg_extension WHERE extname = 'journey'}), $default, "updated from $from to $default");
	my $upd = psql($db, $objects_sql);
	is($upd, $fresh, "objects after updating from $from equal a fresh $default install");
	psql('postgres', "DROP DATABASE $db");
}
psql('postgres', 'DROP DATABASE jy_tap_fresh');
done_testing();
