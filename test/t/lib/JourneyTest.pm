# JourneyTest — the helpers every TAP file of test/t shares.
#
# The TAP files run against the throwaway cluster test/run.sh starts (PGHOST,
# PGPORT, PGUSER in the environment, a superuser) with the PostgreSQL
# binaries of its private installation (JOURNEY_PGBIN).  Load with
#
#   use FindBin;
#   use lib "$FindBin::RealBin/lib";
#   use JourneyTest;
#
# Exports:
#   $bin                  directory of psql, pg_dump, pgbench ...: $JOURNEY_PGBIN, else
#                         `pg_config --bindir` ($PG_CONFIG or pg_config on PATH); exported to
#                         child processes as JOURNEY_PGBIN
#   pgbin($name)          "$bin/$name"
#   run(@cmd)             run a command, stdout and stderr together: ($exit_code, $output)
#   run_stdin($in, @cmd)  the same with $in on its standard input
#   psql($db, $sql, @opt) psql -X -q -A -t -v ON_ERROR_STOP=1 [@opt] -d $db -c $sql: the output
#                         without its last newline; dies (with the output) when psql fails
#   psql_rc($db, $sql, @opt)   the same, never dies: ($exit_code, $output)
#   psql_file($db, $file, @opt) psql -X -q -v ON_ERROR_STOP=1 [@opt] -d $db -f $file:
#                         ($exit_code, $output)
#   fresh_db($db, @sql)   DROP DATABASE IF EXISTS, CREATE DATABASE, then each @sql in it
#                         (e.g. 'CREATE EXTENSION journey')
#   drop_db($db)          DROP DATABASE IF EXISTS
#   $python               Debian's /usr/bin/python3 (apt-get installs python3-* for it), else
#                         python3 on PATH
#   have_python_module(@m)  $python can import every module of @m; as root, tries apt-get
#                         install python3-<m> first when it cannot
package JourneyTest;

use strict;
use warnings;
use Exporter 'import';
use IPC::Open3;

our @EXPORT = qw($bin $python pgbin run run_stdin psql psql_rc psql_file fresh_db drop_db have_python_module);

our $bin = find_bin();
# Debian's python3, for which apt-get installs python3-* modules (PATH may hold another)
our $python = -x '/usr/bin/python3' ? '/usr/bin/python3' : 'python3';
# for the Python checkers the TAP files start (test/py, test/t/*.py)
$ENV{JOURNEY_PGBIN} = $bin;

sub find_bin
{
	return $ENV{JOURNEY_PGBIN} if $ENV{JOURNEY_PGBIN};
	my $pg_config = $ENV{PG_CONFIG} || 'pg_config';
	my $dir = `$pg_config --bindir 2>/dev/null`;
	chomp $dir if defined $dir;
	die "JourneyTest: neither JOURNEY_PGBIN nor a working pg_config (run through test/run.sh)\n"
	  unless $dir && -x "$dir/psql";
	return $dir;
}

sub pgbin { return "$bin/$_[0]"; }

sub run_stdin
{
	my ($stdin, @cmd) = @_;
	my $pid = open3(my $in, my $out, undef, @cmd);
	print $in $stdin if defined $stdin;
	close $in;
	local $/;
	my $o = <$out> // '';
	waitpid $pid, 0;
	return ($? >> 8, $o);
}

sub run { return run_stdin(undef, @_); }

sub psql_rc
{
	my ($db, $sql, @opt) = @_;
	return run("$bin/psql", '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', @opt, '-d', $db, '-c', $sql);
}

sub psql
{
	my ($db, $sql, @opt) = @_;
	my ($rc, $o) = psql_rc($db, $sql, @opt);
	die "psql failed on $db: $sql\n$o" if $rc;
	chomp $o;
	return $o;
}

sub psql_file
{
	my ($db, $file, @opt) = @_;
	return run("$bin/psql", '-X', '-q', '-v', 'ON_ERROR_STOP=1', @opt, '-d', $db, '-f', $file);
}

sub drop_db { psql('postgres', "DROP DATABASE IF EXISTS $_[0]"); }

sub fresh_db
{
	my ($db, @sql) = @_;
	drop_db($db);
	psql('postgres', "CREATE DATABASE $db");
	psql($db, $_) for @sql;
}

sub have_python_module
{
	my @m = @_;
	my $imports = join(', ', @m);
	my $can = sub { system("$python -c 'import $imports' >/dev/null 2>&1") == 0 };
	return 1 if $can->();
	if ($> == 0)
	{
		system('DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends '
			  . join(' ', map { "python3-$_" } @m) . ' >/dev/null 2>&1');
	}
	return $can->() ? 1 : 0;
}

1;
