# Security, statically: no C code of journey reads or writes files, runs
# commands, opens sockets or loads libraries; no SQL fragment declares
# SECURITY DEFINER, uses an untrusted language or touches the file system.
# (The catalog-side checks and the hostile search_path are in sql/security.sql.)
use strict;
use warnings;
use Test::More;

my @c = (glob('src/*.c'), glob('src/*.h'), glob('src/engine/*.c'), glob('src/engine/*.h'));
ok(@c > 5, scalar(@c) . ' C files scanned');
my $forbidden = qr/\b(system|popen|execl|execlp|execle|execv|execvp|execve|fork|vfork|fopen|freopen|open|openat|creat|unlink|rename|mkdir|rmdir|socket|connect|dlopen|AllocateFile|AllocateDir|OpenTransientFile|PathNameOpenFile|BasicOpenFile|OpenPipeStream|ClosePipeStream|pg_file_write|durable_rename|getenv|setenv)\s*\(/;
for my $f (@c)
{
	open my $fh, '<', $f or die "$f: $!";
	my $src = do { local $/; <$fh> };
	$src =~ s{/\*.*?\*/}{}gs;    # comments
	$src =~ s{//[^\n]*}{}g;
	$src =~ s{"(?:\\.|[^"\\])*"}{""}g;    # string literals
	my @hits = $src =~ /$forbidden/g;
	is(scalar(@hits), 0, "$f: no file, process, socket or library calls") or diag "calls: @hits";
}
my @s = (glob('src/sql/*.sql'), glob('src/sql/*.h'), glob('journey--*--*.sql'));
for my $f (@s)
{
	open my $fh, '<', $f or die "$f: $!";
	my $src = do { local $/; <$fh> };
	$src =~ s/--[^\n]*//g;
	unlike($src, qr/SECURITY\s+DEFINER/i, "$f: no SECURITY DEFINER");
	unlike($src, qr/LANGUAGE\s+(plperlu|plpython\w*u|pltclu|c\s+UNTRUSTED)/i, "$f: no untrusted language");
	unlike($src, qr/\b(pg_read_file|pg_read_binary_file|pg_ls_dir|lo_import|lo_export|COPY\s+\S+\s+(FROM|TO)\s+(PROGRAM|')|dblink|pg_stat_file)\b/i, "$f: no file or program access");
	# SQL-bodied functions reference other journey functions schema-qualified
	# (extract(...) and cast(...) are SQL syntax, not functions of ours)
	my @unq = $src =~ /RETURN\s+(?!\@extschema\@\.|extract\s*\(|cast\s*\()([a-z_]+)\s*\(/gi;
	is(scalar(@unq), 0, "$f: SQL-standard bodies call journey functions as \@extschema\@.name") or diag "unqualified: @unq";
}
done_testing();
