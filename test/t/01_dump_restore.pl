# Durability: pg_dump / pg_restore (custom and plain formats) and COPY
# (binary and text) of tables holding journey values are lossless: the
# binary send form of every value is byte-equal after the round trip.
# Then: mutated COPY BINARY and text input must be rejected cleanly (22P03 /
# 22P02 / 22003 / 08P01), never crash the server.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use IPC::Open3;

my $bin = $ENV{JOURNEY_PGBIN} // '/usr/lib/postgresql/15/bin';
my $tmp = tempdir(CLEANUP => 1);
chmod 0777, $tmp;
my $big = $ENV{JOURNEY_TAP_BIG} ? 1 : 0;

sub run
{
	my @cmd = @_;
	my $pid = open3(my $in, my $out, undef, @cmd);
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

my @dbs = qw(jy_tap_src jy_tap_custom jy_tap_plain jy_tap_copy);
psql('postgres', "DROP DATABASE IF EXISTS $_") for @dbs;
psql('postgres', "CREATE DATABASE $_") for @dbs;

psql('jy_tap_src', q{
CREATE EXTENSION journey;
CREATE TABLE ev AS SELECT * FROM journey_sample_events(300, 3);
CREATE TABLE stats (id serial PRIMARY KEY, label text, s session_stats);
INSERT INTO stats (label, s) SELECT 'user ' || user_id, session_stats(ts) FROM ev GROUP BY user_id ORDER BY user_id;
INSERT INTO stats (label, s) SELECT 'gap 5 min ' || user_id, session_stats(ts, '5 minutes', '1 hour') FROM ev GROUP BY user_id ORDER BY user_id;
INSERT INTO stats (label, s) SELECT 'rollup', rollup(s) FROM stats;
INSERT INTO stats (label, s) VALUES ('null', NULL),
  ('empty', '{"v":1,"sessions":0,"events":0,"bounces":0,"duration_us":0,"hist":[]}'),
  ('extreme counts', '{"v":1,"sessions":1125899906842623,"events":1125899906842623,"bounces":1125899906842623,"duration_us":0,"hist":[[0,1125899906842623]]}'),
  ('extreme duration', '{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":9223372036854775807,"hist":[[14335,1]]}');
-- a toasted value: thousands of histogram buckets (two events per "user", every gap different)
INSERT INTO stats (label, s)
  SELECT 'wide histogram', rollup(s) FROM (
    SELECT g, session_stats(t, '100 years') AS s
    FROM generate_series(1, 4000) g,
         LATERAL (VALUES (timestamptz '2024-01-01'), (timestamptz '2024-01-01' + g * interval '7.3 seconds')) v(t)
    GROUP BY g) x;
CREATE TABLE sessions AS
  SELECT user_id, ts, sessionize(ts) OVER w AS sn, session_start(ts) OVER w AS started,
         session_key(user_id, session_start(ts) OVER w) AS sid
  FROM ev WINDOW w AS (PARTITION BY user_id ORDER BY ts);
});

my %fp_sql = (
	stats => q{SELECT count(*) || ':' || md5(string_agg(id || '|' || coalesce(encode(session_stats_send(s), 'hex'), 'NULL') || '|' || coalesce(s::text, 'NULL'), ',' ORDER BY id)) FROM stats},
	sessions => q{SELECT count(*) || ':' || md5(string_agg(user_id || '|' || ts || '|' || sn || '|' || started || '|' || sid, ',' ORDER BY user_id, ts, sn)) FROM sessions},
);
my %src;
$src{$_} = psql('jy_tap_src', $fp_sql{$_}) for sort keys %fp_sql;
my $nvals = psql('jy_tap_src', 'SELECT count(*) FROM stats');
my $toasted = psql('jy_tap_src', q{SELECT pg_column_size(s) < octet_length(session_stats_send(s)) FROM stats WHERE label = 'wide histogram'});
my $nent = psql('jy_tap_src', q{SELECT (octet_length(session_stats_send(s)) - 40) / 8 FROM stats WHERE label = 'wide histogram'});
ok($nvals > 600, "source table holds $nvals session_stats values");
is($toasted, 't', "the wide histogram ($nent buckets) is stored compressed (TOAST), so the dump path through detoasting is exercised");

# 1. custom-format dump, pg_restore into a fresh database
my ($rc, $o) = run("$bin/pg_dump", '-Fc', '-f', "$tmp/src.dump", 'jy_tap_src');
is($rc, 0, 'pg_dump -Fc') or diag $o;
($rc, $o) = run("$bin/pg_restore", '--exit-on-error', '-d', 'jy_tap_custom', "$tmp/src.dump");
is($rc, 0, 'pg_restore into a fresh database, no error') or diag $o;
is(psql('jy_tap_custom', $fp_sql{$_}), $src{$_}, "custom dump/restore: $_ byte-equal") for sort keys %fp_sql;

# 2. plain SQL dump replayed with psql
($rc, $o) = run("$bin/pg_dump", '-Fp', '-f', "$tmp/src.sql", 'jy_tap_src');
is($rc, 0, 'pg_dump -Fp') or diag $o;
($rc, $o) = run("$bin/psql", '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'jy_tap_plain', '-f', "$tmp/src.sql");
is($rc, 0, 'plain dump replays without error') or diag $o;
is(psql('jy_tap_plain', $fp_sql{$_}), $src{$_}, "plain dump/restore: $_ byte-equal") for sort keys %fp_sql;

# 3. COPY BINARY and COPY text round trips
psql('jy_tap_copy', 'CREATE EXTENSION journey');
psql('jy_tap_copy', 'CREATE TABLE stats (id int, label text, s session_stats)');
psql('jy_tap_copy', 'CREATE TABLE stats_txt (id int, label text, s session_stats)');
psql('jy_tap_src', "\\copy stats TO '$tmp/stats.bin' WITH (FORMAT binary)");
psql('jy_tap_copy', "\\copy stats FROM '$tmp/stats.bin' WITH (FORMAT binary)");
is(psql('jy_tap_copy', $fp_sql{stats}), $src{stats}, 'COPY BINARY out and in: byte-equal');
psql('jy_tap_src', "\\copy stats TO '$tmp/stats.txt'");
psql('jy_tap_copy', "\\copy stats_txt FROM '$tmp/stats.txt'");
(my $fq = $fp_sql{stats}) =~ s/FROM stats/FROM stats_txt/;
is(psql('jy_tap_copy', $fq), $src{stats}, 'COPY text out and in: byte-equal');

# 4. mutated binary input: one-row COPY BINARY files whose session_stats payload is damaged
#    (bit flips, truncation, extension, declared-length lies).  Each must load a
#    valid value or fail with a binary/text-representation error; never crash.
psql('jy_tap_copy', 'CREATE TABLE one (s session_stats)');
psql('jy_tap_src', "\\copy (SELECT s FROM stats WHERE s IS NOT NULL ORDER BY id) TO '$tmp/one.bin' WITH (FORMAT binary)");
my $raw = do { local $/; open my $fh, '<:raw', "$tmp/one.bin" or die; <$fh> };
my $hdr = substr($raw, 0, 19);
my @payloads;
my $pos = 19;
while ($pos + 2 <= length($raw))
{
	my $nf = unpack('s>', substr($raw, $pos, 2));
	last if $nf == -1;
	my $len = unpack('l>', substr($raw, $pos + 2, 4));
	push @payloads, substr($raw, $pos + 6, $len);
	$pos += 6 + $len;
}
ok(@payloads > 600, scalar(@payloads) . ' binary payloads parsed from COPY BINARY');
srand(20261125);
my $nmut = $big ? 3000 : 400;
my (%codes, $loaded, $bad_class);
$loaded = 0;
$bad_class = 0;
my $script = '';
for my $i (1 .. $nmut)
{
	my $p = $payloads[int(rand(@payloads))];
	my $kind = $i % 5;
	if ($kind == 0) { substr($p, int(rand(length $p)), 1) ^= chr(1 << int(rand(8))); }
	elsif ($kind == 1) { $p = substr($p, 0, int(rand(length $p))); }
	elsif ($kind == 2) { $p .= chr(int(rand(256))) x (1 + int(rand(16))); }
	elsif ($kind == 3) { substr($p, 4, 4) = pack('N', int(rand(2**32))) if length($p) >= 8; }    # nentries
	else { substr($p, 8 + 8 * int(rand(4)), 8) = pack('Q>', int(rand(2**63))) if length($p) >= 40; }    # a count
	open my $fh, '>:raw', "$tmp/mut$i.bin" or die;
	print $fh $hdr, pack('s>', 1), pack('l>', length $p), $p, pack('s>', -1);
	close $fh;
	$script .= "\\copy one FROM '$tmp/mut$i.bin' WITH (FORMAT binary)\n";
}
open my $sf, '>', "$tmp/mut.sql" or die;
print $sf "\\set VERBOSITY verbose\n$script";
close $sf;
($rc, $o) = run("$bin/psql", '-X', '-q', '-d', 'jy_tap_copy', '-f', "$tmp/mut.sql");
for my $line (split /\n/, $o)
{
	next unless $line =~ /ERROR:\s+([0-9A-Z]{5}):/;
	$codes{$1}++;
	$bad_class++ unless $1 =~ /^(22P03|22P02|22003|08P01)$/;
}
$loaded = psql('jy_tap_copy', 'SELECT count(*) FROM one');
my $nerr = 0;
$nerr += $_ for values %codes;
is($nerr + $loaded, $nmut, "$nmut mutated binary values: $loaded loaded, $nerr rejected ("
	. join(', ', map { "$_ x$codes{$_}" } sort keys %codes) . ')');
is($bad_class, 0, 'every rejection is 22P03/22P02/22003/08P01');
is(psql('jy_tap_copy', q{SELECT count(*) FROM one WHERE s::text::session_stats::text <> s::text OR session_count(s) < 0}), 0,
	'every value that loaded is valid: text round trip holds');

# 5. mutated text input through session_stats_in
my @texts = split /\n/, psql('jy_tap_src', 'SELECT s::text FROM stats WHERE s IS NOT NULL ORDER BY id');
my @alphabet = split //, '{}[],:"-0123456789 ve';
$script = "\\set VERBOSITY verbose\n";
for my $i (1 .. ($big ? 20000 : 2000))
{
	my $t = $texts[int(rand(@texts))];
	for (1 .. 1 + int(rand(3)))
	{
		my $at = int(rand(length($t) + 1));
		my $k = int(rand(4));
		if ($k == 0) { substr($t, $at, 1) = $alphabet[int(rand(@alphabet))] if $at < length $t; }
		elsif ($k == 1) { substr($t, $at, 1) = '' if $at < length $t; }
		elsif ($k == 2) { substr($t, $at, 0) = $alphabet[int(rand(@alphabet))]; }
		else { substr($t, $at, 0) = int(rand(10)) x (1 + int(rand(25))); }
	}
	$t =~ s/'/''/g;
	$script .= "SELECT '$t'::session_stats IS NOT NULL AS loaded;\n";
}
open $sf, '>', "$tmp/txt.sql" or die;
print $sf $script;
close $sf;
($rc, $o) = run("$bin/psql", '-X', '-q', '-A', '-t', '-d', 'jy_tap_copy', '-f', "$tmp/txt.sql");
%codes = ();
$bad_class = 0;
for my $line (split /\n/, $o)
{
	next unless $line =~ /ERROR:\s+([0-9A-Z]{5}):/;
	$codes{$1}++;
	$bad_class++ unless $1 =~ /^(22P02|22003)$/;
}
my $tl = () = $o =~ /^t$/mg;
$nerr = 0;
$nerr += $_ for values %codes;
is($tl + $nerr, ($big ? 20000 : 2000), "mutated text values: $tl loaded, $nerr rejected ("
	. join(', ', map { "$_ x$codes{$_}" } sort keys %codes) . ')');
is($bad_class, 0, 'every text rejection is 22P02 or 22003');
is(psql('postgres', 'SELECT 1'), '1', 'the server still answers');

psql('postgres', "DROP DATABASE $_") for @dbs;
done_testing();
