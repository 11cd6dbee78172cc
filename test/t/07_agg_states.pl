# Per-user aggregate states (funnel_step / funnel_times, session_stats,
# cohort_retention, retention): one answer whatever way PostgreSQL runs the
# aggregate.  Their states are blocks of a slab in the aggregate memory
# context (jy_slab in src/jy_agg.c) that moves states between size classes,
# keeps free lists and is forgotten when the context is reset: hash
# aggregation that spills (work_mem 64kB: the hash table is reset between
# batches), sorted grouping (the context is reset after every group), one
# hash table in memory, and parallel partial aggregation (serialize,
# deserialize, combine) must all give the same md5 of the ordered results,
# and the server must not crash.
use strict;
use warnings;
use Test::More;
use FindBin;
use lib "$FindBin::RealBin/lib";
use JourneyTest;

my $db = 'jy_tap_aggstates';
fresh_db($db, 'CREATE EXTENSION journey',
         'CREATE TABLE ev AS SELECT * FROM journey_sample_events(20000, 7) ORDER BY ts',
         # every tenth user gets many more rows (their states grow past the slab's size classes)
         q{INSERT INTO ev SELECT e.user_id, e.ts + make_interval(mins => g), e.event, e.utm_source, e.utm_medium,
                  e.device, e.country, e.product_id, e.category, e.revenue
           FROM ev e, generate_series(1, 40) g WHERE e.user_id % 10 = 0},
         'ANALYZE ev');

my %q = (
    funnel_bool => q{SELECT user_id, funnel_step(ts, '1 day', event = 'product_view', event = 'add_to_cart',
                            event = 'checkout', event = 'purchase') FROM ev GROUP BY user_id},
    funnel_names => q{SELECT user_id, funnel_times(ts, '1 day', event,
                            ARRAY['product_view', 'add_to_cart', 'checkout', 'purchase'], 'strict_order')
                      FROM ev GROUP BY user_id},
    session_stats => q{SELECT user_id, session_stats(ts) FROM ev GROUP BY user_id},
    cohort_first => q{SELECT user_id, cohort_retention(ts, 'day', 30, 'UTC') FROM ev GROUP BY user_id},
    cohort_recurring => q{SELECT user_id, cohort_retention(ts, event = 'product_view', event = 'purchase',
                                 'day', 30, 'UTC', 'recurring') FROM ev GROUP BY user_id},
    retention => q{SELECT user_id, retention(event = 'product_view', event = 'add_to_cart', event = 'purchase')
                   FROM ev GROUP BY user_id},
);

my %ways = (
    hash_in_memory => "SET work_mem = '1GB'; SET enable_sort = off; SET max_parallel_workers_per_gather = 0;",
    hash_spilling => "SET work_mem = '64kB'; SET enable_sort = off; SET max_parallel_workers_per_gather = 0;",
    sorted_groups => "SET enable_hashagg = off; SET max_parallel_workers_per_gather = 0;",
    parallel => "SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;"
              . " SET min_parallel_table_scan_size = 0; SET parallel_leader_participation = off;",
);

for my $name (sort keys %q) {
    my %md5;
    for my $way (sort keys %ways) {
        my $plan = psql($db, "$ways{$way} EXPLAIN (COSTS OFF) SELECT count(q) FROM ($q{$name}) q");
        my $want = $way eq 'sorted_groups' ? qr/GroupAggregate/ : $way eq 'parallel' ? qr/Partial/ : qr/HashAggregate/;
        like($plan, $want, "$name: the $way plan is the one meant");
        $md5{$way} = psql($db, "$ways{$way} SELECT md5(string_agg(q::text, ',' ORDER BY q::text)) FROM ($q{$name}) q");
    }
    my $spill = psql($db, "$ways{hash_spilling} EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT count(q) FROM ($q{$name}) q");
    like($spill, qr/Disk Usage: [1-9]/, "$name: work_mem 64kB spills");
    my @ways = sort keys %md5;
    is(scalar(grep { $md5{$_} eq $md5{$ways[0]} } @ways), scalar(@ways),
       "$name: one answer in memory, spilling, sorted and parallel")
        or diag(join("\n", map { "$_ $md5{$_}" } @ways));
}

is(psql($db, 'SELECT 1'), '1', 'the server still answers');
drop_db($db);
done_testing();
