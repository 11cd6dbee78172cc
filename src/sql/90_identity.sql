-- Identity stitching: connected components over identifier links (doc/identity.md).
CREATE FUNCTION journey_identity_stitch(links text, priority text[] DEFAULT NULL, max_per_person integer[] DEFAULT NULL)
RETURNS TABLE (kind text, identifier text, person_kind text, person_id text)
AS 'MODULE_PATHNAME', 'jy_identity_stitch'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED
ROWS 100000;

COMMENT ON FUNCTION journey_identity_stitch(text, text[], integer[]) IS
'identity stitching: runs the links query (kind_a, id_a, kind_b, id_b [, ts timestamptz]) read-only and returns every identifier with its person (the best identifier of its connected component: priority order of kinds, then kind name, then identifier bytes); max_per_person[i] limits identifiers of kind priority[i] per person, refusing the links (in time order) that would exceed it';

CREATE FUNCTION journey_identity_refused(links text, priority text[] DEFAULT NULL, max_per_person integer[] DEFAULT NULL)
RETURNS TABLE (kind_a text, id_a text, kind_b text, id_b text, ts timestamptz, link_number bigint, limit_kind text, max_per_person integer)
AS 'MODULE_PATHNAME', 'jy_identity_refused'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED
ROWS 100;

COMMENT ON FUNCTION journey_identity_refused(text, text[], integer[]) IS
'the links journey_identity_stitch refuses with the same arguments (a union that would give a person more than max_per_person identifiers of a kind): the link, its 1-based row number in the links query and the kind whose limit it would exceed';

CREATE FUNCTION journey_identity_merge(persons text, links text, priority text[] DEFAULT NULL, max_per_person integer[] DEFAULT NULL)
RETURNS TABLE (kind text, identifier text, person_kind text, person_id text, previous_person_kind text, previous_person_id text)
AS 'MODULE_PATHNAME', 'jy_identity_merge'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED
ROWS 1000;

COMMENT ON FUNCTION journey_identity_merge(text, text, text[], integer[]) IS
'incremental identity stitching: persons query (kind, identifier, person_kind, person_id) = the existing mapping (at least every row of the persons a new link touches), links query = the new batch; returns only identifiers that are new (previous person NULL) or whose person changed (persons merged)';

CREATE FUNCTION journey_sample_identities(users integer, seed integer DEFAULT 1)
RETURNS TABLE (kind_a text, id_a text, kind_b text, id_b text, ts timestamptz)
AS 'MODULE_PATHNAME', 'jy_sample_identities'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
ROWS 1000;

COMMENT ON FUNCTION journey_sample_identities(integer, integer) IS
'identifier links for journey_sample_events(users, seed): logins (anonymous_id = the sample user_id as text -> user_id account), e-mail hashes of accounts, and a shared QA account; about a quarter of sample users are a further device of the previous user''s account';
