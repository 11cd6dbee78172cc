-- Edge values and the call generator of 06_edge_calls.pl (run as superuser in
-- the test's own database after CREATE EXTENSION journey).
--
-- edge_vals(typ, ord, expr): SQL expressions of each argument type the
-- extension's functions take; ord 1 is the "typical" value used for the
-- arguments that are not being varied.  edge_base(argname, expr) overrides the
-- typical value by argument name (period => 'week', pattern => a valid pattern).
-- edge_calls() reads the catalog: every function, aggregate and window function
-- that belongs to the extension, so one added later is called without editing
-- this file.

CREATE TABLE edge_vals (typ regtype, ord int, expr text, PRIMARY KEY (typ, ord));
CREATE TABLE edge_base (argname text PRIMARY KEY, expr text);

-- values of the extension's own types, built by its own functions
CREATE TABLE edge_ev AS SELECT * FROM journey_sample_events(40, 7);
CREATE TABLE edge_journey (id int PRIMARY KEY, v journey);
INSERT INTO edge_journey VALUES
  (1, (SELECT journey_agg(ts, event) FROM edge_ev WHERE user_id = (SELECT min(user_id) FROM edge_ev))),
  (2, journey(ARRAY[]::timestamptz[], ARRAY[]::text[])),
  (3, journey(ARRAY['2024-01-01 00:00:00+00']::timestamptz[], ARRAY['page_view'])),
  (4, (SELECT journey(array_agg(timestamptz '2024-01-01' + g * interval '1 second'),
                      array_agg('e' || (g % 5000))) FROM generate_series(1, 100000) g)),
  (5, journey(ARRAY['0001-01-01 00:00:00+00', '9999-12-31 23:59:59.999999+00']::timestamptz[], ARRAY['', repeat('n', 1024)])),
  (6, journey(ARRAY['2024-01-01', '2024-01-01', '2024-01-01']::timestamptz[], ARRAY['checkout', 'add_to_cart', 'checkout'])),
  (7, (SELECT journey_agg(ts, event) FROM edge_ev));
CREATE TABLE edge_funnel_summary (id int PRIMARY KEY, v funnel_summary);
INSERT INTO edge_funnel_summary VALUES
  (1, (SELECT funnel_summary(t) FROM (SELECT funnel_times(ts, '1 day', event = 'page_view', event = 'product_view', event = 'purchase') t
                                      FROM edge_ev GROUP BY user_id) x)),
  (3, (SELECT funnel_summary(ARRAY['2024-01-01', NULL]::timestamptz[]))),
  (4, (SELECT funnel_summary(array_fill(timestamptz '2024-01-01', ARRAY[1024])))),
  (5, (SELECT funnel_summary(ARRAY['2024-01-01', '294276-12-31 23:59:59.999999+00']::timestamptz[]))),
  (6, (SELECT funnel_summary(ARRAY['4713-01-01 00:00:00+00 BC', '2024-01-01']::timestamptz[])));
CREATE TABLE edge_cohort_retention (id int PRIMARY KEY, v cohort_retention);
INSERT INTO edge_cohort_retention VALUES
  (1, (SELECT cohort_retention(ts, 'week', 4) FROM edge_ev WHERE user_id = (SELECT min(user_id) FROM edge_ev))),
  (2, (SELECT rollup(r) FROM (SELECT cohort_retention(ts, 'day', 1000, 'UTC') r FROM edge_ev GROUP BY user_id) x)),
  (3, (SELECT rollup(r) FROM (SELECT cohort_retention(ts, event = 'page_view', event = 'purchase', 'month', 12, 'UTC', 'recurring') r FROM edge_ev GROUP BY user_id) x)),
  (4, (SELECT cohort_retention(t, 'day', 0) FROM (VALUES (timestamptz '294276-12-30 00:00:00+00')) v(t))),
  (5, (SELECT cohort_retention(t, 'week', 2) FROM (VALUES (timestamptz '4713-01-01 00:00:00+00 BC')) v(t))),
  (6, (SELECT cohort_retention(t, 'day', 1000) FROM (VALUES (timestamptz '4713-01-01 00:00:00+00 BC'), ('294276-12-31 23:59:59.999999+00')) v(t)));
CREATE TABLE edge_session_stats (id int PRIMARY KEY, v session_stats);
INSERT INTO edge_session_stats VALUES
  (1, (SELECT session_stats(ts) FROM edge_ev WHERE user_id = (SELECT min(user_id) FROM edge_ev))),
  (2, (SELECT rollup(s) FROM (SELECT session_stats(ts) s FROM edge_ev GROUP BY user_id) x)),
  (3, '{"v":1,"sessions":0,"events":0,"bounces":0,"duration_us":0,"hist":[]}'),
  (4, '{"v":1,"sessions":1125899906842623,"events":1125899906842623,"bounces":1125899906842623,"duration_us":0,"hist":[[0,1125899906842623]]}'),
  (5, '{"v":1,"sessions":1,"events":2,"bounces":0,"duration_us":9223372036854775807,"hist":[[14335,1]]}'),
  (6, (SELECT session_stats(t, '290000 years') FROM (VALUES (timestamptz '4713-01-01 00:00:00+00 BC'), ('294276-12-31 23:59:59.999999+00')) v(t))),
  (7, (SELECT session_stats(t, '290000 years', '290000 years') FROM (VALUES (timestamptz '-infinity'), ('infinity'), ('2024-01-01')) v(t)));
CREATE TABLE edge_kmeans_model (id int PRIMARY KEY, v kmeans_model);
INSERT INTO edge_kmeans_model VALUES
  (1, (SELECT kmeans_segment(f, 3) FROM (SELECT ARRAY[count(*), count(DISTINCT event)]::float8[] f FROM edge_ev GROUP BY user_id) x)),
  (2, (SELECT kmeans_segment(ARRAY[1.0, 2.0]::float8[], 1))),
  (3, (SELECT kmeans_segment(ARRAY[x]::float8[], 1, '{"standardize": false}') FROM (VALUES (1e-310::float8), (1e-310)) v(x))),
  (4, (SELECT kmeans_segment(ARRAY[x, -x]::float8[], 2) FROM (VALUES (1e100::float8), (-1e100), (0)) v(x)));  -- features are limited to +-1e100

CREATE TABLE edge_kmeans_partial (id int PRIMARY KEY, v kmeans_partial);
INSERT INTO edge_kmeans_partial VALUES
  (1, (SELECT kmeans_stats(f) FROM (SELECT ARRAY[count(*), count(DISTINCT event)]::float8[] f FROM edge_ev GROUP BY user_id) x)),
  (2, (SELECT kmeans_step(ARRAY[x, -x]::float8[], (SELECT v FROM edge_kmeans_model WHERE id = 4), NULL) FROM (VALUES (1e100::float8), (-1e100), (0)) v(x))),
  (3, (SELECT kmeans_seed_draw(ARRAY[x, -x]::float8[], NULL, -1, 64) FROM (VALUES (1e100::float8), (5e-324), (0)) v(x))),
  (4, '{"v":1,"kind":"draw","k":2,"dims":1,"n":5,"changed":0,"counts":[1,1],"s1":[-3.5,1.25],"s2":[0,0],"a":[[7],[8]],"b":[[0],[0]]}'),
  (5, '{"v":1,"kind":"potential","k":1,"dims":2,"n":5,"changed":0,"counts":[0],"s1":[1.7976931348623157e308],"s2":[0],"a":[[0,0]],"b":[[0,0]]}'),
  (6, '{"v":1,"kind":"lloyd","k":2,"dims":2,"n":9223372036854775807,"changed":1,"counts":[9223372036854775807,0],"s1":[1.7976931348623157e308,0],"s2":[0,0],"a":[[-1.7976931348623157e308,-0],[0,0]],"b":[[1e100,-1e100],[0,0]]}');
-- tables for kmeans_fit_distributed(relation, features, ...)
CREATE TABLE edge_kmeans_points (f float8[], g float8[], t text);
INSERT INTO edge_kmeans_points
  SELECT ARRAY[i % 7, i % 5]::float8[], ARRAY[i]::float8[], 'x' FROM generate_series(1, 50) i;
INSERT INTO edge_kmeans_points VALUES (NULL, NULL, NULL), ('{1e100,-1e100}', '{5e-324}', '');
CREATE TABLE edge_kmeans_empty (f float8[]);

CREATE TABLE edge_clv_model (id int PRIMARY KEY, v clv_model);
INSERT INTO edge_clv_model VALUES
  (1, '{"model": "bgnbd", "r": 0.25, "alpha": 4.8, "a": 0.72, "b": 2.2, "log_likelihood": -95368.4, "customers": 23570, "iterations": 24, "converged": true, "gradient": 4e-09}'),
  (2, '{"model": "gamma_gamma", "p": 6.3, "q": 3.6, "gamma": 15, "log_likelihood": -40763.5, "customers": 9450, "iterations": 15, "converged": true, "gradient": 0}'),
  (3, '{"model": "bgnbd", "r": 1e-300, "alpha": 1.7976931348623157e308, "a": 1, "b": 1e-300, "log_likelihood": 1e308, "customers": 9007199254740992, "iterations": 1000000, "converged": false, "gradient": 1e308}'),
  (4, '{"model": "gamma_gamma", "p": 1e-300, "q": 0.5, "gamma": 1e300, "log_likelihood": -1e-300, "customers": 1, "iterations": 0, "converged": false, "gradient": 0}');

CREATE TABLE edge_journey_markov_chain (id int PRIMARY KEY, v journey_markov_chain);
INSERT INTO edge_journey_markov_chain VALUES
  (1, (SELECT journey_markov_chain(c, v, r) FROM (VALUES ('{a,b}'::text[], true, 10::float8), ('{b}', false, NULL), ('{}', true, 1e-310)) t(c, v, r))),
  (2, (SELECT journey_markov_chain(c, true, 8.9884656743115785e307, 4) FROM (VALUES (ARRAY[repeat('x', 1024), E'\\"\u0001ü']), ('{a,a,a,a,a,a}')) t(c))),
  (3, (SELECT journey_markov_chain(c, v, 1, 3) FROM (VALUES (NULL::text[], true)) t(c, v))),
  (4, '{"version":1,"order":1,"paths":9223372036854775807,"conversions":9223372036854775807,"revenue":-1e-310,"channels":["a"],"transitions":[[0,1,9223372036854775807],[1,-1,9223372036854775807]]}');

INSERT INTO edge_vals (typ, ord, expr)
SELECT t::regtype, o, e FROM (VALUES
  ('boolean', ARRAY['true', 'false']),
  ('integer', ARRAY['1', '0', '-1', '2', '3', '7', '32', '33', '1000', '1001', '1024', '1025', '100000', '2147483647', '(-2147483648)']),
  ('bigint', ARRAY['1', '0', '-1', '9223372036854775807', '(-9223372036854775808)', '4294967296',
                   '((40::bigint << 32) | 4294967295)', '((33::bigint << 32) | 7)', '((3::bigint << 32) | 7)', '((3::bigint << 32) | 8)']),
  ('double precision', ARRAY['0.5', '0', '''-0''::float8', '1', '-1', '''NaN''::float8', '''Infinity''::float8', '''-Infinity''::float8',
                             '1e-310::float8', '1.7976931348623157e308::float8', '2']),
  ('text', ARRAY['''page_view''', '''''', '''week''', '''day''', '''month''', '''year''', '''hour''', '''rolling 30 days''', '''rolling 0 days''',
                 '''UTC''', '''America/Los_Angeles''', '''Nowhere/Invalid''', '''+14''', '''strict_order''',
                 '''strict_deduplication, strict_once''', '''allow_reentry, strict_increase''', '''bogus_mode''',
                 '''page_view .* purchase''', '''(?1).*(?2)''', '''(?1)(?t>1000000)(?2)''', '''(?9999999999)''', '''a|''',
                 'repeat(''(a|b)*'', 1000)', '''(page_view .* product_view){1000} x''', '''first_time''', '''recurring''', '''any''', '''on_or_after''', '''classic''',
                 'repeat(''x'', 1000000)', 'E''\\''', 'E''\t''', '''ü''', '''NULL''', '''{}''', '''[[[''']),
  ('text[]', ARRAY['''{page_view,purchase}''::text[]', '''{}''::text[]', '''{a}''::text[]', '''{NULL}''::text[]', '''{{a,b},{c,d}}''::text[]',
                   '''[0:1]={a,b}''::text[]', '''{"",""}''::text[]', 'array_fill(''x''::text, ARRAY[1025])',
                   '(SELECT array_agg(''e'' || g) FROM generate_series(1, 100000) g)']),
  ('boolean[]', ARRAY['''{t,f}''::bool[]', '''{}''::bool[]', '''{t}''::bool[]', '''{NULL}''::bool[]', '''{{t,f},{f,t}}''::bool[]',
                      '''[5:6]={t,f}''::bool[]', 'array_fill(true, ARRAY[33])', 'array_fill(true, ARRAY[1025])', 'array_fill(false, ARRAY[100000])']),
  ('integer[]', ARRAY['''{1}''::int[]', '''{}''::int[]', '''{0}''::int[]', '''{-1}''::int[]', '''{2147483647}''::int[]', '''{NULL}''::int[]',
                      '''{{1,2},{3,4}}''::int[]', '(SELECT array_agg(g) FROM generate_series(1, 100000) g)']),
  ('double precision[]', ARRAY['''{1,2}''::float8[]', '''{}''::float8[]', '''{1}''::float8[]', '''{NaN}''::float8[]', '''{Infinity,1}''::float8[]',
                               '''{1e-310}''::float8[]', '''{NULL}''::float8[]', '''{{1,2},{3,4}}''::float8[]', 'array_fill(1.0::float8, ARRAY[100000])',
                               '''{1.7976931348623157e308,-1.7976931348623157e308}''::float8[]']),
  ('timestamp with time zone', ARRAY['''2024-01-01 00:00:00+00''::timestamptz', '''infinity''::timestamptz', '''-infinity''::timestamptz',
                                     '''4713-01-01 00:00:00+00 BC''::timestamptz', '''294276-12-31 23:59:59.999999+00''::timestamptz',
                                     '''epoch''::timestamptz', '''2024-01-01 00:00:00.000001+00''::timestamptz']),
  ('timestamp without time zone', ARRAY['''2024-01-01 00:00:00''::timestamp', '''infinity''::timestamp', '''-infinity''::timestamp',
                                        '''4713-01-01 00:00:00 BC''::timestamp', '''294276-12-31 23:59:59.999999''::timestamp']),
  ('timestamp with time zone[]', ARRAY['''{2024-01-01,2024-01-02}''::timestamptz[]', '''{}''::timestamptz[]', '''{infinity}''::timestamptz[]',
                                       '''{NULL}''::timestamptz[]', '''{2024-01-01,NULL,2024-01-03}''::timestamptz[]',
                                       '''{{2024-01-01,2024-01-02},{2024-01-03,2024-01-04}}''::timestamptz[]',
                                       '''{"4713-01-01 00:00:00+00 BC","294276-12-31 23:59:59.999999+00"}''::timestamptz[]',
                                       'array_fill(''2024-01-01''::timestamptz, ARRAY[1025])',
                                       '(SELECT array_agg(timestamptz ''2024-01-01'' + ((g * 7919) % 100000) * interval ''1 second'') FROM generate_series(1, 100000) g)']),
  ('interval', ARRAY['''1 hour''::interval', '''0''::interval', '''-1 hour''::interval', '''1 microsecond''::interval', '''178000000 years''::interval',
                     '''-178000000 years''::interval', '''1 month''::interval', '''2147483647 days''::interval',
                     '''178000000 years 2147483647 days 2562047788 hours''::interval']),
  ('jsonb', ARRAY['''{}''::jsonb', '''null''::jsonb', '''[]''::jsonb', '''1''::jsonb', '''{"standardize": false}''::jsonb', '''{"seed": -1}''::jsonb',
                  '''{"seed": 1e30}''::jsonb', '''{"max_iter": 2147483647}''::jsonb', '''{"max_iter": -1}''::jsonb', '''{"tol": "NaN"}''::jsonb',
                  '''{"n_init": 1000000}''::jsonb', '''{"unknown_key": 1}''::jsonb', '''{"standardize": "yes"}''::jsonb',
                  '(SELECT (repeat(''['', 1000) || repeat('']'', 1000))::jsonb)']),
  ('bytea', ARRAY['''\x''::bytea', '''\x00''::bytea', '''\xdeadbeef''::bytea', 'decode(repeat(''ff'', 1000), ''hex'')']),
  ('cstring', ARRAY['''x''::cstring', '''''::cstring', '''{}''::cstring', '''garbage''::cstring', 'repeat(''9'', 100000)::cstring',
                    '''{"v":1}''::cstring', '''[]''::cstring']),
  ('oid', ARRAY['0::oid', '16::oid', '''journey''::regtype::oid', '4294967295::oid']),
  ('regclass', ARRAY['''edge_kmeans_points''::regclass', '''edge_kmeans_empty''::regclass', '''pg_class''::regclass', '0::regclass', '4294967295::regclass']),
  ('name', ARRAY['''f''::name', '''g''::name', '''t''::name', '''''::name', '''relname''::name', 'repeat(''x'', 100)::name']),
  ('"any"', ARRAY['true', 'false', '1', '''page_view''::text', '1.5::float8', '''2024-01-01''::timestamptz']),
  ('journey_channel_credit[]', ARRAY['''{"(a,1,1,1,1)"}''::journey_channel_credit[]', '''{}''::journey_channel_credit[]', '''{NULL}''::journey_channel_credit[]',
                                     '''{"(,,,,)"}''::journey_channel_credit[]', '''{"(a,NaN,1,1,1)","(b,0,0,0,0)"}''::journey_channel_credit[]',
                                     '''{{"(a,1,1,1,1)"},{"(b,1,1,1,1)"}}''::journey_channel_credit[]']),
  ('internal', ARRAY['NULL'])
) v(t, a), unnest(a) WITH ORDINALITY u(e, o);

-- the extension's own types: every stored edge value, and its text as cstring input
INSERT INTO edge_vals (typ, ord, expr)
SELECT t::regtype, id, format('(SELECT v FROM %I WHERE id = %s)', 'edge_' || t, id)
FROM (SELECT 'journey' t, id FROM edge_journey UNION ALL SELECT 'funnel_summary', id FROM edge_funnel_summary
      UNION ALL SELECT 'cohort_retention', id FROM edge_cohort_retention UNION ALL SELECT 'session_stats', id FROM edge_session_stats
      UNION ALL SELECT 'kmeans_model', id FROM edge_kmeans_model UNION ALL SELECT 'clv_model', id FROM edge_clv_model
      UNION ALL SELECT 'kmeans_partial', id FROM edge_kmeans_partial
      UNION ALL SELECT 'journey_markov_chain', id FROM edge_journey_markov_chain) x;
-- arrays of them: all the edge values, empty, {NULL}, 100,000 copies of one
INSERT INTO edge_vals (typ, ord, expr)
SELECT (t || '[]')::regtype, o, format(e, 'edge_' || t, t)
FROM unnest(ARRAY['journey', 'funnel_summary', 'cohort_retention', 'session_stats', 'kmeans_model', 'journey_markov_chain']) t,
     unnest(ARRAY['(SELECT array_agg(v ORDER BY id) FROM %I)', '''{}''::%s[]', '''{NULL}''::%s[]',
                  '(SELECT array_agg(v) FROM %I, generate_series(1, 100000) g WHERE id = 1)']) WITH ORDINALITY u(e, o)
WHERE to_regtype(t || '[]') IS NOT NULL;

INSERT INTO edge_vals (typ, ord, expr)
SELECT 'cstring', 100 + row_number() OVER (), format('(SELECT v::text FROM %I WHERE id = %s)::cstring', 'edge_' || t, id)
FROM (SELECT 'journey' t, id FROM edge_journey UNION ALL SELECT 'funnel_summary', id FROM edge_funnel_summary
      UNION ALL SELECT 'cohort_retention', id FROM edge_cohort_retention UNION ALL SELECT 'session_stats', id FROM edge_session_stats
      UNION ALL SELECT 'kmeans_model', id FROM edge_kmeans_model UNION ALL SELECT 'clv_model', id FROM edge_clv_model
      UNION ALL SELECT 'kmeans_partial', id FROM edge_kmeans_partial
      UNION ALL SELECT 'journey_markov_chain', id FROM edge_journey_markov_chain) x;

-- (timestamps, events) array pairs of equal length for the array forms
CREATE TABLE edge_pairs (ts_expr text, ev_expr text);
INSERT INTO edge_pairs VALUES
  ('''{}''::timestamptz[]', '''{}''::text[]'),
  ('''{2024-01-01,2024-01-01,2024-01-01}''::timestamptz[]', '''{checkout,add_to_cart,page_view}''::text[]'),
  ('''{2024-01-02,2024-01-01,NULL}''::timestamptz[]', '''{purchase,page_view,product_view}''::text[]'),
  ('''{2024-01-01,2024-01-02}''::timestamptz[]', '''{NULL,""}''::text[]'),
  ('''{infinity,-infinity}''::timestamptz[]', '''{page_view,purchase}''::text[]'),
  ('(SELECT array_agg(timestamptz ''2024-01-01'' + ((g * 7919) % 100000) * interval ''1 second'') FROM generate_series(1, 100000) g)',
   '(SELECT array_agg((ARRAY[''page_view'', ''product_view'', ''purchase''])[g % 3 + 1]) FROM generate_series(1, 100000) g)'),
  ('(SELECT array_agg(timestamptz ''2024-01-01'' + g * interval ''1 second'') FROM generate_series(1, 2000) g)',
   '(SELECT array_agg(''e'' || g) FROM generate_series(1, 2000) g)');

INSERT INTO edge_base VALUES
  ('period', '''week'''), ('tz', '''UTC'''), ('mode', '''strict_order'''), ('pattern', '''page_view .* purchase'''),
  ('cohorts', '''first_time'''), ('per', '''any'''), ('event', '''page_view'''), ('start_event', '''page_view'''),
  ('return_event', '''purchase'''), ('separator', ''' > '''), ('periods', '4'), ('k', '2'), ('k_min', '1'), ('k_max', '3'),
  ('n', '3'), ('position', '1'), ('seed', '1'), ('users', '3'), ('q', '0.5'), ('conversion_window', '''1 day''::interval'),
  ('gap', '''30 minutes''::interval'), ('max_length', '''1 day''::interval'), ('options', '''{}''::jsonb'),
  ('step_names', '''{page_view,purchase}''::text[]'), ('events', '''{page_view,purchase,page_view}''::text[]'),
  ('ts', NULL), ('times', NULL);

-- edge_calls(): one row per call: id, function, SQL.  Every argument position in
-- turn takes every edge value of its type (the others keep their typical value),
-- plus one call with typical values and one with every argument NULL; VARIADIC
-- "any" functions also get 0, 2, 33 and 1025 trailing arguments.
CREATE FUNCTION edge_calls() RETURNS TABLE (id bigint, fn text, sql text) LANGUAGE plpgsql AS $$
DECLARE
	p record;
	types regtype[];
	names text[];
	base text[];
	args text[];
	i int;
	v record;
	n bigint := 0;
	callf text;
	call text;
	rt text;
	k int;
BEGIN
	FOR p IN
		SELECT f.oid, f.proname, f.prokind, f.proretset, f.prorettype::regtype AS rettype, f.provariadic,
		       f.proargtypes::regtype[] AS argtypes, f.proargnames, f.pronargs, f.oid::regprocedure::text AS sig
		FROM pg_proc f JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = f.oid AND d.deptype = 'e'
		JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'journey'
		ORDER BY f.oid::regprocedure::text
	LOOP
		types := ARRAY(SELECT unnest(p.argtypes));	-- oidvector subscripts start at 0
		names := coalesce(p.proargnames[1:p.pronargs], array_fill(''::text, ARRAY[p.pronargs]));
		base := ARRAY[]::text[];
		FOR i IN 1 .. p.pronargs LOOP
			base := base || coalesce((SELECT b.expr FROM edge_base b WHERE b.argname = names[i]),
			                         (SELECT ev.expr FROM edge_vals ev WHERE ev.typ = types[i] ORDER BY ev.ord LIMIT 1),
			                         'NULL');
		END LOOP;
		-- the variants: 0 = typical, -1 = all NULL, (i, value) = argument i takes
		-- value, -2 = a (timestamptz[], text[]) pair of equal length, -100 - k =
		-- k trailing VARIADIC "any" arguments.  A function taking internal cannot
		-- be called from SQL at all (no value of type internal can be written):
		-- one call shows that PostgreSQL refuses it.
		FOR v IN
			SELECT 0 AS pos, NULL::text AS val
			UNION ALL SELECT -1, NULL WHERE NOT 'internal'::regtype = ANY (types)
			UNION ALL SELECT g, ev.expr FROM generate_series(1, p.pronargs) g JOIN edge_vals ev ON ev.typ = types[g]
			  WHERE NOT 'internal'::regtype = ANY (types)
			UNION ALL SELECT g, 'NULL' FROM generate_series(1, p.pronargs) g WHERE NOT 'internal'::regtype = ANY (types)
			UNION ALL SELECT -100 - kk, NULL FROM unnest(ARRAY[0, 2, 33, 90]) kk
			  WHERE p.provariadic = '"any"'::regtype AND NOT 'internal'::regtype = ANY (types)
			UNION ALL SELECT -2, pr.ts_expr || chr(30) || pr.ev_expr FROM edge_pairs pr
			  WHERE EXISTS (SELECT 1 FROM generate_series(1, p.pronargs - 1) g
			                WHERE types[g] = 'timestamptz[]'::regtype AND types[g + 1] = 'text[]'::regtype)
			    AND NOT 'internal'::regtype = ANY (types)
		LOOP
			args := base;
			IF v.pos = -2 THEN
				FOR i IN 1 .. p.pronargs - 1 LOOP
					IF types[i] = 'timestamptz[]'::regtype AND types[i + 1] = 'text[]'::regtype THEN
						args[i] := split_part(v.val, chr(30), 1);
						args[i + 1] := split_part(v.val, chr(30), 2);
					END IF;
				END LOOP;
			ELSIF v.pos = -1 THEN
				args := array_fill('NULL'::text, ARRAY[greatest(p.pronargs, 1)])::text[];
				IF p.pronargs = 0 THEN args := ARRAY[]::text[]; END IF;
			ELSIF v.pos > 0 THEN
				args[v.pos] := v.val;
			ELSIF v.pos <= -100 THEN
				k := -100 - v.pos;
				args := base[1:p.pronargs - 1];
				FOR i IN 1 .. k LOOP
					args := args || CASE WHEN i % 2 = 1 THEN 'true' ELSE 'false' END;
				END LOOP;
			END IF;
			-- every argument carries its declared type, so the call resolves to this
			-- very function (not an overload); "any" keeps the value's own type and
			-- internal stays an untyped NULL (no cast to internal exists)
			FOR i IN 1 .. least(coalesce(array_length(args, 1), 0), p.pronargs) LOOP
				IF types[i] NOT IN ('"any"'::regtype, 'internal'::regtype) AND v.pos > -100 THEN
					args[i] := format('(%s)::%s', args[i], types[i]);
				END IF;
			END LOOP;
			-- VARIADIC of a real array type: pass the array itself
			IF p.provariadic <> 0 AND p.provariadic <> '"any"'::regtype AND p.pronargs > 0 THEN
				args[p.pronargs] := 'VARIADIC ' || args[p.pronargs];
			END IF;
			callf := format('%I(%s)', p.proname, array_to_string(args, ', '));
			rt := p.rettype::text;
			IF p.prokind = 'a' THEN
				call := format('SELECT edge_roundtrip(r) FROM (SELECT %s AS r FROM generate_series(1, 3) g OFFSET 0) x', callf);
			ELSIF p.prokind = 'w' THEN
				call := format('SELECT count(*) FROM (SELECT %s OVER (ORDER BY g) AS r FROM generate_series(1, 3) g) x', callf);
			ELSIF p.proretset THEN
				call := format('SELECT count(*) FROM %s x', callf);
			ELSIF rt IN ('record', 'cstring', 'internal', 'bytea', 'boolean', 'integer', 'bigint') THEN
				call := format('SELECT (%s) IS NULL', callf);
			ELSE
				call := format('SELECT edge_roundtrip(r) FROM (SELECT %s AS r OFFSET 0) x', callf);
			END IF;
			n := n + 1;
			id := n; fn := p.sig; sql := call;
			RETURN NEXT;
		END LOOP;
	END LOOP;
END $$;

-- text round trip of a result: the printed form must read back to a value that prints the same
CREATE FUNCTION edge_roundtrip(anyelement) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	t text := $1::text;
	back text;
BEGIN
	IF t IS NULL THEN
		RETURN true;
	END IF;
	EXECUTE format('SELECT ($1::%s)::text', pg_typeof($1)) INTO back USING t;
	IF back IS DISTINCT FROM t THEN
		RAISE EXCEPTION 'EDGE ROUND TRIP MISMATCH for type %', pg_typeof($1)
			USING DETAIL = format('printed %s, read back as %s', left(t, 200), left(back, 200));
	END IF;
	RETURN true;
END $$;
