-- sessionize: split each partition's events into sessions by inactivity.
-- New session when the gap to the previous event is strictly greater than
-- gap, when the session would exceed max_length, or when split is true.
#include "jy_sqldefs.h"

JY_SESSIONIZE(timestamptz)

JY_SESSIONIZE(timestamp)

JY_SESSION_START(timestamptz)

JY_SESSION_START(timestamp)

CREATE FUNCTION session_key(user_key text, session_start timestamptz)
RETURNS uuid
AS 'MODULE_PATHNAME', 'jy_session_key_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION session_key(user_key bigint, session_start timestamptz)
RETURNS uuid
AS 'MODULE_PATHNAME', 'jy_session_key_int8'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION sessionize(timestamptz, interval, interval, boolean) IS
'window function: session number (1, 2, ...) of the row within its partition; a new session starts when the gap to the previous event is > gap, the session would exceed max_length, or split is true; NULL ts gives NULL';
COMMENT ON FUNCTION sessionize(timestamp, interval, interval, boolean) IS
'window function: session number (1, 2, ...) of the row within its partition; a new session starts when the gap to the previous event is > gap, the session would exceed max_length, or split is true; NULL ts gives NULL';
COMMENT ON FUNCTION session_start(timestamptz, interval, interval, boolean) IS
'window function: timestamp of the first event of the row''s session (same rules as sessionize)';
COMMENT ON FUNCTION session_start(timestamp, interval, interval, boolean) IS
'window function: timestamp of the first event of the row''s session (same rules as sessionize)';
COMMENT ON FUNCTION session_key(text, timestamptz) IS
'deterministic session id (name-based uuid, version 3) from the user key and the session''s first timestamp: stable across incremental loads';
COMMENT ON FUNCTION session_key(bigint, timestamptz) IS
'deterministic session id (name-based uuid, version 3) from the user key and the session''s first timestamp; equals session_key(user_key::text, session_start)';
