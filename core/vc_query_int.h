/*
 * vc_query_int.h — private state shared by the query compiler's files
 * (vc_query.c: context, parameters, paths and joins; vc_query_cond.c:
 * conditions, expressions, limits, shape; vc_query_select.c: reads; vc_query_write.c: writes;
 * vc_query_out.c: result description and row JSON). Hosts include
 * vc_query.h only.
 *
 * Memory: every allocation of a compile call comes from the compiled
 * statement's vc_pool (so a failure half-way is released by one
 * vc_compiled_free); SQL text is built in vc_bufs on the caller's allocator
 * and copied into the pool at the end.
 */
#ifndef VC_QUERY_INT_H
#define VC_QUERY_INT_H

#include "vc_model_int.h"
#include "vc_query.h"

typedef enum qjoin_kind
{
	QJ_FK = 0,					/* this.pk = parent.fk_column */
	QJ_M2M_JUNCTION,			/* junction.from = parent.pk (no model) */
	QJ_M2M_TARGET,				/* this.pk = junction.to */
	QJ_REVERSE,					/* this.fk_column = parent.pk */
	QJ_RM2M_JUNCTION,			/* junction.to = parent.pk (reverse M2M) */
	QJ_RM2M_TARGET				/* this.pk = junction.from */
} qjoin_kind;

typedef struct qjoin
{
	int			parent;			/* index in joins, -1 = t0 */
	qjoin_kind	kind;
	const vc_field *via;		/* FK/M2M field on the parent model; for
								 * QJ_REVERSE the FK field on this model */
	const vc_model *model;		/* NULL for a junction */
	bool		left;
	int			scope;			/* 0: the statement's FROM; k > 0: the k-th
								 * EXISTS sub-select ($not over a
								 * many-valued path) */
	bool		root;			/* first table of its sub-select: its ON
								 * condition is the correlation */
} qjoin;

/* Where a path ended: a column of an aliased table. */
typedef struct qcol
{
	int			alias;			/* t<alias>: 0 = the queried table, j+1 = joins[j] */
	const vc_model *model;		/* model of the alias (NULL for a junction) */
	const char *column;
	const vc_field *field;		/* types the values (FK: its target pk) */
	const vc_model *vmodel;		/* model that field belongs to (messages) */
} qcol;

/* How joins created by a path are made (condition context). */
#define QJ_MODE_INNER 0
#define QJ_MODE_LEFT 1

typedef struct qctx
{
	const vc_alloc *a;
	vc_pool    *pool;			/* the compiled statement's pool */
	const vc_catalog *cat;
	const vc_model *m;
	vc_dialect	d;
	const vc_query_opts *o;
	vc_error   *err;
	qjoin	   *joins;
	size_t		njoins,
				capjoins;
	vc_param   *params;
	size_t		nparams,
				capparams;
	vc_perm_action action;
	bool		distinct;		/* SELECT DISTINCT: select comparable forms */
	int			neg;			/* $not nesting around the current condition */
	bool		sub_request;	/* vq_resolve: start a sub-select scope at the
								 * first many-valued hop */
	int			nscopes;
	int			last_root;		/* join index of the scope root the last
								 * vq_resolve created, -1 none */
} qctx;

struct vc_sql_sink
{
	qctx	   *q;
	vc_buf	   *b;
};

/* Append another buffer's text (nothing when it is empty: data may be NULL). */
static inline void
vq_append_buf(vc_buf *b, const vc_buf *s)
{
	if (s->len > 0 && s->data != NULL)
		vc_buf_append(b, s->data, s->len);
}

/* Whether the statement's own FROM has joins (EXISTS sub-selects' joins
 * do not count: they live inside their sub-select). */
static inline bool
vq_has_joins(const qctx *q)
{
	size_t		i;

	for (i = 0; i < q->njoins; i++)
		if (q->joins[i].scope == 0)
			return true;
	return false;
}

/* vc_query.c (context, params, paths, joins) and vc_query_cond.c
 * (conditions, expressions, limits, shape) */
vc_code		vq_begin(qctx *q, const vc_alloc *a, const vc_catalog *cat,
					 const char *label, const vc_query_opts *o,
					 vc_perm_action action, vc_compiled **out, vc_error *err);
vc_code		vq_finish(qctx *q, vc_compiled *c, vc_buf *sql);
vc_code		vq_oom(qctx *q);
vc_code		vq_param(qctx *q, const vc_param *p, size_t *num);
void		vq_placeholder(qctx *q, vc_buf *b, size_t num);
vc_code		vq_bind(qctx *q, vc_buf *b, const vc_param *p);
vc_code		vq_bind_value(qctx *q, vc_buf *b, const vc_model *m,
						  const vc_field *f, const json_t *v, bool write,
						  const char *what);
vc_code		vq_bind_int(qctx *q, vc_buf *b, int64_t v);
vc_code		vq_bind_text(qctx *q, vc_buf *b, const char *s, size_t len);
/* Registers s[0..len) as a text parameter: *num is its number. */
vc_code		vq_param_text(qctx *q, const char *s, size_t len, size_t *num);
void		vq_alias(qctx *q, vc_buf *b, int alias);
void		vq_colref(qctx *q, vc_buf *b, int alias, const char *column);
const vc_field *vq_find_field(const vc_model *m, const char *name, size_t len);
vc_code		vq_unknown_field(qctx *q, const vc_model *m, const char *name,
							 size_t len);
vc_code		vq_check_keys(qctx *q, const json_t *spec, const char *const *allowed,
						  const char *what);
vc_code		vq_check_limits(qctx *q, const json_t *spec);
vc_code		vq_resolve(qctx *q, const char *path, int mode, bool allow_lookup,
						   bool m2m_final_ok, qcol *col, const char **lookup);
vc_code		vq_where(qctx *q, const json_t *where, vc_buf *b);
vc_code		vq_expr(qctx *q, const json_t *e, const vc_field *ctx_field,
					bool local_only, vc_buf *b, int depth, vc_out_kind *kind,
					const vc_field **ofield);
bool		vq_is_agg(const json_t *e);
vc_code		vq_agg(qctx *q, const json_t *e, vc_buf *b, vc_out_kind *kind,
				   const vc_field **ofield);
vc_code		vq_from(qctx *q, vc_buf *b, bool *pred, vc_buf *where_pred);
vc_code		vq_exists(qctx *q, int root, const vc_buf *cond, vc_buf *b);
vc_code		vq_perm(qctx *q, const vc_model *m, int alias, vc_buf *b,
					bool *applied);
vc_code		vq_shape(qctx *q, const char *op, const json_t *spec,
					 const json_t *extra, vc_compiled *c);
vc_out_kind vq_field_kind(const vc_field *f);
const vc_field *vq_pk(const vc_model *m);
void		vq_select_col(qctx *q, vc_buf *b, int alias, const vc_field *f);

/* vc_query_out.c */
vc_code		vq_add_col(qctx *q, vc_compiled *c, const char *key,
					   const char *const *path, size_t npath, vc_out_kind kind,
					   int nest, const vc_field *field);

#endif
