/*
 * markov_chain.h — the journey_markov_chain type's codec: layout, validation,
 * text and binary forms.  Plain C, no postgres.h; nothing is allocated (the
 * caller sizes every buffer with the functions below).  Errors are reported
 * as a JyCodecError (summary_codec.h), which the glue maps to a SQLSTATE
 * with jy_codec_ereport (src/summary_type.h).
 *
 * ---- Flat form, format version 1 (in memory and on disk, native byte order) --
 *   int32  vl_len_        PostgreSQL's varlena header (the glue sets it)
 *   uint8  version        = 1
 *   uint8  order          1..JY_MK_MAX_ORDER
 *   uint16 reserved       must be 0
 *   int32  nchannels      0..JY_MK_MAX_CHANNELS
 *   int32  reserved2      must be 0
 *   int64  ngrams, paths, conversions
 *   double revenue        finite
 *   int64  cnt[ngrams]                 positive transition counts
 *   int32  sym[ngrams * (order + 1)]   the grams (attribution.h), strictly increasing
 *   per channel: uint32 length, bytes  channel names in strictly increasing byte
 *                                      order, numbered 1..nchannels in that order
 * Canonical: nothing follows the last name.
 *
 * ---- Text form ----------------------------------------------------------------
 *   {"version":1,"order":1,"paths":2,"conversions":1,"revenue":10,
 *    "channels":["ads","seo"],"transitions":[[0,1,2],[1,-1,1],...]}
 * Keys in this order; white space is allowed between tokens; channel names are
 * JSON strings (\" \\ \/ \b \f \n \r \t and \u0001..\u007f escapes).  A
 * transition is its order + 1 symbols followed by its count.
 *
 * ---- Binary form (send/recv), network byte order ------------------------------
 *   uint8 version, uint8 order, uint16 reserved, uint32 nchannels,
 *   uint32 reserved2, int64 ngrams, paths, conversions, float8 revenue,
 *   per channel (uint32 length, bytes), per transition (int32 sym[order + 1],
 *   int64 count).
 */
#ifndef JY_MARKOV_CHAIN_H
#define JY_MARKOV_CHAIN_H

#include "attribution.h"
#include "summary_codec.h"

#define JY_MKC_VERSION			1
#define JY_MKC_MAX_CHANNEL_LEN	1024
/* a flat value stays below PostgreSQL's 1 GB allocation limit (MaxAllocSize - 1024) */
#define JY_MKC_MAX_BYTES		((size_t) 0x3fffffff - 1024)

typedef struct JyMkFlat
{
	int32_t		vl_len_;		/* varlena header: the glue's */
	uint8_t		version;
	uint8_t		order;
	uint16_t	reserved;
	int32_t		nchannels;
	int32_t		reserved2;
	int64_t		ngrams;
	int64_t		paths;
	int64_t		conversions;
	double		revenue;
} JyMkFlat;

#define JY_MKC_CNT(f)	((int64_t *) ((char *) (f) + sizeof(JyMkFlat)))
#define JY_MKC_SYM(f)	((int32_t *) (JY_MKC_CNT(f) + (f)->ngrams))
#define JY_MKC_NAMES(f) ((char *) (JY_MKC_SYM(f) + (f)->ngrams * ((f)->order + 1)))

/* Bytes of a flat value. */
size_t		jy_mkc_size(int order, int64_t ngrams, int64_t namebytes, int nchannels);

/* Most transitions a flat value of this order may hold (JY_MKC_MAX_BYTES). */
int64_t		jy_mkc_max_grams(int order);

/*
 * Walk the channel names: *p starts at JY_MKC_NAMES(f); returns the name's
 * bytes, sets *len and moves *p to the next name.
 */
const char *jy_mkc_next_name(const char **p, uint32_t *len);

/*
 * Every rule of the flat form, for a value of `size` bytes; EINVALID with the
 * broken rule as a sentence.  name_ok (may be NULL) checks a name's encoding.
 */
JyCodecStatus jy_mkc_validate(const JyMkFlat *f, size_t size,
							  bool (*name_ok) (const char *p, size_t len, void *arg), void *arg,
							  JyCodecError *err);

/* ---- text ------------------------------------------------------------------ */

/*
 * Parse the text form in two passes.  f NULL: measure; *hdr receives the
 * header fields (vl_len_ 0) and *size the value's bytes.  When the
 * transitions alone pass JY_MKC_MAX_BYTES, the measure stops early with
 * hdr->ngrams above jy_mkc_max_grams and *size above JY_MKC_MAX_BYTES (the
 * caller reports "too large").  f non-NULL: the same text again into f (*size
 * bytes, zeroed; the header is copied from *hdr, vl_len_ untouched).  Not
 * validated: call jy_mkc_validate.  ESYNTAX, ERANGE, EINVALID (version, too
 * many channels).  tick(arg) every 65536 transitions (may be NULL).
 */
JyCodecStatus jy_mkc_parse_text(const char *str, JyMkFlat *hdr, JyMkFlat *f, size_t *size,
								void (*tick) (void *), void *arg, JyCodecError *err);

/* Print the text form into out (NUL-terminated); out NULL: only count.  Returns the length. */
size_t		jy_mkc_print_text(const JyMkFlat *f, char *out, void (*tick) (void *), void *arg);

/* ---- binary ---------------------------------------------------------------- */

/*
 * Decode a binary message in two passes, like the text.  f NULL: measure;
 * *hdr and *size receive the header and the flat size.  f non-NULL (size
 * bytes, zeroed): decode into it; *used receives the bytes read (all of them:
 * trailing bytes are EINVALID).  Not validated: call jy_mkc_validate.
 * ETRUNC, EINVALID.
 */
JyCodecStatus jy_mkc_recv(const uint8_t *buf, size_t len, JyMkFlat *hdr, JyMkFlat *f,
						  size_t *size, size_t *used, JyCodecError *err);

/* Size of the binary form, and writing it. */
size_t		jy_mkc_send_size(const JyMkFlat *f);
void		jy_mkc_send(const JyMkFlat *f, uint8_t *out);

#endif
