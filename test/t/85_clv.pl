# CLV on CDNOW (../shared/data/cdnow, $JOURNEY_DATA_DIR): the whole first-
# quarter-1997 cohort in our file, 39-week calibration ending 1997-09-30, weekly
# units, same-day purchases merged.  journey fits BG/NBD and Gamma-Gamma; the
# log-likelihood at its optimum must equal scipy.optimize's on the same
# sufficient statistics to 1e-6, its predictions scipy.special's to 1e-9
# (test/t/85_clv.py).  Also: the traps (one-purchase customers only, purchase on
# the last day, huge frequency, an optimum at a boundary).
# Needs python3-scipy (apt-get when root and missing; skipped otherwise) and the data.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use JourneyTest qw($bin $python run fresh_db drop_db have_python_module);
use File::Basename qw(dirname);
use File::Temp qw(tempdir);

my $dir = dirname(__FILE__);
my $data = $ENV{JOURNEY_DATA_DIR} // '';

plan skip_all => 'python3-scipy is not installed (as root: apt-get install python3-scipy)'
  unless have_python_module('scipy');
plan skip_all => 'CDNOW data not found ($JOURNEY_DATA_DIR/cdnow/cdnow_master.csv)' unless -f "$data/cdnow/cdnow_master.csv";

my $db = 'jy_tap_clv';
sub psql
{
	my ($sql, $d) = @_;
	$d //= $db;
	open my $fh, '-|', "$bin/psql", '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', $d, '-c', $sql or die;
	local $/;
	my $o = <$fh> // '';
	close $fh;
	die "psql failed: $sql\n" if $?;
	$o =~ s/\s+$//;
	return $o;
}
sub psql_err
{
	my ($sql) = @_;
	my (undef, $o) = run("$bin/psql", '-X', '-q', '-A', '-t', '-v', 'VERBOSITY=verbose', '-d', $db, '-c', $sql);
	return $o;
}

fresh_db($db);
psql('CREATE EXTENSION journey');
psql('CREATE TABLE cdnow (customer_id int, order_date date, cds int, amount float8)');
psql("COPY cdnow FROM '$data/cdnow/cdnow_master.csv' CSV HEADER");
is(psql('SELECT count(*) FROM cdnow'), '69659', 'CDNOW loaded: 69,659 rows');
psql(q{CREATE TABLE cust AS SELECT customer_id, (clv_customer(order_date, amount, '1997-09-30', 7)).* FROM cdnow GROUP BY customer_id});
is(psql('SELECT count(*) FROM cust'), '23570', 'one row per customer of the cohort (23,570)');
# same-day merge and the calibration cut, checked against plain SQL
is(psql(q{SELECT count(*) FROM cust c JOIN (SELECT customer_id, count(DISTINCT order_date) - 1 AS x,
           (max(order_date) - min(order_date)) / 7.0 AS tx, (date '1997-09-30' - min(order_date)) / 7.0 AS t
           FROM cdnow WHERE order_date <= '1997-09-30' GROUP BY customer_id) p USING (customer_id)
           WHERE c.frequency = p.x AND abs(c.recency - p.tx) < 1e-12 AND abs(c.age - p.t) < 1e-12}), '23570',
   'frequency, recency and age equal plain SQL for every customer');

my $bg = psql('SELECT bgnbd_fit(frequency, recency, age) FROM cust');
my $gg = psql('SELECT gamma_gamma_fit(frequency, monetary) FROM cust WHERE monetary > 0');
is(psql("SELECT '$bg'::clv_model::text"), $bg, 'the bgnbd model reads back from its text');
is(psql("SELECT '$gg'::clv_model::text"), $gg, 'the gamma_gamma model reads back from its text');

my $tmp = tempdir(CLEANUP => 1);
open my $fh, '>', "$tmp/stats" or die;
print $fh psql(q{SELECT frequency || '|' || recency || '|' || age || '|' || coalesce(monetary::text, '') FROM cust ORDER BY customer_id}), "\n";
close $fh;
open $fh, '>', "$tmp/preds" or die;
print $fh psql(qq{SELECT concat_ws('|', frequency, recency, age, coalesce(monetary, 0),
                   bgnbd_expected_purchases('$bg', 10, frequency, recency, age),
                   bgnbd_prob_alive('$bg', frequency, recency, age),
                   gamma_gamma_expected_value('$gg', frequency, monetary))
                 FROM (SELECT DISTINCT ON (frequency, round(recency), round(age)) * FROM cust
                       WHERE monetary > 0 OR frequency = 0 ORDER BY frequency, round(recency), round(age), customer_id) s
                 ORDER BY frequency DESC, recency LIMIT 400}), "\n";
close $fh;
my $out = `$python $dir/85_clv.py $db $tmp/stats '$bg' '$gg' $tmp/preds 2>&1`;
my $rc = $?;
for my $line (split /\n/, $out)
{
	if ($line =~ /^PASS (.*)$/) { pass($1); }
	elsif ($line =~ /^FAIL (.*)$/) { fail($1); }
	elsif ($line =~ /^INFO (.*)$/) { diag($1); }
}
is($rc, 0, 'the scipy comparison script ran to the end') or diag($out);

# ---- the traps ----
# only one-purchase customers: no repeat purchase at all -> the optimum is at a
# boundary (no purchasing); the fit must say so (warning, converged false), not pretend
my $o = psql_err(q{SELECT bgnbd_fit(0, 0, t) FROM generate_series(1, 50) t});
like($o, qr/WARNING:  01000: the BG\/NBD fit did not converge/, 'one-purchase customers only: the fit warns that it did not converge');
like($o, qr/"converged": false/, 'one-purchase customers only: the model says converged false');
# purchase on the last day (t_x = T) and huge frequency are valid rows
my $m2 = psql(q{SELECT bgnbd_fit(x, tx, t) FROM (VALUES (0::float8, 0::float8, 39::float8), (1, 39, 39), (3, 20, 39), (2, 39, 39), (0, 0, 10),
                 (1, 5, 30), (5, 38, 39), (0, 0, 39), (1, 39, 39), (0, 0, 25), (1000000, 39, 39)) v(x, tx, t)});
like($m2, qr/"converged": (true|false)/, 'purchases on the last day and a huge frequency: a model comes back');
my $pa = psql(qq{SELECT bgnbd_prob_alive('$bg', 1, 39, 39)});
ok($pa > 0.5 && $pa <= 1, "a customer who bought on the last day is likely alive ($pa)");
my $huge = psql(qq{SELECT bgnbd_expected_purchases('$bg', 10, 1000000, 39, 39)});
ok($huge > 1000 && $huge < 1e7, "huge frequency gives a finite, large expectation ($huge)");
like(psql_err(q{SELECT bgnbd_fit(1, 40, 39)}), qr/ERROR:  22023: invalid customer statistics: recency must lie between 0 and age/,
	'recency beyond age is rejected (22023)');
like(psql_err(qq{SELECT bgnbd_prob_alive('$gg', 1, 1, 2)}), qr/ERROR:  22023: expected a bgnbd model/, 'a gamma_gamma model where a bgnbd one is expected: 22023');

drop_db($db);
done_testing();
