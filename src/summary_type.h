/*
 * summary_type.h — glue shared by the summary types whose codec lives in an
 * engine (session_stats, funnel_summary; src/engine/summary_codec.h).
 */
#ifndef SUMMARY_TYPE_H
#define SUMMARY_TYPE_H

#include "journey.h"
#include "summary_codec.h"

/*
 * Raise the error an engine codec reported: syntax 22P02 and range 22003
 * naming the type and the character (as src/textscan.c does for the
 * scanner), an unsupported version 22P02, a broken rule "invalid <type>
 * value" with invalid_errcode (22P02 for text input, 22P03 for binary), a
 * truncated binary message 08P01, a count out of range while adding or
 * merging 22003.  input: the text being read (text statuses only).
 */
extern void jy_codec_ereport(const JyCodecError *e, const char *type_name, const char *input,
							 int invalid_errcode) pg_attribute_noreturn();

#endif
