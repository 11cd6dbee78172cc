/*
 * identity.h — identity stitching: connected components over identifier
 * links, with a deterministic canonical person id and guard rails.
 *
 * An identifier is a (kind, value) pair of byte strings, e.g. ("user_id",
 * "u42") or ("anonymous_id", "7f3c…").  Links join two identifiers.  A person
 * is a connected component; its id is the component's *best* identifier in
 * this total order:
 *
 *   1. kind rank: the position of the kind in the priority list (first =
 *      best); kinds not in the list come after every listed kind,
 *   2. kind name, bytewise (memcmp, shorter prefix first),
 *   3. value, bytewise.
 *
 * So the person id depends only on the set of identifiers in the component,
 * never on link order, and merging two persons gives the better of their two
 * ids (the incremental rule equals recomputing from scratch).
 *
 * Guard rails: a kind in the priority list may carry a limit (at most L
 * identifiers of that kind per person).  With limits, links are applied in a
 * defined order — time, then the two identifiers in the order above — and a
 * link whose union would exceed a limit is refused (recorded, not applied).
 * Without limits links are applied as they arrive (the result is the same in
 * any order) and are not stored.
 *
 * Union-find: union by size, path halving; all node data in flat arrays.
 * Memory: per distinct identifier about 36 bytes + its value bytes + 8-16
 * bytes of hash table (+ 4 per limited kind); per link 24 bytes only when
 * limits are set.  Allocation goes through JyIdMem (palloc in the glue).
 */
#ifndef JY_IDENTITY_H
#define JY_IDENTITY_H

#include "jy_engine.h"

typedef struct JyIdMem
{
	/* resize(arg, NULL, n) allocates; resize(arg, p, n) grows p keeping its bytes; never NULL (may longjmp) */
	void	   *(*resize) (void *arg, void *p, size_t n);
	void		(*release) (void *arg, void *p);
	void	   *arg;
} JyIdMem;

#define JY_ID_MAX_KINDS     64
#define JY_ID_MAX_KIND_LEN  64
#define JY_ID_MAX_VALUE_LEN 4096
#define JY_ID_MAX_NODES     UINT32_C(1000000000)
#define JY_ID_NONE          UINT32_MAX

typedef enum
{
	JY_ID_OK = 0,
	JY_ID_TOO_MANY_KINDS,		/* more than JY_ID_MAX_KINDS distinct kinds */
	JY_ID_KIND_TOO_LONG,
	JY_ID_VALUE_TOO_LONG,
	JY_ID_TOO_MANY_NODES,
	JY_ID_CONFLICT				/* a mapping row gives an identifier a second person */
} JyIdStatus;

typedef struct JyIdLink
{
	int64_t		ts;
	uint32_t	a;
	uint32_t	b;
	uint64_t	seq;			/* input position, to report refusals in input terms */
} JyIdLink;

typedef struct JyIdGraph JyIdGraph;

/*
 * prio: nprio kind names (best first), each with a limit in limits[] (< 0 =
 * none; limits may be NULL).  Names are copied.  Duplicate names: the first
 * occurrence counts.
 */
JyIdGraph  *jy_id_new(const JyIdMem *m, int nprio, const char *const *prio, const int32_t *limits);
void		jy_id_free(JyIdGraph *g);

/* Intern an identifier; *node receives its number (0..). */
JyIdStatus	jy_id_node(JyIdGraph *g, const char *kind, size_t klen, const char *val, size_t vlen, uint32_t *node);

/* Does any kind carry a limit?  (Then links are stored and sorted by jy_id_apply.) */
bool		jy_id_limited(const JyIdGraph *g);

/*
 * A link.  Without limits it is applied at once; with limits it is stored
 * until jy_id_apply.  ts: microseconds, or INT64_MIN when unknown (sorts first).
 */
void		jy_id_link(JyIdGraph *g, uint32_t a, uint32_t b, int64_t ts, uint64_t seq);

/*
 * An existing mapping row (identifier -> person identifier), for incremental
 * merges: unions without limit checks and records the previous person.
 * JY_ID_CONFLICT when the identifier already had another previous person.
 */
JyIdStatus	jy_id_existing(JyIdGraph *g, uint32_t node, uint32_t person);

/*
 * Apply stored links in the defined order (a no-op without limits); tick(arg)
 * is called every few thousand steps.  Refused links are then available.
 */
void		jy_id_apply(JyIdGraph *g, void (*tick) (void *), void *arg);

uint32_t	jy_id_nnodes(const JyIdGraph *g);
/* person (best identifier) of a node */
uint32_t	jy_id_person(JyIdGraph *g, uint32_t node);
/* previous person from jy_id_existing, JY_ID_NONE if none */
uint32_t	jy_id_previous(const JyIdGraph *g, uint32_t node);
/* a node's kind and value (not NUL-terminated) */
void		jy_id_get(const JyIdGraph *g, uint32_t node, const char **kind, size_t *klen,
					  const char **val, size_t *vlen);
/* order of two nodes (<0, 0, >0) in the canonical order above */
int			jy_id_cmp(const JyIdGraph *g, uint32_t a, uint32_t b);

/* refused links (after jy_id_apply): the link and the kind whose limit it would exceed */
size_t		jy_id_nrefused(const JyIdGraph *g);
const JyIdLink *jy_id_refused(const JyIdGraph *g, size_t i, const char **kind, size_t *klen, int32_t *limit);

#endif
