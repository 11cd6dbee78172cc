-- identity stitching: journey_identity_stitch / _refused / _merge, journey_sample_identities
CREATE TABLE id_links (kind_a text, id_a text, kind_b text, id_b text, ts timestamptz);
INSERT INTO id_links VALUES
  ('anonymous_id', 'c1', 'user_id', 'alice', '2024-01-01 10:00+00'),  -- laptop login
  ('anonymous_id', 'c2', 'user_id', 'alice', '2024-01-02 10:00+00'),  -- phone login
  ('user_id', 'alice', 'email_hash', 'e-a', '2024-01-01 10:00+00'),
  ('anonymous_id', 'c3', 'user_id', 'bob', '2024-01-03 10:00+00'),
  ('anonymous_id', 'c3', 'user_id', 'carol', '2024-01-04 10:00+00'), -- shared device
  ('anonymous_id', 'c4', NULL, NULL, NULL),                          -- an identifier on its own
  ('device_id', 'd9', 'anonymous_id', 'c2', NULL);
-- no priority: best = smallest (kind, identifier) in byte order
SELECT * FROM journey_identity_stitch('SELECT * FROM id_links') ORDER BY person_id, kind, identifier;
-- priority: user_id, then email_hash; same links in another order, same answer
SELECT * FROM journey_identity_stitch('SELECT * FROM id_links ORDER BY id_b DESC NULLS FIRST', '{user_id,email_hash}')
ORDER BY person_id, kind, identifier;
-- without a time column
SELECT count(DISTINCT person_id) FROM journey_identity_stitch('SELECT kind_a, id_a, kind_b, id_b FROM id_links');
-- guard rail: at most one user_id per person; the later link of the shared device is refused
SELECT * FROM journey_identity_stitch('SELECT * FROM id_links', '{user_id,email_hash}', '{1,NULL}')
ORDER BY person_id, kind, identifier;
SELECT * FROM journey_identity_refused('SELECT * FROM id_links', '{user_id,email_hash}', '{1,NULL}');
-- no limits: nothing refused
SELECT count(*) FROM journey_identity_refused('SELECT * FROM id_links', '{user_id}');
-- incremental: yesterday's persons + today's links -> only new and changed identifiers
CREATE TABLE id_persons AS SELECT * FROM journey_identity_stitch('SELECT * FROM id_links', '{user_id,email_hash}', '{1,NULL}');
SELECT * FROM journey_identity_merge('SELECT * FROM id_persons',
  $$VALUES ('anonymous_id', 'c4', 'email_hash', 'e-a', timestamptz '2024-02-01'),
           ('anonymous_id', 'c5', 'anonymous_id', 'c6', NULL)$$, '{user_id,email_hash}', '{1,NULL}')
ORDER BY kind, identifier;
-- a merge that the guard rail refuses changes nothing
SELECT * FROM journey_identity_merge('SELECT * FROM id_persons',
  $$VALUES ('anonymous_id', 'c1', 'anonymous_id', 'c3', timestamptz '2024-02-01')$$, '{user_id,email_hash}', '{1,NULL}');
-- ... without the guard rail the two persons merge into the better id
SELECT * FROM journey_identity_merge('SELECT * FROM id_persons',
  $$VALUES ('anonymous_id', 'c1', 'anonymous_id', 'c3', timestamptz '2024-02-01')$$, '{user_id,email_hash}')
ORDER BY kind, identifier;
-- empty input, varchar and name columns
SELECT count(*) FROM journey_identity_stitch('SELECT * FROM id_links WHERE false');
SELECT * FROM journey_identity_stitch($$SELECT 'a'::varchar, 'x'::varchar, 'b'::name, 'y'::name$$);
SELECT * FROM journey_identity_stitch($$SELECT 'a'::char(3), 'x'::char(4), 'a', 'x'$$);
-- sample data: logins of further devices, e-mail hashes, a shared QA account
SELECT * FROM journey_sample_identities(12);
SELECT person_kind, count(*) AS identifiers, count(DISTINCT person_id) AS persons
FROM journey_identity_stitch('SELECT * FROM journey_sample_identities(3000)', '{user_id,email_hash,anonymous_id}', '{1,1,NULL}')
GROUP BY 1 ORDER BY 1;
SELECT limit_kind, count(*) FROM journey_identity_refused('SELECT * FROM journey_sample_identities(3000)',
  '{user_id,email_hash,anonymous_id}', '{1,1,NULL}') GROUP BY 1;
-- errors
\set VERBOSITY terse
SELECT * FROM journey_identity_stitch(NULL);
SELECT * FROM journey_identity_stitch('SELECT 1');
SELECT * FROM journey_identity_stitch('SELECT 1, 2, 3, 4');
SELECT * FROM journey_identity_stitch($$SELECT 'a', 'b', 'c', 'd', 5$$);
SELECT * FROM journey_identity_stitch($$SELECT 'a', 'b', 'c', 'd', now(), 6$$);
SELECT * FROM journey_identity_stitch('SELEC 1');
SELECT * FROM journey_identity_stitch('CREATE TABLE id_x (a int)');
SELECT * FROM journey_identity_stitch($$INSERT INTO id_links VALUES ('a','b','c','d') RETURNING kind_a, id_a, kind_b, id_b$$);
SELECT * FROM journey_identity_stitch($$SELECT 'a', NULL, 'c', 'd'$$);
SELECT * FROM journey_identity_stitch($$SELECT repeat('k', 64), 'x', 'k', 'y'$$);
SELECT * FROM journey_identity_stitch($$SELECT 'k', repeat('x', 4097), 'k', 'y'$$);
SELECT count(*) FROM journey_identity_stitch($$SELECT 'k' || g, 'x', 'k', 'y' FROM generate_series(1, 70) g$$);
SELECT * FROM journey_identity_stitch('SELECT * FROM id_links', '{user_id,NULL}');
SELECT * FROM journey_identity_stitch('SELECT * FROM id_links', '{user_id,user_id}');
SELECT * FROM journey_identity_stitch('SELECT * FROM id_links', '{{user_id},{email_hash}}');
SELECT * FROM journey_identity_stitch('SELECT * FROM id_links', '{user_id}', '{1,2}');
SELECT * FROM journey_identity_stitch('SELECT * FROM id_links', NULL, '{1}');
SELECT * FROM journey_identity_stitch('SELECT * FROM id_links', '{user_id}', '{0}');
SELECT * FROM journey_identity_stitch('SELECT * FROM id_links', ARRAY[repeat('k', 64)]);
SELECT * FROM journey_identity_merge('SELECT * FROM id_persons', NULL);
SELECT * FROM journey_identity_merge(NULL, 'SELECT * FROM id_links');
SELECT * FROM journey_identity_merge('SELECT kind, identifier, person_kind, person_id, 1 FROM id_persons', 'SELECT * FROM id_links');
SELECT * FROM journey_identity_merge($$SELECT 'a', 'x', 'a', 'x' UNION ALL SELECT 'a', 'x', 'a', 'y'$$, 'SELECT * FROM id_links WHERE false');
SELECT * FROM journey_identity_merge($$SELECT 'a', 'x', NULL, NULL$$, 'SELECT * FROM id_links WHERE false');
SELECT * FROM journey_sample_identities(-1);
SELECT * FROM journey_sample_identities(NULL);
\set VERBOSITY default
DROP TABLE id_links, id_persons;
