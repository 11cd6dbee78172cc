# ALTER EXTENSION journey UPDATE walks every delta script journey--A--B.sql
# to the current version and gives the same objects as a fresh install.
# Functions are compared with their argument list (names, defaults), result
# (OUT columns), volatility, strictness, parallel safety, body, cost, rows,
# ACL and aggregate support functions; types with their I/O functions; casts
# and operators with their functions.  Stored values: tables holding every
# type of the old version, written through the old version's SQL objects,
# read back identically (text and binary output) after the update.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use JourneyTest;

# every object of the extension, described with what matters to users
my $objects_sql = q{
SELECT string_agg(x, E'\n' ORDER BY x) FROM (
  SELECT pg_describe_object(d.classid, d.objid, 0)
         || CASE WHEN d.classid = 'pg_proc'::regclass THEN
              (SELECT ' ' || p.provolatile::text || p.proparallel::text || p.proisstrict::text || p.prosecdef::text
                      || p.prokind::text || ' ' || coalesce(p.prosrc, '') || coalesce(pg_get_function_sqlbody(p.oid), '')
                      || ' (' || pg_get_function_arguments(p.oid) || ') -> ' || pg_get_function_result(p.oid)
                      || ' cost ' || p.procost || ' rows ' || p.prorows || ' acl ' || coalesce(p.proacl::text, '-')
                      || coalesce((SELECT ' agg ' || concat_ws(',', a.aggkind, a.aggtransfn, a.aggfinalfn, a.aggcombinefn,
                                          a.aggserialfn, a.aggdeserialfn, a.aggtranstype::regtype, a.aggtransspace,
                                          a.aggfinalextra, a.aggfinalmodify, a.agginitval)
                                   FROM pg_aggregate a WHERE a.aggfnoid = p.oid), '')
               FROM pg_proc p WHERE p.oid = d.objid) ELSE '' END
         || CASE WHEN d.classid = 'pg_type'::regclass THEN
              (SELECT ' ' || concat_ws(',', t.typlen, t.typbyval, t.typalign, t.typstorage, t.typinput::regproc,
                      t.typoutput::regproc, t.typreceive::regproc, t.typsend::regproc, t.typanalyze::regproc)
               FROM pg_type t WHERE t.oid = d.objid) ELSE '' END
         || CASE WHEN d.classid = 'pg_cast'::regclass THEN
              (SELECT ' ' || c.castfunc::regprocedure::text || ' ' || c.castcontext::text || c.castmethod::text
               FROM pg_cast c WHERE c.oid = d.objid) ELSE '' END
         || CASE WHEN d.classid = 'pg_operator'::regclass THEN
              (SELECT ' ' || concat_ws(',', o.oprcode::regproc, o.oprcom::regoperator, o.oprnegate::regoperator,
                      o.oprrest::regproc, o.oprjoin::regproc, o.oprcanmerge, o.oprcanhash)
               FROM pg_operator o WHERE o.oid = d.objid) ELSE '' END
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

fresh_db('jy_tap_fresh');
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
	fresh_db($db);
	psql($db, "CREATE EXTENSION journey VERSION '$from'");
	# values of every type of the old version, written through its own SQL objects
	my @types = split /\n/, psql($db, q{SELECT t.typname FROM pg_depend d JOIN pg_type t ON t.oid = d.objid
		JOIN pg_extension e ON e.oid = d.refobjid WHERE d.classid = 'pg_type'::regclass AND e.extname = 'journey'
		AND d.deptype = 'e' AND t.typtype = 'b' ORDER BY 1});
	my %covered = map { $_ => 1 } qw(session_stats journey cohort_retention funnel_summary kmeans_model);
	for my $t (@types)
	{
		ok($covered{$t}, "$from: a stored-value check covers type $t");
	}
	psql($db, q{CREATE TABLE ev AS SELECT * FROM journey_sample_events(200, 7)});
	psql($db, q{CREATE TABLE per_user AS SELECT user_id, session_stats(ts, '30 minutes') AS s, journey_agg(ts, event) AS j,
		cohort_retention(ts, 'day', 14, 'UTC') AS r,
		funnel_times(ts, '1 day', 'strict_order', event = 'page_view', event = 'product_view', event = 'purchase') AS ft
		FROM ev GROUP BY user_id});
	psql($db, q{CREATE TABLE summaries AS SELECT 1 AS id, rollup(s) AS s, rollup(j) AS j, rollup(r) AS r,
		funnel_summary(ft) AS f FROM per_user
		UNION ALL SELECT 2, NULL, journey(ARRAY[]::timestamptz[], ARRAY[]::text[]), NULL, NULL});
	psql($db, q{CREATE TABLE models AS SELECT kmeans_segment(ARRAY[session_count(s)::float8, length(j)::float8], 3) AS m FROM per_user});
	my $values_sql = q{SELECT md5(string_agg(x, ',' ORDER BY x)) || ' ' || count(*) FROM (
		SELECT concat_ws('|', user_id, s::text, encode(session_stats_send(s), 'hex'), j::text, encode(journey_send(j), 'hex'),
			r::text, encode(cohort_retention_send(r), 'hex'), ft::text) AS x FROM per_user
		UNION ALL SELECT concat_ws('|', id, s::text, encode(session_stats_send(s), 'hex'), j::text, encode(journey_send(j), 'hex'),
			r::text, encode(cohort_retention_send(r), 'hex'), f::text, encode(funnel_summary_send(f), 'hex')) FROM summaries
		UNION ALL SELECT m::text || encode(kmeans_model_send(m), 'hex') FROM models) v};
	my $before = psql($db, $values_sql);
	my $funnel_before = psql($db, q{SELECT string_agg(concat_ws(',', step, users, drop_off, median_time_from_previous), ';' ORDER BY step) FROM summaries, funnel_report(f) WHERE id = 1});
	my ($rc, $o) = run("$bin/psql", '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $db, '-c', 'ALTER EXTENSION journey UPDATE');
	is($rc, 0, "CREATE EXTENSION journey VERSION '$from'; ALTER EXTENSION journey UPDATE (path $path)") or diag $o;
	is(psql($db, $values_sql), $before, "$from: stored values of every type read back identically after the update (text and binary output; $before rows)");
	is(psql($db, q{SELECT string_agg(concat_ws(',', step, users, drop_off, median_time_from_previous), ';' ORDER BY step) FROM summaries, funnel_report(f) WHERE id = 1}),
		$funnel_before, "$from: a stored funnel_summary gives the same funnel_report after the update");
	is(psql($db, q{SELECT extversion FROM pg_extension WHERE extname = 'journey'}), $default, "updated from $from to $default");
	my $upd = psql($db, $objects_sql);
	is($upd, $fresh, "objects after updating from $from equal a fresh $default install");
	drop_db($db);
}
drop_db('jy_tap_fresh');
done_testing();
