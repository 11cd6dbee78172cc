/*
 * jy_sqldefs.h: the declaration shapes that src/sql/NN_<cap>.sql repeat, written once.
 *
 * make builds journey--<version>.sql from the fragments through the C preprocessor in
 * traditional mode, as PostGIS builds postgis.sql from postgis.sql.in:
 *
 *     cpp -traditional-cpp -undef -nostdinc -P -w -I src/sql <fragment> | sed -f src/sql/jy_sqlpp.sed
 *
 * Traditional mode leaves SQL as it is (quotes, apostrophes in -- comments, spacing);
 * -undef keeps words such as "linux" or "unix" from being replaced.  Two things cpp
 * cannot do are left to the sed step, with two markers (the character # appears nowhere
 * else in the SQL, and make fails when one survives):
 *
 *   #Name#   the argument Name with the blanks around it removed.  A traditional cpp
 *            keeps the blanks of an argument ("f(a, b)" gives b as " b") and does not
 *            paste inside quotes, so every argument in a body is written #Name#:
 *            #Type#_in  gives session_stats_in, '#Csym#_in' gives 'jy_session_stats_in'.
 *   #NL#     a line break (an expansion is one line); the blanks before it go, what
 *            follows it (the next line's indentation) stays.
 *
 * A fragment that uses a macro starts with #include "jy_sqldefs.h" in place of a blank
 * line (a directive prints as an empty line).  A macro calling another passes its
 * parameters bare (Type, not #Type#): the inner body trims them.  A call may span several lines: its line
 * breaks are not kept; the output has exactly the lines of the macro body.  An argument
 * may hold commas and parentheses inside '...' (a COMMENT text), and balanced
 * parentheses outside them (an argument list).  Macros are only for a repeated shape:
 * each object's name, argument list and comment stay written where they are declared.
 */

/* ---- varlena types ------------------------------------------------------------------ */

/*
 * The four I/O functions of a varlena type Type, in C as Csym_in, Csym_out, Csym_recv,
 * Csym_send (8 lines):
 *   CREATE FUNCTION Type_in(cstring) RETURNS Type
 *   AS 'MODULE_PATHNAME', 'Csym_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
 *   ... Type_out(Type) RETURNS cstring, Type_recv(internal) RETURNS Type,
 *   Type_send(Type) RETURNS bytea
 */
#define JY_VARLENA_IO(Type, Csym) \
CREATE FUNCTION #Type#_in(cstring) RETURNS #Type##NL#\
AS 'MODULE_PATHNAME', '#Csym#_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;#NL#\
CREATE FUNCTION #Type#_out(#Type#) RETURNS cstring#NL#\
AS 'MODULE_PATHNAME', '#Csym#_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;#NL#\
CREATE FUNCTION #Type#_recv(internal) RETURNS #Type##NL#\
AS 'MODULE_PATHNAME', '#Csym#_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;#NL#\
CREATE FUNCTION #Type#_send(#Type#) RETURNS bytea#NL#\
AS 'MODULE_PATHNAME', '#Csym#_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

/*
 * A varlena type after its shell (CREATE TYPE Type;): JY_VARLENA_IO, an empty line, then
 *   CREATE TYPE Type (
 *       INPUT = Type_in, OUTPUT = Type_out, RECEIVE = Type_recv, SEND = Type_send,
 *       INTERNALLENGTH = VARIABLE, ALIGNMENT = Align, STORAGE = extended
 *   );
 * one option a line.  Align: double for a value holding float8 / int64, int4 otherwise.
 */
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

/*
 * COMMENT ON FUNCTION for the four I/O functions, one a line; Cin .. Csend are the
 * comment literals ('text input of Type ...').
 */
#define JY_VARLENA_IO_COMMENTS(Type, Cin, Cout, Crecv, Csend) \
COMMENT ON FUNCTION #Type#_in(cstring) IS #Cin#;#NL#\
COMMENT ON FUNCTION #Type#_out(#Type#) IS #Cout#;#NL#\
COMMENT ON FUNCTION #Type#_recv(internal) IS #Crecv#;#NL#\
COMMENT ON FUNCTION #Type#_send(#Type#) IS #Csend#;

/* ---- aggregates with an internal state ---------------------------------------------- */

/*
 * The combine, serialize and deserialize functions of an internal state, in C as
 * Csym_combine, Csym_serial, Csym_deserial (6 lines):
 *   CREATE FUNCTION Prefix_combine(internal, internal) RETURNS internal   (not STRICT)
 *   CREATE FUNCTION Prefix_serial(internal) RETURNS bytea                 STRICT
 *   CREATE FUNCTION Prefix_deserial(bytea, internal) RETURNS internal     STRICT
 */
#define JY_AGG_STATE_FUNCS(Prefix, Csym) \
CREATE FUNCTION #Prefix#_combine(internal, internal) RETURNS internal#NL#\
AS 'MODULE_PATHNAME', '#Csym#_combine' LANGUAGE C PARALLEL SAFE;#NL#\
CREATE FUNCTION #Prefix#_serial(internal) RETURNS bytea#NL#\
AS 'MODULE_PATHNAME', '#Csym#_serial' LANGUAGE C STRICT PARALLEL SAFE;#NL#\
CREATE FUNCTION #Prefix#_deserial(bytea, internal) RETURNS internal#NL#\
AS 'MODULE_PATHNAME', '#Csym#_deserial' LANGUAGE C STRICT PARALLEL SAFE;

/* COMMENT ON FUNCTION for the three functions of JY_AGG_STATE_FUNCS, one a line. */
#define JY_AGG_STATE_COMMENTS(Prefix, Ccombine, Cserial, Cdeserial) \
COMMENT ON FUNCTION #Prefix#_combine(internal, internal) IS #Ccombine#;#NL#\
COMMENT ON FUNCTION #Prefix#_serial(internal) IS #Cserial#;#NL#\
COMMENT ON FUNCTION #Prefix#_deserial(bytea, internal) IS #Cdeserial#;

/*
 * The options after SFUNC / STYPE / SSPACE of a parallel aggregate whose state functions
 * are JY_AGG_STATE_FUNCS(Prefix, ...); the call stands on the option lines, indented:
 *   CREATE AGGREGATE name(args) (
 *       SFUNC = ..., STYPE = internal, SSPACE = ...,
 *       JY_AGG_PARALLEL(Final, Modify, Prefix)
 *   );
 * gives
 *       FINALFUNC = Final, FINALFUNC_MODIFY = Modify,
 *       COMBINEFUNC = Prefix_combine,
 *       SERIALFUNC = Prefix_serial, DESERIALFUNC = Prefix_deserial,
 *       PARALLEL = SAFE
 * Modify: SHAREABLE when the final function leaves the state as it was, READ_ONLY when
 * it only sorts or caches (a window aggregate may then call it again).
 */
#define JY_AGG_PARALLEL(Final, Modify, Prefix) \
FINALFUNC = #Final#, FINALFUNC_MODIFY = #Modify#,#NL#\
    COMBINEFUNC = #Prefix#_combine,#NL#\
    SERIALFUNC = #Prefix#_serial, DESERIALFUNC = #Prefix#_deserial,#NL#\
    PARALLEL = SAFE

/* JY_AGG_PARALLEL with the three state functions on one line (30_funnel.sql). */
#define JY_AGG_PARALLEL_PACKED(Final, Modify, Prefix) \
FINALFUNC = #Final#, FINALFUNC_MODIFY = #Modify#,#NL#\
    COMBINEFUNC = #Prefix#_combine, SERIALFUNC = #Prefix#_serial, DESERIALFUNC = #Prefix#_deserial,#NL#\
    PARALLEL = SAFE

/* ---- aggregates over a varlena state -------------------------------------------------- */

/*
 * The options of an aggregate whose state is a varlena type (rollup(), the kmeans_partial
 * passes): no final function, the combine function merges two states:
 *       SFUNC = Sfunc, STYPE = Stype,
 *       COMBINEFUNC = Combine,
 *       PARALLEL = SAFE
 */
#define JY_AGG_MERGEABLE(Sfunc, Stype, Combine) \
SFUNC = #Sfunc#, STYPE = #Stype#,#NL#\
    COMBINEFUNC = #Combine#,#NL#\
    PARALLEL = SAFE
