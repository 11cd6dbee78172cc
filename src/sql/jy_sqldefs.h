#if 0
jy_sqldefs.h: the declaration shapes that src/sql/NN_<cap>.sql repeat, written once.

make builds journey--<version>.sql from the fragments with the C preprocessor in
traditional mode, the way PostGIS builds postgis.sql from postgis.sql.in (Makefile,
$(DATA_built)):

    cpp -traditional-cpp -undef -nostdinc -P -w src/sql/NN_cap.sql | sed -f src/sql/jy_sqlpp.sed

Traditional mode leaves the SQL as it is (quotes, apostrophes in -- comments, spacing,
blank lines), and -undef keeps words such as linux or unix from being replaced.  What
cpp cannot do is left to the sed step, with two markers; the character # appears
nowhere else in the SQL (make fails when one is left in the output):

  - #Name# in a macro body: the argument Name without the blanks around it.  A
    traditional cpp keeps the blanks of an argument (in "f(a, b)" the second one is
    " b") and does not paste inside quotes: #Type#_in gives session_stats_in,
    'jy_#Type#_in' gives 'jy_session_stats_in'.  A macro that calls another passes its
    parameters bare (Type, not #Type#): the inner body trims them.
  - #NL# in a macro body: a line break (an expansion is one line).  The blanks before
    it go; what follows it (the next line's indentation) stays.

A fragment using a macro has the line #include "jy_sqldefs.h" after its first comment.
Directives print nothing, and this header holds only directives: its documentation is
in #if 0 blocks, because any other line of it (a blank line, a C comment) would print
as an empty line in every fragment that includes it.

A call may span several lines: the output has the lines of the macro body, whatever the
layout of the call.  An argument may hold commas and parentheses inside '...' (a
COMMENT text) and balanced parentheses outside them; no -- comment inside a call (an
apostrophe in it would open a quote).  Macros are for a repeated shape
only: each object's name, arguments and comment stay written where it is declared.
#endif
#if 0

---- varlena types -------------------------------------------------------------------

JY_VARLENA_IO(Type, Csym): the four I/O functions of the varlena type Type, in C as
Csym_in, Csym_out, Csym_recv, Csym_send (8 lines):
    CREATE FUNCTION Type_in(cstring) RETURNS Type
    AS 'MODULE_PATHNAME', 'Csym_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
and likewise Type_out(Type) RETURNS cstring, Type_recv(internal) RETURNS Type,
Type_send(Type) RETURNS bytea.
#endif
#define JY_VARLENA_IO(Type, Csym) \
CREATE FUNCTION #Type#_in(cstring) RETURNS #Type##NL#\
AS 'MODULE_PATHNAME', '#Csym#_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;#NL#\
CREATE FUNCTION #Type#_out(#Type#) RETURNS cstring#NL#\
AS 'MODULE_PATHNAME', '#Csym#_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;#NL#\
CREATE FUNCTION #Type#_recv(internal) RETURNS #Type##NL#\
AS 'MODULE_PATHNAME', '#Csym#_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;#NL#\
CREATE FUNCTION #Type#_send(#Type#) RETURNS bytea#NL#\
AS 'MODULE_PATHNAME', '#Csym#_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
#if 0
JY_VARLENA_TYPE(Type, Csym, Align): a varlena type after its shell (CREATE TYPE Type;):
JY_VARLENA_IO(Type, Csym), an empty line, then
    CREATE TYPE Type (
        INPUT = Type_in,
        OUTPUT = Type_out,
        RECEIVE = Type_recv,
        SEND = Type_send,
        INTERNALLENGTH = VARIABLE,
        ALIGNMENT = Align,
        STORAGE = extended
    );
Align: double when the value holds float8 or int64 fields, else int4.
#endif
#define JY_VARLENA_TYPE(Type, Csym, Align) \
JY_VARLENA_IO(Type, Csym)#NL#\
#NL#\
CREATE TYPE #Type# (#NL#\
    INPUT = #Type#_in,#NL#\
    OUTPUT = #Type#_out,#NL#\
    RECEIVE = #Type#_recv,#NL#\
    SEND = #Type#_send,#NL#\
    INTERNALLENGTH = VARIABLE,#NL#\
    ALIGNMENT = #Align#,#NL#\
    STORAGE = extended#NL#\
);
#if 0
JY_VARLENA_IO_COMMENTS(Type, Cin, Cout, Crecv, Csend): COMMENT ON FUNCTION of the four
I/O functions, one a line (COMMENT ON FUNCTION Type_in(cstring) IS Cin; ...).  Cin ..
Csend are the comment literals, quotes included.
#endif
#define JY_VARLENA_IO_COMMENTS(Type, Cin, Cout, Crecv, Csend) \
COMMENT ON FUNCTION #Type#_in(cstring) IS #Cin#;#NL#\
COMMENT ON FUNCTION #Type#_out(#Type#) IS #Cout#;#NL#\
COMMENT ON FUNCTION #Type#_recv(internal) IS #Crecv#;#NL#\
COMMENT ON FUNCTION #Type#_send(#Type#) IS #Csend#;
#if 0
---- aggregates with an internal state --------------------------------------------------

JY_AGG_STATE_FUNCS(Prefix, Csym): the combine, serialize and deserialize functions of an
internal aggregate state, in C as Csym_combine, Csym_serial, Csym_deserial (6 lines):
    CREATE FUNCTION Prefix_combine(internal, internal) RETURNS internal     (not STRICT)
    CREATE FUNCTION Prefix_serial(internal) RETURNS bytea                   STRICT
    CREATE FUNCTION Prefix_deserial(bytea, internal) RETURNS internal       STRICT
each followed by its line AS 'MODULE_PATHNAME', 'Csym_...' LANGUAGE C ... PARALLEL SAFE;
#endif
#define JY_AGG_STATE_FUNCS(Prefix, Csym) \
CREATE FUNCTION #Prefix#_combine(internal, internal) RETURNS internal#NL#\
AS 'MODULE_PATHNAME', '#Csym#_combine' LANGUAGE C PARALLEL SAFE;#NL#\
CREATE FUNCTION #Prefix#_serial(internal) RETURNS bytea#NL#\
AS 'MODULE_PATHNAME', '#Csym#_serial' LANGUAGE C STRICT PARALLEL SAFE;#NL#\
CREATE FUNCTION #Prefix#_deserial(bytea, internal) RETURNS internal#NL#\
AS 'MODULE_PATHNAME', '#Csym#_deserial' LANGUAGE C STRICT PARALLEL SAFE;
#if 0
JY_AGG_STATE_COMMENTS(Prefix, Ccombine, Cserial, Cdeserial): COMMENT ON FUNCTION of the
three functions of JY_AGG_STATE_FUNCS, one a line; the comments are literals.
#endif
#define JY_AGG_STATE_COMMENTS(Prefix, Ccombine, Cserial, Cdeserial) \
COMMENT ON FUNCTION #Prefix#_combine(internal, internal) IS #Ccombine#;#NL#\
COMMENT ON FUNCTION #Prefix#_serial(internal) IS #Cserial#;#NL#\
COMMENT ON FUNCTION #Prefix#_deserial(bytea, internal) IS #Cdeserial#;
#if 0
JY_AGG_PARALLEL(Final, Modify, Prefix): the options that follow SFUNC, STYPE and SSPACE
in a parallel aggregate whose state functions are JY_AGG_STATE_FUNCS(Prefix, ...).  The
call stands, indented, on the option lines:
    CREATE AGGREGATE name(args) (
        SFUNC = name_trans, STYPE = internal, SSPACE = 256,
        JY_AGG_PARALLEL(name_final, SHAREABLE, name)
    );
and gives
        FINALFUNC = name_final, FINALFUNC_MODIFY = SHAREABLE,
        COMBINEFUNC = name_combine,
        SERIALFUNC = name_serial, DESERIALFUNC = name_deserial,
        PARALLEL = SAFE
Modify: SHAREABLE when the final function leaves the state as it found it, READ_ONLY
when it only sorts or caches (what a window aggregate needs: it may call it again).
JY_AGG_PARALLEL_PACKED: the same with COMBINEFUNC, SERIALFUNC and DESERIALFUNC on one
line (the layout of 30_funnel.sql).
#endif
#define JY_AGG_PARALLEL(Final, Modify, Prefix) \
FINALFUNC = #Final#, FINALFUNC_MODIFY = #Modify#,#NL#\
    COMBINEFUNC = #Prefix#_combine,#NL#\
    SERIALFUNC = #Prefix#_serial, DESERIALFUNC = #Prefix#_deserial,#NL#\
    PARALLEL = SAFE
#define JY_AGG_PARALLEL_PACKED(Final, Modify, Prefix) \
FINALFUNC = #Final#, FINALFUNC_MODIFY = #Modify#,#NL#\
    COMBINEFUNC = #Prefix#_combine, SERIALFUNC = #Prefix#_serial, DESERIALFUNC = #Prefix#_deserial,#NL#\
    PARALLEL = SAFE
#if 0
---- aggregates over a varlena state ----------------------------------------------------

JY_AGG_MERGEABLE(Sfunc, Stype, Combine): the options of an aggregate whose state is a
varlena value (rollup() of a summary type, the kmeans_partial passes), no final function,
Combine merging two states; stands, indented, on the option lines like JY_AGG_PARALLEL:
        SFUNC = Sfunc, STYPE = Stype,
        COMBINEFUNC = Combine,
        PARALLEL = SAFE
#endif
#define JY_AGG_MERGEABLE(Sfunc, Stype, Combine) \
SFUNC = #Sfunc#, STYPE = #Stype#,#NL#\
    COMBINEFUNC = #Combine#,#NL#\
    PARALLEL = SAFE
#if 0

JY_AGG_MERGEABLE_LINES(Sfunc, Stype, Combine): the first three options of JY_AGG_MERGEABLE
one a line, without the comma after the last (95_attribution.sql: the call is followed by
", FINALFUNC = ..." or by ", PARALLEL = SAFE"):
        SFUNC = Sfunc,
        STYPE = Stype,
        COMBINEFUNC = Combine
#endif
#define JY_AGG_MERGEABLE_LINES(Sfunc, Stype, Combine) \
SFUNC = #Sfunc#,#NL#\
    STYPE = #Stype#,#NL#\
    COMBINEFUNC = #Combine#
#if 0

JY_AGG_NO_COMBINE(Sfunc, Final): the options of an aggregate with an internal state and no
combine function (the whole group goes to one process: the model fits of 85_clv.sql),
standing, indented, on the option lines:
        SFUNC = Sfunc, STYPE = internal, FINALFUNC = Final,
        FINALFUNC_MODIFY = READ_ONLY, PARALLEL = SAFE
#endif
#define JY_AGG_NO_COMBINE(Sfunc, Final) \
SFUNC = #Sfunc#, STYPE = internal, FINALFUNC = #Final#,#NL#\
    FINALFUNC_MODIFY = READ_ONLY, PARALLEL = SAFE
#if 0

JY_ROLLUP(Type): the aggregate rollup(Type) of a summary type, merging with Type_merge:
    CREATE AGGREGATE rollup(Type) (
        SFUNC = Type_merge, STYPE = Type,
        COMBINEFUNC = Type_merge,
        PARALLEL = SAFE
    );
#endif
#define JY_ROLLUP(Type) \
CREATE AGGREGATE rollup(#Type#) (#NL#\
    SFUNC = #Type#_merge, STYPE = #Type#,#NL#\
    COMBINEFUNC = #Type#_merge,#NL#\
    PARALLEL = SAFE#NL#\
);
#if 0

---- overload families over timestamptz and timestamp ----------------------------------

A family declared again, the same, for timestamp without time zone (the wall-clock forms)
is one macro with the timestamp type Ts as its parameter: the fragment calls it once per
type.  The names, arguments and options are in the macro; the comments, which differ
between the two types, stay in the fragment.

JY_COHORT_RETENTION_TRANS(Name, Ts): the four transition functions of cohort_retention
over Ts, in C as jy_Name (40_retention.sql: cohort_retention_trans for timestamptz,
cohort_retention_naive_trans for timestamp):
    CREATE FUNCTION Name(internal, Ts, text, integer) RETURNS internal           IMMUTABLE
    CREATE FUNCTION Name(internal, Ts, text, integer, text) RETURNS internal
    CREATE FUNCTION Name(internal, Ts, boolean, boolean, text, integer, text) RETURNS internal
    CREATE FUNCTION Name(internal, Ts, boolean, boolean, text, integer, text, text) RETURNS internal
each followed by its line AS 'MODULE_PATHNAME', 'jy_Name' LANGUAGE C ... PARALLEL SAFE;
(the forms with a time zone argument are not IMMUTABLE: they read the time zone database).
#endif
#define JY_COHORT_RETENTION_TRANS(Name, Ts) \
CREATE FUNCTION #Name#(internal, #Ts#, text, integer) RETURNS internal#NL#\
AS 'MODULE_PATHNAME', 'jy_#Name#' LANGUAGE C IMMUTABLE PARALLEL SAFE;#NL#\
CREATE FUNCTION #Name#(internal, #Ts#, text, integer, text) RETURNS internal#NL#\
AS 'MODULE_PATHNAME', 'jy_#Name#' LANGUAGE C PARALLEL SAFE;#NL#\
CREATE FUNCTION #Name#(internal, #Ts#, boolean, boolean, text, integer, text) RETURNS internal#NL#\
AS 'MODULE_PATHNAME', 'jy_#Name#' LANGUAGE C PARALLEL SAFE;#NL#\
CREATE FUNCTION #Name#(internal, #Ts#, boolean, boolean, text, integer, text, text) RETURNS internal#NL#\
AS 'MODULE_PATHNAME', 'jy_#Name#' LANGUAGE C PARALLEL SAFE;
#if 0

JY_COHORT_RETENTION_AGGS(Ts, Sfunc): the four cohort_retention aggregates over Ts with the
transition function Sfunc (declared by JY_COHORT_RETENTION_TRANS) and the shared final and
state functions (JY_AGG_PARALLEL(cohort_retention_final, SHAREABLE, cohort_retention)):
    CREATE AGGREGATE cohort_retention(ts Ts, period text, periods integer) (
        SFUNC = Sfunc, STYPE = internal, SSPACE = 104,
        JY_AGG_PARALLEL(cohort_retention_final, SHAREABLE, cohort_retention)
    );
and likewise (ts Ts, period text, periods integer, tz text), (ts Ts, is_start boolean,
is_return boolean, period text, periods integer, tz text) and the same with cohorts text.
#endif
#define JY_COHORT_RETENTION_AGGS(Ts, Sfunc) \
CREATE AGGREGATE cohort_retention(ts #Ts#, period text, periods integer) (#NL#\
    SFUNC = #Sfunc#, STYPE = internal, SSPACE = 104,#NL#\
    JY_AGG_PARALLEL(cohort_retention_final, SHAREABLE, cohort_retention)#NL#\
);#NL#\
CREATE AGGREGATE cohort_retention(ts #Ts#, period text, periods integer, tz text) (#NL#\
    SFUNC = #Sfunc#, STYPE = internal, SSPACE = 104,#NL#\
    JY_AGG_PARALLEL(cohort_retention_final, SHAREABLE, cohort_retention)#NL#\
);#NL#\
CREATE AGGREGATE cohort_retention(ts #Ts#, is_start boolean, is_return boolean,#NL#\
                                  period text, periods integer, tz text) (#NL#\
    SFUNC = #Sfunc#, STYPE = internal, SSPACE = 104,#NL#\
    JY_AGG_PARALLEL(cohort_retention_final, SHAREABLE, cohort_retention)#NL#\
);#NL#\
CREATE AGGREGATE cohort_retention(ts #Ts#, is_start boolean, is_return boolean,#NL#\
                                  period text, periods integer, tz text, cohorts text) (#NL#\
    SFUNC = #Sfunc#, STYPE = internal, SSPACE = 104,#NL#\
    JY_AGG_PARALLEL(cohort_retention_final, SHAREABLE, cohort_retention)#NL#\
);
#if 0

JY_SESSIONIZE(Ts), JY_SESSION_START(Ts): the window functions sessionize and session_start
over Ts (20_sessionize.sql), in C as jy_sessionize_window and jy_session_start_window:
    CREATE FUNCTION sessionize(ts Ts, gap interval DEFAULT '30 minutes',
                               max_length interval DEFAULT NULL, split boolean DEFAULT NULL)
    RETURNS bigint
    AS 'MODULE_PATHNAME', 'jy_sessionize_window'
    LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
and the same for session_start, which RETURNS Ts.
#endif
#define JY_SESSIONIZE(Ts) \
CREATE FUNCTION sessionize(ts #Ts#, gap interval DEFAULT '30 minutes',#NL#\
                           max_length interval DEFAULT NULL, split boolean DEFAULT NULL)#NL#\
RETURNS bigint#NL#\
AS 'MODULE_PATHNAME', 'jy_sessionize_window'#NL#\
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
#define JY_SESSION_START(Ts) \
CREATE FUNCTION session_start(ts #Ts#, gap interval DEFAULT '30 minutes',#NL#\
                              max_length interval DEFAULT NULL, split boolean DEFAULT NULL)#NL#\
RETURNS #Ts##NL#\
AS 'MODULE_PATHNAME', 'jy_session_start_window'#NL#\
LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;
#if 0

JY_RETENTION_SUMMARY_AGG(User, Ts): one retention_summary aggregate (40_retention.sql), for
user ids of type User and timestamps of type Ts; the overloads share the transition
function name retention_summary_trans (one C function per (User, Ts), declared in the
fragment) and the final and state functions:
    CREATE AGGREGATE retention_summary(user_id User, ts Ts, period text, periods integer, tz text) (
        SFUNC = retention_summary_trans, STYPE = internal,
        JY_AGG_PARALLEL(retention_summary_final, READ_ONLY, retention_summary)
    );
#endif
#define JY_RETENTION_SUMMARY_AGG(User, Ts) \
CREATE AGGREGATE retention_summary(user_id #User#, ts #Ts#, period text, periods integer, tz text) (#NL#\
    SFUNC = retention_summary_trans, STYPE = internal,#NL#\
    JY_AGG_PARALLEL(retention_summary_final, READ_ONLY, retention_summary)#NL#\
);
#if 0

---- casts ------------------------------------------------------------------------------

JY_JSONB_CAST(Type, Comment): the cast of Type to jsonb through the function Type_to_jsonb(Type)
declared just before, with the function's comment (a literal) and the cast's:
    COMMENT ON FUNCTION Type_to_jsonb(Type) IS
    Comment;
    CREATE CAST (Type AS jsonb) WITH FUNCTION Type_to_jsonb(Type);
    COMMENT ON CAST (Type AS jsonb) IS 'Type as jsonb (see Type_to_jsonb)';
#endif
#define JY_JSONB_CAST(Type, Comment) \
COMMENT ON FUNCTION #Type#_to_jsonb(#Type#) IS#NL#\
#Comment#;#NL#\
CREATE CAST (#Type# AS jsonb) WITH FUNCTION #Type#_to_jsonb(#Type#);#NL#\
COMMENT ON CAST (#Type# AS jsonb) IS '#Type# as jsonb (see #Type#_to_jsonb)';
