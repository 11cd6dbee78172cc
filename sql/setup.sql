-- Creates the extension for every later test file (pg_regress runs this first).
CREATE EXTENSION journey;
SELECT extname, extversion FROM pg_extension WHERE extname = 'journey';
-- every function of the extension carries a comment
SELECT p.oid::regprocedure AS undocumented
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'journey'
WHERE obj_description(p.oid, 'pg_proc') IS NULL
ORDER BY 1;
-- no SECURITY DEFINER functions; C functions are never VOLATILE by accident
SELECT p.oid::regprocedure AS secdef
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'journey'
WHERE p.prosecdef;
-- every function is PARALLEL SAFE, except the identity functions and kmeans_fit_distributed that run the caller's
-- query through SPI (it may read temporary tables): PARALLEL RESTRICTED, and only those
SELECT p.oid::regprocedure AS not_parallel_safe
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'journey'
WHERE p.proparallel <> 's'
  AND NOT (p.proparallel = 'r' AND p.proname IN ('journey_identity_stitch', 'journey_identity_refused', 'journey_identity_merge', 'kmeans_fit_distributed'))
ORDER BY 1;
-- (the extension is trusted: a role without superuser installs it; checked in test/t/09_superuser.pl,
-- which needs a superuser to create the role; this file runs as any database owner)
