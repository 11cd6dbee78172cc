# Durability: pg_dump / pg_restore (custom and plain formats) and COPY
# (binary and text) of tables holding journey values are lossless: the
# binary send form of every value is byte-equal after the round trip.
# The dumped database also holds test/edge_values.sql: every journey type
# with edge values (subnormals, NaN silhouette, extreme timestamps, empty
# values, the documented limits), built by the extension's own functions.
# Then: mutated COPY BINARY and text input must be rejected cleanly (22P03 /
# 22P02 / 22003 / 08P01), never crash the server; a mutated binary value of
# any type that loads has byte-identical text and binary round trips.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use JourneyTest;
use File::Temp qw(tempdir);

my $tmp = tempdir(CLEANUP => 1);
chmod 0777, $tmp;
my $big = $ENV{JOURNEY_TAP_BIG} ? 1 : 0;

my ($rc0, $o0);

my @dbs = qw(jy_tap_src jy_tap_custom jy_tap_plain jy_tap_copy);
fresh_db($_) for @dbs;

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

# every journey type with edge values (issue 13: a kmeans_model with a subnormal
# centre made pg_restore fail for the whole table)
($rc0, $o0) = psql_file('jy_tap_src', 'test/edge_values.sql');
die "test/edge_values.sql failed\n$o0" if $rc0;

my %fp_sql = (
	stats => q{SELECT count(*) || ':' || md5(string_agg(id || '|' || coalesce(encode(session_stats_send(s), 'hex'), 'NULL') || '|' || coalesce(s::text, 'NULL'), ',' ORDER BY id)) FROM stats},
	sessions => q{SELECT count(*) || ':' || md5(string_agg(user_id || '|' || ts || '|' || sn || '|' || started || '|' || sid, ',' ORDER BY user_id, ts, sn)) FROM sessions},
	# per row: md5 of the label, of every column's send bytes and of its text
	edge_values => q{SELECT count(*) || ':' || md5(string_agg(concat_ws('|', id, md5(label),
		coalesce(md5(journey_send(j)), 'N'), coalesce(md5(j::text), 'N'),
		coalesce(md5(session_stats_send(ss)), 'N'), coalesce(md5(ss::text), 'N'),
		coalesce(md5(funnel_summary_send(fs)), 'N'), coalesce(md5(fs::text), 'N'),
		coalesce(md5(cohort_retention_send(cr)), 'N'), coalesce(md5(cr::text), 'N'),
		coalesce(md5(kmeans_model_send(km)), 'N'), coalesce(md5(km::text), 'N'),
		coalesce((SELECT string_agg(md5(kmeans_model_send(x)), ',') FROM unnest(kms) x), 'N'),  -- not array_send: it holds the element type's oid
		coalesce(md5(kms::text), 'N'),
		coalesce(md5(kmeans_partial_send(kp)), 'N'), coalesce(md5(kp::text), 'N'),
		coalesce(md5(journey_markov_chain_send(mc)), 'N'), coalesce(md5(mc::text), 'N')), ',' ORDER BY id)) FROM edge_values},
);
my %src;
$src{$_} = psql('jy_tap_src', $fp_sql{$_}) for sort keys %fp_sql;
my $nvals = psql('jy_tap_src', 'SELECT count(*) FROM stats');
my $toasted = psql('jy_tap_src', q{SELECT pg_column_size(s) < octet_length(session_stats_send(s)) FROM stats WHERE label = 'wide histogram'});
my $nent = psql('jy_tap_src', q{SELECT (octet_length(session_stats_send(s)) - 40) / 8 FROM stats WHERE label = 'wide histogram'});
ok($nvals > 600, "source table holds $nvals session_stats values");
my $nedge = psql('jy_tap_src', q{SELECT sum(n) || ' edge values (' || string_agg(t || ' ' || n, ', ' ORDER BY t) || ')'
	FROM (SELECT split_part(label, ':', 1) AS t, count(*) AS n FROM edge_values GROUP BY 1) x});
like($nedge, qr/\(cohort_retention \d+, funnel_summary \d+, journey \d+, journey_markov_chain \d+, kmeans_model \d+, kmeans_model\[\] \d+, kmeans_partial \d+, session_stats \d+\)$/,
	"source database holds $nedge");
is($toasted, 't', "the wide histogram ($nent buckets) is stored compressed (TOAST), so the dump path through detoasting is exercised");

# 1. custom-format dump, pg_restore into a fresh database
my ($rc, $o) = run("$bin/pg_dump", '-Fc', '-f', "$tmp/src.dump", 'jy_tap_src');
is($rc, 0, 'pg_dump -Fc') or diag $o;
($rc, $o) = run("$bin/pg_restore", '--exit-on-error', '-d', 'jy_tap_custom', "$tmp/src.dump");
is($rc, 0, 'pg_restore into a fresh database, no error') or diag $o;
is($o, '', 'pg_restore printed nothing (no warning, no error)');
is(psql('jy_tap_custom', $fp_sql{$_}), $src{$_}, "custom dump/restore: $_ byte-equal") for sort keys %fp_sql;

# 2. plain SQL dump replayed with psql
($rc, $o) = run("$bin/pg_dump", '-Fp', '-f', "$tmp/src.sql", 'jy_tap_src');
is($rc, 0, 'pg_dump -Fp') or diag $o;
($rc, $o) = psql_file('jy_tap_plain', "$tmp/src.sql");
is($rc, 0, 'plain dump replays without error') or diag $o;
unlike($o, qr/ERROR|WARNING/, 'plain dump replay printed no error or warning');
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

# Helpers for one-column COPY BINARY files: the payloads of a query, and a file of one payload.
sub copy_payloads
{
	my ($db, $query, $file) = @_;
	psql($db, "\\copy ($query) TO '$file' WITH (FORMAT binary)");
	my $bytes = do { local $/; open my $fh, '<:raw', $file or die; <$fh> };
	my @p;
	my $at = 19;
	while ($at + 2 <= length($bytes))
	{
		my $nf = unpack('s>', substr($bytes, $at, 2));
		last if $nf == -1;
		my $len = unpack('l>', substr($bytes, $at + 2, 4));
		push @p, substr($bytes, $at + 6, $len);
		$at += 6 + $len;
	}
	return (substr($bytes, 0, 19), @p);
}

sub write_one
{
	my ($file, $header, $payload) = @_;
	open my $fh, '>:raw', $file or die;
	print $fh $header, pack('s>', 1), pack('l>', length $payload), $payload, pack('s>', -1);
	close $fh;
}

# 6. kmeans_model binary input and NaN (issue 13): the silhouette's "not computed" NaN may
#    arrive with any NaN bit pattern; recv stores the canonical NaN, so the value's send bytes
#    equal its text round trip's.  A NaN anywhere else is rejected (22P03).
my ($khdr, $kp) = copy_payloads('jy_tap_src', q{SELECT km FROM edge_values WHERE label = 'kmeans_model: features at +-1e100, standardized'}, "$tmp/km.bin");
is(unpack('H*', substr($kp, 52, 8)), '7ff8000000000000', 'a model without a silhouette sends the canonical NaN (bytes 52..59)');
my @nans = qw(fff8000000000000 7ff0000000000001 7ff4000000000000 7ff8000000000001 7fffffffffffffff fff0000000000001 ffffffffffffffff);
psql('jy_tap_copy', 'CREATE TABLE nan_km (id serial, km kmeans_model)');
for my $i (0 .. $#nans)
{
	my $p = $kp;
	substr($p, 52, 8) = pack('H*', $nans[$i]);
	write_one("$tmp/nan$i.bin", $khdr, $p);
	psql('jy_tap_copy', "\\copy nan_km (km) FROM '$tmp/nan$i.bin' WITH (FORMAT binary)");
}
is(psql('jy_tap_copy', q{SELECT count(*) || ' loaded, ' || count(*) FILTER (WHERE kmeans_model_send(km) = '\x} . unpack('H*', $kp)
	. q{') || ' send the original bytes, ' || count(*) FILTER (WHERE kmeans_model_send(km::text::kmeans_model) = kmeans_model_send(km))
	|| ' equal their text round trip' FROM nan_km}),
	scalar(@nans) . ' loaded, ' . scalar(@nans) . ' send the original bytes, ' . scalar(@nans) . ' equal their text round trip',
	'non-canonical NaN silhouettes (' . join(' ', @nans) . ') are stored as the canonical NaN');
my $nan_rejected = 0;
for my $off (36, 44, length($kp) - 8)    # tol, inertia, the last centre coordinate
{
	for my $nan ('7ff8000000000000', 'fff8000000000000', '7ff0000000000000')
	{
		my $p = $kp;
		substr($p, $off, 8) = pack('H*', $nan);
		write_one("$tmp/nanx.bin", $khdr, $p);
		my ($r, $out) = run("$bin/psql", '-X', '-q', '-v', 'VERBOSITY=verbose', '-d', 'jy_tap_copy',
			'-c', "\\copy nan_km (km) FROM '$tmp/nanx.bin' WITH (FORMAT binary)");
		$nan_rejected++ if $out =~ /ERROR:\s+22P03:/;
	}
}
is($nan_rejected, 9, 'NaN or infinity in tol, inertia or a centre is rejected with 22P03 (9 cases)');

# 7. mutated binary values of every type: whatever loads is a value whose text round trip
#    and binary round trip give its send bytes back exactly (the reporter of issue 13 found
#    38 kmeans_model values, NaN silhouettes, that did not).
my %send = (j => 'journey_send', ss => 'session_stats_send', fs => 'funnel_summary_send',
	cr => 'cohort_retention_send', km => 'kmeans_model_send', mc => 'journey_markov_chain_send');
my %tname = (j => 'journey', ss => 'session_stats', fs => 'funnel_summary', cr => 'cohort_retention', km => 'kmeans_model',
	mc => 'journey_markov_chain');
my @specials = map { pack('H*', $_) } qw(7ff8000000000000 fff8000000000000 7ff0000000000001 7ff0000000000000
	fff0000000000000 8000000000000000 0000000000000001 000fffffffffffff 7fefffffffffffff 3ff0000000000000 0000000000000000);
my $nper = $big ? 3000 : 300;
# rows of a table whose text round trip fails or differs (in send bytes or text), "N of M"
psql('jy_tap_copy', q{CREATE FUNCTION rt_bad(tbl text, typ text, sendf text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE
	r record;
	same boolean;
	bad bigint := 0;
	n bigint := 0;
BEGIN
	FOR r IN EXECUTE format('SELECT id FROM %I', tbl) LOOP
		n := n + 1;
		BEGIN
			EXECUTE format('SELECT %1$s(v::text::%2$s) IS NOT DISTINCT FROM %1$s(v) AND v::text::%2$s::text IS NOT DISTINCT FROM v::text FROM %3$I WHERE id = $1',
						   sendf, typ, tbl) INTO same USING r.id;
		EXCEPTION WHEN others THEN
			same := false;
		END;
		IF NOT same THEN
			bad := bad + 1;
		END IF;
	END LOOP;
	RETURN bad || ' of ' || n;
END
$f$});
for my $col (sort keys %send)
{
	my ($h, @ps) = copy_payloads('jy_tap_src',
		"SELECT $col FROM edge_values WHERE $col IS NOT NULL AND octet_length($send{$col}($col)) < 65536 ORDER BY id", "$tmp/$col.bin");
	psql('jy_tap_copy', "CREATE TABLE mut_$col (id serial, v $tname{$col}); CREATE TABLE mut2_$col (id int, v $tname{$col})");
	my $sc = "\\set VERBOSITY verbose\n";
	for my $i (1 .. $nper)
	{
		my $p = $ps[int(rand(@ps))];
		my $kind = $i % 6;
		my $at = int(rand(length $p));
		if ($kind == 0) { substr($p, $at, 1) ^= chr(1 << int(rand(8))); }
		elsif ($kind == 1) { $p = substr($p, 0, $at); }
		elsif ($kind == 2) { $p .= chr(int(rand(256))) x (1 + int(rand(16))); }
		elsif ($kind == 3) { my $o8 = $at - $at % 4; substr($p, $o8, 8) = $specials[int(rand(@specials))] if $o8 + 8 <= length $p; }
		elsif ($kind == 4) { substr($p, $at, 4) = pack('N', int(rand(2**32))) if $at + 4 <= length $p; }
		else { substr($p, $at, 1) = chr(int(rand(2)) ? 0 : 255); }
		write_one("$tmp/m_$col$i.bin", $h, $p);
		$sc .= "\\copy mut_$col (v) FROM '$tmp/m_$col$i.bin' WITH (FORMAT binary)\n";
	}
	open my $mf, '>', "$tmp/m_$col.sql" or die;
	print $mf $sc;
	close $mf;
	(undef, $o) = run("$bin/psql", '-X', '-q', '-d', 'jy_tap_copy', '-f', "$tmp/m_$col.sql");
	my %c;
	my $other = 0;
	for my $line (split /\n/, $o)
	{
		next unless $line =~ /ERROR:\s+([0-9A-Z]{5}):/;
		$c{$1}++;
		$other++ unless $1 =~ /^(22P03|08P01|22003|22008|22021|54000)$/;
	}
	my $n_err = 0;
	$n_err += $_ for values %c;
	my $n_ok = psql('jy_tap_copy', "SELECT count(*) FROM mut_$col");
	is($n_ok + $n_err, $nper, "$tname{$col}: $nper mutated binary values of " . scalar(@ps) . " edge values: $n_ok loaded, $n_err rejected ("
		. join(', ', map { "$_ x$c{$_}" } sort keys %c) . ')');
	is($other, 0, "$tname{$col}: every rejection is 22P03/08P01/22003/22008/22021/54000");
	is(psql('jy_tap_copy', "SELECT rt_bad('mut_$col', '$tname{$col}', '$send{$col}')"), "0 of $n_ok",
		"$tname{$col}: every loaded value has a byte-identical text round trip");
	psql('jy_tap_copy', "\\copy mut_$col TO '$tmp/m2_$col.bin' WITH (FORMAT binary)");
	psql('jy_tap_copy', "\\copy mut2_$col FROM '$tmp/m2_$col.bin' WITH (FORMAT binary)");
	my $fq = "SELECT count(*) || ':' || coalesce(md5(string_agg(id || md5($send{$col}(v)), ',' ORDER BY id)), '') FROM";
	is(psql('jy_tap_copy', "$fq mut2_$col"), psql('jy_tap_copy', "$fq mut_$col"),
		"$tname{$col}: and a byte-identical binary round trip");
}

# 8. mutated text values of every type, with the numbers that matter for issue 13 written over
#    number tokens (subnormals, underflow to zero, overflow, -0, hex floats, NaN/inf spellings):
#    what loads has a byte-identical text round trip.
my @numbers = qw(1e-310 4.9406564584124654e-324 2e-324 1e-400 2.2250738585072014e-308 1e308 1e309 -0 0 -1
	0x1p-1074 0x1.8p3 NaN -nan inf -Infinity 9223372036854775807 9223372036854775808 -9223372036854775808 1.5 00 1e5);
my @alpha = split //, '{}[],:"-+.0123456789eEnulltrsxz \\';
my $ntext = $big ? 3000 : 300;
for my $col (sort keys %send)
{
	my @ts = split /\n/, psql('jy_tap_src', "SELECT ${col}::text FROM edge_values WHERE $col IS NOT NULL AND length(${col}::text) < 20000 AND ${col}::text !~ '\\n' ORDER BY id");
	psql('jy_tap_copy', "CREATE TABLE mutt_$col (id serial, v $tname{$col})");
	my $sc = "\\set VERBOSITY verbose\n";
	for my $i (1 .. $ntext)
	{
		my $t = $ts[int(rand(@ts))];
		for (1 .. 1 + int(rand(2)))
		{
			my $k = int(rand(5));
			my $at = int(rand(length($t) + 1));
			if ($k <= 1)
			{
				# a number token (the n-th one) replaced by a special number
				my @pos;
				push @pos, [$-[0], $+[0] - $-[0]] while $t =~ /-?[0-9][0-9.eE+-]*/g;
				if (@pos)
				{
					my $p = $pos[int(rand(@pos))];
					substr($t, $p->[0], $p->[1]) = $numbers[int(rand(@numbers))];
				}
			}
			elsif ($k == 2) { substr($t, $at, 1) = $alpha[int(rand(@alpha))] if $at < length $t; }
			elsif ($k == 3) { substr($t, $at, 1) = '' if $at < length $t; }
			else { substr($t, $at, 0) = $alpha[int(rand(@alpha))]; }
		}
		$t =~ s/'/''/g;
		$sc .= "INSERT INTO mutt_$col (v) VALUES ('$t');\n";
	}
	open my $mf, '>', "$tmp/t_$col.sql" or die;
	print $mf $sc;
	close $mf;
	(undef, $o) = run("$bin/psql", '-X', '-q', '-d', 'jy_tap_copy', '-f', "$tmp/t_$col.sql");
	my %c;
	my $other = 0;
	for my $line (split /\n/, $o)
	{
		next unless $line =~ /ERROR:\s+([0-9A-Z]{5}):/;
		$c{$1}++;
		$other++ unless $1 =~ /^(22P02|22003|22008|22007|22021|54000)$/;
	}
	my $n_err = 0;
	$n_err += $_ for values %c;
	my $n_ok = psql('jy_tap_copy', "SELECT count(*) FROM mutt_$col");
	is($n_ok + $n_err, $ntext, "$tname{$col}: $ntext mutated text values of " . scalar(@ts) . " edge values: $n_ok loaded, $n_err rejected ("
		. join(', ', map { "$_ x$c{$_}" } sort keys %c) . ')');
	is($other, 0, "$tname{$col}: every text rejection is 22P02/22003/22008/22007/22021/54000");
	is(psql('jy_tap_copy', "SELECT rt_bad('mutt_$col', '$tname{$col}', '$send{$col}')"), "0 of $n_ok",
		"$tname{$col}: every loaded text value has a byte-identical text round trip");
}

is(psql('postgres', 'SELECT 1'), '1', 'the server still answers');

drop_db($_) for @dbs;
done_testing();
