# Checks that need a superuser (creating roles, LANGUAGE internal), moved out of
# the pg_regress files so that `make installcheck` passes as a database owner
# without superuser (test/run.sh owner runs it that way).
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use JourneyTest;

# 1. the extension is trusted: a role without superuser that owns a database installs it
drop_db('jy_tap_trusted');
psql('postgres', 'DROP ROLE IF EXISTS journey_installer');
psql('postgres', 'CREATE ROLE journey_installer LOGIN');
psql('postgres', 'CREATE DATABASE jy_tap_trusted OWNER journey_installer');
is(psql('jy_tap_trusted', 'SELECT rolsuper FROM pg_roles WHERE rolname = current_user', '-U', 'journey_installer'), 'f',
	'journey_installer is not a superuser');
psql('jy_tap_trusted', 'CREATE EXTENSION journey', '-U', 'journey_installer');
is(psql('jy_tap_trusted', 'SELECT count(*) > 0 FROM journey_sample_events(3, 1)', '-U', 'journey_installer'), 't',
	'CREATE EXTENSION journey as a database owner without superuser, and it works');
# the objects belong to the bootstrap superuser (trusted extensions), so the owner cannot revoke
# EXECUTE on them: the dedicated-schema + GRANT USAGE pattern of README.md (section 3 below) is the way
is(psql('jy_tap_trusted', q{SELECT DISTINCT pg_get_userbyid(p.proowner) FROM pg_proc p
	JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
	JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'journey'}), 'postgres',
	'objects of a trusted install are owned by the bootstrap superuser');

# 2. a hostile LANGUAGE internal function (superuser only) on the search path does not change results
my $clean = psql('jy_tap_trusted', q{SELECT (session_kpis(session_stats(ts)))::text FROM journey_sample_events(20, 1)});
psql('jy_tap_trusted', q{CREATE SCHEMA hostile; CREATE FUNCTION hostile.interval_out(interval) RETURNS cstring LANGUAGE internal IMMUTABLE AS 'int4out'});
is(psql('jy_tap_trusted', q{SET search_path = hostile, pg_catalog, public; SELECT (session_kpis(session_stats(ts)))::text FROM journey_sample_events(20, 1)}),
	$clean, 'a LANGUAGE internal interval_out placed before pg_catalog does not change session_kpis');

drop_db('jy_tap_trusted');
psql('postgres', 'DROP ROLE journey_installer');

# 3. the README's roles pattern: a dedicated schema, USAGE granted to the roles that may call journey
drop_db('jy_tap_schema');
psql('postgres', 'DROP ROLE IF EXISTS jy_analyst');
psql('postgres', 'DROP ROLE IF EXISTS jy_outsider');
psql('postgres', 'CREATE ROLE jy_analyst LOGIN');
psql('postgres', 'CREATE ROLE jy_outsider LOGIN');
psql('postgres', 'CREATE DATABASE jy_tap_schema');
psql('jy_tap_schema', 'CREATE SCHEMA journey; REVOKE ALL ON SCHEMA journey FROM PUBLIC; CREATE EXTENSION journey SCHEMA journey; GRANT USAGE ON SCHEMA journey TO jy_analyst');
is(psql('jy_tap_schema', 'SELECT count(*) FROM journey.journey_sample_events(2, 1) LIMIT 1', '-U', 'jy_analyst') > 0 ? 'yes' : 'no', 'yes',
	'a role with USAGE on the schema calls journey functions');
my ($rc, $o) = run("$bin/psql", '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-U', 'jy_outsider', '-d', 'jy_tap_schema',
	'-c', 'SELECT count(*) FROM journey.journey_sample_events(2, 1)');
ok($rc != 0 && $o =~ /permission denied for schema journey/, 'a role without USAGE cannot call them (permission denied for schema journey)') or diag $o;
($rc, $o) = run("$bin/psql", '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-U', 'jy_outsider', '-d', 'jy_tap_schema',
	'-c', q{SELECT '[2024-01-01 00:00:00+00 a]'::journey.journey});
ok($rc != 0 && $o =~ /permission denied for schema journey/, 'nor use its types') or diag $o;
drop_db('jy_tap_schema');
psql('postgres', 'DROP ROLE jy_analyst');
psql('postgres', 'DROP ROLE jy_outsider');
done_testing();
